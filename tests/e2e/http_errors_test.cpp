// The HTTP layer seen from the outside: TLS, faults, timeouts, the redacted trace.
#include <optional>

#include "fixture.hpp"

using namespace e2e;
using testbroker::Fault;

TEST_CASE("HTTPS with --cacert; the CA is remembered in the profile") {
  TempDir pki;
  NeuronFixture f(tls_options(pki.path()));
  REQUIRE(f.broker.url().rfind("https://", 0) == 0);
  auto r = f.login({"--cacert", pki.path() + "/ca.pem"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(f.store()["profiles"][f.profile_name()]["cacert"] == pki.path() + "/ca.pem");
  auto w = f.run({"whoami"});  // no --cacert: taken from the profile
  CHECK_MESSAGE(w.exit_code == 0, w.err);
  CHECK(f.run({"refresh"}).exit_code == 0);
}

TEST_CASE("AUTHCTL_CA_BUNDLE works like --cacert") {
  TempDir pki;
  NeuronFixture f(tls_options(pki.path()));
  auto r = f.run({"login", "--host", f.broker.url(), "-u", kUser, "--password-stdin"},
                 {{"AUTHCTL_CA_BUNDLE", pki.path() + "/ca.pem"}}, std::string(kPassword) + "\n");
  CHECK_MESSAGE(r.exit_code == 0, r.err);
}

TEST_CASE("an untrusted certificate: exit 3 naming --cacert; --insecure works with a warning") {
  TempDir pki;
  NeuronFixture f(tls_options(pki.path()));
  auto r = f.login();  // the test CA is not in the system store
  CHECK(r.exit_code == 3);
  CHECK(contains(r.err, "--cacert"));
  CHECK(contains(r.err, "not trusted"));
  auto insecure = f.login({"--insecure"});
  CHECK_MESSAGE(insecure.exit_code == 0, insecure.err);
  CHECK(contains(insecure.err, "warning: --insecure"));
  CHECK_FALSE(f.store()["profiles"][f.profile_name()].contains("insecure"));
  // --insecure is never remembered: the next call verifies again
  CHECK(f.run({"whoami"}).exit_code == 3);
}

TEST_CASE("a self-signed server certificate is refused even with another CA") {
  TempDir good, bad;
  auto trusted = testbroker::make_test_pki(good.path());
  NeuronFixture f(tls_options(bad.path(), false));
  auto r = f.login({"--cacert", trusted.ca_cert});
  CHECK(r.exit_code == 3);
  CHECK(contains(r.err, "--cacert"));
}

TEST_CASE("server down (connection refused): exit 3") {
  NeuronFixture f;
  f.broker.stop();
  auto r = f.login();
  CHECK(r.exit_code == 3);
  CHECK(contains(r.err, "cannot connect"));
}

TEST_CASE("a dropped connection: exit 3") {
  NeuronFixture f;
  // --kind: a fresh connection (libcurl silently retries once on a reused one that died)
  f.broker.inject_fault("/Agent/Account/Login", Fault::drop_connection);
  auto r = f.login({"--kind", "neuron"});
  CHECK(r.exit_code == 3);
  CHECK(contains(r.err, "closed the connection"));
  CHECK(read_file(f.store_path()).empty());
  f.broker.inject_fault("/Agent/Account/Login", Fault::drop_connection, 2);
  CHECK(f.login().exit_code == 3);
}

TEST_CASE("an HTML error page where JSON was due: exit 1 saying what came") {
  NeuronFixture f;
  f.broker.inject_fault("/Agent/Account/Login", Fault::html_error);
  auto r = f.login();
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, "500"));
}

TEST_CASE("malformed JSON: exit 1") {
  NeuronFixture f;
  f.broker.inject_fault("/Agent/Account/Login", Fault::malformed_json);
  auto r = f.login();
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, "malformed JSON"));
}

TEST_CASE("a body over 4 MiB is refused: exit 1") {
  NeuronFixture f;
  f.broker.inject_fault("/Agent/Account/Login", Fault::huge_body);
  auto r = f.login();
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, "4 MiB"));
}

TEST_CASE("a server slower than --timeout: exit 3") {
  NeuronFixture f;
  f.broker.inject_fault("/Agent/Account/Login", Fault::slow_body);
  auto r = f.login({"--timeout", "1"});
  CHECK(r.exit_code == 3);
  CHECK(contains(r.err, "timed out"));
}

TEST_CASE("429 and blocked endpoints: exit 5 with the server's text") {
  NeuronFixture f;
  f.broker.inject_fault("/Agent/Account/Login", Fault::rate_limit);
  auto r = f.login();
  CHECK(r.exit_code == 5);
  CHECK(contains(r.err, "Try again in"));
  f.broker.inject_fault("/Agent/Account/Login", Fault::blocked);
  auto b = f.login();
  CHECK(b.exit_code == 5);
  CHECK(contains(b.err, "blocked"));
  REQUIRE(f.login().exit_code == 0);
  f.broker.inject_fault("/Agent/Account/Refresh", Fault::rate_limit);
  CHECK(f.run({"refresh"}).exit_code == 5);
}

TEST_CASE("the -v trace of a login and a refresh never shows the password or a token") {
  NeuronFixture f;
  auto login = f.login({"-v"});
  REQUIRE_MESSAGE(login.exit_code == 0, login.err);
  const std::string first = f.store()["profiles"][f.profile_name()]["token"];
  auto refresh = f.run({"refresh"}, {{"AUTHCTL_DEBUG", "http"}});
  REQUIRE(refresh.exit_code == 0);
  const std::string second = f.store()["profiles"][f.profile_name()]["token"];
  const std::string trace = login.err + refresh.err;
  CHECK(contains(trace, "POST /Agent/Account/Login"));
  CHECK(contains(trace, "POST /Agent/Account/Refresh"));
  CHECK(contains(trace, "[REDACTED]"));
  CHECK_FALSE(contains(trace, kPassword));
  CHECK_FALSE(contains(trace, first));
  CHECK_FALSE(contains(trace, second));
  // not even a piece of a token (the JWT signature part)
  CHECK_FALSE(contains(trace, first.substr(first.rfind('.') + 1)));
  CHECK(contains(trace, "\"signature\":\"[REDACTED]\""));
  CHECK(contains(trace, "\"jwt\":\"[REDACTED]\""));
}

namespace {
// Runs authctl in a fresh network namespace whose only interface (lo) is down: every name
// lookup and connection fails at once and nothing leaves the machine. nullopt when this
// machine does not allow namespaces.
std::optional<Result> run_isolated(const NeuronFixture& f, std::vector<std::string> args,
                                   std::map<std::string, std::string> extra = {}) {
  if (run_program("/usr/bin/unshare", {"-n", "true"}, {}).exit_code != 0) return std::nullopt;
  args.insert(args.begin(), {"-n", authctl_binary()});
  auto env = f.env;
  for (auto& [k, v] : extra) env[k] = v;
  return run_program("/usr/bin/unshare", args, env, std::string(kPassword) + "\n");
}
}  // namespace

TEST_CASE("a name that does not resolve: exit 3") {
  NeuronFixture f;
  auto r =
      run_isolated(f, {"login", "--host", "neuron.example.com", "-u", kUser, "--password-stdin"});
  if (!r) {
    MESSAGE("skipped: unshare -n is not permitted here");
    return;
  }
  CHECK(r->exit_code == 3);
  CHECK(contains(r->err, "cannot resolve neuron.example.com"));
}

TEST_CASE("--allow-http warns on use; proxies come from the environment") {
  NeuronFixture f;
  auto r = run_isolated(f,
                        {"login", "--host", "http://neuron.example.com", "--allow-http", "-u",
                         kUser, "--password-stdin"},
                        {{"http_proxy", "http://127.0.0.1:9"}});
  if (!r) {
    MESSAGE("skipped: unshare -n is not permitted here");
    return;
  }
  CHECK(contains(r->err, "warning: plain http to neuron.example.com"));
  CHECK(r->exit_code == 3);
  // through the proxy: the name is not looked up locally, the proxy connection fails
  CHECK(contains(r->err, "127.0.0.1"));
  CHECK_FALSE(contains(r->err, "resolve"));
}

TEST_CASE("loopback never goes through a proxy") {
  NeuronFixture f;
  std::map<std::string, std::string> proxies{{"http_proxy", "http://127.0.0.1:9"},
                                             {"HTTPS_PROXY", "http://127.0.0.1:9"},
                                             {"ALL_PROXY", "http://127.0.0.1:9"},
                                             {"NO_PROXY", "example.com"}};
  auto r = f.run({"login", "--host", f.broker.url(), "-u", kUser, "--password-stdin"}, proxies,
                 std::string(kPassword) + "\n");
  CHECK_MESSAGE(r.exit_code == 0, r.err);
}

TEST_CASE("redirects are not followed: exit 1 naming the target") {
  NeuronFixture f;
  f.broker.inject_fault("/Agent/Account/Login", Fault::redirect);
  auto r = f.login({"--kind", "neuron"});
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, "302"));
  CHECK(contains(r.err, "/_redirected/Agent/Account/Login"));
  CHECK(f.broker.count("/_redirected/Agent/Account/Login") == 0);
}

TEST_CASE("over HTTPS: refresh through token, status --check and logout use the remembered CA") {
  TempDir pki;
  NeuronFixture f(tls_options(pki.path()));
  REQUIRE(f.login({"--cacert", pki.path() + "/ca.pem", "--seconds", "100"}).exit_code == 0);
  auto t = f.run({"token", "--min-valid", "5m"});
  CHECK_MESSAGE(t.exit_code == 0, t.err);
  CHECK(f.broker.count("/Agent/Account/Refresh") == 1);
  CHECK(f.run({"status", "--check"}).exit_code == 0);
  CHECK(f.run({"logout"}).exit_code == 0);
  CHECK(f.broker.count("/Agent/Account/Logout") == 1);
}

TEST_CASE("a CA file that cannot be used: exit 1 naming it") {
  TempDir pki;
  NeuronFixture f(tls_options(pki.path()));
  write_file(pki.file("not-a-ca.pem"), "hello\n");
  auto r = f.login({"--cacert", pki.file("not-a-ca.pem")});
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, "cannot use the CA file " + pki.file("not-a-ca.pem")));
  auto missing = f.run({"status"}, {{"AUTHCTL_CA_BUNDLE", pki.file("nope.pem")}});
  CHECK(missing.exit_code == 4);  // nothing to connect to: the missing file does not matter
}

TEST_CASE("the kind probe passes on a rate limit (exit 5), not 'not a Neuron'") {
  NeuronFixture f;
  f.broker.inject_fault("/Agent/Account/DomainInfo", Fault::rate_limit);
  auto r = f.login();
  CHECK(r.exit_code == 5);
  CHECK(contains(r.err, "Try again in"));
}

TEST_CASE("server down while a refresh is due: token exits 3 (after one retry), profile intact") {
  NeuronFixture f;
  REQUIRE(f.login({"--seconds", "100"}).exit_code == 0);
  const std::string before = read_file(f.store_path());
  f.broker.stop();
  auto r = f.run({"token", "--min-valid", "5m"});
  CHECK(r.exit_code == 3);
  CHECK(read_file(f.store_path()) == before);
  CHECK(f.run({"whoami"}).exit_code == 3);
  CHECK(f.run({"status", "--check"}).exit_code == 3);
}
