// authctl token --watch --sink FILE: a sidecar that keeps FILE holding a token valid for at
// least --min-valid until SIGTERM (issue 13). The renewal rule is keep_fresh_rule; renewals go
// through the store's single flight (backends::ensure_kept_fresh); the file is a
// store::TokenFile. No CLI11 here: token.cpp parses the options.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "cli/context.hpp"
#include "cli/password.hpp"

namespace authctl::cli {

struct WatchOptions {
  std::string sink;
  mode_t sink_mode = 0600;
  int64_t min_valid = 5 * 60;
  PasswordOptions password;  // --password-file (read again at each re-login)
};

// "0600" / "600" and "0640" / "640"; nullopt for anything else.
std::optional<mode_t> parse_sink_mode(const std::string& text);

// Writes the sink, then keeps it fresh until SIGTERM (exit 0), SIGINT (130) or SIGHUP (129),
// removing it first. When it cannot be kept fresh the file is removed and an Error thrown:
// auth (4) when the token was refused or expired with no password to log in again, network
// (3) when renewals failed for a network reason until the token expired. Returns the exit code.
int run_token_watch(Context& context, const WatchOptions& options);

}  // namespace authctl::cli
