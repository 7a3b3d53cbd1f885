#include "net/sd_notify.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>

namespace authctl::net {

bool sd_notify_to(const std::string& address, const std::string& state) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (address.size() < 2 || address.size() >= sizeof addr.sun_path) return false;
  if (address[0] != '/' && address[0] != '@') return false;
  memcpy(addr.sun_path, address.data(), address.size());
  if (address[0] == '@') addr.sun_path[0] = '\0';  // an abstract socket
  const socklen_t length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + address.size());
  const int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  const ssize_t sent = sendto(fd, state.data(), state.size(), MSG_NOSIGNAL,
                              reinterpret_cast<const sockaddr*>(&addr), length);
  close(fd);
  return sent == static_cast<ssize_t>(state.size());
}

bool sd_notify(const std::string& state) {
  const char* address = getenv("NOTIFY_SOCKET");
  if (!address || !*address) return false;
  return sd_notify_to(address, state);
}

}  // namespace authctl::net
