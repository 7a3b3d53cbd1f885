#include "cli/passphrase.hpp"

#include <cstdlib>

#include <CLI/CLI.hpp>

#include "cli/password.hpp"
#include "core/crypto.hpp"
#include "core/error.hpp"
#include "term/tty.hpp"

namespace authctl::cli {

CLI::Option* add_passphrase_option(CLI::App* command, std::string& file) {
  return command
      ->add_option("--passphrase-file", file,
                   "The key file's passphrase, first line of FILE (or AUTHCTL_PASSKEY_PASSPHRASE)")
      ->check(CLI::ExistingFile.description(""))
      ->type_name("FILE");
}

std::optional<std::string> passphrase_without_prompt(const std::string& file) {
  if (!file.empty()) {
    auto line = first_line_of(file, "--passphrase-file");
    if (!line)
      throw Error(ExitCode::usage, "cannot read --passphrase-file " + file,
                  "check that it exists and is readable by you");
    if (line->empty())
      throw Error(ExitCode::usage, "--passphrase-file " + file + " is empty",
                  "put the passphrase on its first line");
    return line;
  }
  if (const char* value = getenv("AUTHCTL_PASSKEY_PASSPHRASE"); value && *value)
    return std::string(value);
  return std::nullopt;
}

std::optional<std::string> new_passphrase(const Context& context, const std::string& file) {
  if (auto given = passphrase_without_prompt(file)) return given;
  if (!context.can_prompt()) return std::nullopt;
  auto first = term::prompt_secret("Passphrase for the passkey's key file (empty for none): ");
  if (!first || first->empty()) return std::nullopt;
  auto again = term::prompt_secret("The same passphrase again: ");
  if (!again || *again != *first) {
    crypto::wipe(*first);
    throw Error(ExitCode::usage, "the two passphrases differ", "run the command again");
  }
  crypto::wipe(*again);
  return first;
}

std::string existing_passphrase(const Context& context, const std::string& file,
                                const std::string& key_path) {
  // Moved out rather than copied, so no stray copy is left unwiped (best effort).
  if (auto given = passphrase_without_prompt(file)) return std::move(*given);
  if (context.can_prompt()) {
    auto typed = term::prompt_secret("Passphrase for " + key_path + ": ");
    if (typed && !typed->empty()) return std::move(*typed);
  }
  throw Error(ExitCode::auth, "the passkey's key file " + key_path + " is encrypted",
              "give its passphrase with --passphrase-file FILE or AUTHCTL_PASSKEY_PASSPHRASE");
}

}  // namespace authctl::cli
