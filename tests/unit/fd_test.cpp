#include <doctest/doctest.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "store/fd.hpp"

using authctl::store::Fd;

namespace {
// Whether `fd` is an open descriptor of this process.
bool is_open(int fd) {
  return fcntl(fd, F_GETFD) != -1;
}
}  // namespace

TEST_CASE("an Fd closes its descriptor when it goes, and an empty one is false") {
  int raw = -1;
  {
    Fd fd(open("/dev/null", O_RDONLY | O_CLOEXEC));
    raw = fd.get();
    REQUIRE(raw >= 0);
    CHECK(static_cast<bool>(fd));
    CHECK(is_open(raw));
  }
  CHECK_FALSE(is_open(raw));
  Fd none;
  CHECK_FALSE(static_cast<bool>(none));
  CHECK(none.get() == -1);
  CHECK(Fd(-1).get() == -1);
}

TEST_CASE("moving an Fd hands the descriptor over: closed once, by the last owner") {
  Fd first(open("/dev/null", O_RDONLY | O_CLOEXEC));
  const int raw = first.get();
  Fd second(std::move(first));
  CHECK(first.get() == -1);
  CHECK(second.get() == raw);
  Fd third;
  third = std::move(second);
  CHECK(second.get() == -1);
  CHECK(is_open(raw));
  // Assigning over a held descriptor closes that one.
  Fd other(open("/dev/null", O_RDONLY | O_CLOEXEC));
  const int other_raw = other.get();
  third = std::move(other);
  CHECK_FALSE(is_open(raw));
  CHECK(third.get() == other_raw);
}

TEST_CASE("release gives the descriptor up unclosed; reset closes and keeps errno") {
  Fd fd(open("/dev/null", O_RDONLY | O_CLOEXEC));
  const int raw = fd.release();
  CHECK(fd.get() == -1);
  CHECK(is_open(raw));
  fd.reset(raw);
  CHECK(fd.get() == raw);
  errno = ENOSPC;  // what a failed write just said, read after the clean-up
  fd.reset();
  CHECK(errno == ENOSPC);
  CHECK_FALSE(is_open(raw));
}

TEST_CASE("close reports close()'s result and leaves nothing held") {
  Fd fd(open("/dev/null", O_RDONLY | O_CLOEXEC));
  const int raw = fd.get();
  CHECK(fd.close());
  CHECK(fd.get() == -1);
  CHECK_FALSE(is_open(raw));
  CHECK(fd.close());  // nothing held: nothing to fail
  // A descriptor closed behind the Fd's back: close() fails with EBADF.
  int pipe_fds[2];
  REQUIRE(pipe(pipe_fds) == 0);
  ::close(pipe_fds[1]);
  Fd stale(pipe_fds[1]);
  CHECK_FALSE(stale.close());
  CHECK(errno == EBADF);
  ::close(pipe_fds[0]);
}
