#include "cli/token_watch.hpp"

#include <signal.h>

#include <cstdlib>
#include <fstream>
#include <iostream>

#include "backends/session.hpp"
#include "cli/json_output.hpp"
#include "core/error.hpp"
#include "core/keep_fresh_rule.hpp"
#include "core/refresh_rule.hpp"
#include "core/text.hpp"
#include "core/timeutil.hpp"
#include "net/sd_notify.hpp"
#include "store/token_file.hpp"

namespace authctl::cli {

namespace {

// The signals that end the watch. Blocked while it runs and taken with sigtimedwait, so that
// one arriving during a renewal is handled right after it, never halfway.
class WatchSignals {
 public:
  WatchSignals() {
    sigemptyset(&set_);
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&set_, sig);
    sigprocmask(SIG_BLOCK, &set_, &saved_);
  }
  ~WatchSignals() { sigprocmask(SIG_SETMASK, &saved_, nullptr); }
  WatchSignals(const WatchSignals&) = delete;
  WatchSignals& operator=(const WatchSignals&) = delete;

  // The signal that came within `ms` milliseconds (forever when negative), else 0.
  int wait(int64_t ms) const {
    if (ms < 0) {
      int sig = 0;
      return sigwait(&set_, &sig) == 0 ? sig : 0;
    }
    const timespec timeout{static_cast<time_t>(ms / 1000), static_cast<long>(ms % 1000) * 1000000};
    const int sig = sigtimedwait(&set_, nullptr, &timeout);
    return sig > 0 ? sig : 0;
  }

 private:
  sigset_t set_{}, saved_{};
};

// Test hooks (environment only, never options): AUTHCTL_TEST_CLOCK_FILE names a file
// holding seconds to add to authctl's clock, read again at every wake-up, so a test moves
// it with the test broker's; AUTHCTL_TEST_WAKE_MS shortens the longest sleep (30 s).
void apply_test_clock() {
  const char* path = getenv("AUTHCTL_TEST_CLOCK_FILE");
  if (!path || !*path) return;
  std::ifstream in(path);
  long long skew = 0;
  if (in >> skew) timeutil::set_test_skew(skew);
}

int64_t longest_sleep_ms() {
  const int64_t normal = keep_fresh_rule::kMaxSleepSeconds * 1000;
  const char* text = getenv("AUTHCTL_TEST_WAKE_MS");
  const long long ms = text ? atoll(text) : 0;
  return ms > 0 && ms < normal ? ms : normal;
}

// A renewal failure worth retrying: the server could not be reached or answered 5xx, or
// another authctl held the store lock too long.
bool renewal_retryable(const Error& e) {
  return e.code() == ExitCode::network || e.reason() == Reason::server_error ||
         e.reason() == Reason::lock_timeout;
}

class SinkWatch {
 public:
  SinkWatch(Context& context, const WatchOptions& options, std::string name, store::Profile profile)
      : context_(context),
        options_(options),
        name_(std::move(name)),
        profile_(std::move(profile)),
        file_(options.sink, options.sink_mode) {}

  int run();

 private:
  int64_t server_now() const { return timeutil::now() + profile_.clock_offset; }
  bool due(int64_t now) const;
  int64_t wait_ms(int64_t now) const;
  void attempt(int64_t now);
  backends::ValidToken renewed();
  void fail_later(const Error& e, int64_t now);
  void publish(const store::Profile& profile, bool first);
  int stop(int sig);

  Context& context_;
  const WatchOptions& options_;
  const std::string name_;
  store::Profile profile_;  // the one whose token is in the file
  // Blocked before the file exists and unblocked after it is gone: a SIGTERM that comes
  // while an error unwinds is taken only once the file is removed.
  WatchSignals signals_;
  store::TokenFile file_;
  int failures_ = 0;              // renewals failed in a row
  std::optional<int64_t> retry_;  // server time of the next try after a failure
  bool outage_ = false;           // the last failure was the network's
  std::string last_failure_;
};

bool SinkWatch::due(int64_t now) const {
  if (!profile_.expires) return false;  // a Nexterm token: written once, kept to the end
  if (retry_) return now >= *retry_ || now >= *profile_.expires;
  return backends::renewal_due(profile_, options_.min_valid);
}

int64_t SinkWatch::wait_ms(int64_t now) const {
  if (!profile_.expires) return -1;  // nothing to renew: wait for the signal alone
  const int64_t expires = *profile_.expires;
  int64_t deadline = keep_fresh_rule::renew_at(
      expires, keep_fresh_rule::lifetime(expires, profile_.issued_at, profile_.seconds),
      options_.min_valid);
  if (retry_) deadline = *retry_ < expires ? *retry_ : expires;
  const int64_t ms = keep_fresh_rule::sleep_before(deadline, now) * 1000;
  const int64_t longest = longest_sleep_ms();
  return ms < longest ? ms : longest;
}

// The profile as the store has it when it no longer needs renewing (another watcher, an
// exec or a login did it), else renewed through the store's single flight.
backends::ValidToken SinkWatch::renewed() {
  store::Store store = context_.open_store();
  const store::Credentials credentials = store.load();
  if (const store::Profile* p = credentials.find(name_);
      p && p->kind == store::Kind::neuron && !backends::renewal_due(*p, options_.min_valid))
    return backends::ValidToken{name_, *p, false};
  return backends::ensure_kept_fresh(
      store, name_, options_.min_valid,
      [this](const store::Profile& p) { return context_.client_options(p.url, p.cacert); },
      [this] { return password_without_prompt(options_.password); });
}

void SinkWatch::attempt(int64_t now) {
  if (outage_ && profile_.expires && now >= *profile_.expires)
    throw Error(ExitCode::network,
                "the token of profile " + name_ + " expired while it could not be renewed (" +
                    last_failure_ + ")",
                Reason::none);
  try {
    const backends::ValidToken fresh = renewed();
    if (fresh.profile.token != profile_.token) publish(fresh.profile, false);
    profile_ = fresh.profile;
    failures_ = 0;
    retry_.reset();
    outage_ = false;
  } catch (const Error& e) {
    if (!renewal_retryable(e)) throw;  // the file goes with the unwinding TokenFile
    fail_later(e, now);
  }
}

void SinkWatch::fail_later(const Error& e, int64_t now) {
  const int64_t delay = keep_fresh_rule::retry_delay(failures_++);
  retry_ = now + delay;
  outage_ = e.code() == ExitCode::network;
  last_failure_ = e.what();
  std::cerr << "authctl: renewing the token of profile " << text::printable(name_)
            << " failed: " << text::printable(last_failure_) << ": trying again in "
            << timeutil::format_duration(delay) << "\n";
}

void SinkWatch::publish(const store::Profile& profile, bool first) {
  file_.write(profile.token);
  if (context_.global.json)
    context_.print_json({{"event", first ? "ready" : "renewed"},
                         {"profile", name_},
                         {"sink", options_.sink},
                         {"expires_at", json_time(profile.expires)}});
  if (first) net::sd_notify("READY=1");
}

int SinkWatch::stop(int sig) {
  file_.remove();
  if (sig == SIGTERM) return 0;
  return 128 + sig;  // SIGINT: 130, SIGHUP: 129
}

int SinkWatch::run() {
  publish(profile_, true);
  for (;;) {
    apply_test_clock();
    if (due(server_now())) attempt(server_now());
    if (const int sig = signals_.wait(wait_ms(server_now()))) return stop(sig);
  }
}

}  // namespace

std::optional<mode_t> parse_sink_mode(const std::string& text) {
  if (text == "0600" || text == "600") return 0600;
  if (text == "0640" || text == "640") return 0640;
  return std::nullopt;
}

int run_token_watch(Context& context, const WatchOptions& options) {
  apply_test_clock();
  store::Store store = context.open_store();
  const store::Credentials credentials = store.load();
  const std::string name = context.select_profile(credentials);
  const store::Profile& profile = *credentials.find(name);
  if (profile.kind == store::Kind::neuron &&
      !keep_fresh_rule::min_valid_allowed(options.min_valid, profile.seconds))
    throw Error(ExitCode::usage,
                "--min-valid " + timeutil::format_duration(options.min_valid) +
                    " is not under half the lifetime profile " + name + " asks for (" +
                    timeutil::format_duration(profile.seconds) + ")",
                "give a shorter --min-valid, or log in again with a longer --seconds");
  // The first token: fresh by the same rule, through the same single flight.
  backends::ValidToken first{name, profile, false};
  if (backends::renewal_due(profile, options.min_valid))
    first = backends::ensure_kept_fresh(
        store, name, options.min_valid,
        [&](const store::Profile& p) { return context.client_options(p.url, p.cacert); },
        [&] { return password_without_prompt(options.password); });
  SinkWatch watch(context, options, name, first.profile);
  return watch.run();
}

}  // namespace authctl::cli
