// A typed client of the Nexterm API (nexterm-api.md). Its odd parts are handled here, so
// commands never see them: errors inside HTTP 200 bodies (an integer "code"), 0/1 booleans,
// HTML where JSON was due, the device code's string "code" versus error codes.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/host.hpp"
#include "net/http.hpp"

namespace authctl::backends {

// A Nexterm answer of the form 200 {"code": <int>, "message": ...}, or a 4xx {"message"}.
struct NextermSoftError {
  int code = 0;  // the integer code, or the HTTP status for 4xx answers without one
  std::string message;
};

struct NextermLogin {
  std::string token;                        // set on success
  bool totp_required = false;               // 202: ask for a code and post again
  std::optional<NextermSoftError> refused;  // 201, 203, 403 ...: the caller maps them
  int64_t clock_offset = 0;                 // server Date minus local clock
};

struct DeviceCode {
  std::string code;          // XXXX-XXXX
  std::string poll_token;    // 64 hex
  int64_t expires_at = 0;    // server time
  int64_t clock_offset = 0;  // server Date minus local clock
};

struct DeviceInfo {
  std::string ip, user_agent, client_type;
  int64_t expires_at = 0;
};

struct NextermSession {
  int64_t id = 0;
  std::string ip, user_agent;
  int64_t last_activity = 0;
  bool current = false;
};

struct ApiKey {
  int64_t id = 0;
  std::string name;
  std::string prefix;  // the key's first characters, without the server's display ellipsis
  std::optional<int64_t> expires_at, created_at, last_used_at;
  std::string token;  // only from create
};

struct PasskeyInfo {
  int64_t id = 0;  // the server's row id (not the credential id)
  std::string name;
  std::optional<int64_t> created_at;
};

// register/options, checked: what the authenticator signs of the creation options. The rest
// (user, pubKeyCredParams, ...) is the server's wish list for other authenticators: authctl
// always makes a P-256 key with attestation "none".
struct PasskeyCreationOptions {
  std::string rp_id;      // rp.id: always this server's host (checked)
  std::string challenge;  // base64url, carried verbatim into clientDataJSON
};

// auth/passkey/options, checked: the site the key must be for, and the challenge to sign.
struct PasskeyRequestOptions {
  std::string rp_id;      // rpId, not empty; the caller compares it with its key's
  std::string challenge;  // base64url, carried verbatim into clientDataJSON
};

// What a passkey login gives: the session token, or that the challenge was not valid
// (301: the caller starts over once with fresh options).
struct PasskeyLogin {
  std::string token;
  bool stale_challenge = false;
  int64_t clock_offset = 0;
};

bool is_nexterm_api_key(const std::string& token);  // "nxt_" + 64 hex

class NextermClient {
 public:
  NextermClient(net::HttpClient& http, const std::string& origin);
  // A client with an HTTP client of its own, made with `options` (one per command).
  NextermClient(net::ClientOptions options, const std::string& origin);
  // Registers `secret` with the trace of its HTTP client.
  void hide(const std::string& secret);

  // GET /api/service/version: the version string, or nullopt when this is not a Nexterm.
  // `answered` (if given) receives "HTTP <status> <media type>" for messages.
  std::optional<std::string> version(std::string* answered = nullptr);

  // POST /api/auth/login, without `code` unless given (never null).
  NextermLogin login(const std::string& user, const std::string& password,
                     const std::optional<std::string>& code);
  // true: ended now; false: the server did not know the token ({"code":204}).
  bool logout(const std::string& token);
  nlohmann::json me(const std::string& token);
  // The user name /api/accounts/me gives (checked: validate::is_user_name), "" when none.
  std::string user_name(const std::string& token);

  // Device flows. `token` may be empty for device_create (no session: rate limited).
  DeviceCode device_create(const std::string& client_type, const std::string& token);
  // "pending", "authorized" (then *session_token is set) or "invalid".
  std::string device_poll(const std::string& poll_token, std::string* session_token);
  DeviceInfo device_info(const std::string& token, const std::string& code);
  void device_authorize(const std::string& token, const std::string& code);
  std::string link_status(const std::string& token, const std::string& code);
  // The User-Agent this client sends: the sessions it makes carry it.
  const std::string& user_agent() const { return http_->options().user_agent; }

  std::vector<NextermSession> sessions(const std::string& token);
  // DELETE /api/sessions/:id for each id, at most `parallel` at once. Per id: nullopt when
  // deleted, else the error text.
  std::vector<std::optional<std::string>> delete_sessions(const std::string& token,
                                                          const std::vector<int64_t>& ids,
                                                          int parallel);

  ApiKey create_api_key(const std::string& token, const std::string& name,
                        const std::optional<std::string>& expires_at);
  std::vector<ApiKey> api_keys(const std::string& token);
  void revoke_api_key(const std::string& token, int64_t id);

  // Passkeys (nexterm-passkeys.md; in nexterm_passkeys.cpp). `origin` is sent as given and
  // must be what clientDataJSON carries.
  // register/options: the creation options, checked (rp.id this server's host).
  PasskeyCreationOptions passkey_register_options(const std::string& token,
                                                  const std::string& origin);
  // register/verify: false when the challenge was not valid (301; start over once).
  // 302/303 are Error(error) with the server's message.
  bool passkey_register_verify(const std::string& token, const std::string& origin,
                               const std::string& name, const nlohmann::json& credential);
  std::vector<PasskeyInfo> passkeys(const std::string& token);
  void rename_passkey(const std::string& token, int64_t id, const std::string& name);
  // false when the server has no such passkey (308/309).
  bool delete_passkey(const std::string& token, int64_t id);
  // auth/passkey/options, checked. Unknown user (201) and no passkeys (304) are Error(auth).
  PasskeyRequestOptions passkey_login_options(const std::string& origin, const std::string& user);
  // auth/passkey/verify. 305/306/307 are Error(auth); 429 Error(rate_limited).
  PasskeyLogin passkey_login_verify(const std::string& origin, const nlohmann::json& assertion);

  const HostSpec& host() const { return host_; }

 private:
  net::Request request(const std::string& method, const std::string& path, const std::string& token,
                       const nlohmann::json* body) const;
  net::Response send(const std::string& method, const std::string& path, const std::string& token,
                     const nlohmann::json* body = nullptr);
  // The JSON of a successful answer; throws the mapped Error otherwise. `what` names the
  // action for messages.
  nlohmann::json expect_json(const net::Response& r, const std::string& what);
  [[noreturn]] void fail(const net::Response& r, const std::string& what);

  std::unique_ptr<net::HttpClient> owned_;  // set when made from ClientOptions
  net::HttpClient* http_;
  HostSpec host_;
};

// The soft error of an answer (integer code in a 200 body, or 4xx with {"message"}), if any.
std::optional<NextermSoftError> soft_error(const net::Response& r);

}  // namespace authctl::backends
