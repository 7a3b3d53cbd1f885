// Device codes against a hostile or careless world (issue 9, points 2, 4, 5 and 11):
// `device-link approve` shows a crafted User-Agent escaped (device-code phishing), device
// answers with bad tokens are refused, and `device-link phone` ends the session it made when
// the app never claims it - through that session's own token, also on an API-key profile,
// and never through /api/auth/logout.
#include <csignal>
#include <ctime>

#include "hostile.hpp"
#include "nexterm_fixture.hpp"
#include "waiting_output.hpp"

using namespace e2e;
using testbroker::HostileAnswer;

TEST_CASE("device-link approve: a crafted User-Agent, IP and type are shown escaped") {
  NextermFixture f;
  REQUIRE(f.login().exit_code == 0);
  Process waiting(
      f.invocation({"device-link", "--host", f.broker.url(), "--json", "--interval", "30s"}));
  const std::string code = json_line(waiting)["code"];
  HostileAnswer edit;
  edit.set = {{"/userAgent", R"("curl/8\r\u001b[2K  IP address: 10.0.0.1")"},
              {"/ipAddress", R"("203.0.113.9\u001b]0;title\u0007")"},
              {"/clientType", R"("connector\u009b2J")"}};
  f.broker.inject_hostile("/api/auth/device/info", edit);
  auto r = f.run({"device-link", "approve", code, "--yes"});
  CHECK_MESSAGE(r.exit_code == 0, r.err);
  CHECK_FALSE(!terminal_safe(r.err));
  CHECK_FALSE(!terminal_safe(r.out));
  CHECK(contains(r.err, R"(User-Agent: curl/8\r\x1b[2K  IP address: 10.0.0.1)"));
  CHECK(contains(r.err, R"(IP address: 203.0.113.9\x1b]0;title\x07)"));
  CHECK(contains(r.err, R"(type:       connector\u009b2J)"));
  waiting.signal(SIGINT);
  waiting.wait();
}

TEST_CASE("device-link: device answers with bad tokens or times are refused, nothing stored") {
  NextermFixture f;
  struct Case {
    const char* path;
    const char* pointer;
    const char* value;
    const char* field;
  };
  for (const Case& c :
       {Case{"/api/auth/device/create", "/token", R"("zz\r\nX-Evil: 1")", R"("token")"},
        Case{"/api/auth/device/create", "/expiresAt", "1e90", R"("expiresAt")"},
        Case{"/api/auth/device/create", "/code", R"("AB\u001bD-EFGH")", R"("code")"},
        Case{"/api/auth/device/create", "/code", "1234", R"("code")"}}) {
    CAPTURE(c.pointer);
    f.broker.inject_hostile(c.path, set(c.pointer, c.value));
    auto r = f.run({"device-link", "--host", f.broker.url(), "--interval", "1s"});
    CHECK_MESSAGE(r.exit_code == 1, r.err);
    CHECK(contains(r.err, "unexpected answer"));
    CHECK(contains(r.err, c.field));
    CHECK_FALSE(!terminal_safe(r.err));
    CHECK(read_file(f.store_path()).empty());
  }
  // The session token a poll hands over: 96 hex, else never stored.
  Process p(f.invocation({"device-link", "--host", f.broker.url(), "--json", "--interval", "1s"}));
  const std::string code = json_line(p)["code"];
  CHECK(code.size() == 9);
  HostileAnswer authorized;  // whichever poll comes next says authorized, with a bad token
  authorized.set = {{"/status", R"("authorized")"}, {"/token", R"("abc\r\nX-Evil: 1")"}};
  f.broker.inject_hostile("/api/auth/device/poll", authorized);
  auto r = p.wait();
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, R"("token" of device/poll)"));
  CHECK(read_file(f.store_path()).empty());
}

TEST_CASE("device-link login: the account's user name is checked (over 255 bytes: exit 1)") {
  NextermFixture f;
  Process p(f.invocation({"device-link", "--host", f.broker.url(), "--json", "--interval", "1s"}));
  const std::string code = json_line(p)["code"];
  f.broker.inject_hostile("/api/accounts/me",
                          set("/username", "\"" + std::string(300, 'x') + "\""));
  REQUIRE(f.broker.device_approve(code, kAdmin).size() == 96);
  auto r = p.wait();
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, R"("username")"));
  CHECK(read_file(f.store_path()).empty());
}

TEST_CASE(
    "device-link phone on an API-key profile: the unclaimed session is ended by its own "
    "token") {
  NextermFixture f;
  const std::string key = f.broker.nexterm_api_key(kAdmin, "ci");
  REQUIRE(f.run({"login", "--host", f.broker.url(), "--with-token"}, {}, key + "\n").exit_code ==
          0);
  REQUIRE(f.broker.nexterm_sessions(kAdmin).empty());  // an API key has no session
  f.broker.reset_counters();
  auto r =
      f.run({"device-link", "phone", "--wait", "2s", "--interval", "1s", "--show-qr", "never"});
  CHECK(r.exit_code == 6);
  CHECK_MESSAGE(contains(r.err, "Ended the session made for the phone"), r.err);
  CHECK(f.broker.nexterm_sessions(kAdmin).empty());  // nothing left behind
  CHECK(f.broker.count("/api/auth/logout") == 0);
  CHECK(f.broker.count("/api/auth/device/poll") == 1);
  CHECK(f.broker.count("/api/sessions/list") == 1);  // with the phone session's own token
  CHECK(f.broker.count("/api/sessions/:id") == 1);
  CHECK(f.run({"whoami"}).exit_code == 0);  // the key still works

  // Ctrl-C: the same clean-up.
  Process stopped(
      f.invocation({"device-link", "phone", "--json", "--interval", "1s", "--show-qr", "never"}));
  json_line(stopped);
  REQUIRE(f.broker.nexterm_sessions(kAdmin).size() == 1);  // made at authorize
  stopped.signal(SIGINT);
  CHECK(stopped.wait().exit_code == 130);
  CHECK(f.broker.nexterm_sessions(kAdmin).empty());
  CHECK(f.broker.count("/api/auth/logout") == 0);
}

TEST_CASE("device-link phone on a session profile: only the phone's session goes, ours stays") {
  NextermFixture f;
  REQUIRE(f.login().exit_code == 0);
  REQUIRE(f.broker.nexterm_session(kAdmin, "authctl/0 (another one)").size() == 96);
  const auto before = f.broker.nexterm_sessions(kAdmin);
  f.broker.reset_counters();
  auto r = f.run({"device-link", "phone", "--wait", "1s", "--show-qr", "never"});
  CHECK(r.exit_code == 6);
  CHECK(contains(r.err, "Ended the session made for the phone"));
  const auto after = f.broker.nexterm_sessions(kAdmin);
  REQUIRE(after.size() == before.size());
  for (size_t i = 0; i < after.size(); ++i) CHECK(after[i].id == before[i].id);
  CHECK(f.broker.count("/api/auth/logout") == 0);
  CHECK(f.run({"whoami"}).exit_code == 0);

  // Claimed by the app: nothing is ended.
  Process p(
      f.invocation({"device-link", "phone", "--json", "--interval", "1s", "--show-qr", "never"}));
  const std::string code = json_line(p)["code"];
  CHECK(f.broker.device_claim(f.broker.device_poll_token_for(code)));
  CHECK(json_line(p)["event"] == "claimed");
  CHECK(p.wait().exit_code == 0);
  CHECK(f.broker.nexterm_sessions(kAdmin).size() == before.size() + 1);
}

TEST_CASE("device-link phone without --wait stops one interval before expiresAt, then ends it") {
  NextermFixture f;
  const std::string key = f.broker.nexterm_api_key(kAdmin, "ci");
  REQUIRE(f.run({"login", "--host", f.broker.url(), "--with-token"}, {}, key + "\n").exit_code ==
          0);
  // The code is said to expire in 4 s: the wait ends at 3 s (interval 1 s), while the poll
  // token still redeems the session.
  const time_t soon = static_cast<time_t>(f.broker.now() + 4);
  struct tm tm {};
  gmtime_r(&soon, &tm);
  char iso[32];
  strftime(iso, sizeof iso, "\"%Y-%m-%dT%H:%M:%S.000Z\"", &tm);
  f.broker.inject_hostile("/api/auth/device/create", set("/expiresAt", iso));
  f.broker.reset_counters();
  auto r = f.run({"device-link", "phone", "--interval", "1s", "--show-qr", "never"});
  CHECK(r.exit_code == 6);
  CHECK(contains(r.err, "the link code expired before the app used it"));
  CHECK_MESSAGE(contains(r.err, "Ended the session made for the phone"), r.err);
  CHECK(f.broker.nexterm_sessions(kAdmin).empty());
  CHECK(f.broker.count("/api/auth/logout") == 0);
}
