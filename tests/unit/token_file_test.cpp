#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>
#include <utime.h>

#include <filesystem>

#include "core/error.hpp"
#include "store/token_file.hpp"
#include "test_util.hpp"

using authctl::store::TokenFile;
using namespace test_util;

namespace {
ino_t inode_of(const std::string& path) {
  struct stat st {};
  stat(path.c_str(), &st);
  return st.st_ino;
}
}  // namespace

TEST_CASE("a token file holds the token alone, is replaced whole, and goes with its owner") {
  TempDir dir;
  chmod(dir.path().c_str(), 0700);
  const std::string path = dir.path() + "/token";
  {
    TokenFile file(path);
    CHECK_FALSE(std::filesystem::exists(path));  // nothing until the first write
    file.write("aaa.bbb.ccc");
    CHECK(slurp(path) == "aaa.bbb.ccc");  // no newline
    CHECK(mode_of(path) == 0600);
    const ino_t first = inode_of(path);
    file.write("ddd.eee.fff");
    CHECK(inode_of(path) != first);  // renamed over, not written in place
    CHECK(slurp(path) == "ddd.eee.fff");
    CHECK(entries(dir.path()) == 1);  // no temp file left
  }
  CHECK_FALSE(std::filesystem::exists(path));
}

TEST_CASE("a token file for a group reader gets 0640; remove() takes it away at once") {
  TempDir dir;
  chmod(dir.path().c_str(), 0750);
  const std::string path = dir.path() + "/token";
  TokenFile file(path, 0640);
  file.write("aaa.bbb.ccc");
  CHECK(mode_of(path) == 0640);
  file.remove();
  CHECK_FALSE(std::filesystem::exists(path));
  file.remove();  // twice is fine
  file.write("aaa.bbb.ccc");
  CHECK(std::filesystem::exists(path));
}

TEST_CASE("a token with a newline, a space or a control byte never reaches the file") {
  TempDir dir;
  chmod(dir.path().c_str(), 0700);
  const std::string path = dir.path() + "/token";
  TokenFile file(path);
  CHECK_THROWS_AS(file.write("aaa.bbb\n"), authctl::Error);
  CHECK_THROWS_AS(file.write("aaa bbb"), authctl::Error);
  CHECK_THROWS_AS(file.write(std::string("a\0b", 3)), authctl::Error);
  CHECK_THROWS_AS(file.write(""), authctl::Error);
  CHECK(entries(dir.path()) == 0);
}

TEST_CASE("the folder must be a real folder that no one else can write") {
  TempDir dir;
  chmod(dir.path().c_str(), 0700);
  const std::string open_dir = dir.path() + "/open";
  mkdir(open_dir.c_str(), 0700);
  chmod(open_dir.c_str(), 0777);
  CHECK_THROWS_WITH_AS(TokenFile(open_dir + "/token"), doctest::Contains("writable by other users"),
                       authctl::Error);
  chmod(open_dir.c_str(), 01777);  // sticky or not: another user could still plant a file
  CHECK_THROWS_AS(TokenFile(open_dir + "/token"), authctl::Error);
  const std::string real = dir.path() + "/real";
  mkdir(real.c_str(), 0700);
  const std::string link = dir.path() + "/link";
  REQUIRE(symlink(real.c_str(), link.c_str()) == 0);
  CHECK_THROWS_WITH_AS(TokenFile(link + "/token"), doctest::Contains("symbolic link"),
                       authctl::Error);
  CHECK_THROWS_AS(TokenFile(dir.path() + "/missing/token"), authctl::Error);
  CHECK_NOTHROW(TokenFile(real + "/token"));
}

TEST_CASE("temp files that a killed writer left are removed once they are old") {
  TempDir dir;
  chmod(dir.path().c_str(), 0700);
  const std::string stale = dir.path() + "/token.tmp.AbC123";
  const std::string fresh = dir.path() + "/token.tmp.XyZ789";
  const std::string other = dir.path() + "/other.tmp.AbC123";
  spit(stale, "old.token.x");
  spit(fresh, "new.token.x");
  spit(other, "old.token.x");
  struct utimbuf old_times {
    time(nullptr) - 600, time(nullptr) - 600
  };
  utime(stale.c_str(), &old_times);
  utime(other.c_str(), &old_times);
  TokenFile file(dir.path() + "/token");
  CHECK_FALSE(std::filesystem::exists(stale));
  CHECK(std::filesystem::exists(fresh));  // perhaps a live writer's, between write and rename
  CHECK(std::filesystem::exists(other));  // another file's
}
