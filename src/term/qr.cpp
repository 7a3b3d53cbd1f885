#include "term/qr.hpp"

#include <langinfo.h>
#include <locale.h>
#include <qrencode.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string_view>

#include "core/error.hpp"

namespace authctl::term {

namespace {

constexpr int kQuietZone = 4;  // modules; the minimum ISO/IEC 18004 asks for

// "UTF-8", "utf8", "en_US.UTF-8", "C.utf8": any spelling of UTF-8 inside `s`.
bool mentions_utf8(std::string_view s) {
  std::string folded;
  for (char c : s) {
    if (c == '-' || c == '_') continue;
    folded.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
  }
  return folded.find("utf8") != std::string::npos;
}

// The locale name setlocale(LC_CTYPE, "") would use: the first non-empty of LC_ALL,
// LC_CTYPE, LANG (POSIX precedence).
std::string ctype_locale_name() {
  for (const char* var : {"LC_ALL", "LC_CTYPE", "LANG"}) {
    const char* value = std::getenv(var);
    if (value && *value) return value;
  }
  return "C";
}

}  // namespace

std::vector<std::vector<bool>> qr_modules(const std::string& text) {
  // QRcode_encodeData is byte mode for the whole input (QRcode_encodeString would switch to
  // alphanumeric/Kanji segments, and stops at a NUL). Version 0 = the smallest that fits.
  errno = 0;
  std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
      QRcode_encodeData(static_cast<int>(text.size()),
                        reinterpret_cast<const unsigned char*>(text.data()), 0, QR_ECLEVEL_M),
      &QRcode_free);
  if (!code) {
    int err = errno;
    std::string why = err == ERANGE ? "text too long (" + std::to_string(text.size()) + " bytes)"
                      : err != 0    ? std::strerror(err)
                                    : "unknown error";
    throw Error(ExitCode::error, "cannot encode the QR code: " + why,
                "open the link shown instead");
  }
  const int width = code->width;
  std::vector<std::vector<bool>> modules(width, std::vector<bool>(width));
  for (int y = 0; y < width; ++y) {
    for (int x = 0; x < width; ++x) {
      // Bit 0 is the module's colour; the other bits say what the module is part of.
      modules[y][x] = (code->data[y * width + x] & 1) != 0;
    }
  }
  return modules;
}

std::string render_qr(const std::string& text, QrStyle style, bool paint) {
  const auto modules = qr_modules(text);
  const int width = static_cast<int>(modules.size());
  const int size = width + 2 * kQuietZone;
  // Module (x, y) of the symbol with its quiet zone; rows past the bottom (the half line
  // under an odd row count) count as "no ink", so the quiet zone stays exactly 4 modules.
  auto dark = [&](int x, int y) {
    x -= kQuietZone;
    y -= kQuietZone;
    return x >= 0 && y >= 0 && x < width && y < width && modules[y][x];
  };

  // paint: fix the colours instead of trusting the theme's (see qr.hpp).
  const char* begin_line = !paint ? "" : style == QrStyle::ascii ? "\x1b[30;107m" : "\x1b[97;40m";
  const char* end_line = paint ? "\x1b[0m\n" : "\n";
  std::string out;
  if (style == QrStyle::ascii) {
    for (int y = 0; y < size; ++y) {
      out += begin_line;
      for (int x = 0; x < size; ++x) out += dark(x, y) ? "##" : "  ";
      out += end_line;
    }
    return out;
  }

  // half_blocks: ink = light module (see qr.hpp).
  auto ink = [&](int x, int y) { return y < size && !dark(x, y); };
  for (int y = 0; y < size; y += 2) {
    out += begin_line;
    for (int x = 0; x < size; ++x) {
      const bool top = ink(x, y);
      const bool bottom = ink(x, y + 1);
      out += top && bottom ? "\u2588"  // █
             : top         ? "\u2580"  // ▀
             : bottom      ? "\u2584"  // ▄
                           : " ";
    }
    out += end_line;
  }
  return out;
}

DrawingSize drawing_size(const std::string& drawing) {
  DrawingSize size;
  size_t line = 0;
  bool in_escape = false;
  for (unsigned char c : drawing) {
    if (c == '\n') {
      size.columns = std::max(size.columns, line);
      ++size.rows;
      line = 0;
    } else if (c == 0x1b) {
      in_escape = true;
    } else if (in_escape) {
      in_escape = c != 'm';
    } else {
      line += (c & 0xC0) != 0x80;
    }
  }
  if (line) {  // a last line without its newline
    size.columns = std::max(size.columns, line);
    ++size.rows;
  }
  return size;
}

bool fits(const DrawingSize& size, size_t columns, size_t rows, size_t spare_rows) {
  return (columns == 0 || size.columns <= columns) && (rows == 0 || size.rows + spare_rows <= rows);
}

bool locale_is_utf8() {
  // A private locale object instead of setlocale(LC_CTYPE, "") + nl_langinfo(CODESET): same
  // answer, but it leaves the process's locale (and other threads) alone.
  if (locale_t loc = newlocale(LC_CTYPE_MASK, "", static_cast<locale_t>(nullptr))) {
    const bool utf8 = mentions_utf8(nl_langinfo_l(CODESET, loc));
    freelocale(loc);
    return utf8;
  }
  // The named locale is not installed (common in containers: LANG=en_US.UTF-8 without
  // locales-all). The terminal is still most likely UTF-8, so trust the name, as tmux does.
  return mentions_utf8(ctype_locale_name());
}

QrStyle qr_style_for_locale() {
  return locale_is_utf8() ? QrStyle::half_blocks : QrStyle::ascii;
}

}  // namespace authctl::term
