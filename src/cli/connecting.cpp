#include "cli/connecting.hpp"

namespace authctl::cli {

void ConnectingIndicator::report(const net::Progress& progress) {
  if (progress.finished) return clear();
  if (progress.elapsed <= kConnectingAfter) return;
  if (!spinner_) {
    if (term::Spinner::any_enabled()) return;  // a waiting loop draws its own line
    // Under a guard of the command (passkey add, device-link phone, a wait), Ctrl-C is its
    // owner's to act on between requests: this request is not cut off. Without one, Ctrl-C
    // ends the process as it always did, now after the usual line.
    if (!term::guarded()) guard_ = std::make_unique<term::InterruptGuard>();
    spinner_ = std::make_unique<term::Spinner>(true, out_);
  }
  if (guard_ && term::interrupted()) {
    clear();
    term::die_of_interrupt("authctl: interrupted\n");
  }
  spinner_->update("Connecting to " + progress.authority);
}

void ConnectingIndicator::clear() {
  spinner_.reset();  // erases its line
  guard_.reset();
}

net::ProgressHook connecting_hook() {
  auto indicator = std::make_shared<ConnectingIndicator>();
  return [indicator](const net::Progress& progress) { indicator->report(progress); };
}

}  // namespace authctl::cli
