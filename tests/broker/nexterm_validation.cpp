// Joi-style validation for the test broker's Nexterm server (nexterm_validation.hpp): Joi's
// messages with `errors.wrap.label = ""`, as the server validates (see nexterm.hpp).
#include "nexterm_validation.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <regex>

namespace testbroker {
namespace nexterm_detail {

namespace {

JRule str(const std::string& key) {
  JRule r;
  r.key = key;
  return r;
}

JRule num(const std::string& key) {
  JRule r;
  r.key = key;
  r.type = JType::number;
  return r;
}

JRule obj(const std::string& key) {
  JRule r;
  r.key = key;
  r.type = JType::object;
  return r;
}

// Joi's string().uri(), approximated: a scheme, then only characters RFC 3986 allows
// (unreserved, reserved, percent-encoded); no relative references, no spaces.
bool joi_uri(const std::string& s) {
  static const std::regex re(
      R"(^[A-Za-z][A-Za-z0-9+.\-]*:([A-Za-z0-9\-._~!$&'()*+,;=:@/?#\[\]]|%[0-9A-Fa-f]{2})*$)");
  return std::regex_match(s, re);
}

const std::string kCodePattern = "^[A-Z0-9]{4}-[A-Z0-9]{4}$";
const std::string kCodeMessage = "Code must be in format XXXX-XXXX";

}  // namespace

// Joi's number conversion: a JSON number, or a string holding one.
std::optional<double> joi_number(const json& v) {
  if (v.is_number()) return v.get<double>();
  if (!v.is_string()) return std::nullopt;
  static const std::regex re(R"(^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$)");
  const std::string s = v.get<std::string>();
  if (!std::regex_match(s, re)) return std::nullopt;
  return std::strtod(s.c_str(), nullptr);
}

// "" when `body` passes; else the message of Joi's first error (abortEarly): the schema's
// keys in order, then unknown keys.
std::string joi_validate(const json& body, const std::vector<JRule>& rules) {
  if (!body.is_object()) return "value must be of type object";
  for (const JRule& r : rules) {
    auto it = body.find(r.key);
    if (it == body.end()) {
      if (r.required) return r.key + " is required";
      continue;
    }
    const json& v = *it;
    if (!r.valid.empty()) {
      bool ok = v.is_string() &&
                std::find(r.valid.begin(), r.valid.end(), v.get<std::string>()) != r.valid.end();
      if (ok) continue;
      std::string list;
      for (const std::string& s : r.valid) list += (list.empty() ? "" : ", ") + s;
      return r.key + " must be one of [" + list + "]";
    }
    if (r.type == JType::object) {
      if (!v.is_object()) return r.key + " must be of type object";
      continue;
    }
    if (r.type == JType::number) {
      auto d = joi_number(v);
      if (!d || !std::isfinite(*d)) return r.key + " must be a number";
      if (r.integer && std::floor(*d) != *d) return r.key + " must be an integer";
      continue;
    }
    if (!v.is_string()) return r.key + " must be a string";
    const std::string s = v.get<std::string>();
    if (s.empty()) return r.key + " is not allowed to be empty";
    if (r.hex && !std::all_of(s.begin(), s.end(), [](char c) {
          return std::isxdigit(static_cast<unsigned char>(c));
        })) {
      return r.key + " must only contain hexadecimal characters";
    }
    const int n = static_cast<int>(s.size());
    if (r.length >= 0 && n != r.length) {
      return r.key + " length must be " + std::to_string(r.length) + " characters long";
    }
    if (r.min >= 0 && n < r.min) {
      return r.key + " length must be at least " + std::to_string(r.min) + " characters long";
    }
    if (r.max >= 0 && n > r.max) {
      return r.key + " length must be less than or equal to " + std::to_string(r.max) +
             " characters long";
    }
    if (r.uri && !joi_uri(s)) return r.key + " must be a valid uri";
    if (r.alphanum && !std::all_of(s.begin(), s.end(), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c));
        })) {
      return r.key + " must only contain alpha-numeric characters";
    }
    if (!r.pattern.empty() && !std::regex_match(s, std::regex(r.pattern))) {
      return r.pattern_message;
    }
  }
  for (auto it = body.begin(); it != body.end(); ++it) {
    bool known =
        std::any_of(rules.begin(), rules.end(), [&](const JRule& r) { return r.key == it.key(); });
    if (!known) return it.key() + " is not allowed";
  }
  return "";
}

const std::vector<JRule>& login_schema() {
  static const std::vector<JRule> s = {str("username").req(), str("password").req(),
                                       num("code").integral()};
  return s;
}

const std::vector<JRule>& token_schema(int length) {
  static const std::vector<JRule> s96 = {str("token").hex_only().len(96).req()};
  static const std::vector<JRule> s64 = {str("token").hex_only().len(64).req()};
  return length == 96 ? s96 : s64;
}

const std::vector<JRule>& register_schema() {
  static const std::vector<JRule> s = {str("username").range(3, 15).alnum().req(),
                                       str("password").range(3, 150).req(), str("firstName").req(),
                                       str("lastName").req()};
  return s;
}

const std::vector<JRule>& device_create_schema() {
  static const std::vector<JRule> s = {
      str("clientType").one_of({"mobile", "connector", "web"}).req()};
  return s;
}

const std::vector<JRule>& code_schema() {
  static const std::vector<JRule> s = {str("code").match(kCodePattern, kCodeMessage).req()};
  return s;
}

const std::vector<JRule>& totp_schema() {
  static const std::vector<JRule> s = {num("code").integral().req()};
  return s;
}

const std::vector<JRule>& passkey_register_schema() {
  static const std::vector<JRule> s = {obj("response").req(), str("name").range(1, 50),
                                       str("origin").uri_only().req()};
  return s;
}

const std::vector<JRule>& passkey_rename_schema() {
  static const std::vector<JRule> s = {str("name").range(1, 50).req()};
  return s;
}

const std::vector<JRule>& passkey_auth_schema() {
  static const std::vector<JRule> s = {obj("response").req(), str("origin").uri_only().req()};
  return s;
}

const std::vector<JRule>& passkey_options_schema() {
  static const std::vector<JRule> s = {str("username").range(3, 15).alnum(),
                                       str("origin").uri_only().req()};
  return s;
}

}  // namespace nexterm_detail
}  // namespace testbroker
