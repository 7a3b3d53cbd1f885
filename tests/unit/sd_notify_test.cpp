#include <doctest/doctest.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstring>
#include <string>

#include "net/sd_notify.hpp"
#include "test_util.hpp"

using authctl::net::sd_notify_to;

namespace {

// A datagram socket bound at `path`, as systemd listens on NOTIFY_SOCKET.
int listen_at(const std::string& path, bool abstract) {
  const int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  memcpy(addr.sun_path, path.data(), path.size());
  if (abstract) addr.sun_path[0] = '\0';
  const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size());
  REQUIRE(bind(fd, reinterpret_cast<const sockaddr*>(&addr), length) == 0);
  return fd;
}

std::string received(int fd) {
  char buffer[256];
  const ssize_t n = recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
  return n > 0 ? std::string(buffer, static_cast<size_t>(n)) : std::string();
}

}  // namespace

TEST_CASE("READY=1 reaches the socket NOTIFY_SOCKET names: a path or an abstract name") {
  test_util::TempDir dir;
  const std::string path = dir.path() + "/notify";
  const int fd = listen_at(path, false);
  CHECK(sd_notify_to(path, "READY=1"));
  CHECK(received(fd) == "READY=1");
  close(fd);
  const std::string abstract = "@authctl-test-" + std::to_string(getpid());
  const int afd = listen_at(abstract, true);
  CHECK(sd_notify_to(abstract, "READY=1"));
  CHECK(received(afd) == "READY=1");
  close(afd);
}

TEST_CASE("no listener, or an address that is not a socket's, is no error: nothing is sent") {
  test_util::TempDir dir;
  CHECK_FALSE(sd_notify_to(dir.path() + "/nobody", "READY=1"));
  CHECK_FALSE(sd_notify_to("", "READY=1"));
  CHECK_FALSE(sd_notify_to("relative", "READY=1"));
  CHECK_FALSE(sd_notify_to("/" + std::string(200, 'x'), "READY=1"));
}
