// Self-test of the test broker's Neuron web side and the rest of the Agent API: /QuickLogin,
// /ClientEvents long polling, Agent/Account/QuickLogin, WwwLogin, GetSessionToken, remote
// quick login between two brokers (home and remote Neuron), SendTextMessage, phone
// verification, and the hooks and /_test/ controls that play the phone app. Talks to the
// broker over real sockets with httplib::Client.
#include <doctest/doctest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <signal.h>

#include <httplib.h>

#include <chrono>
#include <future>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <thread>

#include "broker.hpp"

using nlohmann::json;

namespace {

const bool kIgnoreSigpipe = [] {
  signal(SIGPIPE, SIG_IGN);
  return true;
}();

using Clock = std::chrono::steady_clock;

int64_t ms_since(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count();
}

std::string b64(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int len = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(bytes.data()),
                            static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(len));
  return out;
}

std::string sign(const std::string& key, const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), md, &len);
  return b64(std::string(reinterpret_cast<char*>(md), len));
}

std::string fresh_nonce() {
  unsigned char bytes[32];
  RAND_bytes(bytes, sizeof bytes);
  return b64(std::string(reinterpret_cast<char*>(bytes), sizeof bytes));
}

const std::regex kSetCookie("HttpSessionID=([0-9a-f]{64}); Path=/; HttpOnly");

// The HttpSessionID value of a Set-Cookie answer ("" when there is none).
std::string set_cookie_value(const httplib::Result& r) {
  std::string h = r->get_header_value("Set-Cookie");
  std::smatch m;
  return std::regex_match(h, m, kSetCookie) ? m[1].str() : "";
}

// A started broker (alice seeded, enabled) and a client for it.
struct Neuron {
  testbroker::Broker broker;
  httplib::Client cli;
  explicit Neuron(const std::string& domain = "localhost", int wait_ms = 300)
      : broker(options(domain)), cli(start_and_url(broker)) {
    broker.add_neuron_account("alice", "Passw0rd!", "alice@example.com");
    broker.set_client_events_wait_ms(wait_ms);
    cli.set_connection_timeout(5);
    cli.set_read_timeout(10);
  }
  static testbroker::Options options(const std::string& domain) {
    testbroker::Options o;
    o.domain = domain;
    return o;
  }
  static std::string start_and_url(testbroker::Broker& b) {
    b.start();
    return b.url();
  }
  std::string host() const { return "127.0.0.1:" + std::to_string(broker.port()); }

  // A JSON POST (Accept: application/json), with a bearer token and/or the session cookie.
  httplib::Result post(const std::string& path, const json& body, const std::string& token = "",
                       const std::string& cookie = "", httplib::Headers headers = {}) {
    headers.emplace("Accept", "application/json");
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    if (!cookie.empty()) headers.emplace("Cookie", "HttpSessionID=" + cookie);
    return cli.Post(path, headers, body.dump(), "application/json");
  }

  std::string token(const std::string& user = "alice", const std::string& password = "Passw0rd!") {
    std::string n = fresh_nonce();
    auto r =
        post("/Agent/Account/Login", {{"userName", user},
                                      {"nonce", n},
                                      {"signature", sign(password, user + ":" + host() + ":" + n)},
                                      {"seconds", 3600}});
    REQUIRE(r);
    REQUIRE(r->status == 200);
    return json::parse(r->body)["jwt"];
  }

  // /QuickLogin in session mode; `cookie` empty on the first call.
  httplib::Result quick_login(const std::string& tab, const std::string& cookie = "",
                              const std::string& service_id = "", int agent_api_timeout = 3600) {
    json body = {{"serviceId", service_id}, {"tab", tab}, {"mode", "text"}, {"purpose", "test"}};
    if (agent_api_timeout >= 0) body["agentApiTimeout"] = agent_api_timeout;
    httplib::Headers h;
    if (!cookie.empty()) h.emplace("Cookie", "HttpSessionID=" + cookie);
    return cli.Post("/QuickLogin", h, body.dump(), "application/json");
  }

  // One /ClientEvents poll on its own connection (so several can run at once).
  httplib::Result poll(const std::string& tab, const std::string& cookie,
                       const std::string& location = "https://neuron.example/") {
    httplib::Client c(broker.url());
    c.set_read_timeout(30);
    httplib::Headers h;
    if (!tab.empty()) h.emplace("X-TabID", tab);
    if (!cookie.empty()) h.emplace("Cookie", "HttpSessionID=" + cookie);
    return c.Post("/ClientEvents", h, location, "text/plain");
  }
  std::future<httplib::Result> poll_async(const std::string& tab, const std::string& cookie) {
    auto f = std::async(std::launch::async, [this, tab, cookie] { return poll(tab, cookie); });
    // Wait until the poll is registered, so what follows happens while it is pending.
    auto deadline = Clock::now() + std::chrono::seconds(5);
    while (!broker.client_tab_registered(tab) && Clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // into its wait
    return f;
  }
};

json events_of(const httplib::Result& r) {
  REQUIRE(r);
  REQUIRE(r->status == 200);
  CHECK(r->get_header_value("Content-Type") == "application/json");
  json j = json::parse(r->body);
  REQUIRE(j.is_array());
  return j;
}

const json kNop = json::array({{{"type", "NOP"}}});

// A first /QuickLogin for `tab`: {cookie, signUrl, serviceId}.
struct Started {
  std::string cookie, sign_url, service_id;
};
Started start_quick_login(Neuron& n, const std::string& tab, int agent_api_timeout = 3600) {
  auto r = n.quick_login(tab, "", "", agent_api_timeout);
  REQUIRE(r);
  REQUIRE(r->status == 200);
  json j = json::parse(r->body);
  return {set_cookie_value(r), j["signUrl"], j["serviceId"]};
}

}  // namespace

TEST_CASE("/QuickLogin: cookie, signUrl, serviceId on the first call, fresh codes, errors") {
  Neuron n("neuron.example");
  auto r = n.quick_login("tab-1");
  REQUIRE(r);
  REQUIRE(r->status == 200);
  CHECK(r->get_header_value("Content-Type") == "application/json");
  std::string cookie = set_cookie_value(r);
  CHECK(cookie.size() == 64);
  json j = json::parse(r->body);
  std::string url = j["signUrl"];
  CHECK(std::regex_match(url, std::regex("tagsign:neuron\\.example,[A-Za-z0-9_-]{32}")));
  CHECK(j["serviceId"].is_string());
  CHECK(!j["serviceId"].get<std::string>().empty());
  CHECK(j["text"].get<std::string>().find("\u2588") != std::string::npos);

  // Again with serviceId and cookie: a fresh code, no new cookie, no serviceId.
  auto again = n.quick_login("tab-1", cookie, j["serviceId"]);
  REQUIRE(again);
  REQUIRE(again->status == 200);
  CHECK_FALSE(again->has_header("Set-Cookie"));
  json j2 = json::parse(again->body);
  CHECK(j2["signUrl"] != url);
  CHECK_FALSE(j2.contains("serviceId"));
  // The serviceId belongs to that session: without the cookie it is unknown.
  auto stranger = n.quick_login("tab-1", "", j["serviceId"]);
  CHECK(stranger->status == 400);
  CHECK(stranger->body == "Unknown service ID.");

  // A request that brings a cookie keeps it (no Set-Cookie).
  CHECK_FALSE(n.quick_login("tab-2", cookie)->has_header("Set-Cookie"));

  auto no_tab = n.cli.Post("/QuickLogin", R"({"serviceId":"","mode":"text","purpose":"p"})",
                           "application/json");
  CHECK(no_tab->status == 400);
  CHECK(no_tab->body == "Missing Tab ID.");
  CHECK(no_tab->get_header_value("Content-Type").rfind("text/plain", 0) == 0);
  CHECK(n.cli.Post("/QuickLogin", R"({"tab":"t","mode":"svg","purpose":"p"})", "application/json")
            ->status == 400);
  CHECK(n.cli.Post("/QuickLogin", R"({"tab":"t","mode":"text","purpose":"p"})", "text/plain")
            ->status == 400);

  auto b64mode =
      n.cli.Post("/QuickLogin", R"({"tab":"t","mode":"base64","purpose":"p"})", "application/json");
  json jb = json::parse(b64mode->body);
  CHECK(jb["contentType"] == "image/png");
  CHECK(!jb["base64"].get<std::string>().empty());
  auto image =
      n.cli.Post("/QuickLogin", R"({"tab":"t","mode":"image","purpose":"p"})", "application/json");
  CHECK(json::parse(image->body)["src"].get<std::string>().rfind("data:image/png;base64,", 0) == 0);
  CHECK(n.broker.count("/QuickLogin") == 9);
}

TEST_CASE("/ClientEvents: errors, NOP after the wait, events as soon as queued, superseded polls") {
  Neuron n("localhost", 300);
  auto no_tab = n.poll("", "c");
  REQUIRE(no_tab);
  CHECK(no_tab->status == 400);
  CHECK(no_tab->body == "Expected X-TabID header.");
  auto no_body = n.cli.Post("/ClientEvents", {{"X-TabID", "t"}}, "", "text/plain");
  CHECK(no_body->status == 400);
  CHECK(no_body->body == "POST request missing data.");
  CHECK(n.poll("t", "c", "/relative")->status == 400);

  // Nothing queued: NOP after the configured wait. No cookie sent: the poll gets one.
  auto t0 = Clock::now();
  auto nop = n.poll("tab-a", "");
  CHECK(events_of(nop) == kNop);
  CHECK(ms_since(t0) >= 280);
  CHECK(ms_since(t0) < 3000);
  std::string cookie = set_cookie_value(nop);
  CHECK(cookie.size() == 64);
  CHECK(n.broker.client_tab_cookie("tab-a") == cookie);

  // With a cookie the tab records that exact value.
  CHECK(events_of(n.poll("tab-b", "my-cookie-as-is")) == kNop);
  CHECK(n.broker.client_tab_cookie("tab-b") == "my-cookie-as-is");

  // Queued between polls: the next poll answers at once, all events in order.
  CHECK(n.broker.push_client_event("tab-a", "CheckServerInstance", "inst-1"));
  CHECK(n.broker.push_client_event("tab-a", "Custom", R"({"x":1})", true));
  t0 = Clock::now();
  json ev = events_of(n.poll("tab-a", cookie));
  CHECK(ms_since(t0) < 250);
  CHECK(
      ev ==
      json::parse(
          R"([{"type":"CheckServerInstance","data":"inst-1"},{"type":"Custom","data":{"x":1}}])"));

  // Queued while a poll waits: it answers right away.
  n.broker.set_client_events_wait_ms(5000);
  auto pending = n.poll_async("tab-a", cookie);
  t0 = Clock::now();
  CHECK(n.broker.push_client_event("tab-a", "Hello", "world"));
  json got = events_of(pending.get());
  CHECK(ms_since(t0) < 1000);
  CHECK(got == json::parse(R"([{"type":"Hello","data":"world"}])"));

  // A newer poll of the same tab makes the older one answer NOP; the event goes to the newer.
  auto older = n.poll_async("tab-a", cookie);
  auto newer = std::async(std::launch::async, [&] { return n.poll("tab-a", cookie); });
  CHECK(events_of(older.get()) == kNop);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  n.broker.push_client_event("tab-a", "Late", "x");
  CHECK(events_of(newer.get())[0]["type"] == "Late");

  // Events for a tab never registered are lost.
  CHECK_FALSE(n.broker.push_client_event("tab-unknown", "Hello", ""));
  CHECK_FALSE(n.broker.client_tab_registered("tab-unknown"));
}

TEST_CASE("/ClientEvents: a tab not polled for 60 s is dropped with its events") {
  Neuron n("localhost", 100);
  CHECK(events_of(n.poll("tab-d", "c1")) == kNop);
  CHECK(n.broker.push_client_event("tab-d", "Kept", ""));
  n.broker.advance_clock(61);
  CHECK_FALSE(n.broker.client_tab_registered("tab-d"));
  CHECK_FALSE(n.broker.push_client_event("tab-d", "Lost", ""));
  CHECK(events_of(n.poll("tab-d", "c1")) == kNop);  // registered anew, the queue gone
  CHECK(n.broker.client_tab_registered("tab-d"));
  n.broker.advance_clock(59);
  CHECK(n.broker.client_tab_registered("tab-d"));
}

TEST_CASE("with the default 20 s wait a poll stays pending; stop() ends it at once") {
  Neuron n("localhost", 20000);  // the real server's 20 s
  auto pending = n.poll_async("tab-s", "c");
  CHECK(pending.wait_for(std::chrono::milliseconds(300)) == std::future_status::timeout);
  auto t0 = Clock::now();
  n.broker.stop();  // ends the poll now, not after 20 s
  pending.get();
  CHECK(ms_since(t0) < 2000);
}

TEST_CASE("QR quick login: sign with and without AgentApiToken, QuickLogin before and after") {
  Neuron n("neuron.example", 3000);
  Started s = start_quick_login(n, "tab-q");
  REQUIRE(s.cookie.size() == 64);

  // Before the user signs: 403, counted as a failed login attempt (429 on the 5th).
  for (int i = 1; i <= 4; ++i) {
    auto early = n.post("/Agent/Account/QuickLogin", {{"seconds", 600}}, "", s.cookie);
    REQUIRE(early);
    CHECK(early->status == 403);
    CHECK(early->body == "No Quick Login performed in this session.");
  }
  CHECK(n.post("/Agent/Account/QuickLogin", {{"seconds", 600}})->status == 429);
  CHECK(n.post("/Agent/Account/QuickLogin", {{"seconds", 600}}, "", s.cookie)->status == 429);
  n.broker.reset_failures();

  // The tab polls; the app signs; the poll gets SignatureReceivedBE with empty data.
  auto pending = n.poll_async("tab-q", s.cookie);
  CHECK_FALSE(n.broker.sign_quick_login("tab-q", "nobody"));
  CHECK(n.broker.sign_quick_login("tab-q", "alice"));
  json ev = events_of(pending.get());
  CHECK(ev == json::parse(R"([{"type":"SignatureReceivedBE","data":""}])"));
  CHECK_FALSE(n.broker.sign_quick_login(s.sign_url, "alice"));  // the code is used up
  n.broker.set_client_events_wait_ms(200);

  auto r = n.post("/Agent/Account/QuickLogin", {{"seconds", 600}}, "", s.cookie);
  REQUIRE(r);
  REQUIRE(r->status == 200);
  json j = json::parse(r->body);
  CHECK(j["userName"] == "alice");
  CHECK(j["expires"].get<int64_t>() - n.broker.now() <= 600);
  CHECK(j["expires"].get<int64_t>() - n.broker.now() >= 598);
  CHECK(n.post("/Agent/Account/Info", json::object(), j["jwt"])->status == 200);
  CHECK(n.post("/Agent/Account/QuickLogin", {{"seconds", 3601}}, "", s.cookie)->status == 400);
  // Another session (or none) is still not logged in.
  CHECK(n.post("/Agent/Account/QuickLogin", {{"seconds", 60}}, "", "other")->status == 403);

  // With the token: data {Domain, AgentApiToken}, lifetime agentApiTimeout. Signed by signUrl.
  Started t = start_quick_login(n, "tab-t", 120);
  CHECK(events_of(n.poll("tab-t", t.cookie)).size() == 1);  // NOP; the tab is registered
  CHECK(n.broker.sign_quick_login(t.sign_url, "alice", true));
  json ev2 = events_of(n.poll("tab-t", t.cookie));
  REQUIRE(ev2.size() == 1);
  CHECK(ev2[0]["type"] == "SignatureReceivedBE");
  CHECK(ev2[0]["data"]["Domain"] == "neuron.example");
  std::string token = ev2[0]["data"]["AgentApiToken"];
  auto check = n.post("/Agent/Account/AuthenticateJwt", {{"token", token}});
  REQUIRE(check->status == 200);
  json claims = json::parse(check->body)["claims"];
  CHECK(claims["sub"] == "alice");
  CHECK(claims["exp"].get<int64_t>() - claims["iat"].get<int64_t>() == 120);

  // No agentApiTimeout in the request: no token even when asked for. By key only.
  Started u = start_quick_login(n, "tab-u", -1);
  CHECK(events_of(n.poll("tab-u", u.cookie)) == kNop);
  CHECK(n.broker.sign_quick_login(u.sign_url.substr(u.sign_url.find(',') + 1), "alice", true));
  CHECK(events_of(n.poll("tab-u", u.cookie))[0]["data"] == "");

  // The tab never polled: the event is lost, but the session is logged in all the same.
  Started v = start_quick_login(n, "tab-v");
  CHECK(n.broker.sign_quick_login("tab-v", "alice"));
  CHECK_FALSE(n.broker.client_tab_registered("tab-v"));
  CHECK(n.post("/Agent/Account/QuickLogin", {{"seconds", 60}}, "", v.cookie)->status == 200);
}

TEST_CASE("quick login codes: decline is silent, codes expire after 5 minutes") {
  Neuron n("localhost", 200);
  Started s = start_quick_login(n, "tab-x");
  CHECK(events_of(n.poll("tab-x", s.cookie)) == kNop);
  CHECK(n.broker.decline_quick_login("tab-x"));
  CHECK(events_of(n.poll("tab-x", s.cookie)) == kNop);  // no event
  CHECK_FALSE(n.broker.sign_quick_login("tab-x", "alice"));
  CHECK(n.post("/Agent/Account/QuickLogin", {{"seconds", 60}}, "", s.cookie)->status == 403);
  CHECK_FALSE(n.broker.decline_quick_login("tab-x"));

  // A fresh code for the same session can still be signed; then it expires.
  auto again = n.quick_login("tab-x", s.cookie, s.service_id);
  std::string url = json::parse(again->body)["signUrl"];
  n.broker.advance_clock(299);
  auto fresh = n.quick_login("tab-x", s.cookie, s.service_id);
  std::string url2 = json::parse(fresh->body)["signUrl"];
  n.broker.advance_clock(2);
  CHECK_FALSE(n.broker.sign_quick_login(url, "alice"));  // 301 s old
  CHECK(n.broker.sign_quick_login("tab-x", "alice"));    // the newest, 2 s old
  CHECK_FALSE(n.broker.sign_quick_login(url2, "alice"));
  CHECK(n.post("/Agent/Account/QuickLogin", {{"seconds", 60}}, "", s.cookie)->status == 200);
}

TEST_CASE("WwwLogin: Basic challenge, wrong credentials, disabled account, failures counted") {
  Neuron n("neuron.example");
  n.broker.add_neuron_account("dave", "pw", "dave@example.com", false);
  auto challenge = n.post("/Agent/Account/WwwLogin", {{"seconds", 300}});
  REQUIRE(challenge);
  CHECK(challenge->status == 401);
  CHECK(challenge->get_header_value("WWW-Authenticate") == "Basic realm=\"neuron.example\"");
  CHECK(challenge->body == "Unauthorized access prohibited.");
  // A bearer token is no Basic credential.
  CHECK(n.post("/Agent/Account/WwwLogin", {{"seconds", 300}}, n.token())->status == 401);

  auto basic = [&](const std::string& user, const std::string& password, int seconds = 300) {
    return n.post("/Agent/Account/WwwLogin", {{"seconds", seconds}}, "", "",
                  {{"Authorization", "Basic " + b64(user + ":" + password)}});
  };
  auto ok = basic("alice", "Passw0rd!");
  REQUIRE(ok);
  REQUIRE(ok->status == 200);
  json j = json::parse(ok->body);
  CHECK(j.size() == 2);
  CHECK(j["expires"].get<int64_t>() - n.broker.now() <= 300);
  CHECK(n.post("/Agent/Account/Info", json::object(), j["jwt"])->status == 200);
  CHECK(basic("alice", "Passw0rd!", 0)->status == 400);

  CHECK(basic("dave", "pw")->status == 403);  // right password, disabled: not a failure
  auto wrong = basic("alice", "nope");
  CHECK(wrong->status == 401);
  CHECK(wrong->get_header_value("WWW-Authenticate") == "Basic realm=\"neuron.example\"");
  for (int i = 0; i < 3; ++i) CHECK(basic("mallory", "x")->status == 401);
  CHECK(basic("alice", "bad")->status == 429);  // the 5th failure from this IP
  CHECK(basic("alice", "Passw0rd!")->status == 429);
  n.broker.reset_failures();
  CHECK(basic("alice", "Passw0rd!")->status == 200);
}

TEST_CASE("GetSessionToken: only a web-form session; QuickLogin refuses that session") {
  Neuron n;
  n.broker.add_neuron_account("fran", "pw", "fran@example.com", false);
  CHECK(n.broker.web_form_session("nobody").empty());
  std::string cookie = n.broker.web_form_session("fran");
  REQUIRE(cookie.size() == 64);
  auto r = n.post("/Agent/Account/GetSessionToken", json::object(), "", cookie);
  REQUIRE(r);
  REQUIRE(r->status == 200);
  json j = json::parse(r->body);
  CHECK(j["seconds"] == 3600);
  json a = j["AccountCreated"];
  CHECK(a["enabled"] == false);
  CHECK(a["canRelay"] == false);
  CHECK(a["created"].is_number_integer());
  CHECK(a["expires"].get<int64_t>() - n.broker.now() <= 3600);
  CHECK_FALSE(a.contains("updated"));
  CHECK(n.post("/Agent/Account/Info", json::object(), a["jwt"])->status == 200);

  auto none = n.post("/Agent/Account/GetSessionToken", json::object());
  CHECK(none->status == 403);
  CHECK(none->body == "No account created in this session.");
  CHECK(n.post("/Agent/Account/GetSessionToken", json::object(), "", "unknown")->status == 403);
  CHECK(n.post("/Agent/Account/GetSessionToken", {{"x", 1}}, "", cookie)->status == 400);
  // --session-cookie tries QuickLogin first: a web-form session is refused there.
  CHECK(n.post("/Agent/Account/QuickLogin", {{"seconds", 60}}, "", cookie)->status == 403);

  // A quick-login session is no web-form session.
  Started s = start_quick_login(n, "tab-g");
  REQUIRE(n.broker.sign_quick_login("tab-g", "alice"));
  CHECK(n.post("/Agent/Account/GetSessionToken", json::object(), "", s.cookie)->status == 403);

  // After verification the session's account shows enabled and updated.
  n.broker.advance_clock(5);
  auto v =
      n.post("/Agent/Account/VerifyEMail",
             {{"eMail", "fran@example.com"}, {"code", n.broker.email_code("fran@example.com")}});
  REQUIRE(v->status == 200);
  json a2 = json::parse(
      n.post("/Agent/Account/GetSessionToken", json::object(), "", cookie)->body)["AccountCreated"];
  CHECK(a2["enabled"] == true);
  CHECK(a2["updated"].get<int64_t>() > a2["created"].get<int64_t>());
}

TEST_CASE("remote quick login between a home and a remote broker") {
  Neuron home("home.example");
  Neuron remote("remote.example", 3000);
  std::string jwt = home.token();
  CHECK(home.post("/Agent/Account/PrepareRemoteQuickLogin", json::object())->status == 401);
  auto prep = home.post("/Agent/Account/PrepareRemoteQuickLogin", json::object(), jwt);
  REQUIRE(prep);
  REQUIRE(prep->status == 200);
  std::string legal_id = json::parse(prep->body)["legalId"];
  CHECK(std::regex_match(legal_id, std::regex("[0-9a-f-]{36}@legal\\.home\\.example")));
  CHECK(home.broker.legal_id("alice") == legal_id);  // stable
  CHECK(json::parse(home.post("/Agent/Account/PrepareRemoteQuickLogin", json::object(), jwt)
                        ->body)["legalId"] == legal_id);

  json body = {{"legalId", legal_id}, {"purpose", "Log in to remote"}, {"tabId", "rtab"}};
  // The home token must never reach the remote: a request carrying one is refused.
  auto leaked = remote.post("/Agent/Account/RemoteQuickLogin", body, jwt);
  CHECK(leaked->status == 400);
  CHECK(leaked->body == "RemoteQuickLogin takes no Authorization header.");
  CHECK(remote.post("/Agent/Account/RemoteQuickLogin", {{"legalId", "x"}, {"purpose", "p"}})
            ->status == 400);
  CHECK(remote.post("/Agent/Account/RemoteQuickLogin", {{"legalId", legal_id}})->status == 400);

  auto first = remote.post("/Agent/Account/RemoteQuickLogin", body);
  REQUIRE(first);
  REQUIRE(first->status == 200);
  std::string cookie = set_cookie_value(first);
  REQUIRE(cookie.size() == 64);
  CHECK(json::parse(first->body) == json{{"loggedIn", false}, {"petitionSent", true}});
  // Asked again while pending: another petition, the same cookie kept.
  auto second = remote.post("/Agent/Account/RemoteQuickLogin", body, "", cookie);
  CHECK(json::parse(second->body) == json{{"loggedIn", false}, {"petitionSent", true}});
  CHECK_FALSE(second->has_header("Set-Cookie"));

  auto pending = remote.poll_async("rtab", cookie);
  CHECK_FALSE(remote.broker.sign_remote_petition("nobody@legal.home.example", "alice"));
  CHECK(remote.broker.sign_remote_petition(legal_id, "alice"));
  json ev = events_of(pending.get());
  REQUIRE(ev.size() == 1);  // one event per tab, however many petitions
  CHECK(ev[0]["type"] == "SignatureReceived");
  CHECK(ev[0]["data"]["Id"] == legal_id);
  CHECK(ev[0]["data"]["Properties"]["ACCOUNT"] == "alice");
  CHECK_FALSE(remote.broker.sign_remote_petition(legal_id, "alice"));  // none pending now

  auto later = remote.post("/Agent/Account/RemoteQuickLogin", body, "", cookie);
  CHECK(json::parse(later->body) == json{{"loggedIn", true}, {"petitionSent", false}});
  // No JWT from the remote: its QuickLogin refuses that session.
  CHECK(remote.post("/Agent/Account/QuickLogin", {{"seconds", 60}}, "", cookie)->status == 403);
  // Another web session is not logged in; sign it by its cookie value.
  auto other =
      remote.post("/Agent/Account/RemoteQuickLogin", {{"legalId", legal_id}, {"purpose", "p"}});
  std::string cookie2 = set_cookie_value(other);
  CHECK(json::parse(other->body)["petitionSent"] == true);
  CHECK(remote.broker.sign_remote_petition(cookie2, "alice"));
  CHECK(json::parse(
            remote.post("/Agent/Account/RemoteQuickLogin", body, "", cookie2)->body)["loggedIn"] ==
        true);
  CHECK(home.broker.count("/Agent/Account/RemoteQuickLogin") == 0);

  // RemoteReferences on the home Neuron.
  auto refs = home.post("/Agent/Account/RemoteReferences", json::object(), jwt);
  REQUIRE(refs->status == 200);
  CHECK(json::parse(refs->body) == json{{"References", json::array()}});
  home.broker.add_remote_reference("alice", "remote.example", "abc@legal.remote.example");
  CHECK(json::parse(home.post("/Agent/Account/RemoteReferences", json::object(), jwt)->body) ==
        json::parse(R"({"References":[{"domain":"remote.example",)"
                    R"("legalId":"abc@legal.remote.example"}]})"));
  CHECK(home.post("/Agent/Account/RemoteReferences", json::object())->status == 401);
}

TEST_CASE("SendTextMessage: sent, ids, the failure hook, errors") {
  Neuron n("neuron.example");
  std::string jwt = n.token();
  auto r = n.post("/Agent/Xmpp/SendTextMessage",
                  {{"to", "bob@neuron.example/phone"},
                   {"message", "hi"},
                   {"subject", "s"},
                   {"language", "en"},
                   {"id", "m-1"}},
                  jwt);
  REQUIRE(r);
  REQUIRE(r->status == 200);
  CHECK(json::parse(r->body) == json{{"sent", true}, {"id", "m-1"}});
  auto r2 =
      n.post("/Agent/Xmpp/SendTextMessage", {{"to", "bob@neuron.example"}, {"message", "2"}}, jwt);
  json j2 = json::parse(r2->body);
  CHECK(j2["sent"] == true);
  CHECK(j2["id"].get<std::string>().size() == 32);

  n.broker.fail_next_send();
  auto failed =
      n.post("/Agent/Xmpp/SendTextMessage", {{"to", "bob@neuron.example"}, {"message", "3"}}, jwt);
  REQUIRE(failed->status == 200);
  CHECK(json::parse(failed->body)["sent"] == false);
  CHECK(json::parse(n.post("/Agent/Xmpp/SendTextMessage",
                           {{"to", "bob@neuron.example"}, {"message", "4"}}, jwt)
                        ->body)["sent"] == true);  // only the next one failed

  auto sent = n.broker.sent_messages();
  REQUIRE(sent.size() == 3);
  CHECK(sent[0].from == "alice@neuron.example");
  CHECK(sent[0].to == "bob@neuron.example/phone");
  CHECK(sent[0].message == "hi");
  CHECK(sent[0].subject == "s");
  CHECK(sent[0].language == "en");
  CHECK(sent[0].id == "m-1");
  CHECK(sent[1].message == "2");
  CHECK(sent[2].message == "4");

  CHECK(n.post("/Agent/Xmpp/SendTextMessage", {{"to", "b@x"}, {"message", "m"}})->status == 401);
  CHECK(n.post("/Agent/Xmpp/SendTextMessage", {{"to", "b@x"}}, jwt)->status == 400);
  CHECK(n.post("/Agent/Xmpp/SendTextMessage", {{"to", "@x"}, {"message", "m"}}, jwt)->status ==
        400);
  CHECK(n.post("/Agent/Xmpp/SendTextMessage", {{"to", "b c@x"}, {"message", "m"}}, jwt)->status ==
        400);
  n.broker.add_neuron_account("gus", "pw", "gus@example.com", false);
  CHECK(n.post("/Agent/Xmpp/SendTextMessage", {{"to", "b@x"}, {"message", "m"}},
               n.broker.issue_token("gus", 60))
            ->status == 403);
}

TEST_CASE("phone verification, resent codes and the last codes") {
  Neuron n;
  n.broker.add_api_key("k", "s");
  std::string nonce = fresh_nonce();
  json body = {{"userName", "hana"},
               {"eMail", "hana@example.com"},
               {"phoneNr", "+46701234567"},
               {"password", "pw"},
               {"apiKey", "k"},
               {"nonce", nonce},
               {"seconds", 600}};
  body["signature"] =
      sign("s", "hana:" + n.host() + ":hana@example.com:+46701234567:pw:k:" + nonce);
  auto created = n.post("/Agent/Account/Create", body);
  REQUIRE(created->status == 200);
  std::string jwt = json::parse(created->body)["jwt"];
  int email = n.broker.email_code("hana@example.com"), phone = n.broker.phone_code("+46701234567");
  CHECK(phone >= 100000);
  CHECK(n.post("/Agent/Account/ResendVerificationCodes",
               {{"eMail", "hana@example.com"}, {"phoneNr", "+46701234567"}}, jwt)
            ->status == 200);
  CHECK(n.broker.phone_code("+46701234567") == phone);  // the same codes are sent again

  CHECK(n.post("/Agent/Account/VerifyPhoneNr", {{"phoneNr", "+46701234567"}, {"code", phone + 1}})
            ->status == 403);
  CHECK(n.post("/Agent/Account/VerifyEMail", {{"eMail", "hana@example.com"}, {"code", email}}, jwt)
            ->status == 200);
  auto login = [&] {
    std::string nn = fresh_nonce();
    return n.post("/Agent/Account/Login", {{"userName", "hana"},
                                           {"nonce", nn},
                                           {"signature", sign("pw", "hana:" + n.host() + ":" + nn)},
                                           {"seconds", 60}});
  };
  CHECK(login()->status == 403);  // the phone is not verified yet
  auto v = n.post("/Agent/Account/VerifyPhoneNr", {{"phoneNr", "+46701234567"}, {"code", phone}});
  REQUIRE(v->status == 200);
  CHECK(json::parse(v->body) == json{{"phoneNr", "+46701234567"}, {"userName", "hana"}});
  CHECK(login()->status == 200);
}

TEST_CASE("the /_test/ controls of the web side") {
  Neuron n("neuron.example", 5000);
  auto ctl = [&](const std::string& path, const json& body) {
    auto r = n.cli.Post(path, body.dump(), "application/json");
    REQUIRE(r);
    CHECK(r->status == 200);
    return json::parse(r->body);
  };
  ctl("/_test/client-events-wait", {{"ms", 200}});
  auto t0 = Clock::now();
  Started s = start_quick_login(n, "tab-c");
  CHECK(events_of(n.poll("tab-c", s.cookie)) == kNop);
  CHECK(ms_since(t0) < 2000);
  json tab = json::parse(n.cli.Get("/_test/client-tab?tab=tab-c")->body);
  CHECK(tab == json{{"registered", true}, {"cookie", s.cookie}});
  CHECK(ctl("/_test/client-event", {{"tab", "tab-c"}, {"type", "CheckServerInstance"}}) ==
        json{{"queued", true}});
  CHECK(ctl("/_test/client-event", {{"tab", "nope"}, {"type", "X"}}) == json{{"queued", false}});

  CHECK(ctl("/_test/quick-login/decline", {{"ref", "nope"}}) == json{{"declined", false}});
  CHECK(ctl("/_test/quick-login/sign",
            {{"ref", s.sign_url}, {"user", "alice"}, {"withToken", true}}) ==
        json{{"signed", true}});
  json ev = events_of(n.poll("tab-c", s.cookie));
  REQUIRE(ev.size() == 2);
  CHECK(ev[0] == json{{"type", "CheckServerInstance"}, {"data", ""}});
  CHECK(ev[1]["data"].contains("AgentApiToken"));
  start_quick_login(n, "tab-d");
  CHECK(ctl("/_test/quick-login/decline", {{"ref", "tab-d"}}) == json{{"declined", true}});
  CHECK(ctl("/_test/quick-login/sign", {{"ref", "tab-d"}, {"user", "alice"}}) ==
        json{{"signed", false}});

  CHECK(ctl("/_test/remote-petition/sign", {{"ref", "x"}, {"user", "alice"}}) ==
        json{{"signed", false}});
  std::string legal_id = json::parse(n.cli.Get("/_test/legal-id?user=alice")->body)["legalId"];
  CHECK(legal_id == n.broker.legal_id("alice"));
  auto petition =
      n.post("/Agent/Account/RemoteQuickLogin", {{"legalId", legal_id}, {"purpose", "p"}});
  CHECK(ctl("/_test/remote-petition/sign", {{"ref", legal_id}, {"user", "alice"}}) ==
        json{{"signed", true}});
  CHECK(
      json::parse(n.post("/Agent/Account/RemoteQuickLogin",
                         {{"legalId", legal_id}, {"purpose", "p"}}, "", set_cookie_value(petition))
                      ->body)["loggedIn"] == true);

  std::string cookie = ctl("/_test/web-session", {{"user", "alice"}})["cookie"];
  CHECK(n.post("/Agent/Account/GetSessionToken", json::object(), "", cookie)->status == 200);
  CHECK(ctl("/_test/web-session", {{"user", "nobody"}}) == json{{"cookie", ""}});

  std::string jwt = n.token();
  ctl("/_test/fail-next-send", json::object());
  CHECK(json::parse(n.post("/Agent/Xmpp/SendTextMessage", {{"to", "b@x"}, {"message", "1"}}, jwt)
                        ->body)["sent"] == false);
  n.post("/Agent/Xmpp/SendTextMessage", {{"to", "b@x"}, {"message", "2"}, {"subject", "s"}}, jwt);
  json msgs = json::parse(n.cli.Get("/_test/messages")->body);
  REQUIRE(msgs.size() == 1);
  CHECK(msgs[0]["message"] == "2");
  CHECK(msgs[0]["subject"] == "s");
  CHECK(msgs[0]["from"] == "alice@neuron.example");
  CHECK_FALSE(msgs[0].contains("language"));

  ctl("/_test/remote-references",
      {{"user", "alice"}, {"domain", "r.example"}, {"legalId", "a@legal.r.example"}});
  CHECK(json::parse(n.post("/Agent/Account/RemoteReferences", json::object(), jwt)
                        ->body)["References"][0]["domain"] == "r.example");
  CHECK(n.cli.Post("/_test/quick-login/sign", R"({"ref":"x"})", "application/json")->status == 400);
  json counters = json::parse(n.cli.Get("/_test/counters")->body);
  CHECK(counters["/_test/quick-login/sign"] == 3);
}
