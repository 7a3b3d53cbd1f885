#include "cli/token_watch.hpp"

#include <signal.h>

#include <iostream>

#include "backends/session.hpp"
#include "cli/json_output.hpp"
#include "cli/token_keeper.hpp"
#include "core/error.hpp"
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

class SinkWatch {
 public:
  SinkWatch(Context& context, const WatchOptions& options, const std::string& name,
            const store::Profile& profile)
      : context_(context),
        options_(options),
        file_(options.sink, options.sink_mode),
        keeper_(
            context, name, profile, options.min_valid,
            [this] { return password_without_prompt(options_.password); }, file_,
            [this](const store::Profile& p, bool first) { published(p, first); }) {}

  int run() {
    keeper_.start();
    for (;;) {
      keeper_.tick();
      if (const int sig = signals_.wait(keeper_.wait_ms())) return stop(sig);
    }
  }

 private:
  void published(const store::Profile& profile, bool first) {
    if (context_.global.json)
      context_.print_json({{"event", first ? "ready" : "renewed"},
                           {"profile", keeper_.name()},
                           {"sink", options_.sink},
                           {"expires_at", json_time(profile.expires)}});
    if (first) net::sd_notify("READY=1");
  }
  int stop(int sig) {
    file_.remove();
    if (sig == SIGTERM) return 0;
    return 128 + sig;  // SIGINT: 130, SIGHUP: 129
  }

  Context& context_;
  const WatchOptions& options_;
  // Blocked before the file exists and unblocked after it is gone: a SIGTERM that comes
  // while an error unwinds is taken only once the file is removed.
  WatchSignals signals_;
  store::TokenFile file_;
  TokenKeeper keeper_;
};

}  // namespace

std::optional<mode_t> parse_sink_mode(const std::string& text) {
  if (text == "0600" || text == "600") return 0600;
  if (text == "0640" || text == "640") return 0640;
  return std::nullopt;
}

int run_token_watch(Context& context, const WatchOptions& options) {
  std::string name;
  // The first token: fresh by the same rule, through the same single flight.
  const store::Profile first = first_kept_token(
      context, options.min_valid, [&] { return password_without_prompt(options.password); }, name);
  SinkWatch watch(context, options, name, first);
  return watch.run();
}

}  // namespace authctl::cli
