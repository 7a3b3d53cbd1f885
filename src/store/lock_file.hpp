// An exclusive flock(2) on a separate lock file, held for the object's lifetime (RAII).
// The lock file is never unlinked: removing it would let two processes hold "the" lock on
// different inodes (git's lockfile.c avoids the same race by never sharing a path).
#pragma once

#include <chrono>
#include <cstdint>
#include <random>
#include <string>

#include "store/fd.hpp"

namespace authctl::store {

// The pauses between attempts to take a held lock: the step doubles from 2 ms up to 25 ms,
// and each pause is drawn at random from the upper half of its step, so that processes
// that found the lock held at the same moment (parallel `token` calls near expiry) do not
// all try again in lockstep.
class LockBackoff {
 public:
  static constexpr std::chrono::microseconds kFirstStep{2000};
  static constexpr std::chrono::microseconds kLastStep{25000};

  explicit LockBackoff(uint32_t seed);
  std::chrono::microseconds next();

 private:
  std::chrono::microseconds step_ = kFirstStep;
  std::minstd_rand random_;
};

class LockFile {
 public:
  // Waits at most timeout_ms for the lock, then throws authctl::Error(error) naming the path.
  // The file is created 0600 if missing; a symlink, a file of another user or one that
  // others can read is refused.
  LockFile(const std::string& path, int timeout_ms);
  // The same for `name` in the checked folder `dir_fd` (openat, O_NOFOLLOW|O_NONBLOCK: a
  // FIFO, device or folder there is an error at once); `path` names it in messages.
  LockFile(int dir_fd, const std::string& name, const std::string& path, int timeout_ms);
  LockFile(const LockFile&) = delete;
  LockFile& operator=(const LockFile&) = delete;

 private:
  void wait_for_lock(const std::string& path, int timeout_ms);
  Fd fd_;  // closing it releases the flock
};

}  // namespace authctl::store
