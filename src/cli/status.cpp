// authctl status: every profile with its kind, host, user and expiry; the current one marked.
#include <array>
#include <iomanip>
#include <iostream>

#include "backends/session_client.hpp"
#include "cli/commands.hpp"
#include "core/error.hpp"
#include "core/refresh_rule.hpp"
#include "core/text.hpp"
#include "core/timeutil.hpp"
#include "term/tty.hpp"

namespace authctl::cli {

namespace {

struct StatusOptions {
  bool check = false;
  bool names = false;
};

struct Row {
  std::string name;
  const store::Profile* profile;
  bool valid;
  std::string check;  // "", "ok", "rejected", "unreachable", "error"
};

std::string ask_server(Context& context, const store::Profile& profile) {
  try {
    context.connect(profile)->account();
    return "ok";
  } catch (const Error& e) {
    if (e.code() == ExitCode::auth) return "rejected";
    if (e.code() == ExitCode::network) return "unreachable";
    if (e.code() == ExitCode::rate_limited) return "rate_limited";
    return "error";
  }
}

// The store's text (names, urls, users) escaped for the terminal.
void print_profiles_table(const std::vector<Row>& rows, const std::string& current, int64_t now) {
  std::vector<std::array<std::string, 4>> shown;
  size_t name_w = 4, url_w = 3, user_w = 4;
  for (const auto& row : rows) {
    shown.push_back({text::printable(row.name), store::kind_name(row.profile->kind),
                     text::printable(row.profile->url), text::printable(row.profile->user)});
    name_w = std::max(name_w, shown.back()[0].size());
    url_w = std::max(url_w, shown.back()[2].size());
    user_w = std::max(user_w, shown.back()[3].size());
  }
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& row = rows[i];
    const auto& p = *row.profile;
    std::string expiry =
        backends::holds_api_key(p) ? "API key, does not expire" : "session, does not expire";
    if (p.expires) {
      int64_t server_now = now + p.clock_offset;
      expiry = (*p.expires > server_now ? "expires " : "expired ") +
               timeutil::format_relative(*p.expires, server_now);
    }
    std::cout << (row.name == current ? "* " : "  ") << term::pad(shown[i][0], name_w + 1)
              << term::pad(shown[i][1], 8) << term::pad(shown[i][2], url_w + 1)
              << term::pad(shown[i][3], user_w + 1) << expiry;
    if (!row.check.empty()) std::cout << "  [" << row.check << "]";
    if (p.storage == store::Storage::keyring)
      std::cout << (p.secret == store::SecretState::here   ? "  (keyring)"
                    : p.secret == store::SecretState::gone ? "  (keyring: token gone)"
                                                           : "  (keyring unreachable)");
    if (p.enabled && !*p.enabled) std::cout << "  (account not yet enabled)";
    std::cout << "\n";
  }
}

// {"current","profiles":[{profile_json..., "current","valid","check"?}]}
void print_profiles_json(const Context& context, const std::vector<Row>& rows,
                         const std::string& current) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& row : rows) {
    nlohmann::json item = profile_json(row.name, *row.profile);
    item["current"] = row.name == current;
    item["valid"] = row.valid;
    if (row.profile->secret != store::SecretState::here)
      item["storage_problem"] = row.profile->secret_problem;
    if (!row.check.empty()) item["check"] = row.check;
    list.push_back(item);
  }
  context.print_json(
      {{"current", current.empty() ? nlohmann::json(nullptr) : nlohmann::json(current)},
       {"profiles", list}});
}

// --names: one per line, or {"profiles":[names]} with --json (exact there).
void print_names(const Context& context, const store::Credentials& credentials) {
  if (context.global.json) {
    nlohmann::json names = nlohmann::json::array();
    for (const auto& entry : credentials.profiles) names.push_back(entry.first);
    context.print_json({{"profiles", names}});
    return;
  }
  // Escaped: a hand-edited name holding a newline or an escape must not split a name or
  // reach the terminal (completion reads one name per line, as data).
  for (const auto& entry : credentials.profiles) std::cout << text::printable(entry.first) << "\n";
}

// The exit code says whether the profile in use is usable.
void check_in_use(Context& context, const store::Credentials& credentials,
                  const std::vector<Row>& rows, const std::string& in_use) {
  if (in_use.empty() || !credentials.find(in_use)) {
    throw Error(ExitCode::auth, in_use.empty() ? "no profile in use" : "no profile named " + in_use,
                credentials.profiles.empty() ? "run authctl login --host HOST -u USER"
                                             : "pick one with authctl switch PROFILE");
  }
  for (const auto& row : rows) {
    if (row.name != in_use) continue;
    if (row.profile->secret != store::SecretState::here) {  // a keyring profile's token
      context.hints.profile = profile_in_use(in_use, *row.profile);
      store::require_secret(row.name, *row.profile);
    }
    if (row.check == "unreachable")
      throw Error(ExitCode::network, "could not reach the server of profile " + in_use,
                  "check your network, then retry");
    if (row.check == "rate_limited")
      throw Error(ExitCode::rate_limited,
                  "the server of profile " + in_use + " is rate limiting this client",
                  "wait, then retry");
    if (row.check == "error")
      throw Error(ExitCode::error, "the server of profile " + in_use + " gave an unexpected answer",
                  "retry later; authctl -v status --check shows the exchange");
    if (!row.valid) {
      // The hint names the command that logs this profile in again.
      context.hints.profile = profile_in_use(in_use, *row.profile);
      throw Error(ExitCode::auth, "the token of profile " + in_use + " is expired or rejected",
                  Reason::session_ended, ErrorFacts{});
    }
  }
}

void run_status(Context& context, const StatusOptions& options) {
  store::Store store = context.open_store();
  // Names need no secrets: completion never waits for (or loads) the keyring.
  if (options.names) store.set_secret_keeper(nullptr);
  const auto credentials = store.load();
  if (!options.names) warn_unusable(credentials);  // completion reads --names: keep it quiet
  if (options.names) {                             // for shell completion and scripts
    print_names(context, credentials);
    return;
  }
  context.check_profile_option(credentials);
  const std::string in_use =
      context.explicit_profile().empty() ? credentials.current : context.explicit_profile();
  const int64_t now = timeutil::now();
  std::vector<Row> rows;
  for (const auto& [name, profile] : credentials.profiles) {
    Row row{name, &profile, true, ""};
    if (profile.expires)
      row.valid = !refresh_rule::expired(*profile.expires, now, profile.clock_offset);
    if (profile.secret != store::SecretState::here) {
      row.valid = false;  // no token to use or ask about
    } else if (options.check) {
      row.check = ask_server(context, profile);
      row.valid = row.valid && row.check == "ok";
    }
    rows.push_back(row);
  }
  if (context.global.json) {
    print_profiles_json(context, rows, credentials.current);
  } else if (rows.empty()) {
    std::cout << "No profiles in " << store.dir() << "\n";
  } else {
    print_profiles_table(rows, credentials.current, now);
  }
  check_in_use(context, credentials, rows, in_use);
}

}  // namespace

void register_status(CLI::App& app, Context& context) {
  auto options = std::make_shared<StatusOptions>();
  auto* cmd = app.add_subcommand("status", "Every profile: kind, host, user, expiry");
  cmd->add_flag("--check", options->check, "Ask each server whether the token is still accepted");
  cmd->add_flag("--names", options->names, "Print only the profile names, one per line");
  cmd->callback([&context, options] { run_status(context, *options); });
}

}  // namespace authctl::cli
