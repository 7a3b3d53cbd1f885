// --help that teaches (issue 12, point 2): every command of the real command tree has a
// paragraph, 2 to 4 examples and the man page pointer, and no CLI11 "Excludes:" lists;
// `authctl help` shows the same texts, and its topics are the man page's own sections.
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "fixture.hpp"

using namespace e2e;

namespace {

Result help(std::vector<std::string> args) {
  TempDir tmp;
  return run({std::move(args), {{"AUTHCTL_CONFIG_DIR", tmp.path() + "/cfg"}}, ""});
}

// The subcommand names a help text lists under "Subcommands:".
std::vector<std::string> subcommands_in(const std::string& text) {
  std::vector<std::string> names;
  std::istringstream in(text);
  std::string line;
  bool inside = false;
  while (std::getline(in, line)) {
    if (line == "Subcommands:") {
      inside = true;
    } else if (inside && line.rfind("  ", 0) == 0 && line.size() > 2 && line[2] != ' ') {
      names.push_back(line.substr(2, line.find(' ', 2) - 2));
    } else if (inside && line.empty()) {
      inside = false;
    }
  }
  return names;
}

// Every command path of the tree, walked through `authctl help PATH` itself.
void walk(const std::vector<std::string>& path, std::vector<std::vector<std::string>>& out) {
  std::vector<std::string> args = {"help"};
  args.insert(args.end(), path.begin(), path.end());
  const Result r = help(args);
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  out.push_back(path);
  for (const auto& name : subcommands_in(r.out)) {
    auto child = path;
    child.push_back(name);
    walk(child, out);
  }
}

}  // namespace

TEST_CASE("every command's help: a paragraph, 2 to 4 examples, the man page, no Excludes lists") {
  std::vector<std::vector<std::string>> paths;
  walk({}, paths);
  CHECK(paths.size() > 30);  // the whole tree was found
  for (const auto& path : paths) {
    std::vector<std::string> args = path;
    args.push_back("--help");
    const Result r = help(args);
    std::string shown;
    for (const auto& word : path) shown += word + " ";
    INFO("authctl " << shown << "--help");
    CHECK(r.exit_code == 0);
    const size_t usage = r.out.find("\nUsage: ");
    REQUIRE(usage != std::string::npos);
    CHECK(r.out.find("\n\n") < usage);  // a paragraph between the summary and the usage
    const size_t examples = count_of(r.out, "\n  $ ");
    CHECK(examples >= 2);
    CHECK(examples <= 4);
    CHECK(r.out.find("See man authctl") != std::string::npos);
    CHECK(r.out.find("Excludes") == std::string::npos);
    CHECK(r.out.find("Needs:") == std::string::npos);
    for (std::istringstream in(r.out); in;) {  // wrapped to 80 columns off a terminal
      std::string line;
      std::getline(in, line);
      if (line.rfind("  $ ", 0) != 0) CHECK(line.size() <= 80);
    }
    // `authctl help PATH` says the same
    std::vector<std::string> via_help = {"help"};
    via_help.insert(via_help.end(), path.begin(), path.end());
    CHECK(help(via_help).out == r.out);
  }
}

TEST_CASE("the man page's .TH line names the version --version prints") {
  std::ifstream page(AUTHCTL_MAN_PAGE);  // the configured page, as installed and packaged
  std::string th;
  std::getline(page, th);
  const Result version = help({"--version"});
  REQUIRE(version.exit_code == 0);
  std::string number = version.out;
  while (!number.empty() && (number.back() == '\n' || number.back() == ' ')) number.pop_back();
  number = number.substr(number.rfind(' ') + 1);  // "0.1.0" or "authctl 0.1.0"
  REQUIRE(!number.empty());
  CHECK(th.rfind(".TH AUTHCTL 1 ", 0) == 0);
  CHECK(contains(th, "\"authctl " + number + "\""));
  CHECK(!contains(th, "@"));
}

TEST_CASE("help topics are the man page's own sections") {
  std::ifstream page(AUTHCTL_MAN_PAGE);
  std::stringstream roff;
  roff << page.rdbuf();
  // every exit code the man page lists (".TP" then ".B N" in EXIT STATUS) is a line
  const std::string text = roff.str();
  const size_t from = text.find(".SH EXIT STATUS"), to = text.find(".SH", from + 3);
  const std::string section = text.substr(from, to - from);
  const Result codes = help({"help", "exit-codes"});
  CHECK(codes.exit_code == 0);
  std::set<std::string> listed;
  const std::regex tag(R"(\.TP\n\.B (\d+)\n)");
  for (std::sregex_iterator it(section.begin(), section.end(), tag), end; it != end; ++it)
    listed.insert((*it)[1]);
  CHECK(listed.size() >= 8);
  for (const auto& code : listed) CHECK(codes.out.find("\n" + code + "\n") != std::string::npos);
  // the other topics: every variable and file the man page names as a tag is there
  const Result env = help({"help", "environment"});
  CHECK(env.exit_code == 0);
  CHECK(env.out.find("AUTHCTL_CONFIG_DIR") != std::string::npos);
  CHECK(env.out.find("\\f") == std::string::npos);
  const Result files = help({"help", "files"});
  CHECK(files.exit_code == 0);
  CHECK(files.out.find("credentials.json") != std::string::npos);
  // json: the convention and the document of every command that prints one
  const Result json = help({"help", "json"});
  CHECK(json.exit_code == 0);
  CHECK(json.out.rfind("JSON OUTPUT\n", 0) == 0);
  for (const char* tag : {"gave_up", "snake_case", "whoami", "status", "token", "refresh", "switch",
                          "logout", "device-link phone", "remote-quick-login", "sessions kill",
                          "apikey revoke", "verify-jwt", "send-message"})
    CHECK_MESSAGE(json.out.find(tag) != std::string::npos, tag);
}

TEST_CASE("help of something that is not a command or topic names the nearest") {
  const Result r = help({"help", "logn"});
  CHECK(r.exit_code == 2);
  CHECK(r.err == "authctl: no command or topic 'logn': did you mean login?\n");
  const Result sub = help({"help", "sessions", "ls"});
  CHECK(sub.exit_code == 2);
  CHECK(sub.err == "authctl: no subcommand 'ls' of sessions: use list or kill\n");
}

TEST_CASE("login's help: its options in groups, the ways to log in as one line of choices") {
  const Result r = help({"login", "--help"});
  REQUIRE(r.exit_code == 0);
  size_t at = 0;
  for (const char* group : {"Server and account:", "Ways to log in instead of a password (one of):",
                            "Neuron:", "Nexterm:", "Waiting and QR:", "Output and CI:"}) {
    const size_t found = r.out.find(std::string("\n") + group + "\n", at);
    CHECK_MESSAGE(found != std::string::npos, group);
    if (found != std::string::npos) at = found;
  }
  CHECK(r.out.find("\n  --with-token | --device | --session-cookie FILE|- | --www | --qr | "
                   "--passkey\n") != std::string::npos);
  CHECK(r.out.find("http://HOST:PORT") != std::string::npos);  // the plain-http form
  CHECK(r.out.find("\n\n\n") == std::string::npos);            // one blank line between parts
}
