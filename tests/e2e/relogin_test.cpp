// Logging in again (issue 12, "no dead-end hint"): login without --host re-uses the profile
// in use, every profile records how it logged in ("method"), and the hint of an expired or
// revoked session prints the command that works as written for that profile - each run here
// as printed.
#include <thread>

#include "nexterm_fixture.hpp"
#include "waiting_output.hpp"

using namespace e2e;

namespace {

void set_expires(const std::string& store_path, const std::string& name, int64_t expires) {
  auto doc = nlohmann::json::parse(read_file(store_path));
  doc["profiles"][name]["expires"] = expires;
  write_file(store_path, doc.dump(), 0600);
}

// The command a hint printed: what follows "log in again: " or "then run ", up to " (" or
// the end of the line.
std::string printed_command(const std::string& err) {
  for (const std::string lead : {"log in again: ", "then run "}) {
    const auto at = err.find(lead);
    if (at == std::string::npos) continue;
    const std::string rest = err.substr(at + lead.size());
    return rest.substr(0, std::min(rest.find(" ("), rest.find('\n')));
  }
  FAIL("no command in: " << err);
  return {};
}

// The words of a printed command (no quoting in these tests' names), without "authctl".
std::vector<std::string> words_of(std::string command) {
  while (!command.empty() && (command.back() == ' ' || command.back() == '\n')) command.pop_back();
  std::vector<std::string> words;
  size_t at = 0;
  while (at < command.size()) {
    size_t end = command.find(' ', at);
    if (end == std::string::npos) end = command.size();
    words.push_back(command.substr(at, end - at));
    at = end + 1;
  }
  REQUIRE(!words.empty());
  CHECK(words.front() == "authctl");
  words.erase(words.begin());
  return words;
}

// Ends every other session of the admin on the server, from the user's other client (killing
// this profile's own session from it would remove the profile, as logout does), then returns
// the words of the command the hint of `whoami` on `profile` prints.
std::vector<std::string> command_after_kill(const NextermFixture& f, const std::string& profile) {
  const std::map<std::string, std::string> other{{"AUTHCTL_CONFIG_DIR", f.tmp.path() + "/other"}};
  REQUIRE(f.login(kAdmin, kAdminPassword, {}, other).exit_code == 0);
  REQUIRE(f.run({"sessions", "kill", "--others", "--yes"}, other).exit_code == 0);
  auto w = f.run({"-p", profile, "whoami"});
  CHECK(w.exit_code == 4);
  return words_of(printed_command(w.err));
}

}  // namespace

TEST_CASE("Neuron password profile: the hint is login -p NAME; login alone and with -p re-log in") {
  NeuronFixture f;
  REQUIRE(f.login().exit_code == 0);
  const std::string name = f.profile_name();
  CHECK(f.store()["profiles"][name]["method"] == "password");
  CHECK(f.store()["profiles"][name]["seconds"] == 3600);
  set_expires(f.store_path(), name, f.broker.now() - 10);
  auto expired = f.run({"token"});
  CHECK(expired.exit_code == 4);
  CHECK(contains(expired.err, "log in again: authctl login -p " + name +
                                  " (or provide AUTHCTL_PASSWORD for automatic re-login)"));
  auto status = f.run({"status"});  // status names the same command for the profile in use
  CHECK(status.exit_code == 4);
  CHECK(contains(status.err, "expired or rejected: log in again: authctl login -p " + name));
  // login alone: the current profile's URL and user, the password asked (here: piped)
  auto again = f.run({"login", "--password-stdin"}, {}, std::string(kPassword) + "\n");
  REQUIRE_MESSAGE(again.exit_code == 0, again.err);
  CHECK(contains(again.err, "Logged in to " + f.broker.url() + " as alice ("));
  CHECK(contains(again.err, "; profile " + name + "\n"));
  CHECK(f.run({"token"}).exit_code == 0);

  // -p NAME: that profile, though another one is current
  REQUIRE(f.login({"-p", "work"}).exit_code == 0);
  REQUIRE(f.run({"switch", name}).exit_code == 0);
  set_expires(f.store_path(), "work", f.broker.now() - 10);
  auto hint = f.run({"-p", "work", "token"});
  CHECK(hint.exit_code == 4);
  const std::vector<std::string> words = words_of(printed_command(hint.err));
  CHECK(words == std::vector<std::string>{"login", "-p", "work"});
  std::vector<std::string> args = words;
  args.push_back("--password-stdin");
  auto work = f.run(args, {}, std::string(kPassword) + "\n");
  REQUIRE_MESSAGE(work.exit_code == 0, work.err);
  CHECK(f.store()["current"] == "work");
  CHECK(f.store()["profiles"].size() == 2);
  CHECK(f.run({"-p", "work", "whoami"}).exit_code == 0);
}

TEST_CASE("login without --host and no profile to re-use says what to give") {
  NeuronFixture f;
  auto none = f.run({"login", "-u", kUser, "--password-stdin"}, {}, "x\n");
  CHECK(none.exit_code == 2);
  CHECK(contains(none.err, "login needs --host"));
  REQUIRE(f.login().exit_code == 0);
  auto missing = f.run({"login", "-p", "nosuch", "--password-stdin"}, {}, "x\n");
  CHECK(missing.exit_code == 2);
  CHECK(contains(missing.err, "no profile nosuch to log in to again"));
  // NEURON_HOST still comes before the profile (and means a Neuron)
  auto env = f.run({"login", "-p", "viaenv", "--password-stdin"},
                   {{"NEURON_HOST", f.broker.url()}, {"NEURON_USER", kUser}},
                   std::string(kPassword) + "\n");
  CHECK_MESSAGE(env.exit_code == 0, env.err);
  CHECK(f.store()["profiles"]["viaenv"]["url"] == f.broker.url());
}

TEST_CASE("Nexterm password profile: no seconds stored; a killed session's hint works") {
  NextermFixture f;
  REQUIRE(f.login().exit_code == 0);
  const std::string name = std::string(kAdmin) + "@" + f.host();
  const auto stored = f.store()["profiles"][name];
  CHECK(stored["method"] == "password");
  CHECK_FALSE(stored.contains("seconds"));
  std::vector<std::string> args = command_after_kill(f, name);
  CHECK(args == std::vector<std::string>{"login", "-p", name});
  args.push_back("--password-stdin");
  auto again = f.run(args, {}, std::string(kAdminPassword) + "\n");
  REQUIRE_MESSAGE(again.exit_code == 0, again.err);
  CHECK(f.run({"whoami"}).exit_code == 0);
}

TEST_CASE("device profile: the hint is device-link --host URL -p NAME, and it works") {
  NextermFixture f;
  Process p(f.invocation({"device-link", "--host", f.broker.url(), "--json", "--interval", "1s"}));
  f.broker.device_approve(json_line(p)["code"], kAdmin);
  REQUIRE(p.wait().exit_code == 0);
  const std::string name = std::string(kAdmin) + "@" + f.host();
  CHECK(f.store()["profiles"][name]["method"] == "device");
  CHECK_FALSE(f.store()["profiles"][name].contains("seconds"));
  std::vector<std::string> args = command_after_kill(f, name);
  CHECK(args == std::vector<std::string>{"device-link", "--host", f.broker.url(), "-p", name});
  args.insert(args.end(), {"--json", "--interval", "1s"});
  Process again(f.invocation(args));
  f.broker.device_approve(json_line(again)["code"], kAdmin);
  REQUIRE(again.wait().exit_code == 0);
  CHECK(f.run({"whoami"}).exit_code == 0);
}

TEST_CASE("passkey profile: the hint is login --passkey -p NAME, and it works") {
  NextermFixture f;
  REQUIRE(f.login().exit_code == 0);
  REQUIRE(f.run({"passkey", "add", "--name", "laptop"}).exit_code == 0);
  auto in = f.run({"login", "--passkey", "--host", f.broker.url(), "-p", "pk"});
  REQUIRE_MESSAGE(in.exit_code == 0, in.err);
  CHECK(f.store()["profiles"]["pk"]["method"] == "passkey");
  const std::vector<std::string> args = command_after_kill(f, "pk");
  CHECK(args == std::vector<std::string>{"login", "--passkey", "-p", "pk"});
  auto again = f.run(args);  // the profile's URL, user and key file
  REQUIRE_MESSAGE(again.exit_code == 0, again.err);
  CHECK(f.run({"-p", "pk", "whoami"}).exit_code == 0);
}

TEST_CASE("api-key profile: a revoked key's hint is login --with-token -p NAME < KEYFILE") {
  NextermFixture f;
  REQUIRE(f.login().exit_code == 0);
  const std::string key = f.broker.nexterm_api_key(kAdmin, "ci");
  REQUIRE(f.run({"login", "--with-token", "--host", f.broker.url(), "-p", "ci"}, {}, key + "\n")
              .exit_code == 0);
  CHECK(f.store()["profiles"]["ci"]["method"] == "api-key");
  const std::string admin = std::string(kAdmin) + "@" + f.host();
  auto list = f.run({"-p", admin, "apikey", "list", "--json"});
  REQUIRE(list.exit_code == 0);
  const auto keys = nlohmann::json::parse(list.out)["apikeys"];
  REQUIRE(keys.size() == 1);
  REQUIRE(f.run({"-p", admin, "apikey", "revoke", keys[0]["id"].dump()}).exit_code == 0);
  auto w = f.run({"-p", "ci", "whoami"});
  CHECK(w.exit_code == 4);
  CHECK(contains(w.err, "then run authctl login --with-token -p ci < KEYFILE"));
  const std::string fresh = f.broker.nexterm_api_key(kAdmin, "ci2");
  auto again = f.run({"login", "--with-token", "-p", "ci"}, {}, fresh + "\n");
  REQUIRE_MESSAGE(again.exit_code == 0, again.err);
  CHECK(f.run({"-p", "ci", "whoami"}).exit_code == 0);
}

TEST_CASE("session-cookie and www profiles: each hint names its own way, and works") {
  NeuronFixture f;
  const std::string cookie_file = f.tmp.file("cookie");
  write_file(cookie_file, f.broker.web_form_session(kUser) + "\n");
  REQUIRE(f.run({"login", "--host", f.broker.url(), "--session-cookie", cookie_file, "-p", "web"})
              .exit_code == 0);
  CHECK(f.store()["profiles"]["web"]["method"] == "session-cookie");
  set_expires(f.store_path(), "web", f.broker.now() - 10);
  auto w = f.run({"-p", "web", "token"});
  CHECK(w.exit_code == 4);
  CHECK(contains(w.err,
                 "copy the web session's cookie into FILE again, then run authctl login "
                 "--session-cookie FILE -p web"));
  CHECK_FALSE(contains(w.err, "AUTHCTL_PASSWORD"));
  write_file(cookie_file, f.broker.web_form_session(kUser) + "\n");
  auto again = f.run({"login", "--session-cookie", cookie_file, "-p", "web"});
  REQUIRE_MESSAGE(again.exit_code == 0, again.err);
  CHECK(f.run({"-p", "web", "token"}).exit_code == 0);

  REQUIRE(f.login({"--www", "-p", "basic"}).exit_code == 0);
  CHECK(f.store()["profiles"]["basic"]["method"] == "www");
  set_expires(f.store_path(), "basic", f.broker.now() - 10);
  auto b = f.run({"-p", "basic", "token"});
  CHECK(contains(b.err, "log in again: authctl login --www -p basic (or provide AUTHCTL_PASSWORD"));
  auto www = f.run({"login", "--www", "-p", "basic", "--password-stdin"}, {},
                   std::string(kPassword) + "\n");
  REQUIRE_MESSAGE(www.exit_code == 0, www.err);
}

TEST_CASE("qr profile: the hint is login --qr -p NAME, and it works") {
  NeuronFixture f;
  auto qr_login = [&](std::vector<std::string> args) {
    args.insert(args.end(), {"--json", "--show-qr", "never"});
    Process p(Invocation{args, f.env, ""});
    const std::string link = json_line(p)["link"];
    for (int i = 0; i < 100 && !f.broker.sign_quick_login(link, kUser); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return p.wait();
  };
  auto first = qr_login({"login", "--qr", "--host", f.broker.url()});
  REQUIRE_MESSAGE(first.exit_code == 0, first.err);
  const std::string name = f.profile_name();
  CHECK(f.store()["profiles"][name]["method"] == "qr");
  set_expires(f.store_path(), name, f.broker.now() - 10);
  auto t = f.run({"token"});
  CHECK(t.exit_code == 4);
  const std::vector<std::string> args = words_of(printed_command(t.err));
  CHECK(args == std::vector<std::string>{"login", "--qr", "-p", name});
  auto again = qr_login(args);
  REQUIRE_MESSAGE(again.exit_code == 0, again.err);
  CHECK(f.run({"token"}).exit_code == 0);
}

TEST_CASE("a store without method, a later version's method, and hostile names") {
  NeuronFixture f;
  REQUIRE(f.login().exit_code == 0);
  const std::string name = f.profile_name();
  auto doc = f.store();
  // A store of an earlier release: no "method" (password), a name a shell would split, and
  // one with a control character.
  doc["profiles"][name].erase("method");
  doc["profiles"]["a b;c"] = doc["profiles"][name];
  doc["profiles"]["bell\x07"] = doc["profiles"][name];
  for (const char* n : {"a b;c", "bell\x07"}) doc["profiles"][n]["expires"] = f.broker.now() - 10;
  write_file(f.store_path(), doc.dump(), 0600);
  REQUIRE(f.run({"token"}).exit_code == 0);  // loads as it did
  auto split = f.run({"-p", "a b;c", "token"});
  CHECK(split.exit_code == 4);
  CHECK(contains(split.err, "log in again: authctl login -p 'a b;c' ("));
  auto bell = f.run({"-p", "bell\x07", "token"});
  CHECK(bell.exit_code == 4);
  CHECK_FALSE(contains(bell.err, "\x07"));
  CHECK(contains(bell.err, "authctl login -p NAME"));
  CHECK(contains(bell.err, "NAME: this profile's name"));
  // a method of a later version: the profile works, the hint cannot name the command
  doc = f.store();
  doc["profiles"][name]["method"] = "telepathy";
  write_file(f.store_path(), doc.dump(), 0600);
  REQUIRE(f.run({"-p", name, "whoami"}).exit_code == 0);
  set_expires(f.store_path(), name, f.broker.now() - 10);
  auto later = f.run({"-p", name, "token"});
  CHECK(contains(later.err, "log in again the way it was made"));
  CHECK_FALSE(contains(later.err, "telepathy"));
  // The quoted command works as written (the shell's quotes removed), and rewrites the store.
  auto quoted =
      f.run({"login", "-p", "a b;c", "--password-stdin"}, {}, std::string(kPassword) + "\n");
  CHECK_MESSAGE(quoted.exit_code == 0, quoted.err);
  CHECK(f.store()["current"] == "a b;c");
  CHECK(f.store()["profiles"][name]["method"] == "telepathy");  // kept for that version
}

TEST_CASE("login alone over https re-uses the CA file the profile remembered") {
  TempDir pki;
  NeuronFixture f(tls_options(pki.path()));
  const std::string ca = pki.path() + "/ca.pem";
  REQUIRE(f.login({"--cacert", ca}).exit_code == 0);
  auto again = f.run({"login", "--password-stdin"}, {}, std::string(kPassword) + "\n");
  REQUIRE_MESSAGE(again.exit_code == 0, again.err);  // no --cacert given: the profile's
  CHECK(f.store()["profiles"][f.profile_name()]["cacert"] == ca);  // and kept
  CHECK(f.run({"whoami"}).exit_code == 0);
}

TEST_CASE("re-using a profile never sends a secret to a server of the wrong kind") {
  NextermFixture nx;
  REQUIRE(nx.login().exit_code == 0);  // the current profile is a Nexterm's
  // --www (a Neuron login that sends the password itself) with NEURON_PASSWORD set
  const auto www = nx.run({"login", "--www"}, {{"NEURON_PASSWORD", "neuron-secret-pw"}});
  CHECK(www.exit_code == 2);
  CHECK(contains(www.err, "login --www is a neuron login, and profile "));
  CHECK(contains(www.err, "nothing was sent"));
  // --session-cookie: a Neuron web session
  const auto cookie = nx.run({"login", "--session-cookie", "-"}, {}, "HttpSessionID=abcdef123");
  CHECK(cookie.exit_code == 2);
  CHECK(nx.broker.count("/Agent/Account/WwwLogin") == 0);
  CHECK(nx.broker.count("/Agent/Account/QuickLogin") == 0);
  CHECK(nx.broker.count("/GetSessionToken") == 0);

  NeuronFixture ne;
  REQUIRE(ne.login().exit_code == 0);  // the current profile is a Neuron's
  const std::string key = "nxt_" + std::string(64, 'a');
  const auto token = ne.run({"login", "--with-token"}, {}, key + "\n");
  CHECK(token.exit_code == 2);
  CHECK(contains(token.err, "login --with-token is a nexterm login"));
  CHECK(ne.broker.count("/api/accounts/me") == 0);
}

TEST_CASE("re-using a profile: NEURON_HOST does not move it, NEURON_USER must be its user") {
  NeuronFixture f;
  REQUIRE(f.login().exit_code == 0);
  const std::string name = f.profile_name();
  // the quick start's variables, pointing elsewhere: the profile is logged in to where it is
  const auto again = f.run({"login", "-p", name, "--password-stdin"},
                           {{"NEURON_HOST", "http://127.0.0.1:9"}}, std::string(kPassword) + "\n");
  CHECK_MESSAGE(again.exit_code == 0, again.err);
  CHECK(f.store()["profiles"][name]["url"] == f.broker.url());
  // NEURON_PASSWORD belongs to NEURON_USER: never sent signed for the profile's other user
  const auto other =
      f.run({"login", "-p", name}, {{"NEURON_USER", "mallory"}, {"NEURON_PASSWORD", "mallory-pw"}});
  CHECK(other.exit_code == 2);
  CHECK(contains(other.err, "NEURON_USER is mallory, but profile " + name + " is alice's"));
}

TEST_CASE("a profile name keeps its user: another user needs another name or --force") {
  NeuronFixture f;
  f.broker.add_neuron_account("bob", "Bob-passw0rd-123", "bob@example.com");
  REQUIRE(f.login({"-p", "work"}).exit_code == 0);  // alice
  // -u bob on the profile again (without --host, and with it): refused before anything is sent
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"login", "-p", "work", "-u", "bob", "--password-stdin"},
        {"login", "--host", f.broker.url(), "-p", "work", "-u", "bob", "--password-stdin"}}) {
    const int logins = f.broker.count("/Agent/Account/Login");
    auto r = f.run(args, {}, "Bob-passw0rd-123\n");
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "profile work is alice's, not bob's"));
    CHECK(contains(r.err, "under another name with -p NAME, or replace it with --force"));
    CHECK(f.broker.count("/Agent/Account/Login") == logins);
    CHECK(f.store()["profiles"]["work"]["user"] == "alice");
  }
  auto forced = f.run({"login", "-p", "work", "-u", "bob", "--password-stdin", "--force"}, {},
                      "Bob-passw0rd-123\n");
  CHECK_MESSAGE(forced.exit_code == 0, forced.err);
  CHECK(f.store()["profiles"]["work"]["user"] == "bob");

  // A QR code says who logs in only once signed: then refused, and the new session ended.
  const int logouts = f.broker.count("/Agent/Account/Logout");
  Process p(Invocation{{"login", "--qr", "-p", "work", "--json", "--show-qr", "never"}, f.env, ""});
  const std::string link = json_line(p)["link"];
  for (int i = 0; i < 100 && !f.broker.sign_quick_login(link, kUser, true); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  auto qr = p.wait();
  CHECK(qr.exit_code == 2);
  CHECK(contains(qr.err, "profile work is bob's, not alice's"));
  CHECK(f.store()["profiles"]["work"]["user"] == "bob");
  CHECK(f.broker.count("/Agent/Account/Logout") == logouts + 1);  // nothing left behind
}
