#include <doctest/doctest.h>

#include <string>

#include "core/crypto.hpp"
#include "core/jwt.hpp"

using authctl::jwt::decode_claims;

TEST_CASE("claims are decoded from the payload segment") {
  // {"alg":"HS256","typ":"JWT"} . {"sub":"alice","exp":1795346531,"iss":"https://x"} . sig
  const char* token =
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
      "eyJzdWIiOiJhbGljZSIsImV4cCI6MTc5NTM0NjUzMSwiaXNzIjoiaHR0cHM6Ly94In0."
      "c2lnbmF0dXJl";
  auto claims = decode_claims(token);
  REQUIRE(claims);
  CHECK((*claims)["sub"] == "alice");
  CHECK((*claims)["exp"] == 1795346531);
  CHECK((*claims)["iss"] == "https://x");
}

TEST_CASE("things that are not JWTs") {
  CHECK_FALSE(decode_claims("nxt_abcdef"));
  CHECK_FALSE(decode_claims("a.b"));
  CHECK_FALSE(decode_claims("a.b.c.d"));
  CHECK_FALSE(decode_claims("eyJhbGciOiJIUzI1NiJ9.!!!.sig"));
  CHECK_FALSE(decode_claims("eyJhbGciOiJIUzI1NiJ9.WzFd.sig"));  // payload [1]: not an object
}

TEST_CASE("a payload nested deeper than 64 levels is no JWT (decoded without building it)") {
  auto encode = [](const std::string& json) { return authctl::crypto::base64url_encode(json); };
  const std::string deep = "{\"a\":" + std::string(100000, '[') + std::string(100000, ']') + "}";
  CHECK_FALSE(decode_claims("eyJhbGciOiJIUzI1NiJ9." + encode(deep) + ".sig"));
  std::string within = "{\"a\":" + std::string(62, '[') + std::string(62, ']') + "}";
  CHECK(decode_claims("eyJhbGciOiJIUzI1NiJ9." + encode(within) + ".sig"));
  std::string beyond = "{\"a\":" + std::string(64, '[') + std::string(64, ']') + "}";
  CHECK_FALSE(decode_claims("eyJhbGciOiJIUzI1NiJ9." + encode(beyond) + ".sig"));
}
