// The test broker: a faithful local implementation of the Neuron Agent API and of the
// Nexterm server's auth/session API (Options::kind picks one) over real HTTP/HTTPS sockets
// on loopback. Used in-process by the end-to-end
// tests and as the `authctl-testbroker` executable by scripts/demo and shell tests.
//
// It implements the protocol from the specs, not a mock of authctl: signatures are checked
// against the received Host header, nonces are single-use, failed signatures are counted
// per client IP, tokens are HS256 JWTs with `exp` on the broker's movable clock.
//
// Choices where the spec is open (see broker.cpp, broker_neuron.cpp and broker_web.cpp):
// - errors are text/plain; on /Agent/ paths a request without `Accept: application/json`
//   gets its errors as an HTML page instead (the spec warns a Neuron may do that);
// - POSTs need `Content-Type: application/json` (400); unknown JSON properties are 400;
// - bad signature and unknown user: 403 "Invalid signature."; the 5th failure within an hour
//   from one IP: 429 (blocked for 60 s of broker clock, every Login/Create answered 429);
//   a success resets the count. Disabled account: 403 "Account not enabled.";
// - Create with a taken name: 409 "Account name already taken." + X-AlternativeName1/2;
//   wrong verification code: 403 "Invalid verification code.";
// - Refresh does not revoke the old token; Logout revokes the token it was called with.
// - Web sessions: a request without the HttpSessionID cookie (on /QuickLogin, /ClientEvents,
//   RemoteQuickLogin) gets a new one (64 lowercase hex); an unknown value is taken as is.
// - /QuickLogin: mode text|base64|image (else 400 "Invalid mode."); serviceId only on the
//   first call; a given serviceId must belong to the cookie's session (else 400 "Unknown
//   service ID."); every call makes a new code, each signable for 300 s.
// - /ClientEvents: text/plain (or a JSON string) absolute http(s) URL, else 400; an older
//   pending poll of the same tab answers NOP when a newer one arrives; events go by tab id.
// - Agent/Account/QuickLogin before signing: 403 "No Quick Login performed in this
//   session.", counted with the failed signatures (429 on the 5th). A remotely signed
//   session gets no JWT there.
// - WwwLogin: no Basic credentials: 401 + `WWW-Authenticate: Basic realm="DOMAIN"`; wrong
//   ones: the same 401, counted as a failure (429 on the 5th); disabled account: 403.
// - GetSessionToken without a web-form session: 403 "No account created in this session.";
//   its token lives 3600 s (`seconds`).
// - RemoteQuickLogin with any Authorization header: 400 (a home JWT must not leak to a
//   remote); asking again while pending sends another petition; legalId needs an "@".
// - SendTextMessage: disabled account 403; `to` must look like a JID (400 "Invalid JID.");
//   id: the given one or 32 hex. ResendVerificationCodes sends the same codes again.
//
// Test controls on the same server (JSON bodies, Content-Type optional; they count under
// their own path only and get no latency or faults, not even from "*"):
//   POST /_test/accounts {user,password,email,enabled?}   POST /_test/apikeys {key,secret}
//   GET  /_test/counters -> {path:count}                  POST /_test/reset-counters
//   POST /_test/clock {advance:seconds} -> {now}          GET  /_test/clock -> {now}
//   POST /_test/latency {ms}                              POST /_test/reset-failures
//   POST /_test/fault {path, fault:"drop_connection"|"html_error"|..., times?}
//   POST /_test/answer {path, status, body (JSON), times?}
//   POST /_test/hostile {path, set?:{POINTER: RAW_JSON_TEXT}, body?: RAW, content_type?,
//        headers?:{NAME: VALUE}, status?, times?}   (hostile mode: edits the route's answer)
//   GET  /_test/email-code?email=E -> {code}              GET  /_test/phone-code?phone=P
//   POST /_test/token {user, seconds?} -> {jwt, expires}  GET  /_test/hosts -> [host...]
//   POST /_test/reset-rate-limits
//
// The Neuron's web side (cookie `HttpSessionID` sessions, /QuickLogin, /ClientEvents) and
// the rest of the Agent API (QuickLogin, WwwLogin, GetSessionToken, PrepareRemoteQuickLogin,
// RemoteQuickLogin, RemoteReferences, Xmpp/SendTextMessage); choices in broker_web.cpp. Controls
// that play the phone app and read what was sent:
//   POST /_test/quick-login/sign {ref, user, withToken?} -> {signed}   (ref: tab, key, signUrl)
//   POST /_test/quick-login/decline {ref} -> {declined}
//   POST /_test/remote-petition/sign {ref, user} -> {signed}          (ref: legalId or cookie)
//   POST /_test/web-session {user} -> {cookie}   ("" when no such account)
//   POST /_test/client-events-wait {ms}          POST /_test/client-event {tab,type,data?} ->
//   {queued} GET  /_test/client-tab?tab=T -> {registered, cookie} GET  /_test/messages ->
//   [{from,to,message,subject?,language?,id,at}] POST /_test/fail-next-send                   GET
//   /_test/legal-id?user=U -> {legalId} POST /_test/remote-references {user, domain, legalId}
//
// Nexterm (kind == nexterm; see nexterm.hpp for its choices) adds:
//   POST /_test/nexterm/accounts {user,password,totp?,admin?} -> {id}
//   GET  /_test/nexterm/totp-secret?user=U -> {secret}
//   GET  /_test/nexterm/totp-code?user=U[&at=UNIX] -> {code}   (string, leading zeros kept)
//   POST /_test/nexterm/sessions {user,userAgent,ip?,lastActivity?} -> {token}
//   GET  /_test/nexterm/sessions?user=U -> [{id,token,ip,userAgent,lastActivity}]
//   POST /_test/nexterm/api-keys {user,name} -> {token}
//   POST /_test/nexterm/device/approve {code,user} -> {token} ("" when not approvable)
//   POST /_test/nexterm/device/claim {token} -> {claimed}
//   GET  /_test/nexterm/device/poll-token?code=C -> {token}
//   POST /_test/nexterm/settings {productionMode?,registrationOpen?,passwordLogin?}
//   GET  /_test/nexterm/passkeys?user=U -> [{id,name,credentialId,signCount,createdAt}]
//        (by row id; credentialId base64url, createdAt broker-clock Unix ms)
//   POST /_test/nexterm/passkeys/sign-count {id,signCount} -> {updated} (false: no such row)
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "hostile.hpp"

namespace testbroker {

struct TlsFiles {
  std::string ca_cert;      // PEM of the test CA (give this to authctl --cacert)
  std::string server_cert;  // PEM, signed by the CA, SAN 127.0.0.1, ::1, localhost
  std::string server_key;   // PEM
};

// Makes a fresh CA and server certificate in `dir` (created if missing). Returns the paths.
TlsFiles make_test_pki(const std::string& dir);

// Makes a self-signed server certificate NOT signed by any CA authctl trusts (for the
// "TLS not trusted" tests). Its ca_cert is empty: there is no CA.
TlsFiles make_untrusted_pki(const std::string& dir);

enum class Kind { neuron, nexterm };

struct Options {
  std::string bind = "127.0.0.1";  // loopback only; anything else is refused
  int port = 0;                    // 0 = ephemeral
  bool tls = false;
  TlsFiles tls_files;                // used when tls is true
  std::string domain = "localhost";  // Neuron domain (JWT iss = https://DOMAIN, realm)
  int threads = 64;                  // task queue size: long polls and parallel clients
  Kind kind = Kind::neuron;  // which server this is: Neuron serves /Agent/..., Nexterm /api/...
};

// A Nexterm session row as the server stores it.
struct NextermSessionInfo {
  int id = 0;
  std::string token;  // 96 lowercase hex
  std::string ip;
  std::string user_agent;
  int64_t last_activity = 0;     // broker clock, Unix seconds
  int64_t last_activity_ms = 0;  // the same in milliseconds
};

// A Nexterm passkey row as the server stores it.
struct NextermPasskeyInfo {
  int id = 0;  // row id (what the list, PATCH and DELETE routes use)
  std::string name;
  std::string credential_id;  // base64url without padding, as in the WebAuthn responses
  uint32_t sign_count = 0;    // the stored counter the next assertion is checked against
  int64_t created_ms = 0;     // broker clock, Unix milliseconds
};

// An XMPP text message as Xmpp/SendTextMessage accepted it.
struct SentMessage {
  std::string from;  // bare JID of the sender: USER@DOMAIN
  std::string to, message, subject, language, id;
  int64_t at = 0;  // broker clock, Unix seconds
};

enum class Fault {
  none,
  drop_connection,  // close the socket without an answer
  html_error,       // 500 with an HTML page (Content-Type text/html)
  malformed_json,   // 200, Content-Type application/json, body not JSON
  rate_limit,  // 429 text/plain "Too many failed login attempts ... Try again in 1 minute(s)..."
  blocked,     // 403 text/plain "This endpoint (IP:PORT) has been blocked from the system."
  slow_body,   // 200 whose body trickles out slower than any sane timeout
  huge_body,   // 200 application/json body of 5 MiB
  service_unavailable,  // 503 text/plain
  redirect,             // 302 to /_redirected<path> (authctl must not follow it)
};

class Broker {
 public:
  explicit Broker(Options options = {});
  ~Broker();  // stops the server
  Broker(const Broker&) = delete;
  Broker& operator=(const Broker&) = delete;

  void start();  // binds, serves on a background thread; returns when accepting
  void stop();
  int port() const;
  std::string url() const;  // "http://127.0.0.1:PORT" or "https://127.0.0.1:PORT"

  // --- seeding ---
  // A Neuron account. enabled=false models an account whose e-mail is not yet verified.
  void add_neuron_account(const std::string& user, const std::string& password,
                          const std::string& email, bool enabled = true);
  // An operator API key for Account/Create.
  void add_api_key(const std::string& key, const std::string& secret);
  // The e-mail verification code the broker "sent" for this address (0 if none).
  int email_code(const std::string& email) const;
  // The SMS verification code the broker "sent" for this phone number (0 if none).
  int phone_code(const std::string& phone) const;
  // A JWT for USER valid for SECONDS on the broker clock, as Login would issue it.
  std::string issue_token(const std::string& user, int seconds);

  // --- observation ---
  // Requests received per path, e.g. count("/Agent/Account/Refresh"); faulted and
  // rejected requests count too.
  int count(const std::string& path) const;
  void reset_counters();
  // Host headers received on signed requests, most recent last.
  std::vector<std::string> hosts_seen() const;

  // --- control ---
  int64_t now() const;  // broker clock, Unix seconds
  void advance_clock(int64_t seconds);
  void set_latency_ms(int ms);  // added before every answer
  // The next `times` requests to `path` ("*" = any) get `fault` instead of an answer.
  // Faults for a path queue up; Fault::none (or times <= 0) clears that path's queue.
  // An exact path's faults are used before "*"'s; "*" never applies to /_test/ paths.
  void inject_fault(const std::string& path, Fault fault, int times = 1);
  // The next `times` requests to `path` get this JSON answer instead of the route's: for
  // answers the real server gives that an honest client cannot provoke (e.g. Nexterm's
  // 302 "attestation did not verify"). Counted and delayed like any request.
  void inject_answer(const std::string& path, int status, const std::string& json_body,
                     int times = 1);
  // Hostile mode: the next `answer.times` answers of `path` are edited as a malicious server
  // would send them (see hostile.hpp), after the route did its honest work (so a session it
  // made still exists). An exact path only; never applied to /_test/ paths.
  void inject_hostile(const std::string& path, const HostileAnswer& answer);
  void reset_failures();  // forget failed-signature counts and blocks (and rate limits)

  // --- Neuron web sessions, Quick Login, remote quick login, messages ---
  // How long /ClientEvents holds a poll with nothing to say before it answers NOP
  // (default 20000, as the real server; tests make it short).
  void set_client_events_wait_ms(int ms);
  // The phone app signs a pending Quick Login: `ref` is the tab id given to /QuickLogin, the
  // key of a signUrl or the whole signUrl; `user` an account of this broker. The web session
  // that asked for the code is then logged in (Agent/Account/QuickLogin works with its
  // cookie) and the tab gets SignatureReceivedBE: data {Domain, AgentApiToken} when
  // with_token and the request gave agentApiTimeout > 0, else "" (IoTGateway's empty event).
  // False when no unexpired code matches (codes live 300 s of broker clock) or no such user.
  bool sign_quick_login(const std::string& ref, const std::string& user, bool with_token = false);
  // Who asked for a pending Quick Login code (`ref` as for sign_quick_login): the tab id
  // and the web session (HttpSessionID value) given to /QuickLogin; empty when none.
  struct QuickLoginRequest {
    std::string tab, session, purpose;
    int64_t agent_api_timeout = 0;
  };
  QuickLoginRequest quick_login_request(const std::string& ref) const;
  // The user declines in the app: the code is gone, and nothing else happens (no event).
  // True when a pending code matched.
  bool decline_quick_login(const std::string& ref);
  // The user signs a RemoteQuickLogin petition; `ref` is the legalId or the caller's cookie
  // value. That web session is logged in and every tabId given with its petitions gets
  // SignatureReceived (data {Id, State, Created, Properties:{ACCOUNT:user}, Attachments:[]}).
  bool sign_remote_petition(const std::string& ref, const std::string& user);
  // A web session in which USER (an existing account) was created with the web form, as
  // GetSessionToken needs. Returns its HttpSessionID value; "" when there is no such account.
  std::string web_form_session(const std::string& user);
  // Queues an event for a tab registered on /ClientEvents (e.g. CheckServerInstance). `data`
  // is sent as a JSON string, or as JSON when data_is_json. False when the tab is unknown or
  // dropped (not polled for 60 s), as the event is then lost.
  bool push_client_event(const std::string& tab, const std::string& type, const std::string& data,
                         bool data_is_json = false);
  // The HttpSessionID the tab registered with on /ClientEvents; "" when none or unknown.
  std::string client_tab_cookie(const std::string& tab) const;
  bool client_tab_registered(const std::string& tab) const;
  // USER's legal identity on this Neuron (made on first use; PrepareRemoteQuickLogin's answer).
  std::string legal_id(const std::string& user);
  // Adds an entry to USER's RemoteReferences answer.
  void add_remote_reference(const std::string& user, const std::string& domain,
                            const std::string& legal_id);
  // Messages accepted by SendTextMessage, oldest first.
  std::vector<SentMessage> sent_messages() const;
  // The next SendTextMessage answers {sent:false} (and the message is not recorded).
  void fail_next_send();

  // --- Nexterm (kind == nexterm) ---
  // An account. The real server makes its first registered account admin; here `admin` says.
  // Adding an existing name updates its password and flags and keeps its id. Returns the id.
  int add_nexterm_account(const std::string& user, const std::string& password, bool totp = false,
                          bool admin = false);
  std::string nexterm_totp_secret(const std::string& user) const;  // base32, 52 chars
  // The 6-digit code (leading zeros kept) for the 30 s step containing `at` (Unix seconds).
  std::string nexterm_totp_code(const std::string& user, int64_t at) const;
  // Makes a session directly (as a login would); returns its 96-hex token.
  // last_activity < 0: now on the broker clock.
  std::string nexterm_session(const std::string& user, const std::string& user_agent,
                              const std::string& ip = "127.0.0.1", int64_t last_activity = -1);
  std::vector<NextermSessionInfo> nexterm_sessions(const std::string& user) const;  // by id
  std::string nexterm_api_key(const std::string& user, const std::string& name);    // "nxt_..."
  // Approves a device code as the web UI would (a new session for approver_user with the
  // device's User-Agent and IP). Returns that session's token; "" when the code is unknown,
  // expired or already authorized.
  std::string device_approve(const std::string& code, const std::string& approver_user);
  // Polls like the phone app in the link flow; true when it received a session token.
  bool device_claim(const std::string& poll_token);
  std::string device_poll_token_for(const std::string& code) const;  // "" when unknown
  // USER's passkeys, by row id.
  std::vector<NextermPasskeyInfo> nexterm_passkeys(const std::string& user) const;
  // Sets a passkey's stored signCount (for the counter rule); false when no such row id.
  bool nexterm_set_passkey_sign_count(int passkey_id, uint32_t sign_count);
  // Unknown GET routes answer 200 text/html index.html, error pages lose their details.
  void set_production_mode(bool on);
  void set_registration_open(bool on);       // self-registration (default off)
  void set_password_login_enabled(bool on);  // the internal auth provider (default on)
  void reset_rate_limits();                  // the auth and device limiters, every IP

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace testbroker
