// Joi-style validation of the Nexterm server's request bodies: the rules, the validator and
// the routes' schemas (defined in nexterm_validation.cpp).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "nexterm_util.hpp"

namespace testbroker {
namespace nexterm_detail {

// --- Joi-style validation --------------------------------------------------------------------

enum class JType { string, number, object };

struct JRule {
  std::string key;
  JType type = JType::string;
  bool required = false;
  bool alphanum = false, hex = false, integer = false, uri = false;
  int min = -1, max = -1, length = -1;
  std::string pattern, pattern_message;
  std::vector<std::string> valid;

  JRule& req() {
    required = true;
    return *this;
  }
  JRule& hex_only() {
    hex = true;
    return *this;
  }
  JRule& len(int n) {
    length = n;
    return *this;
  }
  JRule& range(int lo, int hi) {
    min = lo;
    max = hi;
    return *this;
  }
  JRule& alnum() {
    alphanum = true;
    return *this;
  }
  JRule& uri_only() {
    uri = true;
    return *this;
  }
  JRule& integral() {
    integer = true;
    return *this;
  }
  JRule& match(std::string re, std::string message) {
    pattern = std::move(re);
    pattern_message = std::move(message);
    return *this;
  }
  JRule& one_of(std::vector<std::string> values) {
    valid = std::move(values);
    return *this;
  }
};

std::optional<double> joi_number(const json& v);
std::string joi_validate(const json& body, const std::vector<JRule>& rules);

const std::vector<JRule>& login_schema();
const std::vector<JRule>& token_schema(int length);
const std::vector<JRule>& register_schema();
const std::vector<JRule>& device_create_schema();
const std::vector<JRule>& code_schema();
const std::vector<JRule>& totp_schema();
const std::vector<JRule>& passkey_register_schema();
const std::vector<JRule>& passkey_rename_schema();
const std::vector<JRule>& passkey_auth_schema();
const std::vector<JRule>& passkey_options_schema();

}  // namespace nexterm_detail
}  // namespace testbroker
