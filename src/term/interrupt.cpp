#include "term/interrupt.hpp"

#include <unistd.h>

#include <csignal>
#include <cstring>
#include <thread>

#include "core/error.hpp"

namespace authctl::term {

namespace {
volatile std::sig_atomic_t g_interrupted = 0;
volatile std::sig_atomic_t g_signal = 0;  // the signal that set it
int g_guards = 0;                         // guards installed (one thread)
void on_signal(int sig) {
  g_interrupted = 1;
  g_signal = sig;
}
}  // namespace

InterruptGuard::InterruptGuard() {
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, &old_int_);
  sigaction(SIGTERM, &action, &old_term_);
  ++g_guards;
}

InterruptGuard::~InterruptGuard() {
  --g_guards;
  sigaction(SIGINT, &old_int_, nullptr);
  sigaction(SIGTERM, &old_term_, nullptr);
}

bool interrupted() {
  return g_interrupted != 0;
}

bool guarded() {
  return g_guards > 0;
}

void die_of_interrupt(const char* message) {
  (void)!write(STDERR_FILENO, message, strlen(message));
  const int sig = g_signal ? static_cast<int>(g_signal) : SIGINT;
  signal(sig, SIG_DFL);
  raise(sig);
  _exit(128 + sig);  // not reached: the default action ends the process
}

void throw_if_interrupted() {
  if (interrupted()) throw Error(ExitCode::interrupted, "interrupted", "");
}

void sleep_interruptible(std::chrono::milliseconds duration) {
  auto deadline = std::chrono::steady_clock::now() + duration;
  while (std::chrono::steady_clock::now() < deadline) {
    throw_if_interrupted();
    auto left = deadline - std::chrono::steady_clock::now();
    std::this_thread::sleep_for(
        std::min<std::chrono::steady_clock::duration>(left, std::chrono::milliseconds(100)));
  }
  throw_if_interrupted();
}

}  // namespace authctl::term
