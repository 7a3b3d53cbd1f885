// AtomicFile's create_new on a file system without renameat2(RENAME_NOREPLACE) (older NFS,
// some FUSE and overlay mounts answer EINVAL): it falls back to link(). The test binary
// interposes renameat2 (the store library is linked in statically, so its calls resolve
// here first) to refuse as such a file system does.
#include <dlfcn.h>
#include <doctest/doctest.h>
#include <stdio.h>

#include <cerrno>
#include <filesystem>

#include "core/error.hpp"
#include "store/atomic_file.hpp"
#include "test_util.hpp"

using authctl::store::AtomicFile;
using namespace test_util;

namespace {
int refuse_with = 0;  // 0: the real renameat2
int calls = 0;
}  // namespace

extern "C" int renameat2(int olddirfd, const char* oldpath, int newdirfd, const char* newpath,
                         unsigned int flags) {
  ++calls;
  if (refuse_with != 0) {
    errno = refuse_with;
    return -1;
  }
  using Real = int (*)(int, const char*, int, const char*, unsigned int);
  static const auto real = reinterpret_cast<Real>(dlsym(RTLD_NEXT, "renameat2"));
  return real(olddirfd, oldpath, newdirfd, newpath, flags);
}

TEST_CASE("without RENAME_NOREPLACE, create_new places the file with link() and no temp stays") {
  for (int refusal : {EINVAL, ENOSYS, ENOTSUP}) {
    TempDir dir;
    const std::string target = dir.path() + "/key.json";
    refuse_with = refusal;
    calls = 0;
    {
      AtomicFile f(target, AtomicFile::Mode::create_new);
      f.write("whole");
      f.commit();
    }
    refuse_with = 0;
    CHECK(calls == 1);  // the interposed renameat2 was asked, and refused
    CHECK(slurp(target) == "whole");
    CHECK(mode_of(target) == 0600);
    CHECK(entries(dir.path()) == 1);  // the temp name is gone
  }
}

TEST_CASE("without RENAME_NOREPLACE, create_new still never replaces an existing file") {
  TempDir dir;
  const std::string target = dir.path() + "/key.json";
  spit(target, "first", 0600);
  refuse_with = EINVAL;
  bool refused = false;
  try {
    AtomicFile f(target, AtomicFile::Mode::create_new);
    f.write("second");
    f.commit();
  } catch (const authctl::Error& e) {
    refused = e.reason() == authctl::Reason::file_exists;
  }
  refuse_with = 0;
  CHECK(refused);
  CHECK(slurp(target) == "first");
  CHECK(entries(dir.path()) == 1);  // the uncommitted temp file was removed
}
