#include "backends/answer.hpp"

#include <limits>

#include "core/error.hpp"
#include "core/json_input.hpp"
#include "core/timeutil.hpp"
#include "core/validate.hpp"

namespace authctl::backends::answer {

void unexpected(const std::string& authority, const std::string& what) {
  throw Error(ExitCode::error, authority + " sent an unexpected answer: " + what,
              Reason::misbehaving, ErrorFacts{authority, {}, std::nullopt});
}

std::optional<nlohmann::json> parse_text(std::string_view text, const std::string& authority) {
  json_input::Parsed parsed = json_input::parse(text);
  if (parsed.problem == json_input::Problem::too_deep)
    unexpected(authority, json_input::describe(parsed));
  if (!parsed.ok()) return std::nullopt;
  return std::move(parsed.value);
}

std::optional<nlohmann::json> parse_json(const net::Response& response,
                                         const std::string& authority) {
  if (!response.is_json()) return std::nullopt;
  return parse_text(response.body, authority);
}

Fields::Fields(const nlohmann::json& object, std::string authority, std::string where)
    : object_(object), authority_(std::move(authority)), where_(std::move(where)) {
  if (!object_.is_object())
    unexpected(authority_, (where_.empty() ? std::string("the answer") : where_.substr(3)) +
                               " is not a JSON object");
}

void Fields::bad(const char* key, const std::string& problem) const {
  unexpected(authority_,
             "\"" + std::string(key) + "\"" + (where_.empty() ? "" : " " + where_) + " " + problem);
}

const nlohmann::json* Fields::find(const char* key) const {
  auto it = object_.find(key);
  return it == object_.end() || it->is_null() ? nullptr : &*it;
}

bool Fields::has(const char* key) const {
  return find(key) != nullptr;
}

std::string Fields::text(const char* key) const {
  auto it = object_.find(key);
  if (it == object_.end()) bad(key, "is missing");
  if (!it->is_string()) bad(key, "is not a string");
  return it->get<std::string>();
}

std::string Fields::optional_text(const char* key) const {
  return has(key) ? text(key) : std::string();
}

int64_t Fields::integer(const char* key) const {
  auto it = object_.find(key);
  if (it == object_.end()) bad(key, "is missing");
  if (it->is_number_unsigned()) {
    if (it->get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
      bad(key, "is out of range");
    return static_cast<int64_t>(it->get<uint64_t>());
  }
  if (!it->is_number_integer()) bad(key, "is not an integer");
  return it->get<int64_t>();
}

int64_t Fields::time(const char* key) const {
  if (object_.find(key) == object_.end()) bad(key, "is missing");
  auto when = optional_time(key);
  if (!when) bad(key, "is not a time");
  return *when;
}

std::optional<int64_t> Fields::optional_time(const char* key) const {
  const nlohmann::json* value = find(key);
  if (!value) return std::nullopt;
  if (!value->is_number() && !value->is_string()) bad(key, "is not a time");
  auto when = timeutil::parse_time_value(*value);
  if (!when)
    bad(key, value->is_number() ? "is out of range (2000-01-01..2200-01-01)"
                                : "is not a valid time (ISO-8601, 2000-01-01..2200-01-01)");
  return when;
}

bool Fields::flag(const char* key) const {
  const nlohmann::json* value = find(key);
  if (!value) return false;
  if (value->is_boolean()) return value->get<bool>();
  if (value->is_number_integer() || value->is_number_unsigned()) {
    if (*value == 0) return false;
    if (*value == 1) return true;
  }
  bad(key, "is not a boolean");
}

std::string Fields::optional_user_name(const char* key) const {
  const std::string name = optional_text(key);
  if (!name.empty() && !validate::is_user_name(name))
    bad(key, name.size() > 255 ? "is longer than 255 bytes"
                               : "holds control characters or invalid UTF-8");
  return name;
}

}  // namespace authctl::backends::answer
