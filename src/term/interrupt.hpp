// Ctrl-C during waiting loops: a SIGINT handler that only sets a flag, and a sleep that
// wakes up for it, so the loop can stop cleanly (exit 130) without a half-written store.
#pragma once

#include <signal.h>

#include <chrono>

namespace authctl::term {

// Installs the flag-setting SIGINT/SIGTERM handler for the object's lifetime. Guards nest:
// each restores what it replaced, and a Ctrl-C seen by an outer one stays seen.
class InterruptGuard {
 public:
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

 private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

bool interrupted();
// Whether an InterruptGuard is installed: then its owner acts on Ctrl-C between requests.
bool guarded();
// Ends the process as the signal that set the flag would have (SIGINT when none did: exit
// status 130), after `message` on stderr: for a request no guard protects, where Ctrl-C
// used to kill the process at once and still should, now with the usual line.
[[noreturn]] void die_of_interrupt(const char* message);
// Throws authctl::Error(interrupted) when Ctrl-C was pressed.
void throw_if_interrupted();
// Sleeps up to `duration`, returning early (and throwing) on Ctrl-C.
void sleep_interruptible(std::chrono::milliseconds duration);

}  // namespace authctl::term
