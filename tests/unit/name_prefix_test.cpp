// core/name_prefix: the profile `switch WORD` means (a whole name wins over the names it
// begins; several is ambiguous; nothing is none).
#include "core/name_prefix.hpp"

#include <doctest/doctest.h>

using authctl::name_prefix::matches;

namespace {
const std::vector<std::string> kNames = {"admin@lab", "admin@lab:8443", "alice@home", "bob@work"};
using Names = std::vector<std::string>;
}  // namespace

TEST_CASE("a unique start names its profile") {
  CHECK(matches(kNames, "al") == Names{"alice@home"});
  CHECK(matches(kNames, "b") == Names{"bob@work"});
  CHECK(matches(kNames, "alice@home") == Names{"alice@home"});
}

TEST_CASE("a whole name wins over the longer names it begins") {
  CHECK(matches(kNames, "admin@lab") == Names{"admin@lab"});
  CHECK(matches(kNames, "admin@lab:") == Names{"admin@lab:8443"});
}

TEST_CASE("an ambiguous start gives every candidate, in order; no match gives none") {
  CHECK(matches(kNames, "a") == Names{"admin@lab", "admin@lab:8443", "alice@home"});
  CHECK(matches(kNames, "ad") == Names{"admin@lab", "admin@lab:8443"});
  CHECK(matches(kNames, "carol").empty());
  CHECK(matches(kNames, "Admin").empty());  // case matters, as in the store
  CHECK(matches(kNames, "").empty());
  CHECK(matches({}, "a").empty());
}
