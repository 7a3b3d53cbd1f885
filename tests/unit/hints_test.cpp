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
