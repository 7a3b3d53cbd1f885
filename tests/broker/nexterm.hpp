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
//
// Passkeys (shared/specs/nexterm-passkeys.md; WebAuthn checks in webauthn_verify.cpp).
// Choices where that spec is open:
// - messages follow Nexterm's passkey controller and @simplewebauthn/server 13: 201 "Account
//   not found", 304 "No passkeys registered", 301 "No registration challenge found" / "No
//   authentication challenge found", 302 "Registration verification failed", 305/308
//   "Passkey not found", 306 "Authentication verification failed", 309 "Invalid passkey ID";
//   303/307 carry the library's message ("Unexpected RP ID hash", "User verification
//   required, but user could not be verified", "Response counter value 0 was lower than
//   expected 5", ...). Malformed input (bad base64url, CBOR or JSON) gets the broker's own
//   wording;
// - a login answers like a password login: {"token","message":"Your session got
//   successfully created"} plus the token in an `Authorization` header (the real route);
// - challenges live in one store with their kind (registration/authentication), the
//   registering account, and their creation time; a verify finds its challenge by
//   clientDataJSON.challenge and removes it whatever comes next. Expired means older than
//   5 minutes of broker clock (exactly 5:00 still works). A registration challenge asked for
//   by another account is 301. Authentication challenges belong to no account: the
//   username of the options is only a hint. clientDataJSON that cannot be decoded (missing,
//   not base64url, not a JSON object) identifies no challenge and burns none: 303 / 307;
// - login order: Joi, the credential by response.id (absent id: 307, Sequelize's "WHERE
//   parameter ... undefined" message; unknown: 305, nothing consumed), clientDataJSON, the
//   challenge (301), then the library's order: id/rawId/type, clientData type/origin, token
//   binding, base64url fields, authData parsing, rpIdHash, UP, UV, signCount rule, BS
//   without BE, and last the signature (a valid DER that does not verify: 306);
// - a signature that is not strict DER (a raw 64-byte r|s): 307 (the library's ASN.1 parser
//   throws; the spec's 307 row lists DER);
// - authenticator data parses as the library does: AT in an assertion needs attested data
//   after the 37 bytes (so a 37-byte one with AT is 307), extra bytes are "Leftover bytes
//   detected while parsing authenticator data", a COSE key not in shortest CBOR form too
//   (the library re-encodes it);
// - registration: the COSE key must be EC2, alg -7, crv 1, 32-byte x/y on P-256. Algorithms
//   outside the options' -8/-7/-257 get the library's "Unexpected public key alg" message;
//   -8 and -257 (which the real server would accept) are 303 too: the broker verifies ES256
//   only. fmt "none" needs an empty attStmt map; "packed" self attestation ({alg, sig} signed
//   by the credential key) is verified (a bad signature: 302), with x5c it is 303; other
//   formats 303. The library does not compare response.id with the credential id of the
//   authenticator data; the broker does (303) so that a client mismatch fails at once
//   instead of as 305 at the next login;
// - options echo the library's extras: authenticatorSelection also carries
//   authenticatorAttachment "platform" (what Nexterm asks for) and requireResidentKey false,
//   and `extensions: {"credProps": true}`. excludeCredentials and allowCredentials list the
//   rows in creation order; the passkey list is newest first (equal times: higher id first);
// - `new URL(origin)` is approximated (scheme, host, port; no IDNA, no IPv4 normalisation);
//   where it would throw: register/options and passkey/options 500 Express page "TypeError:
//   Invalid URL", the verify routes 303/307 "Invalid URL". Joi's uri() is approximated by a
//   scheme plus RFC 3986 characters;
// - PATCH/DELETE ids go through parseInt ("7abc" is 7); PATCH validates the body first
//   (400), then the id (309), then looks the row up (308); only the caller's own rows count.
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
  std::vector<NextermPasskeyInfo> passkeys(const std::string& user) const;
  bool set_passkey_sign_count(int passkey_id, uint32_t sign_count);
  void set_production_mode(bool on);
  void set_registration_open(bool on);
  void set_password_login_enabled(bool on);
  void reset_rate_limits();

 private:
  struct State;
  std::unique_ptr<State> s_;
};

// The route a Nexterm path with an id belongs to ("/api/sessions/17" -> "/api/sessions/:id",
// "/api/accounts/api-keys/3" -> "/api/accounts/api-keys/:id", "/api/accounts/passkeys/2" ->
// "/api/accounts/passkeys/:id"); "" for other paths. The
// broker counts such requests under both names and takes faults for either.
std::string nexterm_route_alias(const std::string& path);

}  // namespace testbroker
