// authctl device-link: Nexterm device codes. Without a subcommand, logs this machine in
// (code + link + QR, then polling); `approve` authorizes a waiting device from this
// session; `status` shows a code's state; `phone` links the mobile app to this session.
#include "cli/device_link.hpp"
#include "cli/validators.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <optional>
#include <vector>

#include "backends/nexterm.hpp"
#include "backends/waiting_flows.hpp"
#include "cli/commands.hpp"
#include "cli/profiles.hpp"
#include "core/error.hpp"
#include "core/text.hpp"
#include "core/timeutil.hpp"
#include "core/user_agent.hpp"
#include "term/interrupt.hpp"
#include "term/tty.hpp"
#include "term/waiter.hpp"

namespace authctl::cli {

namespace {

constexpr int64_t kLoginInterval = 4;  // s; Nexterm gives none, its own clients use 3-5 s
constexpr int64_t kPhoneInterval = 3;

std::string upper_code(std::string code) {
  for (char& c : code) c = static_cast<char>(toupper(static_cast<unsigned char>(c)));
  static const std::string kAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
  bool ok = code.size() == 9 && code[4] == '-';
  for (size_t i = 0; ok && i < code.size(); ++i)
    if (i != 4) ok = kAlphabet.find(code[i]) != std::string::npos;
  if (!ok)
    throw Error(ExitCode::usage, "'" + code + "' is not a device code",
                "codes look like ABCD-EFGH (letters and digits, no 0, O, 1, I or L)");
  return code;
}

struct ApproveOptions {
  std::string code;
  bool yes = false;
};

void run_approve(Context& context, const ApproveOptions& options) {
  const std::string code = upper_code(options.code);
  auto [name, profile] = context.selected_profile(store::Kind::nexterm, "device-link approve");
  backends::NextermClient nexterm = context.nexterm(profile);
  const backends::DeviceInfo info = nexterm.device_info(profile.token, code);
  const int64_t now = timeutil::now() + profile.clock_offset;
  // The device chose these itself: escaped, so that a crafted User-Agent cannot redraw the
  // lines above it (device-code phishing: "\r\x1b[2K  IP address: 10.0.0.1").
  std::cerr << "Device waiting for code " << code << ":\n"
            << "  type:       " << text::printable(user_agent::client_type_label(info.client_type))
            << "\n"
            << "  IP address: " << text::printable(info.ip) << "\n"
            << "  User-Agent: " << text::printable(info.user_agent) << "\n"
            << "  expires:    " << timeutil::format_relative(info.expires_at, now) << "\n";
  if (!options.yes) {
    if (!context.can_prompt())
      throw Error(ExitCode::usage, "approving a device needs confirmation and no terminal is there",
                  "pass --yes to approve without asking");
    auto answer =
        term::prompt_line("Log this device in as " + text::printable(profile.user) + "? [y/N] ");
    if (!answer || (*answer != "y" && *answer != "Y" && *answer != "yes")) {
      throw Error(ExitCode::error, "cancelled: the device was not approved", "");
    }
  }
  nexterm.device_authorize(profile.token, code);
  if (context.global.json)
    context.print_json({{"profile", name}, {"code", code}, {"approved", true}});
  else
    std::cerr << "Approved: the device is now logged in as " << text::printable(profile.user)
              << "\n";
}

void run_device_status(Context& context, const std::string& raw_code) {
  const std::string code = upper_code(raw_code);
  auto [name, profile] = context.selected_profile(store::Kind::nexterm, "device-link status");
  const std::string status = context.nexterm(profile).link_status(profile.token, code);
  if (context.global.json)
    context.print_json({{"profile", name}, {"code", code}, {"status", status}});
  else if (status == "claimed")  // the server says so for unknown and expired codes too
    std::cout << "claimed (or unknown or expired)\n";
  else
    std::cout << text::printable(status) << "\n";
}

// The session device/authorize made for the phone, ended when the app never claims it.
// It is found through its own token: the poll token redeemed here (while the code is still
// valid) gives the session token, whose `current` entry of /api/sessions/list is the
// session, deleted by id with that same token. This works on an API-key profile too (which
// may not list sessions) and never touches another session; /api/auth/logout is not used.
class UnclaimedPhoneSession {
 public:
  UnclaimedPhoneSession(backends::NextermClient& nexterm, std::string poll_token,
                        std::vector<int64_t> fallback, const std::string& profile_token)
      : nexterm_(nexterm),
        poll_token_(std::move(poll_token)),
        fallback_(std::move(fallback)),
        profile_token_(profile_token) {}

  // False when the app has claimed it meanwhile (the poll token was already redeemed while
  // the code is still valid): nothing was ended then.
  bool end(bool code_expired) {
    try {
      std::string token;
      if (nexterm_.device_poll(poll_token_, &token) == "authorized") {
        end_own(token);
        return true;
      }
      if (!code_expired) return false;  // redeemed by the app
      // Expired codes cannot be redeemed: the ids seen right after authorize, if any.
      if (!fallback_.empty())
        report(nexterm_.delete_sessions(profile_token_, fallback_, 1));
      else
        term::warn(
            "the code expired before its session could be ended (see authctl sessions "
            "list)");
    } catch (const Error& e) {
      term::warn(std::string("could not end the unclaimed phone session: ") +
                 text::printable(e.what()) + " (see authctl sessions list)");
    }
    return true;
  }

 private:
  void end_own(const std::string& token) {
    const std::vector<int64_t> ids = backends::current_sessions(nexterm_.sessions(token));
    if (ids.size() != 1)
      throw Error(ExitCode::error, "the session list names no current session",
                  "end it with authctl sessions kill");
    report(nexterm_.delete_sessions(token, ids, 1));
  }
  static void report(const std::vector<std::optional<std::string>>& failed) {
    size_t ended = 0;
    for (const auto& f : failed) ended += !f.has_value();
    if (ended) term::note("Ended the session made for the phone, which was never claimed");
  }

  backends::NextermClient& nexterm_;
  std::string poll_token_;
  std::vector<int64_t> fallback_;
  const std::string& profile_token_;
};

// The code on stderr in human mode (a person can match it with device-link status CODE),
// never the link: it carries the poll token, a secret, and is only ever drawn.
void print_phone_code(Context& context, const backends::DeviceCode& device,
                      const store::Profile& profile, const std::string& authority,
                      int64_t local_expiry, bool draws_qr) {
  if (context.global.json) {
    context.print_json({{"event", "code"},
                        {"code", device.code},
                        {"expires_at", timeutil::format_rfc3339(device.expires_at)}});
    return;
  }
  const std::string account = text::printable(profile.user) + "@" + authority;
  const std::string expires = timeutil::format_relative(local_expiry, timeutil::now());
  if (draws_qr)
    std::cerr << "Scan this QR code with the Nexterm app to link it to " << account << " (code "
              << device.code << ", expires " << expires << "):\n";
  else
    std::cerr << "Link code " << device.code << " for " << account << " (expires " << expires
              << "); no QR code with --show-qr never\n";
}

// Waits at most until one interval before the code expires: its session can be redeemed
// (and so ended) until then.
PlannedWait phone_wait_plan(const Context& context, const WaitOptions& options,
                            int64_t local_expiry, std::string label) {
  WaitRequest request;
  request.interval = options.interval;
  request.wait = options.wait;
  request.default_interval = kPhoneInterval;
  request.expiry = local_expiry;
  request.stop_one_interval_early = true;
  request.label = std::move(label);
  return wait_plan(context, std::move(request));
}

// The app never used the code (its session was ended): exit 6.
[[noreturn]] void phone_not_claimed(const Context& context, const WaitOptions& options,
                                    WaitEnd end) {
  if (context.global.json) context.print_json(wait_end_json(end));
  if (end == WaitEnd::gave_up)
    throw Error(ExitCode::expired, "the app did not use the link within --wait " + options.wait,
                "run authctl device-link phone again (with a longer --wait)");
  throw Error(ExitCode::expired, "the link code expired before the app used it",
              "run authctl device-link phone again");
}

void run_phone(Context& context, const WaitOptions& options) {
  // Not a structured binding: the lambdas below use the profile (clang 14 refuses that).
  const auto selected = context.selected_profile(store::Kind::nexterm, "device-link phone");
  const store::Profile& profile = selected.second;
  backends::NextermClient nexterm = context.nexterm(profile);
  // device/authorize makes the phone's session at once: if the app never claims it, it is
  // ended again, so that nothing is left behind. A session profile also notes the new
  // session's id, for when the code expired before it could be redeemed here.
  const bool can_list = !backends::holds_api_key(profile);
  std::vector<backends::NextermSession> before;
  if (can_list) before = nexterm.sessions(profile.token);
  // From here a Ctrl-C must reach the clean-up below, not kill the process.
  term::InterruptGuard interrupt_guard;
  const backends::DeviceCode device = nexterm.device_create("mobile", profile.token);
  nexterm.device_authorize(profile.token, device.code);
  // Taken right away, so that sessions made later (another login here) are never touched.
  UnclaimedPhoneSession unclaimed(
      nexterm, device.poll_token,
      can_list
          ? backends::sessions_added(before, nexterm.sessions(profile.token), nexterm.user_agent())
          : std::vector<int64_t>{},
      profile.token);
  // The link carries the poll token, a secret: it is only ever drawn, never printed.
  const std::string link = backends::phone_link(profile.url, device.poll_token);
  const int64_t local_expiry = device.expires_at - device.clock_offset;
  WaitOptions always = options;
  if (always.show_qr == "auto") always.show_qr = "always";  // the QR is the whole point here
  print_phone_code(context, device, profile, nexterm.host().authority, local_expiry,
                   want_qr(always));
  WaitQrCode qr(context, always, link, WaitQrCode::Otherwise::enlarge);
  qr.show();
  PlannedWait planned = phone_wait_plan(context, options, local_expiry, device.code);
  planned.plan.on_resize = [&qr] { qr.on_resize(); };
  std::string status;
  bool done = false;
  try {
    done = term::wait_until(planned.plan, [&] {
      status = nexterm.link_status(profile.token, device.code);
      return status == "claimed" || status == "expired";
    });
  } catch (const Error& e) {
    if (e.code() == ExitCode::interrupted) unclaimed.end(timeutil::now() >= local_expiry);
    throw;
  }
  if (!done || status == "expired") {
    const bool ended = unclaimed.end(status == "expired" || timeutil::now() >= local_expiry);
    if (ended) phone_not_claimed(context, options, wait_end(planned, done));
  }
  if (context.global.json)
    context.print_json({{"event", "claimed"}, {"profile", selected.first}, {"code", device.code}});
  else
    std::cerr << "The app is linked to " << text::printable(profile.user) << "\n";
}

// device-link phone, whose options go after the word "phone".
void register_phone(CLI::App* cmd, Context& context, std::shared_ptr<WaitOptions> options) {
  auto* phone =
      cmd->add_subcommand("phone", "Link the Nexterm mobile app to this session with a QR code");
  add_wait_options(phone, *options, false);
  // Here auto draws it wherever stderr goes (see run_phone): say so.
  phone->get_option("--show-qr")
      ->description(
          "Draw the QR code: auto and always (even when stderr is not a terminal), never");
  phone->callback([&context, options, cmd] {
    // Options of device-link itself would be silently ignored here: say so. (Counted, not
    // read: the parent's values are not stored yet when this runs.)
    auto given = [cmd](const char* name) { return cmd->get_option(name)->count() > 0; };
    if (given("--host"))
      throw Error(ExitCode::usage, "device-link phone links the selected profile's server",
                  "leave out --host (choose the profile with -p NAME)");
    if (given("--qr-content") || given("--wait") || given("--interval") || given("--show-qr"))
      throw Error(ExitCode::usage, "give device-link phone's options after 'phone'",
                  "e.g. authctl device-link phone --wait 2m (--qr-content is not one of them)");
    run_phone(context, *options);
  });
}

}  // namespace

namespace {

// The code, the link and the other way to approve (from a logged-in machine), on stderr so
// that stdout stays clean for --print-token; or the first JSON line.
void show_device_code(const Context& context, const WaitOptions& options,
                      const backends::DeviceCode& device, const std::string& link,
                      int64_t local_expiry) {
  if (context.global.json) {
    context.print_json({{"event", "code"},
                        {"code", device.code},
                        {"link", link},
                        {"expires_at", timeutil::format_rfc3339(device.expires_at)}});
    return;
  }
  std::cerr << "To log this machine in, approve code " << device.code << " (it expires "
            << timeutil::format_relative(local_expiry, timeutil::now()) << "):\n  at " << link
            << (want_qr(options) ? ", or scan the QR code below" : "") << ",\n"
            << "  or run `authctl device-link approve " << device.code
            << "` on a machine that is logged in\n";
}

// Polls until the code is approved; returns its session token. Not approved is exit 6.
std::string await_approval(Context& context, backends::NextermClient& nexterm,
                           const WaitOptions& options, const backends::DeviceCode& device,
                           int64_t local_expiry, WaitQrCode& qr) {
  PlannedWait planned = wait_plan(context, options, kLoginInterval, local_expiry, device.code);
  planned.plan.on_resize = [&qr] { qr.on_resize(); };
  std::string status, session_token;
  bool done = term::wait_until(planned.plan, [&] {
    status = nexterm.device_poll(device.poll_token, &session_token);
    return status != "pending";
  });
  if (done && status != "invalid") return session_token;
  const WaitEnd end = wait_end(planned, done);
  if (context.global.json) context.print_json(wait_end_json(end));
  if (end == WaitEnd::gave_up)
    throw Error(ExitCode::expired,
                "device code " + device.code + " was not approved within --wait " + options.wait,
                "run the command again for a new code (with a longer --wait)");
  throw Error(
      ExitCode::expired,
      "device code " + device.code + (done ? " is no longer valid" : " was not approved in time"),
      "run the command again for a new code");
}

}  // namespace

void run_device_login(Context& context, const HostSpec& host, const WaitOptions& options,
                      bool force, bool no_store, bool print_token) {
  // The user (and so the default name) is known only after approval; -p is checked now.
  if (!no_store) prepare_store(context, context.explicit_profile(), host.origin, "", force);
  backends::NextermClient nexterm = context.nexterm_at(host);
  const backends::DeviceCode device = nexterm.device_create("connector", "");
  const std::string link = backends::device_approval_url(host.origin, device.code);
  const std::string app_link = backends::device_approval_app_link(host.origin, device.code);
  const int64_t local_expiry = device.expires_at - device.clock_offset;
  show_device_code(context, options, device, link, local_expiry);
  WaitQrCode qr(context, options, options.qr_content == "app" ? app_link : link,
                WaitQrCode::Otherwise::use_link);
  qr.show();
  const std::string session_token =
      await_approval(context, nexterm, options, device, local_expiry, qr);
  std::string user = nexterm.user_name(session_token);  // checked: a bad one stores nothing
  if (user.empty()) user = "unknown";
  const store::Profile profile =
      new_profile(context, store::Kind::nexterm, store::LoginMethod::device, host.origin, user,
                  session_token, device.clock_offset);
  const NewSession session{profile_name_for(context, profile.user, host.authority), profile};
  finish_login(context, session, force, no_store);
  print_login(context, session, {no_store, print_token, "logged_in"});
}

void register_device_link(CLI::App& app, Context& context) {
  struct Options {
    std::string host;
    std::string secure_storage;
    bool allow_http = false;
    bool force = false;
    WaitOptions wait;
    ApproveOptions approve;
    std::string status_code;
    WaitOptions phone;
  };
  auto options = std::make_shared<Options>();
  auto* cmd =
      app.add_subcommand("device-link", "Nexterm: log this machine in with a device code and QR");
  cmd->add_option("--host", options->host, "HOST[:PORT] or http(s)://HOST[:PORT]")
      ->type_name("HOST");
  cmd->add_flag("--allow-http", options->allow_http, "Allow plain http to a non-loopback host");
  cmd->add_flag("--force", options->force, "Replace a profile of the same name on another URL");
  add_wait_options(cmd, options->wait, true);
  add_secure_storage_option(cmd, options->secure_storage);
  cmd->require_subcommand(0, 1);

  auto* approve =
      cmd->add_subcommand("approve", "Show a waiting device, confirm, and authorize it");
  approve->add_option("code", options->approve.code, "The device code (ABCD-EFGH)")
      ->required()
      ->type_name("CODE");
  approve->add_flag("--yes", options->approve.yes, "Approve without asking");
  approve->callback([&context, options] { run_approve(context, options->approve); });

  auto* status = cmd->add_subcommand("status", "Show the state of a device code");
  status->add_option("code", options->status_code, "The device code")
      ->required()
      ->type_name("CODE");
  status->callback([&context, options] { run_device_status(context, options->status_code); });

  // Shares the options' lifetime (the aliasing constructor).
  register_phone(cmd, context, std::shared_ptr<WaitOptions>(options, &options->phone));

  cmd->callback([&context, options, cmd] {
    use_secure_storage(context, options->secure_storage);
    if (!cmd->get_subcommands().empty()) return;  // a subcommand ran
    if (options->host.empty())
      throw Error(ExitCode::usage, "device-link needs --host", "give --host HOST[:PORT]");
    run_device_login(context, context.host_option(options->host, options->allow_http, "--host"),
                     options->wait, options->force, false, false);
  });
}

}  // namespace authctl::cli
