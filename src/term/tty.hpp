// The terminal: whether a person is there, and a prompt that never echoes secrets.
#pragma once

#include <optional>
#include <string>

namespace authctl::term {

bool is_tty(int fd);
// Reads one line from /dev/tty with echo off, the prompt on /dev/tty. nullopt when there
// is no controlling terminal or the user ends input (Ctrl-D).
std::optional<std::string> prompt_secret(const std::string& prompt);
// Reads one line from /dev/tty with echo on.
std::optional<std::string> prompt_line(const std::string& prompt);

// The width of the terminal on fd, or 0 when it is not a terminal.
size_t terminal_columns(int fd);

struct TerminalSize {
  size_t columns = 0, rows = 0;  // 0: not a terminal (or it does not say)
};
TerminalSize terminal_size(int fd);

// `text` padded with spaces to `width` terminal columns (UTF-8 aware: "…" is one column).
std::string pad(const std::string& text, size_t width);

// Writes a warning line "authctl: warning: TEXT" on stderr.
void warn(const std::string& text);
void note(const std::string& text);  // a plain progress line on stderr

}  // namespace authctl::term
