#include "store/lock_file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <thread>

#include "core/error.hpp"
#include "store/file_checks.hpp"

namespace authctl::store {

LockBackoff::LockBackoff(uint32_t seed) : random_(seed) {}

std::chrono::microseconds LockBackoff::next() {
  const int64_t step = step_.count();
  std::uniform_int_distribution<int64_t> upper_half(step / 2, step);
  const std::chrono::microseconds pause(upper_half(random_));
  step_ = std::min(step_ * 2, kLastStep);
  return pause;
}

LockFile::LockFile(const std::string& path, int timeout_ms) {
  std::string name;
  const Fd dir = open_parent(path, name);
  fd_ = open_private_at(dir.get(), name, path, O_RDWR | O_CREAT);
  if (!fd_) throw_io("cannot open lock file", path);
  wait_for_lock(path, timeout_ms);
}

LockFile::LockFile(int dir_fd, const std::string& name, const std::string& path, int timeout_ms)
    : fd_(open_private_at(dir_fd, name, path, O_RDWR | O_CREAT)) {
  if (!fd_) throw_io("cannot open lock file", path);
  wait_for_lock(path, timeout_ms);
}

void LockFile::wait_for_lock(const std::string& path, int timeout_ms) {
  // Poll with a non-blocking flock so the wait is bounded without signals.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  LockBackoff backoff(static_cast<uint32_t>(getpid()) ^
                      static_cast<uint32_t>(deadline.time_since_epoch().count()));
  while (flock(fd_.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) throw_io("cannot lock", path);
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline)
      throw Error(ExitCode::error,
                  "could not lock " + path + " within " + std::to_string(timeout_ms / 1000) + "s",
                  Reason::lock_timeout, ErrorFacts{path, {}, std::nullopt});
    std::this_thread::sleep_for(
        std::min<std::chrono::steady_clock::duration>(backoff.next(), deadline - now));
  }
}

}  // namespace authctl::store
