// An owned file descriptor, closed when the object goes (ccache's Fd): the store never
// calls close() by hand, so no early return or exception can leak a descriptor or skip
// the close of one.
#pragma once

#include <unistd.h>

#include <cerrno>
#include <utility>

namespace authctl::store {

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(other.release()) {}
  Fd& operator=(Fd&& other) noexcept {
    reset(other.release());
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }

  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }

  // Gives the descriptor up without closing it.
  int release() { return std::exchange(fd_, -1); }

  // Closes the one held (if any) and holds `fd`. errno is kept: it usually tells what went
  // wrong just before, and the message is made after this.
  void reset(int fd = -1) {
    if (fd_ >= 0) {
      const int saved = errno;
      ::close(fd_);
      errno = saved;
    }
    fd_ = fd;
  }

  // Closes now and says whether close() succeeded (a file's last write error may show
  // only there); errno tells why not. Holds nothing afterwards either way.
  bool close() { return fd_ < 0 || ::close(release()) == 0; }

 private:
  int fd_ = -1;
};

}  // namespace authctl::store
