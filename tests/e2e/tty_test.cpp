// The no-echo password prompt and what waiting commands draw, seen through a real pty.
#include <chrono>

#include "nexterm_fixture.hpp"
#include "pty_session.hpp"

using namespace e2e;

namespace {

struct PtyRun {
  std::string screen;  // everything the terminal showed
  int exit_code = -1;
};

// Runs authctl on a new pty (of `size`, when given); each time the next prompt shows up
// (after the previous answer), types its answer and Enter (Ctrl-C as it is: the terminal
// makes it a SIGINT).
PtyRun run_on_pty(const std::vector<std::string>& args,
                  const std::map<std::string, std::string>& env,
                  const std::vector<std::pair<std::string, std::string>>& dialogue,
                  const winsize* size = nullptr) {
  PtySession pty(args, env, size ? size->ws_col : 0, size ? size->ws_row : 0);
  size_t seen = 0;  // screen bytes already matched
  for (const auto& [prompt, answer] : dialogue) {
    if (!pty.read_until(prompt, seen, std::chrono::seconds(20))) break;
    seen = pty.screen().find(prompt, seen) + prompt.size();
    pty.type(answer == "\x03" ? answer : answer + "\r");
  }
  const int exit_code = pty.wait();
  return {pty.screen(), exit_code};
}

PtyRun run_on_pty(const std::vector<std::string>& args,
                  const std::map<std::string, std::string>& env, const std::string& prompt,
                  const std::string& answer) {
  return run_on_pty(args, env, {{prompt, answer}});
}

}  // namespace

TEST_CASE("on a terminal the password is asked for without echo") {
  NeuronFixture f;
  auto run = run_on_pty({"login", "--host", f.broker.url(), "-u", kUser}, f.env, "Password for",
                        kPassword);
  CHECK_MESSAGE(run.exit_code == 0, run.screen);
  CHECK(contains(run.screen, "Password for alice@"));
  CHECK_FALSE(contains(run.screen, kPassword));  // typed, never shown
  CHECK(contains(run.screen, "Logged in to"));
  CHECK(f.broker.count("/Agent/Account/Login") == 1);
}

TEST_CASE("login alone logs in to the current profile again, asking for its password") {
  NeuronFixture f;
  REQUIRE(f.login().exit_code == 0);
  auto run = run_on_pty({"login"}, f.env, "Password for", kPassword);
  CHECK_MESSAGE(run.exit_code == 0, run.screen);
  CHECK(contains(run.screen, "Password for alice@" + f.profile_name().substr(6) + ": "));
  CHECK_FALSE(contains(run.screen, kPassword));
  CHECK(contains(run.screen, "profile " + f.profile_name()));
  CHECK(f.broker.count("/Agent/Account/Login") == 2);
}

TEST_CASE("a terminal is not used when --no-input or CI=true says so") {
  NeuronFixture f;
  auto no_input = run_on_pty({"login", "--host", f.broker.url(), "-u", kUser, "--no-input"}, f.env,
                             "Password for", kPassword);
  CHECK(no_input.exit_code == 4);
  CHECK_FALSE(contains(no_input.screen, "Password for"));
  auto env = f.env;
  env["CI"] = "true";
  auto ci =
      run_on_pty({"login", "--host", f.broker.url(), "-u", kUser}, env, "Password for", kPassword);
  CHECK(ci.exit_code == 4);
  // The terminal is there: the error says CI turned prompting off.
  CHECK(contains(ci.screen, "a password is needed and prompting is off because CI=true"));
  CHECK_FALSE(contains(ci.screen, "no terminal"));
  CHECK(f.broker.count("/Agent/Account/Login") == 0);
}

TEST_CASE("a wrong password typed at the prompt may be typed again once on a Neuron") {
  NeuronFixture f;
  const std::vector<std::string> args{"login", "--host", f.broker.url(), "-u", kUser};
  auto again = run_on_pty(args, f.env, {{"Password for", "wrong-1"}, {"Password for", kPassword}});
  CHECK_MESSAGE(again.exit_code == 0, again.screen);
  CHECK(contains(again.screen,
                 "authctl: wrong user name or password (server: Invalid signature): try again"));
  CHECK(contains(again.screen, "Logged in to"));
  CHECK(f.broker.count("/Agent/Account/Login") == 2);

  auto twice = run_on_pty(args, f.env, {{"Password for", "wrong-2"}, {"Password for", "wrong-3"}});
  CHECK(twice.exit_code == 4);
  CHECK(count_of(twice.screen, "Password for") == 2);  // not a third time
  CHECK(contains(twice.screen, "check the user name and password"));
  CHECK(f.broker.count("/Agent/Account/Login") == 4);
}

TEST_CASE("a Neuron that blocks the client stops the retyping at once (exit 5)") {
  NeuronFixture f;
  for (int i = 0; i < 4; ++i) REQUIRE(f.login({}, "wrong-password").exit_code == 4);
  auto blocked = run_on_pty({"login", "--host", f.broker.url(), "-u", kUser}, f.env,
                            {{"Password for", "wrong-5"}, {"Password for", kPassword}});
  CHECK(blocked.exit_code == 5);
  CHECK(count_of(blocked.screen, "Password for") == 1);
  CHECK(contains(blocked.screen, "Too many failed login attempts"));
  CHECK(f.broker.count("/Agent/Account/Login") == 5);
}

TEST_CASE("on Nexterm a wrong password may be typed again twice") {
  NextermFixture f;
  const std::vector<std::string> args{"login", "--host", f.broker.url(), "-u", kAdmin};
  auto third = run_on_pty(
      args, f.env,
      {{"Password for", "nope-1"}, {"Password for", "nope-2"}, {"Password for", kAdminPassword}});
  CHECK_MESSAGE(third.exit_code == 0, third.screen);
  CHECK(count_of(third.screen, "(server: Username or password incorrect): try again") == 2);
  CHECK(f.broker.count("/api/auth/login") == 3);
  auto out = run_on_pty(
      args, f.env, {{"Password for", "a-1"}, {"Password for", "a-2"}, {"Password for", "a-3"}});
  CHECK(out.exit_code == 4);
  CHECK(count_of(out.screen, "Password for") == 3);
  CHECK(f.broker.count("/api/auth/login") == 6);
}

TEST_CASE("a wrong TOTP code typed at the prompt asks for the code again, not the password") {
  NextermFixture f;
  f.broker.add_nexterm_account("tess", "tess-password", true);
  const std::string code = f.align_totp("tess", 2, false);
  const std::string wrong = code == "123456" ? "654321" : "123456";
  auto run = run_on_pty(
      {"login", "--host", f.broker.url(), "-u", "tess"}, f.env,
      {{"Password for", "tess-password"}, {"TOTP code for", wrong}, {"TOTP code for", code}});
  CHECK_MESSAGE(run.exit_code == 0, run.screen);
  CHECK(count_of(run.screen, "Password for") == 1);
  CHECK(count_of(run.screen, "TOTP code for") == 2);
  CHECK_MESSAGE(contains(run.screen, "the TOTP code was refused by " + f.host() +
                                         " (server: Your provided code is invalid or has "
                                         "expired): type the current code"),
                run.screen);
  CHECK(f.broker.count("/api/auth/login") == 3);  // 202, 203, then the token
}

TEST_CASE("a request slower than a second shows Connecting to HOST, erased when it ends") {
  NeuronFixture f;
  write_file(f.tmp.file("pw"), std::string(kPassword) + "\n");
  const std::string authority = f.broker.url().substr(7);
  const std::vector<std::string> login{"login",         "--host", f.broker.url(), "-u",
                                       kUser,           "--kind", "neuron",       "--password-file",
                                       f.tmp.file("pw")};
  auto quick = run_on_pty(login, f.env, {});
  CHECK_MESSAGE(quick.exit_code == 0, quick.screen);
  CHECK_FALSE(contains(quick.screen, "Connecting to"));

  f.broker.set_latency_ms(1600);
  auto slow = run_on_pty(login, f.env, {});
  CHECK_MESSAGE(slow.exit_code == 0, slow.screen);
  const size_t shown = slow.screen.find("Connecting to " + authority);
  REQUIRE(shown != std::string::npos);
  const size_t erased = slow.screen.find("\r\x1b[K", shown);
  CHECK(erased != std::string::npos);
  CHECK(slow.screen.find("Logged in to") > erased);

  std::vector<std::string> json{"--json"};
  json.insert(json.end(), login.begin(), login.end());
  auto quiet = run_on_pty(json, f.env, {});
  CHECK_MESSAGE(quiet.exit_code == 0, quiet.screen);
  CHECK_FALSE(contains(quiet.screen, "Connecting to"));
}

TEST_CASE("Ctrl-C while Connecting to HOST shows: the usual interrupted line, exit 130") {
  NeuronFixture f;
  write_file(f.tmp.file("pw"), std::string(kPassword) + "\n");
  f.broker.set_latency_ms(8000);
  const auto started = std::chrono::steady_clock::now();
  auto run = run_on_pty({"login", "--host", f.broker.url(), "-u", kUser, "--kind", "neuron",
                         "--password-file", f.tmp.file("pw")},
                        f.env, {{"Connecting to", "\x03"}});
  CHECK(run.exit_code == 130);
  CHECK(contains(run.screen, "authctl: interrupted"));
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(6));
  CHECK_FALSE(contains(run.screen, "Logged in"));
}

TEST_CASE("sessions kill on a terminal: the table, \"About to kill N\", and no kills nothing") {
  NextermFixture f;
  REQUIRE(f.login().exit_code == 0);
  f.broker.nexterm_session(kAdmin, "first laptop", "10.0.0.1", f.broker.now() - 600);
  f.broker.nexterm_session(kAdmin, "second laptop", "10.0.0.2", f.broker.now() - 900);
  auto no = run_on_pty({"sessions", "kill", "--others"}, f.env, "[y/N] ", "n");
  CHECK(no.exit_code == 1);
  CHECK(contains(no.screen, "About to kill 2 sessions:"));
  CHECK(contains(no.screen, "  ID "));
  CHECK(contains(no.screen, "USER AGENT"));
  CHECK(contains(no.screen, "first laptop"));
  CHECK(contains(no.screen, "nothing killed"));
  CHECK(f.broker.nexterm_sessions(kAdmin).size() == 3);

  auto all = run_on_pty({"sessions", "kill", "--idle-for", "0s"}, f.env, "[y/N] ", "yes");
  CHECK_MESSAGE(all.exit_code == 0, all.screen);
  CHECK(contains(all.screen, "About to kill 3 sessions:"));
  CHECK(contains(all.screen, "including this session (which logs out of admin@"));
  CHECK(contains(all.screen, "(the profile was removed)"));
  CHECK(f.broker.nexterm_sessions(kAdmin).empty());
  CHECK(f.store()["profiles"].empty());
}

TEST_CASE("login --qr on a terminal: the QR code by default, then a countdown spinner") {
  NeuronFixture f;
  f.broker.set_client_events_wait_ms(300);
  auto run = run_on_pty({"login", "--qr", "--host", f.broker.url(), "--wait", "2s"}, f.env,
                        "\x01never shown", "");
  CHECK(run.exit_code == 6);
  CHECK(contains(run.screen, "scan this QR code"));
  CHECK(contains(run.screen, "tagsign:localhost,"));
  CHECK(contains(run.screen, "\u2584"));                   // half blocks: the QR code is drawn
  CHECK(contains(run.screen, "Sign in the app \u00b7 "));  // what to do first, then the time
  CHECK(contains(run.screen, " left \u00b7 Ctrl-C to stop"));
  CHECK(contains(run.screen, "not signed within --wait 2s"));
}

TEST_CASE("passkey add on a terminal: the passphrase asked twice without echo; login asks it") {
  NextermFixture f;
  REQUIRE(f.login().exit_code == 0);
  const std::string phrase = "pty passphrase 42";
  auto differ = run_on_pty({"passkey", "add"}, f.env,
                           {{"Passphrase for the passkey", phrase}, {"again", "something else"}});
  CHECK(differ.exit_code == 2);
  CHECK(contains(differ.screen, "differ"));
  CHECK(f.broker.nexterm_passkeys(kAdmin).empty());

  auto add = run_on_pty({"passkey", "add"}, f.env,
                        {{"Passphrase for the passkey", phrase}, {"again", phrase}});
  CHECK_MESSAGE(add.exit_code == 0, add.screen);
  CHECK_FALSE(contains(add.screen, phrase));
  CHECK(contains(add.screen, "(encrypted)"));
  REQUIRE(f.run({"logout"}).exit_code == 0);

  auto login = run_on_pty({"login", "--passkey", "--host", f.broker.url()}, f.env,
                          {{"Passphrase for ", phrase}});
  CHECK_MESSAGE(login.exit_code == 0, login.screen);
  CHECK_FALSE(contains(login.screen, phrase));
  CHECK(contains(login.screen, "Logged in to"));
}

TEST_CASE("--help on a terminal is wrapped to its width (at most 100 columns)") {
  TempDir tmp;
  const std::map<std::string, std::string> env{{"AUTHCTL_CONFIG_DIR", tmp.path() + "/cfg"}};
  auto widest = [&](unsigned short columns) {
    const winsize size{40, columns, 0, 0};
    const PtyRun run = run_on_pty({"login", "--help"}, env, {}, &size);
    CHECK(run.exit_code == 0);
    CHECK(run.screen.find("EXAMPLES") != std::string::npos);
    size_t longest = 0;
    for (size_t at = 0, next; at < run.screen.size(); at = next + 2) {
      next = run.screen.find("\r\n", at);
      if (next == std::string::npos) next = run.screen.size();
      const std::string line = run.screen.substr(at, next - at);
      if (line.rfind("  $ ", 0) != 0)
        longest = std::max(longest, line.size());  // examples stay whole
    }
    return longest;
  };
  CHECK(widest(60) <= 60);
  const size_t wide = widest(140);
  CHECK(wide > 80);
  CHECK(wide <= 100);
}
