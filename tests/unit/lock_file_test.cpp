#include <doctest/doctest.h>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <set>
#include <vector>

#include "core/error.hpp"
#include "store/lock_file.hpp"
#include "test_util.hpp"

using authctl::Error;
using authctl::store::LockBackoff;
using authctl::store::LockFile;
using namespace test_util;

TEST_CASE("a second holder waits, then gives up with an error naming the lock") {
  TempDir dir;
  std::string path = dir.path() + "/x.lock";
  LockFile held(path, 1000);
  CHECK(mode_of(path) == 0600);
  // flock locks belong to the open file description: another process must contend.
  pid_t child = fork();
  if (child == 0) {
    auto start = std::chrono::steady_clock::now();
    try {
      LockFile second(path, 300);
      _exit(10);  // got a lock that is held: wrong
    } catch (const Error& e) {
      auto waited = std::chrono::steady_clock::now() - start;
      bool names = std::string(e.what()).find(path) != std::string::npos;
      _exit(waited >= std::chrono::milliseconds(250) && names ? 0 : 11);
    }
  }
  int status = 0;
  waitpid(child, &status, 0);
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("the lock is free again once the holder is gone") {
  TempDir dir;
  std::string path = dir.path() + "/x.lock";
  { LockFile first(path, 1000); }
  pid_t child = fork();
  if (child == 0) {
    try {
      LockFile second(path, 100);
      _exit(0);
    } catch (...) {
      _exit(1);
    }
  }
  int status = 0;
  waitpid(child, &status, 0);
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("a lock file behind a symlink or open to others is refused") {
  TempDir dir;
  std::string real = dir.path() + "/real.lock", link = dir.path() + "/link.lock";
  spit(real, "", 0600);
  symlink(real.c_str(), link.c_str());
  CHECK_THROWS_AS(LockFile(link, 100), Error);
  spit(real, "", 0644);
  CHECK_THROWS_AS(LockFile(real, 100), Error);
}

TEST_CASE("a FIFO or a folder where the lock file should be is an error at once, not a hang") {
  TempDir dir;
  const std::string fifo = dir.path() + "/fifo.lock", folder = dir.path() + "/dir.lock";
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  REQUIRE(mkdir(folder.c_str(), 0700) == 0);
  const auto start = std::chrono::steady_clock::now();
  for (const std::string& path : {fifo, folder}) {
    std::string what;
    try {
      LockFile lock(path, 5000);
    } catch (const Error& e) {
      what = e.what();
    }
    CHECK_MESSAGE(what.find("not a regular file") != std::string::npos, what);
  }
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(1));
}

TEST_CASE("the backoff doubles from 2 ms to 25 ms, each pause in the upper half of its step") {
  using std::chrono::microseconds;
  for (uint32_t seed : {1u, 2u, 12345u, 0xdeadbeefu}) {
    CAPTURE(seed);
    LockBackoff backoff(seed);
    microseconds step = LockBackoff::kFirstStep;
    for (int i = 0; i < 40; ++i) {
      CAPTURE(i);
      const microseconds pause = backoff.next();
      CHECK(pause >= step / 2);
      CHECK(pause <= step);
      CHECK(pause <= microseconds(25000));
      step = std::min(step * 2, LockBackoff::kLastStep);
    }
  }
}

TEST_CASE("the backoff is jittered: pauses differ, and so do two waiters' sequences") {
  LockBackoff a(1), b(2);
  std::set<int64_t> seen_a;
  bool differ = false;
  for (int i = 0; i < 40; ++i) {
    const auto pa = a.next(), pb = b.next();
    if (i >= 4) seen_a.insert(pa.count());  // all at the 25 ms step from here
    differ = differ || pa != pb;
  }
  CHECK(seen_a.size() > 10);  // not one fixed pause
  CHECK(differ);
}

TEST_CASE("waiters for the same lock all get it, one after another") {
  TempDir dir;
  const std::string path = dir.path() + "/x.lock", log = dir.path() + "/log";
  const int failed = failed_children(6, [&](int) {
    LockFile lock(path, 10000);
    FILE* out = fopen(log.c_str(), "a");
    fprintf(out, "in\n");
    fflush(out);
    usleep(20000);  // held while the others back off
    fprintf(out, "out\n");
    fclose(out);
  });
  CHECK(failed == 0);
  std::string expected;
  for (int i = 0; i < 6; ++i) expected += "in\nout\n";
  CHECK(slurp(log) == expected);  // never two holders at once
}
