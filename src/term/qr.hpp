// QR codes drawn with text characters, for device-code and QR logins (design.md, "--show-qr").
#pragma once

#include <string>
#include <vector>

namespace authctl::term {

enum class QrStyle {
  half_blocks,  // ▀ ▄ █ and space, two module rows per line: needs a UTF-8 terminal
  ascii,        // "##" and "  ", one module row per line: any terminal, twice as tall
};

// Encodes `text` (byte mode, error correction M, smallest version) with libqrencode.
// Returns the symbol without quiet zone, row by row; true = dark module.
// Throws authctl::Error(ExitCode::error, ...) if encoding fails (e.g. text too long).
std::vector<std::vector<bool>> qr_modules(const std::string& text);

// Renders the symbol with a 4-module quiet zone, as plain characters without escape codes,
// every line the same width and ending in '\n'.
//
// half_blocks follows `qrencode -t UTF8` (and go-qrcode, used by `tailscale up --qr`): the
// glyphs' ink marks LIGHT modules and the quiet zone, dark modules are spaces. Without escape
// codes the ink is the terminal's foreground colour, so no plain-text drawing reads the right
// way round on both themes; we pick the one that is correct on dark-background terminals (the
// default of most terminal emulators and editors), where the quiet zone is then drawn as a
// visible light frame. On a light theme the code shows inverted inside a dark frame, which
// many scanners also decode (zbar with test-inverted, ZXing's inverted pass), though not all.
// Colour escapes (explicit
// black-on-white) would be right on both themes but turn into garbage in logs, pipes, `script`
// recordings and NO_COLOR setups, and reverse video (ESC[7m) only swaps the theme's own
// colours, so it fixes nothing.
//
// ascii draws dark modules as "##" and light ones as "  " (the paper convention, as asked
// for non-UTF-8 locales). '#' fills only part of a cell, so this is a low-contrast fallback;
// it reads the right way round on light themes and inverted on dark ones.
//
// paint (for a terminal with colours allowed) wraps each line in explicit colours: white ink
// on black for half_blocks, black "##" on white for ascii. Then the code reads the right way
// round on dark and light themes alike; without it (pipes, logs, NO_COLOR) the plain drawing
// above is used.
std::string render_qr(const std::string& text, QrStyle style, bool paint = false);

// The columns and lines a drawing takes on a terminal (colour escapes take no room; a
// UTF-8 character one column).
struct DrawingSize {
  size_t columns = 0, rows = 0;
};
DrawingSize drawing_size(const std::string& drawing);

// Whether a drawing of `size` can be seen whole on a terminal of `columns` x `rows` with
// `spare_rows` more lines under it (the spinner line): a QR code that wraps or scrolls out of
// sight cannot be scanned. A size of 0 (not a terminal) fits anything.
bool fits(const DrawingSize& size, size_t columns, size_t rows, size_t spare_rows);

// Whether LC_CTYPE, as set by the environment (LC_ALL, LC_CTYPE, LANG), uses UTF-8.
// Reads the environment each call and does not change the process's locale.
bool locale_is_utf8();

// half_blocks when the environment's locale charset is UTF-8, else ascii.
QrStyle qr_style_for_locale();

}  // namespace authctl::term
