// The test broker's Nexterm endpoints: auth (login, logout, register, providers, device
// codes), sessions, TOTP and API keys, with the device-code and API-key helpers they share
// with the public Nexterm methods. Part of Nexterm::State (nexterm_impl.hpp); the choices are
// listed in nexterm.hpp.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <optional>
#include <regex>
#include <string>
#include <variant>
#include <vector>

#include "broker_crypto.hpp"
#include "nexterm_impl.hpp"
#include "nexterm_util.hpp"
#include "nexterm_validation.hpp"

namespace testbroker {

namespace {

constexpr const char* kVersion = "1.2.2-BETA";
constexpr int64_t kDeviceExpiryMs = 10 * 60 * 1000;
constexpr size_t kMaxApiKeys = 50;
constexpr const char* kCodeAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

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

}  // namespace

// --- device codes ---

bool Nexterm::State::device_expired(const DeviceCode& d) const {
  return now_ms() > d.created + kDeviceExpiryMs;
}

// cleanupExpiredCodes(): rows older than ten minutes go (not run by link/status).
void Nexterm::State::cleanup_devices() {
  const int64_t cutoff = now_ms() - kDeviceExpiryMs;
  for (auto it = devices.begin(); it != devices.end();) {
    it = it->second.created < cutoff ? devices.erase(it) : std::next(it);
  }
}

DeviceCode* Nexterm::State::device_by_code(const std::string& code) {
  for (auto& [id, d] : devices) {
    if (d.code == code) return &d;
  }
  return nullptr;
}

DeviceCode* Nexterm::State::live_device_by_code(const std::string& code) {
  DeviceCode* d = device_by_code(code);
  return d && d->created > now_ms() - kDeviceExpiryMs ? d : nullptr;
}

std::string Nexterm::State::new_user_code() {
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
std::variant<int, Session*> Nexterm::State::authorize_device(const std::string& code,
                                                             int account_id) {
  cleanup_devices();
  DeviceCode* d = live_device_by_code(code);
  if (!d) return 404;
  if (d->session_id) return 400;
  Session& s = create_session(account_id, d->ip, d->user_agent, now_ms());
  d->session_id = s.id;
  return &s;
}

// pollToken(): {status, token?}.
json Nexterm::State::poll_device(const std::string& token) {
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

json Nexterm::State::device_info(const DeviceCode& d) {
  return json{{"ipAddress", d.ip}, {"userAgent", d.user_agent}, {"clientType", d.client_type}};
}

// --- API keys ---

json Nexterm::State::serialize(const ApiKey& k) {
  return json{{"id", k.id},
              {"name", k.name},
              {"prefix", k.prefix},
              {"lastUsedAt", k.last_used ? json(iso_ms(*k.last_used)) : json(nullptr)},
              {"expiresAt", k.expires ? json(iso_ms(*k.expires)) : json(nullptr)},
              {"createdAt", iso_ms(k.created)}};
}

ApiKey& Nexterm::State::create_api_key(int account_id, const std::string& name,
                                       std::optional<int64_t> expires) {
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

void Nexterm::State::is_fts(const Request&, Response& res, const Body&) {
  send_json(res, json(accounts.empty()));
}

void Nexterm::State::version(const Request&, Response& res, const Body&) {
  send_json(res, json{{"version", kVersion}});
}

void Nexterm::State::providers(const Request&, Response& res, const Body&) {
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

void Nexterm::State::register_account(const Request&, Response& res, const Body& body) {
  if (!body.defined)
    return crash(res, "username", "createAccount (/app/server/controllers/account.js:12:63)");
  std::string err = joi_validate(body.value, register_schema());
  if (!err.empty()) return send_message(res, 400, err);
  const json& b = body.value;
  const bool fts = accounts.empty();
  if (!fts && !registration_open) return send_code(res, 107, "Registration is currently disabled");
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

void Nexterm::State::login(const Request& req, Response& res, const Body& body) {
  if (rate_limited(auth_limiter, req, res)) return;
  if (!body.defined) return crash(res, "username", "login (/app/server/controllers/auth.js:58:52)");
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
bool Nexterm::State::totp_matches(const Account& a, double code) const {
  if (code < 0 || code > 999999) return false;
  const std::string given = std::to_string(static_cast<int64_t>(code));
  return given == totp_at(a.totp_secret, now_ms() / 1000);
}

void Nexterm::State::logout(const Request&, Response& res, const Body& body) {
  if (!body.defined) return crash(res, "token", "/app/server/routes/auth.js:47:53");
  std::string err = joi_validate(body.value, token_schema(96));
  if (!err.empty()) return send_message(res, 400, err);
  Session* s = session_by_token(body.value["token"]);
  if (!s) return send_code(res, 204, "Your session token is invalid");
  sessions.erase(s->id);
  send_message(res, 200, "Your session got deleted successfully");
}

void Nexterm::State::me(const Request& req, Response& res, const Body&) {
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

void Nexterm::State::sessions_list(const Request& req, Response& res, const Body&) {
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

void Nexterm::State::session_delete(const Request& req, Response& res, const Body&) {
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

void Nexterm::State::device_create(const Request& req, Response& res, const Body& body) {
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

void Nexterm::State::device_poll(const Request&, Response& res, const Body& body) {
  if (!body.defined) return crash(res, "token", "/app/server/routes/auth.js:122:56");
  std::string err = joi_validate(body.value, token_schema(64));
  if (!err.empty()) return send_message(res, 400, err);
  send_json(res, poll_device(body.value["token"]));
}

// info, authorize and link/status: authenticate, then the {code} schema.
std::optional<std::string> Nexterm::State::code_body(const Request& req, Response& res,
                                                     const Body& body, std::optional<Auth>& auth) {
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

void Nexterm::State::device_info_route(const Request& req, Response& res, const Body& body) {
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

void Nexterm::State::device_authorize(const Request& req, Response& res, const Body& body) {
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

void Nexterm::State::device_link_status(const Request& req, Response& res, const Body& body) {
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

void Nexterm::State::totp_secret_route(const Request& req, Response& res, const Body&) {
  auto auth = authenticate(req, res);
  if (!auth) return;
  const Account& a = *auth->account;
  send_json(res, json{{"secret", a.totp_secret},
                      {"url", "otpauth://totp/Nexterm%20%28" + a.username +
                                  "%29?secret=" + a.totp_secret}});
}

void Nexterm::State::totp_enable(const Request& req, Response& res, const Body& body) {
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

void Nexterm::State::totp_disable(const Request& req, Response& res, const Body&) {
  auto auth = authenticate(req, res);
  if (!auth) return;
  Account& a = *auth->account;
  if (!a.totp_enabled) return send_code(res, 103, "TOTP is already disabled on your account");
  a.totp_enabled = false;
  send_message(res, 200, "TOTP has been successfully disabled on your account.");
}

// authenticate + blockApiKeyAuth.
std::optional<Auth> Nexterm::State::session_only(const Request& req, Response& res) {
  auto auth = authenticate(req, res);
  if (auth && auth->api_key) {
    send_json(res, json{{"code", 403}, {"message", "API keys cannot manage API keys"}}, 403);
    return std::nullopt;
  }
  return auth;
}

void Nexterm::State::api_keys_create(const Request& req, Response& res, const Body& body) {
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

void Nexterm::State::api_keys_list(const Request& req, Response& res, const Body&) {
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

void Nexterm::State::api_keys_delete(const Request& req, Response& res, const Body&) {
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

}  // namespace testbroker
