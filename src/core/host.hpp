// The --host argument: HOST, HOST:PORT or scheme://host[:port] (design.md, "Hosts").
#pragma once

#include <string>
#include <string_view>

namespace authctl {

struct HostSpec {
  std::string scheme;     // "https" or "http"
  std::string host;       // lower case; IPv6 without brackets
  int port = 0;           // the effective port
  bool loopback = false;  // localhost, 127.0.0.0/8, ::1
  // The authority sent in the Host header and signed by Neuron logins: "host" on the
  // scheme's default port, "host:port" otherwise ("[::1]:8080" for IPv6).
  std::string authority;
  std::string origin;  // scheme://authority, the profile's URL
};

// Parses and checks the scheme rules: no scheme means https; http only for loopback or with
// allow_http. Throws authctl::Error(usage) with a one-line fix on bad input.
HostSpec parse_host(std::string_view input, bool allow_http);

bool is_loopback_host(std::string_view host);

}  // namespace authctl
