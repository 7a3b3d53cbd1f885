// Text from a server, the store or a file, made safe to show a person on a terminal
// (design.md, "Untrusted input"): nothing in it can move the cursor, erase lines, set the
// window title or write the clipboard. --json output does not use this (JSON escaping
// already covers it), so it stays exact.
#pragma once

#include <string>
#include <string_view>
#include <vector>

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

// authctl's own words first, then what the server said: "WORDS (server: TEXT)", with TEXT
// on one line (whitespace runs, newlines included, as one space; trimmed; a final "." left
// out: the line goes on), cut to 300 bytes and escaped (printable). Just WORDS when the
// server said nothing.
std::string with_server_text(const std::string& words, std::string_view server_text);

// The number of single-character insertions, deletions, substitutions and swaps of two
// neighbours that turn `a` into `b` (optimal string alignment distance).
size_t edit_distance(std::string_view a, std::string_view b);

// The candidate a mistyped `word` most likely meant, for "did you mean": the one it starts
// (at least 2 characters: "sess" -> sessions) when only one does, else the nearest within
// an edit distance of 1 for words up to 4 characters and 2 for longer ones, when only one
// candidate is that near. "" when none is, or the choice is not clear.
std::string nearest(std::string_view word, const std::vector<std::string>& candidates);

// Whether a and b are the same text but for the case of ASCII letters ("Alice", "alice").
bool equal_ignoring_case(std::string_view a, std::string_view b);

}  // namespace authctl::text
