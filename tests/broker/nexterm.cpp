// The Nexterm auth/session API for the test broker. Facts follow shared/specs/nexterm-api.md;
// the choices where it is open are listed in nexterm.hpp.
#include "nexterm.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <variant>

#include "broker_crypto.hpp"
#include "nexterm_impl.hpp"
#include "nexterm_util.hpp"

namespace testbroker {

namespace {

constexpr int64_t kTotpStep = 30;
constexpr const char* kBase32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

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

}  // namespace

namespace nexterm_detail {

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

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool all_digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace nexterm_detail

Nexterm::State::State(std::function<int64_t()> f) : now_ms(std::move(f)) {}

// --- answers ---

void Nexterm::State::send_json(Response& res, const json& j, int status) {
  res.status = status;
  res.set_content(j.dump(-1, ' ', false, json::error_handler_t::replace),
                  "application/json; charset=utf-8");
}

void Nexterm::State::send_message(Response& res, int status, const std::string& message) {
  send_json(res, json{{"message", message}}, status);
}

void Nexterm::State::send_code(Response& res, int code, const std::string& message) {
  send_json(res, json{{"code", code}, {"message", message}});
}

// Express's default error page (finalhandler). `detail` shows in development only, except
// for 404s whose text is always "Cannot METHOD /path".
void Nexterm::State::express_error(Response& res, int status, const std::string& detail) const {
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
void Nexterm::State::crash(Response& res, const std::string& property,
                           const std::string& where) const {
  express_error(res, 500,
                "TypeError: Cannot read properties of undefined (reading '" + property +
                    "')\n    at " + where +
                    "\n    at Layer.handleRequest "
                    "(/app/node_modules/router/lib/layer.js:152:17)");
}

void Nexterm::State::unknown_route(const Request& req, Response& res) const {
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
bool Nexterm::State::parse_body(const Request& req, Response& res, Body& body) const {
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
bool Nexterm::State::rate_limited(Limiter& l, const Request& req, Response& res) {
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

Account* Nexterm::State::account_by_name(const std::string& name) {
  for (auto& [id, a] : accounts) {
    if (a.username == name) return &a;
  }
  return nullptr;
}

const Account& Nexterm::State::account_or_throw(const std::string& name) const {
  for (const auto& [id, a] : accounts) {
    if (a.username == name) return a;
  }
  throw std::invalid_argument("no Nexterm account " + name);
}

Session* Nexterm::State::session_by_token(const std::string& token) {
  for (auto& [id, s] : sessions) {
    if (s.token == token) return &s;
  }
  return nullptr;
}

Session& Nexterm::State::create_session(int account_id, const std::string& ip,
                                        const std::string& user_agent, int64_t last_activity) {
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
ApiKey* Nexterm::State::valid_api_key(const std::string& token) {
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
std::optional<Auth> Nexterm::State::authenticate(const Request& req, Response& res) {
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
bool Nexterm::State::has_valid_session(const Request& req) {
  const std::string header = req.get_header_value("Authorization");
  if (std::count(header.begin(), header.end(), ' ') != 1) return false;
  const std::string token = header.substr(header.find(' ') + 1);
  return token.rfind("nxt_", 0) != 0 && session_by_token(token) != nullptr;
}

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
