// Issue 9, points 1, 2 and 6 through the broker's hostile mode: server-chosen text never
// runs in a shell (completion, profile names), never rewrites the terminal (every text line
// escaped, --json exact), and a signed Neuron login is never turned into a cleartext one.
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.hpp"
#include "hostile.hpp"
#include "nexterm_fixture.hpp"

using namespace e2e;

namespace {

const std::string kShellName = "$(id>~/owned)";
const std::string kBacktickName = "`id>~/owned2`";

bool exists(const std::string& path) {
  struct stat st {};
  return lstat(path.c_str(), &st) == 0;
}

// A store written by hand, 0600 in a 0700 folder: an old store may hold such names.
void write_store_with_shell_names(const std::string& config) {
  mkdir(config.c_str(), 0700);
  nlohmann::json profiles = nlohmann::json::object();
  for (const std::string& name : {kShellName, kBacktickName})
    profiles[name] = {{"kind", "neuron"},          {"url", "https://h.example"}, {"user", "u"},
                      {"token", "aaaa.bbbb.cccc"}, {"expires", nullptr},         {"seconds", 3600}};
  write_file(
      config + "/credentials.json",
      nlohmann::json{{"version", 1}, {"current", kShellName}, {"profiles", profiles}}.dump());
}

struct CompletionSetup {
  TempDir tmp;
  std::string config = tmp.path() + "/c";
  std::string home = tmp.path() + "/home";
  std::map<std::string, std::string> env;
  CompletionSetup() {
    write_store_with_shell_names(config);
    mkdir(home.c_str(), 0700);
    const std::string bin_dir = authctl_binary().substr(0, authctl_binary().rfind('/'));
    env = {{"AUTHCTL_CONFIG_DIR", config}, {"PATH", bin_dir + ":/usr/bin:/bin"}, {"HOME", home}};
  }
  bool owned() const { return exists(home + "/owned") || exists(home + "/owned2"); }
};

}  // namespace

TEST_CASE("bash completion lists hostile profile names quoted and runs nothing") {
  CompletionSetup s;
  const std::string script = std::string(AUTHCTL_SOURCE_DIR) + "/completions/authctl.bash";
  for (const std::string& words : {std::string("authctl -p ''"), std::string("authctl switch ''"),
                                   std::string("authctl status --profile ''")}) {
    CAPTURE(words);
    // TAB, then what inserting each candidate on the command line would give the shell.
    auto r = run_program("/bin/bash",
                         {"-c", "source '" + script + "'; COMP_WORDS=(" + words +
                                    "); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _authctl; "
                                    "for c in \"${COMPREPLY[@]}\"; do eval \"printf '%s\\n' $c\"; "
                                    "done"},
                         s.env);
    CHECK(r.exit_code == 0);
    CHECK(contains(r.out, kShellName + "\n"));
    CHECK(contains(r.out, kBacktickName + "\n"));
    CHECK_FALSE(s.owned());
  }
  // A prefix filters, as data: "$" matches the one name that starts with it.
  auto r = run_program("/bin/bash",
                       {"-c", "source '" + script +
                                  "'; COMP_WORDS=(authctl switch '$'); COMP_CWORD=2; _authctl; "
                                  "printf '%s\\n' \"${COMPREPLY[@]}\""},
                       s.env);
  CHECK(r.out == "\\$\\(id\\>~/owned\\)\n");
  CHECK_FALSE(s.owned());
}

TEST_CASE("zsh completion adds hostile profile names literally and runs nothing") {
  CompletionSetup s;
  const std::string script = std::string(AUTHCTL_SOURCE_DIR) + "/completions/_authctl";
  for (const std::string& words :
       {std::string("authctl -p ''"), std::string("authctl switch ''")}) {
    CAPTURE(words);
    // compadd stands in for the completion system's builtin: it shows what it was given.
    auto r = run_program("/usr/bin/zsh",
                         {"-f", "-c",
                          "compadd() { print -rl -- \"$@\"; }; _describe() { :; }; words=(" +
                              words + "); CURRENT=${#words}; source '" + script + "'"},
                         s.env);
    CHECK(r.exit_code == 0);
    CHECK(contains(r.out, kShellName + "\n"));
    CHECK(contains(r.out, kBacktickName + "\n"));
    CHECK_FALSE(s.owned());
  }
}

TEST_CASE("fish completion lists hostile profile names and runs nothing") {
  CompletionSetup s;
  const std::string script = std::string(AUTHCTL_SOURCE_DIR) + "/completions/authctl.fish";
  for (const std::string& line : {std::string("authctl -p "), std::string("authctl switch ")}) {
    CAPTURE(line);
    auto r = run_program("/usr/bin/fish",
                         {"-c", "source " + script + "; complete -C '" + line + "'"}, s.env);
    CHECK(r.exit_code == 0);
    CHECK(contains(r.out, kShellName));
    CHECK(contains(r.out, kBacktickName));
    CHECK_FALSE(s.owned());
  }
}

TEST_CASE("names already in a store keep working; a new -p or AUTHCTL_PROFILE must keep the rule") {
  TempDir tmp;
  const std::string config = tmp.path() + "/c";
  write_store_with_shell_names(config);
  const std::map<std::string, std::string> env{{"AUTHCTL_CONFIG_DIR", config}};
  auto token = run({{"-p", kBacktickName, "token"}, env, ""});
  CHECK_MESSAGE(token.exit_code == 0, token.err);
  CHECK(token.out == "aaaa.bbbb.cccc\n");
  auto status = run({{"status"}, env, ""});
  CHECK(contains(status.out, kShellName));
  auto names = run({{"status", "--names"}, env, ""});
  CHECK(names.out == kShellName + "\n" + kBacktickName + "\n");

  for (const std::string& bad :
       {std::string("a b"), std::string("x;y"), std::string("bj\xc3\xb6rn"), std::string("$(id)"),
        std::string(256, 'a')}) {
    CAPTURE(bad);
    auto r = run({{"-p", bad, "token"}, env, ""});
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "not a valid profile name"));
    auto e = run({{"status"}, {{"AUTHCTL_CONFIG_DIR", config}, {"AUTHCTL_PROFILE", bad}}, ""});
    CHECK(e.exit_code == 2);
  }
  // A valid name that is not there is still "no profile named" (exit 4).
  CHECK(run({{"-p", "nobody@h", "token"}, env, ""}).exit_code == 4);
}

TEST_CASE("a login with -p breaking the rule is a usage error before any request") {
  NeuronFixture f;
  auto r = f.login({"-p", "my profile"});
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "not a valid profile name"));
  CHECK(f.broker.count("/Agent/Account/DomainInfo") == 0);
  CHECK(f.broker.count("/Agent/Account/Login") == 0);
  auto ok = f.login({"-p", "work+1@[::1]:8080_x.y-z%20"});
  CHECK_MESSAGE(ok.exit_code == 0, ok.err);
  CHECK(f.store()["profiles"].contains("work+1@[::1]:8080_x.y-z%20"));
}

TEST_CASE("a user name from the server becomes %XX in the profile name; user keeps it") {
  NextermFixture f;
  const std::string key = f.broker.nexterm_api_key(kAdmin, "ci");
  f.broker.inject_hostile("/api/accounts/me", sets({{"/username", "\"$(id>~/owned)\""}}));
  auto r = f.run({"login", "--host", f.broker.url(), "--with-token"}, {}, key + "\n");
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  const std::string name = "%24%28id%3E%7E%2Fowned%29@" + f.host();
  auto store = f.store();
  REQUIRE(store["profiles"].contains(name));
  CHECK(store["profiles"][name]["user"] == kShellName);
  CHECK(store["current"] == name);
  CHECK(contains(r.err, "profile " + name));
  auto names = f.run({"status", "--names"});
  CHECK(names.out == name + "\n");
}

TEST_CASE("a typed user name outside the alphabet is escaped too: -u björn") {
  NeuronFixture f;
  f.broker.add_neuron_account("bj\xc3\xb6rn", kPassword, "b@example.com");
  auto r = f.run({"login", "--host", f.broker.url(), "-u", "bj\xc3\xb6rn", "--password-stdin"}, {},
                 std::string(kPassword) + "\n");
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  const std::string name = "bj%C3%B6rn@" + f.broker.url().substr(f.broker.url().find("://") + 3);
  auto store = f.store();
  REQUIRE(store["profiles"].contains(name));
  CHECK(store["profiles"][name]["user"] == "bj\xc3\xb6rn");
  CHECK(contains(r.err, " as bj\xc3\xb6rn ("));
  CHECK(contains(r.err, "; profile " + name));
}

TEST_CASE("sessions list: a hostile User-Agent and IP are escaped in text, exact in --json") {
  NextermFixture f;
  REQUIRE(f.login().exit_code == 0);
  const std::string agent = "\x1b]0;pwned\x07\r\x1b[2K";
  const std::string agent_json = R"("\u001b]0;pwned\u0007\r\u001b[2K")";
  const std::string ip_json = R"("10.0.0.1\u001b]52;c;SGk=\u0007")";
  f.broker.inject_hostile("/api/sessions/list",
                          sets({{"/0/userAgent", agent_json}, {"/0/ip", ip_json}}));
  auto text = f.run({"sessions", "list"});
  REQUIRE_MESSAGE(text.exit_code == 0, text.err);
  CHECK(terminal_safe(text.out));
  CHECK(terminal_safe(text.err));
  CHECK(contains(text.out, "\\x1b]0;pwned\\x07\\r\\x1b[2K"));
  CHECK(contains(text.out, "\\x1b]52;c;SGk="));

  f.broker.inject_hostile("/api/sessions/list", sets({{"/0/userAgent", agent_json}}));
  auto json = f.run({"sessions", "list", "--json"});
  REQUIRE_MESSAGE(json.exit_code == 0, json.err);
  bool found = false;
  const nlohmann::json listed = nlohmann::json::parse(json.out);
  for (const auto& s : listed["sessions"]) found = found || s["user_agent"] == agent;
  CHECK_MESSAGE(found, json.out);

  f.broker.inject_hostile("/api/sessions/list", sets({{"/0/userAgent", agent_json}}));
  auto preview = f.run({"sessions", "kill", "--others", "--dry-run"});
  CHECK(terminal_safe(preview.out));
  CHECK(terminal_safe(preview.err));
}

TEST_CASE("server error messages are escaped on stderr") {
  NextermFixture f;
  testbroker::HostileAnswer nexterm_error =
      sets({{"", R"({"code":500,"message":"\u001b[2J\u001b[Hok\r\u009b31m"})"}});
  nexterm_error.status = 500;
  f.broker.inject_hostile("/api/auth/login", nexterm_error);
  auto r = f.login();
  CHECK(r.exit_code != 0);
  CHECK(terminal_safe(r.err));
  CHECK(terminal_safe(r.out));

  testbroker::HostileAnswer plain;
  plain.body = "\x1b]52;c;cm0gLXJmIH4=\x07 broken\r\n";
  plain.content_type = "text/plain";
  plain.status = 500;
  f.broker.inject_hostile("/api/auth/login", plain);
  auto p = f.login();
  CHECK(p.exit_code != 0);
  CHECK(terminal_safe(p.err));

  NeuronFixture n;
  testbroker::HostileAnswer neuron_plain = plain;
  n.broker.inject_hostile("/Agent/Account/Login", neuron_plain);
  auto q = n.login({"--kind", "neuron"});
  CHECK(q.exit_code != 0);
  CHECK(terminal_safe(q.err));
}

TEST_CASE("whoami shows hostile account fields escaped; --json keeps them exact") {
  NextermFixture f;
  REQUIRE(f.login().exit_code == 0);
  const std::string osc52 = R"("\u001b]52;c;SGVsbG8=\u0007")";
  f.broker.inject_hostile("/api/accounts/me",
                          sets({{"/firstName", osc52}, {"/lastName", R"("\r\u001b[2Kroot")"}}));
  auto r = f.run({"whoami"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(terminal_safe(r.out));
  CHECK(terminal_safe(r.err));
  CHECK(contains(r.out, "\\x1b]52;c;SGVsbG8=\\x07"));
  CHECK(contains(r.out, "\\r\\x1b[2Kroot"));

  // A user name with a control character is a malformed answer (not shown at all).
  f.broker.inject_hostile("/api/accounts/me", sets({{"/username", R"("adm\u009bin")"}}));
  auto u = f.run({"whoami"});
  CHECK(u.exit_code == 1);
  CHECK(contains(u.err, "unexpected answer"));
  CHECK(terminal_safe(u.err));

  f.broker.inject_hostile("/api/accounts/me", sets({{"/firstName", osc52}}));
  auto j = f.run({"whoami", "--json"});
  REQUIRE_MESSAGE(j.exit_code == 0, j.err);
  CHECK(nlohmann::json::parse(j.out)["server"]["account"]["firstName"] == "\x1b]52;c;SGVsbG8=\x07");
}

TEST_CASE("apikey names from the server are escaped in list and create") {
  NextermFixture f;
  REQUIRE(f.login().exit_code == 0);
  f.broker.nexterm_api_key(kAdmin, "ci");
  f.broker.inject_hostile("/api/accounts/api-keys",
                          sets({{"/0/name", R"("\u001b[31mred\u0007")"}}));
  auto list = f.run({"apikey", "list"});
  REQUIRE_MESSAGE(list.exit_code == 0, list.err);
  CHECK(terminal_safe(list.out));
  CHECK(contains(list.out, "\\x1b[31mred"));
}

// Point 6: the quick start's NEURON_* variables and the kind a profile remembers.
TEST_CASE("NEURON_PASSWORD against a host that answers as Nexterm: refused, no password sent") {
  NextermFixture f;
  auto r = f.run({"login", "--host", f.broker.url(), "-u", kAdmin},
                 {{"NEURON_PASSWORD", kAdminPassword}});
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, "NEURON_PASSWORD"));
  CHECK(contains(r.err, "give --kind nexterm if the server really changed"));
  CHECK(f.broker.count("/api/auth/login") == 0);
  // NEURON_HOST (without --host) means a Neuron too, whatever the password source.
  auto h = f.run({"login", "-u", kAdmin, "--password-stdin"}, {{"NEURON_HOST", f.broker.url()}},
                 std::string(kAdminPassword) + "\n");
  CHECK(h.exit_code == 1);
  CHECK(contains(h.err, "NEURON_HOST"));
  auto u = f.run({"login", "--host", f.broker.url(), "--password-stdin"}, {{"NEURON_USER", kAdmin}},
                 std::string(kAdminPassword) + "\n");
  CHECK(u.exit_code == 1);
  CHECK(f.broker.count("/api/auth/login") == 0);
  // Said plainly, it is allowed.
  auto k = f.run({"login", "--host", f.broker.url(), "-u", kAdmin, "--kind", "nexterm"},
                 {{"NEURON_PASSWORD", kAdminPassword}});
  CHECK_MESSAGE(k.exit_code == 0, k.err);
  CHECK(f.broker.count("/api/auth/login") == 1);
  // AUTHCTL_PASSWORD is no quick-start variable: detection as before.
  auto a = f.run({"login", "--host", f.broker.url(), "-u", kAdmin},
                 {{"AUTHCTL_PASSWORD", kAdminPassword}, {"NEURON_PASSWORD", "x"}});
  CHECK_MESSAGE(a.exit_code == 0, a.err);
}

TEST_CASE("NEURON_PASSWORD against a Neuron still logs in (the probe answers Neuron)") {
  NeuronFixture f;
  auto r =
      f.run({"login", "--host", f.broker.url(), "-u", kUser}, {{"NEURON_PASSWORD", kPassword}});
  CHECK_MESSAGE(r.exit_code == 0, r.err);
  CHECK(f.store()["profiles"][f.profile_name()]["kind"] == "neuron");
}

TEST_CASE("a Neuron profile's URL that now answers as Nexterm: refused, no password sent") {
  NeuronFixture neuron;
  REQUIRE(neuron.login().exit_code == 0);
  NextermFixture nexterm;
  // The store says: this URL is a Neuron (as if the server there had been swapped).
  auto store = neuron.store();
  store["profiles"][neuron.profile_name()]["url"] = nexterm.broker.url();
  write_file(neuron.store_path(), store.dump());
  // (-p names alice's profile: as alice, or the name would be refused for another user first)
  for (const std::vector<std::string>& extra :
       {std::vector<std::string>{"-u", kAdmin},
        std::vector<std::string>{"-u", kUser, "-p", neuron.profile_name()}}) {
    std::vector<std::string> args{"login", "--host", nexterm.broker.url(), "--password-stdin"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = neuron.run(args, {}, std::string(kAdminPassword) + "\n");
    CHECK(r.exit_code == 1);
    CHECK(contains(r.err, "was made with a neuron"));
    CHECK(contains(r.err, "give --kind nexterm if the server really changed"));
    CHECK(nexterm.broker.count("/api/auth/login") == 0);
  }
  CHECK(neuron.store() == store);  // nothing changed
  auto forced = neuron.run({"login", "--host", nexterm.broker.url(), "-u", kAdmin,
                            "--password-stdin", "--kind", "nexterm"},
                           {}, std::string(kAdminPassword) + "\n");
  CHECK_MESSAGE(forced.exit_code == 0, forced.err);
  CHECK(nexterm.broker.count("/api/auth/login") == 1);
}

TEST_CASE("--with-token: a server user name with controls or over 255 bytes is exit 1") {
  NextermFixture f;
  const std::string key = f.broker.nexterm_api_key(kAdmin, "ci");
  for (const std::string& hostile : {std::string(R"("ad\u001b[2Jmin")"),
                                     "\"" + std::string(256, 'a') + "\"", std::string("42")}) {
    CAPTURE(hostile);
    f.broker.inject_hostile("/api/accounts/me", sets({{"/username", hostile}}));
    auto r = f.run({"login", "--host", f.broker.url(), "--with-token"}, {}, key + "\n");
    CHECK(r.exit_code == 1);
    CHECK(contains(r.err, "unexpected answer"));
    CHECK(terminal_safe(r.err));
    CHECK(access(f.store_path().c_str(), F_OK) != 0);  // nothing stored
  }
}

TEST_CASE("status shows a hand-edited store's controls escaped; --json keeps them") {
  TempDir tmp;
  const std::string config = tmp.path() + "/c";
  mkdir(config.c_str(), 0700);
  const std::string user = "\x1b]0;title\x07\r\xc2\x9b";
  write_file(config + "/credentials.json", nlohmann::json{{"version", 1},
                                                          {"current", "p"},
                                                          {"profiles",
                                                           {{"p",
                                                             {{"kind", "neuron"},
                                                              {"url", "https://h.example"},
                                                              {"user", user},
                                                              {"token", "aaaa.bbbb.cccc"},
                                                              {"expires", nullptr}}}}}}
                                               .dump());
  const std::map<std::string, std::string> env{{"AUTHCTL_CONFIG_DIR", config}};
  auto r = run({{"status"}, env, ""});
  CHECK(terminal_safe(r.out));
  CHECK(terminal_safe(r.err));
  auto j = run({{"status", "--json"}, env, ""});
  if (j.exit_code == 0) {  // a store check may skip such a profile: then it is not shown
    const auto doc = nlohmann::json::parse(j.out);
    if (!doc["profiles"].empty()) CHECK(doc["profiles"][0]["user"] == user);
  }
  if (contains(r.out, "title")) CHECK(contains(r.out, "\\x1b]0;title\\x07\\r\\u009b"));
}

TEST_CASE("verify-jwt claims and send-message ids from the server are escaped in text") {
  NeuronFixture f;
  REQUIRE(f.login().exit_code == 0);
  f.broker.inject_hostile(
      "/Agent/Account/AuthenticateJwt",
      sets({{"/subject", R"("al\u001b[2Jice")"}, {"/claims/evil\x1b]0;x\x07", R"("\r\u009b")"}}));
  auto v = f.run({"verify-jwt"});
  REQUIRE_MESSAGE(v.exit_code == 0, v.err);
  CHECK(terminal_safe(v.out));
  CHECK(contains(v.out, "subject: al\\x1b[2Jice"));
  f.broker.inject_hostile("/Agent/Xmpp/SendTextMessage",
                          sets({{"/id", R"("m1\u001b]52;c;eA==\u0007")"}}));
  auto m = f.run({"send-message", "--to", "bob@localhost", "hello"});
  REQUIRE_MESSAGE(m.exit_code == 0, m.err);
  CHECK(terminal_safe(m.out));
  CHECK(m.out == "m1\\x1b]52;c;eA==\\x07\n");
}
