#include "backends/nexterm.hpp"

#include <algorithm>
#include <cctype>

#include "core/error.hpp"
#include "core/timeutil.hpp"

namespace authctl::backends {

namespace {

std::string str(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Nexterm sends some booleans as 0/1.
bool truthy(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) return false;
  if (it->is_boolean()) return it->get<bool>();
  if (it->is_number()) return it->get<double>() != 0;
  return false;
}

std::optional<int64_t> time_field(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  return timeutil::parse_time_value(*it);
}

void refuse_api_key(const std::string& token, const std::string& what) {
  if (is_nexterm_api_key(token))
    throw Error(ExitCode::auth, what + " needs a session login; this profile holds an API key",
                "log in with a password (authctl login) or a device code (authctl device-link)");
}

}  // namespace

bool is_nexterm_api_key(const std::string& token) {
  return token.size() == 68 && token.rfind("nxt_", 0) == 0 &&
         std::all_of(token.begin() + 4, token.end(),
                     [](char c) { return isxdigit(static_cast<unsigned char>(c)); });
}

std::optional<NextermSoftError> soft_error(const net::Response& r) {
  if (!r.is_json()) return std::nullopt;
  auto doc = nlohmann::json::parse(r.body, nullptr, false);
  if (!doc.is_object()) return std::nullopt;
  auto code = doc.find("code");
  if (code != doc.end() && code->is_number_integer())
    return NextermSoftError{code->get<int>(), str(doc, "message")};
  if (r.status >= 400 && r.status < 500 && doc.contains("message"))
    return NextermSoftError{static_cast<int>(r.status), str(doc, "message")};
  return std::nullopt;
}

NextermClient::NextermClient(net::HttpClient& http, const std::string& origin)
    : http_(http), host_(parse_host(origin, /*allow_http=*/true)) {}

net::Request NextermClient::request(const std::string& method, const std::string& path,
                                    const std::string& token, const nlohmann::json* body) const {
  net::Request req;
  req.method = method;
  req.url = host_.origin + path;
  req.headers = {{"Accept", "application/json"}};
  // Without Content-Type the server crashes into a 500 HTML page.
  if (body) {
    req.headers.emplace_back("Content-Type", "application/json");
    req.body = body->dump();
  }
  if (!token.empty()) req.headers.emplace_back("Authorization", "Bearer " + token);
  return req;
}

net::Response NextermClient::send(const std::string& method, const std::string& path,
                                  const std::string& token, const nlohmann::json* body) {
  if (!token.empty()) http_.add_secret(token);
  return http_.perform(request(method, path, token, body));
}

void NextermClient::fail(const net::Response& r, const std::string& what) {
  const std::string server = host_.authority;
  auto soft = soft_error(r);
  const std::string text = soft ? soft->message : r.error_text();
  if (r.status == 429 || (soft && soft->code == 429)) {
    std::string retry = r.header("Retry-After");
    std::string said = text;
    if (!said.empty() && said.back() == '.') said.pop_back();
    std::string wait = "wait a while, then retry";
    if (!retry.empty() && retry.find_first_not_of("0123456789") == std::string::npos)
      wait = "retry in " + timeutil::format_duration(std::stoll(retry));
    throw Error(ExitCode::rate_limited,
                server + " is rate limiting this client" + (said.empty() ? "" : ": " + said), wait);
  }
  if (r.status == 401)
    throw Error(
        ExitCode::auth, what + " refused by " + server + ": " + text,
        text.find("API key") != std::string::npos
            ? "the API key is invalid, expired or revoked: create a new one (authctl apikey "
              "create) and store it with login --with-token"
            : "the session has ended; run authctl login");
  if (r.status == 403)
    throw Error(ExitCode::auth, what + " refused by " + server + ": " + text,
                "this account may not do that");
  if (r.status >= 500)
    throw Error(
        ExitCode::error,
        what + " failed: " + server + " answered HTTP " + std::to_string(r.status) + ": " + text,
        "the server has a problem; retry later");
  if (r.status >= 300 && r.status < 400)
    throw Error(ExitCode::error,
                server + " answered HTTP " + std::to_string(r.status) + " (a redirect to " +
                    r.header("Location") + "), which authctl does not follow",
                "use the final URL in --host");
  if (soft)
    throw Error(ExitCode::error, what + " refused by " + server + ": " + text,
                "see authctl --help, or retry");
  throw Error(
      ExitCode::error,
      what + " failed: " + server + " answered HTTP " + std::to_string(r.status) + ": " + text,
      "check --host");
}

nlohmann::json NextermClient::expect_json(const net::Response& r, const std::string& what) {
  if (r.status != 200 || soft_error(r)) fail(r, what);
  // In production an unknown route answers 200 with the web UI's index.html: json()
  // checks the Content-Type first and says so.
  return r.json();
}

std::optional<std::string> NextermClient::version(std::string* answered) {
  auto r = http_.perform(request("GET", "/api/service/version", "", nullptr));
  if (answered) *answered = r.summary();
  if (r.status == 429) fail(r, "probe");
  if (r.status != 200 || !r.is_json()) return std::nullopt;
  auto doc = nlohmann::json::parse(r.body, nullptr, false);
  if (!doc.is_object() || !doc.contains("version") || !doc["version"].is_string())
    return std::nullopt;
  return doc["version"].get<std::string>();
}

NextermLogin NextermClient::login(const std::string& user, const std::string& password,
                                  const std::optional<std::string>& code) {
  http_.add_secret(password);
  nlohmann::json body = {{"username", user}, {"password", password}};
  if (code) {
    // An integer on the wire (so a code starting with 0 loses it: the server's bug).
    body["code"] = std::stoll(*code);
  }
  const int64_t local_now = timeutil::now();
  auto r = send("POST", "/api/auth/login", "", &body);
  NextermLogin result;
  if (auto date = timeutil::parse_http_date(r.header("Date")))
    result.clock_offset = *date - local_now;
  if (r.status == 200) {
    if (auto soft = soft_error(r)) {
      if (soft->code == 202) {
        result.totp_required = true;
        return result;
      }
      if (soft->code == 429) fail(r, "login");
      result.refused = soft;
      return result;
    }
    auto doc = r.json();
    result.token = str(doc, "token");
    if (result.token.empty())
      throw Error(ExitCode::error, host_.authority + " answered the login without a token",
                  "the server is misbehaving; retry later");
    http_.add_secret(result.token);
    return result;
  }
  if (r.status == 400) {
    if (auto soft = soft_error(r))
      throw Error(ExitCode::error, "login rejected by " + host_.authority + ": " + soft->message,
                  "check the user name and options");
  }
  fail(r, "login");
}

bool NextermClient::logout(const std::string& token) {
  nlohmann::json body = {{"token", token}};
  auto r = send("POST", "/api/auth/logout", "", &body);
  http_.add_secret(token);
  if (r.status == 200) {
    auto soft = soft_error(r);
    if (!soft) return true;
    if (soft->code == 204) return false;
  }
  fail(r, "logout");
}

nlohmann::json NextermClient::me(const std::string& token) {
  auto doc = expect_json(send("GET", "/api/accounts/me", token), "account info");
  if (!doc.is_object())
    throw Error(ExitCode::error, host_.authority + " answered /api/accounts/me with a non-object",
                "the server is misbehaving; retry later");
  return doc;
}

DeviceCode NextermClient::device_create(const std::string& client_type, const std::string& token) {
  nlohmann::json body = {{"clientType", client_type}};
  const int64_t local_now = timeutil::now();
  auto r = send("POST", "/api/auth/device/create", token, &body);
  auto doc = expect_json(r, "device code request");
  DeviceCode out;
  if (auto date = timeutil::parse_http_date(r.header("Date"))) out.clock_offset = *date - local_now;
  out.code = str(doc, "code");
  out.poll_token = str(doc, "token");
  auto expires = time_field(doc, "expiresAt");
  if (out.code.empty() || out.poll_token.empty() || !expires)
    throw Error(ExitCode::error,
                host_.authority + " answered device/create without code, token and expiresAt",
                "the server is misbehaving; retry later");
  out.expires_at = *expires;
  http_.add_secret(out.poll_token);
  return out;
}

std::string NextermClient::device_poll(const std::string& poll_token, std::string* session_token) {
  nlohmann::json body = {{"token", poll_token}};
  auto doc = expect_json(send("POST", "/api/auth/device/poll", "", &body), "device code poll");
  std::string status = str(doc, "status");
  if (status == "authorized") {
    std::string token = str(doc, "token");
    if (token.empty())
      throw Error(ExitCode::error, host_.authority + " authorized the device without a token",
                  "the server is misbehaving; retry");
    http_.add_secret(token);
    if (session_token) *session_token = token;
  }
  if (status != "pending" && status != "authorized" && status != "invalid")
    throw Error(ExitCode::error,
                host_.authority + " answered device/poll with status '" + status + "'",
                "the server is misbehaving; retry");
  return status;
}

namespace {
// device/info and device/authorize share their soft errors.
void check_device_answer(const net::Response& r, const std::string& authority,
                         const std::string& code) {
  auto soft = soft_error(r);
  if (r.status != 200 || !soft) return;
  if (soft->code == 404)
    throw Error(ExitCode::expired,
                "device code " + code + " is unknown or expired (" + authority + ")",
                "ask for a new code on the device");
  if (soft->code == 400 && soft->message.find("already") != std::string::npos)
    throw Error(ExitCode::error, "device code " + code + " has already been authorized",
                "nothing to do; the device is logged in");
}
}  // namespace

DeviceInfo NextermClient::device_info(const std::string& token, const std::string& code) {
  nlohmann::json body = {{"code", code}};
  auto r = send("POST", "/api/auth/device/info", token, &body);
  check_device_answer(r, host_.authority, code);
  auto doc = expect_json(r, "device info");
  DeviceInfo info{str(doc, "ipAddress"), str(doc, "userAgent"), str(doc, "clientType"),
                  time_field(doc, "expiresAt").value_or(0)};
  return info;
}

void NextermClient::device_authorize(const std::string& token, const std::string& code) {
  nlohmann::json body = {{"code", code}};
  auto r = send("POST", "/api/auth/device/authorize", token, &body);
  check_device_answer(r, host_.authority, code);
  expect_json(r, "device authorization");
}

std::string NextermClient::link_status(const std::string& token, const std::string& code) {
  nlohmann::json body = {{"code", code}};
  auto doc = expect_json(send("POST", "/api/auth/device/link/status", token, &body), "link status");
  return str(doc, "status");
}

std::vector<NextermSession> NextermClient::sessions(const std::string& token) {
  refuse_api_key(token, "listing sessions");
  auto doc = expect_json(send("GET", "/api/sessions/list", token), "session list");
  if (!doc.is_array())
    throw Error(ExitCode::error, host_.authority + " answered the session list with a non-array",
                "the server is misbehaving; retry later");
  std::vector<NextermSession> out;
  for (const auto& s : doc) {
    NextermSession session;
    session.id = s.value("id", int64_t{0});
    session.ip = str(s, "ip");
    session.user_agent = str(s, "userAgent");
    session.last_activity = time_field(s, "lastActivity").value_or(0);
    session.current = truthy(s, "current");
    out.push_back(session);
  }
  return out;
}

std::vector<std::optional<std::string>> NextermClient::delete_sessions(
    const std::string& token, const std::vector<int64_t>& ids, int parallel) {
  refuse_api_key(token, "killing sessions");
  http_.add_secret(token);
  std::vector<net::Request> requests;
  for (int64_t id : ids)
    requests.push_back(request("DELETE", "/api/sessions/" + std::to_string(id), token, nullptr));
  auto outcomes = http_.perform_all(requests, parallel);
  std::vector<std::optional<std::string>> results;
  for (auto& outcome : outcomes) {
    if (outcome.error) {
      results.emplace_back(outcome.error->what());
      continue;
    }
    const net::Response& r = *outcome.response;
    if (r.status == 200 && !soft_error(r)) {
      results.emplace_back(std::nullopt);
    } else if (auto soft = soft_error(r)) {
      results.emplace_back(soft->message.empty() ? "code " + std::to_string(soft->code)
                                                 : soft->message);
    } else {
      results.emplace_back("HTTP " + std::to_string(r.status) + ": " + r.error_text());
    }
  }
  return results;
}

namespace {
ApiKey parse_api_key(const nlohmann::json& j) {
  ApiKey key;
  key.id = j.value("id", int64_t{0});
  key.name = str(j, "name");
  key.prefix = str(j, "prefix");
  key.expires_at = time_field(j, "expiresAt");
  key.created_at = time_field(j, "createdAt");
  key.last_used_at = time_field(j, "lastUsedAt");
  key.token = str(j, "token");
  return key;
}
}  // namespace

ApiKey NextermClient::create_api_key(const std::string& token, const std::string& name,
                                     const std::optional<std::string>& expires_at) {
  refuse_api_key(token, "creating API keys");
  nlohmann::json body = {{"name", name}};
  if (expires_at) body["expiresAt"] = *expires_at;
  auto key = parse_api_key(
      expect_json(send("POST", "/api/accounts/api-keys", token, &body), "API key creation"));
  if (!is_nexterm_api_key(key.token))
    throw Error(ExitCode::error, host_.authority + " answered without a valid API key",
                "the server is misbehaving; retry later");
  return key;
}

std::vector<ApiKey> NextermClient::api_keys(const std::string& token) {
  refuse_api_key(token, "listing API keys");
  auto doc = expect_json(send("GET", "/api/accounts/api-keys", token), "API key list");
  if (!doc.is_array())
    throw Error(ExitCode::error, host_.authority + " answered the API key list with a non-array",
                "the server is misbehaving; retry later");
  std::vector<ApiKey> out;
  for (const auto& j : doc) out.push_back(parse_api_key(j));
  return out;
}

void NextermClient::revoke_api_key(const std::string& token, int64_t id) {
  refuse_api_key(token, "revoking API keys");
  auto r = send("DELETE", "/api/accounts/api-keys/" + std::to_string(id), token);
  if (r.status == 404)
    throw Error(ExitCode::error, "no API key with id " + std::to_string(id),
                "authctl apikey list shows the ids");
  expect_json(r, "API key revocation");
}

}  // namespace authctl::backends
