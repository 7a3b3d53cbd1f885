#include <doctest/doctest.h>

#include "core/error.hpp"
#include "core/totp.hpp"

using namespace authctl::totp;

TEST_CASE("RFC 6238 appendix B vectors (SHA1)") {
  const std::string secret = "12345678901234567890";
  CHECK(code_at(secret, 59, 8) == "94287082");
  CHECK(code_at(secret, 1111111109, 8) == "07081804");
  CHECK(code_at(secret, 1111111111, 8) == "14050471");
  CHECK(code_at(secret, 1234567890, 8) == "89005924");
  CHECK(code_at(secret, 2000000000, 8) == "69279037");
  CHECK(code_at(secret, 20000000000, 8) == "65353130");
  // six digits, as Nexterm uses: leading zeros kept
  CHECK(code_at(secret, 1111111109) == "081804");
  CHECK(code_at(secret, 1234567890) == "005924");
}

TEST_CASE("base32 secrets") {
  // "12345678901234567890" in base32
  CHECK(base32_decode("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ") == std::string("12345678901234567890"));
  CHECK(base32_decode("gezd gnbv gy3t qojq gezd gnbv gy3t qojq") ==
        std::string("12345678901234567890"));
  CHECK(base32_decode("MZXW6===") == std::string("foo"));
  CHECK(base32_decode("MZXW1") == std::nullopt);  // 1 is not in the alphabet
}

TEST_CASE("seconds left in a step") {
  CHECK(seconds_left(0) == 30);
  CHECK(seconds_left(29) == 1);
  CHECK(seconds_left(31) == 29);
}

TEST_CASE("a TOTP secret from the user: base32 or an otpauth URL") {
  const std::string raw = "12345678901234567890";
  CHECK(secret_from_text("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ") == raw);
  CHECK(secret_from_text("otpauth://totp/Nexterm:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&"
                         "issuer=Nexterm") == raw);
  // secret= last: up to the end of the URL
  CHECK(secret_from_text("otpauth://totp/x?issuer=N&secret=MZXW6===") == std::string("foo"));
  CHECK(secret_from_text("otpauth://totp/x?secret=MZXW1") == std::nullopt);  // not base32
  CHECK(secret_from_text("") == std::nullopt);                               // decodes to nothing
  CHECK(secret_from_text(" = - ") == std::nullopt);  // only ignored characters
  CHECK(secret_from_text("not base32!") == std::nullopt);
}

TEST_CASE("an otpauth URL that holds no secret says so, not that it is not base32") {
  for (const char* url :
       {"otpauth://totp/x?issuer=N", "otpauth://totp/x?secret=&issuer=N", "otpauth://totp/x",
        "otpauth://totp/x?issuer=N&secret=", "otpauth://totp/x?mysecret=MZXW6===&issuer=N"}) {
    CAPTURE(url);
    try {
      secret_from_text(url);
      FAIL("no error");
    } catch (const authctl::Error& e) {
      CHECK(e.code() == authctl::ExitCode::usage);
      CHECK(std::string(e.what()).find("holds no secret") != std::string::npos);
      CHECK(std::string(e.what()).find("base32") == std::string::npos);
    }
  }
  // secret= anywhere in the query, not a parameter that only ends in it
  CHECK(secret_from_text("otpauth://totp/x?mysecret=AAAA&secret=MZXW6===") == std::string("foo"));
}
