// CLI11 validators shared by commands. Only files that define options include this (and
// so CLI11): see the note in cli/wait_options.hpp.
#pragma once

#include <cstdint>

#include <CLI/CLI.hpp>

namespace authctl::cli {

// A duration such as 90s, 5m, 1h30m; at most max_seconds, at least min_seconds.
CLI::Validator duration_validator(int64_t max_seconds, int64_t min_seconds = 0);

// --min-valid DURATION of the commands that hand out a token (token, exec): checked against
// the refresh rule's maximum.
CLI::Option* add_min_valid_option(CLI::App* command, std::string& min_valid);

}  // namespace authctl::cli
