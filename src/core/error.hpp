// The error kinds of authctl and their exit codes (design.md, "Exit codes"). Every layer
// throws authctl::Error; main() prints "authctl: MESSAGE: HINT" and exits with the code.
#pragma once

#include <stdexcept>
#include <string>

namespace authctl {

enum class ExitCode : int {
  ok = 0,
  error = 1,         // 5xx, unexpected answer, local I/O, lock timeout, partial failure
  usage = 2,         // bad option or value, confirmation needed without tty
  network = 3,       // DNS, refused, TLS verification, timeout
  auth = 4,          // not logged in, expired/revoked token, wrong password
  rate_limited = 5,  // 429, blocked endpoint
  expired = 6,       // waited too long (device code, QR login)
  interrupted = 130,
};

class Error : public std::runtime_error {
 public:
  // `what` says what went wrong; `hint` says what to do next (may be empty).
  Error(ExitCode code, std::string what, std::string hint = {})
      : std::runtime_error(std::move(what)), code_(code), hint_(std::move(hint)) {}
  ExitCode code() const { return code_; }
  const std::string& hint() const { return hint_; }

 private:
  ExitCode code_;
  std::string hint_;
};

}  // namespace authctl
