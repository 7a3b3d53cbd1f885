// Storing a new session as a profile, with the design's profile rules: the name defaults to
// USER@HOST[:PORT] (lower case), -p names it, a new login becomes current, and a name that
// belongs to another URL is refused unless --force.
#pragma once

#include <optional>
#include <string>

#include "cli/context.hpp"
#include "store/credentials.hpp"

namespace authctl::cli {

// -p NAME, else "user@authority" in lower case.
std::string profile_name_for(const Context& context, const std::string& user,
                             const std::string& authority);

// Throws Error(usage) when `name` is taken by another URL, or by another user of it, and
// force is off. `user` is "" when not known yet (a device code or QR code says who logs
// in). Called before any request (to fail fast) and again under the store lock.
void check_profile_name(const store::Credentials& credentials, const std::string& name,
                        const std::string& url, const std::string& user, bool force);

// Before a login request: creates the store folder and lock if needed and checks the name,
// so that a store that cannot be written fails now, not after the server made a session.
void prepare_store(const Context& context, const std::string& name, const std::string& url,
                   const std::string& user, bool force);

// Writes the profile and makes it current, under the store lock. Returns the profile it
// replaced, if any.
std::optional<store::Profile> save_profile(const Context& context, const std::string& name,
                                           const store::Profile& profile, bool force);

// After a new login replaced `old` on the same server: end the old session there, so that
// nothing is left behind that no profile points at (Nexterm sessions never expire). Best
// effort: a failure is only noted.
void retire_replaced(Context& context, const std::optional<store::Profile>& old,
                     const store::Profile& now);

// A session a login just made, and the profile name it is stored under: what every login
// method returns.
struct NewSession {
  std::string name;
  store::Profile profile;
};

// Saves `session` (unless no_store) as the current profile, ending the session it replaced
// on the same server (retire_replaced). When the name turns out to be taken (the user who
// signed a QR code or approved a device code is another than the profile's), the new
// session is ended again before the error goes on: nothing is left on the server.
void finish_login(Context& context, const NewSession& session, bool force, bool no_store);

struct LoginOutput {
  bool no_store = false;        // "nothing stored", and "profile": null
  bool print_token = false;     // the token on stdout (or in the JSON)
  const char* event = nullptr;  // the JSON "event" of a waiting login ("logged_in")
  // An account made just now (account create): "Created USER on URL" instead of "Logged in
  // to URL as USER (token expires ...)".
  bool created = false;
};

// A login's result: one line on stderr, or one JSON object on stdout with --json.
void print_login(const Context& context, const NewSession& session, const LoginOutput& output);

// A new session's profile: what every login records, including how it logged in (for the
// hint that says how to log in again) and the CA to remember: --cacert or
// AUTHCTL_CA_BUNDLE, else the one of the profile a login re-uses (Context::relogin_cacert).
store::Profile new_profile(const Context& context, store::Kind kind, store::LoginMethod method,
                           const std::string& url, const std::string& user,
                           const std::string& token, int64_t clock_offset);

}  // namespace authctl::cli
