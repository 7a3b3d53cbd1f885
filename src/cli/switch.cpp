// authctl switch PROFILE: make PROFILE the current profile.
#include <iostream>

#include "cli/commands.hpp"
#include "core/error.hpp"
#include "core/text.hpp"

namespace authctl::cli {

namespace {

void run_switch(Context& context, const std::string& name) {
  store::Store store = context.open_store();
  auto require = [&](const store::Credentials& credentials) {
    if (credentials.find(name)) return;
    std::string known;
    for (const auto& entry : credentials.profiles)
      known += (known.empty() ? "" : ", ") + entry.first;
    throw Error(ExitCode::usage, "no profile named " + name,
                known.empty() ? "run authctl login first" : "choose one of: " + known);
  };
  const store::Credentials before = store.load();  // before the lock, which would create the folder
  warn_unusable(before);
  require(before);
  store.update([&](store::Credentials& credentials) {
    require(credentials);  // it may have gone meanwhile
    if (credentials.current == name) return false;
    credentials.current = name;
    return true;
  });
  std::cerr << "Current profile: " << text::printable(name) << "\n";
}

}  // namespace

void register_switch(CLI::App& app, Context& context) {
  auto name = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("switch", "Make PROFILE the current profile");
  cmd->add_option("name", *name, "Profile name (see authctl status)")
      ->required()
      ->type_name("PROFILE");
  cmd->callback([&context, name] { run_switch(context, *name); });
}

}  // namespace authctl::cli
