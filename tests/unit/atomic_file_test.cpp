#include <doctest/doctest.h>

#include <signal.h>

#include <filesystem>

#include "core/error.hpp"
#include "store/atomic_file.hpp"
#include "store/credentials.hpp"
#include "test_util.hpp"

using authctl::store::AtomicFile;
using namespace test_util;

TEST_CASE("commit replaces the target with a 0600 file and leaves no temp file") {
  TempDir dir;
  std::string target = dir.path() + "/f.json";
  spit(target, "old", 0600);
  {
    AtomicFile f(target);
    f.write("new content");
    CHECK(slurp(target) == "old");  // untouched until commit
    f.commit();
  }
  CHECK(slurp(target) == "new content");
  CHECK(mode_of(target) == 0600);
  CHECK(entries(dir.path()) == 1);
}

TEST_CASE("an uncommitted AtomicFile leaves the target as it was") {
  TempDir dir;
  std::string target = dir.path() + "/f.json";
  spit(target, "old", 0600);
  {
    AtomicFile f(target);
    f.write("half");
  }
  CHECK(slurp(target) == "old");
  CHECK(entries(dir.path()) == 1);
}

TEST_CASE("a folder that cannot be written gives an error, not a crash") {
  if (geteuid() == 0) return;  // root writes anywhere
  TempDir dir;
  chmod(dir.path().c_str(), 0500);
  CHECK_THROWS(AtomicFile(dir.path() + "/f.json"));
  chmod(dir.path().c_str(), 0700);
}

TEST_CASE("the temp file is NAME.tmp.XXXXXX, the pattern the store cleans up after a kill") {
  TempDir dir;
  const std::string target = dir.path() + "/credentials.json";
  AtomicFile f(target);
  std::string temp;
  for (auto& e : std::filesystem::directory_iterator(dir.path())) temp = e.path().filename();
  CHECK(authctl::store::is_temp_of(temp, "credentials.json"));
  CHECK(mode_of(dir.path() + "/" + temp) == 0600);
}

TEST_CASE("create_new: a new file appears whole, with mode 0600, and no temp file stays") {
  TempDir dir;
  const std::string target = dir.path() + "/key.json";
  {
    AtomicFile f(target, AtomicFile::Mode::create_new);
    f.write("the key");
    CHECK_FALSE(std::filesystem::exists(target));  // not under its name while half written
    f.commit();
  }
  CHECK(slurp(target) == "the key");
  CHECK(mode_of(target) == 0600);
  CHECK(entries(dir.path()) == 1);
}

TEST_CASE("create_new never replaces: an existing file stays, the error says so") {
  TempDir dir;
  const std::string target = dir.path() + "/key.json";
  spit(target, "first", 0600);
  std::string what;
  {
    AtomicFile f(target, AtomicFile::Mode::create_new);
    f.write("second");
    try {
      f.commit();
    } catch (const authctl::Error& e) {
      what = e.what();
    }
  }
  CHECK(what == target + " already exists");
  CHECK(slurp(target) == "first");
  CHECK(entries(dir.path()) == 1);  // the temp file went with the AtomicFile
  // The name taken between the temp file's making and the commit: the same.
  TempDir race;
  const std::string late = race.path() + "/key.json";
  AtomicFile f(late, AtomicFile::Mode::create_new);
  f.write("mine");
  spit(late, "theirs", 0600);
  CHECK_THROWS_AS(f.commit(), authctl::Error);
  CHECK(slurp(late) == "theirs");
}

TEST_CASE("an AtomicFile blocks SIGINT while its temp file exists, and gives the mask back") {
  sigset_t before;
  sigprocmask(SIG_SETMASK, nullptr, &before);
  REQUIRE_FALSE(sigismember(&before, SIGINT));
  TempDir dir;
  {
    AtomicFile f(dir.path() + "/f.json");
    sigset_t during;
    sigprocmask(SIG_SETMASK, nullptr, &during);
    CHECK(sigismember(&during, SIGINT));
    CHECK(sigismember(&during, SIGTERM));
  }
  sigset_t after;
  sigprocmask(SIG_SETMASK, nullptr, &after);
  CHECK_FALSE(sigismember(&after, SIGINT));
  // and when the constructor throws (no such folder)
  CHECK_THROWS(AtomicFile(dir.path() + "/missing/f.json"));
  sigprocmask(SIG_SETMASK, nullptr, &after);
  CHECK_FALSE(sigismember(&after, SIGINT));
}
