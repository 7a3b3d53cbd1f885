// Each command lives in its own file under src/cli/ with its options in a struct and its
// run logic apart from flag parsing (as gh does with pkg/cmd/auth/<name>/).
#pragma once

#include <memory>

#include <CLI/CLI.hpp>

#include "cli/context.hpp"

namespace authctl::cli {

void register_login(CLI::App& app, Context& context);
void register_logout(CLI::App& app, Context& context);
void register_refresh(CLI::App& app, Context& context);
void register_whoami(CLI::App& app, Context& context);
void register_token(CLI::App& app, Context& context);
void register_status(CLI::App& app, Context& context);
void register_switch(CLI::App& app, Context& context);
void register_device_link(CLI::App& app, Context& context);
void register_sessions(CLI::App& app, Context& context);
void register_apikey(CLI::App& app, Context& context);
void register_exec(CLI::App& app, Context& context);
void register_account(CLI::App& app, Context& context);
void register_remote_quick_login(CLI::App& app, Context& context);
void register_send_message(CLI::App& app, Context& context);
void register_api(CLI::App& app, Context& context);
void register_verify_jwt(CLI::App& app, Context& context);
void register_passkey(CLI::App& app, Context& context);
void register_completion(CLI::App& app, Context& context);
void register_help(CLI::App& app, Context& context);

// The whole command tree, with the global options: used by main() and by `completion`.
std::unique_ptr<CLI::App> build_app(Context& context);

}  // namespace authctl::cli
