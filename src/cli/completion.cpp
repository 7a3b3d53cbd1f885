// authctl completion bash|zsh|fish: shell completions generated from the command tree
// itself, so they cannot drift from the options (CLI11 has no generator of its own).
// Value kinds come from each option's type name: FILE and DIR complete paths, PROFILE
// completes profile names (from `authctl status --names`), "a|b|c" completes those words.
#include <algorithm>
#include <iostream>
#include <sstream>

#include "cli/commands.hpp"

namespace authctl::cli {

namespace {

struct OptionInfo {
  std::vector<std::string> names;  // "-p", "--profile"
  std::string value;               // "" for flags, else the type name
  std::string description;
};

struct CommandInfo {
  std::string path;  // "sessions kill"
  std::string name;  // "kill"
  std::string description;
  std::vector<OptionInfo> options;
  std::string positional;             // type name of the first positional, if any
  std::vector<std::string> children;  // names of subcommands
};

std::vector<OptionInfo> options_of(const CLI::App* app) {
  std::vector<OptionInfo> out;
  for (const CLI::Option* opt : app->get_options()) {
    if (opt->get_positional()) continue;
    OptionInfo info;
    for (const auto& s : opt->get_snames()) info.names.push_back("-" + s);
    for (const auto& l : opt->get_lnames()) info.names.push_back("--" + l);
    if (info.names.empty()) continue;
    if (opt->get_type_size() != 0) info.value = opt->get_type_name();
    info.description = opt->get_description();
    out.push_back(info);
  }
  return out;
}

void collect(const CLI::App* app, const std::string& prefix, std::vector<CommandInfo>& out) {
  for (const CLI::App* sub : app->get_subcommands({})) {
    CommandInfo info{
        prefix + sub->get_name(), sub->get_name(), sub->get_description(), options_of(sub), "", {}};
    // -h/--help is offered once, with the global options.
    info.options.erase(
        std::remove_if(info.options.begin(), info.options.end(),
                       [](const OptionInfo& o) { return o.names.back() == "--help"; }),
        info.options.end());
    for (const CLI::Option* opt : sub->get_options())
      if (opt->get_positional()) {
        info.positional = opt->get_type_name();
        break;
      }
    for (const CLI::App* child : sub->get_subcommands({}))
      info.children.push_back(child->get_name());
    out.push_back(info);
    collect(sub, info.path + " ", out);
  }
}

std::vector<std::string> choices(const std::string& type) {
  std::vector<std::string> out;
  if (type.find('|') == std::string::npos) return out;
  std::stringstream ss(type);
  for (std::string item; std::getline(ss, item, '|');) out.push_back(item);
  return out;
}

std::string join(const std::vector<std::string>& items, const char* sep = " ") {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : sep) + i;
  return out;
}

std::string quote_single(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::vector<std::string> names_of(const std::vector<OptionInfo>& options) {
  std::vector<std::string> out;
  for (const auto& o : options) out.insert(out.end(), o.names.begin(), o.names.end());
  return out;
}

std::vector<std::string> top_level(const std::vector<CommandInfo>& commands) {
  std::vector<std::string> out;
  for (const auto& c : commands)
    if (c.path == c.name) out.push_back(c.name);
  return out;
}

// Every option that takes a value, once per name, for value completion and word skipping.
std::vector<OptionInfo> value_options(const std::vector<OptionInfo>& globals,
                                      const std::vector<CommandInfo>& commands) {
  std::vector<OptionInfo> out;
  auto add = [&](const OptionInfo& o) {
    if (o.value.empty()) return;
    for (const auto& seen : out)
      if (seen.names == o.names) return;
    out.push_back(o);
  };
  for (const auto& o : globals) add(o);
  for (const auto& c : commands)
    for (const auto& o : c.options) add(o);
  return out;
}

// Profile names are data a server may have chosen ("$(id>~/owned)" as a user name): bash
// reads them with mapfile and filters them by prefix itself, since compgen -W would expand
// $(...) and backticks in them, and offers each quoted (printf %q), so that inserting one
// on the command line runs nothing either.
const char* const kBashProfiles =
    "_authctl_profiles() {\n"
    "  local name quoted\n"
    "  local -a names\n"
    "  mapfile -t names < <(authctl status --names 2>/dev/null)\n"
    "  COMPREPLY=()\n"
    "  for name in \"${names[@]}\"; do\n"
    "    [[ $name == \"$1\"* ]] || continue\n"
    "    printf -v quoted '%q' \"$name\"\n"
    "    COMPREPLY+=(\"$quoted\")\n"
    "  done\n"
    "}\n\n";

// bash: find the command path among the words, then complete a value, options or commands.
std::string bash_script(const std::vector<OptionInfo>& globals,
                        const std::vector<CommandInfo>& commands) {
  std::ostringstream s;
  auto values = value_options(globals, commands);
  s << "# bash completion for authctl. Generated by `authctl completion bash`; do not edit.\n"
    << kBashProfiles << "_authctl_value() {\n  case \"$1\" in\n";
  for (const auto& o : values) {
    std::string action;
    if (o.value == "FILE")
      action = "COMPREPLY=($(compgen -f -- \"$2\"))";
    else if (o.value == "DIR")
      action = "COMPREPLY=($(compgen -d -- \"$2\"))";
    else if (o.value == "PROFILE")
      action = "_authctl_profiles \"$2\"";
    else if (!choices(o.value).empty())  // fixed words of ours, never data
      action = "COMPREPLY=($(compgen -W " + quote_single(join(choices(o.value))) + " -- \"$2\"))";
    else
      action = "COMPREPLY=()";
    s << "    " << join(o.names, "|") << ") " << action << " ;;\n";
  }
  s << "    *) return 1 ;;\n  esac\n}\n\n"
    << "_authctl() {\n"
    << "  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} path= i w\n"
    << "  local takes_value=" << quote_single(" " + join(names_of(values)) + " ") << "\n"
    << "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
    << "    w=${COMP_WORDS[i]}\n"
    << "    case \"$w\" in\n"
    << "      -*) [[ $takes_value == *\" $w \"* ]] && ((i++)) ;;\n"
    << "      *) case \"${path:+$path }$w\" in\n";
  for (const auto& c : commands)
    s << "           " << quote_single(c.path) << ") path=\"${path:+$path }$w\" ;;\n";
  s << "         esac ;;\n"
    << "    esac\n  done\n"
    << "  if [[ $prev == -* && $takes_value == *\" $prev \"* ]]; then\n"
    << "    _authctl_value \"$prev\" \"$cur\" && return 0\n  fi\n"
    << "  local globals=" << quote_single(join(names_of(globals))) << " opts= words= profiles=\n"
    << "  case \"$path\" in\n"
    << "    '') words=" << quote_single(join(top_level(commands))) << " ;;\n";
  for (const auto& c : commands) {
    s << "    " << quote_single(c.path) << ") opts=" << quote_single(join(names_of(c.options)));
    if (!c.children.empty())
      s << "; words=" << quote_single(join(c.children));
    else if (c.positional == "PROFILE")  // completed by _authctl_profiles
      s << "; profiles=1";
    else if (!choices(c.positional).empty())
      s << "; words=" << quote_single(join(choices(c.positional)));
    s << " ;;\n";
  }
  s << "  esac\n"
    << "  if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W \"$opts $globals\" -- \"$cur\"))\n"
    << "  elif [[ -n $profiles ]]; then _authctl_profiles \"$cur\"\n"
    << "  else COMPREPLY=($(compgen -W \"$words\" -- \"$cur\")); fi\n"
    << "}\ncomplete -F _authctl authctl\n";
  return s.str();
}

// zsh: a description with its ':' escaped, inside single quotes.
std::string zsh_describe(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == ':') out += '\\';
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  }
  return out;
}

std::string zsh_option_specs(const std::vector<OptionInfo>& options) {
  std::string out;
  for (const auto& o : options)
    for (const auto& n : o.names) out += "'" + n + ":" + zsh_describe(o.description) + "' ";
  return out;
}

// What follows an option that takes a value: files, folders, profiles or its choices.
void zsh_value_cases(std::ostream& s, const std::vector<OptionInfo>& values) {
  s << "  local prev=${words[CURRENT-1]}\n"
    << "  case $prev in\n";
  for (const auto& o : values) {
    s << "    " << join(o.names, "|") << ") ";
    if (o.value == "FILE")
      s << "_files; return ;;\n";
    else if (o.value == "DIR")
      s << "_files -/; return ;;\n";
    else if (o.value == "PROFILE")
      s << "compadd -- ${(f)\"$(authctl status --names 2>/dev/null)\"}; return ;;\n";
    else if (!choices(o.value).empty())
      s << "compadd -- " << join(choices(o.value)) << "; return ;;\n";
    else
      s << "return ;;\n";
  }
  s << "  esac\n";
}

// Per command: its options, and its subcommands or positional values.
void zsh_command_cases(std::ostream& s, const std::vector<CommandInfo>& commands) {
  s << "    '') cmds=(";
  for (const auto& c : commands)
    if (c.path == c.name) s << "'" << c.name << ":" << zsh_describe(c.description) << "' ";
  s << ") ;;\n";
  for (const auto& c : commands) {
    s << "    " << quote_single(c.path) << ") opts+=(" << zsh_option_specs(c.options) << ")";
    if (!c.children.empty()) {
      s << "; cmds=(";
      for (const auto& child : commands)
        if (child.path == c.path + " " + child.name)
          s << "'" << child.name << ":" << zsh_describe(child.description) << "' ";
      s << ")";
    } else if (c.positional == "PROFILE") {
      s << "; [[ ${words[CURRENT]} != -* ]] && compadd -- ${(f)\"$(authctl status --names "
           "2>/dev/null)\"}";
    } else if (!choices(c.positional).empty()) {
      s << "; [[ ${words[CURRENT]} != -* ]] && compadd -- " << join(choices(c.positional));
    }
    s << " ;;\n";
  }
}

// zsh: the same walk over $words, with descriptions for commands and options.
std::string zsh_script(const std::vector<OptionInfo>& globals,
                       const std::vector<CommandInfo>& commands) {
  auto values = value_options(globals, commands);
  std::ostringstream s;
  s << "#compdef authctl\n# zsh completion for authctl. Generated by `authctl completion zsh`; do "
       "not edit.\n\n"
    << "_authctl() {\n"
    << "  local takes_value=" << quote_single(" " + join(names_of(values)) + " ")
    << "\n"
    // Not "path": in zsh that is PATH itself, and emptying it would hide authctl.
    << "  local cmd_path= i w\n"
    << "  for ((i = 2; i < CURRENT; i++)); do\n"
    << "    w=${words[i]}\n"
    << "    if [[ $w == -* ]]; then [[ $takes_value == *\" $w \"* ]] && ((i++)); continue; fi\n"
    << "    case \"${cmd_path:+$cmd_path }$w\" in\n";
  for (const auto& c : commands)
    s << "      " << quote_single(c.path) << ") cmd_path=\"${cmd_path:+$cmd_path }$w\" ;;\n";
  s << "    esac\n  done\n";
  zsh_value_cases(s, values);
  s << "  local -a opts cmds\n"
    << "  opts=(" << zsh_option_specs(globals) << ")\n"
    << "  case \"$cmd_path\" in\n";
  zsh_command_cases(s, commands);
  s << "  esac\n"
    << "  if [[ ${words[CURRENT]} == -* ]]; then _describe -t options 'option' opts\n"
    << "  elif (( ${#cmds} )); then _describe -t commands 'command' cmds; fi\n"
    << "}\n\n_authctl \"$@\"\n";
  return s.str();
}

std::string fish_option(const std::string& condition, const OptionInfo& o) {
  std::ostringstream s;
  s << "complete -c authctl" << condition;
  for (const auto& n : o.names)
    s << (n.rfind("--", 0) == 0 ? " -l " + n.substr(2) : " -s " + n.substr(1));
  if (o.value == "FILE" || o.value == "DIR")
    s << " -r -F";
  else if (o.value == "PROFILE")
    s << " -x -a '(authctl status --names 2>/dev/null)'";
  else if (!choices(o.value).empty())
    s << " -x -a " << quote_single(join(choices(o.value)));
  else if (!o.value.empty())
    s << " -x";
  s << " -d " << quote_single(o.description) << "\n";
  return s.str();
}

std::string fish_script(const std::vector<OptionInfo>& globals,
                        const std::vector<CommandInfo>& commands) {
  std::ostringstream s;
  const std::string tops = join(top_level(commands));
  s << "# fish completion for authctl. Generated by `authctl completion fish`; do not edit.\n"
    << "complete -c authctl -f\n";
  for (const auto& o : globals) s << fish_option("", o);
  for (const auto& c : commands) {
    const bool nested = c.path != c.name;
    const std::string parent = nested ? c.path.substr(0, c.path.find(' ')) : "";
    std::string siblings;
    for (const auto& other : commands)
      if (nested && other.path == parent) siblings = join(other.children);
    // Offer the command where it may come next.
    std::string offer = nested ? "__fish_seen_subcommand_from " + parent +
                                     "; and not __fish_seen_subcommand_from " + siblings
                               : "not __fish_seen_subcommand_from " + tops;
    s << "complete -c authctl -n " << quote_single(offer) << " -a " << c.name << " -d "
      << quote_single(c.description) << "\n";
    std::string here = nested ? "__fish_seen_subcommand_from " + parent +
                                    "; and __fish_seen_subcommand_from " + c.name
                              : "__fish_seen_subcommand_from " + c.name;
    if (!c.children.empty()) here += "; and not __fish_seen_subcommand_from " + join(c.children);
    const std::string cond = " -n " + quote_single(here);
    for (const auto& o : c.options) s << fish_option(cond, o);
    if (c.positional == "PROFILE")
      s << "complete -c authctl" << cond << " -a '(authctl status --names 2>/dev/null)'\n";
    else if (!choices(c.positional).empty())
      s << "complete -c authctl" << cond << " -a " << quote_single(join(choices(c.positional)))
        << "\n";
  }
  return s.str();
}

void run_completion(const CLI::App& root, const std::string& shell) {
  auto globals = options_of(&root);
  std::vector<CommandInfo> commands;
  collect(&root, "", commands);
  if (shell == "bash")
    std::cout << bash_script(globals, commands);
  else if (shell == "zsh")
    std::cout << zsh_script(globals, commands);
  else
    std::cout << fish_script(globals, commands);
}

}  // namespace

void register_completion(CLI::App& app, Context&) {
  auto shell = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("completion", "Print shell completions: bash, zsh or fish");
  cmd->add_option("shell", *shell, "The shell")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh", "fish"}).description(""))
      ->type_name("bash|zsh|fish");
  const CLI::App* root = &app;
  cmd->callback([root, shell] { run_completion(*root, *shell); });
}

}  // namespace authctl::cli
