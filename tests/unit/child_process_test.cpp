// cli::ChildProcess: CMD started with its own environment, waited for with a timeout, and the
// signals sent to authctl itself passed on to it (real processes: /bin/sh).
#include <doctest/doctest.h>

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "cli/child_process.hpp"

using authctl::cli::ChildProcess;
using namespace std::chrono_literals;

namespace {

ChildProcess shell(const std::string& script, std::vector<std::string> env = {}) {
  return ChildProcess("/bin/sh", {"sh", "-c", script}, env);
}

}  // namespace

TEST_CASE("the exit code, or 128+N for a signal; a program that cannot start") {
  auto ok = shell("exit 3");
  REQUIRE(ok.started());
  CHECK(ok.wait() == 3);
  auto killed = shell("kill -USR1 $$");
  CHECK(killed.wait() == 128 + SIGUSR1);
  ChildProcess missing("/nonexistent/program", {"program"}, {});
  CHECK_FALSE(missing.started());
  CHECK(missing.error() == ENOENT);
  CHECK(missing.wait() == 127);
}

TEST_CASE("the environment is the one given, nothing of authctl's") {
  setenv("AUTHCTL_PASSWORD", "secret", 1);
  auto child =
      shell("[ \"$AUTHCTL_TOKEN\" = t ] && [ -z \"$AUTHCTL_PASSWORD\" ]", {"AUTHCTL_TOKEN=t"});
  CHECK(child.wait() == 0);
  unsetenv("AUTHCTL_PASSWORD");
}

TEST_CASE("wait_for times out while CMD runs, then gets its status") {
  auto child = shell("sleep 0.4; exit 5");
  const auto start = std::chrono::steady_clock::now();
  CHECK_FALSE(child.wait_for(100ms).has_value());
  CHECK(std::chrono::steady_clock::now() - start >= 100ms);
  CHECK(child.wait_for(5s) == 5);
  CHECK(child.wait_for(1ms) == 5);  // ended: the same answer again
}

TEST_CASE("a signal sent to authctl itself is passed on to CMD, once") {
  // CMD counts the TERMs it gets and exits with the count at the first USR2.
  auto child = shell(
      "n=0; trap 'n=$((n+1))' TERM; trap 'exit $n' USR2; "
      "while :; do sleep 0.05; done");
  REQUIRE(child.started());
  CHECK_FALSE(child.wait_for(200ms).has_value());  // its traps are set by then
  kill(getpid(), SIGTERM);                         // blocked here: taken by wait_for, passed on
  CHECK_FALSE(child.wait_for(300ms).has_value());
  kill(getpid(), SIGUSR2);
  CHECK(child.wait_for(5s) == 1);
}

TEST_CASE("the signal mask authctl had is CMD's again") {
  auto child = shell("kill -TERM $$; sleep 5; exit 0");  // TERM must not stay blocked in CMD
  CHECK(child.wait_for(4s) == 128 + SIGTERM);
}
