// systemd's readiness protocol (sd_notify(3)) without libsystemd: one datagram such as
// "READY=1" to the unix socket named by $NOTIFY_SOCKET (a path, or "@name" for an abstract
// socket). Outside systemd (no NOTIFY_SOCKET) nothing is sent.
#pragma once

#include <string>

namespace authctl::net {

// Sends `state` to $NOTIFY_SOCKET. Returns whether it was sent; false as well when the
// variable is unset or empty. Never throws: a service manager that does not listen must
// not stop the service.
bool sd_notify(const std::string& state);

// The same to the socket `address` (what NOTIFY_SOCKET holds).
bool sd_notify_to(const std::string& address, const std::string& state);

}  // namespace authctl::net
