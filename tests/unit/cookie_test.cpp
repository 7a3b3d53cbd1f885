#include <doctest/doctest.h>

#include <string>

#include "core/cookie.hpp"

using authctl::cookie::http_session_id;

TEST_CASE("the HttpSessionID cookie in the forms users have it") {
  CHECK(http_session_id("abc123", "neuron.example.com") == "abc123");
  CHECK(http_session_id("abc123\n", "neuron.example.com") == "abc123");
  CHECK(http_session_id("HttpSessionID=abc123", "neuron.example.com") == "abc123");
  CHECK(http_session_id("HttpSessionID=abc123; Path=/; HttpOnly", "neuron.example.com") ==
        "abc123");
  CHECK(http_session_id("Cookie: lang=en; HttpSessionID=abc123", "neuron.example.com") == "abc123");
  CHECK(http_session_id("Set-Cookie: HttpSessionID=abc123; Path=/; HttpOnly",
                        "neuron.example.com") == "abc123");
  CHECK(http_session_id("# Netscape HTTP Cookie File\n"
                        "#HttpOnly_neuron.example.com\tFALSE\t/\tTRUE\t0\tHttpSessionID\tabc123\n",
                        "neuron.example.com") == "abc123");
  CHECK(http_session_id("neuron.example.com\tFALSE\t/\tTRUE\t0\tother\tx\n",
                        "neuron.example.com") == std::nullopt);
  CHECK(http_session_id("", "neuron.example.com") == std::nullopt);
  CHECK(http_session_id("two words", "neuron.example.com") == std::nullopt);
  CHECK(http_session_id("Cookie: lang=en", "neuron.example.com") == std::nullopt);
}

namespace {
std::string row(const std::string& domain, const std::string& flag, const std::string& value) {
  return domain + "\t" + flag + "\t/\tTRUE\t0\tHttpSessionID\t" + value + "\n";
}
}  // namespace

TEST_CASE("cookies.txt: only the --host's HttpSessionID counts, whatever comes first") {
  const std::string file =
      "# Netscape HTTP Cookie File\n" + row("evil.example.net", "FALSE", "theirs") + "#HttpOnly_" +
      row("other.example.com", "FALSE", "other") + row("neuron.example.com", "FALSE", "mine");
  CHECK(http_session_id(file, "neuron.example.com") == "mine");
  CHECK(http_session_id(file, "evil.example.net") == "theirs");
  CHECK(http_session_id(file, "NEURON.example.COM") == "mine");  // host names ignore case
  CHECK(http_session_id(file, "nowhere.example.org") == std::nullopt);
  // exact domain: no subdomains, no parents, no mere suffixes
  CHECK(http_session_id(row("example.com", "FALSE", "v"), "neuron.example.com") == std::nullopt);
  CHECK(http_session_id(row("neuron.example.com", "FALSE", "v"), "example.com") == std::nullopt);
  CHECK(http_session_id(row("ron.example.com", "FALSE", "v"), "neuron.example.com") ==
        std::nullopt);
  // leading dot or include-subdomains: the domain and every host within it
  CHECK(http_session_id(row(".example.com", "TRUE", "v"), "neuron.example.com") == "v");
  CHECK(http_session_id(row(".example.com", "FALSE", "v"), "example.com") == "v");
  CHECK(http_session_id(row("example.com", "TRUE", "v"), "a.b.example.com") == "v");
  CHECK(http_session_id(row(".example.com", "TRUE", "v"), "badexample.com") == std::nullopt);
  CHECK(http_session_id(row(".com", "TRUE", "v"), "neuron.example.org") == std::nullopt);
  CHECK(http_session_id(row("127.0.0.1", "FALSE", "v"), "127.0.0.1") == "v");
  CHECK(http_session_id(row("[::1]", "FALSE", "v"), "::1") == "v");
  CHECK(http_session_id(row("", "TRUE", "v"), "neuron.example.com") == std::nullopt);
}

TEST_CASE("the other forms do not depend on the host") {
  CHECK(http_session_id("abc123", "any.example") == "abc123");
  CHECK(http_session_id("HttpSessionID=abc123", "any.example") == "abc123");
  CHECK(http_session_id("Cookie: HttpSessionID=abc123", "any.example") == "abc123");
}

TEST_CASE("a value longer than a cookie may be (4096 bytes) is not taken") {
  CHECK(http_session_id(std::string(4096, 'a'), "h") == std::string(4096, 'a'));
  CHECK(http_session_id(std::string(4097, 'a'), "h") == std::nullopt);
  CHECK(http_session_id("HttpSessionID=" + std::string(5000, 'a'), "h") == std::nullopt);
}
