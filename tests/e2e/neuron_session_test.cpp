// The session lifecycle after login: token, refresh, whoami, status, switch, logout.
#include "fixture.hpp"

using namespace e2e;

namespace {
std::string token_of(const NeuronFixture& f, const std::string& name) {
  return f.store()["profiles"][name]["token"].get<std::string>();
}
void set_expires(const NeuronFixture& f, const std::string& name, int64_t expires) {
  auto doc = f.store();
  doc["profiles"][name]["expires"] = expires;
  write_file(f.store_path(), doc.dump(), 0600);
}
}  // namespace

TEST_CASE("token prints the stored token without a request while it is fresh") {
  NeuronFixture f;
  REQUIRE(f.login().exit_code == 0);
  f.broker.reset_counters();
  auto r = f.run({"token"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == token_of(f, f.profile_name()) + "\n");
  CHECK(f.broker.count("*") == 0);
  auto j = f.run({"token", "--json"});
  auto doc = nlohmann::json::parse(j.out);
  CHECK(doc["token"] == token_of(f, f.profile_name()));
  CHECK(doc["profile"] == f.profile_name());
  CHECK(doc["expires_at"].is_string());
}

TEST_CASE("token --min-valid refreshes for max(seconds, min-valid + 5m)") {
  NeuronFixture f;
  REQUIRE(f.login({"--seconds", "100"}).exit_code == 0);
  const std::string old = token_of(f, f.profile_name());
  auto r = f.run({"token", "--min-valid", "5m"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(f.broker.count("/Agent/Account/Refresh") == 1);
  CHECK(r.out != old + "\n");
  CHECK(r.out == token_of(f, f.profile_name()) + "\n");
  int64_t expires = f.store()["profiles"][f.profile_name()]["expires"];
  CHECK(expires >= f.broker.now() + 590);  // asked 600 s
  CHECK(expires <= f.broker.now() + 600);
  CHECK(f.store()["profiles"][f.profile_name()]["seconds"] == 100);  // the profile's own stays
  CHECK(f.run({"token", "--min-valid", "56m"}).exit_code == 2);
  CHECK(f.run({"token", "--min-valid", "soon"}).exit_code == 2);
}

TEST_CASE("single flight: 20 token processes near expiry make exactly one Refresh") {
  NeuronFixture f;
  REQUIRE(f.login({"--seconds", "100"}).exit_code == 0);
  f.broker.set_latency_ms(50);  // keep the refresh in flight while the others queue
  std::vector<Invocation> all(20, Invocation{{"token", "--min-valid", "5m"}, f.env, ""});
  auto results = run_parallel(all);
  f.broker.set_latency_ms(0);
  CHECK(f.broker.count("/Agent/Account/Refresh") == 1);
  for (const auto& r : results) {
    CHECK_MESSAGE(r.exit_code == 0, r.err);
    CHECK(r.out == results.front().out);
  }
  CHECK(results.front().out == token_of(f, f.profile_name()) + "\n");  // store is valid JSON
}

TEST_CASE("an expired token: exit 4 with the login that works; re-login when a password is there") {
  NeuronFixture f;
  REQUIRE(f.login().exit_code == 0);
  set_expires(f, f.profile_name(), f.broker.now() - 10);
  f.broker.reset_counters();
  auto r = f.run({"token"});
  CHECK(r.exit_code == 4);
  CHECK(contains(r.err, "log in again: authctl login -p " + f.profile_name()));
  CHECK(f.broker.count("/Agent/Account/Refresh") == 0);  // expired tokens cannot be refreshed
  auto again = f.run({"token"}, {{"AUTHCTL_PASSWORD", kPassword}});
  REQUIRE_MESSAGE(again.exit_code == 0, again.err);
  CHECK(f.broker.count("/Agent/Account/Login") == 1);
  CHECK(again.out == token_of(f, f.profile_name()) + "\n");
}

TEST_CASE("a token the server rejects (clock moved past expiry): exit 4") {
  NeuronFixture f;
  REQUIRE(f.login({"--seconds", "100"}).exit_code == 0);
  f.broker.advance_clock(3600);
  auto r = f.run({"token", "--min-valid", "5m"});
  CHECK(r.exit_code == 4);
  CHECK(contains(r.err, "log in again: authctl login -p " + f.profile_name()));
  auto w = f.run({"whoami"});
  CHECK(w.exit_code == 4);
  CHECK(contains(w.err, "log in again: authctl login -p " + f.profile_name()));
}

TEST_CASE("refresh exchanges the token; an expired one needs a login") {
  NeuronFixture f;
  REQUIRE(f.login().exit_code == 0);
  const std::string old = token_of(f, f.profile_name());
  auto r = f.run({"refresh"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(contains(r.err, "Refreshed"));
  CHECK(token_of(f, f.profile_name()) != old);
  CHECK(f.broker.count("/Agent/Account/Refresh") == 1);
  set_expires(f, f.profile_name(), f.broker.now() - 1);
  CHECK(f.run({"refresh"}).exit_code == 4);
}

TEST_CASE("a refresh that meets a 503 is retried once") {
  NeuronFixture f;
  REQUIRE(f.login().exit_code == 0);
  f.broker.inject_fault("/Agent/Account/Refresh", testbroker::Fault::service_unavailable, 1);
  auto r = f.run({"refresh"});
  CHECK_MESSAGE(r.exit_code == 0, r.err);
  CHECK(f.broker.count("/Agent/Account/Refresh") == 2);
  f.broker.inject_fault("/Agent/Account/Refresh", testbroker::Fault::service_unavailable, 2);
  CHECK(f.run({"refresh"}).exit_code == 1);
}

TEST_CASE("whoami shows Account/Info, the decoded claims and the expiry") {
  NeuronFixture f;
  REQUIRE(f.login().exit_code == 0);
  auto r = f.run({"whoami"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(contains(r.out, "alice on " + f.broker.url()));
  CHECK(contains(r.out, "token expires in "));
  CHECK(contains(r.out, "alice@example.com"));
  CHECK(contains(r.out, "sub: alice"));
  CHECK(contains(r.out, "jti: "));
  auto j = nlohmann::json::parse(f.run({"whoami", "--json"}).out);
  CHECK(j["profile"] == f.profile_name());
  CHECK(j["kind"] == "neuron");
  CHECK(j["user"] == "alice");
  CHECK(j["server"]["claims"]["sub"] == "alice");
  CHECK(j["server"]["claims"]["iss"].get<std::string>().rfind("https://", 0) == 0);
  CHECK(j["server"]["account"]["userName"] == "alice");
  CHECK(j["expires_at"].is_string());
}

TEST_CASE("status lists every profile, marks the current one, and checks with the server") {
  NeuronFixture f;
  REQUIRE(f.login({"-p", "one"}).exit_code == 0);
  REQUIRE(f.login({"-p", "two", "--seconds", "570"}).exit_code == 0);  // 9m whatever the second
  auto r = f.run({"status"});
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "* two"));
  CHECK(contains(r.out, "  one"));
  CHECK(contains(r.out, "expires in 9m"));
  auto j = nlohmann::json::parse(f.run({"status", "--json"}).out);
  CHECK(j["current"] == "two");
  CHECK(j["profiles"].size() == 2);
  CHECK(j["profiles"][1]["profile"] == "two");
  CHECK(j["profiles"][1]["current"] == true);
  CHECK(j["profiles"][1]["valid"] == true);
  CHECK(f.run({"status", "--names"}).out == "one\ntwo\n");
  // --check asks the server: a revoked token shows as rejected, exit 4 for the one in use
  f.broker.reset_counters();
  CHECK(f.run({"status", "--check"}).exit_code == 0);
  CHECK(f.broker.count("/Agent/Account/Info") == 2);
  f.broker.advance_clock(700);  // "two" has expired on the server clock
  auto c = f.run({"status", "--check", "--json"});
  CHECK(c.exit_code == 4);
  auto cj = nlohmann::json::parse(c.out);
  CHECK(cj["profiles"][1]["check"] == "rejected");
  CHECK(cj["profiles"][0]["check"] == "ok");
}

TEST_CASE("status: exit 4 when the profile in use is missing or expired") {
  NeuronFixture f;
  CHECK(f.run({"status"}).exit_code == 4);  // nothing at all
  REQUIRE(f.login().exit_code == 0);
  CHECK(f.run({"status", "-p", "nope"}).exit_code == 4);
  set_expires(f, f.profile_name(), f.broker.now() - 60);
  auto r = f.run({"status"});
  CHECK(r.exit_code == 4);
  CHECK(contains(r.out, "expired 1m ago"));
}

TEST_CASE("switch and AUTHCTL_PROFILE choose the profile") {
  NeuronFixture f;
  REQUIRE(f.login({"-p", "one"}).exit_code == 0);
  REQUIRE(f.login({"-p", "two"}).exit_code == 0);
  CHECK(f.run({"token"}).out == token_of(f, "two") + "\n");
  CHECK(f.run({"token"}, {{"AUTHCTL_PROFILE", "one"}}).out == token_of(f, "one") + "\n");
  CHECK(f.run({"token", "-p", "one"}).out == token_of(f, "one") + "\n");
  CHECK(f.run({"-p", "one", "token"}).out == token_of(f, "one") + "\n");
  CHECK(f.run({"switch", "one"}).exit_code == 0);
  CHECK(f.store()["current"] == "one");
  auto bad = f.run({"switch", "three"});
  CHECK(bad.exit_code == 2);
  CHECK(contains(bad.err, "one, two"));
  CHECK(f.run({"switch"}).exit_code == 2);
}

TEST_CASE("logout revokes on the server, then removes the profile") {
  NeuronFixture f;
  REQUIRE(f.login().exit_code == 0);
  const std::string token = token_of(f, f.profile_name());
  auto r = f.run({"logout"});
  CHECK_MESSAGE(r.exit_code == 0, r.err);
  CHECK(f.broker.count("/Agent/Account/Logout") == 1);
  CHECK(f.store()["profiles"].empty());
  CHECK(f.store()["current"].is_null());
  CHECK(f.run({"logout"}).exit_code == 4);  // not logged in
}

TEST_CASE("logout of a token the server already rejects still removes it, with a note") {
  NeuronFixture f;
  REQUIRE(f.login({"--seconds", "60"}).exit_code == 0);
  f.broker.advance_clock(120);
  auto r = f.run({"logout"});
  CHECK(r.exit_code == 0);
  CHECK(contains(r.err, "already"));
  CHECK(f.store()["profiles"].empty());
}

TEST_CASE("logout with the server down: exit 3, profile kept, --local named") {
  NeuronFixture f;
  REQUIRE(f.login().exit_code == 0);
  f.broker.stop();
  auto r = f.run({"logout"});
  CHECK(r.exit_code == 3);
  CHECK(contains(r.err, "logout --local -p " + f.profile_name()));
  CHECK(f.store()["profiles"].size() == 1);
  auto local = f.run({"logout", "--local"});
  CHECK(local.exit_code == 0);
  CHECK(f.store()["profiles"].empty());
}

TEST_CASE("logout --all logs out of every profile") {
  NeuronFixture f;
  REQUIRE(f.login({"-p", "one"}).exit_code == 0);
  REQUIRE(f.login({"-p", "two"}).exit_code == 0);
  CHECK(f.run({"logout", "--all"}).exit_code == 0);
  CHECK(f.broker.count("/Agent/Account/Logout") == 2);
  CHECK(f.store()["profiles"].empty());
}
