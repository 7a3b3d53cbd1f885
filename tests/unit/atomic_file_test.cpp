#include <doctest/doctest.h>

#include <filesystem>

#include "store/atomic_file.hpp"
#include "store/credentials.hpp"
#include "test_util.hpp"

using authctl::store::AtomicFile;
using namespace test_util;

namespace {
size_t entries(const std::string& dir) {
  size_t n = 0;
  for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator(dir)) ++n;
  return n;
}
}  // namespace

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
