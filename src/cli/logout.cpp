// authctl logout: revoke on the server, then forget the profile locally.
#include <iostream>
#include <vector>

#include "cli/commands.hpp"
#include "core/error.hpp"
#include "core/text.hpp"
#include "term/tty.hpp"

namespace authctl::cli {

namespace {

struct LogoutOptions {
  bool all = false;
  bool local = false;
};

// Asks the server to end the session. Returns a note when the server had already rejected
// the token (still removed locally); throws on a network failure (the profile is kept).
std::string revoke(Context& context, const std::string& name, const store::Profile& profile) {
  try {
    switch (context.connect(profile)->logout()) {
      case backends::LogoutOutcome::ended:
        return {};
      case backends::LogoutOutcome::already_ended:
        return "the server had already ended this session";
      case backends::LogoutOutcome::key_kept:
        return "an API key stays valid until revoked: authctl apikey revoke ID, from a session";
    }
  } catch (const Error& e) {
    if (e.code() != ExitCode::network) throw;
    throw Error(ExitCode::network, std::string(e.what()) + "; profile " + name + " was kept",
                // -p always: with --all, or with no current profile, a bare --local would
                // forget another profile or none.
                "retry, or forget it without the server: authctl logout --local -p " + name);
  }
  return {};
}

// Removes an unusable profile (store::Credentials::skipped) from the file: the one way a
// user's data leaves the store on purpose. Its token is not trusted, so nothing is sent.
void forget_unusable(store::Store& store, const std::string& name) {
  store.update([&](store::Credentials& credentials) {
    if (!credentials.skipped.erase(name)) return false;
    if (credentials.skipped_current == name) credentials.skipped_current.clear();
    return true;
  });
  std::cerr << "Forgot the unusable profile " << text::printable(name) << " (locally only)\n";
}

// Unusable profiles named by -p, or all of them with --all: only --local can remove them.
// Returns whether -p named one (then nothing else is to be done).
bool logout_unusable(Context& context, store::Store& store, const store::Credentials& snapshot,
                     const LogoutOptions& options) {
  const std::string& named = context.explicit_profile();
  if (!options.all && (named.empty() || !snapshot.skipped.count(named) || snapshot.find(named)))
    return false;
  if (!options.local) {
    warn_unusable(snapshot);
    if (options.all) return false;
    throw Error(ExitCode::error,
                "profile " + text::printable(named) +
                    " is unusable, so it cannot be logged out "
                    "on the server",
                "forget it here with authctl logout --local -p " + text::printable(named));
  }
  for (const auto& entry : snapshot.skipped)
    if (options.all ? !snapshot.find(entry.first) : entry.first == named)
      forget_unusable(store, entry.first);
  return !options.all;
}

void run_logout(Context& context, const LogoutOptions& options) {
  store::Store store = context.open_store();
  const store::Credentials snapshot = store.load();
  if (logout_unusable(context, store, snapshot, options)) return;
  std::vector<std::string> names;
  if (options.all) {
    for (const auto& entry : snapshot.profiles) names.push_back(entry.first);
    if (names.empty()) {
      if (options.local && !snapshot.skipped.empty()) return;  // those were all there was
      throw Error(ExitCode::auth, "not logged in", "nothing to log out of");
    }
  } else {
    warn_unusable(snapshot);
    names.push_back(context.select_profile(snapshot));
  }
  std::optional<Error> first_failure;
  for (const auto& name : names) {
    const store::Profile& profile = snapshot.profiles.at(name);
    std::string note;
    if (!options.local) {
      try {
        note = revoke(context, name, profile);
      } catch (const Error& e) {
        if (names.size() == 1) throw;  // main() prints it, once
        std::cerr << error_line(e, context.hints) << "\n";
        if (!first_failure) first_failure = e;
        continue;
      }
    }
    bool renewed = false;
    store.update([&](store::Credentials& credentials) {
      auto it = credentials.profiles.find(name);
      if (it == credentials.profiles.end()) return false;
      // A refresh or login since the snapshot holds a session that was not revoked: keep it.
      if (!options.local && it->second.token != profile.token) {
        renewed = true;
        return false;
      }
      credentials.profiles.erase(it);
      if (credentials.current == name) credentials.current.clear();
      return true;
    });
    if (renewed) {
      Error e(ExitCode::error,
              "profile " + name + " got a new token while logging out; it was kept",
              "run authctl logout again");
      if (names.size() == 1) throw e;
      std::cerr << error_line(e, context.hints) << "\n";
      if (!first_failure) first_failure = e;
      continue;
    }
    std::cerr << "Logged out of " << name << (options.local ? " (locally only)" : "")
              << (note.empty() ? "" : " (" + note + ")") << "\n";
  }
  if (first_failure)
    throw Error(first_failure->code(), "some profiles could not be logged out", "see above");
}

}  // namespace

void register_logout(CLI::App& app, Context& context) {
  auto options = std::make_shared<LogoutOptions>();
  auto* cmd = app.add_subcommand("logout", "Revoke the session on the server, then forget it");
  cmd->add_flag("--all", options->all, "Every local profile");
  cmd->add_flag("--local", options->local, "Forget locally without asking the server");
  cmd->callback([&context, options] { run_logout(context, *options); });
}

}  // namespace authctl::cli
