// A token file kept fresh for long-running work, shared by token --watch (a sidecar) and
// exec --keep-fresh (AUTHCTL_TOKEN_FILE): renewed by the keep-fresh rule through the store's
// single flight (backends::ensure_kept_fresh), retried with backoff after a network failure
// or 5xx while the token lasts; what waits between renewals (a signal, CMD) is the caller's.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "backends/session.hpp"
#include "cli/context.hpp"
#include "store/token_file.hpp"

namespace authctl::cli {

class TokenKeeper {
 public:
  // Called after each write of the file: `first` for the first.
  using Published = std::function<void(const store::Profile& profile, bool first)>;

  TokenKeeper(Context& context, std::string name, store::Profile profile, int64_t min_valid,
              backends::PasswordSource password, store::TokenFile& file, Published published);

  // Writes the first token.
  void start();
  // How long to wait before tick() has something to do: until the next renewal or retry,
  // never more than 30 s (the wall clock is looked at again then; suspend and clock jumps);
  // -1 when the token never needs renewing (Nexterm: written once).
  int64_t wait_ms() const;
  // Renews when due (the test clock of AUTHCTL_TEST_CLOCK_FILE applied first). When the token
  // cannot be kept fresh, throws: auth (refused or expired, no password), network (renewals
  // failed for a network reason until it expired), or the error as it came.
  void tick();

  const std::string& name() const { return name_; }

 private:
  int64_t server_now() const;
  bool due(int64_t now) const;
  void attempt(int64_t now);
  backends::ValidToken renewed();
  void fail_later(const Error& e, int64_t now);

  Context& context_;
  const std::string name_;
  store::Profile profile_;  // the one whose token is in the file
  const int64_t min_valid_;
  backends::PasswordSource password_;
  store::TokenFile& file_;
  Published published_;
  int failures_ = 0;              // renewals failed in a row
  std::optional<int64_t> retry_;  // server time of the next try after a failure
  bool outage_ = false;           // the last failure was the network's
  std::string last_failure_;
};

// The profile in use with a token fresh by the keep-fresh rule, refused (usage) when
// min_valid is not under half the lifetime it asks for. Returns its name in `name`.
store::Profile first_kept_token(Context& context, int64_t min_valid,
                                const backends::PasswordSource& password, std::string& name);

// Test hooks (environment only, never options): AUTHCTL_TEST_CLOCK_FILE names a file holding
// seconds to add to authctl's clock, read again at every wake-up, so that a test moves it with
// the test broker's; AUTHCTL_TEST_WAKE_MS shortens the longest sleep (30 s).
void apply_test_clock();

}  // namespace authctl::cli
