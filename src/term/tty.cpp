#include "term/tty.hpp"

#include "core/error.hpp"
#include "core/text.hpp"
#include "term/interrupt.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <iostream>

namespace authctl::term {

namespace {

void crypto_wipe(std::string& s) {
  std::fill(s.begin(), s.end(), '\0');
  s.clear();
}

std::optional<std::string> read_tty_line(const std::string& prompt, bool echo) {
  int fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return std::nullopt;
  // Ctrl-C must not leave the terminal with echo off: the handler only sets a flag, the
  // read is interrupted, and the terminal is restored before we leave.
  InterruptGuard guard;
  termios saved{};
  bool restore = false;
  if (!echo && tcgetattr(fd, &saved) == 0) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ECHONL;
    restore = tcsetattr(fd, TCSAFLUSH, &quiet) == 0;
  }
  const std::string shown = text::printable(prompt);  // may name a stored user
  (void)!write(fd, shown.data(), shown.size());
  std::string line;
  bool got_line = false;
  char c;
  for (;;) {
    ssize_t n = read(fd, &c, 1);
    if (n < 0 && errno == EINTR && !interrupted()) continue;
    if (n <= 0) break;
    if (c == '\n') {
      got_line = true;
      break;
    }
    line.push_back(c);
  }
  if (restore) tcsetattr(fd, TCSAFLUSH, &saved);
  if (interrupted()) {
    (void)!write(fd, "\n", 1);
    close(fd);
    crypto_wipe(line);
    throw_if_interrupted();
  }
  close(fd);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (!got_line && line.empty()) return std::nullopt;
  return line;
}

}  // namespace

bool is_tty(int fd) {
  return isatty(fd) == 1;
}

std::optional<std::string> prompt_secret(const std::string& prompt) {
  return read_tty_line(prompt, false);
}

std::optional<std::string> prompt_line(const std::string& prompt) {
  return read_tty_line(prompt, true);
}

// Warnings and notes often quote a server or the store: shown escaped, never as controls.
void warn(const std::string& text) {
  std::cerr << "authctl: warning: " << text::printable(text) << "\n";
}
void note(const std::string& text) {
  std::cerr << text::printable(text) << "\n";
}

size_t terminal_columns(int fd) {
  winsize ws{};
  return ioctl(fd, TIOCGWINSZ, &ws) == 0 ? ws.ws_col : 0;
}

TerminalSize terminal_size(int fd) {
  winsize ws{};
  if (ioctl(fd, TIOCGWINSZ, &ws) != 0) return {};
  return {ws.ws_col, ws.ws_row};
}

std::string pad(const std::string& text, size_t width) {
  size_t columns = 0;
  for (unsigned char c : text) columns += (c & 0xC0) != 0x80;  // count code points
  return columns >= width ? text + " " : text + std::string(width - columns, ' ');
}

}  // namespace authctl::term
