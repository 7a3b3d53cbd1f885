#include "cli/profiles.hpp"

#include <cctype>
#include <cstdlib>
#include <iostream>

#include "backends/neuron.hpp"
#include "backends/nexterm.hpp"
#include "core/error.hpp"
#include "core/text.hpp"
#include "core/timeutil.hpp"
#include "core/validate.hpp"
#include "term/tty.hpp"

namespace authctl::cli {

std::string profile_name_for(const Context& context, const std::string& user,
                             const std::string& authority) {
  if (!context.explicit_profile().empty()) return context.explicit_profile();
  std::string name = user + "@" + authority;
  for (char& c : name) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  // A server chooses the user name: any byte outside the profile-name alphabet (a shell
  // metacharacter, a control, a non-ASCII letter) becomes %XX, so the name stays safe to
  // complete, print and type. The profile's `user` keeps the real name.
  return validate::profile_name_part(name);
}

void check_profile_name(const store::Credentials& credentials, const std::string& name,
                        const std::string& url, const std::string& user, bool force) {
  const store::Profile* existing = credentials.find(name);
  if (!existing && !name.empty() && !validate::is_profile_name(name))  // a -p NAME
    throw Error(ExitCode::usage, "'" + name + "' is not a valid profile name",
                "a profile name is 1 to 255 of A-Z a-z 0-9 . _ - + @ : % [ ]; choose one with "
                "-p NAME");
  if (existing && existing->url != url && !force)
    throw Error(ExitCode::usage, "profile " + name + " belongs to " + existing->url,
                "choose another name with -p NAME, or replace it with --force");
  // User names compared as a server would (case aside): a session of another user under
  // this name would hand its later commands to someone else's account.
  if (existing && existing->url == url && !user.empty() && !force &&
      !text::equal_ignoring_case(existing->user, user))
    throw Error(ExitCode::usage,
                "profile " + name + " is " + text::printable(existing->user) + "'s, not " +
                    text::printable(user) + "'s",
                "log in as " + text::printable(user) +
                    " under another name with -p NAME, or replace it with --force");
}

void prepare_store(const Context& context, const std::string& name, const std::string& url,
                   const std::string& user, bool force) {
  context.open_store().update([&](const store::Credentials& credentials) {
    check_profile_name(credentials, name, url, user, force);
    return false;
  });
  // --secure-storage keyring: a keyring that cannot take the token now fails here, before a
  // server makes a session (and before a password is asked for).
  if (context.secure_storage() == store::Storage::keyring) context.keyring()->check_ready();
}

std::optional<store::Profile> save_profile(const Context& context, const std::string& name,
                                           const store::Profile& profile, bool force) {
  std::optional<store::Profile> replaced;
  store::Store store = context.open_store();
  store.update([&](store::Credentials& credentials) {
    // Another login may have raced; and a QR or device login knows its user only now.
    check_profile_name(credentials, name, profile.url, profile.user, force);
    if (const store::Profile* old = credentials.find(name)) replaced = *old;
    store::Profile stored = profile;
    // Logging in again to a keyring profile keeps it there, unless --secure-storage says.
    if (replaced && context.secure_storage_name.empty()) stored.storage = replaced->storage;
    credentials.profiles[name] = stored;
    credentials.current = name;
    return true;
  });
  return replaced;
}

void retire_replaced(Context& context, const std::optional<store::Profile>& old,
                     const store::Profile& now) {
  if (!old || old->url != now.url || old->kind != now.kind || old->token == now.token) return;
  if (old->secret != store::SecretState::here) return;   // a keyring profile without its token
  if (backends::is_nexterm_api_key(old->token)) return;  // keys are revoked on purpose only
  try {
    context.connect(*old)->logout();  // already ended there is fine: nothing left behind
  } catch (const Error& e) {
    term::warn(std::string("the session this login replaced could not be ended: ") + e.what());
  }
}

store::Profile new_profile(const Context& context, store::Kind kind, store::LoginMethod method,
                           const std::string& url, const std::string& user,
                           const std::string& token, int64_t clock_offset) {
  store::Profile profile;
  profile.kind = kind;
  profile.method = method;
  profile.url = url;
  profile.user = user;
  profile.token = token;
  profile.clock_offset = clock_offset;
  profile.storage = context.secure_storage();
  // --cacert or AUTHCTL_CA_BUNDLE, as an absolute path: later calls run from anywhere.
  if (const std::string& cacert = context.global.cacert; !cacert.empty()) {
    char* absolute = realpath(cacert.c_str(), nullptr);
    profile.cacert = absolute ? absolute : cacert;
    free(absolute);
  } else {
    profile.cacert = context.relogin_cacert;  // already absolute: read from a profile
  }
  return profile;
}

// Ends a session that could not be stored (best effort; an API key is not a session).
void end_unsaved(Context& context, const store::Profile& profile) {
  if (backends::is_nexterm_api_key(profile.token)) return;
  try {
    context.connect(profile)->logout();
  } catch (const Error& e) {
    term::warn(std::string("the new session could not be ended: ") + e.what());
  }
}

void finish_login(Context& context, const NewSession& session, bool force, bool no_store) {
  if (no_store) return;
  std::optional<store::Profile> replaced;
  try {
    replaced = save_profile(context, session.name, session.profile, force);
  } catch (const Error& e) {
    // A name taken meanwhile, or a keyring that failed: nothing was stored, so nothing may
    // be left on the server either.
    const Reason why = e.reason();
    if (e.code() == ExitCode::usage || why == Reason::keyring_unreachable ||
        why == Reason::keyring_locked || why == Reason::keyring_unusable)
      end_unsaved(context, session.profile);
    throw;
  }
  retire_replaced(context, replaced, session.profile);
}

void print_login(const Context& context, const NewSession& session, const LoginOutput& output) {
  const store::Profile& profile = session.profile;
  if (context.global.json) {
    nlohmann::json out = profile_json(session.name, profile);
    if (output.no_store) out["profile"] = nullptr;  // nothing was stored under a name
    if (output.print_token) out["token"] = profile.token;
    if (output.event) out["event"] = output.event;
    context.print_json(out);
    return;
  }
  if (output.print_token) std::cout << profile.token << "\n";
  if (output.created)
    std::cerr << "Created " << text::printable(profile.user) << " on "
              << text::printable(profile.url);
  else
    std::cerr << "Logged in to " << text::printable(profile.url) << " as "
              << text::printable(profile.user);
  if (profile.expires && !output.created)
    std::cerr << " (token expires "
              << timeutil::format_relative(*profile.expires, timeutil::now() + profile.clock_offset)
              << ")";
  std::cerr << (output.no_store ? "; nothing stored" : "; profile " + text::printable(session.name))
            << "\n";
}

}  // namespace authctl::cli
