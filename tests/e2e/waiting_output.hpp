// Reading what waiting commands print: the QR block drawn on stderr, and JSON lines.
#pragma once

#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness.hpp"
#include "term/qr.hpp"

namespace e2e {

using authctl::term::QrStyle;

// The QR block of a stderr dump: the longest run of equally long lines drawn only with the
// renderer's characters.
inline std::string qr_block(const std::string& text, QrStyle style) {
  std::vector<std::string> lines;
  std::stringstream ss(text);
  for (std::string line; std::getline(ss, line);) lines.push_back(line);
  auto drawn = [&](const std::string& line) {
    if (line.size() < 20) return false;
    if (style == QrStyle::ascii) return line.find_first_not_of("# ") == std::string::npos;
    for (size_t i = 0; i < line.size();) {
      if (line[i] == ' ') {
        ++i;
      } else if (line.compare(i, 3, "\u2580") == 0 || line.compare(i, 3, "\u2584") == 0 ||
                 line.compare(i, 3, "\u2588") == 0) {
        i += 3;
      } else {
        return false;
      }
    }
    return true;
  };
  auto columns = [](const std::string& line) {  // UTF-8 code points
    size_t n = 0;
    for (unsigned char c : line) n += (c & 0xC0) != 0x80;
    return n;
  };
  std::string best, current;
  size_t width = 0;
  for (const auto& line : lines) {
    if (drawn(line) && (current.empty() || columns(line) == width)) {
      width = columns(line);
      current += line + "\n";
    } else {
      if (current.size() > best.size()) best = current;
      current = drawn(line) ? line + "\n" : "";
      width = columns(line);
    }
  }
  return current.size() > best.size() ? current : best;
}

inline nlohmann::json json_line(Process& p) {
  std::string line = p.next_line();
  auto j = nlohmann::json::parse(line, nullptr, false);
  if (j.is_discarded()) FAIL("not a JSON line: " << line);
  return j;
}

// The JSON lines of a finished command's stdout, each parsed (a line that is not JSON fails).
inline std::vector<nlohmann::json> json_lines(const std::string& out) {
  std::vector<nlohmann::json> lines;
  std::stringstream ss(out);
  for (std::string line; std::getline(ss, line);) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded()) FAIL("not a JSON line: " << line);
    lines.push_back(std::move(j));
  }
  return lines;
}

// The last of them (null when there is none).
inline nlohmann::json last_json_line(const std::string& out) {
  const auto lines = json_lines(out);
  return lines.empty() ? nlohmann::json() : lines.back();
}

}  // namespace e2e
