// The one-line error of a command line CLI11 refused, in authctl's words: a mistyped
// command or option gets the nearest real one ("unknown command 'logn': did you mean
// login?"), a command that needs a subcommand lists them ("use list or kill"), and every
// other refusal points at the help of the command being parsed.
#pragma once

#include <string>
#include <vector>

namespace CLI {
class App;
class ParseError;
}  // namespace CLI

namespace authctl::cli {

struct UsageError {
  std::string what;
  std::string hint;
};

// `args`: the command line after the program name.
UsageError explain_parse_error(const CLI::App& app, const CLI::ParseError& error,
                               const std::vector<std::string>& args);

// exec's words for a CMD given (partly) before "--": `first_word` is CMD's first word.
UsageError exec_needs_separator(const std::string& first_word);

// "a", "a or b", "a, b or c".
std::string either_of(const std::vector<std::string>& names);

}  // namespace authctl::cli
