// An exclusive flock(2) on a separate lock file, held for the object's lifetime (RAII).
// The lock file is never unlinked: removing it would let two processes hold "the" lock on
// different inodes (git's lockfile.c avoids the same race by never sharing a path).
#pragma once

#include <string>

namespace authctl::store {

class LockFile {
 public:
  // Waits at most timeout_ms for the lock, then throws authctl::Error(error) naming the path.
  // The file is created 0600 if missing; a symlink, a file of another user or one that
  // others can read is refused.
  LockFile(const std::string& path, int timeout_ms);
  ~LockFile();
  LockFile(const LockFile&) = delete;
  LockFile& operator=(const LockFile&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace authctl::store
