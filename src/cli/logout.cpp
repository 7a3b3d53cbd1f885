// authctl logout: revoke on the server, then forget the profile locally.
#include <iostream>
#include <vector>

#include "cli/commands.hpp"
#include "cli/forget_profile.hpp"
#include "cli/hints.hpp"
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
    throw Error(
        ExitCode::network, std::string(e.what()) + "; profile " + name + " was kept",
        // -p always: with --all, or with no current profile, a bare --local would
        // forget another profile or none. Quoted: it is a command to be typed.
        "retry, or forget it without the server: authctl logout --local " + profile_argument(name));
  }
  return {};
}

// What logging out of several profiles did, for the summary and --json.
struct LogoutReport {
  std::vector<std::string> logged_out;
  nlohmann::json failed = nlohmann::json::array();  // [{"profile","error"}]
  std::optional<Error> first_failure;               // for the exit code
};

// Removes an unusable profile (store::Credentials::skipped) from the file: the one way a
// user's data leaves the store on purpose. Its token is not trusted, so nothing is sent.
void forget_unusable(const Context& context, store::Store& store, const std::string& name,
                     LogoutReport& report) {
  store.update([&](store::Credentials& credentials) {
    if (!credentials.skipped.erase(name)) return false;
    if (credentials.skipped_current == name) credentials.skipped_current.clear();
    return true;
  });
  report.logged_out.push_back(name);
  if (!context.global.json)
    std::cerr << "Forgot the unusable profile " << text::printable(name) << " (locally only)\n";
}

// Unusable profiles named by -p, or all of them with --all: only --local can remove them.
// Returns whether -p named one (then nothing else is to be done).
bool logout_unusable(Context& context, store::Store& store, const store::Credentials& snapshot,
                     const LogoutOptions& options, LogoutReport& report) {
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
                "forget it here with authctl logout --local " + profile_argument(named));
  }
  for (const auto& entry : snapshot.skipped)
    if (options.all ? !snapshot.find(entry.first) : entry.first == named)
      forget_unusable(context, store, entry.first, report);
  return !options.all;
}

// Reports an error of one profile of several (main() prints a single one itself) and keeps
// the first, for the exit code.
void note_failure(Context& context, const std::string& name, const Error& e, size_t count,
                  LogoutReport& report) {
  if (count == 1) throw e;
  std::cerr << error_line(e, context.hints) << "\n";
  report.failed.push_back({{"profile", name}, {"error", e.what()}});
  if (!report.first_failure) report.first_failure = e;
}

// Logs out of one profile of `snapshot`. Returns the profile that became current as the
// only one left ("" when none did); a failure goes to note_failure.
std::string logout_one(Context& context, store::Store& store, const std::string& name,
                       const store::Profile& profile, const LogoutOptions& options, size_t count,
                       LogoutReport& report) {
  std::string note;
  // A keyring profile whose item is gone has no token to end its session with: it is
  // removed here only (an unreachable keyring is an error, unless --local).
  const bool token_gone = profile.secret == store::SecretState::gone;
  if (token_gone && !options.local) note = "its token was gone from the keyring: removed here only";
  if (!options.local && !token_gone) {
    try {
      store::require_secret(name, profile);
      note = revoke(context, name, profile);
    } catch (const Error& e) {
      note_failure(context, name, e, count, report);
      return {};
    }
  }
  const Forgotten forgotten =
      forget_profile(store, name, options.local || token_gone ? nullptr : &profile.token);
  if (forgotten.outcome == Forgotten::renewed) {
    note_failure(context, name,
                 Error(ExitCode::error,
                       "profile " + name + " got a new token while logging out; it was kept",
                       "run authctl logout again"),
                 count, report);
    return {};
  }
  report.logged_out.push_back(name);
  if (!context.global.json)
    std::cerr << "Logged out of " << text::printable(name)
              << (options.local ? " (locally only)" : "") << (note.empty() ? "" : " (" + note + ")")
              << "\n";
  return forgotten.new_current;
}

// {"logged_out":[names],"current":NAME|null,"failed":[{"profile","error"}]}, or the line
// that says which profile became current as the only one left.
void print_logout(Context& context, store::Store& store, const LogoutReport& report,
                  const std::string& promoted) {
  if (context.global.json) {
    const std::string current = store.load().current;
    context.print_json(
        {{"logged_out", report.logged_out},
         {"current", current.empty() ? nlohmann::json(nullptr) : nlohmann::json(current)},
         {"failed", report.failed}});
  } else if (!promoted.empty()) {
    std::cerr << "Current profile: " << text::printable(promoted) << " (the only one left)\n";
  }
}

void run_logout(Context& context, const LogoutOptions& options) {
  store::Store store = context.open_store();
  const store::Credentials snapshot = store.load();
  LogoutReport report;
  if (logout_unusable(context, store, snapshot, options, report))
    return print_logout(context, store, report, {});
  std::vector<std::string> names;
  if (options.all) {
    for (const auto& entry : snapshot.profiles) names.push_back(entry.first);
    if (names.empty()) {
      if (options.local && !snapshot.skipped.empty())  // those were all there was
        return print_logout(context, store, report, {});
      throw Error(ExitCode::auth, "not logged in", "nothing to log out of");
    }
  } else {
    warn_unusable(snapshot);
    names.push_back(context.select_profile(snapshot));
  }
  std::string promoted;  // the profile made current as the only one left, while it is
  for (const auto& name : names) {
    std::string now_current =
        logout_one(context, store, name, snapshot.profiles.at(name), options, names.size(), report);
    if (!now_current.empty()) promoted = std::move(now_current);
    if (promoted == name) promoted.clear();  // --all: logged out of it in turn
  }
  print_logout(context, store, report, promoted);
  if (report.first_failure)
    throw Error(report.first_failure->code(), "some profiles could not be logged out",
                context.global.json ? "see \"failed\" in the output" : "see above");
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
