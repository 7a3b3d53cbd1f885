#include "net/redact.hpp"

#include <algorithm>
#include <cctype>
#include <regex>

namespace authctl::net {

namespace {
std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  return out;
}
}  // namespace

bool is_secret_name(std::string_view name) {
  static const char* const kWords[] = {"authorization", "cookie", "token", "secret", "password",
                                       "signature",     "jwt",    "code",  "apikey"};
  std::string n = lower(name);
  n.erase(std::remove_if(n.begin(), n.end(), [](char c) { return c == '-' || c == '_'; }), n.end());
  return std::any_of(std::begin(kWords), std::end(kWords),
                     [&](const char* w) { return n.find(w) != std::string::npos; });
}

std::string redact_header_line(std::string_view line) {
  auto colon = line.find(':');
  if (colon != std::string_view::npos && colon > 0 &&
      line.substr(0, colon).find(' ') == std::string_view::npos &&
      is_secret_name(line.substr(0, colon))) {
    return std::string(line.substr(0, colon)) + ": " + kRedacted;
  }
  return redact_text(line);
}

void redact_json(nlohmann::json& value) {
  if (value.is_object()) {
    for (auto it = value.begin(); it != value.end(); ++it) {
      if (is_secret_name(it.key()) && !it.value().is_object() && !it.value().is_array() &&
          !it.value().is_null()) {
        it.value() = kRedacted;
      } else {
        redact_json(it.value());
      }
    }
  } else if (value.is_array()) {
    for (auto& item : value) redact_json(item);
  } else if (value.is_string()) {
    value = redact_text(value.get<std::string>());
  }
}

std::string redact_text(std::string_view text) {
  std::string s(text);
  // user:password@ in URLs (a proxy from the environment, say).
  static const std::regex userinfo(R"(([A-Za-z][A-Za-z0-9+.-]*://)[^/\s@:]+:[^/\s@]*@)");
  s = std::regex_replace(s, userinfo, std::string("$1") + kRedacted + "@");
  // Anything shaped like a JWT, wherever it is (a truncated or malformed JSON body).
  static const std::regex jwt(R"(eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*(\.[A-Za-z0-9_-]*)?)");
  s = std::regex_replace(s, jwt, kRedacted);
  // "name": "value" pairs of text that is not valid JSON as a whole.
  static const std::regex pair(R"re("([A-Za-z0-9_.-]+)"(\s*:\s*)"([^"\\]*)")re");
  {
    std::string out;
    size_t last = 0;
    for (auto it = std::sregex_iterator(s.begin(), s.end(), pair); it != std::sregex_iterator();
         ++it) {
      const auto& m = *it;
      if (!is_secret_name(m[1].str())) continue;
      out.append(s, last, static_cast<size_t>(m.position(3)) - last);
      out += kRedacted;
      last = static_cast<size_t>(m.position(3) + m.length(3));
    }
    out.append(s, last, std::string::npos);
    s = std::move(out);
  }
  // otpauth://totp/LABEL?secret=...&issuer=...: the whole query is sensitive.
  static const std::regex otpauth(R"((otpauth://[^?\s"]*\?)[^\s"]*)", std::regex::icase);
  s = std::regex_replace(s, otpauth, std::string("$1") + kRedacted);
  // Query or form values whose names are secret (covers nexterm://devicelink?token=).
  static const std::regex query(R"(([?&;]|^)([A-Za-z0-9_.-]+)=([^&\s"#]*))");
  std::string out;
  auto begin = std::sregex_iterator(s.begin(), s.end(), query);
  size_t last = 0;
  for (auto it = begin; it != std::sregex_iterator(); ++it) {
    const auto& m = *it;
    if (!is_secret_name(m[2].str())) continue;
    out.append(s, last, static_cast<size_t>(m.position(3)) - last);
    out += kRedacted;
    last = static_cast<size_t>(m.position(3) + m.length(3));
  }
  out.append(s, last, std::string::npos);
  return out;
}

std::string redact_body(std::string_view body) {
  auto doc = nlohmann::json::parse(body, nullptr, false);
  if (!doc.is_discarded()) {
    redact_json(doc);
    return doc.dump();
  }
  return redact_text(body);
}

std::string scrub(std::string text, const std::vector<std::string>& secrets) {
  for (const auto& secret : secrets) {
    if (secret.size() < 4) continue;
    for (size_t pos = 0; (pos = text.find(secret, pos)) != std::string::npos;) {
      text.replace(pos, secret.size(), kRedacted);
      pos += std::char_traits<char>::length(kRedacted);
    }
  }
  return text;
}

}  // namespace authctl::net
