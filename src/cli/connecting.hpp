// The "Connecting to HOST" spinner of a request that is slow to answer. src/net reports how
// long a request has taken (net::ClientOptions::progress); this decides when to show it, and
// src/term draws it.
#pragma once

#include <chrono>
#include <iostream>
#include <memory>

#include "net/http.hpp"
#include "term/interrupt.hpp"
#include "term/spinner.hpp"

namespace authctl::cli {

// A request shows the spinner once it has taken longer than this.
inline constexpr std::chrono::milliseconds kConnectingAfter{1000};

// Fed the reports of requests: nothing for the first second, then "Connecting to HOST" with
// a turning frame, erased when the request ends. While it shows, Ctrl-C ends the process
// ("authctl: interrupted", exit 130) as the default SIGINT did before, unless the command
// guards Ctrl-C itself (term::InterruptGuard) to act on it between requests: a request is
// never cut off under such a guard, so the clean-ups that the guard protects (a key file
// kept for a passkey the server registered, a phone session ended) still happen. It keeps
// off the line of a waiting loop's spinner, which says more.
class ConnectingIndicator {
 public:
  explicit ConnectingIndicator(std::ostream& out = std::cerr) : out_(out) {}
  void report(const net::Progress& progress);

 private:
  void clear();
  std::ostream& out_;
  std::unique_ptr<term::InterruptGuard> guard_;  // while shown
  std::unique_ptr<term::Spinner> spinner_;
};

// The hook for net::ClientOptions::progress that feeds one ConnectingIndicator on stderr.
// Context::client_options sets it when stderr is a terminal, without --json or -v.
net::ProgressHook connecting_hook();

}  // namespace authctl::cli
