// completions/ holds what `authctl completion SHELL` prints; this fails when they drift.
#include <sys/stat.h>

#include "fixture.hpp"

using namespace e2e;

TEST_CASE("completions/ matches the generator") {
  const std::string dir = std::string(AUTHCTL_SOURCE_DIR) + "/completions/";
  // Not a structured binding: CHECK_MESSAGE captures `file` in a lambda (clang 14 refuses).
  for (const auto& entry : std::vector<std::pair<std::string, std::string>>{
           {"bash", "authctl.bash"}, {"zsh", "_authctl"}, {"fish", "authctl.fish"}}) {
    const std::string& shell = entry.first;
    const std::string& file = entry.second;
    auto r = run({{"completion", shell}, {}, ""});
    REQUIRE(r.exit_code == 0);
    CHECK_MESSAGE(r.out == read_file(dir + file),
                  "completions/" << file << " is stale: run scripts/update-completions");
  }
}

TEST_CASE("the completions offer commands, options and profile names") {
  auto bash = run({{"completion", "bash"}, {}, ""}).out;
  for (const char* word :
       {"login", "logout", "token", "--min-valid", "--password-file", "status --names"})
    CHECK(contains(bash, word));
  CHECK(run({{"completion", "tcsh"}, {}, ""}).exit_code == 2);
}

TEST_CASE("bash completion really completes profile names") {
  TempDir tmp;
  std::string config = tmp.path() + "/c";
  mkdir(config.c_str(), 0700);
  write_file(
      config + "/credentials.json",
      R"({"version":1,"current":"work","profiles":{"work":{"kind":"neuron","url":"https://h",)"
      R"("user":"u","token":"h.p.s","expires":null},"home":{"kind":"neuron","url":"https://g",)"
      R"("user":"u","token":"h.p.s","expires":null}}})");
  const std::string script = std::string(AUTHCTL_SOURCE_DIR) + "/completions/authctl.bash";
  const std::string bin_dir = authctl_binary().substr(0, authctl_binary().rfind('/'));
  std::map<std::string, std::string> env{{"AUTHCTL_CONFIG_DIR", config},
                                         {"PATH", bin_dir + ":/usr/bin:/bin"},
                                         {"HOME", "/nonexistent"}};
  // run bash itself: source the script, simulate "authctl switch w<TAB>"

  auto r = run_program("/bin/bash",
                       {"-c", "source '" + script +
                                  "'; COMP_WORDS=(authctl switch w); COMP_CWORD=2; _authctl; "
                                  "echo \"${COMPREPLY[*]}\""},
                       env);
  CHECK(r.out == "work\n");
}

TEST_CASE("the zsh and fish scripts parse, and fish really completes nested commands") {
  const std::string dir = std::string(AUTHCTL_SOURCE_DIR) + "/completions/";
  CHECK(run_program("/usr/bin/zsh", {"-n", dir + "_authctl"}, {}).exit_code == 0);
  CHECK(run_program("/usr/bin/fish", {"-n", dir + "authctl.fish"}, {}).exit_code == 0);
  auto r = run_program("/usr/bin/fish",
                       {"-c", "source " + dir +
                                  "authctl.fish; complete -C 'authctl sessions k'; "
                                  "complete -C 'authctl login --kind '"},
                       {{"HOME", "/tmp"}});
  CHECK(contains(r.out, "kill\t"));
  CHECK(contains(r.out, "nexterm"));
  CHECK(contains(r.out, "neuron"));
}
