// Helpers shared by the hostile-input tests (issue 9): building the broker's hostile edits
// and checking that nothing a terminal acts on reached the output.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "broker.hpp"

namespace e2e {

// An edit of a route's JSON answer: JSON pointer -> raw JSON text (see hostile.hpp).
inline testbroker::HostileAnswer sets(std::vector<std::pair<std::string, std::string>> edits) {
  testbroker::HostileAnswer answer;
  answer.set = std::move(edits);
  return answer;
}

inline testbroker::HostileAnswer set(std::string pointer, std::string raw_json) {
  return sets({{std::move(pointer), std::move(raw_json)}});
}

// No byte that a terminal acts on: ESC, CR, BEL, other C0 but newline and tab, DEL, and
// the C1 controls (raw 0x80..0x9f, and in UTF-8 C2 80..C2 9F).
inline bool terminal_safe(const std::string& text) {
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) return false;
    if (c == 0xc2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
        static_cast<unsigned char>(text[i + 1]) <= 0x9f)
      return false;
    if (c >= 0x80 && c <= 0x9f && (i == 0 || static_cast<unsigned char>(text[i - 1]) < 0xc2))
      return false;  // a bare 8-bit C1 (CSI 0x9b) that is no UTF-8 continuation byte
  }
  return true;
}

}  // namespace e2e
