// CLI11 validators shared by commands. Only files that define options include this (and
// so CLI11): see the note in cli/wait_options.hpp.
#pragma once

#include <cstdint>

#include <string>

#include <CLI/CLI.hpp>

#include "cli/context.hpp"

namespace authctl::cli {

// A duration such as 90s, 5m, 1h30m; at most max_seconds, at least min_seconds.
CLI::Validator duration_validator(int64_t max_seconds, int64_t min_seconds = 0);

// --min-valid DURATION of the commands that hand out a token (token, exec): checked against
// the refresh rule's maximum.
CLI::Option* add_min_valid_option(CLI::App* command, std::string& min_valid);

// --secure-storage file|keyring (or AUTHCTL_SECURE_STORAGE) of the commands that start a
// session (login, device-link, account create).
// Its value goes to context.secure_storage_name when the command runs.
CLI::Option* add_secure_storage_option(CLI::App* command, std::string& storage);
// Checks the value (exit 2 when it is neither file nor keyring) and sets it in `context`.
void use_secure_storage(Context& context, const std::string& storage);

}  // namespace authctl::cli
