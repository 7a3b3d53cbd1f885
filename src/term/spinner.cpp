#include "term/spinner.hpp"

#include <unistd.h>

#include <cstdint>

#include <iterator>
#include <string_view>

#include "core/text.hpp"
#include "core/timeutil.hpp"
#include "term/qr.hpp"
#include "term/tty.hpp"

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
  update(status, terminal_columns(STDERR_FILENO));
}

std::string Spinner::back_to_start(size_t columns) const {
  if (!drawn_ || columns == 0 || drawn_columns_ <= columns) return "\r";
  const size_t rows_above = (drawn_columns_ - 1) / columns;
  return "\r\x1b[" + std::to_string(rows_above) + "A\x1b[J";
}

void Spinner::update(const std::string& status, size_t columns) {
  if (!enabled_) return;
  const std::string_view frame = utf8_ ? kUtf8Frames[frame_ % std::size(kUtf8Frames)]
                                       : kAsciiFrames[frame_ % std::size(kAsciiFrames)];
  ++frame_;
  std::string line = back_to_start(columns);
  line += frame;
  line += ' ';
  // A newline or escape in the status would break the redraw (or be a terminal escape
  // injection if it came from a server), so controls (C0, DEL, C1) are shown escaped.
  // One column is left free: a line that fills the last column wraps on some terminals.
  const size_t room = columns > 3 ? columns - 1 : SIZE_MAX;
  size_t used = 2;
  for (char c : text::printable(status)) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80 && ++used > room) {
      --used;
      break;
    }
    line += c;
  }
  line += "\x1b[K";  // erase what a longer previous status left on the right
  out_ << line << std::flush;
  drawn_ = true;
  drawn_columns_ = used;
}

void Spinner::finish() {
  finish(terminal_columns(STDERR_FILENO));
}

void Spinner::finish(size_t columns) {
  if (!drawn_) return;
  out_ << back_to_start(columns) << "\x1b[K" << std::flush;
  drawn_ = false;
}

std::string wait_status(const std::string& label, int64_t seconds_left, bool utf8) {
  const std::string dot = utf8 ? " \u00b7 " : " - ";
  return label + dot + timeutil::format_duration(seconds_left) + " left" + dot + "Ctrl-C to stop";
}

}  // namespace authctl::term
