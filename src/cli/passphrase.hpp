// The passphrase of a passkey's key file: --passphrase-file, AUTHCTL_PASSKEY_PASSPHRASE, or
// a no-echo prompt on a terminal. Never from argv.
#pragma once

#include <optional>
#include <string>

#include "cli/context.hpp"

// CLI11 costs ~12 s of compile time in every file that includes it (it emits its parser
// and validators there): headers only name its types.
namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace authctl::cli {

CLI::Option* add_passphrase_option(CLI::App* command, std::string& file);

// From the file (first line) or the environment; nullopt when neither gives one.
std::optional<std::string> passphrase_without_prompt(const std::string& file);

// For a new key file: as above, else (on a terminal) a no-echo prompt with confirmation,
// where an empty answer means no encryption; else none.
std::optional<std::string> new_passphrase(const Context& context, const std::string& file);

// For an encrypted key file: as above, else a prompt on a terminal; else Error(auth).
std::string existing_passphrase(const Context& context, const std::string& file,
                                const std::string& key_path);

}  // namespace authctl::cli
