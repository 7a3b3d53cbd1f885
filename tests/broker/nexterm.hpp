// The Nexterm server (Node/Express, version 1.2.2-BETA) as the test broker serves it: the
// auth and session API of shared/specs/nexterm-api.md with the real server's behaviour
// (Express error pages, Joi messages, application errors as HTTP 200 with an integer `code`,
// 0/1 booleans, rate limits and their headers, device codes on the broker clock, TOTP with no
// window and the leading-zero bug). Broker owns one and registers its routes when
// Options::kind is nexterm; counters, latency, faults, Date and TLS stay the Broker's.
//
// Choices where the spec is open:
// - Joi messages carry no quotes around the key (`password is required`,
//   `extra is not allowed`): the server validates with `errors.wrap.label = ""`;
// - `code` (login, totp/enable) is Joi's number: a JSON integer, or a numeric string, which
//   is compared as that number, so a correct code starting with 0 is always rejected;
//   `code: 0` counts as "no code" (202), as the server's `if (!code)` does;
// - unknown routes: 404 Express page `Cannot METHOD /path`; in production mode GETs get
//   200 index.html. Crashes (a body route without `Content-Type: application/json`, the
//   session list with an API key) are 500 Express pages, malformed JSON a 400 page, with the
//   error text in development and only the status text in production mode;
// - an API key on the api-keys routes: 403 {"code":403,"message":"API keys cannot manage
//   API keys"} (the real blockApiKeyAuth); API keys are accepted wherever `authenticate` is
//   (me, device info/authorize/link-status, TOTP routes, DELETE /api/sessions/:id), only
//   the session list crashes on them;
// - the session list comes back shuffled; session ids are global integers from 1;
// - the auth limiter's 429 message is "Too many requests, please try again later.", the
//   device limiter's "Too many requests. Please try again later." (the real one);
// - IPs are the socket's peer address as is ("127.0.0.1"), no "::ffff:" mapping;
// - register: 107 "Registration is currently disabled", 101 "This account already exists".
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "broker.hpp"

namespace httplib {
class Server;
}

namespace testbroker {

class Nexterm {
 public:
  // now_ms: the broker clock in Unix milliseconds.
  explicit Nexterm(std::function<int64_t()> now_ms);
  ~Nexterm();
  Nexterm(const Nexterm&) = delete;
  Nexterm& operator=(const Nexterm&) = delete;

  // The /api/... routes and the unknown-route answer (a catch-all: register it last).
  void register_api_routes(httplib::Server& server);
  // The /_test/nexterm/... controls.
  void register_control_routes(httplib::Server& server);

  int add_account(const std::string& user, const std::string& password, bool totp, bool admin);
  std::string totp_secret(const std::string& user) const;
  std::string totp_code(const std::string& user, int64_t at) const;
  std::string make_session(const std::string& user, const std::string& user_agent,
                           const std::string& ip, int64_t last_activity);
  std::vector<NextermSessionInfo> sessions(const std::string& user) const;
  std::string make_api_key(const std::string& user, const std::string& name);
  std::string device_approve(const std::string& code, const std::string& approver_user);
  bool device_claim(const std::string& poll_token);
  std::string device_poll_token_for(const std::string& code) const;
  void set_production_mode(bool on);
  void set_registration_open(bool on);
  void set_password_login_enabled(bool on);
  void reset_rate_limits();

 private:
  struct State;
  std::unique_ptr<State> s_;
};

// The route a Nexterm path with an id belongs to ("/api/sessions/17" -> "/api/sessions/:id",
// "/api/accounts/api-keys/3" -> "/api/accounts/api-keys/:id"); "" for other paths. The
// broker counts such requests under both names and takes faults for either.
std::string nexterm_route_alias(const std::string& path);

}  // namespace testbroker
