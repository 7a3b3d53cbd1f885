// Keeping a stored Neuron session usable: the refresh rule applied under the store lock,
// so that N processes needing a fresh token at once make one request and share its result.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "net/http.hpp"
#include "store/credentials.hpp"

namespace authctl::backends {

// A password obtainable without prompting (flag, file or environment), or nullopt.
using PasswordSource = std::function<std::optional<std::string>()>;

struct ValidToken {
  std::string name;
  store::Profile profile;
  bool refreshed = false;  // this process asked the server
};

// Returns the profile `name` with a token valid for at least `min_valid` seconds on the
// server clock. When it is not, takes the store lock, re-reads, and - if another process
// has not already done it - refreshes (or, for an expired token, logs in again with a
// password from `password`), then writes the store. `force` refreshes regardless.
// Throws authctl::Error(auth) "run authctl login" when neither is possible.
ValidToken ensure_valid(
    store::Store& store, const std::string& name, int64_t min_valid,
    const std::function<net::ClientOptions(const store::Profile&)>& client_options,
    const PasswordSource& password, bool force = false);

// The same for long-running work (token --watch, exec --keep-fresh): the token is renewed
// once less than max(min_valid, a third of its lifetime) is left (keep_fresh_rule), and a
// renewal asks for the profile's own `seconds`. Under the store lock after a re-read, so any
// number of watchers and execs of one profile cause one Refresh per renewal.
ValidToken ensure_kept_fresh(
    store::Store& store, const std::string& name, int64_t min_valid,
    const std::function<net::ClientOptions(const store::Profile&)>& client_options,
    const PasswordSource& password);

// Whether `profile` (as read, without the lock) is due for a keep-fresh renewal now. A
// token that does not expire never is.
bool renewal_due(const store::Profile& profile, int64_t min_valid);

}  // namespace authctl::backends
