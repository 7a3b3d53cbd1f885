#include "core/validate.hpp"

#include <algorithm>
#include <cstdio>

#include "core/text.hpp"

namespace authctl::validate {

namespace {

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool all_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), is_hex);
}

bool is_base64url(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

bool is_cookie_octet(unsigned char c) {
  return c == 0x21 || (c >= 0x23 && c <= 0x2b) || (c >= 0x2d && c <= 0x3a) ||
         (c >= 0x3c && c <= 0x5b) || (c >= 0x5d && c <= 0x7e);
}

bool is_profile_char(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-' || c == '+' || c == '@' || c == ':' || c == '%' || c == '[' ||
         c == ']';
}

}  // namespace

bool is_jwt(std::string_view token) {
  if (token.empty() || token.size() > 16 * 1024) return false;
  int parts = 1;
  size_t part_length = 0;
  for (char c : token) {
    if (c == '.') {
      if (part_length == 0) return false;
      ++parts;
      part_length = 0;
    } else if (is_base64url(c)) {
      ++part_length;
    } else {
      return false;
    }
  }
  return parts == 3 && part_length > 0;
}

bool is_session_token(std::string_view token) {
  return token.size() == 96 && all_hex(token);
}

bool is_api_key(std::string_view token) {
  return token.size() == 68 && token.substr(0, 4) == "nxt_" && all_hex(token.substr(4));
}

bool is_cookie_value(std::string_view value) {
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
    value = value.substr(1, value.size() - 2);
  if (value.empty() || value.size() > 4096) return false;
  return std::all_of(value.begin(), value.end(),
                     [](char c) { return is_cookie_octet(static_cast<unsigned char>(c)); });
}

bool is_user_name(std::string_view name) {
  return !name.empty() && name.size() <= 255 && !text::needs_escaping(name);
}

bool is_profile_name(std::string_view name) {
  return !name.empty() && name.size() <= 255 && std::all_of(name.begin(), name.end(), [](char c) {
    return is_profile_char(static_cast<unsigned char>(c));
  });
}

std::string profile_name_part(std::string_view text) {
  std::string out;
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (is_profile_char(c) && c != '%') {
      out += ch;
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

}  // namespace authctl::validate
