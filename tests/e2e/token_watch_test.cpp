// token --watch --sink FILE (issue 13, point 2): the sidecar that keeps a file holding a
// fresh token. Short tokens (login --seconds 60) and moved clocks make renewals happen in
// a test's time: the broker's clock (advance_clock) and authctl's (the test hook
// AUTHCTL_TEST_CLOCK_FILE) move together, and AUTHCTL_TEST_WAKE_MS makes authctl look at
// its clock every 50 ms instead of every 30 s.
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <memory>
#include <thread>

#include "keep_fresh_fixture.hpp"
#include "nexterm_fixture.hpp"

using namespace e2e;

namespace {

nlohmann::json event(Process& p) {
  const std::string line = p.next_line();
  REQUIRE_MESSAGE(!line.empty(), p.err_so_far());
  return nlohmann::json::parse(line);
}

}  // namespace

TEST_CASE("token --watch writes the sink, renews it at a third of the lifetime, SIGTERM ends it") {
  WatchFixture f;
  REQUIRE(f.login({"--seconds", "60"}).exit_code == 0);
  CHECK(f.store()["profiles"][f.profile_name()]["issued_at"] == f.broker.now());
  auto p = f.watch();
  auto ready = event(*p);
  CHECK(ready["event"] == "ready");
  CHECK(ready["profile"] == f.profile_name());
  CHECK(ready["expires_at"].is_string());
  CHECK(read_file(f.sink) == f.stored_token());  // the token alone, no newline
  CHECK(mode_of(f.sink) == 0600);
  CHECK(f.broker.count("/Agent/Account/Refresh") == 0);
  f.advance(35);  // 25 s left: more than max(10 s, 60 s / 3)
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(f.broker.count("/Agent/Account/Refresh") == 0);
  const std::string before = read_file(f.sink);
  f.advance(6);  // 19 s left: renewed, asking for the profile's own 60 s
  auto renewed = event(*p);
  CHECK(renewed["event"] == "renewed");
  CHECK(f.broker.count("/Agent/Account/Refresh") == 1);
  CHECK(read_file(f.sink) == f.stored_token());
  CHECK(read_file(f.sink) != before);
  const auto stored = f.store()["profiles"][f.profile_name()];
  CHECK(stored["expires"].get<int64_t>() - stored["issued_at"].get<int64_t>() == 60);
  p->signal(SIGTERM);
  auto r = p->wait();
  CHECK_MESSAGE(r.exit_code == 0, r.err);
  CHECK_FALSE(exists(f.sink));
  CHECK(std::filesystem::is_empty(f.run_dir));  // no temp file either
}

TEST_CASE("token --watch: SIGINT removes the file and exits 130; --sink-mode 0640") {
  WatchFixture f;
  REQUIRE(f.login({"--seconds", "60"}).exit_code == 0);
  chmod(f.run_dir.c_str(), 0750);
  auto p = f.watch({"--sink-mode", "0640"});
  CHECK(event(*p)["event"] == "ready");
  CHECK(mode_of(f.sink) == 0640);
  p->signal(SIGINT);
  CHECK(p->wait().exit_code == 130);
  CHECK_FALSE(exists(f.sink));
}

TEST_CASE("token --watch without --json prints nothing and is never the launcher's cache hit") {
  WatchFixture f;
  REQUIRE(f.login({"--seconds", "3600"}).exit_code == 0);
  Invocation inv{{"token", "--watch", "--sink", f.sink}, f.env, ""};
  Process p(inv);
  CHECK(eventually([&] { return exists(f.sink); }));
  CHECK(read_file(f.sink) == f.stored_token());
  p.signal(SIGTERM);
  auto r = p.wait();
  CHECK(r.exit_code == 0);
  CHECK(r.out.empty());  // the token never reaches stdout
  CHECK_FALSE(exists(f.sink));
}

TEST_CASE("token --watch usage: --min-valid under half the lifetime, --sink needed, modes") {
  WatchFixture f;
  REQUIRE(f.login({"--seconds", "60"}).exit_code == 0);
  auto half = f.run({"token", "--watch", "--sink", f.sink, "--min-valid", "30s"});
  CHECK(half.exit_code == 2);
  CHECK(contains(half.err, "not under half the lifetime"));
  auto defaulted = f.run({"token", "--watch", "--sink", f.sink});  // 5m against 60 s
  CHECK(defaulted.exit_code == 2);
  CHECK(f.run({"token", "--watch"}).exit_code == 2);
  CHECK(f.run({"token", "--sink", f.sink}).exit_code == 2);
  CHECK(f.run({"token", "--watch", "--sink", f.sink, "--min-valid", "10s", "--sink-mode", "0644"})
            .exit_code == 2);
  CHECK(f.run({"token", "--watch", "--sink", f.sink, "--min-valid", "10s", "--password-stdin"})
            .exit_code == 2);
  CHECK_FALSE(exists(f.sink));
  CHECK(f.broker.count("/Agent/Account/Refresh") == 0);
}

TEST_CASE("token --watch refuses a folder that others can write, or a symlinked one") {
  WatchFixture f;
  REQUIRE(f.login({"--seconds", "60"}).exit_code == 0);
  chmod(f.run_dir.c_str(), 0777);
  auto open = f.run({"token", "--watch", "--sink", f.sink, "--min-valid", "10s"});
  CHECK(open.exit_code == 1);
  CHECK(contains(open.err, "writable by other users"));
  chmod(f.run_dir.c_str(), 0700);
  const std::string link = f.tmp.path() + "/link";
  std::filesystem::create_directory_symlink(f.run_dir, link);
  auto linked = f.run({"token", "--watch", "--sink", link + "/token", "--min-valid", "10s"});
  CHECK(linked.exit_code == 1);
  CHECK(contains(linked.err, "symbolic link"));
  CHECK_FALSE(exists(f.sink));
}

TEST_CASE("token --watch reports READY=1 to NOTIFY_SOCKET after the first write") {
  WatchFixture f;
  REQUIRE(f.login({"--seconds", "60"}).exit_code == 0);
  const std::string socket_path = f.tmp.path() + "/notify";
  const int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  strncpy(addr.sun_path, socket_path.c_str(), sizeof addr.sun_path - 1);
  REQUIRE(bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0);
  auto p = f.watch({}, {{"NOTIFY_SOCKET", socket_path}});
  CHECK(event(*p)["event"] == "ready");
  char buffer[64] = {};
  CHECK(eventually([&] { return recv(fd, buffer, sizeof buffer - 1, MSG_DONTWAIT) > 0; }));
  CHECK(std::string(buffer) == "READY=1");
  CHECK(exists(f.sink));
  close(fd);
  p->signal(SIGTERM);
  CHECK(p->wait().exit_code == 0);
}

TEST_CASE(
    "token --watch fails closed: an expired token with no password removes the file, exit 4") {
  WatchFixture f;
  REQUIRE(f.login({"--seconds", "60"}).exit_code == 0);
  auto p = f.watch();
  CHECK(event(*p)["event"] == "ready");
  f.advance(120);  // a laptop that slept past expiry
  auto r = p->wait();
  CHECK(r.exit_code == 4);
  CHECK(contains(r.err, "has expired"));
  CHECK(count_of(r.err, "\n") == 1);  // one line says why
  CHECK_FALSE(exists(f.sink));
}

TEST_CASE("token --watch logs in again when a password is available without a prompt") {
  WatchFixture f;
  REQUIRE(f.login({"--seconds", "60"}).exit_code == 0);
  write_file(f.tmp.file("password"), std::string(kPassword) + "\n");
  auto p = f.watch({"--password-file", f.tmp.file("password")});
  CHECK(event(*p)["event"] == "ready");
  f.advance(120);
  CHECK(event(*p)["event"] == "renewed");
  CHECK(f.broker.count("/Agent/Account/Login") == 2);
  CHECK(f.broker.count("/Agent/Account/Refresh") == 0);  // an expired token cannot be refreshed
  CHECK(read_file(f.sink) == f.stored_token());
  p->signal(SIGTERM);
  CHECK(p->wait().exit_code == 0);
}

TEST_CASE("token --watch retries a renewal that failed for 5xx, with backoff") {
  WatchFixture f;
  REQUIRE(f.login({"--seconds", "60"}).exit_code == 0);
  auto p = f.watch();
  CHECK(event(*p)["event"] == "ready");
  // Refresh retries one 503 itself: two make one failed renewal.
  f.broker.inject_fault("/Agent/Account/Refresh", testbroker::Fault::service_unavailable, 2);
  f.advance(41);
  CHECK(p->wait_for_err("trying again in 1s"));
  CHECK(event(*p)["event"] == "renewed");  // a second later
  CHECK(f.broker.count("/Agent/Account/Refresh") == 3);
  CHECK(read_file(f.sink) == f.stored_token());
  p->signal(SIGTERM);
  CHECK(p->wait().exit_code == 0);
}

TEST_CASE("token --watch: a network outage until expiry removes the file at expiry, exit 3") {
  WatchFixture f;
  REQUIRE(f.login({"--seconds", "60"}).exit_code == 0);
  auto p = f.watch();
  CHECK(event(*p)["event"] == "ready");
  f.broker.inject_fault("/Agent/Account/Refresh", testbroker::Fault::drop_connection, 1000);
  f.advance(41);
  CHECK(p->wait_for_err("trying again in 1s"));
  CHECK(p->wait_for_err("trying again in 2s"));
  CHECK(exists(f.sink));  // still a valid token in it
  f.advance(20);          // expired now
  auto r = p->wait();
  CHECK(r.exit_code == 3);
  CHECK(contains(r.err, "expired while it could not be renewed"));
  CHECK_FALSE(exists(f.sink));
}

TEST_CASE("token --watch: a server answering 503 until expiry removes the file at expiry, exit 1") {
  WatchFixture f;
  REQUIRE(f.login({"--seconds", "60"}).exit_code == 0);
  auto p = f.watch();
  CHECK(event(*p)["event"] == "ready");
  f.broker.inject_fault("/Agent/Account/Refresh", testbroker::Fault::service_unavailable, 1000);
  f.advance(41);
  CHECK(p->wait_for_err("trying again in 1s"));
  CHECK(exists(f.sink));  // still a valid token in it
  f.advance(20);          // expired now: retrying on would leave an expired token in the file
  auto r = p->wait();
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, "expired while it could not be renewed"));
  CHECK_FALSE(exists(f.sink));
}

TEST_CASE("5 watchers of one profile through 2 renewals cause exactly 2 Refresh requests") {
  WatchFixture f;
  REQUIRE(f.login({"--seconds", "60"}).exit_code == 0);
  std::vector<std::unique_ptr<Process>> watchers;
  for (int i = 0; i < 5; ++i) {
    watchers.push_back(f.watch({}, {}, f.run_dir + "/token" + std::to_string(i)));
    CHECK(event(*watchers.back())["event"] == "ready");
  }
  for (int renewal = 1; renewal <= 2; ++renewal) {
    f.advance(41);
    for (auto& p : watchers) CHECK(event(*p)["event"] == "renewed");
    CHECK(f.broker.count("/Agent/Account/Refresh") == renewal);
    for (int i = 0; i < 5; ++i)
      CHECK(read_file(f.run_dir + "/token" + std::to_string(i)) == f.stored_token());
  }
  for (auto& p : watchers) p->signal(SIGTERM);
  for (auto& p : watchers) CHECK(p->wait().exit_code == 0);
  CHECK(std::filesystem::is_empty(f.run_dir));
}

TEST_CASE("token --watch on a Nexterm profile writes the file once and keeps it to the end") {
  NextermFixture f;
  REQUIRE(f.login().exit_code == 0);
  const std::string dir = f.tmp.path() + "/run";
  std::filesystem::create_directory(dir);
  chmod(dir.c_str(), 0700);
  Process p(f.invocation({"token", "--watch", "--sink", dir + "/token", "--json"}));
  const std::string line = p.next_line();
  REQUIRE_MESSAGE(!line.empty(), p.err_so_far());
  auto ready = nlohmann::json::parse(line);
  CHECK(ready["event"] == "ready");
  CHECK(ready["expires_at"].is_null());
  CHECK(read_file(dir + "/token") == f.store()["profiles"].begin().value()["token"]);
  p.signal(SIGTERM);
  CHECK(p.wait().exit_code == 0);
  CHECK_FALSE(exists(dir + "/token"));
}
