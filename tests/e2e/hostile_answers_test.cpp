// Hostile server answers through the real binary (issue 9, points 3, 4, 5, 1 and 10, the
// server's part): the broker's hostile mode edits an honest answer into what a malicious
// server sends - huge numbers, wrongly typed fields, CR LF in tokens, deep JSON, a twenty
// digit Retry-After, over-long user names, another site's cookie and tagsign: link - and
// authctl must refuse it as a malformed answer (exit 1, naming the field, nothing stored,
// never "internal error") or, for the Retry-After, still say exit 5.
#include <httplib.h>

#include <thread>

#include "fixture.hpp"
#include "hostile.hpp"
#include "nexterm_fixture.hpp"
#include "waiting_output.hpp"

using namespace e2e;
using testbroker::HostileAnswer;

namespace {

bool store_empty(const std::string& path) {
  return read_file(path).empty();
}

// A malformed answer: exit 1, "unexpected answer" naming `field`, never a crash or an
// "internal error".
void check_refused(const Result& r, const std::string& field) {
  CHECK_MESSAGE(r.exit_code == 1, r.err);
  CHECK_MESSAGE(contains(r.err, "unexpected answer"), r.err);
  CHECK_MESSAGE(contains(r.err, field), r.err);
  CHECK_FALSE(contains(r.err, "internal error"));
}

bool soon(const std::function<bool()>& condition) {
  for (int i = 0; i < 250; ++i) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

}  // namespace

TEST_CASE("Neuron login: expires out of range or not a time -> exit 1, nothing stored") {
  NeuronFixture f;
  for (const char* value : {"1e90", "-1e90", "1e300", "18446744073709551615", "0", "\"soon\"",
                            "\"226-1-22T11:22:11.1230+2:00\"", "true", "null"}) {
    CAPTURE(value);
    f.broker.inject_hostile("/Agent/Account/Login", set("/expires", value));
    check_refused(f.login(), "\"expires\"");
    CHECK(store_empty(f.store_path()));
  }
  CHECK(f.login().exit_code == 0);  // the honest answer still works
}

TEST_CASE("Neuron tokens: a jwt that is not three base64url parts is never stored or sent") {
  NeuronFixture f;
  for (const char* value :
       {R"("a.b.c\r\nX-Evil: 1")", R"("a.b")", R"("")", "42", R"({"jwt":"x"})", "null"}) {
    CAPTURE(value);
    f.broker.inject_hostile("/Agent/Account/Login", set("/jwt", value));
    auto r = f.login();
    check_refused(r, "\"jwt\"");
    CHECK(store_empty(f.store_path()));
  }
  // Refresh: the old token stays in the store, the hostile one never reaches it.
  REQUIRE(f.login().exit_code == 0);
  const std::string before = read_file(f.store_path());
  f.broker.inject_hostile("/Agent/Account/Refresh", set("/jwt", R"("a.b.c\r\nX-Evil: 1")"));
  check_refused(f.run({"refresh"}), "\"jwt\"");
  CHECK(read_file(f.store_path()) == before);
  CHECK_FALSE(contains(read_file(f.store_path()), "X-Evil"));
  CHECK(f.run({"whoami"}).exit_code == 0);
}

TEST_CASE("Neuron user names: over 255 bytes or with controls from a server are refused") {
  NeuronFixture f;
  const std::string web = f.broker.web_form_session(kUser);
  for (const std::string& name :
       {"\"" + std::string(300, 'a') + "\"", std::string(R"("alice\u001b]0;pwned\u0007")"),
        std::string(R"("al\r\nice")"), std::string("17")}) {
    CAPTURE(name);
    f.broker.inject_hostile("/Agent/Account/Info", set("/userName", name));
    auto r = f.run({"login", "--host", f.broker.url(), "--session-cookie", "-"}, {},
                   "HttpSessionID=" + web + "\n");
    check_refused(r, "\"userName\"");
    CHECK(store_empty(f.store_path()));
  }
}

TEST_CASE("login --session-cookie: only the --host's HttpSessionID of a cookies.txt counts") {
  NeuronFixture f;
  f.broker.add_neuron_account("mallory", "M4llory-Passw0rd-xyz", "m@example.com");
  const std::string theirs = f.broker.web_form_session("mallory");
  const std::string mine = f.broker.web_form_session(kUser);
  // An export lists every site; another domain's HttpSessionID comes first here.
  const std::string cookies =
      "# Netscape HTTP Cookie File\n"
      "#HttpOnly_evil.example.net\tFALSE\t/\tTRUE\t0\tHttpSessionID\t" +
      theirs +
      "\n"
      "127.0.0.1.example\tFALSE\t/\tTRUE\t0\tHttpSessionID\t" +
      theirs +
      "\n"
      "#HttpOnly_127.0.0.1\tFALSE\t/\tFALSE\t0\tHttpSessionID\t" +
      mine + "\n";
  write_file(f.tmp.file("cookies.txt"), cookies);
  auto r =
      f.run({"login", "--host", f.broker.url(), "--session-cookie", f.tmp.file("cookies.txt")});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(f.store()["profiles"][f.profile_name()]["user"] == kUser);
  CHECK_FALSE(f.store()["profiles"].contains("mallory@" + f.broker.url().substr(7)));
  // Only other sites' cookies: none found (usage), nothing sent.
  write_file(f.tmp.file("others.txt"),
             "evil.example.net\tFALSE\t/\tTRUE\t0\tHttpSessionID\t" + theirs + "\n");
  f.broker.reset_counters();
  auto none =
      f.run({"login", "--host", f.broker.url(), "--session-cookie", f.tmp.file("others.txt")});
  CHECK(none.exit_code == 2);
  CHECK(f.broker.count("/Agent/Account/QuickLogin") == 0);
}

TEST_CASE("Neuron web session: a Set-Cookie value outside RFC 6265 is never kept") {
  NeuronFixture f;
  HostileAnswer edit;
  edit.headers = {{"Set-Cookie", "HttpSessionID=abc\"def;ghi; Path=/"}};
  f.broker.inject_hostile("/QuickLogin", edit);
  auto r = f.run({"login", "--qr", "--host", f.broker.url(), "--show-qr", "never"});
  check_refused(r, "HttpSessionID");
  CHECK(f.broker.count("/ClientEvents") == 0);
  CHECK(store_empty(f.store_path()));
}

TEST_CASE("login --qr: a tagsign: link for another domain is refused before it is shown") {
  NeuronFixture f;
  for (const char* link :
       {R"("tagsign:evil.example.net,0123456789abcdef")",
        R"("tagsign:localhost.evil.example,0123456789abcdef")",
        R"("https://evil.example.net/sign?k=1")", R"("tagsign:localhost,ab\u001b[2Kcd")", "7"}) {
    CAPTURE(link);
    f.broker.reset_counters();
    f.broker.inject_hostile("/QuickLogin", set("/signUrl", link));
    auto r = f.run({"login", "--qr", "--host", f.broker.url(), "--show-qr", "never"});
    check_refused(r, "");
    CHECK_FALSE(contains(r.err, "0123456789abcdef"));  // the code itself was never shown
    CHECK_FALSE(contains(r.err, "\x1b"));
    CHECK(f.broker.count("/ClientEvents") == 0);
    CHECK(store_empty(f.store_path()));
  }
  // DomainInfo names the domain the links must carry: here "localhost", not 127.0.0.1.
  f.broker.inject_hostile("/QuickLogin", set("/signUrl", R"("tagsign:127.0.0.1,0123456789")"));
  check_refused(f.run({"login", "--qr", "--host", f.broker.url(), "--show-qr", "never"}),
                "not for localhost");
}

TEST_CASE("login --qr: a broker without a domain in DomainInfo: the --host's host is the domain") {
  NeuronFixture f;
  HostileAnswer no_domain;
  no_domain.body = R"({"useEncryption":false})";
  no_domain.times = 2;  // should the login probe ask too
  f.broker.inject_hostile("/Agent/Account/DomainInfo", no_domain);
  auto r = f.run({"login", "--qr", "--host", f.broker.url(), "--show-qr", "never"});
  check_refused(r, "not for 127.0.0.1");  // the broker's links say localhost
}

TEST_CASE("login --qr: /ClientEvents answered with 100,000-deep JSON -> exit 1, no crash") {
  NeuronFixture f;
  f.broker.set_client_events_wait_ms(100);
  HostileAnswer deep;
  deep.body = std::string(100000, '[') + std::string(100000, ']');
  f.broker.inject_hostile("/ClientEvents", deep);
  auto r =
      f.run({"login", "--qr", "--host", f.broker.url(), "--show-qr", "never", "--wait", "20s"});
  check_refused(r, "nested deeper than 64");
  CHECK(store_empty(f.store_path()));
}

TEST_CASE("login --qr: an AgentApiToken with CR LF in the event is refused before any use") {
  NeuronFixture f;
  Process p(Invocation{{"login", "--qr", "--host", f.broker.url(), "--json"}, f.env, ""});
  const std::string link = json_line(p)["link"];
  const std::string tab = f.broker.quick_login_request(link).tab;
  REQUIRE(soon([&] { return f.broker.client_tab_registered(tab); }));
  f.broker.reset_counters();
  REQUIRE(f.broker.push_client_event(
      tab, "SignatureReceivedBE", R"({"Domain":"localhost","AgentApiToken":"a.b.c\r\nX-Evil: 1"})",
      true));
  auto r = p.wait();
  check_refused(r, "AgentApiToken");
  CHECK(f.broker.count("/Agent/Account/Info") == 0);  // never sent in a header
  CHECK(store_empty(f.store_path()));
}

TEST_CASE("Nexterm login: a token that is not 96 hex (CR LF in it) -> exit 1, nothing stored") {
  NextermFixture f;
  for (const char* value : {R"("abc\r\nX-Evil: 1")", R"("abc")", "12", "null"}) {
    CAPTURE(value);
    f.broker.inject_hostile("/api/auth/login", set("/token", value));
    check_refused(f.login(), "\"token\"");
    CHECK(store_empty(f.store_path()));
  }
  std::string token96(96, 'a');
  token96[95] = '\r';
  f.broker.inject_hostile("/api/auth/login", set("/token", nlohmann::json(token96).dump()));
  check_refused(f.login(), "\"token\"");
  CHECK(store_empty(f.store_path()));
}

TEST_CASE("Nexterm 429 with a twenty-digit Retry-After: still exit 5") {
  NextermFixture f;
  HostileAnswer limited;
  limited.status = 429;
  limited.body = R"({"message":"Too many requests"})";
  limited.headers = {{"Retry-After", "99999999999999999999"}};
  f.broker.inject_hostile("/api/auth/login", limited);
  auto r = f.login();
  CHECK_MESSAGE(r.exit_code == 5, r.err);
  CHECK(contains(r.err, "wait a while"));
  CHECK_FALSE(contains(r.err, "internal error"));
  limited.headers = {{"Retry-After", "120"}};
  f.broker.inject_hostile("/api/auth/login", limited);
  auto sane = f.login();
  CHECK(sane.exit_code == 5);
  CHECK(contains(sane.err, "retry in 2m"));
  CHECK(store_empty(f.store_path()));
}

TEST_CASE("Nexterm sessions list: wrongly typed or out-of-range fields are named, exit 1") {
  NextermFixture f;
  REQUIRE(f.login().exit_code == 0);
  f.broker.nexterm_session(kAdmin, "curl/8");
  f.broker.nexterm_session(kAdmin, "curl/8");
  struct Case {
    const char* pointer;
    const char* value;
    const char* expected;
  };
  for (const Case& c : {Case{"/2/id", R"("7")", R"("id" of session 3 is not an integer)"},
                        Case{"/0/userAgent", "null", R"("userAgent" of session 1)"},
                        Case{"/1/userAgent", "42", R"("userAgent" of session 2 is not a string)"},
                        Case{"/1", "17", "session 2 is not a JSON object"},
                        Case{"/0/lastActivity", "1e300", R"("lastActivity" of session 1 is out)"},
                        Case{"/0/lastActivity", R"("226-1-22T11:22:11.1230+2:00")",
                             R"("lastActivity" of session 1)"},
                        Case{"/0/current", R"("yes")", R"("current" of session 1)"}}) {
    CAPTURE(c.pointer);
    f.broker.inject_hostile("/api/sessions/list", set(c.pointer, c.value));
    check_refused(f.run({"sessions", "list"}), c.expected);
    f.broker.inject_hostile("/api/sessions/list", set(c.pointer, c.value));
    check_refused(f.run({"sessions", "list", "--json"}), c.expected);
  }
  CHECK(f.run({"sessions", "list"}).exit_code == 0);
}

TEST_CASE("Nexterm API keys: a created key outside nxt_+64 hex, or bad times, exit 1") {
  NextermFixture f;
  REQUIRE(f.login().exit_code == 0);
  f.broker.inject_hostile("/api/accounts/api-keys", set("/token", R"("nxt_abc\r\nX: 1")"));
  auto r = f.run({"apikey", "create", "ci"});
  check_refused(r, "\"token\"");
  CHECK_FALSE(contains(r.out, "nxt_abc"));
  REQUIRE(f.run({"apikey", "create", "ci"}).exit_code == 0);
  f.broker.inject_hostile("/api/accounts/api-keys", set("/0/createdAt", "1e300"));
  check_refused(f.run({"apikey", "list"}), R"("createdAt" of API key 1)");
  f.broker.inject_hostile("/api/accounts/api-keys",
                          set("/0/expiresAt", R"("2300-01-01T00:00:00Z")"));
  check_refused(f.run({"apikey", "list"}), R"("expiresAt" of API key 1)");
  f.broker.inject_hostile("/api/accounts/api-keys", set("/0/id", "1.5"));
  check_refused(f.run({"apikey", "list"}), R"("id" of API key 1 is not an integer)");
}

TEST_CASE("login --with-token: a user name over 255 bytes or with controls -> exit 1") {
  NextermFixture f;
  const std::string key = f.broker.nexterm_api_key(kAdmin, "ci");
  for (const std::string& name :
       {"\"" + std::string(300, 'a') + "\"", std::string(R"("adm\u001b[2Kin")"),
        std::string(R"("admin\u0085")"), std::string(R"("$(id>~/owned)\r")"), std::string("[]")}) {
    CAPTURE(name);
    f.broker.inject_hostile("/api/accounts/me", set("/username", name));
    auto r = f.run({"login", "--host", f.broker.url(), "--with-token"}, {}, key + "\n");
    check_refused(r, "\"username\"");
    CHECK(store_empty(f.store_path()));
  }
  // 255 bytes is still a user name.
  f.broker.inject_hostile("/api/accounts/me",
                          set("/username", "\"" + std::string(255, 'a') + "\""));
  auto ok =
      f.run({"login", "--host", f.broker.url(), "--with-token", "-p", "long"}, {}, key + "\n");
  CHECK_MESSAGE(ok.exit_code == 0, ok.err);
  CHECK(f.store()["profiles"]["long"]["user"] == std::string(255, 'a'));
}

TEST_CASE("Nexterm version probe: deep JSON is a malformed answer, not a crash") {
  NextermFixture f;
  HostileAnswer deep;
  deep.body = std::string(100000, '[') + std::string(100000, ']');
  f.broker.inject_hostile("/api/service/version", deep);
  auto r = f.login();
  check_refused(r, "nested deeper than 64");
  CHECK(store_empty(f.store_path()));
}
