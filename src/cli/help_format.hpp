// authctl's --help layout (gh-style): the command's one-line summary, a paragraph on its
// default flow, its options (grouped where a command sets groups) with their texts wrapped
// to the terminal, then EXAMPLES and a pointer to the man page. CLI11's "Excludes:" and
// "Needs:" lists are left out: the paragraph and the man page say which options go together.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace authctl::cli {

struct CommandHelp {
  std::string path;                   // "login", "sessions kill"; "" for authctl itself
  std::string paragraph;              // the default flow, in a few sentences
  std::vector<std::string> examples;  // 2 to 4 real invocations, each a command line
};

// Every command's help (cli/help_text.cpp), in the order of the command tree.
const std::vector<CommandHelp>& command_help();

class HelpFormatter : public CLI::Formatter {
 public:
  // `width`: the terminal's columns (80 when it is not a terminal).
  explicit HelpFormatter(size_t width);
  std::string make_help(const CLI::App* app, std::string name,
                        CLI::AppFormatMode mode) const override;
  std::string make_description(const CLI::App* app) const override;
  std::string make_footer(const CLI::App* app) const override;
  std::string make_option(const CLI::Option* opt, bool is_positional) const override;
  std::string make_option_opts(const CLI::Option* opt) const override;
  std::string make_subcommand(const CLI::App* sub) const override;
  // A group named "... (one of)" starts with the one line of its choices: a | b | c.
  std::string make_group(std::string group, bool is_positional,
                         std::vector<const CLI::Option*> opts) const override;

 private:
  const CommandHelp* help_of(const CLI::App* app) const;
  // `left` in the margin, then `text` filled from the option column.
  std::string entry(const std::string& left, const std::string& text) const;
  size_t width_;
};

// The command path of `app` ("sessions kill"; "" for the root).
std::string command_path(const CLI::App* app);

// Installs HelpFormatter on `app` (its subcommands inherit it when added after).
void use_help_formatter(CLI::App& app);

}  // namespace authctl::cli
