#include "cli/connecting.hpp"

namespace authctl::cli {

void ConnectingIndicator::report(const net::Progress& progress) {
  if (progress.finished) return clear();
  if (progress.elapsed <= kConnectingAfter) return;
  if (!spinner_) {
    if (term::Spinner::any_enabled()) return;  // a waiting loop draws its own line
    guard_ = std::make_unique<term::InterruptGuard>();
    spinner_ = std::make_unique<term::Spinner>(true, out_);
  }
  if (term::interrupted()) {
    clear();
    term::throw_if_interrupted();
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
