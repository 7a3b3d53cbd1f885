// login against a real broker over HTTP: password sources, host and profile rules, JSON.
#include <sys/stat.h>

#include <httplib.h>

#include "fixture.hpp"

using namespace e2e;

namespace {
mode_t mode_of(const std::string& path) {
  struct stat st {};
  stat(path.c_str(), &st);
  return st.st_mode & 07777;
}
}  // namespace

TEST_CASE("login with --password-stdin stores a current profile in a private store") {
  NeuronFixture f;
  auto r = f.login();
  CHECK_MESSAGE(r.exit_code == 0, r.err);
  CHECK(r.out.empty());  // stdout stays clean: the confirmation is on stderr
  CHECK(contains(r.err, "Logged in to " + f.broker.url() + " as alice"));
  auto store = f.store();
  CHECK(store["version"] == 1);
  CHECK(store["current"] == f.profile_name());
  auto p = store["profiles"][f.profile_name()];
  CHECK(p["kind"] == "neuron");
  CHECK(p["url"] == f.broker.url());
  CHECK(p["user"] == "alice");
  CHECK(p["seconds"] == 3600);
  CHECK(p["expires"].get<int64_t>() > f.broker.now() + 3500);
  CHECK(p["token"].get<std::string>().size() > 20);
  CHECK(mode_of(f.config_dir()) == 0700);
  CHECK(mode_of(f.store_path()) == 0600);
  CHECK_FALSE(contains(read_file(f.store_path()), kPassword));  // passwords are never stored
  CHECK(f.broker.count("/Agent/Account/Login") == 1);
  // the Host header that was signed is the authority as sent
  auto hosts = f.broker.hosts_seen();
  REQUIRE_FALSE(hosts.empty());
  CHECK(hosts.back() == f.broker.url().substr(7));
}

TEST_CASE("the password comes from a file, AUTHCTL_PASSWORD or NEURON_PASSWORD") {
  NeuronFixture f;
  write_file(f.tmp.file("pw"), std::string(kPassword) + "\n");
  auto base = std::vector<std::string>{"login", "--host", f.broker.url(), "-u", kUser};
  auto with_file = base;
  with_file.insert(with_file.end(), {"--password-file", f.tmp.file("pw")});
  CHECK(f.run(with_file).exit_code == 0);
  CHECK(f.run(base, {{"AUTHCTL_PASSWORD", kPassword}}).exit_code == 0);
  CHECK(f.run(base, {{"NEURON_PASSWORD", kPassword}}).exit_code == 0);
  CHECK(f.broker.count("/Agent/Account/Login") == 3);
}

TEST_CASE("NEURON_HOST and NEURON_USER are defaults; flags win") {
  NeuronFixture f;
  auto r = f.run(
      {"login"},
      {{"NEURON_HOST", f.broker.url()}, {"NEURON_USER", kUser}, {"NEURON_PASSWORD", kPassword}});
  CHECK_MESSAGE(r.exit_code == 0, r.err);
  auto r2 = f.run(
      {"login", "-u", "nobody"},
      {{"NEURON_HOST", f.broker.url()}, {"NEURON_USER", kUser}, {"NEURON_PASSWORD", kPassword}});
  CHECK(r2.exit_code == 4);
}

TEST_CASE("no password and no terminal: exit 4 at once naming the four ways, no request") {
  NeuronFixture f;
  for (auto extra : std::vector<std::map<std::string, std::string>>{{}, {{"CI", "true"}}}) {
    auto r = f.run({"login", "--host", f.broker.url(), "-u", kUser, "--no-input"}, extra);
    CHECK(r.exit_code == 4);
    for (const char* way :
         {"--password-stdin", "--password-file", "AUTHCTL_PASSWORD", "NEURON_PASSWORD"})
      CHECK(contains(r.err, way));
  }
  auto r = f.run({"login", "--host", f.broker.url(), "-u", kUser});  // stdin is not a tty
  CHECK(r.exit_code == 4);
  CHECK(f.broker.count("/Agent/Account/Login") == 0);
  CHECK(f.broker.count("/Agent/Account/DomainInfo") == 0);
}

TEST_CASE("--seconds is checked (1..3600) before any request") {
  NeuronFixture f;
  for (const char* bad : {"0", "3601", "-5", "ten"}) {
    auto r = f.login({"--seconds", bad});
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "--seconds"));
  }
  CHECK(f.broker.count("/Agent/Account/Login") == 0);
  CHECK(f.login({"--seconds", "1"}).exit_code == 0);
  CHECK(f.store()["profiles"][f.profile_name()]["seconds"] == 1);
}

TEST_CASE("wrong password: exit 4, nothing stored") {
  NeuronFixture f;
  auto r = f.login({}, "wrong-password");
  CHECK(r.exit_code == 4);
  CHECK(contains(r.err, "check the user name and password"));
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);  // one line
  CHECK(read_file(f.store_path()).empty());
}

TEST_CASE("unknown user: exit 4") {
  NeuronFixture f;
  auto r =
      f.run({"login", "--host", f.broker.url(), "-u", "mallory", "--password-stdin"}, {}, "x\n");
  CHECK(r.exit_code == 4);
}

TEST_CASE("5 failed logins from one IP: the broker rate limits, exit 5 with its retry text") {
  NeuronFixture f;
  for (int i = 0; i < 4; ++i) CHECK(f.login({}, "wrong").exit_code == 4);
  auto r = f.login({}, "wrong");
  CHECK(r.exit_code == 5);
  CHECK(contains(r.err, "Try again in"));
  CHECK(f.login().exit_code == 5);  // even the right password, while blocked
  f.broker.reset_failures();
  CHECK(f.login().exit_code == 0);
}

TEST_CASE("--kind neuron skips the probe: one request per login") {
  NeuronFixture f;
  CHECK(f.login({"--kind", "neuron"}).exit_code == 0);
  CHECK(f.broker.count("/Agent/Account/DomainInfo") == 0);
  CHECK(f.broker.count("/Agent/Account/Login") == 1);
  CHECK(f.login({"--kind", "bogus"}).exit_code == 2);
}

TEST_CASE("host rules: loopback http allowed, remote http refused before any request") {
  NeuronFixture f;
  auto r = f.run({"login", "--host", "http://neuron.example.com", "-u", kUser, "--password-stdin"},
                 {}, "pw\n");
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "--allow-http"));
  auto bad =
      f.run({"login", "--host", "https://h/path", "-u", kUser, "--password-stdin"}, {}, "pw\n");
  CHECK(bad.exit_code == 2);
  // localhost is loopback too; the profile name keeps the host as given, lower case
  std::string port = f.broker.url().substr(f.broker.url().rfind(':') + 1);
  auto r2 = f.run({"login", "--host", "http://LOCALHOST:" + port, "-u", kUser, "--password-stdin"},
                  {}, std::string(kPassword) + "\n");
  CHECK_MESSAGE(r2.exit_code == 0, r2.err);
  CHECK(f.store()["current"] == "alice@localhost:" + port);
  CHECK(f.broker.hosts_seen().back() == "localhost:" + port);
}

TEST_CASE("profile rules: same name and URL replaces; a name of another URL needs --force") {
  NeuronFixture f;
  NeuronFixture other;
  other.env = f.env;  // same store
  REQUIRE(f.login({"-p", "work"}).exit_code == 0);
  auto first_token = f.store()["profiles"]["work"]["token"];
  REQUIRE(f.login({"-p", "work"}).exit_code == 0);
  CHECK(f.store()["profiles"]["work"]["token"] != first_token);
  auto r = other.login({"-p", "work"});
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "--force"));
  CHECK(other.broker.count("/Agent/Account/Login") == 0);  // refused before the request
  CHECK(f.store()["profiles"]["work"]["url"] == f.broker.url());
  CHECK(other.login({"-p", "work", "--force"}).exit_code == 0);
  CHECK(f.store()["profiles"]["work"]["url"] == other.broker.url());
}

TEST_CASE("a new login becomes current") {
  NeuronFixture f;
  REQUIRE(f.login({"-p", "one"}).exit_code == 0);
  REQUIRE(f.login({"-p", "two"}).exit_code == 0);
  CHECK(f.store()["current"] == "two");
  CHECK(f.store()["profiles"].size() == 2);
}

TEST_CASE("login --json gives the design's shape") {
  NeuronFixture f;
  auto r = f.login({"--json"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["profile"] == f.profile_name());
  CHECK(j["kind"] == "neuron");
  CHECK(j["url"] == f.broker.url());
  CHECK(j["user"] == "alice");
  CHECK(j["expires_at"].get<std::string>().size() == 20);  // 2026-11-22T11:22:11Z
  CHECK_FALSE(j.contains("token"));
}

TEST_CASE("--no-store --print-token prints only the token and writes nothing") {
  NeuronFixture f;
  auto r = f.login({"--no-store", "--print-token"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(r.out.size() > 20);
  CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 1);
  struct stat st {};
  CHECK(stat(f.config_dir().c_str(), &st) != 0);  // not even the folder
}

TEST_CASE("login --www: HTTP Basic to WwwLogin, one request; refused over remote http") {
  NeuronFixture f;
  auto r = f.login({"--www"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(f.broker.count("/Agent/Account/WwwLogin") == 1);
  CHECK(f.broker.count("/Agent/Account/DomainInfo") == 0);
  CHECK(f.run({"whoami"}).exit_code == 0);
  auto wrong = f.login({"--www"}, "wrong");
  CHECK(wrong.exit_code == 4);
  auto remote = f.run({"login", "--www", "--host", "http://neuron.example.com", "--allow-http",
                       "-u", kUser, "--password-stdin"},
                      {}, "pw\n");
  CHECK(remote.exit_code == 2);
  CHECK(contains(remote.err, "--www"));
}

TEST_CASE(
    "login --session-cookie: GetSessionToken for a web-form session, QuickLogin after a signed "
    "QR") {
  NeuronFixture f;
  // a session whose account was made with the web form
  const std::string web = f.broker.web_form_session(kUser);
  auto r = f.run({"login", "--host", f.broker.url(), "--session-cookie", "-"}, {},
                 "Set-Cookie: HttpSessionID=" + web + "; Path=/; HttpOnly\n");
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(f.broker.count("/Agent/Account/GetSessionToken") == 1);
  CHECK(f.store()["current"] == f.profile_name());
  CHECK(f.run({"whoami"}).exit_code == 0);

  // a session in which the app signed a Quick Login
  httplib::Client client("127.0.0.1", f.broker.port());
  const std::string tab = "0f8fad5b-d9cb-469f-a165-70867728950e";
  auto res = client.Post("/QuickLogin",
                         nlohmann::json{{"serviceId", ""},
                                        {"agentApiTimeout", 3600},
                                        {"tab", tab},
                                        {"mode", "text"},
                                        {"purpose", "test"}}
                             .dump(),
                         "application/json");
  REQUIRE(res);
  const std::string set_cookie = res->get_header_value("Set-Cookie");
  REQUIRE(f.broker.sign_quick_login(tab, kUser));
  write_file(f.tmp.file("cookie"), set_cookie + "\n");
  f.broker.reset_counters();
  auto q = f.run(
      {"login", "--host", f.broker.url(), "--session-cookie", f.tmp.file("cookie"), "-p", "qr"});
  CHECK_MESSAGE(q.exit_code == 0, q.err);
  CHECK(f.broker.count("/Agent/Account/QuickLogin") == 1);
  CHECK(f.broker.count("/Agent/Account/GetSessionToken") == 0);
  CHECK(f.store()["profiles"]["qr"]["user"] == kUser);
}

TEST_CASE(
    "login --session-cookie: a session that is not logged in (4), no cookie in the input (2)") {
  NeuronFixture f;
  auto none = f.run({"login", "--host", f.broker.url(), "--session-cookie", "-"}, {},
                    "HttpSessionID=" + std::string(64, 'a') + "\n");
  CHECK(none.exit_code == 4);
  CHECK(contains(none.err, "not logged in"));
  auto junk =
      f.run({"login", "--host", f.broker.url(), "--session-cookie", "-"}, {}, "Cookie: lang=en\n");
  CHECK(junk.exit_code == 2);
  CHECK(read_file(f.store_path()).find("aaaaaaaa") == std::string::npos);
}
