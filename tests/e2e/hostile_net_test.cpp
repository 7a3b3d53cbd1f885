// Hostile answers at the HTTP layer (issue 9, points 3 and 10): JSON nested 100,000 deep is
// a malformed answer (exit 1, nothing stored) for every command that reads an answer, and
// the -v trace survives huge and deep bodies (at most 64 KiB of each shown, then
// "[N more bytes]"), shows the integer error codes of answers but never a TOTP code,
// a password, a token or a session key.
#include <doctest/doctest.h>

#include <string>

#include "fixture.hpp"
#include "nexterm_fixture.hpp"

using namespace e2e;

namespace {

const std::string kDeep = std::string(100000, '[') + std::string(100000, ']');
constexpr size_t kShown = 64 * 1024;

testbroker::HostileAnswer deep_json() {
  testbroker::HostileAnswer edit;
  edit.set = {{"", kDeep}};  // the whole answer, still application/json
  return edit;
}

testbroker::HostileAnswer html_page(size_t bytes) {
  testbroker::HostileAnswer edit;
  const std::string open = "<html><body>", close = "</body></html>";
  edit.body = open + std::string(bytes - open.size() - close.size(), 'x') + close;
  edit.content_type = "text/html";
  edit.status = 500;
  return edit;
}

// The line of stderr that authctl's error is on ("authctl: WHAT: HINT").
std::string error_line(const Result& r) {
  const size_t at = r.err.rfind("authctl: ");
  if (at == std::string::npos) return {};
  return r.err.substr(at, r.err.find('\n', at) - at);
}

// A malformed answer: exit 1 with "unexpected answer" (not a crash, not "internal error").
void check_deep_refused(const Result& r) {
  CHECK_MESSAGE(r.exit_code == 1, r.err.substr(0, 2000));
  const std::string line = error_line(r);
  CHECK_MESSAGE(contains(line, "sent an unexpected answer: JSON nested deeper than 64 levels"),
                line);
  CHECK(contains(line, "is misbehaving; retry later or report it to its operator"));
  CHECK_FALSE(contains(r.err, "internal error"));
}

}  // namespace

TEST_CASE("Neuron whoami and whoami --json: a 100,000-deep Account/Info answer is refused") {
  NeuronFixture f;
  REQUIRE(f.login().exit_code == 0);
  const std::string before = read_file(f.store_path());
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"whoami"}, std::vector<std::string>{"whoami", "--json"},
        std::vector<std::string>{"-v", "whoami"}}) {
    f.broker.inject_hostile("/Agent/Account/Info", deep_json());
    const Result r = f.run(args);
    check_deep_refused(r);
    CHECK(read_file(f.store_path()) == before);
  }
  // the trace showed the deep body as text, cut at 64 KiB
  f.broker.inject_hostile("/Agent/Account/Info", deep_json());
  const Result traced = f.run({"-v", "whoami"});
  CHECK(contains(traced.err, "< [body] " + kDeep.substr(0, kShown) + " [" +
                                 std::to_string(kDeep.size() - kShown) + " more bytes]\n"));
  CHECK(f.run({"whoami"}).exit_code == 0);  // once only: the honest answer is fine
}

TEST_CASE("Nexterm whoami: a 100,000-deep /api/accounts/me answer is refused") {
  NextermFixture f;
  REQUIRE(f.login().exit_code == 0);
  const std::string before = read_file(f.store_path());
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"whoami"}, std::vector<std::string>{"whoami", "--json"},
        std::vector<std::string>{"-v", "whoami"}}) {
    f.broker.inject_hostile("/api/accounts/me", deep_json());
    check_deep_refused(f.run(args));
    CHECK(read_file(f.store_path()) == before);
  }
}

TEST_CASE("-v token with a refresh due: a 100,000-deep Refresh answer is refused, store kept") {
  NeuronFixture f;
  REQUIRE(f.login({"--seconds", "100"}).exit_code == 0);
  const std::string before = read_file(f.store_path());
  f.broker.inject_hostile("/Agent/Account/Refresh", deep_json());
  const Result r = f.run({"-v", "token", "--min-valid", "5m"});
  check_deep_refused(r);
  CHECK(f.broker.count("/Agent/Account/Refresh") == 1);
  CHECK(r.out.empty());
  CHECK(read_file(f.store_path()) == before);
  CHECK(contains(r.err, "[" + std::to_string(kDeep.size() - kShown) + " more bytes]"));
  CHECK_FALSE(contains(r.err, kPassword));
}

TEST_CASE("-v survives a 100 kB and a 1 MB HTML answer and shows 64 KiB of it") {
  for (size_t bytes : {size_t(100000), size_t(1024 * 1024)}) {
    NeuronFixture f;
    REQUIRE(f.login().exit_code == 0);
    const std::string before = read_file(f.store_path());
    const testbroker::HostileAnswer page = html_page(bytes);
    f.broker.inject_hostile("/Agent/Account/Info", page);
    const Result r = f.run({"-v", "whoami"});
    CHECK_MESSAGE(r.exit_code == 1, r.err.substr(0, 2000));
    CHECK_FALSE(contains(r.err, "internal error"));
    CHECK(contains(error_line(r), "HTTP 500"));
    const std::string shown = "< [body] " + page.body->substr(0, kShown) + " [" +
                              std::to_string(bytes - kShown) + " more bytes]\n";
    CHECK_MESSAGE(contains(r.err, shown), bytes);
    CHECK(read_file(f.store_path()) == before);
  }
}

TEST_CASE("-v Nexterm TOTP login: the answer's code 202 is shown, the TOTP code is not") {
  NextermFixture f;
  f.broker.add_nexterm_account("tess", "tess-password", true);
  const std::string code = f.align_totp("tess", 2, false);
  const Result r = f.login("tess", "tess-password", {"-v", "--totp-code", code});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(f.broker.count("/api/auth/login") == 2);  // without a code (202), then with it
  CHECK(contains(r.err, "< [body] {\"code\":202,"));
  CHECK(contains(r.err, "\"code\":\"[REDACTED]\""));  // in the second request
  CHECK_FALSE(contains(r.err, code));
  CHECK_FALSE(contains(r.err, "tess-password"));
  const std::string token = f.store()["profiles"]["tess@" + f.host()]["token"];
  CHECK_FALSE(contains(r.err, token));
  CHECK_FALSE(contains(r.err, token.substr(0, 16)));
}

TEST_CASE("-v hides fields of an answer named like session, sid or key") {
  NextermFixture f;
  REQUIRE(f.login().exit_code == 0);
  testbroker::HostileAnswer edit;
  edit.set = {{"/sessionKey", "\"sk-4f1e-very-secret\""},
              {"/sid", "\"sid-9a7c-very-secret\""},
              {"/signingKey", "\"key-77d2-very-secret\""}};
  f.broker.inject_hostile("/api/accounts/me", edit);
  const Result r = f.run({"-v", "whoami"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(contains(r.err, "\"sessionKey\":\"[REDACTED]\""));
  CHECK(contains(r.err, "\"sid\":\"[REDACTED]\""));
  CHECK(contains(r.err, "\"signingKey\":\"[REDACTED]\""));
  CHECK_FALSE(contains(r.err, "very-secret"));
  CHECK(contains(r.err, "\"username\":\"admin\""));  // the rest of the answer is shown
}
