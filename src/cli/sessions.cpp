// authctl sessions: list and kill the Nexterm sessions of the account (admins cleaning up
// stale logins). Kills run in parallel through libcurl's multi interface.
#include <algorithm>
#include <array>
#include <iostream>
#include <optional>

#include "backends/nexterm.hpp"
#include "backends/session_selection.hpp"
#include "cli/commands.hpp"
#include "cli/forget_profile.hpp"
#include "cli/validators.hpp"
#include "core/error.hpp"
#include "core/text.hpp"
#include "core/timeutil.hpp"
#include "core/user_agent.hpp"
#include "term/tty.hpp"

namespace authctl::cli {

namespace {

struct ListOptions {
  std::string idle_for;
};

struct KillOptions {
  std::vector<int64_t> ids;
  bool others = false;
  std::string idle_for;
  bool yes = false;
  bool dry_run = false;
  int parallel = 8;
};

// A label, escaped for the terminal, then cut to `width` bytes (never inside an escape or a
// UTF-8 sequence).
std::string fit_column(const std::string& label, size_t width) {
  const std::string shown = text::printable(label);
  if (shown.size() <= width) return shown;
  size_t cut = width - 3;
  while (cut > 0 && (static_cast<unsigned char>(shown[cut]) & 0xC0) == 0x80) --cut;
  if (size_t slash = shown.rfind('\\', cut); slash != std::string::npos && cut - slash < 6)
    cut = slash;  // "\x1b", "\u009b": whole or not at all
  return shown.substr(0, cut) + "...";
}

size_t text_columns(const std::string& text) {
  size_t columns = 0;
  for (unsigned char c : text) columns += (c & 0xC0) != 0x80;  // code points
  return columns;
}

// Newest activity first, optionally only those idle for at least `idle_for` (server clock).
std::vector<backends::NextermSession> sorted_sessions(backends::NextermClient& nexterm,
                                                      const store::Profile& profile,
                                                      const std::string& idle_for) {
  auto sessions = nexterm.sessions(profile.token);
  std::optional<int64_t> min_idle;
  if (!idle_for.empty()) min_idle = parse_duration_or_throw(idle_for);
  return backends::newest_first(std::move(sessions), min_idle,
                                timeutil::now() + profile.clock_offset);
}

// The table of `sessions list`, which the kill preview shows too: a header, columns as wide
// as their widest cell, the current session marked with *, and a user agent shortened to
// what tells it apart (core/user_agent.hpp). A target the list does not hold (an id that
// sessions kill sends anyway: the server judges) has a row that says so.
void print_sessions_table(std::ostream& out, const std::vector<backends::KillTarget>& rows,
                          int64_t server_now) {
  std::vector<std::array<std::string, 4>> cells{{"ID", "LAST ACTIVE", "IP", "USER AGENT"}};
  for (const auto& row : rows) {
    const backends::NextermSession* s = row.listed;
    if (!s) {
      cells.push_back({std::to_string(row.id), "-", "-", "(not in the list)"});
      continue;
    }
    cells.push_back({std::to_string(s->id),
                     timeutil::format_relative(std::min(s->last_activity, server_now), server_now),
                     text::printable(s->ip), fit_column(user_agent::label(s->user_agent), 48)});
  }
  std::array<size_t, 3> widths{};
  for (const auto& line : cells)
    for (size_t i = 0; i < widths.size(); ++i)
      widths[i] = std::max(widths[i], text_columns(line[i]));
  for (size_t r = 0; r < cells.size(); ++r) {
    const bool current = r > 0 && rows[r - 1].listed && rows[r - 1].listed->current;
    out << (current ? "* " : "  ");
    for (size_t i = 0; i < widths.size(); ++i) out << term::pad(cells[r][i], widths[i] + 2);
    out << cells[r][3] << "\n";
  }
}

std::vector<backends::KillTarget> rows_of(const std::vector<backends::NextermSession>& sessions) {
  std::vector<backends::KillTarget> rows;
  for (const auto& s : sessions) rows.push_back(backends::KillTarget{s.id, &s});
  return rows;
}

void run_sessions_list(Context& context, const ListOptions& options) {
  auto [name, profile] = context.selected_profile(store::Kind::nexterm, "sessions list");
  backends::NextermClient nexterm = context.nexterm(profile);
  auto sessions = sorted_sessions(nexterm, profile, options.idle_for);
  if (context.global.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& s : sessions)
      list.push_back({{"id", s.id},
                      {"ip", s.ip},
                      {"user_agent", s.user_agent},
                      {"last_activity", timeutil::format_rfc3339(s.last_activity)},
                      {"current", s.current}});
    context.print_json({{"profile", name}, {"sessions", list}});
    return;
  }
  if (sessions.empty()) {
    std::cerr << "No sessions" << (options.idle_for.empty() ? "" : " idle for " + options.idle_for)
              << "\n";
    return;
  }
  print_sessions_table(std::cout, rows_of(sessions), timeutil::now() + profile.clock_offset);
}

std::string sessions_count(size_t count) {
  return std::to_string(count) + (count == 1 ? " session" : " sessions");
}

// The ids given that a filter left alone, so that none is dropped silently.
void print_dropped(const backends::KillSelection& selection, const KillOptions& options) {
  if (selection.dropped.empty()) return;
  std::string list;
  for (const auto& d : selection.dropped)
    list += (list.empty() ? "" : ", ") + std::to_string(d.id) +
            (d.why == backends::DroppedId::current_spared
                 ? " (this session: --others spares it)"
                 : " (not among the sessions idle for " + options.idle_for + ")");
  std::cerr << "Left alone: " << list << "\n";
}

// The preview, on stderr: what is about to go, as sessions list shows it.
void print_kill_targets(const backends::KillSelection& selection, const KillOptions& options,
                        int64_t server_now) {
  std::cerr << (options.dry_run ? "Would kill "
                : options.yes   ? "Killing "
                                : "About to kill ")
            << sessions_count(selection.targets.size()) << ":\n";
  print_sessions_table(std::cerr, selection.targets, server_now);
}

void confirm_kill(Context& context, const std::string& name, bool kills_current) {
  if (!context.can_prompt())
    throw Error(ExitCode::usage, "killing sessions needs confirmation and no terminal is there",
                "pass --yes to kill without asking, or --dry-run to only look");
  auto answer = term::prompt_line(
      std::string("Kill them") +
      (kills_current ? ", including this session (which logs out of " + text::printable(name) + ")"
                     : "") +
      "? [y/N] ");
  if (!answer || (*answer != "y" && *answer != "Y" && *answer != "yes"))
    throw Error(ExitCode::error, "cancelled: nothing killed", "");
}

// Deletes `order` (the current session, if `kills_current`, last and on its own). Per id:
// nullopt when deleted, else the error text.
std::vector<std::optional<std::string>> delete_in_order(backends::NextermClient& nexterm,
                                                        const store::Profile& profile,
                                                        const std::vector<int64_t>& order,
                                                        bool kills_current, int parallel) {
  std::vector<int64_t> first(order.begin(), order.end() - (kills_current ? 1 : 0));
  auto results = nexterm.delete_sessions(profile.token, first, parallel);
  if (kills_current) {
    auto last = nexterm.delete_sessions(profile.token, {order.back()}, 1);
    results.push_back(last.front());
  }
  return results;
}

// Whether the server now refuses `profile`'s token (401): an unreachable server or another
// failure says nothing about it.
bool token_refused(const Context& context, const store::Profile& profile) {
  try {
    context.connect(profile)->account();
    return false;
  } catch (const Error& e) {
    return e.code() == ExitCode::auth;
  }
}

// This session is gone: its profile goes too, as logout would remove it. Returns whether
// it did.
bool forget_killed_profile(Context& context, const std::string& name,
                           const store::Profile& profile) {
  // The server's word that this session was among them is believed only once it refuses
  // the token too: a server that marks another session `current` must not make authctl
  // drop a profile that still works.
  if (!token_refused(context, profile)) {
    term::note("The server called one of them this session, but it still accepts the token of " +
               text::printable(name) + ": the profile was kept");
    return false;
  }
  store::Store store = context.open_store();
  const Forgotten forgotten = forget_profile(store, name, &profile.token);
  if (forgotten.outcome != Forgotten::removed) {
    term::note("This session was among them" +
               std::string(forgotten.outcome == Forgotten::renewed
                               ? "; profile " + text::printable(name) +
                                     " holds a newer session since, so it was kept"
                               : " (its profile was removed meanwhile)"));
    return false;
  }
  term::note("This session was among them: logged out of " + text::printable(name) +
             " (the profile was removed)");
  if (!forgotten.new_current.empty())
    term::note("Current profile: " + text::printable(forgotten.new_current) +
               " (the only one left)");
  return true;
}

// Prints what was killed and what failed; a failure is exit 1. Killing this session logs
// its profile out.
void report_kills(Context& context, const std::string& name, const store::Profile& profile,
                  const std::vector<int64_t>& order,
                  const std::vector<std::optional<std::string>>& results, bool kills_current) {
  nlohmann::json killed = nlohmann::json::array(), failed = nlohmann::json::array();
  for (size_t i = 0; i < order.size(); ++i) {
    if (!results[i]) {
      killed.push_back(order[i]);
      if (!context.global.json) std::cout << "killed " << order[i] << "\n";
    } else {
      failed.push_back({{"id", order[i]}, {"error", *results[i]}});
      if (!context.global.json)
        std::cout << "failed " << order[i] << ": " << text::printable(*results[i]) << "\n";
    }
  }
  nlohmann::json logged_out = nlohmann::json::array();
  if (kills_current && !results.back() && forget_killed_profile(context, name, profile))
    logged_out.push_back(name);
  if (context.global.json)
    context.print_json(
        {{"profile", name}, {"killed", killed}, {"failed", failed}, {"logged_out", logged_out}});
  if (!failed.empty())
    throw Error(ExitCode::error,
                std::to_string(failed.size()) + " of " + sessions_count(order.size()) +
                    " could not be killed",
                context.global.json ? "see \"failed\" in the output" : "see the lines above");
}

void run_kill(Context& context, const KillOptions& options) {
  if (options.ids.empty() && !options.others && options.idle_for.empty())
    throw Error(ExitCode::usage, "sessions kill needs session ids, --others or --idle-for",
                "see authctl sessions list for the ids");
  if (!options.ids.empty() && options.others)
    throw Error(ExitCode::usage, "give session ids or --others, not both",
                "--others already means every session but this one");
  auto [name, profile] = context.selected_profile(store::Kind::nexterm, "sessions kill");
  backends::NextermClient nexterm = context.nexterm(profile);
  const auto sessions = sorted_sessions(nexterm, profile, options.idle_for);
  // The ids given (each must be listed unless the server should judge), else every listed
  // session, with --others leaving the current one alone.
  const backends::KillSelection selection = backends::select_kill(
      sessions, backends::KillRequest{options.ids, options.others, !options.idle_for.empty()});
  if (selection.targets.empty()) {
    if (context.global.json)
      context.print_json({{"profile", name},
                          {"killed", nlohmann::json::array()},
                          {"failed", nlohmann::json::array()},
                          {"logged_out", nlohmann::json::array()}});
    std::cerr << "No sessions to kill\n";
    print_dropped(selection, options);
    return;
  }
  print_kill_targets(selection, options, timeutil::now() + profile.clock_offset);
  print_dropped(selection, options);
  if (options.dry_run) {
    nlohmann::json would_kill = nlohmann::json::array();
    for (const auto& target : selection.targets) would_kill.push_back(target.id);
    if (context.global.json) context.print_json({{"profile", name}, {"would_kill", would_kill}});
    return;
  }
  const bool kills_current = selection.kills_current();
  if (!options.yes) confirm_kill(context, name, kills_current);
  const std::vector<int64_t> order = selection.deletion_order();
  const auto results = delete_in_order(nexterm, profile, order, kills_current, options.parallel);
  report_kills(context, name, profile, order, results, kills_current);
}

}  // namespace

void register_sessions(CLI::App& app, Context& context) {
  auto list_options = std::make_shared<ListOptions>();
  auto kill_options = std::make_shared<KillOptions>();
  auto* cmd = app.add_subcommand("sessions", "Nexterm: list and kill the account's sessions");
  cmd->require_subcommand(1);
  auto* list = cmd->add_subcommand("list", "The account's sessions, newest activity first");
  list->add_option("--idle-for", list_options->idle_for, "Only sessions idle at least DURATION")
      ->check(duration_validator(3650LL * 86400))
      ->type_name("DURATION");
  list->callback([&context, list_options] { run_sessions_list(context, *list_options); });

  auto* kill = cmd->add_subcommand("kill", "Kill sessions by id, --others, or --idle-for DURATION");
  kill->add_option("ids", kill_options->ids, "Session ids")->type_name("ID");
  kill->add_flag("--others", kill_options->others, "Every session but this one");
  kill->add_option("--idle-for", kill_options->idle_for, "Sessions idle at least DURATION")
      ->check(duration_validator(3650LL * 86400))
      ->type_name("DURATION");
  kill->add_flag("--yes", kill_options->yes, "Do not ask for confirmation");
  kill->add_flag("--dry-run", kill_options->dry_run, "Show what would be killed, kill nothing");
  kill->add_option("--parallel", kill_options->parallel, "Deletions in flight at once (default 8)")
      ->check(CLI::Range(1, 64).description(""))
      ->type_name("N");
  kill->callback([&context, kill_options] { run_kill(context, *kill_options); });
}

}  // namespace authctl::cli
