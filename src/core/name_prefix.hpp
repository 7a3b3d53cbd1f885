// Which of a set of names a user's word means: the name itself, else the names it begins
// (`switch ad` for admin@host). Only where a person types the word: -p and
// AUTHCTL_PROFILE take whole names, so that a script's word cannot change meaning when a
// profile is added.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace authctl::name_prefix {

// `word` alone when it is one of `names`; else every name that starts with it, in the
// order of `names` (none: nothing matches; several: ambiguous). An empty word matches
// nothing.
std::vector<std::string> matches(const std::vector<std::string>& names, std::string_view word);

}  // namespace authctl::name_prefix
