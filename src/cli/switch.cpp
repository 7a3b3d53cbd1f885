// authctl switch PROFILE: make PROFILE the current profile. PROFILE may be a unique prefix
// of a profile's name (a person typing); -p and AUTHCTL_PROFILE never take prefixes.
#include <iostream>

#include "cli/commands.hpp"
#include "core/error.hpp"
#include "core/name_prefix.hpp"
#include "core/text.hpp"

namespace authctl::cli {

namespace {

std::string joined_names(const std::vector<std::string>& names) {
  std::string list;
  for (const auto& name : names) list += (list.empty() ? "" : ", ") + text::printable(name);
  return list;
}

std::vector<std::string> profile_names(const store::Credentials& credentials) {
  std::vector<std::string> names;
  for (const auto& entry : credentials.profiles) names.push_back(entry.first);
  return names;
}

[[noreturn]] void no_profile_named(const store::Credentials& credentials, const std::string& word) {
  const std::vector<std::string> known = profile_names(credentials);
  throw Error(ExitCode::usage, "no profile named " + text::printable(word),
              known.empty() ? "log in first: authctl login --host HOST -u USER"
                            : "choose one of: " + joined_names(known));
}

// The profile `word` names: a whole name, else the one profile whose name starts with it.
std::string resolve_switch_target(const store::Credentials& credentials, const std::string& word) {
  const std::vector<std::string> found = name_prefix::matches(profile_names(credentials), word);
  if (found.size() == 1) return found.front();
  if (found.empty()) no_profile_named(credentials, word);
  throw Error(
      ExitCode::usage,
      "'" + text::printable(word) + "' is the start of several profiles: " + joined_names(found),
      "give more of the name");
}

void run_switch(Context& context, const std::string& word) {
  store::Store store = context.open_store();
  const store::Credentials before = store.load();  // before the lock, which would create the folder
  warn_unusable(before);
  const std::string name = resolve_switch_target(before, word);
  store.update([&](store::Credentials& credentials) {
    if (!credentials.find(name)) no_profile_named(credentials, name);  // gone meanwhile
    if (credentials.current == name) return false;
    credentials.current = name;
    return true;
  });
  if (context.global.json)
    context.print_json({{"current", name}});
  else
    std::cerr << "Current profile: " << text::printable(name) << "\n";
}

}  // namespace

void register_switch(CLI::App& app, Context& context) {
  auto name = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("switch", "Make PROFILE the current profile");
  cmd->add_option("name", *name, "Profile name, or the start of only one (see authctl status)")
      ->required()
      ->type_name("PROFILE");
  cmd->callback([&context, name] { run_switch(context, *name); });
}

}  // namespace authctl::cli
