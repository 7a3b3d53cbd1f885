#include <doctest/doctest.h>

#include <string>

#include "core/error.hpp"
#include "core/host.hpp"

using authctl::Error;
using authctl::ExitCode;
using authctl::parse_host;

TEST_CASE("no scheme means https on 443, authority without the default port") {
  auto h = parse_host("Neuron.Example.com", false);
  CHECK(h.scheme == "https");
  CHECK(h.host == "neuron.example.com");
  CHECK(h.port == 443);
  CHECK(h.authority == "neuron.example.com");
  CHECK(h.origin == "https://neuron.example.com");
  CHECK_FALSE(h.loopback);
}

TEST_CASE("a port is kept in the authority, as sent in Host and signed") {
  auto h = parse_host("localhost:8080", false);
  CHECK(h.authority == "localhost:8080");
  CHECK(h.origin == "https://localhost:8080");
  CHECK(parse_host("https://host:443", false).authority == "host");
  CHECK(parse_host("http://127.0.0.1:80/", false).authority == "127.0.0.1");
}

TEST_CASE("http is allowed for loopback only, unless --allow-http") {
  CHECK(parse_host("http://127.0.0.1:5000", false).loopback);
  CHECK(parse_host("http://127.9.9.9:5000", false).scheme == "http");
  CHECK(parse_host("http://localhost", false).origin == "http://localhost");
  auto v6 = parse_host("http://[::1]:5000", false);
  CHECK(v6.host == "::1");
  CHECK(v6.authority == "[::1]:5000");
  try {
    parse_host("http://neuron.example.com", false);
    FAIL("http to a remote host must be refused");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::usage);
    CHECK(e.reason() == authctl::Reason::plain_http_refused);  // the cli layer names --allow-http
  }
  CHECK(parse_host("http://neuron.example.com", true).scheme == "http");
}

TEST_CASE("malformed hosts are usage errors") {
  for (const char* bad : {"", "ftp://x", "https://x/path", "x:0", "x:70000", "x:abc", "[::1", "::1",
                          "a b", "user@host", "https://x?y"}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(parse_host(bad, true), Error);
  }
}

TEST_CASE("bytes outside printable ASCII are refused (a NUL in brackets once passed as ::)") {
  const std::string nul_in_brackets("http://[::\0junk]", 16);
  CHECK_THROWS_AS(parse_host(nul_in_brackets, true), Error);
  CHECK_THROWS_AS(parse_host("https://host\r\nX-Evil: 1", true), Error);
  CHECK_THROWS_AS(parse_host("bj\xc3\xb6rn.example", true), Error);
  CHECK_THROWS_AS(parse_host("host\x7f", true), Error);
  try {
    parse_host("ho\x1bst", true);
    FAIL("a control character must be refused");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find("ho\\x1bst") != std::string::npos);  // shown escaped
  }
}

TEST_CASE("an IPv6 literal is only hex digits, ':' and '.' (found by fuzz_host)") {
  // inet_pton stops at a NUL: what follows it would reach the Host header and the store.
  CHECK_THROWS_AS(parse_host(std::string("http://[::1\0 x]:8080", 20), true), Error);
  CHECK_THROWS_AS(parse_host("[::1 ]", true), Error);
  CHECK(parse_host("http://[::1]:8080", true).origin == "http://[::1]:8080");
  CHECK(parse_host("[::ffff:127.0.0.1]", true).host == "::ffff:127.0.0.1");
  CHECK(parse_host("x:08080", true).port == 8080);
}
