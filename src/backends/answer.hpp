// Reading a server's JSON answer as untrusted input (design.md, "Untrusted input"): every
// field is checked for its type, range and alphabet where it is read, and a field that
// fails is a malformed answer (exit 1) naming the field, e.g.
//   HOST sent an unexpected answer: "id" of session 3 is not an integer
// so that no nlohmann type_error ("internal error") can escape and nothing unchecked is
// stored, sent on in a header or shown.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "net/http.hpp"

namespace authctl::backends::answer {

// Throws Error(error) "AUTHORITY sent an unexpected answer: WHAT" with the usual hint.
[[noreturn]] void unexpected(const std::string& authority, const std::string& what);

// The body of `response` parsed with the depth bound (json_input): nullopt when it is not
// JSON by Content-Type or not valid JSON; nesting deeper than 64 levels is thrown as a
// malformed answer (it would overflow the stack later).
std::optional<nlohmann::json> parse_json(const net::Response& response,
                                         const std::string& authority);

// Text JSON from a server (e.g. an event's data sent as a string), parsed the same way.
std::optional<nlohmann::json> parse_text(std::string_view text, const std::string& authority);

// The members of one JSON object of an answer. `where` names the object in messages
// ("of session 3", "of the login answer"); a non-object is refused at construction.
class Fields {
 public:
  Fields(const nlohmann::json& object, std::string authority, std::string where);

  bool has(const char* key) const;  // present and not null
  // A string (required: absent, null or another type is refused).
  std::string text(const char* key) const;
  // A string, or "" when absent or null.
  std::string optional_text(const char* key) const;
  int64_t integer(const char* key) const;  // required
  // A time (Unix seconds or ISO-8601) within 2000-01-01..2200-01-01; required.
  int64_t time(const char* key) const;
  // The same, or nullopt when absent or null.
  std::optional<int64_t> optional_time(const char* key) const;
  // true/false, or Nexterm's 0/1; absent or null is false.
  bool flag(const char* key) const;
  // A user name (validate::is_user_name), or "" when absent or null.
  std::string optional_user_name(const char* key) const;

  // Refuses `key`: "\"KEY\" WHERE PROBLEM".
  [[noreturn]] void bad(const char* key, const std::string& problem) const;
  const nlohmann::json& object() const { return object_; }

 private:
  const nlohmann::json* find(const char* key) const;  // nullptr when absent or null
  const nlohmann::json& object_;
  std::string authority_, where_;
};

}  // namespace authctl::backends::answer
