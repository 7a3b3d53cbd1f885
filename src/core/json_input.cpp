#include "core/json_input.hpp"

#include <string>

namespace authctl::json_input {

bool within_depth(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;  // the escaped character cannot end the string
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return false;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return true;
}

Parsed parse(std::string_view text, int max_depth) {
  Parsed out;
  if (!within_depth(text, max_depth)) {
    out.problem = Problem::too_deep;
    out.value = nlohmann::json(nlohmann::json::value_t::discarded);
    return out;
  }
  try {
    out.value = nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::parse_error& e) {
    out.problem = Problem::malformed;
    out.byte = e.byte;
    out.value = nlohmann::json(nlohmann::json::value_t::discarded);
  } catch (const nlohmann::json::exception&) {  // out_of_range.406: a number like 1e999
    out.problem = Problem::malformed;
    out.value = nlohmann::json(nlohmann::json::value_t::discarded);
  }
  return out;
}

std::string describe(const Parsed& parsed) {
  switch (parsed.problem) {
    case Problem::none:
      return "valid JSON";
    case Problem::too_deep:
      return "JSON nested deeper than " + std::to_string(kMaxDepth) + " levels";
    case Problem::malformed:
      break;
  }
  return "not valid JSON (at byte " + std::to_string(parsed.byte) + ")";
}

}  // namespace authctl::json_input
