// A command line authctl refuses: one line that says what was wrong and what to type
// instead (issue 12, point 2), exit 2, and nothing run.
#include <unistd.h>

#include "fixture.hpp"

using namespace e2e;

namespace {

// The one line on stderr of a refused command line (exit 2).
std::string refusal(const std::vector<std::string>& args) {
  TempDir tmp;
  const Result r = run({args, {{"AUTHCTL_CONFIG_DIR", tmp.path() + "/cfg"}}, ""});
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
  return r.err;
}

}  // namespace

TEST_CASE("a mistyped command or subcommand gets the nearest one") {
  CHECK(refusal({"logn"}) == "authctl: unknown command 'logn': did you mean login?\n");
  CHECK(refusal({"--json", "stauts"}) ==
        "authctl: unknown command 'stauts': did you mean status?\n");
  CHECK(refusal({"xyzzy"}) == "authctl: unknown command 'xyzzy': see authctl --help\n");
  CHECK(refusal({"passkey", "lst"}) ==
        "authctl: unknown subcommand 'lst' of passkey: did you mean list?\n");
  CHECK(refusal({"device-link", "aprove", "ABCD-EFGH"}) ==
        "authctl: unknown subcommand 'aprove' of device-link: did you mean approve?\n");
}

TEST_CASE("a command that needs a subcommand names them, given none or a wrong one") {
  CHECK(refusal({"sessions", "ls"}) ==
        "authctl: unknown subcommand 'ls' of sessions: use list or kill\n");
  CHECK(refusal({"sessions"}) == "authctl: sessions needs a subcommand: use list or kill\n");
  CHECK(refusal({"passkey"}) ==
        "authctl: passkey needs a subcommand: use add, list, rename or remove\n");
}

TEST_CASE("a mistyped option gets the nearest option of the command or the globals") {
  CHECK(refusal({"login", "--hots", "h"}) ==
        "authctl: unknown option --hots: did you mean --host?\n");
  CHECK(refusal({"status", "--jsn"}) == "authctl: unknown option --jsn: did you mean --json?\n");
  CHECK(refusal({"status", "--frobnicate"}) ==
        "authctl: unknown option --frobnicate: see authctl status --help\n");
}

TEST_CASE("a wrong value says which, one item of a list at a time") {
  CHECK(refusal({"sessions", "kill", "abc"}) ==
        "authctl: 'abc' is not a valid id: see authctl sessions kill --help\n");
}

TEST_CASE("exec takes its command only after --, so CMD's options stay CMD's") {
  TempDir tmp;
  const std::string marker = tmp.path() + "/ran";
  CHECK(refusal({"exec", "touch", marker}) ==
        "authctl: exec runs the command given after --: authctl exec -- touch ...\n");
  CHECK(refusal({"exec", "touch", "--", marker}).find("after --") != std::string::npos);
  CHECK(refusal({"exec"}) == "authctl: exec needs a command: authctl exec -- CMD [ARGS...]\n");
  CHECK(access(marker.c_str(), F_OK) != 0);  // nothing ran
}
