#include "cli/usage_errors.hpp"

#include <algorithm>

#include <CLI/CLI.hpp>

#include "core/text.hpp"

namespace authctl::cli {

namespace {

// The subcommands parsed, outermost first ("sessions", "kill").
std::vector<const CLI::App*> parsed_path(const CLI::App& app) {
  std::vector<const CLI::App*> path{&app};
  while (!path.back()->get_subcommands().empty())
    path.push_back(path.back()->get_subcommands().front());
  return path;
}

std::string command_line(const std::vector<const CLI::App*>& path) {
  std::string out = "authctl";
  for (size_t i = 1; i < path.size(); ++i) out += " " + path[i]->get_name();
  return out;
}

std::vector<std::string> subcommand_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
    names.push_back(sub->get_name());
  return names;
}

// The option `arg` names in the parsed path (global options fall through), or null.
const CLI::Option* option_named(const std::vector<const CLI::App*>& path, const std::string& arg) {
  const std::string name = arg.substr(0, arg.find('='));
  for (auto it = path.rbegin(); it != path.rend(); ++it)
    if (const CLI::Option* opt = (*it)->get_option_no_throw(name)) return opt;
  return nullptr;
}

// Every option name the parsed path knows, for "did you mean".
std::vector<std::string> option_names(const std::vector<const CLI::App*>& path) {
  std::vector<std::string> names;
  for (const CLI::App* app : path)
    for (const CLI::Option* opt : app->get_options()) {
      for (const auto& l : opt->get_lnames()) names.push_back("--" + l);
      for (const auto& s : opt->get_snames()) names.push_back("-" + s);
    }
  return names;
}

struct Stray {
  std::string word;    // the first word that is neither a command nor an option's value
  std::string option;  // the first option no command of the path knows
};

// Walks the words the way CLI11 did: options (and their values) and the command path.
Stray find_stray(const std::vector<const CLI::App*>& path, const std::vector<std::string>& args) {
  Stray stray;
  size_t depth = 1;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") break;
    if (arg.size() > 1 && arg[0] == '-') {
      const CLI::Option* opt = option_named(path, arg);
      if (!opt && stray.option.empty()) stray.option = arg.substr(0, arg.find('='));
      if (opt && opt->get_expected_max() != 0 && arg.find('=') == std::string::npos) ++i;
    } else if (depth < path.size() && arg == path[depth]->get_name()) {
      ++depth;
    } else if (stray.word.empty()) {
      stray.word = arg;
    }
  }
  return stray;
}

// CLI11's own text, made to read as one of ours: "Could not convert: id = abc" says which
// value is wrong for what, and the sentence starts in lower case.
std::string cli11_text(const CLI::App& at, const CLI::ParseError& error) {
  std::string what = error.what();
  const std::string convert = "Could not convert: ";
  if (what.rfind(convert, 0) == 0 && what.find(" = ") != std::string::npos) {
    const size_t eq = what.find(" = ");
    std::string name = what.substr(convert.size(), eq - convert.size());
    // A list ("ids") is wrong one item at a time: "'abc' is not a valid id".
    const CLI::Option* opt = at.get_option_no_throw(name);
    if (opt && opt->get_expected_max() > 1 && name.size() > 1 && name.back() == 's')
      name.pop_back();
    what = "'" + what.substr(eq + 3) + "' is not a valid " + name;
  }
  if (!what.empty() && what[0] >= 'A' && what[0] <= 'Z' && what.compare(0, 2, "ID") != 0)
    what[0] = static_cast<char>(what[0] - 'A' + 'a');
  return what;
}

}  // namespace

UsageError exec_needs_separator(const std::string& first_word) {
  return {"exec runs the command given after --", "authctl exec -- " + first_word + " ..."};
}

std::string either_of(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i)
    out += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i];
  return out;
}

UsageError explain_parse_error(const CLI::App& app, const CLI::ParseError& error,
                               const std::vector<std::string>& args) {
  const auto path = parsed_path(app);
  const CLI::App& at = *path.back();
  const std::string help = "see " + command_line(path) + " --help";
  const Stray stray = find_stray(path, args);
  if (at.get_name() == "exec" && !stray.word.empty()) {
    const auto separator = std::find(args.begin(), args.end(), "--");
    if (separator != args.end() && std::find(args.begin(), separator, stray.word) != separator)
      return exec_needs_separator(stray.word);
  }
  const std::vector<std::string> subcommands = subcommand_names(at);
  if (!subcommands.empty() && !stray.word.empty()) {
    const std::string what = path.size() == 1 ? "unknown command '" + stray.word + "'"
                                              : "unknown subcommand '" + stray.word + "' of " +
                                                    command_line(path).substr(8);
    const std::string near = text::nearest(stray.word, subcommands);
    if (!near.empty()) return {what, "did you mean " + near + "?"};
    return {what, path.size() == 1 ? help : "use " + either_of(subcommands)};
  }
  if (!stray.option.empty()) {
    const std::string near = text::nearest(stray.option, option_names(path));
    return {"unknown option " + stray.option, near.empty() ? help : "did you mean " + near + "?"};
  }
  if (!subcommands.empty() && path.size() > 1 && at.get_subcommands().empty())
    return {command_line(path).substr(8) + " needs a subcommand", "use " + either_of(subcommands)};
  return {cli11_text(at, error), help};
}

}  // namespace authctl::cli
