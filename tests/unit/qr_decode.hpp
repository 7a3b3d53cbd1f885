// Decodes a QR code rendered as text with a real scanner (zbarimg), to check that what
// render_qr prints is a QR code of the payload and not only a plausible-looking grid.
//
// The text is turned into the picture a terminal would show: each glyph's ink takes the
// theme's foreground colour, everything else (and a margin around the code, the rest of the
// screen) its background colour. So the helper does not invert anything by itself; the theme
// decides which way round the image comes out, as on a real screen.
#pragma once

#include <stdlib.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "term/qr.hpp"

namespace qr_decode {

enum class Theme {
  dark,   // light ink on a dark background (most terminal defaults)
  light,  // dark ink on a light background
};

// The theme on which a style is drawn the right way round (see render_qr in term/qr.hpp).
inline Theme native_theme(authctl::term::QrStyle style) {
  return style == authctl::term::QrStyle::half_blocks ? Theme::dark : Theme::light;
}

// The ink of the text, one row per module row, one column per module; empty if the text
// holds anything render_qr does not draw or rows of different widths.
inline std::vector<std::vector<bool>> ink_grid(const std::string& rendered,
                                               authctl::term::QrStyle style) {
  std::vector<std::vector<bool>> grid;
  size_t pos = 0;
  while (pos < rendered.size()) {
    size_t end = rendered.find('\n', pos);
    if (end == std::string::npos) end = rendered.size();
    const std::string line = rendered.substr(pos, end - pos);
    pos = end + 1;
    if (style == authctl::term::QrStyle::ascii) {
      // Two characters per module, one line per module row.
      if (line.size() % 2 != 0) return {};
      std::vector<bool> row;
      for (size_t i = 0; i < line.size(); i += 2) {
        const std::string cell = line.substr(i, 2);
        if (cell != "##" && cell != "  ") return {};
        row.push_back(cell == "##");
      }
      grid.push_back(row);
    } else {
      // One cell = one module wide, two module rows tall: ▀ inks the top, ▄ the bottom.
      std::vector<bool> top, bottom;
      for (size_t i = 0; i < line.size();) {
        const size_t len = line[i] == ' ' ? 1 : 3;
        const std::string glyph = line.substr(i, len);
        i += len;
        if (glyph != " " && glyph != "\u2588" && glyph != "\u2580" && glyph != "\u2584") return {};
        top.push_back(glyph == "\u2588" || glyph == "\u2580");
        bottom.push_back(glyph == "\u2588" || glyph == "\u2584");
      }
      grid.push_back(top);
      grid.push_back(bottom);
    }
  }
  for (const auto& row : grid) {
    if (row.size() != grid.front().size()) return {};
  }
  return grid;
}

// Runs zbarimg on the image and returns what it decoded ("" if nothing). try_inverted also
// tries the image with light and dark swapped, as some phone scanners do.
inline std::string decode_text_qr(const std::string& rendered, authctl::term::QrStyle style,
                                  Theme theme, bool try_inverted = false) {
  const auto grid = ink_grid(rendered, style);
  if (grid.empty()) return "";
  constexpr int kScale = 4;   // pixels per module
  constexpr int kMargin = 8;  // modules of plain screen background around the text
  const int rows = static_cast<int>(grid.size()) + 2 * kMargin;
  const int cols = static_cast<int>(grid.front().size()) + 2 * kMargin;
  // PBM: 1 is black. Ink is the foreground colour: light on the dark theme.
  const bool ink_is_black = theme == Theme::light;
  std::string pbm =
      "P1\n" + std::to_string(cols * kScale) + " " + std::to_string(rows * kScale) + "\n";
  for (int y = 0; y < rows * kScale; ++y) {
    const int my = y / kScale - kMargin;
    for (int x = 0; x < cols * kScale; ++x) {
      const int mx = x / kScale - kMargin;
      const bool inked = my >= 0 && mx >= 0 && my < static_cast<int>(grid.size()) &&
                         mx < static_cast<int>(grid.front().size()) && grid[my][mx];
      pbm += (inked == ink_is_black) ? '1' : '0';
      pbm += (x + 1) % 35 == 0 ? '\n' : ' ';  // PBM lines must stay under 70 characters
    }
    pbm += '\n';
  }

  char path[] = "/tmp/authctl-qr-XXXXXX.pbm";
  const int fd = mkstemps(path, 4);
  if (fd < 0) return "";
  close(fd);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << pbm;

  const std::string command = std::string("zbarimg --quiet --raw -Sdisable -Sqrcode.enable") +
                              (try_inverted ? " -Stest-inverted" : "") + " '" + path +
                              "' 2>/dev/null";
  std::string decoded;
  if (FILE* pipe = popen(command.c_str(), "r")) {
    std::array<char, 4096> buf{};
    size_t n;
    while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) decoded.append(buf.data(), n);
    pclose(pipe);
  }
  unlink(path);
  // --raw ends each decoded symbol with a newline.
  if (!decoded.empty() && decoded.back() == '\n') decoded.pop_back();
  return decoded;
}

// Decodes on the theme the style is drawn for.
inline std::string decode_text_qr(const std::string& rendered, authctl::term::QrStyle style) {
  return decode_text_qr(rendered, style, native_theme(style));
}

}  // namespace qr_decode
