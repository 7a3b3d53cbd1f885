#include <doctest/doctest.h>

#include <string>

#include "core/error.hpp"
#include "net/http.hpp"

using authctl::Error;
using authctl::ExitCode;
using authctl::Reason;
using authctl::net::Response;

namespace {
Response answer(std::string body, std::string type = "application/json; charset=utf-8") {
  Response r;
  r.status = 200;
  r.url = "https://broker.example/Agent/Account/Info";
  r.headers = {{"Content-Type", std::move(type)}};
  r.body = std::move(body);
  return r;
}

// The authctl::Error that json() throws (an empty message when it throws none).
Error json_error(const Response& r) {
  try {
    (void)r.json();
  } catch (const Error& e) {
    return e;
  }
  return Error(ExitCode::ok, "");
}

const std::string kDeep = std::string(100000, '[') + std::string(100000, ']');
}  // namespace

TEST_CASE("json(): an answer nested deeper than 64 levels is an unexpected answer (exit 1)") {
  const Error e = json_error(answer(kDeep));
  CHECK(e.code() == ExitCode::error);
  CHECK(std::string(e.what()) ==
        "broker.example sent an unexpected answer: JSON nested deeper than 64 levels");
  CHECK(e.reason() == Reason::misbehaving);  // the cli layer writes the hint
  CHECK(e.facts().subject == "broker.example");
  // 64 levels are fine
  CHECK(answer(std::string(64, '[') + std::string(64, ']')).json().is_array());
}

TEST_CASE("json(): malformed JSON keeps its message, a number out of range included") {
  for (const char* body : {"{\"a\":", "[1e999]", "nope"}) {
    const Error e = json_error(answer(body));
    CHECK_MESSAGE(e.code() == ExitCode::error, body);
    CHECK_MESSAGE(std::string(e.what()) == "broker.example answered malformed JSON (HTTP 200)",
                  body);
  }
  CHECK(answer(R"({"userName":"alice"})").json()["userName"] == "alice");
}

TEST_CASE("error_text(): a deep or broken JSON error body is summarised, never walked") {
  CHECK(answer(R"({"message":"Too many attempts"})").error_text() == "Too many attempts");
  CHECK(answer(kDeep).error_text() == "(application/json body)");
  CHECK(answer("[1e999]").error_text() == "(application/json body)");
}

TEST_CASE("a TLS error that means the server answered in plain HTTP") {
  using authctl::net::tls_error_means_plain_http;
  CHECK(tls_error_means_plain_http(
      "OpenSSL/3.0.19: error:0A00010B:SSL routines::wrong version number"));
  CHECK(
      tls_error_means_plain_http("error:1408F10B:SSL routines:ssl3_get_record:wrong version "
                                 "number"));
  CHECK(
      tls_error_means_plain_http("gnutls_handshake() failed: An unexpected TLS packet was "
                                 "received."));
  CHECK_FALSE(
      tls_error_means_plain_http("OpenSSL/3.0.19: error:0A000410:SSL routines::sslv3 "
                                 "alert handshake failure"));
  CHECK_FALSE(tls_error_means_plain_http(""));
}
