#include "hostile.hpp"

#include <nlohmann/json.hpp>

namespace testbroker {

namespace {

// A string no route ever produces; each pointer gets its own, replaced by raw text after
// the dump (so the raw text is never parsed or rebuilt by nlohmann::json here).
std::string placeholder(size_t index) {
  return "\x01hostile-" + std::to_string(index) + "\x01";
}

bool splice_edits(const HostileAnswer& edit, std::string& body) {
  auto doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_discarded()) return false;
  std::vector<std::pair<std::string, std::string>> raw;  // quoted placeholder -> raw text
  for (size_t i = 0; i < edit.set.size(); ++i) {
    const auto& [pointer, text] = edit.set[i];
    const std::string mark = placeholder(i);
    if (pointer.empty())
      doc = mark;
    else
      doc[nlohmann::json::json_pointer(pointer)] = mark;
    raw.emplace_back(nlohmann::json(mark).dump(), text);
  }
  std::string out = doc.dump();
  for (const auto& [quoted, text] : raw) {
    if (auto at = out.find(quoted); at != std::string::npos) out.replace(at, quoted.size(), text);
  }
  body = std::move(out);
  return true;
}

}  // namespace

bool apply_hostile(const HostileAnswer& edit, int& status, std::string& body,
                   std::string& content_type) {
  if (edit.status) status = *edit.status;
  if (edit.body) {
    body = *edit.body;
    content_type =
        edit.content_type.empty() ? "application/json; charset=utf-8" : edit.content_type;
    return true;
  }
  if (edit.set.empty()) return true;
  return splice_edits(edit, body);
}

}  // namespace testbroker
