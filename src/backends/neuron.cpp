#include "backends/neuron.hpp"

#include <strings.h>

#include <chrono>
#include <thread>

#include "backends/answer.hpp"
#include "backends/decoders.hpp"
#include "backends/http_failure.hpp"
#include "core/crypto.hpp"
#include "core/error.hpp"
#include "core/text.hpp"
#include "core/timeutil.hpp"
#include "core/validate.hpp"

namespace authctl::backends {

NeuronClient::NeuronClient(net::HttpClient& http, const std::string& origin)
    : http_(&http), host_(parse_host(origin, /*allow_http=*/true)) {}

NeuronClient::NeuronClient(net::ClientOptions options, const std::string& origin)
    : owned_(std::make_unique<net::HttpClient>(std::move(options))),
      http_(owned_.get()),
      host_(parse_host(origin, /*allow_http=*/true)) {}

void NeuronClient::hide(const std::string& secret) {
  http_->add_secret(secret);
}

net::Request NeuronClient::json_post(const std::string& path, const nlohmann::json& body) const {
  net::Request request;
  request.method = "POST";
  request.url = host_.origin + path;
  request.headers = {{"Host", host_.authority},
                     {"Content-Type", "application/json"},
                     {"Accept", "application/json"}};
  request.body = body.dump();
  return request;
}

net::Response NeuronClient::post(const std::string& path, const nlohmann::json& body,
                                 const std::string& jwt) {
  net::Request request = json_post(path, body);
  if (!jwt.empty()) request.headers.emplace_back("Authorization", "Bearer " + jwt);
  return http_->perform(request);
}

net::Response NeuronClient::web_post(const std::string& path, const nlohmann::json& body,
                                     std::string& cookie) {
  // Deliberately never an Authorization header: a web session stands on its cookie alone,
  // and a home token must never reach another Neuron.
  net::Request request = json_post(path, body);
  if (!cookie.empty()) request.headers.emplace_back("Cookie", "HttpSessionID=" + cookie);
  net::Response r = http_->perform(request);
  for (const auto& [name, value] : r.headers) {
    // Keep the web session exactly as the server set it.
    if (name.size() == 10 && strncasecmp(name.c_str(), "set-cookie", 10) == 0 &&
        value.rfind("HttpSessionID=", 0) == 0) {
      const size_t end = value.find(';');
      std::string given = value.substr(14, end == std::string::npos ? std::string::npos : end - 14);
      http_->add_secret(given);
      // It goes back in a Cookie header and into the store: RFC 6265 cookie-octets only.
      if (!validate::is_cookie_value(given))
        answer::unexpected(host_.authority,
                           "the HttpSessionID cookie is not a valid cookie value (RFC 6265)");
      cookie = std::move(given);
    }
  }
  return r;
}

void NeuronClient::fail(const net::Response& r, const std::string& what) {
  const std::string server = host_.authority;
  const std::string text = r.said();
  const ErrorFacts facts{server, {}, std::nullopt};
  if (r.status == 401)
    throw Error(ExitCode::auth,
                text::with_server_text(
                    what + " refused by " + server + ": the token is expired or revoked", text),
                Reason::session_ended, facts);
  if (r.status == 403) {  // Neuron's answer to a wrong password, a bad token and a block
    if (text.find("blocked") != std::string::npos)
      throw Error(ExitCode::rate_limited,
                  text::with_server_text(server + " has blocked this client", text),
                  Reason::blocked, facts);
    if (what == "login")
      throw Error(ExitCode::auth, text::with_server_text("wrong user name or password", text),
                  Reason::wrong_password, facts);
    throw Error(ExitCode::auth, text::with_server_text(what + " refused by " + server, text),
                Reason::session_ended, facts);
  }
  throw_status(r, r.status, server, what, text);
}

NeuronToken NeuronClient::parse_token(const net::Response& r) {
  NeuronToken token = decode::neuron_token(r.json(), decode::clock_offset(r), host_.authority);
  token.issued_at = r.sent_at + token.clock_offset;
  http_->add_secret(token.jwt);
  return token;
}

nlohmann::json NeuronClient::domain_info(std::string* answered) {
  net::Request request;
  request.url = host_.origin + "/Agent/Account/DomainInfo";
  request.headers = {{"Host", host_.authority}, {"Accept", "application/json"}};
  auto r = http_->perform(request);
  if (answered) *answered = r.summary();
  if (r.status == 429 || (r.status == 403 && r.error_text().find("blocked") != std::string::npos))
    fail(r, "probe");
  if (r.status != 200 || !r.is_json()) return nullptr;
  auto doc = answer::parse_json(r, host_.authority);
  if (!doc || !doc->is_object() || !doc->contains("useEncryption")) return nullptr;
  // The domain decides which tagsign: links are this broker's (login --qr).
  answer::Fields(*doc, host_.authority, "of DomainInfo").optional_text("domain");
  return *doc;
}

std::string NeuronClient::domain() {
  return decode::neuron_domain(domain_info(), host_.authority);
}

NeuronToken NeuronClient::login(const std::string& user, const std::string& password,
                                int64_t seconds) {
  const std::string nonce = crypto::make_nonce();
  // Signed over the authority exactly as the Host header carries it.
  std::string signature =
      crypto::hmac_sha256_base64(password, user + ":" + host_.authority + ":" + nonce);
  http_->add_secret(password);
  http_->add_secret(signature);
  auto r =
      post("/Agent/Account/Login",
           {{"userName", user}, {"nonce", nonce}, {"signature", signature}, {"seconds", seconds}});
  crypto::wipe(signature);
  if (r.status != 200) fail(r, "login");
  return parse_token(r);
}

NeuronToken NeuronClient::session_cookie_login(const std::string& cookie, int64_t seconds,
                                               std::string* user) {
  std::string session = cookie;
  auto quick = web_post("/Agent/Account/QuickLogin", {{"seconds", seconds}}, session);
  if (quick.status == 200) {
    NeuronToken token = parse_token(quick);
    if (user) *user = user_name_of(quick.json(), "of QuickLogin");
    return token;
  }
  if (quick.status == 429) fail(quick, "login");
  auto created = web_post("/Agent/Account/GetSessionToken", nlohmann::json::object(), session);
  if (created.status == 403 || created.status == 401)
    throw Error(ExitCode::auth,
                text::with_server_text("the web session is not logged in on " + host_.authority,
                                       created.said()),
                Reason::web_session_logged_out);
  if (created.status != 200) fail(created, "login");
  net::Response as_token = created;
  as_token.body = decode::account_created(created.json(), host_.authority).dump();
  NeuronToken token = parse_token(as_token);
  if (user) *user = user_name_of(info(token.jwt), "of Account/Info");
  return token;
}

std::string NeuronClient::quick_login_code(const std::string& tab, const std::string& purpose,
                                           int64_t seconds, std::string& cookie,
                                           std::string& service_id) {
  const bool first = service_id.empty();
  nlohmann::json body = {
      {"serviceId", service_id}, {"tab", tab}, {"mode", "text"}, {"purpose", purpose}};
  if (first) {
    body["agentApiTimeout"] = seconds;
    cookie.clear();  // the first call opens a new web session
  }
  auto r = web_post("/QuickLogin", body, cookie);
  if (r.status == 404 || r.status == 405)
    throw Error(ExitCode::error,
                host_.authority + " has no Quick Login (/QuickLogin answered " + r.summary() + ")",
                Reason::no_quick_login, ErrorFacts{host_.authority, {}, std::nullopt});
  if (r.status != 200) fail(r, "QR login");
  const nlohmann::json doc = r.json();
  const answer::Fields fields(doc, host_.authority, "of /QuickLogin");
  const std::string sign_url = fields.text("signUrl");
  if (first) {
    // Unconfirmed whether a real Neuron always sends serviceId; without it a fresh code
    // means a new session, which the caller handles by starting over.
    service_id = fields.optional_text("serviceId");
    if (cookie.empty())
      throw Error(ExitCode::error,
                  host_.authority + " answered /QuickLogin without an HttpSessionID cookie",
                  Reason::misbehaving, ErrorFacts{host_.authority, {}, std::nullopt});
  }
  return sign_url;
}

NeuronToken NeuronClient::quick_login_token(const std::string& cookie, int64_t seconds,
                                            std::string* user) {
  std::string session = cookie;
  auto r = web_post("/Agent/Account/QuickLogin", {{"seconds", seconds}}, session);
  if (r.status != 200) fail(r, "QR login");
  NeuronToken token = parse_token(r);
  if (user) *user = user_name_of(r.json(), "of QuickLogin");
  return token;
}

std::string NeuronClient::prepare_remote_quick_login(const std::string& jwt) {
  auto r = post("/Agent/Account/PrepareRemoteQuickLogin", nlohmann::json::object(), jwt);
  if (r.status != 200) fail(r, "remote login preparation");
  const nlohmann::json doc = r.json();
  return answer::Fields(doc, host_.authority, "of PrepareRemoteQuickLogin").text("legalId");
}

NeuronClient::RemoteOutcome NeuronClient::remote_quick_login(const std::string& legal_id,
                                                             const std::string& purpose,
                                                             std::string& cookie,
                                                             const std::string& tab_id) {
  nlohmann::json body = {{"legalId", legal_id}, {"purpose", purpose}};
  if (!tab_id.empty()) body["tabId"] = tab_id;
  auto r = web_post("/Agent/Account/RemoteQuickLogin", body, cookie);
  if (r.status == 404 || r.status == 405)
    throw Error(ExitCode::error,
                host_.authority + " has no remote quick login (RemoteQuickLogin answered " +
                    r.summary() + ")",
                Reason::remote_not_neuron, ErrorFacts{host_.authority, {}, std::nullopt});
  if (r.status != 200) fail(r, "remote login");
  const nlohmann::json doc = r.json();
  const answer::Fields fields(doc, host_.authority, "of RemoteQuickLogin");
  return RemoteOutcome{fields.flag("loggedIn"), fields.flag("petitionSent")};
}

NeuronToken NeuronClient::www_login(const std::string& user, const std::string& password,
                                    int64_t seconds) {
  std::string credentials = crypto::base64_encode(user + ":" + password);
  http_->add_secret(password);
  net::Request request = json_post("/Agent/Account/WwwLogin", {{"seconds", seconds}});
  request.headers.emplace_back("Authorization", "Basic " + credentials);
  auto r = http_->perform(request);
  crypto::wipe(request.headers.back().second);
  crypto::wipe(credentials);
  if (r.status == 401)
    throw Error(ExitCode::auth, "WWW login refused by " + host_.authority,
                Reason::wrong_www_password, ErrorFacts{host_.authority, {}, std::nullopt});
  if (r.status != 200) fail(r, "login");
  return parse_token(r);
}

NeuronToken NeuronClient::refresh(const std::string& jwt, int64_t seconds) {
  for (int attempt = 0;; ++attempt) {
    try {
      auto r = post("/Agent/Account/Refresh", {{"seconds", seconds}}, jwt);
      bool transient = r.status == 502 || r.status == 503 || r.status == 504;
      if (transient && attempt == 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        continue;
      }
      if (r.status != 200) fail(r, "refresh");
      return parse_token(r);
    } catch (const Error& e) {
      if (e.code() != ExitCode::network || attempt > 0) throw;
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
  }
}

void NeuronClient::logout(const std::string& jwt) {
  auto r = post("/Agent/Account/Logout", nlohmann::json::object(), jwt);
  if (r.status != 200) fail(r, "logout");
}

VerifiedToken NeuronClient::authenticate_jwt(const std::string& bearer, const std::string& token) {
  if (!token.empty()) http_->add_secret(token);  // it goes in the body, not a header
  nlohmann::json body = nlohmann::json::object();
  if (!token.empty()) body["token"] = token;
  auto r = post("/Agent/Account/AuthenticateJwt", body, token.empty() ? bearer : std::string());
  if (r.status == 403)
    throw Error(ExitCode::auth,
                text::with_server_text(host_.authority + " says the token is not valid", r.said()),
                token.empty() ? Reason::session_ended : Reason::given_token_invalid,
                ErrorFacts{host_.authority, {}, std::nullopt});
  if (r.status != 200) fail(r, "token verification");
  return decode::verified_token(r.json(), host_.authority);
}

NeuronToken NeuronClient::create_account(const NewAccount& a, bool* enabled) {
  const std::string nonce = crypto::make_nonce();
  // userName:Host:eMail:[phoneNr:]password:apiKey:nonce, keyed with the API secret.
  std::string data = a.user + ":" + host_.authority + ":" + a.email + ":" +
                     (a.phone.empty() ? "" : a.phone + ":") + a.password + ":" + a.api_key + ":" +
                     nonce;
  std::string signature = crypto::hmac_sha256_base64(a.api_secret, data);
  crypto::wipe(data);
  http_->add_secret(a.password);
  http_->add_secret(a.api_secret);
  http_->add_secret(signature);
  nlohmann::json body = {{"userName", a.user},  {"eMail", a.email}, {"password", a.password},
                         {"apiKey", a.api_key}, {"nonce", nonce},   {"signature", signature},
                         {"seconds", a.seconds}};
  if (!a.phone.empty()) body["phoneNr"] = a.phone;
  auto r = post("/Agent/Account/Create", body);
  crypto::wipe(signature);
  if (r.status == 409) {
    std::string suggestions;
    for (int i = 1;; ++i) {
      std::string name = r.header("X-AlternativeName" + std::to_string(i));
      if (name.empty()) break;
      suggestions += (suggestions.empty() ? "" : ", ") + name;
    }
    throw Error(ExitCode::error, "the user name " + a.user + " is taken on " + host_.authority,
                Reason::user_taken, ErrorFacts{a.user, suggestions, std::nullopt});
  }
  if (r.status != 200) fail(r, "account creation");
  NeuronToken token = parse_token(r);
  if (enabled) *enabled = answer::Fields(r.json(), host_.authority, "").flag("enabled");
  return token;
}

void NeuronClient::verify(const std::string& jwt, bool phone, const std::string& address,
                          int64_t code) {
  nlohmann::json body = {{phone ? "phoneNr" : "eMail", address}, {"code", code}};
  auto r = post(phone ? "/Agent/Account/VerifyPhoneNr" : "/Agent/Account/VerifyEMail", body, jwt);
  if (r.status == 400 || r.status == 403)
    throw Error(ExitCode::auth,
                text::with_server_text("the verification code was refused", r.said()),
                Reason::code_refused);
  if (r.status != 200) fail(r, "verification");
}

void NeuronClient::resend_codes(const std::string& jwt, const std::string& email,
                                const std::string& phone) {
  nlohmann::json body = {{"eMail", email}};
  if (!phone.empty()) body["phoneNr"] = phone;
  auto r = post("/Agent/Account/ResendVerificationCodes", body, jwt);
  if (r.status != 200) fail(r, "resending the codes");
}

nlohmann::json text_message_body(const TextMessage& message) {
  nlohmann::json body = {{"to", message.to}, {"message", message.text}};
  if (!message.subject.empty()) body["subject"] = message.subject;
  if (!message.language.empty()) body["language"] = message.language;
  return body;
}

std::string NeuronClient::send_text_message(const std::string& jwt, const TextMessage& message) {
  auto r = post("/Agent/Xmpp/SendTextMessage", text_message_body(message), jwt);
  if (r.status != 200) fail(r, "sending the message");
  const nlohmann::json doc = r.json();
  const answer::Fields fields(doc, host_.authority, "of SendTextMessage");
  if (!fields.flag("sent"))
    throw Error(ExitCode::error, host_.authority + " did not send the message (sent: false)",
                Reason::message_not_sent);
  return fields.optional_text("id");
}

NeuronToken NeuronClient::adopt_token(const std::string& jwt, int64_t seconds, std::string* user) {
  http_->add_secret(jwt);
  // It came in an event, from the server: checked before it is sent back in a header.
  checked_jwt(jwt, "the AgentApiToken of the signature event");
  auto r = post("/Agent/Account/Info", nlohmann::json::object(), jwt);
  if (r.status != 200) fail(r, "QR login");
  auto doc = r.json();
  NeuronToken token;
  token.jwt = jwt;
  token.clock_offset = decode::clock_offset(r);
  token.expires =
      decode::adopted_expiry(jwt, r.sent_at + token.clock_offset + seconds, host_.authority);
  if (user) *user = user_name_of(doc, "of Account/Info");
  return token;
}

std::string NeuronClient::user_name(const std::string& jwt) {
  return user_name_of(info(jwt), "of Account/Info");
}

nlohmann::json NeuronClient::info(const std::string& jwt) {
  auto r = post("/Agent/Account/Info", nlohmann::json::object(), jwt);
  if (r.status != 200) fail(r, "account info");
  auto doc = r.json();
  // The user name becomes a profile's user: checked here for every caller.
  user_name_of(doc, "of Account/Info");
  return doc;
}

std::string NeuronClient::user_name_of(const nlohmann::json& doc, const char* where) const {
  return decode::neuron_user_name(doc, where, host_.authority);
}

std::string NeuronClient::checked_jwt(const std::string& jwt, const std::string& what) const {
  return decode::checked_jwt(jwt, what, host_.authority);
}

}  // namespace authctl::backends
