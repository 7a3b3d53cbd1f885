#include <doctest/doctest.h>

#include <string>

#include "core/validate.hpp"

using namespace authctl::validate;

TEST_CASE("Neuron JWTs are three base64url parts") {
  CHECK(is_jwt("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln"));
  CHECK_FALSE(is_jwt(""));
  CHECK_FALSE(is_jwt("a.b"));
  CHECK_FALSE(is_jwt("a.b.c.d"));
  CHECK_FALSE(is_jwt("a..c"));
  CHECK_FALSE(is_jwt("a.b."));
  CHECK_FALSE(is_jwt("a.b.c\r\nX-Injected: 1"));
  CHECK_FALSE(is_jwt("a.b+/.c"));
  CHECK_FALSE(
      is_jwt(std::string(8000, 'a') + "." + std::string(8000, 'b') + "." + std::string(1000, 'c')));
}

TEST_CASE("Nexterm session tokens and API keys") {
  CHECK(is_session_token(std::string(96, 'a')));
  CHECK(is_session_token(std::string(48, '0') + std::string(48, 'F')));
  CHECK_FALSE(is_session_token(std::string(95, 'a')));
  CHECK_FALSE(is_session_token(std::string(94, 'a') + "\r\n"));
  CHECK_FALSE(is_session_token(std::string(96, 'g')));
  CHECK(is_api_key("nxt_" + std::string(64, 'b')));
  CHECK_FALSE(is_api_key("nxt_" + std::string(63, 'b')));
  CHECK_FALSE(is_api_key("nxx_" + std::string(64, 'b')));
  CHECK_FALSE(is_api_key("nxt_" + std::string(62, 'b') + "\r\n"));
}

TEST_CASE("cookie values are RFC 6265 cookie-octets") {
  CHECK(is_cookie_value("abc123"));
  CHECK(is_cookie_value("\"quoted\""));
  CHECK(is_cookie_value("a=b/c+d"));
  CHECK_FALSE(is_cookie_value(""));
  CHECK_FALSE(is_cookie_value("\"\""));
  CHECK_FALSE(is_cookie_value("a b"));
  CHECK_FALSE(is_cookie_value("a;b"));
  CHECK_FALSE(is_cookie_value("a,b"));
  CHECK_FALSE(is_cookie_value("a\\b"));
  CHECK_FALSE(is_cookie_value("a\r\nSet-Cookie: x=1"));
  CHECK_FALSE(is_cookie_value("caf\xc3\xa9"));
}

TEST_CASE("user names from a server") {
  CHECK(is_user_name("alice"));
  CHECK(is_user_name("bj\xc3\xb6rn"));
  CHECK(is_user_name("$(id>~/owned)"));  // allowed as a user; never reaches a shell
  CHECK(is_user_name(std::string(255, 'a')));
  CHECK_FALSE(is_user_name(std::string(256, 'a')));
  CHECK_FALSE(is_user_name(""));
  CHECK_FALSE(is_user_name("evil\x1b[2J"));
  CHECK_FALSE(is_user_name("a\r\nb"));
  CHECK_FALSE(is_user_name("\xc2\x9b"));
  CHECK_FALSE(is_user_name("\xff"));
}

TEST_CASE("profile names keep to their alphabet") {
  CHECK(is_profile_name("alice@127.0.0.1:8080"));
  CHECK(is_profile_name("admin@[::1]:6989"));
  CHECK(is_profile_name("ci+job_1.x-y%41"));
  CHECK_FALSE(is_profile_name(""));
  CHECK_FALSE(is_profile_name("$(id)"));
  CHECK_FALSE(is_profile_name("a b"));
  CHECK_FALSE(is_profile_name("bj\xc3\xb6rn"));
  CHECK_FALSE(is_profile_name("a/b"));
  CHECK_FALSE(is_profile_name(std::string(256, 'a')));
  CHECK(profile_name_part("bj\xc3\xb6rn") == "bj%C3%B6rn");
  CHECK(profile_name_part("$(id>~/owned)") == "%24%28id%3E%7E%2Fowned%29");
  CHECK(profile_name_part("100%") == "100%25");
  CHECK(profile_name_part("alice") == "alice");
  CHECK(is_profile_name(profile_name_part("\x1b]52;c;x\x07")));
}
