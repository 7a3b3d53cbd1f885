// The Nexterm auth/session API for the test broker. Facts follow shared/specs/nexterm-api.md;
// the choices where it is open are listed in nexterm.hpp.
#include "nexterm.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <regex>
#include <stdexcept>
#include <variant>

#include "broker_crypto.hpp"
#include "webauthn_verify.hpp"

namespace testbroker {

namespace {

// Ordered: answers keep their keys in the order Express would write them, and the first
// unknown property of a body is the first one sent.
using json = nlohmann::ordered_json;
using httplib::Request;
using httplib::Response;

constexpr const char* kVersion = "1.2.2-BETA";
constexpr int64_t kDeviceExpiryMs = 10 * 60 * 1000;
constexpr int64_t kTotpStep = 30;
constexpr size_t kMaxApiKeys = 50;
constexpr const char* kCodeAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
constexpr const char* kBase32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr int64_t kChallengeLifeMs = 5 * 60 * 1000;  // the passkey controller's CHALLENGE_TTL
constexpr int kPasskeyTimeout = 60000;               // what the options say (not enforced)
constexpr const char* kPasskeyNotFound = "Passkey not found";

// --- small helpers --------------------------------------------------------------------------

std::string to_hex(const std::string& bytes) {
  static const char* const kDigits = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

std::string random_hex(size_t n_bytes) {
  return to_hex(crypto::random_bytes(n_bytes));
}

std::string base32_encode(const std::string& bytes) {  // RFC 4648, no padding
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 5) {
      out += kBase32Alphabet[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += kBase32Alphabet[(buffer << (5 - bits)) & 31];
  return out;
}

std::string base32_decode(const std::string& text) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    if (c == '=') break;
    const char* p = std::strchr(kBase32Alphabet, std::toupper(static_cast<unsigned char>(c)));
    if (!p || !*p) throw std::invalid_argument("bad base32 secret");
    buffer = (buffer << 5) | static_cast<uint32_t>(p - kBase32Alphabet);
    bits += 5;
    if (bits >= 8) {
      out += static_cast<char>((buffer >> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return out;
}

// RFC 6238: HMAC-SHA1, 6 digits, 30 s steps.
std::string totp_at(const std::string& secret_base32, int64_t unix_seconds) {
  const std::string key = base32_decode(secret_base32);
  uint64_t counter = static_cast<uint64_t>(unix_seconds / kTotpStep);
  unsigned char msg[8];
  for (int i = 7; i >= 0; --i) {
    msg[i] = static_cast<unsigned char>(counter & 0xff);
    counter >>= 8;
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()), msg, sizeof msg, md, &len)) {
    throw std::runtime_error("HMAC-SHA1 failed");
  }
  const int offset = md[len - 1] & 0x0f;
  const uint32_t binary = (static_cast<uint32_t>(md[offset] & 0x7f) << 24) |
                          (static_cast<uint32_t>(md[offset + 1]) << 16) |
                          (static_cast<uint32_t>(md[offset + 2]) << 8) |
                          static_cast<uint32_t>(md[offset + 3]);
  char buf[8];
  std::snprintf(buf, sizeof buf, "%06u", binary % 1000000u);
  return buf;
}

// 2025-01-31T12:34:56.789Z, as JavaScript's Date#toISOString.
std::string iso_ms(int64_t ms) {
  time_t secs = static_cast<time_t>(ms / 1000);
  struct tm tm {};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return buf;
}

// The ISO-8601 forms JavaScript's Date parses (date, date-time, optional fraction and zone).
// A date-time without a zone is taken as UTC (JavaScript would use local time).
std::optional<int64_t> parse_iso_ms(const std::string& s) {
  static const std::regex re(
      R"(^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?)?$)");
  std::smatch m;
  if (!std::regex_match(s, m, re)) return std::nullopt;
  struct tm tm {};
  tm.tm_year = std::stoi(m[1]) - 1900;
  tm.tm_mon = std::stoi(m[2]) - 1;
  tm.tm_mday = std::stoi(m[3]);
  if (m[4].matched) {
    tm.tm_hour = std::stoi(m[4]);
    tm.tm_min = std::stoi(m[5]);
    if (m[6].matched) tm.tm_sec = std::stoi(m[6]);
  }
  if (tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
      tm.tm_sec > 59) {
    return std::nullopt;
  }
  int64_t ms = static_cast<int64_t>(timegm(&tm)) * 1000;
  if (m[7].matched) ms += std::stoi((m[7].str() + "00").substr(0, 3));
  if (m[8].matched && m[8].str() != "Z") {
    const std::string z = m[8];
    int64_t minutes = std::stoi(z.substr(1, 2)) * 60 + std::stoi(z.substr(4, 2));
    ms -= (z[0] == '+' ? 1 : -1) * minutes * 60 * 1000;
  }
  return ms;
}

// Express's escapeHtml, then finalhandler's line breaks and double spaces.
std::string express_escape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '\n':
        out += "<br>";
        break;
      case ' ':
        if (i + 1 < s.size() && s[i + 1] == ' ') {
          out += " &nbsp;";
          ++i;
        } else {
          out += ' ';
        }
        break;
      default:
        out += c;
    }
  }
  return out;
}

const char* status_text(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    default:
      return "Internal Server Error";
  }
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool all_digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// JavaScript's parseInt(s, 10): leading whitespace, a sign, then digits (the rest ignored);
// nullopt for NaN. Values beyond int64 are clamped (no row has such an id anyway).
std::optional<int64_t> parse_int(const std::string& s) {
  static const std::regex lead(R"(^\s*([+-]?)(\d+))");
  std::smatch m;
  if (!std::regex_search(s, m, lead)) return std::nullopt;
  const std::string digits = m[2];
  int64_t v = digits.size() > 18 ? INT64_MAX : std::stoll(digits);
  return m[1] == "-" ? -v : v;
}

// `new URL(s).hostname`, approximated: nullopt where `new URL` throws ("Invalid URL").
// Tabs and newlines are removed and C0/space trimmed as WHATWG does; the special schemes
// (http, https, ws, wss, ftp) need a host and get it lower-cased; an IPv6 literal keeps its
// brackets; other schemes give the host of a "//" authority, else "". No IDNA, no IPv4
// number normalisation ("127.1" stays as is).
std::optional<std::string> url_hostname(const std::string& raw) {
  std::string s;
  for (char c : raw) {
    if (c != '\t' && c != '\n' && c != '\r') s += c;
  }
  auto not_space = [](char c) { return static_cast<unsigned char>(c) > 0x20; };
  auto b = std::find_if(s.begin(), s.end(), not_space);
  auto e = std::find_if(s.rbegin(), s.rend(), not_space).base();
  s = b < e ? std::string(b, e) : std::string();
  static const std::regex scheme_re(R"(^([A-Za-z][A-Za-z0-9+.\-]*):(.*)$)");
  std::smatch m;
  if (!std::regex_match(s, m, scheme_re)) return std::nullopt;
  const std::string scheme = lower(m[1]);
  std::string rest = m[2];
  const bool special =
      scheme == "http" || scheme == "https" || scheme == "ws" || scheme == "wss" || scheme == "ftp";
  if (special) {
    rest.erase(0, rest.find_first_not_of("/\\"));
  } else if (scheme == "file" || rest.compare(0, 2, "//") != 0) {
    return std::string();
  } else {
    rest.erase(0, 2);
  }
  std::string authority = rest.substr(0, rest.find_first_of(special ? "/?#\\" : "/?#"));
  size_t at = authority.rfind('@');
  if (at != std::string::npos) authority.erase(0, at + 1);
  std::string host = authority, port;
  if (!host.empty() && host[0] == '[') {
    size_t close = host.find(']');
    if (close == std::string::npos) return std::nullopt;
    port = host.substr(close + 1);
    host = host.substr(0, close + 1);
    if (!port.empty() && port[0] != ':') return std::nullopt;
    if (!port.empty()) port.erase(0, 1);
  } else if (size_t colon = host.find(':'); colon != std::string::npos) {
    port = host.substr(colon + 1);
    host = host.substr(0, colon);
  }
  if (!port.empty() && (!all_digits(port) || port.size() > 5 || std::stoi(port) > 65535)) {
    return std::nullopt;
  }
  if (special && host.empty()) return std::nullopt;
  const bool ipv6 = !host.empty() && host[0] == '[';
  for (char c : host) {
    if (static_cast<unsigned char>(c) <= 0x20 || std::strchr("#%/<>?@\\^|", c) ||
        (!ipv6 && std::strchr(":[]", c))) {
      return std::nullopt;
    }
  }
  return special ? lower(host) : host;
}

// How JavaScript prints a JSON value in a template string.
std::string js_string(const nlohmann::ordered_json* v) {
  if (!v) return "undefined";
  if (v->is_string()) return v->get<std::string>();
  if (v->is_object()) return "[object Object]";
  if (v->is_array()) {
    std::string out;
    for (const auto& item : *v) out += (out.empty() ? "" : ",") + js_string(&item);
    return out;
  }
  return v->dump();
}

// A property of a JSON object; nullptr when absent (or `j` is no object).
const nlohmann::ordered_json* member(const nlohmann::ordered_json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}

bool js_falsy(const nlohmann::ordered_json* v) {
  return !v || v->is_null() || (v->is_boolean() && !v->get<bool>()) ||
         (v->is_number() && v->get<double>() == 0) ||
         (v->is_string() && v->get<std::string>().empty());
}

// JavaScript's a !== b for JSON values (objects and arrays are never identical).
bool js_not_identical(const nlohmann::ordered_json* a, const nlohmann::ordered_json* b) {
  if (!a || !b) return a != b;
  if (a->is_structured() || b->is_structured()) return true;
  return *a != *b;
}

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

const std::string kCodePattern = "^[A-Z0-9]{4}-[A-Z0-9]{4}$";
const std::string kCodeMessage = "Code must be in format XXXX-XXXX";

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

// --- the data ---------------------------------------------------------------------------------

struct Account {
  int id = 0;
  std::string username, password, first_name, last_name, totp_secret;
  bool totp_enabled = false, admin = false;
};

struct Session {
  int id = 0, account_id = 0;
  std::string token, ip, user_agent;
  int64_t last_activity = 0;  // ms
};

struct DeviceCode {
  int id = 0;
  std::string code, token, client_type, ip, user_agent;
  int64_t created = 0;  // ms
  int session_id = 0;   // 0: not authorized yet
};

struct ApiKey {
  int id = 0, account_id = 0;
  std::string name, token, prefix;
  int64_t created = 0;
  std::optional<int64_t> expires, last_used;
};

// A row of the Passkeys table.
struct Passkey {
  int id = 0, account_id = 0;
  std::string credential_id;  // base64url of the credential id from the authenticator data
  std::string public_key;     // the COSE_Key bytes from the authenticator data
  uint32_t counter = 0;
  std::string name;
  int64_t created = 0;  // ms
};

// A passkey challenge (the controller's challenge store): base64url of 32 random bytes.
struct Challenge {
  bool registration = false;
  int account_id = 0;  // registration: the account that asked
  int64_t created = 0;
};

// express-rate-limit's MemoryStore: a window per client that starts at its first hit.
struct Limiter {
  int limit = 0;
  int64_t window_ms = 0;
  std::string message;
  struct Window {
    int hits = 0;
    int64_t reset = 0;
  };
  std::map<std::string, Window> clients;
};

// Who an authenticated request is: a session, or an API key (session == nullptr).
struct Auth {
  Account* account = nullptr;
  Session* session = nullptr;
  ApiKey* api_key = nullptr;
};

// A request body as Express 5 sees it after express.json(): undefined without
// `Content-Type: application/json`.
struct Body {
  bool defined = false;
  json value;
};

}  // namespace

struct Nexterm::State {
  std::function<int64_t()> now_ms;
  mutable std::mutex mu;  // guards everything below
  std::map<int, Account> accounts;
  std::map<int, Session> sessions;  // by id = creation order
  std::map<int, DeviceCode> devices;
  std::map<int, ApiKey> api_keys;
  std::map<int, Passkey> passkeys;
  std::map<std::string, Challenge> challenges;  // by challenge
  int next_account = 1, next_session = 1, next_device = 1, next_api_key = 1, next_passkey = 1;
  bool production = false, registration_open = false, password_login = true;
  Limiter auth_limiter{20, 15 * 60 * 1000, "Too many requests, please try again later.", {}};
  Limiter device_limiter{10, 60 * 60 * 1000, "Too many requests. Please try again later.", {}};
  std::mt19937 shuffle_rng{std::random_device{}()};

  explicit State(std::function<int64_t()> f) : now_ms(std::move(f)) {}

  // --- answers ---

  static void send_json(Response& res, const json& j, int status = 200) {
    res.status = status;
    res.set_content(j.dump(-1, ' ', false, json::error_handler_t::replace),
                    "application/json; charset=utf-8");
  }

  static void send_message(Response& res, int status, const std::string& message) {
    send_json(res, json{{"message", message}}, status);
  }

  static void send_code(Response& res, int code, const std::string& message) {
    send_json(res, json{{"code", code}, {"message", message}});
  }

  // Express's default error page (finalhandler). `detail` shows in development only, except
  // for 404s whose text is always "Cannot METHOD /path".
  void express_error(Response& res, int status, const std::string& detail) const {
    const std::string text = (production && status != 404) ? status_text(status) : detail;
    res.status = status;
    res.set_header("Content-Security-Policy", "default-src 'none'");
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_content(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<title>Error</title>\n</head>\n<body>\n<pre>" +
            express_escape(text) + "</pre>\n</body>\n</html>\n",
        "text/html; charset=utf-8");
  }

  // What the server does when a handler reads a property of an undefined body or session.
  void crash(Response& res, const std::string& property, const std::string& where) const {
    express_error(res, 500,
                  "TypeError: Cannot read properties of undefined (reading '" + property +
                      "')\n    at " + where +
                      "\n    at Layer.handleRequest "
                      "(/app/node_modules/router/lib/layer.js:152:17)");
  }

  void unknown_route(const Request& req, Response& res) const {
    if (production && (req.method == "GET" || req.method == "HEAD")) {
      res.status = 200;
      res.set_header("Cache-Control", "public, max-age=0");
      res.set_header("Accept-Ranges", "bytes");
      res.set_content(
          "<!doctype html>\n<html lang=\"en\">\n  <head>\n    <meta charset=\"UTF-8\" />\n"
          "    <link rel=\"icon\" type=\"image/png\" href=\"/assets/img/favicon.png\" />\n"
          "    <meta name=\"viewport\" content=\"width=device-width, initial-scale=1.0\" />\n"
          "    <title>Nexterm</title>\n"
          "    <script type=\"module\" crossorigin src=\"/assets/index-Bx1mKp3a.js\"></script>\n"
          "  </head>\n  <body>\n    <div id=\"root\"></div>\n  </body>\n</html>\n",
          "text/html; charset=UTF-8");
      return;
    }
    express_error(res, 404, "Cannot " + req.method + " " + req.path);
  }

  // express.json(): false after answering 400 for a malformed body.
  bool parse_body(const Request& req, Response& res, Body& body) const {
    std::string type = req.get_header_value("Content-Type");
    type = lower(type.substr(0, type.find(';')));
    while (!type.empty() && type.back() == ' ') type.pop_back();
    while (!type.empty() && type.front() == ' ') type.erase(type.begin());
    if (type != "application/json") return true;  // req.body stays undefined
    body.defined = true;
    size_t first = req.body.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) {
      body.value = json::object();  // an empty body is {}
      return true;
    }
    char c = req.body[first];
    std::string error;
    if (c != '{' && c != '[') {  // strict: objects and arrays only
      error = "SyntaxError: Unexpected token '" + std::string(1, c) + "', \"" +
              req.body.substr(0, 20) + "\" is not valid JSON";
    } else {
      try {
        body.value = json::parse(req.body);
        return true;
      } catch (const json::parse_error& e) {
        error = "SyntaxError: Unexpected token in JSON at position " +
                std::to_string(e.byte > 0 ? e.byte - 1 : 0);
      }
    }
    express_error(res, 400, error + "\n    at JSON.parse (<anonymous>)");
    return false;
  }

  // --- rate limits ---

  // Counts this request, sets the RateLimit-* headers; true after answering 429.
  bool rate_limited(Limiter& l, const Request& req, Response& res) {
    const int64_t now = now_ms();
    Limiter::Window& w = l.clients[req.remote_addr];
    if (w.reset <= now) {
      w.hits = 0;
      w.reset = now + l.window_ms;
    }
    ++w.hits;
    const int64_t reset_s = std::max<int64_t>(0, (w.reset - now + 999) / 1000);
    res.set_header("RateLimit-Policy",
                   std::to_string(l.limit) + ";w=" + std::to_string(l.window_ms / 1000));
    res.set_header("RateLimit-Limit", std::to_string(l.limit));
    res.set_header("RateLimit-Remaining", std::to_string(std::max(0, l.limit - w.hits)));
    res.set_header("RateLimit-Reset", std::to_string(reset_s));
    if (w.hits <= l.limit) return false;
    res.set_header("Retry-After", std::to_string(reset_s));
    send_json(res, json{{"code", 429}, {"message", l.message}}, 429);
    return true;
  }

  // --- lookups ---

  Account* account_by_name(const std::string& name) {
    for (auto& [id, a] : accounts) {
      if (a.username == name) return &a;
    }
    return nullptr;
  }

  const Account& account_or_throw(const std::string& name) const {
    for (const auto& [id, a] : accounts) {
      if (a.username == name) return a;
    }
    throw std::invalid_argument("no Nexterm account " + name);
  }

  Session* session_by_token(const std::string& token) {
    for (auto& [id, s] : sessions) {
      if (s.token == token) return &s;
    }
    return nullptr;
  }

  Session& create_session(int account_id, const std::string& ip, const std::string& user_agent,
                          int64_t last_activity) {
    Session s;
    s.id = next_session++;
    s.account_id = account_id;
    s.token = random_hex(48);
    s.ip = ip;
    s.user_agent = user_agent;
    s.last_activity = last_activity;
    return sessions[s.id] = s;
  }

  // The API key for `token` when it is valid; an expired key is deleted, as the server does.
  ApiKey* valid_api_key(const std::string& token) {
    for (auto it = api_keys.begin(); it != api_keys.end(); ++it) {
      if (it->second.token != token) continue;
      if (it->second.expires && *it->second.expires <= now_ms()) {
        api_keys.erase(it);
        return nullptr;
      }
      if (!accounts.count(it->second.account_id)) return nullptr;
      return &it->second;
    }
    return nullptr;
  }

  // The `authenticate` middleware: nullopt after answering 400/401.
  std::optional<Auth> authenticate(const Request& req, Response& res) {
    const std::string header = req.get_header_value("Authorization");
    if (header.empty()) {
      send_message(res, 400, "You need to provide the 'authorization' header");
      return std::nullopt;
    }
    if (std::count(header.begin(), header.end(), ' ') != 1) {  // split(" ").length !== 2
      send_message(res, 400, "You need to provide the token in the 'authorization' header");
      return std::nullopt;
    }
    const std::string token = header.substr(header.find(' ') + 1);
    Auth auth;
    if (token.rfind("nxt_", 0) == 0) {
      auth.api_key = valid_api_key(token);
      if (!auth.api_key) {
        send_message(res, 401, "The provided API key is not valid");
        return std::nullopt;
      }
      auth.api_key->last_used = now_ms();
      auth.account = &accounts.at(auth.api_key->account_id);
      return auth;
    }
    auth.session = session_by_token(token);
    if (!auth.session) {
      send_message(res, 401, "The provided token is not valid");
      return std::nullopt;
    }
    auth.session->last_activity = now_ms();
    auth.session->ip = req.remote_addr;
    auto it = accounts.find(auth.session->account_id);
    if (it == accounts.end()) {
      send_message(res, 401, "The account associated to the token is not registered");
      return std::nullopt;
    }
    auth.account = &it->second;
    return auth;
  }

  // device/create's limiter skip: the request carries a valid session token.
  bool has_valid_session(const Request& req) {
    const std::string header = req.get_header_value("Authorization");
    if (std::count(header.begin(), header.end(), ' ') != 1) return false;
    const std::string token = header.substr(header.find(' ') + 1);
    return token.rfind("nxt_", 0) != 0 && session_by_token(token) != nullptr;
  }

  // --- device codes ---

  bool device_expired(const DeviceCode& d) const { return now_ms() > d.created + kDeviceExpiryMs; }

  // cleanupExpiredCodes(): rows older than ten minutes go (not run by link/status).
  void cleanup_devices() {
    const int64_t cutoff = now_ms() - kDeviceExpiryMs;
    for (auto it = devices.begin(); it != devices.end();) {
      it = it->second.created < cutoff ? devices.erase(it) : std::next(it);
    }
  }

  DeviceCode* device_by_code(const std::string& code) {
    for (auto& [id, d] : devices) {
      if (d.code == code) return &d;
    }
    return nullptr;
  }

  DeviceCode* live_device_by_code(const std::string& code) {
    DeviceCode* d = device_by_code(code);
    return d && d->created > now_ms() - kDeviceExpiryMs ? d : nullptr;
  }

  std::string new_user_code() {
    for (;;) {
      std::string code;
      for (int i = 0; i < 8; ++i) {
        if (i == 4) code += '-';
        code += kCodeAlphabet[crypto::random_int(0, 30)];
      }
      if (!device_by_code(code)) return code;
    }
  }

  // authorizeCode(): {code:404|400} or the new session for the approver.
  std::variant<int, Session*> authorize_device(const std::string& code, int account_id) {
    cleanup_devices();
    DeviceCode* d = live_device_by_code(code);
    if (!d) return 404;
    if (d->session_id) return 400;
    Session& s = create_session(account_id, d->ip, d->user_agent, now_ms());
    d->session_id = s.id;
    return &s;
  }

  // pollToken(): {status, token?}.
  json poll_device(const std::string& token) {
    cleanup_devices();
    auto it = std::find_if(devices.begin(), devices.end(),
                           [&](const auto& p) { return p.second.token == token; });
    if (it == devices.end()) return json{{"status", "invalid"}};
    if (device_expired(it->second)) {
      devices.erase(it);
      return json{{"status", "invalid"}};
    }
    if (it->second.session_id) {
      auto s = sessions.find(it->second.session_id);
      devices.erase(it);
      if (s == sessions.end()) return json{{"status", "invalid"}};
      return json{{"status", "authorized"}, {"token", s->second.token}};
    }
    return json{{"status", "pending"}};
  }

  static json device_info(const DeviceCode& d) {
    return json{{"ipAddress", d.ip}, {"userAgent", d.user_agent}, {"clientType", d.client_type}};
  }

  // --- API keys ---

  static json serialize(const ApiKey& k) {
    return json{{"id", k.id},
                {"name", k.name},
                {"prefix", k.prefix},
                {"lastUsedAt", k.last_used ? json(iso_ms(*k.last_used)) : json(nullptr)},
                {"expiresAt", k.expires ? json(iso_ms(*k.expires)) : json(nullptr)},
                {"createdAt", iso_ms(k.created)}};
  }

  ApiKey& create_api_key(int account_id, const std::string& name, std::optional<int64_t> expires) {
    ApiKey k;
    k.id = next_api_key++;
    k.account_id = account_id;
    k.name = name;
    k.token = "nxt_" + random_hex(32);
    k.prefix = k.token.substr(0, 10) + "\xE2\x80\xA6";  // "nxt_abcdef…"
    k.created = now_ms();
    k.expires = expires;
    return api_keys[k.id] = k;
  }

  // --- endpoints ---

  void is_fts(const Request&, Response& res, const Body&) {
    send_json(res, json(accounts.empty()));
  }

  void version(const Request&, Response& res, const Body&) {
    send_json(res, json{{"version", kVersion}});
  }

  void providers(const Request&, Response& res, const Body&) {
    json list = json::array();
    if (password_login) {
      list.push_back(json{{"id", 1},
                          {"name", "Internal"},
                          {"type", "internal"},
                          {"isInternal", true},
                          {"enabled", true},
                          {"allowRegistration", registration_open}});
    }
    send_json(res, list);
  }

  void register_account(const Request&, Response& res, const Body& body) {
    if (!body.defined)
      return crash(res, "username", "createAccount (/app/server/controllers/account.js:12:63)");
    std::string err = joi_validate(body.value, register_schema());
    if (!err.empty()) return send_message(res, 400, err);
    const json& b = body.value;
    const bool fts = accounts.empty();
    if (!fts && !registration_open)
      return send_code(res, 107, "Registration is currently disabled");
    if (account_by_name(b["username"])) return send_code(res, 101, "This account already exists");
    Account a;
    a.id = next_account++;
    a.username = b["username"];
    a.password = b["password"];
    a.first_name = b["firstName"];
    a.last_name = b["lastName"];
    a.totp_secret = base32_encode(crypto::random_bytes(32));
    a.admin = fts;
    accounts[a.id] = a;
    send_message(res, 200, "Your account has been successfully created.");
  }

  void login(const Request& req, Response& res, const Body& body) {
    if (rate_limited(auth_limiter, req, res)) return;
    if (!body.defined)
      return crash(res, "username", "login (/app/server/controllers/auth.js:58:52)");
    std::string err = joi_validate(body.value, login_schema());
    if (!err.empty()) return send_message(res, 400, err);
    const json& b = body.value;
    if (!password_login) return send_code(res, 403, "No login method is enabled");
    Account* a = account_by_name(b["username"]);
    if (!a || a->password != b["password"].get<std::string>()) {
      return send_code(res, 201, "Username or password incorrect");
    }
    if (a->totp_enabled) {
      std::optional<double> code = b.contains("code") ? joi_number(b["code"]) : std::nullopt;
      if (!code || *code == 0) return send_code(res, 202, "TOTP is required for this account");
      if (!totp_matches(*a, *code)) {
        return send_code(res, 203, "Your provided code is invalid or has expired.");
      }
    }
    std::string ua = req.get_header_value("User-Agent");
    Session& s = create_session(a->id, req.remote_addr, ua.empty() ? "None" : ua, now_ms());
    res.set_header("Authorization", s.token);
    send_json(res, json{{"token", s.token},
                        {"totpRequired", a->totp_enabled ? 1 : 0},
                        {"message", "Your session got successfully created"}});
  }

  // speakeasy compares String(code) with the current step's code: the number 21757 never
  // equals "021757", and there is no window.
  bool totp_matches(const Account& a, double code) const {
    if (code < 0 || code > 999999) return false;
    const std::string given = std::to_string(static_cast<int64_t>(code));
    return given == totp_at(a.totp_secret, now_ms() / 1000);
  }

  void logout(const Request&, Response& res, const Body& body) {
    if (!body.defined) return crash(res, "token", "/app/server/routes/auth.js:47:53");
    std::string err = joi_validate(body.value, token_schema(96));
    if (!err.empty()) return send_message(res, 400, err);
    Session* s = session_by_token(body.value["token"]);
    if (!s) return send_code(res, 204, "Your session token is invalid");
    sessions.erase(s->id);
    send_message(res, 200, "Your session got deleted successfully");
  }

  void me(const Request& req, Response& res, const Body&) {
    auto auth = authenticate(req, res);
    if (!auth) return;
    const Account& a = *auth->account;
    send_json(res, json{{"id", a.id},
                        {"username", a.username},
                        {"totpEnabled", a.totp_enabled ? 1 : 0},
                        {"firstName", a.first_name},
                        {"lastName", a.last_name},
                        {"isAdmin", a.admin},
                        {"permissions", json::array()},
                        {"sessionSync", "same_browser"},
                        {"preferences", json::object()},
                        {"activeThemeId", nullptr}});
  }

  void sessions_list(const Request& req, Response& res, const Body&) {
    auto auth = authenticate(req, res);
    if (!auth) return;
    if (!auth->session) return crash(res, "id", "/app/server/routes/session.js:16:54");
    std::vector<const Session*> mine;
    for (const auto& [id, s] : sessions) {
      if (s.account_id == auth->account->id) mine.push_back(&s);
    }
    std::shuffle(mine.begin(), mine.end(), shuffle_rng);  // the server does not sort
    json list = json::array();
    for (const Session* s : mine) {
      list.push_back(json{{"id", s->id},
                          {"ip", s->ip},
                          {"userAgent", s->user_agent},
                          {"lastActivity", iso_ms(s->last_activity)},
                          {"current", s->id == auth->session->id}});
    }
    send_json(res, list);
  }

  void session_delete(const Request& req, Response& res, const Body&) {
    auto auth = authenticate(req, res);
    if (!auth) return;
    const std::string id = req.matches[1];
    auto it = all_digits(id) && id.size() < 10 ? sessions.find(std::stoi(id)) : sessions.end();
    if (it == sessions.end() || it->second.account_id != auth->account->id) {
      return send_code(res, 206, "The provided session does not exist");
    }
    sessions.erase(it);
    send_message(res, 200, "The session has been successfully destroyed");
  }

  void device_create(const Request& req, Response& res, const Body& body) {
    if (!has_valid_session(req) && rate_limited(device_limiter, req, res)) return;
    if (!body.defined) return crash(res, "clientType", "/app/server/routes/auth.js:103:42");
    std::string err = joi_validate(body.value, device_create_schema());
    if (!err.empty()) return send_message(res, 400, err);
    cleanup_devices();
    DeviceCode d;
    d.id = next_device++;
    d.code = new_user_code();
    d.token = random_hex(32);
    d.client_type = body.value["clientType"];
    d.ip = req.remote_addr;
    std::string ua = req.get_header_value("User-Agent");
    d.user_agent = ua.empty() ? "Unknown Device" : ua;
    d.created = now_ms();
    devices[d.id] = d;
    send_json(res, json{{"code", d.code},
                        {"token", d.token},
                        {"expiresAt", iso_ms(d.created + kDeviceExpiryMs)}});
  }

  void device_poll(const Request&, Response& res, const Body& body) {
    if (!body.defined) return crash(res, "token", "/app/server/routes/auth.js:122:56");
    std::string err = joi_validate(body.value, token_schema(64));
    if (!err.empty()) return send_message(res, 400, err);
    send_json(res, poll_device(body.value["token"]));
  }

  // info, authorize and link/status: authenticate, then the {code} schema.
  std::optional<std::string> code_body(const Request& req, Response& res, const Body& body,
                                       std::optional<Auth>& auth) {
    auth = authenticate(req, res);
    if (!auth) return std::nullopt;
    if (!body.defined) {
      crash(res, "code", "/app/server/routes/auth.js:139:56");
      return std::nullopt;
    }
    std::string err = joi_validate(body.value, code_schema());
    if (!err.empty()) {
      send_message(res, 400, err);
      return std::nullopt;
    }
    return body.value["code"].get<std::string>();
  }

  void device_info_route(const Request& req, Response& res, const Body& body) {
    std::optional<Auth> auth;
    auto code = code_body(req, res, body, auth);
    if (!code) return;
    cleanup_devices();
    DeviceCode* d = live_device_by_code(*code);
    if (!d) return send_code(res, 404, "Invalid or expired device code");
    if (d->session_id) return send_code(res, 400, "Device code has already been authorized");
    json out = device_info(*d);
    out["expiresAt"] = iso_ms(d->created + kDeviceExpiryMs);
    send_json(res, out);
  }

  void device_authorize(const Request& req, Response& res, const Body& body) {
    std::optional<Auth> auth;
    auto code = code_body(req, res, body, auth);
    if (!code) return;
    auto result = authorize_device(*code, auth->account->id);
    if (auto* status = std::get_if<int>(&result)) {
      return *status == 404 ? send_code(res, 404, "Invalid or expired device code")
                            : send_code(res, 400, "Device code has already been authorized");
    }
    const DeviceCode* d = device_by_code(*code);
    send_json(res,
              json{{"message", "Device authorized successfully"}, {"deviceInfo", device_info(*d)}});
  }

  void device_link_status(const Request& req, Response& res, const Body& body) {
    std::optional<Auth> auth;
    auto code = code_body(req, res, body, auth);
    if (!code) return;
    DeviceCode* d = device_by_code(*code);
    if (!d) return send_json(res, json{{"status", "claimed"}});
    if (device_expired(*d)) {
      devices.erase(d->id);
      return send_json(res, json{{"status", "expired"}});
    }
    send_json(res, json{{"status", d->session_id ? "authorized" : "pending"}});
  }

  void totp_secret_route(const Request& req, Response& res, const Body&) {
    auto auth = authenticate(req, res);
    if (!auth) return;
    const Account& a = *auth->account;
    send_json(res, json{{"secret", a.totp_secret},
                        {"url", "otpauth://totp/Nexterm%20%28" + a.username +
                                    "%29?secret=" + a.totp_secret}});
  }

  void totp_enable(const Request& req, Response& res, const Body& body) {
    auto auth = authenticate(req, res);
    if (!auth) return;
    if (!body.defined) return crash(res, "code", "/app/server/routes/account.js:128:33");
    std::string err = joi_validate(body.value, totp_schema());
    if (!err.empty()) return send_message(res, 400, err);
    Account& a = *auth->account;
    if (!totp_matches(a, *joi_number(body.value["code"]))) {
      return send_json(res,
                       json{{"code", 203},
                            {"message", "Your provided code is invalid or has expired."},
                            {"serverTime", iso_ms(now_ms())}},
                       400);
    }
    if (a.totp_enabled) return send_code(res, 103, "TOTP is already enabled on your account");
    a.totp_enabled = true;
    send_message(res, 200, "TOTP has been successfully enabled on your account.");
  }

  void totp_disable(const Request& req, Response& res, const Body&) {
    auto auth = authenticate(req, res);
    if (!auth) return;
    Account& a = *auth->account;
    if (!a.totp_enabled) return send_code(res, 103, "TOTP is already disabled on your account");
    a.totp_enabled = false;
    send_message(res, 200, "TOTP has been successfully disabled on your account.");
  }

  // authenticate + blockApiKeyAuth.
  std::optional<Auth> session_only(const Request& req, Response& res) {
    auto auth = authenticate(req, res);
    if (auth && auth->api_key) {
      send_json(res, json{{"code", 403}, {"message", "API keys cannot manage API keys"}}, 403);
      return std::nullopt;
    }
    return auth;
  }

  void api_keys_create(const Request& req, Response& res, const Body& body) {
    auto auth = session_only(req, res);
    if (!auth) return;
    const json none;
    const json& name = body.defined && body.value.is_object() && body.value.contains("name")
                           ? body.value["name"]
                           : none;
    std::string trimmed;
    if (name.is_string()) {
      trimmed = name.get<std::string>();
      size_t a = trimmed.find_first_not_of(" \t\r\n"), b = trimmed.find_last_not_of(" \t\r\n");
      trimmed = a == std::string::npos ? "" : trimmed.substr(a, b - a + 1);
    }
    if (trimmed.empty()) return send_message(res, 400, "A name is required");
    size_t count = std::count_if(api_keys.begin(), api_keys.end(), [&](const auto& p) {
      return p.second.account_id == auth->account->id;
    });
    if (count >= kMaxApiKeys) {
      return send_message(res, 400, "You have reached the maximum number of API keys (50)");
    }
    std::optional<int64_t> expires;
    const json& e =
        body.value.is_object() && body.value.contains("expiresAt") ? body.value["expiresAt"] : none;
    // `req.body?.expiresAt || null`: falsy values mean no expiry.
    bool falsy = e.is_null() || (e.is_boolean() && !e.get<bool>()) ||
                 (e.is_number() && e.get<double>() == 0) ||
                 (e.is_string() && e.get<std::string>().empty());
    if (!falsy) {
      if (e.is_number()) {
        expires = static_cast<int64_t>(e.get<double>());
      } else if (e.is_string()) {
        expires = parse_iso_ms(e.get<std::string>());
      }
      if (!expires) return send_message(res, 400, "Invalid expiration date");
      if (*expires <= now_ms())
        return send_message(res, 400, "Expiration date must be in the future");
    }
    ApiKey& k = create_api_key(auth->account->id, trimmed, expires);
    json out = serialize(k);
    out["token"] = k.token;
    send_json(res, out);
  }

  void api_keys_list(const Request& req, Response& res, const Body&) {
    auto auth = session_only(req, res);
    if (!auth) return;
    std::vector<const ApiKey*> mine;
    for (const auto& [id, k] : api_keys) {
      if (k.account_id == auth->account->id) mine.push_back(&k);
    }
    std::sort(mine.begin(), mine.end(), [](const ApiKey* a, const ApiKey* b) {
      return a->created != b->created ? a->created > b->created : a->id > b->id;
    });
    json list = json::array();
    for (const ApiKey* k : mine) list.push_back(serialize(*k));
    send_json(res, list);
  }

  void api_keys_delete(const Request& req, Response& res, const Body&) {
    auto auth = session_only(req, res);
    if (!auth) return;
    // parseInt(id, 10): leading digits count, the rest is ignored.
    const std::string raw = req.matches[1];
    static const std::regex lead(R"(^\s*([+-]?\d+))");
    std::smatch m;
    if (!std::regex_search(raw, m, lead) || m[1].str().size() > 9) {
      return send_message(res, 400, "Invalid API key ID");
    }
    auto it = api_keys.find(std::stoi(m[1].str()));
    if (it == api_keys.end() || it->second.account_id != auth->account->id) {
      return send_message(res, 404, "API key not found");
    }
    api_keys.erase(it);
    send_message(res, 200, "API key deleted successfully");
  }

  // --- passkeys (shared/specs/nexterm-passkeys.md) ---

  // storeChallenge(): a new challenge; expired ones go.
  std::string issue_challenge(bool registration, int account_id) {
    const int64_t now = now_ms();
    for (auto it = challenges.begin(); it != challenges.end();) {
      it = now - it->second.created > kChallengeLifeMs ? challenges.erase(it) : std::next(it);
    }
    std::string c = crypto::base64url(crypto::random_bytes(32));
    challenges[c] = Challenge{registration, account_id, now};
    return c;
  }

  // consumeChallenge(): the challenge is gone whatever its state; true when it was live, of
  // this kind, and (registration) asked for by this account.
  bool consume_challenge(const std::string& c, bool registration, int account_id) {
    auto it = challenges.find(c);
    if (it == challenges.end()) return false;
    const Challenge ch = it->second;
    challenges.erase(it);
    if (now_ms() - ch.created > kChallengeLifeMs) return false;
    if (ch.registration != registration) return false;
    return !registration || ch.account_id == account_id;
  }

  std::vector<const Passkey*> passkeys_of(int account_id) const {
    std::vector<const Passkey*> out;
    for (const auto& [id, p] : passkeys) {
      if (p.account_id == account_id) out.push_back(&p);
    }
    return out;
  }

  Passkey* passkey_by_credential(const std::string& credential_id) {
    for (auto& [id, p] : passkeys) {
      if (p.credential_id == credential_id) return &p;
    }
    return nullptr;
  }

  static json credential_list(const std::vector<const Passkey*>& list) {
    json out = json::array();
    for (const Passkey* p : list)
      out.push_back(json{{"id", p->credential_id}, {"type", "public-key"}});
    return out;
  }

  struct ClientData {
    json value;       // the parsed object
    std::string raw;  // the decoded bytes (hashed for signatures)
  };

  // decodeClientDataJSON(response.response.clientDataJSON); throws with the message passed on.
  static ClientData client_data_of(const json& response) {
    const json* inner = member(response, "response");
    if (!inner || inner->is_null()) {
      throw std::runtime_error("Cannot read properties of undefined (reading 'clientDataJSON')");
    }
    const json* text = member(*inner, "clientDataJSON");
    if (!text || !text->is_string()) {
      throw std::runtime_error("Credential response clientDataJSON was not a string");
    }
    auto raw = crypto::base64url_decode(text->get<std::string>());
    if (!raw)
      throw std::runtime_error("Credential response clientDataJSON was not a base64url string");
    ClientData cd;
    cd.raw = *raw;
    cd.value = json::parse(cd.raw, nullptr, false);
    if (!cd.value.is_object()) throw std::runtime_error("clientDataJSON is not a JSON object");
    return cd;
  }

  static std::string challenge_in(const ClientData& cd) {
    const json* c = member(cd.value, "challenge");
    return c && c->is_string() ? c->get<std::string>() : "";
  }

  // The checks verifyRegistrationResponse and verifyAuthenticationResponse share, up to the
  // origin: credential id, rawId, type, clientDataJSON type and origin, token binding.
  static void check_credential_and_client_data(const json& response, const ClientData& cd,
                                               const std::string& origin, bool registration) {
    const json* id = member(response, "id");
    if (js_falsy(id)) throw std::runtime_error("Missing credential ID");
    if (js_not_identical(id, member(response, "rawId"))) {
      throw std::runtime_error("Credential ID was not base64url-encoded");
    }
    const json* type = member(response, "type");
    if (!type || *type != "public-key") {
      throw std::runtime_error("Unexpected credential type " + js_string(type) +
                               ", expected \"public-key\"");
    }
    const std::string what = registration ? "registration" : "authentication";
    const json* cd_type = member(cd.value, "type");
    if (!cd_type || *cd_type != (registration ? "webauthn.create" : "webauthn.get")) {
      throw std::runtime_error("Unexpected " + what + " response type: " + js_string(cd_type));
    }
    const json* cd_origin = member(cd.value, "origin");
    if (!cd_origin || *cd_origin != origin) {
      throw std::runtime_error("Unexpected " + what + " response origin \"" + js_string(cd_origin) +
                               "\", expected \"" + origin + "\"");
    }
    const json* binding = member(cd.value, "tokenBinding");
    if (!js_falsy(binding)) {
      if (!binding->is_object()) {
        throw std::runtime_error(
            registration ? "Unexpected value for TokenBinding \"" + js_string(binding) + "\""
                         : std::string("ClientDataJSON tokenBinding was not an object"));
      }
      const json* status = member(*binding, "status");
      const std::vector<std::string> ok =
          registration ? std::vector<std::string>{"present", "supported", "not-supported"}
                       : std::vector<std::string>{"present", "supported", "notSupported"};
      if (!status || !status->is_string() ||
          std::find(ok.begin(), ok.end(), status->get<std::string>()) == ok.end()) {
        throw std::runtime_error(
            registration ? "Unexpected tokenBinding.status value of \"" + js_string(status) + "\""
                         : "Unexpected tokenBinding status " + js_string(status));
      }
    }
  }

  static void check_backup_flags(const webauthn::AuthData& ad) {
    if (ad.bs() && !ad.be()) {
      throw std::runtime_error(
          "Single-device credential indicated that it was backed up, which should be "
          "impossible.");
    }
  }

  struct NewCredential {
    std::string id;  // base64url
    std::string public_key;
    uint32_t counter = 0;
  };

  // verifyRegistrationResponse (requireUserVerification on) for ES256 credentials and the
  // "none" and self "packed" attestations: false when the attestation signature does not
  // verify (302); throws with the message passed on as 303.
  static bool verify_registration(const json& response, const ClientData& cd,
                                  const std::string& origin, const std::string& rp_id,
                                  NewCredential& out) {
    check_credential_and_client_data(response, cd, origin, true);
    const json* inner = member(response, "response");
    const json* att = member(*inner, "attestationObject");
    auto att_bytes =
        att && att->is_string() ? crypto::base64url_decode(att->get<std::string>()) : std::nullopt;
    if (!att_bytes) {
      throw std::runtime_error("Credential response attestationObject was not a base64url string");
    }
    const webauthn::Cbor object = webauthn::cbor_decode_first(*att_bytes).value;
    if (!object.is_map()) throw std::runtime_error("attestationObject is not a CBOR map");
    const webauthn::Cbor* fmt = object.find("fmt");
    const webauthn::Cbor* auth_data = object.find("authData");
    const webauthn::Cbor* att_stmt = object.find("attStmt");
    if (!auth_data || !auth_data->is_bytes()) {
      throw std::runtime_error("attestationObject has no authData byte string");
    }
    const webauthn::AuthData ad = webauthn::parse_auth_data(auth_data->string);
    if (ad.rp_id_hash != webauthn::sha256(rp_id)) throw std::runtime_error("Unexpected RP ID hash");
    if (!ad.up()) throw std::runtime_error("User presence was required, but user was not present");
    if (!ad.uv()) {
      throw std::runtime_error("User verification was required, but user could not be verified");
    }
    if (!ad.attested) throw std::runtime_error("No credential ID was provided by authenticator");
    const webauthn::CoseKey key = webauthn::decode_cose_key(ad.credential_key);
    if (!key.alg) throw std::runtime_error("Credential public key was missing numeric alg");
    if (*key.alg != -8 && *key.alg != -7 && *key.alg != -257) {
      throw std::runtime_error("Unexpected public key alg \"" + std::to_string(*key.alg) +
                               "\", expected one of \"-8, -7, -257\"");
    }
    if (*key.alg != -7) {
      throw std::runtime_error("The test broker accepts ES256 (alg -7) credential keys only");
    }
    webauthn::check_p256_key(key);

    const std::string format =
        fmt && fmt->is_text() ? fmt->string : (fmt ? fmt->describe() : "undefined");
    bool verified = false;
    if (format == "none") {
      if (!att_stmt || !att_stmt->is_map() || !att_stmt->entries.empty()) {
        throw std::runtime_error("None attestation had unexpected attestation statement");
      }
      verified = true;
    } else if (format == "packed") {
      verified = verify_packed_self(att_stmt, auth_data->string, cd.raw, key);
    } else if (format == "fido-u2f" || format == "android-key" || format == "android-safetynet" ||
               format == "tpm" || format == "apple") {
      throw std::runtime_error("The test broker does not verify \"" + format + "\" attestations");
    } else {
      throw std::runtime_error("Unsupported Attestation Format: " + format);
    }
    if (!verified) return false;
    check_backup_flags(ad);
    out.id = crypto::base64url(ad.credential_id);
    if (*member(response, "id") != out.id) {
      throw std::runtime_error("Credential ID does not match the one in the authenticator data");
    }
    out.public_key = ad.credential_key;
    out.counter = ad.sign_count;
    return true;
  }

  // Packed self attestation: attStmt {alg, sig} signed by the credential key itself.
  static bool verify_packed_self(const webauthn::Cbor* att_stmt, const std::string& auth_data,
                                 const std::string& client_data, const webauthn::CoseKey& key) {
    const webauthn::Cbor* sig = att_stmt ? att_stmt->find("sig") : nullptr;
    const webauthn::Cbor* alg = att_stmt ? att_stmt->find("alg") : nullptr;
    if (!sig || !sig->is_bytes()) {
      throw std::runtime_error(
          "No attestation signature provided in attestation statement (Packed)");
    }
    if (!alg || !alg->is_int()) {
      throw std::runtime_error("Attestation Statement alg \"" +
                               (alg ? alg->describe() : std::string("undefined")) +
                               "\" is not a number (Packed)");
    }
    if (att_stmt->find("x5c")) {
      throw std::runtime_error("The test broker does not verify x5c certificates (Packed|Full)");
    }
    if (alg->integer != *key.alg) {
      throw std::runtime_error("Attestation alg \"" + alg->describe() +
                               "\" did not match public key alg \"" + std::to_string(*key.alg) +
                               "\" (Packed|Self)");
    }
    return webauthn::verify_es256(*key.x, *key.y, auth_data + webauthn::sha256(client_data),
                                  sig->string) == webauthn::Signature::valid;
  }

  static bool is_base64url_string(const json* v) {
    return v && v->is_string() && crypto::base64url_decode(v->get<std::string>()).has_value();
  }

  // verifyAuthenticationResponse (requireUserVerification on): false when the signature does
  // not verify (306); throws with the message passed on as 307. The counter rule comes before
  // the signature, as in the library.
  static bool verify_authentication(const json& response, const ClientData& cd,
                                    const std::string& origin, const std::string& rp_id,
                                    const Passkey& pk, uint32_t& new_counter) {
    check_credential_and_client_data(response, cd, origin, false);
    const json& inner = *member(response, "response");
    const json* auth_data = member(inner, "authenticatorData");
    const json* signature = member(inner, "signature");
    const json* user_handle = member(inner, "userHandle");
    if (!is_base64url_string(auth_data)) {
      throw std::runtime_error("Credential response authenticatorData was not a base64url string");
    }
    if (!is_base64url_string(signature)) {
      throw std::runtime_error("Credential response signature was not a base64url string");
    }
    if (!js_falsy(user_handle) && !user_handle->is_string()) {
      throw std::runtime_error("Credential response userHandle was not a string");
    }
    const std::string ad_bytes = *crypto::base64url_decode(auth_data->get<std::string>());
    const webauthn::AuthData ad = webauthn::parse_auth_data(ad_bytes);
    if (ad.rp_id_hash != webauthn::sha256(rp_id)) throw std::runtime_error("Unexpected RP ID hash");
    if (!ad.up()) throw std::runtime_error("User not present during authentication");
    if (!ad.uv()) {
      throw std::runtime_error("User verification required, but user could not be verified");
    }
    if ((ad.sign_count > 0 || pk.counter > 0) && ad.sign_count <= pk.counter) {
      throw std::runtime_error("Response counter value " + std::to_string(ad.sign_count) +
                               " was lower than expected " + std::to_string(pk.counter));
    }
    check_backup_flags(ad);
    const webauthn::CoseKey key = webauthn::decode_cose_key(pk.public_key);
    const std::string sig = *crypto::base64url_decode(signature->get<std::string>());
    new_counter = ad.sign_count;
    return webauthn::verify_es256(*key.x, *key.y, ad_bytes + webauthn::sha256(cd.raw), sig) ==
           webauthn::Signature::valid;
  }

  // `new URL(origin)` threw outside a try: Express 5 answers the rejected promise with 500.
  void invalid_url(Response& res, const std::string& where) const {
    express_error(
        res, 500,
        "TypeError: Invalid URL\n    at new URL (node:internal/url:816:29)\n    at " + where);
  }

  void passkey_register_options(const Request& req, Response& res, const Body& body) {
    auto auth = authenticate(req, res);
    if (!auth) return;
    if (!body.defined) return crash(res, "origin", "/app/server/routes/passkey.js:28:96");
    const json* origin = member(body.value, "origin");
    auto host = origin && origin->is_string() ? url_hostname(*origin) : std::nullopt;
    const char* where =
        "module.exports.generateRegistrationOptions (/app/server/controllers/passkey.js:36:19)";
    if (!host) return invalid_url(res, where);
    const Account& a = *auth->account;
    json params = json::array();
    for (int alg : {-8, -7, -257}) params.push_back(json{{"alg", alg}, {"type", "public-key"}});
    json out = {{"challenge", issue_challenge(true, a.id)},
                {"rp", {{"name", "Nexterm"}, {"id", *host}}},
                {"user",
                 {{"id", crypto::base64url(std::to_string(a.id))},
                  {"name", a.username},
                  {"displayName", a.first_name + " " + a.last_name}}},
                {"pubKeyCredParams", params},
                {"timeout", kPasskeyTimeout},
                {"attestation", "none"},
                {"excludeCredentials", credential_list(passkeys_of(a.id))},
                {"authenticatorSelection",
                 {{"residentKey", "preferred"},
                  {"userVerification", "preferred"},
                  {"authenticatorAttachment", "platform"},
                  {"requireResidentKey", false}}},
                {"extensions", {{"credProps", true}}}};
    send_json(res, out);
  }

  void passkey_register_verify(const Request& req, Response& res, const Body& body) {
    auto auth = authenticate(req, res);
    if (!auth) return;
    if (!body.defined) return crash(res, "response", "/app/server/routes/passkey.js:42:98");
    std::string err = joi_validate(body.value, passkey_register_schema());
    if (!err.empty()) return send_message(res, 400, err);
    const json& b = body.value;
    const Account& a = *auth->account;
    const std::string origin = b.at("origin");
    const json& response = b.at("response");
    ClientData cd;
    try {
      cd = client_data_of(response);
    } catch (const std::exception& e) {
      return send_code(res, 303, e.what());
    }
    if (!consume_challenge(challenge_in(cd), true, a.id)) {
      return send_code(res, 301, "No registration challenge found");
    }
    NewCredential cred;
    try {
      auto host = url_hostname(origin);
      if (!host) throw std::runtime_error("Invalid URL");
      if (!verify_registration(response, cd, origin, *host, cred)) {
        return send_code(res, 302, "Registration verification failed");
      }
    } catch (const std::exception& e) {
      return send_code(res, 303, e.what());
    }
    if (passkey_by_credential(cred.id)) return send_code(res, 303, "Validation error");
    Passkey p;
    p.id = next_passkey++;
    p.account_id = a.id;
    p.credential_id = cred.id;
    p.public_key = cred.public_key;
    p.counter = cred.counter;
    const json* name = member(b, "name");
    p.name = name ? name->get<std::string>() : "Passkey";
    p.created = now_ms();
    passkeys[p.id] = p;
    send_json(res, json{{"message", "Passkey registered successfully"}, {"verified", true}});
  }

  void passkey_list(const Request& req, Response& res, const Body&) {
    auto auth = authenticate(req, res);
    if (!auth) return;
    std::vector<const Passkey*> mine = passkeys_of(auth->account->id);
    std::sort(mine.begin(), mine.end(), [](const Passkey* x, const Passkey* y) {
      return x->created != y->created ? x->created > y->created : x->id > y->id;
    });
    json list = json::array();
    for (const Passkey* p : mine) {
      list.push_back(json{{"id", p->id}, {"name", p->name}, {"createdAt", iso_ms(p->created)}});
    }
    send_json(res, list);
  }

  // The caller's passkey for the :id of the path; nullptr after answering 309 or 308.
  Passkey* own_passkey(const Request& req, Response& res, const Account& a, bool& invalid) {
    invalid = false;
    auto id = parse_int(req.matches[1]);
    if (!id) {
      invalid = true;
      send_json(res, json{{"code", 309}, {"message", "Invalid passkey ID"}}, 400);
      return nullptr;
    }
    auto it = *id >= 1 && *id <= INT32_MAX ? passkeys.find(static_cast<int>(*id)) : passkeys.end();
    if (it == passkeys.end() || it->second.account_id != a.id) return nullptr;
    return &it->second;
  }

  void passkey_rename(const Request& req, Response& res, const Body& body) {
    auto auth = authenticate(req, res);
    if (!auth) return;
    if (body.defined) {  // Joi lets an undefined body through
      std::string err = joi_validate(body.value, passkey_rename_schema());
      if (!err.empty()) return send_message(res, 400, err);
    }
    bool invalid = false;
    Passkey* p = own_passkey(req, res, *auth->account, invalid);
    if (invalid) return;
    if (!body.defined) return crash(res, "name", "/app/server/routes/passkey.js:73:93");
    if (!p) return send_code(res, 308, kPasskeyNotFound);
    p->name = body.value.at("name");
    send_message(res, 200, "Passkey renamed successfully");
  }

  void passkey_delete(const Request& req, Response& res, const Body&) {
    auto auth = authenticate(req, res);
    if (!auth) return;
    bool invalid = false;
    Passkey* p = own_passkey(req, res, *auth->account, invalid);
    if (invalid) return;
    if (!p) return send_code(res, 308, kPasskeyNotFound);
    passkeys.erase(p->id);
    send_message(res, 200, "Passkey deleted successfully");
  }

  void passkey_auth_options(const Request& req, Response& res, const Body& body) {
    if (rate_limited(auth_limiter, req, res)) return;
    if (!body.defined) return crash(res, "username", "/app/server/routes/auth.js:68:87");
    std::string err = joi_validate(body.value, passkey_options_schema());
    if (!err.empty()) return send_message(res, 400, err);
    const json& b = body.value;
    auto host = url_hostname(b.at("origin"));
    if (!host) {
      return invalid_url(res,
                         "module.exports.generateAuthenticationOptions "
                         "(/app/server/controllers/passkey.js:103:19)");
    }
    const json* username = member(b, "username");
    json allow;
    if (!js_falsy(username)) {
      Account* a = account_by_name(username->get<std::string>());
      if (!a) return send_code(res, 201, "Account not found");
      std::vector<const Passkey*> mine = passkeys_of(a->id);
      if (mine.empty()) return send_code(res, 304, "No passkeys registered");
      allow = credential_list(mine);
    }
    json out = {{"rpId", *host}, {"challenge", issue_challenge(false, 0)}};
    if (!allow.is_null()) out["allowCredentials"] = allow;
    out["timeout"] = kPasskeyTimeout;
    out["userVerification"] = "preferred";
    send_json(res, out);
  }

  void passkey_auth_verify(const Request& req, Response& res, const Body& body) {
    if (rate_limited(auth_limiter, req, res)) return;
    if (!body.defined) return crash(res, "response", "/app/server/routes/auth.js:84:87");
    std::string err = joi_validate(body.value, passkey_auth_schema());
    if (!err.empty()) return send_message(res, 400, err);
    const json& b = body.value;
    const std::string origin = b.at("origin");
    const json& response = b.at("response");
    // Passkey.findOne({where: {credentialId: response.id}}) comes first.
    const json* id = member(response, "id");
    if (!id) {
      return send_code(res, 307,
                       "WHERE parameter \"credentialId\" has invalid \"undefined\" value");
    }
    Passkey* pk = id->is_string() ? passkey_by_credential(id->get<std::string>()) : nullptr;
    if (!pk) return send_code(res, 305, kPasskeyNotFound);
    auto account = accounts.find(pk->account_id);
    if (account == accounts.end()) return send_code(res, 102, "Account not found");
    ClientData cd;
    try {
      cd = client_data_of(response);
    } catch (const std::exception& e) {
      return send_code(res, 307, e.what());
    }
    if (!consume_challenge(challenge_in(cd), false, 0)) {
      return send_code(res, 301, "No authentication challenge found");
    }
    uint32_t counter = 0;
    try {
      auto host = url_hostname(origin);
      if (!host) throw std::runtime_error("Invalid URL");
      if (!verify_authentication(response, cd, origin, *host, *pk, counter)) {
        return send_code(res, 306, "Authentication verification failed");
      }
    } catch (const std::exception& e) {
      return send_code(res, 307, e.what());
    }
    pk->counter = counter;
    std::string ua = req.get_header_value("User-Agent");
    Session& s =
        create_session(account->second.id, req.remote_addr, ua.empty() ? "None" : ua, now_ms());
    res.set_header("Authorization", s.token);
    send_json(res, json{{"token", s.token}, {"message", "Your session got successfully created"}});
  }
};

Nexterm::Nexterm(std::function<int64_t()> now_ms)
    : s_(std::make_unique<State>(std::move(now_ms))) {}

Nexterm::~Nexterm() = default;

void Nexterm::register_api_routes(httplib::Server& server) {
  State* st = s_.get();
  using Member = void (State::*)(const Request&, Response&, const Body&);
  // Every route: express.json() first (400 page on malformed JSON), then the handler, all
  // under the state lock.
  auto route = [st](Member m) {
    return [st, m](const Request& req, Response& res) {
      std::lock_guard<std::mutex> lock(st->mu);
      Body body;
      if (!st->parse_body(req, res, body)) return;
      (st->*m)(req, res, body);
    };
  };
  server.Get("/api/service/is-fts", route(&State::is_fts));
  server.Get("/api/service/version", route(&State::version));
  server.Get("/api/auth/providers", route(&State::providers));
  server.Post("/api/accounts/register", route(&State::register_account));
  server.Post("/api/auth/login", route(&State::login));
  server.Post("/api/auth/logout", route(&State::logout));
  server.Get("/api/accounts/me", route(&State::me));
  server.Get("/api/sessions/list", route(&State::sessions_list));
  server.Delete(R"(/api/sessions/([^/]+))", route(&State::session_delete));
  server.Post("/api/auth/device/create", route(&State::device_create));
  server.Post("/api/auth/device/poll", route(&State::device_poll));
  server.Post("/api/auth/device/info", route(&State::device_info_route));
  server.Post("/api/auth/device/authorize", route(&State::device_authorize));
  server.Post("/api/auth/device/link/status", route(&State::device_link_status));
  server.Get("/api/accounts/totp/secret", route(&State::totp_secret_route));
  server.Post("/api/accounts/totp/enable", route(&State::totp_enable));
  server.Post("/api/accounts/totp/disable", route(&State::totp_disable));
  server.Post("/api/accounts/api-keys", route(&State::api_keys_create));
  server.Get("/api/accounts/api-keys", route(&State::api_keys_list));
  server.Delete(R"(/api/accounts/api-keys/([^/]+))", route(&State::api_keys_delete));
  server.Post("/api/accounts/passkeys/register/options", route(&State::passkey_register_options));
  server.Post("/api/accounts/passkeys/register/verify", route(&State::passkey_register_verify));
  server.Get("/api/accounts/passkeys", route(&State::passkey_list));
  server.Patch(R"(/api/accounts/passkeys/([^/]+))", route(&State::passkey_rename));
  server.Delete(R"(/api/accounts/passkeys/([^/]+))", route(&State::passkey_delete));
  server.Post("/api/auth/passkey/options", route(&State::passkey_auth_options));
  server.Post("/api/auth/passkey/verify", route(&State::passkey_auth_verify));

  // Whatever else (other paths, other methods): Express's unknown-route answer.
  auto unknown = [st](const Request& req, Response& res) {
    std::lock_guard<std::mutex> lock(st->mu);
    Body body;
    if (!st->parse_body(req, res, body)) return;
    st->unknown_route(req, res);
  };
  server.Get(".*", unknown);
  server.Post(".*", unknown);
  server.Put(".*", unknown);
  server.Patch(".*", unknown);
  server.Delete(".*", unknown);
  server.Options(".*", unknown);
}

void Nexterm::register_control_routes(httplib::Server& server) {
  Nexterm* n = this;
  using Json = nlohmann::json;
  auto send = [](Response& r, const Json& j) { r.set_content(j.dump(), "application/json"); };
  // Lenient bodies as the other controls: empty is {}, no Content-Type needed. A bad request
  // (unknown user, wrong types) answers 400 text/plain.
  auto control = [send](std::function<Json(const Request&, const Json&)> fn) {
    return [fn, send](const Request& req, Response& res) {
      try {
        Json body = req.body.empty() ? Json::object() : Json::parse(req.body);
        if (!body.is_object()) throw std::invalid_argument("Expected a JSON object.");
        send(res, fn(req, body));
      } catch (const std::exception& e) {
        res.status = 400;
        res.set_content(e.what(), "text/plain; charset=utf-8");
      }
    };
  };
  server.Post(
      "/_test/nexterm/accounts", control([n](const Request&, const Json& j) {
        return Json{{"id", n->add_account(j.at("user"), j.at("password"), j.value("totp", false),
                                          j.value("admin", false))}};
      }));
  server.Get("/_test/nexterm/totp-secret", control([n](const Request& q, const Json&) {
               return Json{{"secret", n->totp_secret(q.get_param_value("user"))}};
             }));
  server.Get("/_test/nexterm/totp-code", control([n](const Request& q, const Json&) {
               int64_t at =
                   q.has_param("at") ? std::stoll(q.get_param_value("at")) : n->s_->now_ms() / 1000;
               return Json{{"code", n->totp_code(q.get_param_value("user"), at)}};
             }));
  server.Post("/_test/nexterm/sessions", control([n](const Request&, const Json& j) {
                return Json{{"token", n->make_session(j.at("user"), j.at("userAgent"),
                                                      j.value("ip", "127.0.0.1"),
                                                      j.value("lastActivity", int64_t{-1}))}};
              }));
  server.Get("/_test/nexterm/sessions", control([n](const Request& q, const Json&) {
               Json list = Json::array();
               for (const NextermSessionInfo& s : n->sessions(q.get_param_value("user"))) {
                 list.push_back({{"id", s.id},
                                 {"token", s.token},
                                 {"ip", s.ip},
                                 {"userAgent", s.user_agent},
                                 {"lastActivity", s.last_activity}});
               }
               return list;
             }));
  server.Post("/_test/nexterm/api-keys", control([n](const Request&, const Json& j) {
                return Json{{"token", n->make_api_key(j.at("user"), j.at("name"))}};
              }));
  server.Post("/_test/nexterm/device/approve", control([n](const Request&, const Json& j) {
                return Json{{"token", n->device_approve(j.at("code"), j.at("user"))}};
              }));
  server.Post("/_test/nexterm/device/claim", control([n](const Request&, const Json& j) {
                return Json{{"claimed", n->device_claim(j.at("token"))}};
              }));
  server.Get("/_test/nexterm/device/poll-token", control([n](const Request& q, const Json&) {
               return Json{{"token", n->device_poll_token_for(q.get_param_value("code"))}};
             }));
  server.Get("/_test/nexterm/passkeys", control([n](const Request& q, const Json&) {
               Json list = Json::array();
               for (const NextermPasskeyInfo& p : n->passkeys(q.get_param_value("user"))) {
                 list.push_back({{"id", p.id},
                                 {"name", p.name},
                                 {"credentialId", p.credential_id},
                                 {"signCount", p.sign_count},
                                 {"createdAt", p.created_ms}});
               }
               return list;
             }));
  server.Post("/_test/nexterm/passkeys/sign-count", control([n](const Request&, const Json& j) {
                int64_t count = j.at("signCount");
                if (count < 0 || count > UINT32_MAX) throw std::invalid_argument("bad signCount");
                return Json{{"updated",
                             n->set_passkey_sign_count(j.at("id"), static_cast<uint32_t>(count))}};
              }));
  server.Post("/_test/nexterm/settings", control([n](const Request&, const Json& j) {
                if (j.contains("productionMode")) n->set_production_mode(j["productionMode"]);
                if (j.contains("registrationOpen")) n->set_registration_open(j["registrationOpen"]);
                if (j.contains("passwordLogin")) n->set_password_login_enabled(j["passwordLogin"]);
                return Json::object();
              }));
}

int Nexterm::add_account(const std::string& user, const std::string& password, bool totp,
                         bool admin) {
  std::lock_guard<std::mutex> lock(s_->mu);
  Account* a = s_->account_by_name(user);
  if (!a) {
    Account fresh;
    fresh.id = s_->next_account++;
    fresh.username = user;
    fresh.first_name =
        user.empty()
            ? user
            : std::string(1, static_cast<char>(std::toupper(static_cast<unsigned char>(user[0])))) +
                  user.substr(1);
    fresh.last_name = "Tester";
    fresh.totp_secret = base32_encode(crypto::random_bytes(32));
    a = &(s_->accounts[fresh.id] = fresh);
  }
  a->password = password;
  a->totp_enabled = totp;
  a->admin = admin;
  return a->id;
}

std::string Nexterm::totp_secret(const std::string& user) const {
  std::lock_guard<std::mutex> lock(s_->mu);
  return s_->account_or_throw(user).totp_secret;
}

std::string Nexterm::totp_code(const std::string& user, int64_t at) const {
  std::lock_guard<std::mutex> lock(s_->mu);
  return totp_at(s_->account_or_throw(user).totp_secret, at);
}

std::string Nexterm::make_session(const std::string& user, const std::string& user_agent,
                                  const std::string& ip, int64_t last_activity) {
  std::lock_guard<std::mutex> lock(s_->mu);
  const Account& a = s_->account_or_throw(user);
  int64_t at = last_activity < 0 ? s_->now_ms() : last_activity * 1000;
  return s_->create_session(a.id, ip, user_agent, at).token;
}

std::vector<NextermSessionInfo> Nexterm::sessions(const std::string& user) const {
  std::lock_guard<std::mutex> lock(s_->mu);
  const Account& a = s_->account_or_throw(user);
  std::vector<NextermSessionInfo> out;
  for (const auto& [id, s] : s_->sessions) {
    if (s.account_id != a.id) continue;
    NextermSessionInfo info;
    info.id = s.id;
    info.token = s.token;
    info.ip = s.ip;
    info.user_agent = s.user_agent;
    info.last_activity = s.last_activity / 1000;
    info.last_activity_ms = s.last_activity;
    out.push_back(info);
  }
  return out;
}

std::string Nexterm::make_api_key(const std::string& user, const std::string& name) {
  std::lock_guard<std::mutex> lock(s_->mu);
  const Account& a = s_->account_or_throw(user);
  return s_->create_api_key(a.id, name, std::nullopt).token;
}

std::string Nexterm::device_approve(const std::string& code, const std::string& approver_user) {
  std::lock_guard<std::mutex> lock(s_->mu);
  const Account& a = s_->account_or_throw(approver_user);
  auto result = s_->authorize_device(code, a.id);
  if (auto* session = std::get_if<Session*>(&result)) return (*session)->token;
  return "";
}

bool Nexterm::device_claim(const std::string& poll_token) {
  std::lock_guard<std::mutex> lock(s_->mu);
  return s_->poll_device(poll_token)["status"] == "authorized";
}

std::string Nexterm::device_poll_token_for(const std::string& code) const {
  std::lock_guard<std::mutex> lock(s_->mu);
  for (const auto& [id, d] : s_->devices) {
    if (d.code == code) return d.token;
  }
  return "";
}

std::vector<NextermPasskeyInfo> Nexterm::passkeys(const std::string& user) const {
  std::lock_guard<std::mutex> lock(s_->mu);
  const Account& a = s_->account_or_throw(user);
  std::vector<NextermPasskeyInfo> out;
  for (const Passkey* p : s_->passkeys_of(a.id)) {
    NextermPasskeyInfo info;
    info.id = p->id;
    info.name = p->name;
    info.credential_id = p->credential_id;
    info.sign_count = p->counter;
    info.created_ms = p->created;
    out.push_back(info);
  }
  return out;
}

bool Nexterm::set_passkey_sign_count(int passkey_id, uint32_t sign_count) {
  std::lock_guard<std::mutex> lock(s_->mu);
  auto it = s_->passkeys.find(passkey_id);
  if (it == s_->passkeys.end()) return false;
  it->second.counter = sign_count;
  return true;
}

void Nexterm::set_production_mode(bool on) {
  std::lock_guard<std::mutex> lock(s_->mu);
  s_->production = on;
}

void Nexterm::set_registration_open(bool on) {
  std::lock_guard<std::mutex> lock(s_->mu);
  s_->registration_open = on;
}

void Nexterm::set_password_login_enabled(bool on) {
  std::lock_guard<std::mutex> lock(s_->mu);
  s_->password_login = on;
}

void Nexterm::reset_rate_limits() {
  std::lock_guard<std::mutex> lock(s_->mu);
  s_->auth_limiter.clients.clear();
  s_->device_limiter.clients.clear();
}

std::string nexterm_route_alias(const std::string& path) {
  static const std::string sessions = "/api/sessions/", keys = "/api/accounts/api-keys/",
                           passkeys = "/api/accounts/passkeys/";
  auto tail_ok = [&](const std::string& prefix) {
    return path.size() > prefix.size() && path.compare(0, prefix.size(), prefix) == 0 &&
           path.find('/', prefix.size()) == std::string::npos;
  };
  if (tail_ok(sessions) && path != sessions + "list") return "/api/sessions/:id";
  if (tail_ok(keys)) return "/api/accounts/api-keys/:id";
  if (tail_ok(passkeys)) return "/api/accounts/passkeys/:id";
  return "";
}

}  // namespace testbroker
