#include <doctest/doctest.h>

#include "core/cookie.hpp"

using authctl::cookie::http_session_id;

TEST_CASE("the HttpSessionID cookie in the forms users have it") {
  CHECK(http_session_id("abc123") == "abc123");
  CHECK(http_session_id("abc123\n") == "abc123");
  CHECK(http_session_id("HttpSessionID=abc123") == "abc123");
  CHECK(http_session_id("HttpSessionID=abc123; Path=/; HttpOnly") == "abc123");
  CHECK(http_session_id("Cookie: lang=en; HttpSessionID=abc123") == "abc123");
  CHECK(http_session_id("Set-Cookie: HttpSessionID=abc123; Path=/; HttpOnly") == "abc123");
  CHECK(
      http_session_id("# Netscape HTTP Cookie File\n"
                      "#HttpOnly_neuron.example.com\tFALSE\t/\tTRUE\t0\tHttpSessionID\tabc123\n") ==
      "abc123");
  CHECK(http_session_id("neuron.example.com\tFALSE\t/\tTRUE\t0\tother\tx\n") == std::nullopt);
  CHECK(http_session_id("") == std::nullopt);
  CHECK(http_session_id("two words") == std::nullopt);
  CHECK(http_session_id("Cookie: lang=en") == std::nullopt);
}
