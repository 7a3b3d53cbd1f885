// authctl remote-quick-login --remote HOST: log in on another Neuron with the identity of
// this profile's account (PrepareRemoteQuickLogin here, RemoteQuickLogin there, signed in
// the app). The remote web session's cookie is kept in the profile, per remote host;
// --wait learns the outcome from the remote's /ClientEvents.
#include <unistd.h>

#include <iostream>
#include <optional>

#include "backends/client_events.hpp"
#include "backends/neuron.hpp"
#include "cli/commands.hpp"
#include "cli/password.hpp"
#include "cli/validators.hpp"
#include "core/error.hpp"
#include "core/host.hpp"
#include "core/text.hpp"
#include "core/timeutil.hpp"
#include "core/validate.hpp"
#include "term/tty.hpp"
#include "term/waiter.hpp"

namespace authctl::cli {

namespace {

constexpr int64_t kMinInterval = 10;  // asking again may send the user another petition

struct RemoteOptions {
  std::string remote, purpose, wait, interval;
  bool allow_http = false;
};

void run_remote(Context& context, const RemoteOptions& options) {
  const HostSpec remote = context.host_option(options.remote, options.allow_http, "--remote");
  std::string name;
  const store::Profile profile = fresh_profile(context, 60, PasswordOptions{}, name,
                                               store::Kind::neuron, "remote-quick-login");
  if (remote.origin == profile.url)
    throw Error(ExitCode::usage, "--remote is this profile's own Neuron",
                "give another Neuron; here you are logged in already");
  const int64_t interval =
      options.interval.empty() ? kMinInterval : parse_duration_or_throw(options.interval);
  const std::string purpose =
      options.purpose.empty() ? "Log in to " + remote.authority + " from authctl" : options.purpose;

  net::HttpClient home_http(context.client_options(profile.url, profile.cacert));
  const std::string legal_id =
      backends::NeuronClient(home_http, profile.url).prepare_remote_quick_login(profile.token);

  std::string cookie;
  // From the store: used only when it is still a valid cookie value (else a new session).
  if (auto stored = profile.remote_cookies.find(remote.origin);
      stored != profile.remote_cookies.end() && validate::is_cookie_value(stored->second))
    cookie = stored->second;
  net::HttpClient remote_http(context.client_options(remote.origin, context.global.cacert));
  backends::NeuronClient remote_neuron(remote_http, remote.origin);
  auto remember = [&] {
    context.open_store().update([&](store::Credentials& credentials) {
      auto it = credentials.profiles.find(name);
      if (it == credentials.profiles.end()) return false;
      it->second.remote_cookies[remote.origin] = cookie;
      return true;
    });
  };
  // With --wait, the outcome comes through the remote's /ClientEvents: a tab registered
  // with the remote web session and named (tabId) in the petition. Without a session yet,
  // the petition call makes one and the tab registers right after it (the user needs far
  // longer than that to sign). Without an event channel, ask again every --interval.
  const std::string tab = options.wait.empty() ? std::string() : backends::make_tab_id();
  std::optional<backends::ClientEvents> events;
  auto listen = [&] {
    events.emplace(remote_http, remote.origin, tab, cookie);
    try {
      events->register_tab();
    } catch (const Error& e) {
      if (e.code() != ExitCode::error) throw;
      events.reset();
      term::note(text::printable(e.what()) + "; asking again every " + std::to_string(interval) +
                 "s instead");
    }
  };
  const std::string stored_cookie = cookie;
  if (!tab.empty() && !cookie.empty()) listen();
  auto outcome = remote_neuron.remote_quick_login(legal_id, purpose, cookie, tab);
  remember();
  if (!outcome.logged_in && !options.wait.empty()) {
    // No session before this call, or the remote replaced an expired one: the petition
    // belongs to the session in the new cookie, so the tab must be registered with it.
    if (!events || cookie != stored_cookie) listen();
    std::cerr << "A signing petition was sent to your app: sign it to log in on "
              << remote.authority << "\n";
    term::WaitPlan plan;
    plan.interval = std::chrono::seconds(interval);
    plan.deadline = timeutil::now() + parse_duration_or_throw(options.wait);
    plan.spinner = term::is_tty(STDERR_FILENO) && !context.global.json;
    plan.label = "Waiting for the signature";
    bool done = false;
    if (events) {
      std::optional<nlohmann::json> signature;
      done = term::wait_for_event(plan, [&](std::chrono::milliseconds step) {
        signature = events->wait_for_signature(step);
        return signature.has_value();
      });
      if (done) {
        // The petition's contract state; anything but approval means the user refused.
        const std::string state = signature->is_object() && (*signature)["State"].is_string()
                                      ? (*signature)["State"].get<std::string>()
                                      : std::string("Approved");
        if (state != "Approved" && state != "Signed")
          throw Error(ExitCode::auth,
                      "the petition was not approved in the app (" + text::printable(state) + ")",
                      "run the command again and sign it in the app");
        outcome.logged_in = true;  // the session is logged in once signed: no need to ask
      }
    } else {
      bool first = true;
      done = term::wait_until(plan, [&] {
        if (first) {  // the answer above is fresh: wait an interval before asking again
          first = false;
          return false;
        }
        outcome = remote_neuron.remote_quick_login(legal_id, purpose, cookie);
        return outcome.logged_in;
      });
      remember();
    }
    if (!done) {
      if (context.global.json)
        context.print_json({{"remote", remote.origin},
                            {"logged_in", false},
                            {"petition_sent", outcome.petition_sent}});
      throw Error(ExitCode::expired, "the petition was not signed in time",
                  "sign it in the app and run the command again");
    }
  }
  if (context.global.json) {
    context.print_json({{"remote", remote.origin},
                        {"logged_in", outcome.logged_in},
                        {"petition_sent", outcome.petition_sent}});
  } else if (outcome.logged_in) {
    std::cerr << "Logged in on " << remote.authority << " as " << text::printable(profile.user)
              << "\n";
  } else {
    std::cerr << "A signing petition was sent to your app: sign it to log in on "
              << remote.authority << " (run again, or use --wait, to see the outcome)\n";
  }
}

}  // namespace

void register_remote_quick_login(CLI::App& app, Context& context) {
  auto options = std::make_shared<RemoteOptions>();
  auto* cmd =
      app.add_subcommand("remote-quick-login",
                         "Neuron: log in on another Neuron with this account (signed in the app)");
  cmd->add_option("--remote", options->remote,
                  "The other Neuron: HOST[:PORT] or https://HOST[:PORT]")
      ->required()
      ->type_name("HOST");
  cmd->add_option("--purpose", options->purpose, "Why, as the app shows it")->type_name("TEXT");
  cmd->add_option("--wait", options->wait, "Wait this long for the signature")
      ->check(duration_validator(24 * 3600, 1))
      ->type_name("DURATION");
  cmd->add_option("--interval", options->interval,
                  "How often to ask again while waiting (at least 10s)")
      ->check(duration_validator(3600, kMinInterval))
      ->type_name("DURATION");
  cmd->add_flag("--allow-http", options->allow_http, "Allow plain http to a non-loopback remote");
  cmd->callback([&context, options] { run_remote(context, *options); });
}

}  // namespace authctl::cli
