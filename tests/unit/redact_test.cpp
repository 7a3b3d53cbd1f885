#include <doctest/doctest.h>

#include "net/redact.hpp"

using namespace authctl::net;

TEST_CASE("secret header values are hidden, case-insensitively") {
  CHECK(redact_header_line("Authorization: Bearer eyJabc") == "Authorization: [REDACTED]");
  CHECK(redact_header_line("authorization: Basic YWxpY2U6cHc=") == "authorization: [REDACTED]");
  CHECK(redact_header_line("Set-Cookie: HttpSessionID=abc; Path=/") == "Set-Cookie: [REDACTED]");
  CHECK(redact_header_line("Cookie: a=b") == "Cookie: [REDACTED]");
  CHECK(redact_header_line("X-Api-Key: k") == "X-Api-Key: [REDACTED]");
  CHECK(redact_header_line("Content-Type: application/json") == "Content-Type: application/json");
  CHECK(redact_header_line("HTTP/1.1 200 OK") == "HTTP/1.1 200 OK");
}

TEST_CASE("JSON fields with secret names are hidden at any depth") {
  auto body = redact_body(
      R"({"userName":"alice","nonce":"n","signature":"sig","seconds":60,)"
      R"("jwt":"eyJ","nested":{"password":"pw","apiKey":"k","list":[{"token":"t"}]},"code":123456})");
  CHECK(body.find("sig\"") == std::string::npos);
  CHECK(body.find("eyJ") == std::string::npos);
  CHECK(body.find("pw") == std::string::npos);
  CHECK(body.find("\"t\"") == std::string::npos);
  CHECK(body.find("123456") == std::string::npos);
  CHECK(body.find("\"k\"") == std::string::npos);
  CHECK(body.find("alice") != std::string::npos);
  CHECK(body.find("\"seconds\":60") != std::string::npos);
}

TEST_CASE("URLs: secret query values, devicelink tokens and otpauth queries") {
  CHECK(redact_text("nexterm://devicelink?token=abc123&server=http://x") ==
        "nexterm://devicelink?token=[REDACTED]&server=http://x");
  CHECK(redact_text("see otpauth://totp/Nexterm:alice?secret=JBSWY3DP&issuer=Nexterm now") ==
        "see otpauth://totp/Nexterm:alice?[REDACTED] now");
  CHECK(redact_text("https://h/link?code=ABCD-EFGH") == "https://h/link?code=[REDACTED]");
  CHECK(redact_text("GET /x?page=2 HTTP/1.1") == "GET /x?page=2 HTTP/1.1");
  CHECK(redact_body("password=hunter2&user=bob") == "password=[REDACTED]&user=bob");
}

TEST_CASE("known secrets are scrubbed wherever they appear") {
  CHECK(scrub("Too many attempts for hunter22 at x", {"hunter22"}) ==
        "Too many attempts for [REDACTED] at x");
  CHECK(scrub("abc", {"ab"}) == "abc");  // too short to scrub safely
}

TEST_CASE("userinfo in URLs, JWTs and pairs in text that is not JSON") {
  CHECK(redact_text("* Uses proxy env variable https_proxy == 'http://bob:Pr0xy@proxy:3128'") ==
        "* Uses proxy env variable https_proxy == 'http://[REDACTED]@proxy:3128'");
  auto cut = redact_body(R"({"jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.sig", "expires": )");
  CHECK(cut.find("eyJ") == std::string::npos);
  CHECK(redact_body(R"({"password":"hunter2", "user":"bob")") ==
        R"({"password":"[REDACTED]", "user":"bob")");
  CHECK(redact_text("Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln") == "Bearer [REDACTED]");
}
