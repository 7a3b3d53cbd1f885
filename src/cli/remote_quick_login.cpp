// authctl remote-quick-login --remote HOST: log in on another Neuron with the identity of
// this profile's account (PrepareRemoteQuickLogin here, RemoteQuickLogin there, signed in
// the app). The remote web session's cookie is kept in the profile, per remote host;
// --wait learns the outcome from the remote's /ClientEvents.
#include <unistd.h>

#include <iostream>
#include <optional>

#include "backends/client_events.hpp"
#include "backends/neuron.hpp"
#include "backends/waiting_flows.hpp"
#include "cli/commands.hpp"
#include "cli/password.hpp"
#include "cli/validators.hpp"
#include "cli/wait_options.hpp"
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

using Outcome = backends::NeuronClient::RemoteOutcome;

struct RemoteOptions {
  std::string remote, purpose, wait, interval;
  bool allow_http = false;
};

// The profile's cookie for the remote's web session: used only when it is still a valid
// cookie value (else a new session is made).
std::string stored_cookie(const store::Profile& profile, const HostSpec& remote) {
  auto stored = profile.remote_cookies.find(remote.origin);
  if (stored == profile.remote_cookies.end() || !validate::is_cookie_value(stored->second))
    return {};
  return stored->second;
}

// A petition sent to the user's app through the remote Neuron, and learning its outcome.
// The remote web session's cookie is kept in the profile after every call that may renew it.
class RemotePetition {
 public:
  // `legal_id`: what PrepareRemoteQuickLogin gave at home, presented to the remote.
  RemotePetition(Context& context, const HostSpec& remote, std::string profile_name,
                 const store::Profile& profile, std::string legal_id, const RemoteOptions& options)
      : context_(context),
        remote_(remote),
        profile_name_(std::move(profile_name)),
        legal_id_(std::move(legal_id)),
        purpose_(options.purpose.empty() ? "Log in to " + remote.authority + " from authctl"
                                         : options.purpose),
        cookie_(stored_cookie(profile, remote)),
        neuron_(context.neuron_at(remote)) {
    waiting_.interval = options.interval;
    waiting_.wait = options.wait;
    waiting_.default_interval = kMinInterval;
    waiting_.min_interval = kMinInterval;
    waiting_.label = "Sign the petition in the app";
    interval_ = std::chrono::duration_cast<std::chrono::seconds>(
                    wait_plan(context_, waiting_).plan.interval)
                    .count();
  }

  // RemoteQuickLogin on the remote. With --wait, the outcome comes through the remote's
  // /ClientEvents: a tab registered with the remote web session and named (tabId) in the
  // petition. Without a session yet, the petition call makes one and the tab registers right
  // after it (the user needs far longer than that to sign). Without an event channel, wait()
  // asks again every --interval.
  Outcome send() {
    if (!waiting_.wait.empty()) tab_ = backends::make_tab_id();
    const std::string cookie_before = cookie_;
    if (!tab_.empty() && !cookie_.empty()) listen();
    Outcome outcome = neuron_.remote_quick_login(legal_id_, purpose_, cookie_, tab_);
    remember_cookie();
    // No session before this call, or the remote replaced an expired one: the petition
    // belongs to the session in the new cookie, so the tab must be registered with it.
    if (!outcome.logged_in && !tab_.empty() && (!events_ || cookie_ != cookie_before)) listen();
    return outcome;
  }

  // Waits (--wait) for the signature; false when the time ran out.
  bool wait(Outcome& outcome) {
    const term::WaitPlan plan = wait_plan(context_, waiting_).plan;
    if (!events_) {
      const bool done = ask_until_logged_in(plan, outcome);
      remember_cookie();
      return done;
    }
    std::optional<nlohmann::json> signature;
    const bool done = term::wait_for_event(plan, [&](std::chrono::milliseconds step) {
      signature = events_->wait_for_signature(step);
      return signature.has_value();
    });
    if (!done) return false;
    const backends::PetitionAnswer answer = backends::decode::petition_answer(*signature);
    if (!answer.approved)
      throw Error(
          ExitCode::auth,
          "the petition was not approved in the app (" + text::printable(answer.state) + ")",
          "run the command again and sign it in the app");
    outcome.logged_in = true;  // the session is logged in once signed: no need to ask
    return true;
  }

 private:
  void listen() {
    events_.emplace(neuron_, tab_, cookie_);
    try {
      events_->register_tab();
    } catch (const Error& e) {
      if (e.code() != ExitCode::error) throw;
      events_.reset();
      term::note(text::printable(e.what()) + "; asking again every " + std::to_string(interval_) +
                 "s instead");
    }
  }

  bool ask_until_logged_in(const term::WaitPlan& plan, Outcome& outcome) {
    bool first = true;
    return term::wait_until(plan, [&] {
      if (first) {  // the answer sent() got is fresh: wait an interval before asking again
        first = false;
        return false;
      }
      outcome = neuron_.remote_quick_login(legal_id_, purpose_, cookie_);
      return outcome.logged_in;
    });
  }

  void remember_cookie() {
    context_.open_store().update([&](store::Credentials& credentials) {
      auto it = credentials.profiles.find(profile_name_);
      if (it == credentials.profiles.end()) return false;
      it->second.remote_cookies[remote_.origin] = cookie_;
      return true;
    });
  }

  Context& context_;
  const HostSpec& remote_;
  std::string profile_name_, legal_id_, purpose_, tab_;
  std::string cookie_;  // the remote web session's HttpSessionID ("" = none yet)
  backends::NeuronClient neuron_;
  std::optional<backends::ClientEvents> events_;
  WaitRequest waiting_;
  int64_t interval_ = kMinInterval;
};

// A JSON line, as of every waiting command: {"event","profile","remote"}, the event
// logged_in, petition_sent, or not_logged_in (the remote did neither).
void print_event(const Context& context, const std::string& name, const HostSpec& remote,
                 const Outcome& outcome) {
  const char* event = outcome.logged_in       ? "logged_in"
                      : outcome.petition_sent ? "petition_sent"
                                              : "not_logged_in";
  context.print_json({{"event", event}, {"profile", name}, {"remote", remote.origin}});
}

void print_outcome(const Context& context, const std::string& name, const HostSpec& remote,
                   const store::Profile& profile, const Outcome& outcome) {
  if (context.global.json) {
    print_event(context, name, remote, outcome);
  } else if (outcome.logged_in) {
    std::cerr << "Logged in on " << remote.authority << " as " << text::printable(profile.user)
              << "\n";
  } else {
    std::cerr << "A signing petition was sent to your app: sign it to log in on "
              << remote.authority << " (run again, or use --wait, to see the outcome)\n";
  }
}

void run_remote(Context& context, const RemoteOptions& options) {
  const HostSpec remote = context.host_option(options.remote, options.allow_http, "--remote");
  std::string name;
  const store::Profile profile = fresh_profile(context, 60, PasswordOptions{}, name,
                                               store::Kind::neuron, "remote-quick-login");
  if (remote.origin == profile.url)
    throw Error(ExitCode::usage, "--remote is this profile's own Neuron",
                "give another Neuron; here you are logged in already");
  RemotePetition petition(context, remote, name, profile,
                          context.neuron(profile).prepare_remote_quick_login(profile.token),
                          options);
  Outcome outcome = petition.send();
  if (!outcome.logged_in && !options.wait.empty()) {
    if (context.global.json)
      print_event(context, name, remote, outcome);
    else
      std::cerr << "A signing petition was sent to your app: sign it to log in on "
                << remote.authority << "\n";
    if (!petition.wait(outcome)) {
      // The petition stays valid in the app: the wait gave up, nothing expired.
      if (context.global.json) context.print_json(wait_end_json(WaitEnd::gave_up));
      throw Error(ExitCode::expired, "the petition was not signed within --wait " + options.wait,
                  "sign it in the app and run the command again");
    }
  }
  print_outcome(context, name, remote, profile, outcome);
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
