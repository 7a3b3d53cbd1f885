#include "store/lock_file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <thread>

#include "core/error.hpp"
#include "store/file_checks.hpp"

namespace authctl::store {

LockFile::LockFile(const std::string& path, int timeout_ms) {
  fd_ = open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd_ < 0) {
    if (errno == ELOOP) refuse_symlink(path);
    throw_io("cannot open lock file", path);
  }
  struct stat st {};
  try {
    if (fstat(fd_, &st) != 0) throw_io("cannot stat", path);
    if (!S_ISREG(st.st_mode))
      throw Error(ExitCode::error, path + " is not a regular file",
                  "remove it; authctl recreates it");
    check_private(st, path, false);
  } catch (...) {
    close(fd_);
    fd_ = -1;
    throw;
  }
  // Poll with a non-blocking flock so the wait is bounded without signals.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  auto pause = std::chrono::milliseconds(2);
  while (flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      int saved = errno;
      close(fd_);
      fd_ = -1;
      errno = saved;
      throw_io("cannot lock", path);
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      close(fd_);
      fd_ = -1;
      throw Error(ExitCode::error,
                  "could not lock " + path + " within " + std::to_string(timeout_ms / 1000) + "s",
                  "another authctl is still running; retry, or find it with: fuser '" + path + "'");
    }
    std::this_thread::sleep_for(pause);
    if (pause < std::chrono::milliseconds(25)) pause *= 2;
  }
}

LockFile::~LockFile() {
  if (fd_ >= 0) close(fd_);  // closing releases the flock
}

}  // namespace authctl::store
