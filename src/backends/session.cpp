#include "backends/session.hpp"

#include "backends/neuron.hpp"
#include "core/crypto.hpp"
#include "core/error.hpp"
#include "core/refresh_rule.hpp"
#include "core/timeutil.hpp"

namespace authctl::backends {

ValidToken ensure_valid(
    store::Store& store, const std::string& name, int64_t min_valid,
    const std::function<net::ClientOptions(const store::Profile&)>& client_options,
    const PasswordSource& password, bool force) {
  ValidToken result;
  result.name = name;
  bool shortfall = false;
  store.update([&](store::Credentials& credentials) {
    auto it = credentials.profiles.find(name);
    if (it == credentials.profiles.end())
      throw Error(ExitCode::auth, "profile " + name + " no longer exists", Reason::profile_gone);
    store::Profile& profile = it->second;
    // Another process may have refreshed while this one waited for the lock; only a Neuron
    // token is ever refreshed.
    if ((!force && refresh_rule::fresh_enough(profile.expires, profile.clock_offset, min_valid,
                                              timeutil::now())) ||
        profile.kind != store::Kind::neuron) {
      result.profile = profile;
      return false;
    }
    net::HttpClient http(client_options(profile));
    NeuronClient neuron(http, profile.url);
    const int64_t seconds = refresh_rule::seconds_to_ask(profile.seconds, min_valid);
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
    profile.token = token->jwt;
    profile.expires = token->expires;
    profile.clock_offset = token->clock_offset;
    result.profile = profile;
    result.refreshed = true;
    if (!refresh_rule::fresh_enough(profile.expires, profile.clock_offset, min_valid,
                                    timeutil::now()))
      shortfall = true;  // stored all the same: it is the newest token there is
    return true;
  });
  if (shortfall)
    throw Error(
        ExitCode::error,
        "the server issued a token valid for less than " + timeutil::format_duration(min_valid),
        Reason::min_valid_too_long);
  return result;
}

}  // namespace authctl::backends
