// JSON from outside (a server's answer, the store, a key file) parsed with a bound on
// nesting (design.md, "Untrusted input"): nlohmann::json parses deep documents fine but
// copies and dumps them recursively, so 100,000 nested arrays (200 kB, well under the
// 4 MiB body cap) would overflow the stack later. The depth is checked by a linear scan
// before the parser runs, so no deep value is ever built.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

namespace authctl::json_input {

inline constexpr int kMaxDepth = 64;

enum class Problem { none, malformed, too_deep };

struct Parsed {
  nlohmann::json value;  // discarded unless problem == none
  Problem problem = Problem::none;
  size_t byte = 0;  // malformed: where the parser stopped
  bool ok() const { return problem == Problem::none; }
};

// True when no array or object in `text` is nested deeper than `max_depth` (strings and
// their escapes are skipped; the text need not be valid JSON).
bool within_depth(std::string_view text, int max_depth = kMaxDepth);

// Parses `text` when it is within the depth bound; never throws.
Parsed parse(std::string_view text, int max_depth = kMaxDepth);

// "nested deeper than 64 levels" / "not valid JSON (at byte N)", for messages.
std::string describe(const Parsed& parsed);

}  // namespace authctl::json_input
