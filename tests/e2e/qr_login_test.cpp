// login --qr (Neuron Quick Login from a terminal) through the real binary: the code shown
// only after the tab is registered on /ClientEvents, the phone app played by broker hooks,
// the JWT from the event or from one /Agent/Account/QuickLogin, and every way it can fail.
#include <csignal>
#include <regex>
#include <thread>

#include "core/jwt.hpp"
#include "fixture.hpp"
#include "qr_decode.hpp"
#include "waiting_output.hpp"

using namespace e2e;

namespace {

Invocation qr_login(const NeuronFixture& f, std::vector<std::string> extra = {}) {
  Invocation inv{{"login", "--qr", "--host", f.broker.url()}, f.env, ""};
  inv.args.insert(inv.args.end(), extra.begin(), extra.end());
  return inv;
}

// Polls a broker condition that follows from what the client already did (the server may
// still be reading the request when the client has moved on).
bool soon(const std::function<bool()>& condition) {
  for (int i = 0; i < 100; ++i) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

bool store_exists(const NeuronFixture& f) {
  return !read_file(f.store_path()).empty();
}

}  // namespace

TEST_CASE("login --qr: tab registered before the code, one QuickLogin after the event") {
  NeuronFixture f;
  f.broker.set_client_events_wait_ms(200);  // several NOP rounds while waiting
  Process p(qr_login(f, {"--json", "--purpose", "CI runner 7"}));
  nlohmann::json code = json_line(p);
  REQUIRE(code["event"] == "code");
  const std::string link = code["link"];
  CHECK(link.rfind("tagsign:localhost,", 0) == 0);
  CHECK(link.substr(link.find(',') + 1) == code["code"]);
  CHECK(code["expires_at"].is_string());

  const auto request = f.broker.quick_login_request(link);
  CHECK(std::regex_match(
      request.tab, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")));
  CHECK(request.purpose == "CI runner 7");
  CHECK(request.agent_api_timeout == 3600);
  // Registered with the very cookie /QuickLogin set, before anything was shown.
  CHECK(soon([&] { return f.broker.client_tab_registered(request.tab); }));
  CHECK(f.broker.client_tab_cookie(request.tab) == request.session);
  CHECK(f.broker.count("/Agent/Account/QuickLogin") == 0);  // never before the signature

  std::this_thread::sleep_for(std::chrono::milliseconds(600));  // polls answered NOP, re-posted
  CHECK(f.broker.push_client_event(request.tab, "CheckServerInstance", "ignored"));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  REQUIRE(f.broker.sign_quick_login(link, kUser));
  nlohmann::json done = json_line(p);
  CHECK(done["event"] == "logged_in");
  CHECK(done["user"] == kUser);
  CHECK(done["kind"] == "neuron");
  CHECK(done["profile"] == f.profile_name());
  CHECK(done["expires_at"].is_string());
  auto r = p.wait();
  CHECK_MESSAGE(r.exit_code == 0, r.err);
  CHECK(f.broker.count("/Agent/Account/QuickLogin") == 1);
  CHECK(f.broker.count("/QuickLogin") == 1);
  CHECK(f.broker.count("/ClientEvents") >= 3);
  auto stored = f.store()["profiles"][f.profile_name()];
  CHECK(stored["kind"] == "neuron");
  CHECK(stored["seconds"] == 3600);
  CHECK(f.store()["current"] == f.profile_name());
  CHECK(f.run({"whoami"}).exit_code == 0);  // the token works
}

TEST_CASE("login --qr -v: the /ClientEvents poll has gone out before the code is shown") {
  NeuronFixture f;
  auto r = f.run({"login", "--qr", "--host", f.broker.url(), "-v", "--wait", "1s"});
  CHECK(r.exit_code == 6);
  const size_t poll = r.err.find("> POST /ClientEvents");
  const size_t body = r.err.find("> [body] " + f.broker.url() + "/", poll);
  const size_t shown = r.err.find("To log in to");
  REQUIRE(poll != std::string::npos);
  REQUIRE(body != std::string::npos);
  REQUIRE(shown != std::string::npos);
  CHECK(r.err.find("> POST /QuickLogin") < poll);
  CHECK(body < shown);
}

TEST_CASE("login --qr: the JWT handed over in the event is used as it is") {
  NeuronFixture f;
  Process p(qr_login(f, {"--json", "--seconds", "600", "-v"}));
  nlohmann::json code = json_line(p);
  const std::string link = code["link"];
  CHECK(f.broker.quick_login_request(link).agent_api_timeout == 600);
  REQUIRE(
      soon([&] { return f.broker.client_tab_registered(f.broker.quick_login_request(link).tab); }));
  REQUIRE(f.broker.sign_quick_login(link, kUser, /*with_token=*/true));
  CHECK(json_line(p)["event"] == "logged_in");
  auto r = p.wait();
  CHECK_MESSAGE(r.exit_code == 0, r.err);
  CHECK(f.broker.count("/Agent/Account/QuickLogin") == 0);  // the event carried the token
  const std::string token = f.store()["profiles"][f.profile_name()]["token"];
  CHECK(contains(r.err, "SignatureReceivedBE"));  // the event is in the trace...
  CHECK(!contains(r.err, token));                 // ...its token is not
  auto w = f.run({"whoami", "--json"});
  REQUIRE(w.exit_code == 0);
  auto who = nlohmann::json::parse(w.out);
  CHECK(who["user"] == kUser);
  const int64_t exp = who["server"]["claims"]["exp"];
  const int64_t iat = who["server"]["claims"]["iat"];
  CHECK(exp - iat == 600);
  CHECK(f.store()["profiles"][f.profile_name()]["expires"] == exp);
}

TEST_CASE("login --qr --no-store --print-token: the token on stdout, nothing written") {
  NeuronFixture f;
  Process p(qr_login(f, {"--no-store", "--print-token"}));
  REQUIRE(p.wait_for_err("tagsign:"));
  REQUIRE(p.wait_for_err("\n", 2000));
  std::smatch m;
  const std::string err = p.err_so_far();
  REQUIRE(std::regex_search(err, m, std::regex("tagsign:[^\\s]+")));
  const std::string link = m.str();
  REQUIRE(
      soon([&] { return f.broker.client_tab_registered(f.broker.quick_login_request(link).tab); }));
  REQUIRE(f.broker.sign_quick_login(link, kUser));
  auto r = p.wait();
  CHECK_MESSAGE(r.exit_code == 0, r.err);
  CHECK(contains(r.err, "nothing stored"));
  const std::string token = r.out.substr(0, r.out.find('\n'));
  REQUIRE(authctl::jwt::decode_claims(token).has_value());
  CHECK((*authctl::jwt::decode_claims(token))["sub"] == kUser);
  CHECK(!store_exists(f));
}

TEST_CASE("login --qr: declined in the app -> no event -> exit 6 at --wait, nothing stored") {
  NeuronFixture f;
  f.broker.set_client_events_wait_ms(300);
  Process p(qr_login(f, {"--json", "--wait", "2s"}));
  const std::string link = json_line(p)["link"];
  REQUIRE(f.broker.decline_quick_login(link));
  CHECK(json_line(p)["event"] == "gave_up");  // --wait ran out while the code lived on
  auto r = p.wait();
  CHECK(r.exit_code == 6);
  CHECK(contains(r.err, "not signed within --wait 2s"));
  CHECK(!store_exists(f));
  CHECK(f.broker.count("/Agent/Account/QuickLogin") == 0);
}

TEST_CASE("login --qr: Ctrl-C while waiting -> 130, nothing stored") {
  NeuronFixture f;
  Process p(qr_login(f));
  REQUIRE(p.wait_for_err("tagsign:"));
  p.signal(SIGINT);
  auto r = p.wait();
  CHECK(r.exit_code == 130);
  CHECK(!store_exists(f));
}

TEST_CASE("login --qr: the link in text, and the QR code drawn decodes to it") {
  NeuronFixture f;
  auto inv = qr_login(f, {"--show-qr", "always", "--wait", "1s"});
  Process p(inv);
  REQUIRE(p.wait_for_err("tagsign:"));
  auto r = p.wait();
  CHECK(r.exit_code == 6);
  std::smatch m;
  REQUIRE(std::regex_search(r.err, m, std::regex("tagsign:[^\\s]+")));
  CHECK(qr_decode::decode_text_qr(qr_block(r.err, QrStyle::half_blocks), QrStyle::half_blocks) ==
        m.str());
  CHECK(contains(r.err, "scan this QR code"));

  auto plain = f.run({"login", "--qr", "--host", f.broker.url(), "--wait", "1s"});
  CHECK(plain.exit_code == 6);
  CHECK(qr_block(plain.err, QrStyle::half_blocks).empty());  // no terminal: no QR by default
  CHECK(contains(plain.err, "tagsign:localhost,"));
}

TEST_CASE("login --qr: a dropped poll is posted again; -v shows no cookie and no token") {
  NeuronFixture f;
  f.broker.inject_fault("/ClientEvents", testbroker::Fault::drop_connection);
  Process p(qr_login(f, {"--json", "-v"}));
  const std::string link = json_line(p)["link"];
  const std::string tab = f.broker.quick_login_request(link).tab;
  REQUIRE(soon([&] { return f.broker.client_tab_registered(tab); }));
  const std::string cookie = f.broker.client_tab_cookie(tab);
  REQUIRE(f.broker.sign_quick_login(link, kUser));
  CHECK(json_line(p)["event"] == "logged_in");
  auto r = p.wait();
  CHECK_MESSAGE(r.exit_code == 0, r.err);
  CHECK(f.broker.count("/ClientEvents") >= 2);
  const std::string token = f.store()["profiles"][f.profile_name()]["token"];
  CHECK(contains(r.err, "X-TabID: " + tab));
  CHECK(!contains(r.err, cookie));
  CHECK(!contains(r.err, token));
}

TEST_CASE("login --qr errors: usage, not a Neuron, server down, TLS, bad answers, rate limit") {
  NeuronFixture f;
  SUBCASE("usage") {
    CHECK(f.run({"login", "--qr", "--host", f.broker.url(), "--wait", "6m"}).exit_code == 2);
    CHECK(f.run({"login", "--qr", "--host", f.broker.url(), "--kind", "nexterm"}).exit_code == 2);
    CHECK(f.run({"login", "--qr", "--device", "--host", f.broker.url()}).exit_code == 2);
    CHECK(f.run({"login", "--purpose", "x", "--host", f.broker.url()}).exit_code == 2);
    CHECK(f.broker.count("/QuickLogin") == 0);
  }
  SUBCASE("a Nexterm has no /QuickLogin") {
    testbroker::Options o;
    o.kind = testbroker::Kind::nexterm;
    testbroker::Broker nexterm(o);
    nexterm.start();
    auto r = f.run({"login", "--qr", "--host", nexterm.url()});
    CHECK(r.exit_code == 1);
    CHECK(contains(r.err, "has no Quick Login"));
    CHECK(contains(r.err, "--device"));
  }
  SUBCASE("server down") {
    const std::string url = f.broker.url();
    f.broker.stop();
    auto r = f.run({"login", "--qr", "--host", url});
    CHECK(r.exit_code == 3);
    CHECK(contains(r.err, "cannot connect"));
  }
  SUBCASE("the event channel answers garbage") {
    f.broker.inject_fault("/ClientEvents", testbroker::Fault::malformed_json);
    auto r = f.run({"login", "--qr", "--host", f.broker.url()});
    CHECK(r.exit_code == 1);
    CHECK(contains(r.err, "malformed JSON"));
    CHECK(!store_exists(f));
  }
  SUBCASE("the event channel refuses the tab") {
    f.broker.inject_fault("/ClientEvents", testbroker::Fault::redirect);
    auto r = f.run({"login", "--qr", "--host", f.broker.url()});
    CHECK(r.exit_code == 1);
    CHECK(contains(r.err, "event channel"));
  }
  SUBCASE("the event channel is rate limited") {
    f.broker.inject_fault("/ClientEvents", testbroker::Fault::rate_limit);
    auto r = f.run({"login", "--qr", "--host", f.broker.url()});
    CHECK(r.exit_code == 5);
    CHECK(!store_exists(f));
  }
  SUBCASE("rate limited when fetching the token") {
    f.broker.inject_fault("/Agent/Account/QuickLogin", testbroker::Fault::rate_limit);
    Process p(qr_login(f, {"--json"}));
    const std::string link = json_line(p)["link"];
    REQUIRE(soon(
        [&] { return f.broker.client_tab_registered(f.broker.quick_login_request(link).tab); }));
    REQUIRE(f.broker.sign_quick_login(link, kUser));
    auto r = p.wait();
    CHECK(r.exit_code == 5);
    CHECK(!store_exists(f));
  }
}

TEST_CASE("login --qr over HTTPS: the event channel uses --cacert too; untrusted -> exit 3") {
  TempDir pki;
  NeuronFixture f(tls_options(pki.path()));
  auto untrusted = f.run({"login", "--qr", "--host", f.broker.url()});
  CHECK(untrusted.exit_code == 3);
  CHECK(contains(untrusted.err, "not trusted"));

  Process p(qr_login(f, {"--json", "--cacert", pki.path() + "/ca.pem"}));
  const std::string link = json_line(p)["link"];
  REQUIRE(
      soon([&] { return f.broker.client_tab_registered(f.broker.quick_login_request(link).tab); }));
  REQUIRE(f.broker.sign_quick_login(link, kUser));
  CHECK(json_line(p)["event"] == "logged_in");
  auto r = p.wait();
  CHECK_MESSAGE(r.exit_code == 0, r.err);
}
