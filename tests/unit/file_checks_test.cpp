#include <doctest/doctest.h>
#include <sys/stat.h>

#include "store/file_checks.hpp"
#include "test_util.hpp"

using authctl::store::make_folders;
using namespace test_util;

TEST_CASE("make_folders: parents 0755, the private root and what is below it 0700") {
  TempDir tmp;
  const mode_t old_umask = umask(022);  // the modes asked for, as a usual umask leaves them
  const std::string store = tmp.path() + "/home/.config/authctl";
  make_folders(store + "/passkeys", store);
  CHECK(mode_of(tmp.path() + "/home") == 0755);
  CHECK(mode_of(tmp.path() + "/home/.config") == 0755);
  CHECK(mode_of(store) == 0700);
  CHECK(mode_of(store + "/passkeys") == 0700);
  umask(old_umask);
}

TEST_CASE("make_folders: a trailing slash on the root changes nothing; an existing folder stays") {
  TempDir tmp;
  const std::string store = tmp.path() + "/cfg";
  make_folders(store + "//", store + "//");
  CHECK(mode_of(store) == 0700);
  chmod(store.c_str(), 0750);  // not made again, not changed: open_private judges it on use
  make_folders(store, store);
  CHECK(mode_of(store) == 0750);
}

TEST_CASE("make_folders: a file in the way is an error naming it") {
  TempDir tmp;
  spit(tmp.path() + "/file", "x", 0600);
  CHECK_THROWS_WITH(make_folders(tmp.path() + "/file/sub", tmp.path() + "/file/sub"),
                    doctest::Contains("file/sub"));
}
