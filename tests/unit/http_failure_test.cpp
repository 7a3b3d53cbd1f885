// backends/http_failure: the one status mapping both servers' clients and the event channel
// share.
#include <doctest/doctest.h>

#include "backends/http_failure.hpp"

using namespace authctl;
using namespace authctl::backends;

TEST_CASE("status_meaning: one reading of each status class") {
  CHECK(status_meaning(301).reason == Reason::redirected);
  CHECK(status_meaning(308).code == ExitCode::error);
  CHECK(status_meaning(401).code == ExitCode::auth);
  CHECK(status_meaning(401).reason == Reason::session_ended);
  CHECK(status_meaning(403).reason == Reason::forbidden);
  CHECK(status_meaning(429).code == ExitCode::rate_limited);
  CHECK(status_meaning(500).reason == Reason::server_error);
  CHECK(status_meaning(503).code == ExitCode::error);
  CHECK(status_meaning(400).reason == Reason::request_refused);
  CHECK(status_meaning(404).reason == Reason::request_refused);
}

TEST_CASE("retry_after_seconds: digits only, at most 9 of them") {
  CHECK(retry_after_seconds("120") == 120);
  CHECK(retry_after_seconds("0") == 0);
  CHECK(!retry_after_seconds(""));
  CHECK(!retry_after_seconds("12345678901234567890"));
  CHECK(!retry_after_seconds("Wed, 21 Oct 2026 07:28:00 GMT"));
  CHECK(!retry_after_seconds("-5"));
}

TEST_CASE("throw_status: the message and facts of each class") {
  net::Response r;
  r.status = 302;
  r.headers.emplace_back("Location", "https://other.example/x");
  try {
    throw_status(r, r.status, "srv.example", "login", "moved");
  } catch (const Error& e) {
    CHECK(e.reason() == Reason::redirected);
    CHECK(e.facts().subject == "srv.example");
    CHECK(e.facts().detail == "https://other.example/x");
    CHECK(std::string(e.what()).find("a redirect to https://other.example/x") != std::string::npos);
  }
  r.headers = {{"Retry-After", "30"}};
  try {
    throw_status(r, 429, "srv.example", "login", "slow down.");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::rate_limited);
    CHECK(e.facts().seconds == 30);
    CHECK(std::string(e.what()) == "srv.example is rate limiting this client (server: slow down)");
  }
  r.status = 502;
  CHECK_THROWS_WITH_AS(throw_status(r, r.status, "srv.example", "refresh", "bad gateway"),
                       "refresh failed: srv.example answered HTTP 502 (server: bad gateway)",
                       Error);
  r.status = 403;
  CHECK_THROWS_WITH_AS(throw_status(r, r.status, "srv.example", "refresh", "no\nway"),
                       "refresh refused by srv.example (server: no way)", Error);
  // An HTML page has no words of its own: its media type says what came.
  r.status = 500;
  r.headers = {{"Content-Type", "text/html"}};
  r.body = "<html>oops</html>";
  CHECK_THROWS_WITH_AS(throw_status(r, r.status, "srv.example", "refresh", ""),
                       "refresh failed: srv.example answered HTTP 500 with text/html", Error);
}
