#include <doctest/doctest.h>

#include <chrono>

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

TEST_CASE("session, sid and key names are hidden too; words merely containing sid are not") {
  auto body = redact_body(
      R"({"sessionKey":"s1","sid":"s2","connect.sid":"s3","userSid":"s4","PHPSESSID":"s5",)"
      R"("privateKey":"s6","key":"s7","inside":"shown","side":"shown2"})");
  for (const char* hidden : {"s1", "s2", "s3", "s4", "s5", "s6", "s7"})
    CHECK_MESSAGE(body.find(std::string("\"") + hidden + "\"") == std::string::npos, hidden);
  CHECK(body.find("\"shown\"") != std::string::npos);
  CHECK(body.find("\"shown2\"") != std::string::npos);
  CHECK(redact_header_line("X-Session-Id: 42") == "X-Session-Id: [REDACTED]");
  CHECK(redact_text("/x?sid=abc&key=def&page=2") == "/x?sid=[REDACTED]&key=[REDACTED]&page=2");
  CHECK(redact_text(R"(not json "sessionToken": "abc", "sid":"def")") ==
        R"(not json "sessionToken": "[REDACTED]", "sid":"[REDACTED]")");
}

TEST_CASE("integer codes: shown in answers (error codes), hidden in requests (TOTP codes)") {
  CHECK(redact_body(R"({"code":202,"message":"TOTP is required"})", Direction::response) ==
        R"({"code":202,"message":"TOTP is required"})");
  CHECK(redact_body(R"({"code":429})", Direction::response) == R"({"code":429})");
  CHECK(redact_body(R"({"code":123456,"username":"alice"})", Direction::request) ==
        R"({"code":"[REDACTED]","username":"alice"})");
  CHECK(redact_body(R"({"code":123456})") == R"({"code":"[REDACTED]"})");  // request by default
  // a device user code is a string: hidden both ways
  CHECK(redact_body(R"({"code":"ABCD-EFGH"})", Direction::response) == R"({"code":"[REDACTED]"})");
  CHECK(redact_body(R"({"code":"ABCD-EFGH"})", Direction::request) == R"({"code":"[REDACTED]"})");
  // only a member named code itself: a totpCode is a secret in an answer too
  CHECK(redact_body(R"({"totpCode":123456})", Direction::response) ==
        R"({"totpCode":"[REDACTED]"})");
}

namespace {
// Runs `f` and says whether it took less than `limit` (a quadratic scanner on 1 MB would
// take minutes; the old regex scanners overflowed the stack at about 100 kB).
template <typename F>
bool quick(F f, std::chrono::milliseconds limit = std::chrono::milliseconds(5000)) {
  const auto start = std::chrono::steady_clock::now();
  f();
  return std::chrono::steady_clock::now() - start < limit;
}

std::string repeated(std::string_view piece, size_t bytes) {
  std::string out;
  while (out.size() < bytes) out += piece;
  return out;
}
}  // namespace

TEST_CASE("1 MB inputs of every shape the scanners look for are redacted quickly") {
  const size_t mb = 1024 * 1024;
  for (const char* piece : {"a", "\"", "eyJ", "eyJabcd", "eyJabcd.", "otpauth://", "otpauth://a?",
                            "://", "http://u:", "?a", "&token=", "\"token\":", "\"a\":\"",
                            "\"token\" : \"x\\", "[", " ", "\"\"", "a=b&"}) {
    const std::string input = repeated(piece, mb);
    std::string out;
    CHECK_MESSAGE(quick([&] { out = redact_text(input); }), piece);
    CHECK_MESSAGE(!out.empty(), piece);
    CHECK_MESSAGE(quick([&] { out = redact_body(input, Direction::response); }), piece);
  }
  // the shapes still match at the end of a long run
  CHECK(redact_text(repeated("x", mb) + "?token=abc") == repeated("x", mb) + "?token=[REDACTED]");
  CHECK(redact_text(std::string(mb, 'a') + " eyJabcd.efg") == std::string(mb, 'a') + " [REDACTED]");
}

TEST_CASE("JSON deeper than 64 levels is redacted as text, never walked") {
  const std::string deep = std::string(100000, '[') +
                           "\"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln\"" +
                           std::string(100000, ']');
  std::string out;
  CHECK(quick([&] { out = redact_body(deep, Direction::response); }));
  CHECK(out.find("eyJ") == std::string::npos);
  CHECK(out.size() == 200000 + 2 + std::string_view(kRedacted).size());
}

TEST_CASE("the trace shows at most 64 KiB of a body, then how many bytes it left out") {
  CHECK(trace_body("short body", Direction::response, {}) == "short body");
  const std::string html = "<html>" + std::string(100000 - 13, 'x') + "</html>";
  REQUIRE(html.size() == 100000);
  const std::string shown = trace_body(html, Direction::response, {});
  CHECK(shown == html.substr(0, kTraceBodyLimit) + " [34464 more bytes]");
  const std::string exact(kTraceBodyLimit, 'y');
  CHECK(trace_body(exact, Direction::response, {}) == exact);  // nothing left out: no note
  // control characters from a server never reach the terminal
  CHECK(trace_body("a\x1b]52;c;eA==\x07z", Direction::response, {}) == "a\\x1b]52;c;eA==\\x07z");
  // the cut never splits a UTF-8 character
  const std::string accents = std::string(kTraceBodyLimit - 1, 'a') + "\xc3\xa9" + "tail";
  CHECK(trace_body(accents, Direction::response, {}) ==
        std::string(kTraceBodyLimit - 1, 'a') + " [6 more bytes]");
}

TEST_CASE("a secret straddling the 64 KiB cut does not leak a piece of itself") {
  // a known secret (the password) across the cut, in text
  const std::string secret = "hunter2-is-my-password";
  const std::string text = std::string(kTraceBodyLimit - 5, 'p') + secret + " end";
  const std::string shown = trace_body(text, Direction::request, {secret});
  CHECK(shown.find("hunte") == std::string::npos);
  // a secret field of JSON across the cut: redacted in the whole document first
  const std::string pad(kTraceBodyLimit - 20, 'q');
  const std::string json =
      R"({"a":")" + pad + R"(","password":"correct-horse-battery","code":123456})";
  const std::string traced = trace_body(json, Direction::request, {});
  CHECK(traced.find("corr") == std::string::npos);
  CHECK(traced.find("1234") == std::string::npos);
  CHECK(traced.find("more bytes]") != std::string::npos);
  // a JWT across the cut in text that is not JSON
  const std::string jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJl";
  const std::string cut =
      trace_body(std::string(kTraceBodyLimit - 10, 'r') + " " + jwt, Direction::response, {});
  CHECK(cut.find("eyJhbG") == std::string::npos);
}

TEST_CASE("the credentials a request header carries are found for the client to remember") {
  using V = std::vector<std::string>;
  CHECK(header_credentials("Authorization", "Bearer eyJ.a.b") == V{"eyJ.a.b"});
  CHECK(header_credentials("authorization", "Basic dXNlcjpwdw==") == V{"dXNlcjpwdw=="});
  CHECK(header_credentials("AUTHORIZATION", "nxt_abc") == V{"nxt_abc"});  // no scheme
  CHECK(header_credentials("Cookie", "HttpSessionID=s3cr3t") == V{"s3cr3t"});
  CHECK(header_credentials("Cookie", "a=1; HttpSessionID=s3cr3t") == V{"1", "s3cr3t"});
  CHECK(header_credentials("Cookie", "flag") == V{});  // no value to hide
  // other headers carry none (their values are redacted by name where that applies)
  CHECK(header_credentials("Host", "broker.example:443").empty());
  CHECK(header_credentials("Content-Type", "application/json").empty());
}
