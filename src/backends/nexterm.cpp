#include "backends/nexterm.hpp"

#include "backends/answer.hpp"
#include "backends/decoders.hpp"
#include "backends/http_failure.hpp"
#include "core/error.hpp"
#include "core/text.hpp"
#include "core/timeutil.hpp"
#include "core/validate.hpp"

namespace authctl::backends {

namespace {

// A soft error's message: a string, else nothing (it is only ever shown).
std::string message_of(const nlohmann::json& doc) {
  auto it = doc.find("message");
  return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// "https://host:port/path" -> "host:port", for messages about an answer.
std::string host_of_url(const std::string& url) {
  const size_t scheme = url.find("://");
  const size_t start = scheme == std::string::npos ? 0 : scheme + 3;
  return url.substr(start, url.find('/', start) - start);
}

void refuse_api_key(const std::string& token, const std::string& what) {
  if (is_nexterm_api_key(token))
    throw Error(ExitCode::auth, what + " needs a session login; this profile holds an API key",
                Reason::api_key_profile);
}

}  // namespace

bool is_nexterm_api_key(const std::string& token) {
  return validate::is_api_key(token);
}

std::optional<NextermSoftError> soft_error(const net::Response& r) {
  // Too deep is thrown here (a malformed answer); other non-JSON is simply no soft error.
  auto doc = answer::parse_json(r, host_of_url(r.url));
  if (!doc || !doc->is_object()) return std::nullopt;
  auto code = doc->find("code");
  // Only a small integer is an error code (a string "code" is device/create's user code).
  if (code != doc->end() && code->is_number_integer() && *code >= 0 && *code <= 999)
    return NextermSoftError{code->get<int>(), message_of(*doc)};
  if (r.status >= 400 && r.status < 500 && doc->contains("message"))
    return NextermSoftError{static_cast<int>(r.status), message_of(*doc)};
  return std::nullopt;
}

NextermClient::NextermClient(net::HttpClient& http, const std::string& origin)
    : http_(&http), host_(parse_host(origin, /*allow_http=*/true)) {}

NextermClient::NextermClient(net::ClientOptions options, const std::string& origin)
    : owned_(std::make_unique<net::HttpClient>(std::move(options))),
      http_(owned_.get()),
      host_(parse_host(origin, /*allow_http=*/true)) {}

void NextermClient::hide(const std::string& secret) {
  http_->add_secret(secret);
}

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
  return http_->perform(request(method, path, token, body));
}

void NextermClient::fail(const net::Response& r, const std::string& what) {
  const std::string server = host_.authority;
  auto soft = soft_error(r);
  const std::string text = soft ? soft->message : r.said();
  const int status = soft && soft->code == 429 ? 429 : r.status;
  if (status == 401)
    throw Error(ExitCode::auth, text::with_server_text(what + " refused by " + server, text),
                text.find("API key") != std::string::npos ? Reason::api_key_rejected
                                                          : Reason::session_ended,
                ErrorFacts{server, {}, std::nullopt});
  if (soft && status_meaning(status).reason == Reason::request_refused)
    throw Error(ExitCode::error, text::with_server_text(what + " refused by " + server, text),
                Reason::soft_refused, ErrorFacts{server, {}, std::nullopt});
  throw_status(r, status, server, what, text);
}

nlohmann::json NextermClient::expect_json(const net::Response& r, const std::string& what) {
  if (r.status != 200 || soft_error(r)) fail(r, what);
  // In production an unknown route answers 200 with the web UI's index.html: json()
  // checks the Content-Type first and says so.
  return r.json();
}

std::optional<std::string> NextermClient::version(std::string* answered) {
  auto r = http_->perform(request("GET", "/api/service/version", "", nullptr));
  if (answered) *answered = r.summary();
  if (r.status == 429) fail(r, "probe");
  if (r.status != 200 || !r.is_json()) return std::nullopt;
  auto doc = answer::parse_json(r, host_.authority);
  if (!doc) return std::nullopt;
  return decode::nexterm_version(*doc);
}

NextermLogin NextermClient::login(const std::string& user, const std::string& password,
                                  const std::optional<std::string>& code) {
  http_->add_secret(password);
  nlohmann::json body = {{"username", user}, {"password", password}};
  if (code) {
    // An integer on the wire (so a code starting with 0 loses it: the server's bug).
    int64_t number = 0;
    for (char c : *code) {
      if (c < '0' || c > '9' || number > 99999999)
        throw Error(ExitCode::usage, "a TOTP code is digits only", Reason::totp_format);
      number = number * 10 + (c - '0');
    }
    body["code"] = number;
  }
  auto r = send("POST", "/api/auth/login", "", &body);
  NextermLogin result;
  result.clock_offset = decode::clock_offset(r);
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
    result.token = decode::session_token(r.json(), "of the login answer", host_.authority);
    http_->add_secret(result.token);
    return result;
  }
  if (r.status == 400) {
    if (auto soft = soft_error(r))
      throw Error(ExitCode::error,
                  text::with_server_text("login rejected by " + host_.authority, soft->message),
                  Reason::login_rejected, ErrorFacts{host_.authority, {}, std::nullopt});
  }
  fail(r, "login");
}

bool NextermClient::logout(const std::string& token) {
  http_->add_secret(token);  // in the body, not a header
  nlohmann::json body = {{"token", token}};
  auto r = send("POST", "/api/auth/logout", "", &body);
  if (r.status == 200) {
    auto soft = soft_error(r);
    if (!soft) return true;
    if (soft->code == 204) return false;
  }
  fail(r, "logout");
}

nlohmann::json NextermClient::me(const std::string& token) {
  auto doc = expect_json(send("GET", "/api/accounts/me", token), "account info");
  // The user name becomes a profile's user (and part of its name): checked here, so that
  // every login (--with-token, device code, passkey) gets it checked.
  decode::nexterm_user_name(doc, host_.authority);
  return doc;
}

std::string NextermClient::user_name(const std::string& token) {
  return decode::nexterm_user_name(me(token), host_.authority);
}

DeviceCode NextermClient::device_create(const std::string& client_type, const std::string& token) {
  nlohmann::json body = {{"clientType", client_type}};
  auto r = send("POST", "/api/auth/device/create", token, &body);
  if (r.status == 404 || r.status == 405)  // a Neuron answers so: it has no device codes
    throw Error(ExitCode::error,
                host_.authority + " has no device codes (/api/auth/device/create answered " +
                    r.summary() + ")",
                Reason::no_device_login, ErrorFacts{host_.authority, host_.origin, std::nullopt});
  auto doc = expect_json(r, "device code request");
  DeviceCode out = decode::device_code(doc, decode::clock_offset(r), host_.authority);
  http_->add_secret(out.poll_token);
  return out;
}

std::string NextermClient::device_poll(const std::string& poll_token, std::string* session_token) {
  nlohmann::json body = {{"token", poll_token}};
  auto doc = expect_json(send("POST", "/api/auth/device/poll", "", &body), "device code poll");
  decode::DevicePoll poll = decode::device_poll(doc, host_.authority);
  if (poll.status == "authorized") {
    http_->add_secret(poll.token);
    if (session_token) *session_token = poll.token;
  }
  return poll.status;
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
                Reason::device_code_unknown);
  if (soft->code == 400 && soft->message.find("already") != std::string::npos)
    throw Error(ExitCode::error, "device code " + code + " has already been authorized",
                Reason::device_code_used);
}
}  // namespace

DeviceInfo NextermClient::device_info(const std::string& token, const std::string& code) {
  nlohmann::json body = {{"code", code}};
  auto r = send("POST", "/api/auth/device/info", token, &body);
  check_device_answer(r, host_.authority, code);
  auto doc = expect_json(r, "device info");
  return decode::device_info(doc, host_.authority);
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
  return answer::Fields(doc, host_.authority, "of device/link/status").text("status");
}

std::vector<NextermSession> NextermClient::sessions(const std::string& token) {
  refuse_api_key(token, "listing sessions");
  return decode::sessions(expect_json(send("GET", "/api/sessions/list", token), "session list"),
                          host_.authority);
}

std::vector<std::optional<std::string>> NextermClient::delete_sessions(
    const std::string& token, const std::vector<int64_t>& ids, int parallel) {
  refuse_api_key(token, "killing sessions");
  std::vector<net::Request> requests;
  for (int64_t id : ids)
    requests.push_back(request("DELETE", "/api/sessions/" + std::to_string(id), token, nullptr));
  auto outcomes = http_->perform_all(requests, parallel);
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

ApiKey NextermClient::create_api_key(const std::string& token, const std::string& name,
                                     const std::optional<std::string>& expires_at) {
  refuse_api_key(token, "creating API keys");
  nlohmann::json body = {{"name", name}};
  if (expires_at) body["expiresAt"] = *expires_at;
  const nlohmann::json doc =
      expect_json(send("POST", "/api/accounts/api-keys", token, &body), "API key creation");
  ApiKey key = decode::new_api_key(doc, host_.authority);
  http_->add_secret(key.token);
  return key;
}

std::vector<ApiKey> NextermClient::api_keys(const std::string& token) {
  refuse_api_key(token, "listing API keys");
  return decode::api_keys(expect_json(send("GET", "/api/accounts/api-keys", token), "API key list"),
                          host_.authority);
}

void NextermClient::revoke_api_key(const std::string& token, int64_t id) {
  refuse_api_key(token, "revoking API keys");
  auto r = send("DELETE", "/api/accounts/api-keys/" + std::to_string(id), token);
  if (r.status == 404)
    throw Error(ExitCode::error, "no API key with id " + std::to_string(id),
                Reason::no_such_api_key);
  expect_json(r, "API key revocation");
}

}  // namespace authctl::backends
