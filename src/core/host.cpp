#include "core/host.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

#include "core/error.hpp"
#include "core/text.hpp"

namespace authctl {

namespace {

Error bad_host(std::string_view input, const std::string& why) {
  return Error(ExitCode::usage, "invalid host '" + std::string(input) + "': " + why,
               Reason::invalid_host, ErrorFacts{std::string(input), why, std::nullopt});
}

bool valid_hostname(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  return std::all_of(host.begin(), host.end(), [](char c) {
    return isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
  });
}

}  // namespace

bool is_loopback_host(std::string_view host) {
  std::string h(host);
  if (h == "localhost" || h == "::1") return true;
  if (h.size() > 10 && h.compare(h.size() - 10, 10, ".localhost") == 0) return true;
  in_addr addr{};
  if (inet_pton(AF_INET, h.c_str(), &addr) == 1) return (ntohl(addr.s_addr) >> 24) == 127;
  return false;
}

namespace {

// The host and port parts of an authority ("[::1]:8080", "name:443", "name").
struct Authority {
  std::string host;
  std::string port_text;
  bool explicit_port = false;
};

Authority split_bracketed(std::string_view input, const std::string& rest) {
  auto close = rest.find(']');
  if (close == std::string::npos) throw bad_host(input, "unclosed '['");
  Authority out;
  out.host = rest.substr(1, close - 1);
  in6_addr addr6{};
  // inet_pton reads a C string: without the alphabet check, "[::1<NUL> x]" would pass as
  // ::1 and carry the NUL and the space into the Host header and the stored URL.
  if (out.host.find_first_not_of("0123456789abcdef:.") != std::string::npos ||
      inet_pton(AF_INET6, out.host.c_str(), &addr6) != 1)
    throw bad_host(input, "not an IPv6 address in brackets");
  std::string after = rest.substr(close + 1);
  if (!after.empty()) {
    if (after.front() != ':') throw bad_host(input, "unexpected text after ']'");
    out.port_text = after.substr(1);
    out.explicit_port = true;
  }
  return out;
}

Authority split_plain(std::string_view input, std::string rest) {
  Authority out;
  auto colon = rest.rfind(':');
  if (colon != std::string::npos) {
    if (rest.find(':') != colon) throw bad_host(input, "put an IPv6 address in brackets");
    out.port_text = rest.substr(colon + 1);
    out.explicit_port = true;
    rest = rest.substr(0, colon);
  }
  if (!valid_hostname(rest)) throw bad_host(input, "not a host name or address");
  out.host = rest;
  return out;
}

int parse_port(std::string_view input, const Authority& authority, int default_port) {
  if (!authority.explicit_port) return default_port;
  const std::string& text = authority.port_text;
  if (text.empty() || text.size() > 5 || !std::all_of(text.begin(), text.end(), [](char c) {
        return isdigit(static_cast<unsigned char>(c));
      }))
    throw bad_host(input, "port must be a number 1..65535");
  int port = 0;  // at most five digits: no overflow
  for (char c : text) port = port * 10 + (c - '0');
  if (port < 1 || port > 65535) throw bad_host(input, "port must be 1..65535");
  return port;
}

// Only printable ASCII: a host name is ASCII, and a NUL or a line break must never reach
// inet_pton (which reads a C string), a Host header or the store.
void refuse_non_ascii(std::string_view input) {
  if (std::any_of(input.begin(), input.end(), [](char c) {
        return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f ||
               static_cast<unsigned char>(c) >= 0x80;
      }))
    throw bad_host(text::printable(input), "only printable ASCII is allowed");
}

}  // namespace

HostSpec parse_host(std::string_view input, bool allow_http) {
  refuse_non_ascii(input);
  std::string text(input);
  for (char& c : text) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  HostSpec spec;
  spec.scheme = "https";
  std::string rest = text;
  if (auto pos = text.find("://"); pos != std::string::npos) {
    spec.scheme = text.substr(0, pos);
    rest = text.substr(pos + 3);
    if (spec.scheme != "https" && spec.scheme != "http")
      throw bad_host(input, "scheme must be https or http");
  }
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  if (rest.find_first_of("/?#@") != std::string::npos)
    throw bad_host(input, "no path, query or user part allowed");
  const Authority authority = !rest.empty() && rest.front() == '[' ? split_bracketed(input, rest)
                                                                   : split_plain(input, rest);
  spec.host = authority.host;
  const int default_port = spec.scheme == "https" ? 443 : 80;
  spec.port = parse_port(input, authority, default_port);
  spec.loopback = is_loopback_host(spec.host);
  if (spec.scheme == "http" && !spec.loopback && !allow_http) {
    throw Error(ExitCode::usage,
                "plain http to " + spec.host + " would send credentials unencrypted",
                Reason::plain_http_refused);
  }
  const bool ipv6 = spec.host.find(':') != std::string::npos;
  spec.authority = ipv6 ? "[" + spec.host + "]" : spec.host;
  if (spec.port != default_port) spec.authority += ":" + std::to_string(spec.port);
  spec.origin = spec.scheme + "://" + spec.authority;
  return spec;
}

}  // namespace authctl
