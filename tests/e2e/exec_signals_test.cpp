// exec stays CMD's parent (issue 13, point 1): a signal sent to authctl itself reaches CMD;
// one from the terminal reaches it once, through the foreground process group.
#include <csignal>

#include "fixture.hpp"
#include "pty_session.hpp"

using namespace e2e;

TEST_CASE("exec: SIGTERM, SIGHUP and SIGUSR1 sent to authctl are passed on to CMD") {
  NeuronFixture f;
  REQUIRE(f.login().exit_code == 0);
  for (int sig : {SIGTERM, SIGHUP, SIGUSR1}) {
    CAPTURE(sig);
    // CMD says it is ready on stdout, then exits 40+N at signal N.
    Process p(Invocation{{"exec", "--", "sh", "-c",
                          "trap 'exit 41' TERM; trap 'exit 42' HUP; trap 'exit 43' USR1; "
                          "echo ready; while :; do sleep 0.05; done"},
                         f.env,
                         ""});
    REQUIRE(p.next_line() == "ready");
    p.signal(sig);
    const int expected = sig == SIGTERM ? 41 : sig == SIGHUP ? 42 : 43;
    CHECK(p.wait().exit_code == expected);
  }
  // CMD killed by the signal: 128+N, as a shell reports it.
  Process plain(Invocation{
      {"exec", "--", "sh", "-c", "echo ready; while :; do sleep 0.05; done"}, f.env, ""});
  REQUIRE(plain.next_line() == "ready");
  plain.signal(SIGTERM);
  CHECK(plain.wait().exit_code == 128 + SIGTERM);
}

TEST_CASE("exec on a terminal: one Ctrl-C is one SIGINT for CMD") {
  NeuronFixture f;
  REQUIRE(f.login().exit_code == 0);
  PtySession pty({"exec", "--", "sh", "-c",
                  "n=0; trap 'n=$((n+1))' INT; echo ready; i=0; "
                  "while [ $i -lt 30 ]; do sleep 0.05; i=$((i+1)); done; echo \"got $n\""},
                 f.env, 80, 24);
  REQUIRE(pty.read_until("ready"));
  pty.type("\x03");
  CHECK(pty.wait() == 0);
  CHECK(contains(pty.screen(), "got 1"));
}
