// Nexterm logins through the real binary: kind detection, password + TOTP, API keys, and the
// lifecycle commands on a Nexterm profile.
#include "nexterm_fixture.hpp"

using namespace e2e;
using testbroker::Fault;

TEST_CASE("login detects a Nexterm, stores a session that does not expire") {
  NextermFixture f;
  auto r = f.login();
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(f.broker.count("/api/service/version") == 1);
  CHECK(f.broker.count("/api/auth/login") == 1);
  const std::string name = std::string("admin@") + f.host();
  auto p = f.store()["profiles"][name];
  CHECK(p["kind"] == "nexterm");
  CHECK(p["expires"].is_null());
  CHECK(p["token"].get<std::string>().size() == 96);
  auto sessions = f.broker.nexterm_sessions(kAdmin);
  REQUIRE(sessions.size() == 1);
  CHECK(sessions[0].user_agent.rfind("authctl/", 0) == 0);  // the session's label

  CHECK(f.run({"token"}).out == p["token"].get<std::string>() + "\n");
  auto j = nlohmann::json::parse(f.run({"token", "--json"}).out);
  CHECK(j["expires_at"].is_null());
  auto w = f.run({"whoami"});
  CHECK_MESSAGE(w.exit_code == 0, w.err);
  CHECK(contains(w.out, "admin on " + f.broker.url()));
  CHECK(contains(w.out, "isAdmin: yes"));
  auto wj = nlohmann::json::parse(f.run({"whoami", "--json"}).out);
  CHECK(wj["kind"] == "nexterm");
  CHECK(wj["user"] == "admin");
  CHECK(wj["expires_at"].is_null());
  auto refresh = f.run({"refresh"});
  CHECK(refresh.exit_code == 0);
  CHECK(contains(refresh.err, "do not expire"));
  CHECK(contains(f.run({"status"}).out, "does not expire"));
  CHECK(f.run({"status", "--check"}).exit_code == 0);
}

TEST_CASE("--kind skips the probe: one request per login") {
  NextermFixture f;
  REQUIRE(f.login(kAdmin, kAdminPassword, {"--kind", "nexterm"}).exit_code == 0);
  CHECK(f.broker.count("/api/service/version") == 0);
  CHECK(f.broker.count("/api/auth/login") == 1);
}

TEST_CASE("a host that is neither: exit 1 naming what it answered") {
  NextermFixture f;
  f.broker.inject_fault("/api/service/version", Fault::html_error);
  auto r = f.login();
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, "neither a Nexterm"));
  CHECK(contains(r.err, "HTTP 500 text/html"));
  CHECK(contains(r.err, "HTTP 404"));
}

TEST_CASE("a Nexterm in production mode answers unknown routes with index.html") {
  NextermFixture f;
  f.broker.set_production_mode(true);
  // the probe still finds it; an unknown route with HTML where JSON was due is exit 1
  REQUIRE(f.login().exit_code == 0);
  f.broker.inject_fault("/api/accounts/me", Fault::html_error);
  auto r = f.run({"whoami"});
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, "text/html"));
}

TEST_CASE("wrong password: exit 4 'wrong user name or password', then the server's words") {
  NextermFixture f;
  auto r = f.login(kAdmin, "nope");
  CHECK(r.exit_code == 4);
  CHECK(contains(r.err, "wrong user name or password (server: Username or password incorrect)"));
  CHECK(f.login("ghost", "nope").exit_code == 4);
}

TEST_CASE("password login disabled: exit 4") {
  NextermFixture f;
  f.broker.set_password_login_enabled(false);
  auto r = f.login();
  CHECK(r.exit_code == 4);
  CHECK(contains(r.err, "password login is disabled"));
}

TEST_CASE("the auth rate limiter: exit 5 with Retry-After") {
  NextermFixture f;
  for (int i = 0; i < 20; ++i)
    REQUIRE(f.login(kAdmin, "wrong", {"--kind", "nexterm"}).exit_code == 4);
  auto r = f.login(kAdmin, kAdminPassword, {"--kind", "nexterm"});
  CHECK(r.exit_code == 5);
  CHECK(contains(r.err, "retry in "));
  f.broker.reset_rate_limits();
  CHECK(f.login(kAdmin, kAdminPassword, {"--kind", "nexterm"}).exit_code == 0);
}

TEST_CASE("TOTP: --totp-code; a wrong code and a code starting with 0 are refused (exit 4)") {
  NextermFixture f;
  f.broker.add_nexterm_account("tess", "tess-password", true);
  auto none = f.login("tess", "tess-password");
  CHECK(none.exit_code == 4);
  CHECK(contains(none.err, "--totp-secret-file"));

  std::string code = f.align_totp("tess", 2, false);
  auto ok = f.login("tess", "tess-password", {"--totp-code", code});
  CHECK_MESSAGE(ok.exit_code == 0, ok.err);
  CHECK(f.broker.count("/api/auth/login") == 3);  // without code (202), then with it

  std::string wrong = code == "123456" ? "654321" : "123456";
  auto bad = f.login("tess", "tess-password", {"--totp-code", wrong});
  CHECK(bad.exit_code == 4);
  CHECK(contains(bad.err, "TOTP code was refused"));

  std::string zero = f.align_totp("tess", 2, true);
  auto z = f.login("tess", "tess-password", {"--totp-code", zero});
  CHECK(z.exit_code == 4);
  CHECK(contains(z.err, "started with 0"));
  CHECK(f.login("tess", "tess-password", {"--totp-code", "12ab56"}).exit_code == 2);
}

TEST_CASE("TOTP computed from AUTHCTL_TOTP_SECRET or --totp-secret-file, on the server clock") {
  NextermFixture f;
  f.broker.add_nexterm_account("tess", "tess-password", true);
  const std::string secret = f.broker.nexterm_totp_secret("tess");
  f.align_totp("tess", 2, false);
  auto r = f.login("tess", "tess-password", {}, {{"AUTHCTL_TOTP_SECRET", secret}});
  CHECK_MESSAGE(r.exit_code == 0, r.err);
  CHECK_FALSE(contains(r.err, "Waiting"));

  write_file(f.tmp.file("totp"), secret + "\n");
  f.align_totp("tess", 2, false);
  auto file = f.login("tess", "tess-password", {"--totp-secret-file", f.tmp.file("totp")});
  CHECK_MESSAGE(file.exit_code == 0, file.err);

  // 2 s before the end of a step (fewer than 3 s left: the code could expire on the way, so
  // authctl waits for the next one, saying why); 2 s, not 1, leave a loaded machine time to
  // start authctl before the step ends
  f.align_totp("tess", 28, false, true);
  auto late = f.login("tess", "tess-password", {}, {{"AUTHCTL_TOTP_SECRET", secret}});
  CHECK_MESSAGE(late.exit_code == 0, late.err);
  CHECK(contains(late.err, "fewer than 3 s"));

  // a code starting with 0: wait for the next step
  f.align_totp("tess", 26, true, true);
  auto zero = f.login("tess", "tess-password", {}, {{"AUTHCTL_TOTP_SECRET", secret}});
  CHECK_MESSAGE(zero.exit_code == 0, zero.err);
  CHECK(contains(zero.err, "starts with 0"));

  CHECK(f.login("tess", "tess-password", {}, {{"AUTHCTL_TOTP_SECRET", "not base32!"}}).exit_code ==
        2);
}

TEST_CASE("login --with-token stores an API key checked with /api/accounts/me") {
  NextermFixture f;
  const std::string key = f.broker.nexterm_api_key(kAdmin, "ci");
  auto r = f.run({"login", "--host", f.broker.url(), "--with-token"}, {}, key + "\n");
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(f.broker.count("/api/accounts/me") == 1);
  auto p = f.store()["profiles"][std::string("admin@") + f.host()];
  CHECK(p["token"] == key);
  CHECK(f.run({"token"}).out == key + "\n");
  CHECK(contains(f.run({"whoami"}).out, "API key"));
  // what the server refuses to API keys is said so, exit 4, without a request
  f.broker.reset_counters();
  auto s = f.run({"sessions", "list"});
  CHECK(s.exit_code == 4);
  CHECK(contains(s.err, "API key"));
  CHECK(f.run({"apikey", "list"}).exit_code == 4);
  CHECK(f.broker.count("/api/sessions/list") == 0);
  // logout forgets it locally and says how to revoke it
  auto out = f.run({"logout"});
  CHECK(out.exit_code == 0);
  CHECK(contains(out.err, "apikey revoke"));
}

TEST_CASE("login --with-token: malformed or unknown keys") {
  NextermFixture f;
  auto bad = f.run({"login", "--host", f.broker.url(), "--with-token"}, {}, "hello\n");
  CHECK(bad.exit_code == 2);
  std::string unknown = "nxt_" + std::string(64, 'a');
  auto r = f.run({"login", "--host", f.broker.url(), "--with-token"}, {}, unknown + "\n");
  CHECK(r.exit_code == 4);
  CHECK_FALSE(contains(r.err, unknown));
}

TEST_CASE("apikey create, list, revoke") {
  NextermFixture f;
  REQUIRE(f.login().exit_code == 0);
  auto c = f.run({"apikey", "create", "deploy", "--expires", "2099-01-31"});
  REQUIRE_MESSAGE(c.exit_code == 0, c.err);
  CHECK(c.out.rfind("nxt_", 0) == 0);
  CHECK(c.out.size() == 69);
  CHECK(contains(c.err, "only this once"));
  auto list = nlohmann::json::parse(f.run({"apikey", "list", "--json"}).out);
  REQUIRE(list["apikeys"].size() == 1);
  CHECK(list["apikeys"][0]["name"] == "deploy");
  CHECK(list["apikeys"][0]["expires_at"] == "2099-01-31T00:00:00Z");
  CHECK_FALSE(list.dump().find("nxt_" + c.out.substr(4, 20)) != std::string::npos);
  const std::string id = std::to_string(list["apikeys"][0]["id"].get<int64_t>());
  CHECK(contains(f.run({"apikey", "list"}).out, "deploy"));
  CHECK(f.run({"apikey", "revoke", id}).exit_code == 0);
  CHECK(nlohmann::json::parse(f.run({"apikey", "list", "--json"}).out)["apikeys"].empty());
  auto again = f.run({"apikey", "revoke", id});
  CHECK(again.exit_code == 1);
  CHECK(contains(again.err, "no API key"));
  CHECK(f.run({"apikey", "create", "x", "--expires", "someday"}).exit_code == 2);
}

TEST_CASE("Nexterm logout: token in the body; already ended counts; server down keeps it") {
  NextermFixture f;
  REQUIRE(f.login().exit_code == 0);
  auto r = f.run({"logout"});
  CHECK(r.exit_code == 0);
  CHECK(f.broker.count("/api/auth/logout") == 1);
  CHECK(f.broker.nexterm_sessions(kAdmin).empty());
  CHECK(f.store()["profiles"].empty());

  REQUIRE(f.login().exit_code == 0);
  auto sessions = f.broker.nexterm_sessions(kAdmin);
  REQUIRE(sessions.size() == 1);
  // the session ends elsewhere: killed by the user's other client (killing it from this
  // profile would remove the profile, as logout does)
  const std::map<std::string, std::string> other{{"AUTHCTL_CONFIG_DIR", f.tmp.path() + "/other"}};
  REQUIRE(f.login(kAdmin, kAdminPassword, {}, other).exit_code == 0);
  REQUIRE(f.run({"sessions", "kill", std::to_string(sessions[0].id), "--yes"}, other).exit_code ==
          0);
  auto already = f.run({"logout"});
  CHECK(already.exit_code == 0);
  CHECK(contains(already.err, "already ended"));
  CHECK(f.store()["profiles"].empty());

  REQUIRE(f.login().exit_code == 0);
  f.broker.stop();
  auto down = f.run({"logout"});
  CHECK(down.exit_code == 3);
  CHECK(contains(down.err, "logout --local"));
  CHECK(f.store()["profiles"].size() == 1);
}

TEST_CASE("a killed session: whoami and status --check say so (exit 4)") {
  NextermFixture f;
  REQUIRE(f.login().exit_code == 0);
  auto sessions = f.broker.nexterm_sessions(kAdmin);
  REQUIRE(sessions.size() == 1);
  REQUIRE(f.run({"sessions", "kill", std::to_string(sessions[0].id), "--yes"}).exit_code == 0);
  auto w = f.run({"whoami"});
  CHECK(w.exit_code == 4);
  CHECK(contains(w.err, "authctl login"));
  CHECK(f.run({"status", "--check"}).exit_code == 4);
}

TEST_CASE("a 400 {message} from Nexterm is exit 1 with the message") {
  NextermFixture f;
  REQUIRE(f.login().exit_code == 0);
  auto r = f.run({"apikey", "create", "   "});
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, "A name is required"));
}

TEST_CASE("logging in again ends the session the profile held (nothing left behind)") {
  NextermFixture f;
  REQUIRE(f.login().exit_code == 0);
  REQUIRE(f.login().exit_code == 0);
  CHECK(f.broker.nexterm_sessions(kAdmin).size() == 1);
  CHECK(f.run({"whoami"}).exit_code == 0);  // and it is the new one that works
}

TEST_CASE("--with-token does not silently replace a session profile") {
  NextermFixture f;
  REQUIRE(f.login().exit_code == 0);
  const std::string key = f.broker.nexterm_api_key(kAdmin, "ci");
  auto r = f.run({"login", "--host", f.broker.url(), "--with-token"}, {}, key + "\n");
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "-p NAME"));
  CHECK(f.run({"login", "--host", f.broker.url(), "--with-token", "-p", "ci"}, {}, key + "\n")
            .exit_code == 0);
  CHECK(f.broker.nexterm_sessions(kAdmin).size() == 1);  // the session is still there
}

TEST_CASE("--totp-secret-file also takes the otpauth:// URL the server shows") {
  NextermFixture f;
  f.broker.add_nexterm_account("tess", "tess-password", true);
  const std::string secret = f.broker.nexterm_totp_secret("tess");
  write_file(f.tmp.file("otp"),
             "otpauth://totp/Nexterm:tess?secret=" + secret + "&issuer=Nexterm\n");
  f.align_totp("tess", 2, false);
  auto r = f.login("tess", "tess-password", {"--totp-secret-file", f.tmp.file("otp")});
  CHECK_MESSAGE(r.exit_code == 0, r.err);
}
