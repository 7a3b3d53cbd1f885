// cli/hints: the command layer's hints for the typed reasons of lower layers.
#include <doctest/doctest.h>

#include "cli/hints.hpp"

using namespace authctl;
using authctl::cli::hint_for;
using authctl::cli::HintScope;

namespace {

Error redirect_of(const std::string& authority) {
  return Error(ExitCode::error, authority + " answered HTTP 302", Reason::redirected,
               ErrorFacts{authority, "https://elsewhere.example/", std::nullopt});
}

}  // namespace

TEST_CASE("every reason has a hint") {
  const HintScope scope;
  const int last = static_cast<int>(Reason::file_exists);
  for (int i = 1; i <= last; ++i) {
    const Error e(ExitCode::error, "x", static_cast<Reason>(i), ErrorFacts{"srv", "600", 60});
    CAPTURE(i);
    CHECK(!hint_for(e, scope).empty());
  }
  CHECK(hint_for(Error(ExitCode::error, "x", Reason::none), scope).empty());
}

TEST_CASE("a redirect names the option its server came from") {
  HintScope scope;
  scope.url_options["remote.example"] = "--remote";
  scope.url_options["home.example:8443"] = "--host";
  CHECK(hint_for(redirect_of("remote.example"), scope) == "use the final URL in --remote");
  CHECK(hint_for(redirect_of("home.example:8443"), scope) == "use the final URL in --host");
  // A server no option named this run comes from a profile: log in again.
  CHECK(hint_for(redirect_of("stored.example"), scope).find("log in again with --host") !=
        std::string::npos);
}

TEST_CASE("facts shape the hint; a hint written by the command layer wins") {
  const HintScope scope;
  CHECK(hint_for(Error(ExitCode::rate_limited, "x", Reason::rate_limited, ErrorFacts{"s", {}, 300}),
                 scope) == "retry in 5m");
  CHECK(hint_for(Error(ExitCode::rate_limited, "x", Reason::rate_limited), scope) ==
        "wait a while, then retry");
  CHECK(hint_for(Error(ExitCode::error, "x", Reason::file_exposed,
                       ErrorFacts{"/home/u/.config/authctl", "700", std::nullopt}),
                 scope) == "run: chmod 700 '/home/u/.config/authctl'");
  CHECK(hint_for(Error(ExitCode::error, "x", Reason::user_taken,
                       ErrorFacts{"bob", "bob1, bob2", std::nullopt}),
                 scope) == "choose another -u, e.g. bob1, bob2");
  CHECK(hint_for(Error(ExitCode::error, "x", "do this instead"), scope) == "do this instead");
}

TEST_CASE("error_line escapes server text in the message and the hint") {
  const HintScope scope;
  const Error e(ExitCode::error, "srv said \x1b[2J", Reason::server_error);
  const std::string line = cli::error_line(e, scope);
  CHECK(line.find('\x1b') == std::string::npos);
  CHECK(line.find("authctl: srv said \\x1b[2J: the server has a problem") == 0);
}

TEST_CASE("shell_word and profile_argument: a name a shell would change is quoted") {
  CHECK(cli::shell_word("alice@127.0.0.1:8080") == "alice@127.0.0.1:8080");
  CHECK(cli::shell_word("a b;c") == "'a b;c'");
  CHECK(cli::shell_word("it's") == "'it'\\''s'");
  CHECK(cli::shell_word("x[1]") == "'x[1]'");  // a glob
  CHECK(cli::shell_word("http://[::1]:99") == "'http://[::1]:99'");
  CHECK(cli::shell_word("$(rm -rf ~)") == "'$(rm -rf ~)'");
  CHECK(cli::shell_word("") == "''");
  CHECK(cli::profile_argument("work") == "-p work");
  CHECK(cli::profile_argument("-x") == "--profile=-x");
  CHECK(cli::profile_argument("a b") == "-p 'a b'");
  CHECK(cli::profile_argument("bell\x07") == "-p NAME");  // escaped, it would name another
  CHECK(cli::profile_argument("bad\xff") == "-p NAME");
}

TEST_CASE("the re-login hints print the command of the way the profile logged in") {
  using store::LoginMethod;
  HintScope scope;
  const Error ended(ExitCode::auth, "x", Reason::session_ended);
  CHECK(hint_for(ended, scope) == "run authctl login");  // no profile selected
  scope.profile = cli::ProfileInUse{"p1", store::Kind::neuron, "https://n.example", {}};
  struct Case {
    std::optional<LoginMethod> method;
    const char* hint;
  };
  const Case cases[] = {
      {LoginMethod::password, "log in again: authctl login -p p1"},
      {LoginMethod::www, "log in again: authctl login --www -p p1"},
      {LoginMethod::qr, "log in again: authctl login --qr -p p1"},
      {LoginMethod::passkey, "log in again: authctl login --passkey -p p1"},
      {LoginMethod::device, "log in again: authctl device-link --host https://n.example -p p1"},
      {LoginMethod::session_cookie,
       "copy the web session's cookie into FILE again, then run authctl login --session-cookie "
       "FILE -p p1"},
      {LoginMethod::api_key,
       "create a new API key (in the web app, or authctl apikey create with a session), then run "
       "authctl login --with-token -p p1 < KEYFILE"},
      {std::nullopt,
       "log in again the way it was made (authctl login --help lists them), e.g. authctl login "
       "-p p1"},
  };
  for (const Case& c : cases) {
    scope.profile->method = c.method;
    CHECK(hint_for(ended, scope) == c.hint);
  }
  // Gone meanwhile: -p alone no longer finds it, so the URL is given (plain http allowed).
  scope.profile->method = LoginMethod::qr;
  scope.profile->url = "http://lan.example:8080";
  CHECK(hint_for(Error(ExitCode::auth, "x", Reason::profile_gone), scope) ==
        "log in again: authctl login --qr --host http://lan.example:8080 --allow-http -p p1");
  scope.profile->method = LoginMethod::password;
  CHECK(hint_for(Error(ExitCode::auth, "x", Reason::relogin_needed), scope) ==
        "log in again: authctl login -p p1 (or provide AUTHCTL_PASSWORD for automatic re-login)");
  scope.profile->kind = store::Kind::nexterm;
  CHECK(hint_for(Error(ExitCode::auth, "x", Reason::api_key_rejected), scope)
            .find("authctl login --with-token -p p1 < KEYFILE") != std::string::npos);
  // A name that cannot be shown is not printed (not even escaped: that would be another name).
  scope.profile->name = "a\x1b[2Jb";
  const std::string hint = hint_for(ended, scope);
  CHECK(hint.find("authctl login -p NAME (NAME: this profile's name") != std::string::npos);
  CHECK(hint.find("2J") == std::string::npos);
}

TEST_CASE("an https URL that reached a plain-HTTP server: the http:// URL in its option") {
  HintScope scope;
  scope.url_options["127.0.0.1:8080"] = "--host";
  scope.url_options["remote.example"] = "--remote";
  auto plain = [&](const std::string& authority) {
    return hint_for(Error(ExitCode::network, authority + " speaks plain HTTP",
                          Reason::plain_http_server, ErrorFacts{authority, {}, std::nullopt}),
                    scope);
  };
  CHECK(plain("127.0.0.1:8080") == "use --host http://127.0.0.1:8080");
  CHECK(plain("[::1]:9000") == "use --host http://[::1]:9000");  // from a profile: --host
  CHECK(plain("remote.example") ==
        "use --remote http://remote.example:443 with --allow-http, but only on a network you "
        "trust: your password and tokens would then cross it unencrypted");
}
