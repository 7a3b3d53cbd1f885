// authctl help [COMMAND... | TOPIC]: the help of the program or of a command (the same text
// as --help), or a topic, which is a section of the man page itself (one source: the help
// cannot drift from it).
#include <unistd.h>

#include <algorithm>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/man_text.hpp"
#include "cli/usage_errors.hpp"
#include "core/error.hpp"
#include "core/text.hpp"
#include "term/tty.hpp"

namespace authctl::cli {

namespace {

struct HelpTopic {
  const char* name;
  const char* section;  // its .SH title in man/authctl.1
};
constexpr HelpTopic kHelpTopics[] = {{"exit-codes", "EXIT STATUS"},
                                     {"environment", "ENVIRONMENT"},
                                     {"files", "FILES"},
                                     {"json", "JSON OUTPUT"}};

std::vector<std::string> visible_children(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
    names.push_back(sub->get_name());
  return names;
}

void print_topic(const HelpTopic& topic) {
  const size_t columns = term::terminal_columns(STDOUT_FILENO);
  const auto text =
      man_section(kManPage, topic.section, columns ? std::min<size_t>(columns, 100) : 80);
  if (!text) throw Error(ExitCode::error, std::string("the man page has no ") + topic.section);
  std::cout << topic.section << "\n\n" << *text;
}

void run_help(const CLI::App& root, const std::vector<std::string>& words) {
  if (words.size() == 1)
    for (const auto& topic : kHelpTopics)
      if (words[0] == topic.name) return print_topic(topic);
  const CLI::App* at = &root;
  std::string path = "authctl";
  for (const std::string& word : words) {
    const auto children = visible_children(*at);
    if (std::find(children.begin(), children.end(), word) == children.end()) {
      std::vector<std::string> known = children;
      if (at == &root)
        for (const auto& topic : kHelpTopics) known.push_back(topic.name);
      const std::string near = text::nearest(word, known);
      const std::string otherwise =
          at == &root || children.empty() ? "see authctl help" : "use " + either_of(children);
      throw Error(ExitCode::usage,
                  "no " + std::string(at == &root ? "command or topic" : "subcommand") + " '" +
                      word + "'" + (at == &root ? "" : " of " + path.substr(8)),
                  near.empty() ? otherwise : "did you mean " + near + "?");
    }
    at = at->get_subcommand(word);
    path += " " + word;
  }
  // Not App::help(): while `help` runs, the root's help is that of its selected subcommand.
  std::cout << at->get_formatter()->make_help(at, path, CLI::AppFormatMode::Normal);
}

}  // namespace

void register_help(CLI::App& app, Context& /*context*/) {
  auto words = std::make_shared<std::vector<std::string>>();
  auto* cmd = app.add_subcommand("help", "Show the help of authctl, of a command, or a topic");
  cmd->add_option("command", *words,
                  "A command (e.g. login, sessions kill) or a topic: "
                  "exit-codes, environment, files, json")
      ->type_name("COMMAND|TOPIC");
  cmd->callback([&app, words] { run_help(app, *words); });
}

}  // namespace authctl::cli
