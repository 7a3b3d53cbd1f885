// Text from a server, the store or a file, made safe to show a person on a terminal
// (design.md, "Untrusted input"): nothing in it can move the cursor, erase lines, set the
// window title or write the clipboard. --json output does not use this (JSON escaping
// already covers it), so it stays exact.
#pragma once

#include <string>
#include <string_view>

namespace authctl::text {

// Shows C0 controls and DEL as visible escapes (\n, \r, \t, else \xNN), C1 controls
// (U+0080..U+009F) as \u00NN and every byte of invalid UTF-8 (overlong forms, surrogates,
// beyond U+10FFFF, cut sequences) as \xNN. Everything else passes unchanged.
std::string printable(std::string_view text);

// True when `text` holds a C0 control, DEL or a C1 control, or is not valid UTF-8: what
// printable() would change.
bool needs_escaping(std::string_view text);

// True when `text` holds any C0 control or DEL (bytes below 0x20, and 0x7f).
bool has_ascii_control(std::string_view text);

}  // namespace authctl::text
