#include "term/spinner.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdint>

#include <iterator>
#include <string_view>

#include "core/text.hpp"
#include "term/qr.hpp"

namespace authctl::term {

namespace {

// Braille dots need UTF-8; "|/-\" works on any terminal.
constexpr std::string_view kUtf8Frames[] = {"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"};
constexpr std::string_view kAsciiFrames[] = {"|", "/", "-", "\\"};

int g_enabled = 0;  // enabled spinners alive (single-threaded)

}  // namespace

Spinner::Spinner(bool enabled, std::ostream& out)
    : enabled_(enabled), out_(out), utf8_(enabled && locale_is_utf8()) {
  if (enabled_) ++g_enabled;
}

Spinner::~Spinner() {
  if (enabled_) --g_enabled;
  try {
    finish();
  } catch (...) {
    // A stream set to throw must not end the program from a destructor.
  }
}

bool Spinner::any_enabled() {
  return g_enabled > 0;
}

void Spinner::update(const std::string& status) {
  if (!enabled_) return;
  const std::string_view frame = utf8_ ? kUtf8Frames[frame_ % std::size(kUtf8Frames)]
                                       : kAsciiFrames[frame_ % std::size(kAsciiFrames)];
  ++frame_;
  std::string line = "\r";
  line += frame;
  line += ' ';
  // A newline or escape in the status would break the redraw (or be a terminal escape
  // injection if it came from a server), so controls (C0, DEL, C1) are shown escaped.
  // Cut to the terminal's width: a wrapped line would be redrawn as a new line every time.
  size_t room = SIZE_MAX, used = 2;
  if (winsize ws{}; ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 3)
    room = ws.ws_col - 1;
  for (char c : text::printable(status)) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80 && ++used > room) break;
    line += c;
  }
  line += "\x1b[K";  // erase what a longer previous status left on the right
  out_ << line << std::flush;
  drawn_ = true;
}

void Spinner::finish() {
  if (!drawn_) return;
  out_ << "\r\x1b[K" << std::flush;
  drawn_ = false;
}

}  // namespace authctl::term
