#include "backends/session.hpp"

#include <algorithm>

#include "backends/neuron.hpp"
#include "core/crypto.hpp"
#include "core/error.hpp"
#include "core/keep_fresh_rule.hpp"
#include "core/refresh_rule.hpp"
#include "core/timeutil.hpp"

namespace authctl::backends {

namespace {

// What a caller needs of the token, and what a renewal asks for.
struct Need {
  int64_t min_valid = 0;
  bool force = false;
  bool keep_fresh = false;  // the keep-fresh rule (keep_fresh_rule.hpp), not the refresh rule
};

bool good_enough(const store::Profile& profile, const Need& need) {
  if (need.force) return false;
  if (!need.keep_fresh)
    return refresh_rule::fresh_enough(profile.expires, profile.clock_offset, need.min_valid,
                                      timeutil::now());
  if (!profile.expires) return true;
  const int64_t life =
      keep_fresh_rule::lifetime(*profile.expires, profile.issued_at, profile.seconds);
  return !keep_fresh_rule::renew_due(*profile.expires, life, need.min_valid,
                                     timeutil::now() + profile.clock_offset);
}

// A new token for `profile`: Refresh while it is valid; a new login (password without a
// prompt) when it has expired or the server rejected it.
NeuronToken renew(const store::Profile& profile, const std::string& name, NeuronClient& neuron,
                  int64_t seconds, const PasswordSource& password) {
  std::optional<NeuronToken> token;
  const bool expired = profile.expires && refresh_rule::expired(*profile.expires, timeutil::now(),
                                                                profile.clock_offset);
  if (!expired) {
    try {
      token = neuron.refresh(profile.token, seconds);
    } catch (const Error& e) {
      if (e.code() != ExitCode::auth) throw;  // only a rejected token falls back to login
    }
  }
  if (!token) {
    std::optional<std::string> secret = password ? password() : std::nullopt;
    if (!secret)
      throw Error(ExitCode::auth,
                  "the token of profile " + name + (expired ? " has expired" : " was rejected"),
                  Reason::relogin_needed);
    token = neuron.login(profile.user, *secret, seconds);
    crypto::wipe(*secret);
  }
  return *token;
}

ValidToken ensure(store::Store& store, const std::string& name, const Need& need,
                  const std::function<net::ClientOptions(const store::Profile&)>& client_options,
                  const PasswordSource& password) {
  ValidToken result;
  result.name = name;
  bool shortfall = false;
  store.update([&](store::Credentials& credentials) {
    auto it = credentials.profiles.find(name);
    if (it == credentials.profiles.end())
      throw Error(ExitCode::auth, "profile " + name + " no longer exists", Reason::profile_gone);
    store::Profile& profile = it->second;
    store::require_secret(name, profile);  // a keyring profile: its token, or why not
    // Another process may have refreshed while this one waited for the lock; only a Neuron
    // token is ever refreshed.
    if (good_enough(profile, need) || profile.kind != store::Kind::neuron) {
      result.profile = profile;
      return false;
    }
    net::HttpClient http(client_options(profile));
    NeuronClient neuron(http, profile.url);
    // Keeping fresh asks for the profile's own lifetime: min-valid + 5m would defeat a
    // short one (issue 13).
    const int64_t seconds = need.keep_fresh
                                ? std::clamp<int64_t>(profile.seconds, 1, refresh_rule::kMaxSeconds)
                                : refresh_rule::seconds_to_ask(profile.seconds, need.min_valid);
    const NeuronToken token = renew(profile, name, neuron, seconds, password);
    profile.token = token.jwt;
    profile.expires = token.expires;
    profile.issued_at = token.issued_at;
    profile.clock_offset = token.clock_offset;
    result.profile = profile;
    result.refreshed = true;
    if (!refresh_rule::fresh_enough(profile.expires, profile.clock_offset, need.min_valid,
                                    timeutil::now()))
      shortfall = true;  // stored all the same: it is the newest token there is
    return true;
  });
  if (shortfall)
    throw Error(ExitCode::error,
                "the server issued a token valid for less than " +
                    timeutil::format_duration(need.min_valid),
                Reason::min_valid_too_long);
  return result;
}

}  // namespace

ValidToken ensure_valid(
    store::Store& store, const std::string& name, int64_t min_valid,
    const std::function<net::ClientOptions(const store::Profile&)>& client_options,
    const PasswordSource& password, bool force) {
  return ensure(store, name, Need{min_valid, force, false}, client_options, password);
}

ValidToken ensure_kept_fresh(
    store::Store& store, const std::string& name, int64_t min_valid,
    const std::function<net::ClientOptions(const store::Profile&)>& client_options,
    const PasswordSource& password) {
  return ensure(store, name, Need{min_valid, false, true}, client_options, password);
}

bool renewal_due(const store::Profile& profile, int64_t min_valid) {
  return !good_enough(profile, Need{min_valid, false, true});
}

}  // namespace authctl::backends
