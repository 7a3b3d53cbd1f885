// A typed client of the Neuron Agent API (neuron-agent-api.md): requests in, results out,
// HTTP errors mapped to authctl::Error with the design's exit codes.
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

struct NeuronToken {
  std::string jwt;
  int64_t expires = 0;       // server time, Unix seconds
  int64_t clock_offset = 0;  // server Date minus local clock when the answer arrived
  // Server time when it was asked for (so the lifetime is expires - issued_at); none for a
  // token handed over by someone else (a Quick Login's AgentApiToken).
  std::optional<int64_t> issued_at;
};

// AuthenticateJwt's view of a token. Its texts are the server's, unchecked (shown escaped):
// a string member as it is, another value as its JSON, nullopt when the answer has none.
struct VerifiedToken {
  struct Claim {
    std::string name, text;
  };
  std::optional<std::string> algorithm, issuer, subject;
  std::optional<int64_t> expires;            // "expiration", when it is a time (server clock)
  std::optional<std::vector<Claim>> claims;  // "claims", when it is an object, in key order
  // The answer as the server sent it, its "header" and "payload" JSON texts as the objects
  // they hold (--json passes it on).
  nlohmann::json server;
};

// An XMPP text message for Xmpp/SendTextMessage. Empty subject and language are left out.
struct TextMessage {
  std::string to;  // a bare or full JID
  std::string text;
  std::string subject, language;
};
// The request body of SendTextMessage for `message` (pure).
nlohmann::json text_message_body(const TextMessage& message);

class NeuronClient {
 public:
  // `origin` is the profile URL (scheme://authority); the authority is sent as Host and
  // signed in logins exactly as sent.
  NeuronClient(net::HttpClient& http, const std::string& origin);
  // A client with an HTTP client of its own, made with `options` (one per command).
  NeuronClient(net::ClientOptions options, const std::string& origin);
  // Registers `secret` with the trace of its HTTP client.
  void hide(const std::string& secret);

  // GET /Agent/Account/DomainInfo: nullopt-like empty object when the host is not a Neuron.
  // `answered` (if given) receives "HTTP <status> <media type>" for messages.
  nlohmann::json domain_info(std::string* answered = nullptr);
  // DomainInfo's domain (decode::neuron_domain): the domain this broker's Quick Login links
  // name; "" when it names none or the host is not a Neuron.
  std::string domain();
  NeuronToken login(const std::string& user, const std::string& password, int64_t seconds);
  // A JWT for an existing web session (HttpSessionID): QuickLogin first (a session where a
  // Quick Login was signed), else GetSessionToken (a session whose account was made with
  // the web form). Sets *user from the answer (or from Info).
  NeuronToken session_cookie_login(const std::string& cookie, int64_t seconds, std::string* user);
  // POST /QuickLogin (session mode, mode text) for tab `tab`: a code to sign in the app.
  // The first call sends no cookie and an empty serviceId; both are then set from the
  // answer (the cookie exactly as received). Later calls give them back for a fresh code.
  // Returns the signUrl (tagsign:DOMAIN,KEY). `seconds`: the token lifetime to ask for.
  std::string quick_login_code(const std::string& tab, const std::string& purpose, int64_t seconds,
                               std::string& cookie, std::string& service_id);
  // Agent/Account/QuickLogin: the JWT of a web session in which a Quick Login was signed.
  // Sets *user from the answer. Call it only after the signature: before, it counts as a
  // failed login.
  NeuronToken quick_login_token(const std::string& cookie, int64_t seconds, std::string* user);
  // A JWT handed over in a SignatureReceivedBE event (AgentApiToken): checked with Info,
  // which also gives the user name and the server clock. It comes without `expires`, so
  // its `exp` claim is taken (else issue time + `seconds`).
  NeuronToken adopt_token(const std::string& jwt, int64_t seconds, std::string* user);
  // PrepareRemoteQuickLogin on the user's own Neuron: the legal id to present elsewhere.
  std::string prepare_remote_quick_login(const std::string& jwt);
  struct RemoteOutcome {
    bool logged_in = false;
    bool petition_sent = false;
  };
  // RemoteQuickLogin on THIS (remote) Neuron: no JWT, the web session in `cookie` (updated
  // from Set-Cookie; empty: a new session).
  // `tab_id`: a tab registered on this Neuron's /ClientEvents that is told of the outcome.
  RemoteOutcome remote_quick_login(const std::string& legal_id, const std::string& purpose,
                                   std::string& cookie, const std::string& tab_id = {});
  // WwwLogin over HTTP Basic: the server sees the password itself (the caller allows it only
  // over https or loopback). Wrong credentials are Error(auth).
  NeuronToken www_login(const std::string& user, const std::string& password, int64_t seconds);
  // Retries once after a short pause on a connection error or 502/503/504.
  NeuronToken refresh(const std::string& jwt, int64_t seconds);
  void logout(const std::string& jwt);
  nlohmann::json info(const std::string& jwt);
  // The user name Info gives (checked: validate::is_user_name), "" when it gives none.
  std::string user_name(const std::string& jwt);
  // AuthenticateJwt: the broker's view of `token` (empty: the bearer token itself is checked).
  // An invalid token is Error(auth).
  VerifiedToken authenticate_jwt(const std::string& bearer, const std::string& token);

  // Account/Create, signed with the operator's API secret. The account starts disabled; the
  // returned token works for verification and Info. A taken name is Error(error) listing
  // the server's suggestions.
  struct NewAccount {
    std::string user, email, phone, password, api_key, api_secret;
    int64_t seconds = 3600;
  };
  NeuronToken create_account(const NewAccount& account, bool* enabled);
  // VerifyEMail / VerifyPhoneNr (code sent as a JSON number); a wrong code is Error(auth).
  void verify(const std::string& jwt, bool phone, const std::string& address, int64_t code);
  void resend_codes(const std::string& jwt, const std::string& email, const std::string& phone);

  // Xmpp/SendTextMessage: the message id; Error(error) when the broker says sent: false.
  std::string send_text_message(const std::string& jwt, const TextMessage& message);

  const HostSpec& host() const { return host_; }

 private:
  friend class ClientEvents;  // its long polls go over http_, with this client's secrets
  // A JSON POST to `path` with the Host, Content-Type and Accept every call sends.
  net::Request json_post(const std::string& path, const nlohmann::json& body) const;
  net::Response post(const std::string& path, const nlohmann::json& body,
                     const std::string& jwt = {});
  // A POST in a web session: the cookie sent unchanged (none when empty), and a new
  // HttpSessionID from Set-Cookie taken into `cookie`.
  net::Response web_post(const std::string& path, const nlohmann::json& body, std::string& cookie);
  NeuronToken parse_token(const net::Response& response);
  // The "userName" of an answer (validate::is_user_name), "" when it gives none.
  std::string user_name_of(const nlohmann::json& doc, const char* where) const;
  // `jwt` when it is one (validate::is_jwt); else a malformed answer naming `what`.
  std::string checked_jwt(const std::string& jwt, const std::string& what) const;
  // Throws the Error for a non-2xx answer. `what` names the action ("login", "refresh").
  [[noreturn]] void fail(const net::Response& response, const std::string& what);

  std::unique_ptr<net::HttpClient> owned_;  // set when made from ClientOptions
  net::HttpClient* http_;
  HostSpec host_;
};

}  // namespace authctl::backends
