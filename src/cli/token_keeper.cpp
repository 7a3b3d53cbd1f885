#include "cli/token_keeper.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "core/error.hpp"
#include "core/keep_fresh_rule.hpp"
#include "core/text.hpp"
#include "core/timeutil.hpp"

namespace authctl::cli {

namespace {

int64_t longest_sleep_ms() {
  const int64_t normal = keep_fresh_rule::kMaxSleepSeconds * 1000;
  const char* text = getenv("AUTHCTL_TEST_WAKE_MS");
  const long long ms = text ? atoll(text) : 0;
  return ms > 0 && ms < normal ? ms : normal;
}

// A renewal failure worth retrying: the server could not be reached or answered 5xx, or
// another authctl held the store lock too long.
bool keeper_retryable(const Error& e) {
  return e.code() == ExitCode::network || e.reason() == Reason::server_error ||
         e.reason() == Reason::lock_timeout;
}

}  // namespace

void apply_test_clock() {
  const char* path = getenv("AUTHCTL_TEST_CLOCK_FILE");
  if (!path || !*path) return;
  // A stray variable must do no harm: no link followed, no FIFO waited on, and the clock
  // only ever moved forward, less than a day (renewing early is all it can cause).
  const int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return;
  struct stat st {};
  char text[32] = {0};
  const bool regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  const ssize_t n = regular ? read(fd, text, sizeof text - 1) : -1;
  close(fd);
  if (n <= 0) return;
  const long long skew = atoll(text);
  if (skew >= 0 && skew < 24 * 3600) timeutil::set_test_skew(skew);
}

TokenKeeper::TokenKeeper(Context& context, std::string name, store::Profile profile,
                         int64_t min_valid, backends::PasswordSource password,
                         store::TokenFile& file, Published published)
    : context_(context),
      name_(std::move(name)),
      profile_(std::move(profile)),
      min_valid_(min_valid),
      password_(std::move(password)),
      file_(file),
      published_(std::move(published)) {}

void TokenKeeper::start() {
  file_.write(profile_.token);
  if (published_) published_(profile_, true);
}

int64_t TokenKeeper::server_now() const {
  return timeutil::now() + profile_.clock_offset;
}

bool TokenKeeper::due(int64_t now) const {
  if (!profile_.expires) return false;  // a Nexterm token: written once, kept to the end
  if (retry_) return now >= *retry_ || now >= *profile_.expires;
  return backends::renewal_due(profile_, min_valid_);
}

int64_t TokenKeeper::wait_ms() const {
  if (!profile_.expires) return -1;  // nothing to renew
  const int64_t expires = *profile_.expires;
  int64_t deadline = keep_fresh_rule::renew_at(
      expires, keep_fresh_rule::lifetime(expires, profile_.issued_at, profile_.seconds),
      min_valid_);
  if (retry_) deadline = *retry_ < expires ? *retry_ : expires;
  const int64_t ms = keep_fresh_rule::sleep_before(deadline, server_now()) * 1000;
  const int64_t longest = longest_sleep_ms();
  return ms < longest ? ms : longest;
}

void TokenKeeper::tick() {
  apply_test_clock();
  const int64_t now = server_now();
  if (due(now)) attempt(now);
}

// The profile as the store has it when it no longer needs renewing (another watcher, an
// exec or a login did it), else renewed through the store's single flight.
backends::ValidToken TokenKeeper::renewed() {
  store::Store store = context_.open_store();
  const store::Credentials credentials = store.load();
  if (const store::Profile* p = credentials.find(name_); p && p->kind == store::Kind::neuron &&
                                                         p->secret == store::SecretState::here &&
                                                         !backends::renewal_due(*p, min_valid_))
    return backends::ValidToken{name_, *p, false};
  return backends::ensure_kept_fresh(
      store, name_, min_valid_,
      [this](const store::Profile& p) { return context_.client_options(p.url, p.cacert); },
      password_);
}

void TokenKeeper::attempt(int64_t now) {
  // Retries go on only while the token lasts: whatever kept failing (the network, 5xx, the
  // store lock), an expired token must not stay in the file. One more try follows (a new
  // login, when a password is available, needs no Refresh).
  const bool gave_out = retry_ && profile_.expires && now >= *profile_.expires;
  if (gave_out) file_.remove();
  try {
    const backends::ValidToken fresh = renewed();
    if (fresh.profile.token != profile_.token || !file_.written()) {
      file_.write(fresh.profile.token);
      if (published_) published_(fresh.profile, false);
    }
    profile_ = fresh.profile;
    failures_ = 0;
    retry_.reset();
    outage_ = false;
  } catch (const Error& e) {
    if (gave_out)
      throw Error(outage_ || e.code() == ExitCode::network ? ExitCode::network : ExitCode::error,
                  "the token of profile " + name_ + " expired while it could not be renewed (" +
                      e.what() + ")",
                  Reason::none);
    if (!keeper_retryable(e)) throw;
    fail_later(e, now);
  }
}

void TokenKeeper::fail_later(const Error& e, int64_t now) {
  const int64_t delay = keep_fresh_rule::retry_delay(failures_++);
  retry_ = now + delay;
  outage_ = e.code() == ExitCode::network;
  last_failure_ = e.what();
  std::cerr << "authctl: renewing the token of profile " << text::printable(name_)
            << " failed: " << text::printable(last_failure_) << ": trying again in "
            << timeutil::format_duration(delay) << "\n";
}

store::Profile first_kept_token(Context& context, int64_t min_valid,
                                const backends::PasswordSource& password, std::string& name) {
  apply_test_clock();
  store::Store store = context.open_store();
  const store::Credentials credentials = store.load();
  name = context.select_profile(credentials);
  const store::Profile& profile = *credentials.find(name);
  store::require_secret(name, profile);
  if (profile.kind == store::Kind::neuron &&
      !keep_fresh_rule::min_valid_allowed(min_valid, profile.seconds))
    throw Error(ExitCode::usage,
                "--min-valid " + timeutil::format_duration(min_valid) +
                    " is not under half the lifetime profile " + name + " asks for (" +
                    timeutil::format_duration(profile.seconds) + ")",
                "give a shorter --min-valid, or log in again with a longer --seconds");
  if (!backends::renewal_due(profile, min_valid)) return profile;
  return backends::ensure_kept_fresh(
             store, name, min_valid,
             [&](const store::Profile& p) { return context.client_options(p.url, p.cacert); },
             password)
      .profile;
}

}  // namespace authctl::cli
