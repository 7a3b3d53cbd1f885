// exec --keep-fresh (issue 13, point 1): CMD gets AUTHCTL_TOKEN_FILE, a private file that is
// renewed while it runs, removed when it ends; when the token cannot be kept fresh the file
// goes and CMD runs on. Short tokens and moved clocks (keep_fresh_fixture.hpp).
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>

#include "keep_fresh_fixture.hpp"
#include "nexterm_fixture.hpp"
#include "pty_session.hpp"

using namespace e2e;

namespace {

struct ExecFixture : WatchFixture {
  std::string runtime = tmp.path() + "/xdg";
  std::string stop = tmp.path() + "/stop";

  ExecFixture() {
    std::filesystem::create_directory(runtime);
    chmod(runtime.c_str(), 0700);
    env["XDG_RUNTIME_DIR"] = runtime;
  }
  // CMD prints its file's path, then waits for the stop file (or the token file to go, with
  // `until_gone`) and exits with `code`.
  std::unique_ptr<Process> exec(const std::string& code = "0", bool until_gone = false) {
    const std::string wait = until_gone
                                 ? "while [ -e \"$AUTHCTL_TOKEN_FILE\" ]; do sleep 0.05; done"
                                 : "while [ ! -e " + stop + " ]; do sleep 0.05; done";
    return std::make_unique<Process>(
        Invocation{{"exec", "--keep-fresh", "--min-valid", "10s", "--", "sh", "-c",
                    "echo \"$AUTHCTL_TOKEN_FILE\"; " + wait + "; exit " + code},
                   env,
                   ""});
  }
};

}  // namespace

TEST_CASE(
    "exec --keep-fresh: a private file, renewed at a third of the lifetime, removed at the end") {
  ExecFixture f;
  REQUIRE(f.login({"--seconds", "60"}).exit_code == 0);
  auto p = f.exec("7");
  const std::string file = p->next_line();
  REQUIRE_MESSAGE(!file.empty(), p->err_so_far());
  CHECK(file.rfind(f.runtime + "/authctl/exec-", 0) == 0);
  CHECK(mode_of(f.runtime + "/authctl") == 0700);
  CHECK(mode_of(file) == 0600);
  CHECK(read_file(file) == f.stored_token());  // the token alone, no newline
  const std::string first = read_file(file);
  f.advance(41);  // 19 s left of 60: due (a third), asking for the profile's own 60 s
  CHECK(eventually([&] { return f.broker.count("/Agent/Account/Refresh") == 1; }));
  CHECK(
      eventually([&] { return read_file(file) == f.stored_token() && read_file(file) != first; }));
  write_file(f.stop, "");
  CHECK(p->wait().exit_code == 7);  // CMD's own code
  CHECK_FALSE(exists(file));
  CHECK(f.broker.count("/Agent/Account/Refresh") == 1);
}

TEST_CASE("exec --keep-fresh: the file goes when the token cannot be kept fresh; CMD runs on") {
  ExecFixture f;
  REQUIRE(f.login({"--seconds", "60"}).exit_code == 0);
  auto p = f.exec("5", /*until_gone=*/true);
  const std::string file = p->next_line();
  REQUIRE(exists(file));
  f.advance(120);  // expired, and no password to log in again
  auto r = p->wait();
  CHECK(r.exit_code == 5);  // CMD saw the file go and ended as it chose
  CHECK_FALSE(exists(file));
  CHECK(contains(r.err, "removed; the command runs on"));
}

TEST_CASE("exec --keep-fresh: --min-valid under half the lifetime; files of a killed authctl go") {
  ExecFixture f;
  REQUIRE(f.login({"--seconds", "60"}).exit_code == 0);
  auto wide = f.run({"exec", "--keep-fresh", "--", "true"});  // default 5m, 60 s tokens
  CHECK(wide.exit_code == 2);
  CHECK(contains(wide.err, "not under half the lifetime"));
  const std::string folder = f.runtime + "/authctl";
  std::filesystem::create_directories(folder);
  chmod(folder.c_str(), 0700);
  // A killed run's files (its lock held by no one) and a live run's (its lock held here).
  for (const std::string run : {"dead", "live"}) {
    write_file(folder + "/exec-" + run + ".lock", "");
    write_file(folder + "/exec-" + run + ".token", "old");
  }
  write_file(folder + "/exec-dead.token.tmp.AbC123", "old");
  const int held = open((folder + "/exec-live.lock").c_str(), O_RDONLY | O_CLOEXEC);
  REQUIRE(flock(held, LOCK_EX) == 0);
  symlink((f.tmp.path() + "/elsewhere").c_str(), (folder + "/exec-link.lock").c_str());
  auto r = f.run({"exec", "--keep-fresh", "--min-valid", "10s", "--", "true"});
  CHECK_MESSAGE(r.exit_code == 0, r.err);
  CHECK_FALSE(exists(folder + "/exec-dead.token"));
  CHECK_FALSE(exists(folder + "/exec-dead.token.tmp.AbC123"));
  CHECK_FALSE(exists(folder + "/exec-dead.lock"));
  CHECK(exists(folder + "/exec-live.token"));
  CHECK(exists(folder + "/exec-live.lock"));
  CHECK(exists(folder + "/exec-link.lock"));  // a link is never followed nor taken
  close(held);
  // Nothing of the run itself is left: only the live run's two files and the link.
  size_t left = 0;
  for (const auto& e : std::filesystem::directory_iterator(folder))
    left += e.path().filename().string().rfind("exec-", 0) == 0;
  CHECK(left == 3);
}

TEST_CASE("10 exec --keep-fresh and 10 token --watch on one profile: one Refresh per renewal") {
  ExecFixture f;
  REQUIRE(f.login({"--seconds", "60"}).exit_code == 0);
  std::vector<std::unique_ptr<Process>> execs, watchers;
  std::vector<std::string> files;
  for (int i = 0; i < 10; ++i) {
    execs.push_back(f.exec());
    files.push_back(execs.back()->next_line());
    const std::string sink = f.run_dir + "/sink" + std::to_string(i);
    watchers.push_back(f.watch({}, {}, sink));
    REQUIRE(!watchers.back()->next_line().empty());  // ready
    files.push_back(sink);
  }
  for (int renewal = 1; renewal <= 3; ++renewal) {
    const std::string before = f.stored_token();
    f.advance(41);
    CHECK(eventually([&] {
      if (f.stored_token() == before) return false;
      for (const auto& file : files)
        if (read_file(file) != f.stored_token()) return false;
      return true;
    }));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // a second refresh would be in
    CHECK(f.broker.count("/Agent/Account/Refresh") == renewal);
  }
  write_file(f.stop, "");
  for (auto& p : execs) CHECK(p->wait().exit_code == 0);
  for (auto& p : watchers) p->signal(SIGTERM);
  for (auto& p : watchers) CHECK(p->wait().exit_code == 0);
  CHECK(f.broker.count("/Agent/Account/Refresh") == 3);
  for (const auto& file : files) CHECK_FALSE(exists(file));  // each removed at its end
}

TEST_CASE("exec --keep-fresh on a Nexterm profile: the session token written once") {
  NextermFixture n;
  REQUIRE(n.login().exit_code == 0);
  const std::string runtime = n.tmp.path() + "/xdg";
  std::filesystem::create_directory(runtime);
  chmod(runtime.c_str(), 0700);
  auto r = n.run({"exec", "--keep-fresh", "--", "sh", "-c", "cat \"$AUTHCTL_TOKEN_FILE\""},
                 {{"XDG_RUNTIME_DIR", runtime}});
  CHECK_MESSAGE(r.exit_code == 0, r.err);
  CHECK(r.out == n.store()["profiles"][std::string(kAdmin) + "@" + n.host()]["token"]);
}

TEST_CASE("exec --keep-fresh on a terminal: one Ctrl-C is one SIGINT for CMD, the file goes") {
  ExecFixture f;
  REQUIRE(f.login({"--seconds", "60"}).exit_code == 0);
  PtySession pty({"exec", "--keep-fresh", "--min-valid", "10s", "--", "sh", "-c",
                  "n=0; trap 'n=$((n+1))' INT; echo \"ready $AUTHCTL_TOKEN_FILE\"; i=0; "
                  "while [ $i -lt 30 ]; do sleep 0.05; i=$((i+1)); done; echo \"got $n\"; exit 3"},
                 f.env, 80, 24);
  REQUIRE(pty.read_until("ready "));
  pty.type("\x03");
  CHECK(pty.wait() == 3);
  CHECK(contains(pty.screen(), "got 1"));
  const size_t at = pty.screen().find("ready ") + 6;
  const std::string file = pty.screen().substr(at, pty.screen().find_first_of("\r\n", at) - at);
  CHECK(file.rfind(f.runtime + "/authctl/exec-", 0) == 0);
  CHECK_FALSE(exists(file));
}

TEST_CASE(
    "exec --keep-fresh: a folder others can read is refused; no XDG_RUNTIME_DIR: the store's") {
  ExecFixture f;
  REQUIRE(f.login({"--seconds", "60"}).exit_code == 0);
  const std::string folder = f.runtime + "/authctl";
  std::filesystem::create_directories(folder);
  chmod(folder.c_str(), 0755);
  auto open = f.run({"exec", "--keep-fresh", "--min-valid", "10s", "--", "true"});
  CHECK(open.exit_code == 1);
  CHECK(contains(open.err, folder + " is not a private folder"));
  // XDG_RUNTIME_DIR set but missing (su, cron): run/ in the store folder, made 0700
  auto fallback = f.run({"exec", "--keep-fresh", "--min-valid", "10s", "--", "sh", "-c",
                         "echo \"$AUTHCTL_TOKEN_FILE\""},
                        {{"XDG_RUNTIME_DIR", f.tmp.path() + "/gone"}});
  CHECK_MESSAGE(fallback.exit_code == 0, fallback.err);
  CHECK(fallback.out.rfind(f.config_dir() + "/run/exec-", 0) == 0);
  CHECK(mode_of(f.config_dir() + "/run") == 0700);
}

TEST_CASE("exec --keep-fresh --password-file: an expired token is replaced by a new login") {
  ExecFixture f;
  REQUIRE(f.login({"--seconds", "60"}).exit_code == 0);
  write_file(f.tmp.file("pw"), std::string(kPassword) + "\n");
  auto p = std::make_unique<Process>(Invocation{
      {"exec", "--keep-fresh", "--min-valid", "10s", "--password-file", f.tmp.file("pw"), "--",
       "sh", "-c",
       "echo \"$AUTHCTL_TOKEN_FILE\"; while [ ! -e " + f.stop + " ]; do sleep 0.05; done"},
      f.env,
      ""});
  const std::string file = p->next_line();
  const std::string first = read_file(file);
  const int logins = f.broker.count("/Agent/Account/Login");
  f.advance(120);  // expired: no Refresh can help, the password can
  CHECK(eventually([&] { return f.broker.count("/Agent/Account/Login") == logins + 1; }));
  CHECK(
      eventually([&] { return read_file(file) == f.stored_token() && read_file(file) != first; }));
  write_file(f.stop, "");
  CHECK(p->wait().exit_code == 0);
  CHECK_FALSE(exists(file));
}
