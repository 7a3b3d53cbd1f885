// cli/login_method: the one way to log in that login's flags ask for, the flag
// combinations refused before anything is read or sent, the kind a password login expects,
// the TOTP code checks and the errors of a refused Nexterm login.
#include "cli/login_method.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace authctl;
using namespace authctl::cli;

namespace {

// The Error login_method throws for `flags` (exit code ok when it throws none).
Error refusal_of(const LoginFlags& flags) {
  try {
    login_method(flags);
  } catch (const Error& e) {
    return e;
  }
  return Error(ExitCode::ok, "accepted");
}

struct MethodCase {
  const char* flag;
  LoginFlags flags;
  LoginMethod method;
  const char* name;
};

// The flags with only `member` set (none when it is null).
LoginFlags only(bool LoginFlags::*member) {
  LoginFlags flags;
  if (member) flags.*member = true;
  return flags;
}

std::vector<MethodCase> method_cases() {
  return {
      {"(none)", only(nullptr), LoginMethod::password, "password"},
      {"--with-token", only(&LoginFlags::with_token), LoginMethod::api_key, "api-key"},
      {"--device", only(&LoginFlags::device), LoginMethod::device, "device"},
      {"--session-cookie", only(&LoginFlags::session_cookie), LoginMethod::session_cookie,
       "session-cookie"},
      {"--www", only(&LoginFlags::www), LoginMethod::www, "www"},
      {"--qr", only(&LoginFlags::qr), LoginMethod::qr, "qr"},
      {"--passkey", only(&LoginFlags::passkey), LoginMethod::passkey, "passkey"},
  };
}

// `a` and `b` given together.
LoginFlags both(const LoginFlags& a, const LoginFlags& b) {
  LoginFlags flags = a;
  flags.with_token |= b.with_token;
  flags.device |= b.device;
  flags.session_cookie |= b.session_cookie;
  flags.www |= b.www;
  flags.qr |= b.qr;
  flags.passkey |= b.passkey;
  return flags;
}

store::Profile profile_on(const std::string& url, store::Kind kind) {
  store::Profile profile;
  profile.url = url;
  profile.kind = kind;
  return profile;
}

}  // namespace

TEST_CASE("login_method: each flag is its method, none is a password login; names") {
  for (const MethodCase& c : method_cases()) {
    CAPTURE(c.flag);
    CHECK(login_method(c.flags) == c.method);
    CHECK(std::string(login_method_name(c.method)) == c.name);
  }
}

TEST_CASE("login_method: a password or TOTP option goes with a password login") {
  LoginFlags flags;
  flags.password = true;
  flags.totp = true;
  flags.kind = store::Kind::nexterm;
  CHECK(login_method(flags) == LoginMethod::password);
  flags.www = true;
  flags.kind = std::nullopt;
  CHECK(login_method(flags) == LoginMethod::www);
}

TEST_CASE("login_method: two ways to log in at once are a usage error naming both") {
  const std::vector<MethodCase> cases = method_cases();
  for (size_t i = 1; i < cases.size(); ++i) {
    for (size_t j = 1; j < i; ++j) {
      const std::string pair = std::string(cases[i].flag) + " " + cases[j].flag;
      CAPTURE(pair);
      const Error e = refusal_of(both(cases[i].flags, cases[j].flags));
      CHECK(e.code() == ExitCode::usage);
      CHECK(std::string(e.what()) == std::string(cases[i].flag) + " excludes " + cases[j].flag);
      CHECK(!e.hint().empty());
    }
  }
}

TEST_CASE("login_method: --qr and --passkey need no password or TOTP code") {
  for (const MethodCase& c : method_cases()) {
    if (c.method != LoginMethod::qr && c.method != LoginMethod::passkey) continue;
    CAPTURE(c.flag);
    LoginFlags password = c.flags;
    password.password = true;
    password.totp = true;  // the password is named first
    const Error e = refusal_of(password);
    CHECK(e.code() == ExitCode::usage);
    CHECK(std::string(e.what()) == std::string(c.flag) + " needs no password");
    CHECK(e.hint() == "leave out the --password-* option");
    LoginFlags totp = c.flags;
    totp.totp = true;
    const Error t = refusal_of(totp);
    CHECK(t.code() == ExitCode::usage);
    CHECK(std::string(t.what()) == std::string(c.flag) + " needs no TOTP code");
    CHECK(t.hint() == "leave out the --totp-* option");
  }
}

TEST_CASE("login_method: --qr is for a Neuron, --passkey for a Nexterm") {
  struct KindCase {
    LoginMethod method;
    store::Kind right, wrong;
    const char* what;
    const char* hint;
  };
  const KindCase cases[] = {
      {LoginMethod::qr, store::Kind::neuron, store::Kind::nexterm,
       "--qr is the Neuron's Quick Login", "for Nexterm, use --device (or --passkey)"},
      {LoginMethod::passkey, store::Kind::nexterm, store::Kind::neuron,
       "--passkey is a Nexterm login", "for a Neuron, use --qr or a password"},
  };
  for (const KindCase& c : cases) {
    CAPTURE(c.what);
    LoginFlags flags;
    flags.qr = c.method == LoginMethod::qr;
    flags.passkey = c.method == LoginMethod::passkey;
    flags.kind = c.right;
    CHECK(login_method(flags) == c.method);
    flags.kind = c.wrong;
    const Error e = refusal_of(flags);
    CHECK(e.code() == ExitCode::usage);
    CHECK(std::string(e.what()) == c.what);
    CHECK(e.hint() == c.hint);
  }
}

TEST_CASE("expected_kind: the NEURON_* variables mean a Neuron, whatever the store says") {
  store::Credentials credentials;
  credentials.profiles["n"] = profile_on("https://h", store::Kind::nexterm);
  NeuronVariables used;
  used.password = true;
  used.host = true;
  auto expected = expected_kind(used, credentials, "n", "https://h");
  REQUIRE(expected);
  CHECK(expected->kind == store::Kind::neuron);
  CHECK(expected->why == "the password comes from NEURON_PASSWORD");
  used.password = false;
  CHECK(expected_kind(used, credentials, "n", "https://h")->why ==
        "the host comes from NEURON_HOST");
  used.host = false;
  used.user = true;
  CHECK(expected_kind(used, credentials, "n", "https://h")->why ==
        "the user comes from NEURON_USER");
}

TEST_CASE("expected_kind: else the kind of the store's profiles on that URL, the named first") {
  store::Credentials credentials;
  CHECK(!expected_kind({}, credentials, "x", "https://h"));
  credentials.profiles["a"] = profile_on("https://h", store::Kind::neuron);
  credentials.profiles["b"] = profile_on("https://h", store::Kind::nexterm);
  credentials.profiles["c"] = profile_on("https://other", store::Kind::nexterm);
  auto first = expected_kind({}, credentials, "x", "https://h");
  REQUIRE(first);
  CHECK(first->kind == store::Kind::neuron);
  CHECK(first->why == "profile a on https://h was made with a neuron");
  auto named = expected_kind({}, credentials, "b", "https://h");
  REQUIRE(named);
  CHECK(named->kind == store::Kind::nexterm);
  CHECK(named->why == "profile b on https://h was made with a nexterm");
  CHECK(!expected_kind({}, credentials, "c", "https://nowhere"));
}

TEST_CASE("valid_totp_format: exactly 6 digits") {
  CHECK(valid_totp_format("012345"));
  CHECK(!valid_totp_format("12345"));
  CHECK(!valid_totp_format("1234567"));
  CHECK(!valid_totp_format("12345a"));
  CHECK(!valid_totp_format(" 12345"));
  CHECK(!valid_totp_format(""));
}

TEST_CASE("totp_wait_reason: wait when under 3 s are left or the code starts with 0") {
  CHECK(totp_wait_reason(3, "123456") == nullptr);
  CHECK(totp_wait_reason(30, "999999") == nullptr);
  CHECK(std::string(totp_wait_reason(2, "123456")) == "fewer than 3 s are left in this one");
  CHECK(std::string(totp_wait_reason(0, "012345")) == "fewer than 3 s are left in this one");
  CHECK(std::string(totp_wait_reason(20, "012345")) ==
        "this code starts with 0, which the server rejects");
}

TEST_CASE("nexterm_login_refusal: each soft error its message, exit code and hint") {
  const HostSpec h1 = parse_host("http://h:1", /*allow_http=*/true);
  const Error wrong =
      nexterm_login_refusal(201, "Username or password incorrect", h1, std::nullopt, false);
  CHECK(wrong.code() == ExitCode::auth);
  CHECK(std::string(wrong.what()) ==
        "wrong user name or password (server: Username or password incorrect)");
  CHECK(wrong.hint() == "check the user name and password");

  const Error typed = nexterm_login_refusal(203, "", h1, std::string("123456"), false);
  CHECK(typed.code() == ExitCode::auth);
  CHECK(std::string(typed.what()) == "the TOTP code was refused by h:1");
  const Error said = nexterm_login_refusal(203, "Your provided code is invalid or has expired.", h1,
                                           std::string("123456"), false);
  CHECK(std::string(said.what()) ==
        "the TOTP code was refused by h:1 (server: Your provided code is invalid or has expired)");
  CHECK(typed.hint() == "check the device clock and use the current code");
  const Error zero = nexterm_login_refusal(203, "", h1, std::string("012345"), true);
  CHECK(zero.hint().find("started with 0") != std::string::npos);
  const Error computed = nexterm_login_refusal(203, "", h1, std::string("123456"), true);
  CHECK(computed.hint() ==
        "check that the TOTP secret is right and that this machine's clock is correct");

  const Error again = nexterm_login_refusal(202, "", h1, std::string("123456"), false);
  CHECK(again.code() == ExitCode::auth);
  CHECK(std::string(again.what()) == "the server still asks for a TOTP code");
  CHECK(again.hint() == kTotpSourcesHint);

  const Error disabled = nexterm_login_refusal(403, "", h1, std::nullopt, false);
  CHECK(disabled.code() == ExitCode::auth);
  CHECK(std::string(disabled.what()) == "password login is disabled on h:1");
  CHECK(disabled.hint() ==
        "log in with a device code (authctl device-link --host http://h:1 --allow-http) or a "
        "passkey (authctl login --passkey)");

  const Error other = nexterm_login_refusal(500, "down", h1, std::nullopt, false);
  CHECK(other.code() == ExitCode::error);
  CHECK(std::string(other.what()) == "login refused by h:1 with code 500 (server: down)");
  CHECK(other.hint() == "see the server's logs or retry");
}

TEST_CASE("a password typed at the prompt may be typed again once on a Neuron, twice on Nexterm") {
  CHECK(password_retypes(authctl::store::Kind::neuron) == 1);
  CHECK(password_retypes(authctl::store::Kind::nexterm) == 2);
  CHECK(wrong_password(Error(ExitCode::auth, "x", Reason::wrong_password)));
  CHECK(wrong_password(Error(ExitCode::auth, "x", Reason::wrong_www_password)));
  CHECK_FALSE(wrong_password(Error(ExitCode::rate_limited, "x", Reason::rate_limited)));
  CHECK_FALSE(wrong_password(Error(ExitCode::rate_limited, "x", Reason::blocked)));
  CHECK_FALSE(wrong_password(Error(ExitCode::auth, "x", "a hint")));
}
