// The test broker's web side of the Neuron (IoTGateway): web sessions by HttpSessionID cookie,
// /QuickLogin, /ClientEvents long polls, and the Agent API calls that use them (QuickLogin,
// WwwLogin, GetSessionToken, PrepareRemoteQuickLogin, RemoteQuickLogin, RemoteReferences,
// Xmpp/SendTextMessage), and the public Broker methods that play the phone app. Part of
// Broker::Impl (broker_impl.hpp); the choices are listed in broker.hpp.
#include <cctype>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>

#include "broker_crypto.hpp"
#include "broker_impl.hpp"
#include "broker_util.hpp"

namespace testbroker {

namespace {

constexpr int64_t kQuickLoginCodeSeconds = 300;  // a signUrl can be signed for 5 minutes
constexpr int64_t kTabTimeout = 60;              // a tab not polled for this long is dropped
constexpr int64_t kWebTokenSeconds = 3600;       // GetSessionToken's token lifetime
const char* const kSessionCookie = "HttpSessionID";

std::string to_hex(const std::string& bytes) {
  static const char* const kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

// xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx from 16 random bytes.
std::string random_guid() {
  std::string h = to_hex(crypto::random_bytes(16));
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20);
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The media type of a Content-Type header, lower case, without parameters.
std::string media_type(const std::string& content_type) {
  std::string media = content_type.substr(0, content_type.find(';'));
  while (!media.empty() && media.back() == ' ') media.pop_back();
  return lower(media);
}

// The value of the HttpSessionID cookie in the request's Cookie headers ("" when none).
std::string session_cookie(const Request& req) {
  auto range = req.headers.equal_range("Cookie");
  for (auto it = range.first; it != range.second; ++it) {
    const std::string& h = it->second;
    size_t pos = 0;
    while (pos <= h.size()) {
      size_t end = h.find(';', pos);
      if (end == std::string::npos) end = h.size();
      std::string pair = h.substr(pos, end - pos);
      size_t b = pair.find_first_not_of(' ');
      if (b != std::string::npos) pair = pair.substr(b);
      size_t eq = pair.find('=');
      if (eq != std::string::npos && pair.substr(0, eq) == kSessionCookie) {
        return pair.substr(eq + 1);
      }
      pos = end + 1;
    }
  }
  return "";
}

// A stand-in for the QR code of mode "text": block characters derived from the payload (the
// broker draws no real QR; clients draw signUrl themselves).
std::string fake_qr_text(const std::string& payload) {
  std::string bits = crypto::hmac_sha256("qr", payload) + crypto::hmac_sha256("qr2", payload);
  const int n = 21;
  std::string out;
  for (int y = 0; y < n; y += 2) {
    for (int x = 0; x < n; ++x) {
      auto bit = [&](int row) {
        if (row >= n) return false;
        int i = row * n + x;
        return ((static_cast<unsigned char>(bits[static_cast<size_t>(i / 8) % bits.size()]) >>
                 (i % 8)) &
                1) != 0;
      };
      bool top = bit(y), bottom = bit(y + 1);
      out += top && bottom ? "\u2588" : top ? "\u2580" : bottom ? "\u2584" : " ";
    }
    out += "\n";
  }
  return out;
}

}  // namespace

// --- web sessions and client events (the IoTGateway side of the Neuron) ---

// The request's web session (its cookie value). A request without the cookie gets a new
// session and `Set-Cookie: HttpSessionID=...; Path=/; HttpOnly`; an unknown value gets a
// fresh session under that value and no Set-Cookie (the framework looks sessions up by the
// value it is given).
std::string Broker::Impl::web_session_locked(const Request& req, Response& res) {
  std::string id = session_cookie(req);
  if (id.empty()) {
    id = to_hex(crypto::random_bytes(32));
    res.set_header("Set-Cookie", std::string(kSessionCookie) + "=" + id + "; Path=/; HttpOnly");
  }
  web_sessions[id];
  return id;
}

// The request's existing web session, or nullptr.
WebSession* Broker::Impl::find_web_session_locked(const Request& req) {
  std::string id = session_cookie(req);
  auto it = id.empty() ? web_sessions.end() : web_sessions.find(id);
  return it == web_sessions.end() ? nullptr : &it->second;
}

bool Broker::Impl::tab_dropped_locked(const ClientTab& tab) const {
  return tab.polling == 0 && now_locked() - tab.last_seen >= kTabTimeout;
}

// Queues an event for a registered tab; events for unknown or dropped tabs are lost.
bool Broker::Impl::push_event_locked(const std::string& tab_id, const json& event) {
  auto it = tabs.find(tab_id);
  if (it == tabs.end()) return false;
  if (tab_dropped_locked(it->second)) {
    tabs.erase(it);
    return false;
  }
  it->second.events.push_back(event);
  events_cv.notify_all();
  return true;
}

// POST /ClientEvents: text/plain body = the page's absolute URL, header X-TabID. Long
// polling: answers the tab's queued events as soon as there are any, else [{"type":"NOP"}]
// after client_events_wait_ms. A newer poll for the same tab makes an older one answer NOP.
void Broker::Impl::client_events(const Request& req, Response& res) {
  if (req.body.empty()) return send_error(req, res, 400, "POST request missing data.");
  const std::string tab_id = req.get_header_value("X-TabID");
  if (tab_id.empty()) return send_error(req, res, 400, "Expected X-TabID header.");
  std::string location = req.body;
  std::string media = media_type(req.get_header_value("Content-Type"));
  if (media == "application/json") {  // a JSON string decodes to the same text
    json j = json::parse(req.body, nullptr, false);
    location = j.is_string() ? j.get<std::string>() : "";
  } else if (media != "text/plain") {
    location.clear();
  }
  std::string scheme = lower(location.substr(0, location.find("://")));
  if (location.find("://") == std::string::npos || (scheme != "http" && scheme != "https")) {
    return send_error(req, res, 400, "Expected an absolute URL in text/plain.");
  }

  std::unique_lock<std::mutex> lock(mu);
  std::string cookie = web_session_locked(req, res);
  auto it = tabs.find(tab_id);
  if (it != tabs.end() && tab_dropped_locked(it->second)) {
    tabs.erase(it);
    it = tabs.end();
  }
  if (it == tabs.end()) {
    it = tabs.emplace(tab_id, ClientTab{}).first;
    it->second.cookie = cookie;
  }
  it->second.location = location;
  it->second.last_seen = now_locked();
  ++it->second.polling;
  const uint64_t generation = ++it->second.generation;
  events_cv.notify_all();  // an older poll of this tab answers NOP now
  // The tab cannot be erased while polling > 0, so lookups by id below always succeed.
  events_cv.wait_for(lock, std::chrono::milliseconds(client_events_wait_ms), [&] {
    const ClientTab& t = tabs.at(tab_id);
    return stopping.load() || t.generation != generation || !t.events.empty();
  });
  ClientTab& tab = tabs.at(tab_id);
  json out = json::array();
  if (tab.generation == generation && !tab.events.empty()) {
    for (json& e : tab.events) out.push_back(std::move(e));
    tab.events.clear();
  } else {
    out.push_back({{"type", "NOP"}});
  }
  --tab.polling;
  tab.last_seen = now_locked();
  lock.unlock();
  send_json(res, out);
}

// POST /QuickLogin (session mode): {serviceId, agentApiTimeout?, tab, mode, purpose}.
// serviceId "" (or absent) registers a new service for this session and the answer
// carries it; later calls give it back (with the same cookie) for a fresh code.
void Broker::Impl::page_quick_login(const Request& req, Response& res) {
  auto body = read_body(req, res);
  if (!body) return;
  if (!body->is_object()) return send_error(req, res, 400, "Expected a JSON object.");
  auto tab_field = body->find("tab");
  if (tab_field == body->end() || !tab_field->is_string() ||
      tab_field->get<std::string>().empty()) {
    return send_error(req, res, 400, "Missing Tab ID.");
  }
  std::string err = check_schema(*body, {{"serviceId", Type::string, false},
                                         {"agentApiTimeout", Type::integer, false},
                                         {"tab", Type::string, true},
                                         {"mode", Type::string, true},
                                         {"purpose", Type::string, true}});
  if (!err.empty()) return send_error(req, res, 400, err);
  const std::string mode = (*body)["mode"];
  if (mode != "text" && mode != "base64" && mode != "image") {
    return send_error(req, res, 400, "Invalid mode.");
  }
  const int64_t timeout = body->value("agentApiTimeout", int64_t{0});
  if (timeout < 0 || timeout > 3600) {
    return send_error(req, res, 400, "agentApiTimeout must be 0..3600.");
  }

  std::lock_guard<std::mutex> lock(mu);
  std::string service_id = body->value("serviceId", "");
  const bool first = service_id.empty();
  if (first) {
    service_id = random_guid();
    ql_services[service_id] = QuickLoginService{};
  } else {
    auto known = ql_services.find(service_id);
    if (known == ql_services.end() || known->second.session != session_cookie(req)) {
      return send_error(req, res, 400, "Unknown service ID.");
    }
  }
  QuickLoginService& service = ql_services[service_id];
  service.session = web_session_locked(req, res);
  service.tab = (*body)["tab"];
  service.purpose = (*body)["purpose"];
  if (first || body->contains("agentApiTimeout")) service.agent_api_timeout = timeout;

  const std::string key = crypto::random_token(24);
  ql_codes[key] = QuickLoginCode{service_id, now_locked(), ++seq};
  const std::string sign_url = "tagsign:" + opts.domain + "," + key;
  json out = {{"signUrl", sign_url}};
  if (first) out["serviceId"] = service_id;
  std::string png = std::string("\x89PNG\r\n\x1a\n", 8) + crypto::hmac_sha256("png", sign_url);
  if (mode == "text") {
    out["text"] = fake_qr_text(sign_url);
  } else if (mode == "base64") {
    out["base64"] = crypto::base64(png);
    out["contentType"] = "image/png";
  } else {
    out["src"] = "data:image/png;base64," + crypto::base64(png);
  }
  send_json(res, out);
}

// The pending Quick Login code `ref` names (key, signUrl or tab; newest for a tab), or end.
std::map<std::string, QuickLoginCode>::iterator Broker::Impl::find_code_locked(
    const std::string& ref) {
  std::string key = ref;
  if (key.rfind("tagsign:", 0) == 0 && key.find(',') != std::string::npos) {
    key = key.substr(key.find(',') + 1);
  }
  auto found = ql_codes.find(key);
  if (found == ql_codes.end()) {
    for (auto it = ql_codes.begin(); it != ql_codes.end(); ++it) {
      auto service = ql_services.find(it->second.service);
      if (service == ql_services.end() || service->second.tab != ref) continue;
      if (found == ql_codes.end() || it->second.seq > found->second.seq) found = it;
    }
  }
  if (found != ql_codes.end() && now_locked() - found->second.created >= kQuickLoginCodeSeconds) {
    return ql_codes.end();
  }
  return found;
}

// POST /Agent/Account/QuickLogin {seconds} with the cookie of a session in which a Quick
// Login was signed. Before that: 403, counted as a failed login attempt (429 when it blocks).
void Broker::Impl::agent_quick_login(const Request& req, Response& res) {
  {
    std::lock_guard<std::mutex> lock(mu);
    if (blocked_locked(req.remote_addr)) return send_error(req, res, 429, too_many_text(req));
  }
  auto body = read_body(req, res, {{"seconds", Type::integer, true}});
  if (!body) return;
  if (!valid_seconds(*body)) return send_error(req, res, 400, "seconds must be 1..3600.");
  std::lock_guard<std::mutex> lock(mu);
  WebSession* session = find_web_session_locked(req);
  if (!session || !session->quick_login || !accounts.count(session->user)) {
    if (register_failure_locked(req.remote_addr)) {
      return send_error(req, res, 429, too_many_text(req));
    }
    return send_error(req, res, 403, "No Quick Login performed in this session.");
  }
  failures.erase(req.remote_addr);
  int64_t expires = 0;
  std::string jwt = make_jwt_locked(session->user, (*body)["seconds"].get<int64_t>(), expires);
  send_json(res, {{"jwt", jwt}, {"userName", session->user}, {"expires", expires}});
}

void Broker::Impl::send_basic_challenge(const Request& req, Response& res) const {
  res.set_header("WWW-Authenticate", "Basic realm=\"" + opts.domain + "\"");
  send_error(req, res, 401, "Unauthorized access prohibited.");
}

// POST /Agent/Account/WwwLogin {seconds} over HTTP Basic. No credentials: the 401
// challenge; wrong ones: the challenge again, counted as a failed attempt (429 when it
// blocks); a disabled account: 403.
void Broker::Impl::www_login(const Request& req, Response& res) {
  {
    std::lock_guard<std::mutex> lock(mu);
    if (blocked_locked(req.remote_addr)) return send_error(req, res, 429, too_many_text(req));
  }
  std::string auth = req.get_header_value("Authorization");
  if (auth.size() < 6 || lower(auth.substr(0, 6)) != "basic ") {
    return send_basic_challenge(req, res);
  }
  std::string encoded = auth.substr(6);
  bool standard = encoded.find_first_of("-_") == std::string::npos;
  for (char& c : encoded) c = c == '+' ? '-' : c == '/' ? '_' : c;
  auto decoded = standard ? crypto::base64url_decode(encoded) : std::nullopt;
  size_t colon = decoded ? decoded->find(':') : std::string::npos;
  std::string user = colon == std::string::npos ? "" : decoded->substr(0, colon);
  std::string password = colon == std::string::npos ? "" : decoded->substr(colon + 1);
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = accounts.find(user);
    if (it == accounts.end() || !crypto::equal_constant_time(it->second.password, password)) {
      if (register_failure_locked(req.remote_addr)) {
        return send_error(req, res, 429, too_many_text(req));
      }
      return send_basic_challenge(req, res);
    }
    failures.erase(req.remote_addr);
    if (!it->second.enabled()) return send_error(req, res, 403, "Account not enabled.");
  }
  auto body = read_body(req, res, {{"seconds", Type::integer, true}});
  if (!body) return;
  if (!valid_seconds(*body)) return send_error(req, res, 400, "seconds must be 1..3600.");
  std::lock_guard<std::mutex> lock(mu);
  int64_t expires = 0;
  std::string jwt = make_jwt_locked(user, (*body)["seconds"].get<int64_t>(), expires);
  send_json(res, {{"jwt", jwt}, {"expires", expires}});
}

// POST /Agent/Account/GetSessionToken {} with the cookie of a web session whose account was
// made with the web form; any other session: 403.
void Broker::Impl::get_session_token(const Request& req, Response& res) {
  auto body = read_body(req, res, {});
  if (!body) return;
  std::lock_guard<std::mutex> lock(mu);
  WebSession* session = find_web_session_locked(req);
  auto it = session && session->web_form ? accounts.find(session->user) : accounts.end();
  if (it == accounts.end()) {
    return send_error(req, res, 403, "No account created in this session.");
  }
  const Account& a = it->second;
  int64_t expires = 0;
  std::string jwt = make_jwt_locked(a.user, kWebTokenSeconds, expires);
  json created = {{"created", a.created},
                  {"enabled", a.enabled()},
                  {"canRelay", false},
                  {"jwt", jwt},
                  {"expires", expires}};
  if (a.updated != a.created) created["updated"] = a.updated;
  send_json(res, {{"AccountCreated", created}, {"seconds", kWebTokenSeconds}});
}

std::string Broker::Impl::legal_id_locked(Account& a) {
  if (a.legal_id.empty()) a.legal_id = random_guid() + "@legal." + opts.domain;
  return a.legal_id;
}

// The account of a valid bearer token whose body is {} (nullptr after answering).
Account* Broker::Impl::bearer_account_empty_body_locked(const Request& req, Response& res) {
  auto claims = require_bearer_locked(req, res);
  if (!claims) return nullptr;
  auto body = read_body(req, res, {});
  if (!body) return nullptr;
  auto it = accounts.find((*claims)["sub"].get<std::string>());
  if (it == accounts.end()) {
    send_unauthorized(req, res);
    return nullptr;
  }
  return &it->second;
}

void Broker::Impl::prepare_remote_quick_login(const Request& req, Response& res) {
  std::lock_guard<std::mutex> lock(mu);
  Account* a = bearer_account_empty_body_locked(req, res);
  if (!a) return;
  send_json(res, {{"legalId", legal_id_locked(*a)}});
}

void Broker::Impl::remote_references(const Request& req, Response& res) {
  std::lock_guard<std::mutex> lock(mu);
  Account* a = bearer_account_empty_body_locked(req, res);
  if (!a) return;
  json refs = json::array();
  for (const auto& [domain, legal_id] : remote_refs[a->user]) {
    refs.push_back({{"domain", domain}, {"legalId", legal_id}});
  }
  send_json(res, {{"References", refs}});
}

// POST /Agent/Account/RemoteQuickLogin {legalId, purpose, tabId?}: no JWT (a request with
// an Authorization header is refused with 400: a client must not send its home token to a
// remote Neuron); acts on the caller's web session, made here when the request has none.
void Broker::Impl::remote_quick_login(const Request& req, Response& res) {
  if (req.has_header("Authorization")) {
    return send_error(req, res, 400, "RemoteQuickLogin takes no Authorization header.");
  }
  auto body = read_body(req, res,
                        {{"legalId", Type::string, true},
                         {"purpose", Type::string, true},
                         {"tabId", Type::string, false}});
  if (!body) return;
  const std::string legal_id = (*body)["legalId"];
  size_t at = legal_id.find('@');
  if (at == 0 || at == std::string::npos || at + 1 == legal_id.size()) {
    return send_error(req, res, 400, "Invalid legal ID.");
  }
  std::lock_guard<std::mutex> lock(mu);
  std::string cookie = web_session_locked(req, res);
  if (web_sessions[cookie].logged_in()) {
    return send_json(res, {{"loggedIn", true}, {"petitionSent", false}});
  }
  petitions.push_back(Petition{legal_id, (*body)["purpose"], cookie, body->value("tabId", ""),
                               now_locked(), ++seq});
  send_json(res, {{"loggedIn", false}, {"petitionSent", true}});
}

// POST /Agent/Xmpp/SendTextMessage {to, message, subject?, language?, id?} (JWT).
void Broker::Impl::send_text_message(const Request& req, Response& res) {
  std::lock_guard<std::mutex> lock(mu);
  auto claims = require_bearer_locked(req, res);
  if (!claims) return;
  auto body = read_body(req, res,
                        {{"to", Type::string, true},
                         {"message", Type::string, true},
                         {"subject", Type::string, false},
                         {"language", Type::string, false},
                         {"id", Type::string, false}});
  if (!body) return;
  auto it = accounts.find((*claims)["sub"].get<std::string>());
  if (it == accounts.end()) return send_unauthorized(req, res);
  if (!it->second.enabled()) return send_error(req, res, 403, "Account not enabled.");
  const std::string to = (*body)["to"];
  std::string bare = to.substr(0, to.find('/'));
  if (bare.empty() || bare.front() == '@' || bare.back() == '@' ||
      to.find_first_of(" \t\r\n") != std::string::npos) {
    return send_error(req, res, 400, "Invalid JID.");
  }
  std::string id = body->value("id", "");
  if (id.empty()) id = to_hex(crypto::random_bytes(16));
  if (fail_next_send) {
    fail_next_send = false;
    return send_json(res, {{"sent", false}, {"id", id}});
  }
  messages.push_back(SentMessage{it->second.user + "@" + opts.domain, to, (*body)["message"],
                                 body->value("subject", ""), body->value("language", ""), id,
                                 now_locked()});
  send_json(res, {{"sent", true}, {"id", id}});
}

// --- Broker: Neuron web sessions, Quick Login, remote quick login, messages ---

void Broker::set_client_events_wait_ms(int ms) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->client_events_wait_ms = ms > 0 ? ms : 0;
}

bool Broker::sign_quick_login(const std::string& ref, const std::string& user, bool with_token) {
  Impl& m = *impl_;
  std::lock_guard<std::mutex> lock(m.mu);
  auto code = m.find_code_locked(ref);
  if (code == m.ql_codes.end() || !m.accounts.count(user)) return false;
  const std::string service_id = code->second.service;
  const QuickLoginService service = m.ql_services.at(service_id);
  for (auto it = m.ql_codes.begin(); it != m.ql_codes.end();) {  // the login is done
    it = it->second.service == service_id ? m.ql_codes.erase(it) : std::next(it);
  }
  WebSession& session = m.web_sessions[service.session];
  session.user = user;
  session.quick_login = true;
  json data = "";
  if (with_token && service.agent_api_timeout > 0) {
    int64_t expires = 0;
    data = {{"Domain", m.opts.domain},
            {"AgentApiToken", m.make_jwt_locked(user, service.agent_api_timeout, expires)}};
  }
  m.push_event_locked(service.tab, {{"type", "SignatureReceivedBE"}, {"data", data}});
  return true;
}

Broker::QuickLoginRequest Broker::quick_login_request(const std::string& ref) const {
  Impl& m = *impl_;
  std::lock_guard<std::mutex> lock(m.mu);
  auto code = m.find_code_locked(ref);
  if (code == m.ql_codes.end()) return {};
  const QuickLoginService& service = m.ql_services.at(code->second.service);
  return {service.tab, service.session, service.purpose, service.agent_api_timeout};
}

bool Broker::decline_quick_login(const std::string& ref) {
  Impl& m = *impl_;
  std::lock_guard<std::mutex> lock(m.mu);
  auto code = m.find_code_locked(ref);
  if (code == m.ql_codes.end()) return false;
  m.ql_codes.erase(code);
  return true;
}

bool Broker::sign_remote_petition(const std::string& ref, const std::string& user) {
  Impl& m = *impl_;
  std::lock_guard<std::mutex> lock(m.mu);
  const Petition* newest = nullptr;
  for (const Petition& p : m.petitions) {
    if ((p.legal_id == ref || p.session == ref) && (!newest || p.seq > newest->seq)) newest = &p;
  }
  if (!newest) return false;
  const std::string session_id = newest->session, legal_id = newest->legal_id;
  std::set<std::string> tab_ids;
  for (auto it = m.petitions.begin(); it != m.petitions.end();) {
    if (it->session != session_id) {
      ++it;
      continue;
    }
    if (!it->tab.empty()) tab_ids.insert(it->tab);
    it = m.petitions.erase(it);
  }
  WebSession& session = m.web_sessions[session_id];
  session.user = user;
  session.remote_login = true;
  session.legal_id = legal_id;
  json data = {{"Id", legal_id},
               {"State", "Approved"},
               {"Created", m.now_locked()},
               {"Properties", {{"ACCOUNT", user}}},
               {"Attachments", json::array()}};
  for (const std::string& tab : tab_ids) {
    m.push_event_locked(tab, {{"type", "SignatureReceived"}, {"data", data}});
  }
  return true;
}

std::string Broker::web_form_session(const std::string& user) {
  Impl& m = *impl_;
  std::lock_guard<std::mutex> lock(m.mu);
  if (!m.accounts.count(user)) return "";
  std::string id = to_hex(crypto::random_bytes(32));
  WebSession& session = m.web_sessions[id];
  session.user = user;
  session.web_form = true;
  return id;
}

bool Broker::push_client_event(const std::string& tab, const std::string& type,
                               const std::string& data, bool data_is_json) {
  json value = data_is_json ? json::parse(data, nullptr, false) : json(data);
  if (value.is_discarded()) throw std::invalid_argument("push_client_event: data is not JSON");
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->push_event_locked(tab, {{"type", type}, {"data", value}});
}

std::string Broker::client_tab_cookie(const std::string& tab) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto it = impl_->tabs.find(tab);
  if (it == impl_->tabs.end() || impl_->tab_dropped_locked(it->second)) return "";
  return it->second.cookie;
}

bool Broker::client_tab_registered(const std::string& tab) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto it = impl_->tabs.find(tab);
  return it != impl_->tabs.end() && !impl_->tab_dropped_locked(it->second);
}

std::string Broker::legal_id(const std::string& user) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto it = impl_->accounts.find(user);
  return it == impl_->accounts.end() ? "" : impl_->legal_id_locked(it->second);
}

void Broker::add_remote_reference(const std::string& user, const std::string& domain,
                                  const std::string& legal_id) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->remote_refs[user].emplace_back(domain, legal_id);
}

std::vector<SentMessage> Broker::sent_messages() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->messages;
}

void Broker::fail_next_send() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->fail_next_send = true;
}

}  // namespace testbroker
