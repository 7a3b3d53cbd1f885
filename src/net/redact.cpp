#include "net/redact.hpp"

#include <algorithm>

#include "core/json_input.hpp"
#include "core/text.hpp"

namespace authctl::net {

namespace {

constexpr std::string_view kHidden = "[REDACTED]";

// ASCII classes by hand: <cctype> depends on the locale and on the sign of char.
bool is_alpha(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}
bool is_alnum(char c) {
  return is_alpha(c) || (c >= '0' && c <= '9');
}
bool is_upper(char c) {
  return c >= 'A' && c <= 'Z';
}
char to_lower(char c) {
  return is_upper(c) ? static_cast<char>(c - 'A' + 'a') : c;
}
// \s of the regexes these scanners replace.
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}
bool is_scheme_char(char c) {
  return is_alnum(c) || c == '+' || c == '.' || c == '-';
}
bool is_base64url(char c) {
  return is_alnum(c) || c == '_' || c == '-';
}
bool is_name_char(char c) {
  return is_alnum(c) || c == '_' || c == '.' || c == '-';
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = to_lower(c);
  return out;
}

// The first index at or after `from` where `pred` is false (or the size).
template <typename Pred>
size_t skip(std::string_view s, size_t from, Pred pred) {
  while (from < s.size() && pred(s[from])) ++from;
  return from;
}

// True when a word of `name` (split at separators and at lower-to-upper case changes, so
// "connect.sid", "userSid", "PHPSESSID") ends in "sid"; "inside" and "considered" do not.
bool has_sid_word(std::string_view name) {
  for (size_t i = 0; i + 3 <= name.size(); ++i) {
    if (lower(name.substr(i, 3)) != "sid") continue;
    const bool ends_word = i + 3 == name.size() || !is_alnum(name[i + 3]) ||
                           (is_upper(name[i + 3]) && !is_upper(name[i + 2]));
    if (ends_word) return true;
  }
  return false;
}

// ECMAScript's \s*:\s* then a quote; the index after the quote, or npos.
size_t after_colon_and_quote(std::string_view s, size_t from) {
  size_t i = skip(s, from, is_space);
  if (i >= s.size() || s[i] != ':') return std::string_view::npos;
  i = skip(s, i + 1, is_space);
  if (i >= s.size() || s[i] != '"') return std::string_view::npos;
  return i + 1;
}

// Each scanner below replaces one regex of the old trace, with the same leftmost,
// non-overlapping matches. A scanner that fails at a start skips every later start whose
// attempt would end where this one did, so each byte is looked at a bounded number of times.

// ([A-Za-z][A-Za-z0-9+.-]*://)[^/\s@:]+:[^/\s@]*@  ->  $1[REDACTED]@
std::string hide_userinfo(std::string_view s) {
  std::string out;
  size_t copied = 0;
  auto user_char = [](char c) { return c != '/' && c != '@' && c != ':' && !is_space(c); };
  auto pass_char = [](char c) { return c != '/' && c != '@' && !is_space(c); };
  for (size_t pos = s.find("://"); pos != std::string_view::npos; pos = s.find("://", pos + 1)) {
    if (pos < copied) continue;
    bool letter = false;  // the scheme needs a letter to start at
    for (size_t b = pos; b > copied && is_scheme_char(s[b - 1]) && !letter; --b)
      letter = is_alpha(s[b - 1]);
    if (!letter) continue;
    const size_t user_end = skip(s, pos + 3, user_char);
    if (user_end == pos + 3 || user_end >= s.size() || s[user_end] != ':') continue;
    const size_t at = skip(s, user_end + 1, pass_char);
    if (at >= s.size() || s[at] != '@') continue;
    out.append(s, copied, pos + 3 - copied).append(kHidden).append("@");
    copied = at + 1;
  }
  return out.append(s, copied, std::string_view::npos);
}

// eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*(\.[A-Za-z0-9_-]*)?  ->  [REDACTED]
std::string hide_jwts(std::string_view s) {
  std::string out;
  size_t copied = 0;
  for (size_t pos = s.find("eyJ"); pos != std::string_view::npos; pos = s.find("eyJ", pos)) {
    size_t end = skip(s, pos + 3, is_base64url);
    if (end - (pos + 3) < 4 || end >= s.size() || s[end] != '.') {
      pos = end;  // a later "eyJ" inside this run ends at the same place: no match either
      continue;
    }
    end = skip(s, end + 1, is_base64url);
    if (end < s.size() && s[end] == '.') end = skip(s, end + 1, is_base64url);
    out.append(s, copied, pos - copied).append(kHidden);
    copied = pos = end;
  }
  return out.append(s, copied, std::string_view::npos);
}

// "([A-Za-z0-9_.-]+)"(\s*:\s*)"([^"\\]*)": the value hidden when the name is secret.
std::string hide_secret_pairs(std::string_view s) {
  std::string out;
  size_t copied = 0;
  for (size_t pos = s.find('"'); pos != std::string_view::npos;) {
    const size_t name_end = skip(s, pos + 1, is_name_char);
    size_t value = std::string_view::npos;
    if (name_end > pos + 1 && name_end < s.size() && s[name_end] == '"')
      value = after_colon_and_quote(s, name_end + 1);
    size_t value_end = std::string_view::npos;
    if (value != std::string_view::npos) {
      value_end = skip(s, value, [](char c) { return c != '"' && c != '\\'; });
      if (value_end >= s.size() || s[value_end] != '"') value_end = std::string_view::npos;
    }
    if (value_end == std::string_view::npos) {
      pos = s.find('"', pos + 1);
      continue;
    }
    if (is_secret_name(s.substr(pos + 1, name_end - pos - 1))) {
      out.append(s, copied, value - copied).append(kHidden);
      copied = value_end;
    }
    pos = s.find('"', value_end + 1);
  }
  return out.append(s, copied, std::string_view::npos);
}

// Case-insensitive find of a lower-case ASCII `needle`.
size_t find_icase(std::string_view s, std::string_view needle, size_t from) {
  for (size_t i = from; i + needle.size() <= s.size(); ++i) {
    size_t k = 0;
    while (k < needle.size() && to_lower(s[i + k]) == needle[k]) ++k;
    if (k == needle.size()) return i;
  }
  return std::string_view::npos;
}

// (otpauth://[^?\s"]*\?)[^\s"]*  (any case)  ->  $1[REDACTED]
std::string hide_otpauth_queries(std::string_view s) {
  constexpr std::string_view kScheme = "otpauth://";
  std::string out;
  size_t copied = 0;
  for (size_t pos = find_icase(s, kScheme, 0); pos != std::string_view::npos;
       pos = find_icase(s, kScheme, pos)) {
    const size_t q =
        skip(s, pos + kScheme.size(), [](char c) { return c != '?' && c != '"' && !is_space(c); });
    if (q >= s.size() || s[q] != '?') {
      pos = q;  // a later otpauth:// in this run stops at the same place
      continue;
    }
    const size_t end = skip(s, q + 1, [](char c) { return c != '"' && !is_space(c); });
    out.append(s, copied, q + 1 - copied).append(kHidden);
    copied = pos = end;
  }
  return out.append(s, copied, std::string_view::npos);
}

// A name=value pair whose name starts at `name`; the value's [begin, end), or npos.
std::pair<size_t, size_t> query_value(std::string_view s, size_t name) {
  const size_t eq = skip(s, name, is_name_char);
  if (eq == name || eq >= s.size() || s[eq] != '=') return {std::string_view::npos, 0};
  auto value_char = [](char c) { return c != '&' && c != '"' && c != '#' && !is_space(c); };
  return {eq + 1, skip(s, eq + 1, value_char)};
}

// ([?&;]|^)([A-Za-z0-9_.-]+)=([^&\s"#]*): the value hidden when the name is secret
// (covers form bodies and nexterm://devicelink?token=).
std::string hide_secret_query_values(std::string_view s) {
  std::string out;
  size_t copied = 0;
  auto separator = [](char c) { return c == '?' || c == '&' || c == ';'; };
  for (size_t i = 0; i < s.size();) {
    size_t name = std::string_view::npos;
    std::pair<size_t, size_t> value{std::string_view::npos, 0};
    if (separator(s[i])) value = query_value(s, name = i + 1);
    if (value.first == std::string_view::npos && i == 0) value = query_value(s, name = 0);
    if (value.first == std::string_view::npos) {
      ++i;
      continue;
    }
    if (is_secret_name(s.substr(name, value.first - 1 - name))) {
      out.append(s, copied, value.first - copied).append(kHidden);
      copied = value.second;
    }
    i = value.second;
  }
  return out.append(s, copied, std::string_view::npos);
}

// Back from `cut` to the start of a UTF-8 character, so the shown part ends cleanly.
size_t utf8_boundary(std::string_view s, size_t cut) {
  size_t at = cut;
  while (at > 0 && cut - at < 3 && (static_cast<unsigned char>(s[at]) & 0xC0) == 0x80) --at;
  return (static_cast<unsigned char>(s[at]) & 0xC0) == 0x80 ? cut : at;
}

}  // namespace

bool is_secret_name(std::string_view name) {
  static const char* const kWords[] = {"authorization", "cookie",    "token", "secret",
                                       "password",      "signature", "jwt",   "code",
                                       "apikey",        "session",   "key"};
  std::string n = lower(name);
  n.erase(std::remove_if(n.begin(), n.end(), [](char c) { return c == '-' || c == '_'; }), n.end());
  return has_sid_word(name) ||
         std::any_of(std::begin(kWords), std::end(kWords),
                     [&](const char* w) { return n.find(w) != std::string::npos; });
}

std::vector<std::string> header_credentials(std::string_view name, std::string_view value) {
  std::vector<std::string> out;
  const std::string n = lower(name);
  if (n == "authorization") {
    const size_t space = value.find(' ');
    out.emplace_back(space == std::string_view::npos ? value : value.substr(space + 1));
  } else if (n == "cookie") {
    for (size_t start = 0; start < value.size();) {
      size_t end = value.find(';', start);
      if (end == std::string_view::npos) end = value.size();
      const std::string_view pair = value.substr(start, end - start);
      if (const size_t eq = pair.find('='); eq != std::string_view::npos)
        out.emplace_back(pair.substr(eq + 1));
      start = end + 1;
    }
  }
  return out;
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

void redact_json(nlohmann::json& value, Direction direction) {
  if (value.is_object()) {
    for (auto it = value.begin(); it != value.end(); ++it) {
      nlohmann::json& member = it.value();
      const bool error_code = direction == Direction::response && lower(it.key()) == "code" &&
                              member.is_number_integer();
      if (is_secret_name(it.key()) && !error_code && !member.is_object() && !member.is_array() &&
          !member.is_null()) {
        member = kRedacted;
      } else {
        redact_json(member, direction);
      }
    }
  } else if (value.is_array()) {
    for (auto& item : value) redact_json(item, direction);
  } else if (value.is_string()) {
    value = redact_text(value.get<std::string>());
  }
}

std::string redact_text(std::string_view text) {
  return hide_secret_query_values(
      hide_otpauth_queries(hide_secret_pairs(hide_jwts(hide_userinfo(text)))));
}

std::string redact_body(std::string_view body, Direction direction) {
  auto parsed = json_input::parse(body);
  if (parsed.ok()) {
    redact_json(parsed.value, direction);
    return parsed.value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  return redact_text(body);  // not JSON, or too deep to walk: scanned as text
}

std::string scrub(std::string text, const std::vector<std::string>& secrets) {
  for (const auto& secret : secrets) {
    if (secret.size() < 4) continue;
    for (size_t pos = 0; (pos = text.find(secret, pos)) != std::string::npos;) {
      text.replace(pos, secret.size(), kRedacted);
      pos += kHidden.size();
    }
  }
  return text;
}

std::string trace_body(std::string_view body, Direction direction,
                       const std::vector<std::string>& secrets) {
  std::string redacted = scrub(redact_body(body, direction), secrets);
  const size_t shown = redacted.size() > kTraceBodyLimit ? utf8_boundary(redacted, kTraceBodyLimit)
                                                         : redacted.size();
  std::string line = text::printable(std::string_view(redacted).substr(0, shown));
  if (shown < redacted.size())
    line += " [" + std::to_string(redacted.size() - shown) + " more bytes]";
  return line;
}

}  // namespace authctl::net
