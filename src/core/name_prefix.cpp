#include "core/name_prefix.hpp"

#include <algorithm>

namespace authctl::name_prefix {

std::vector<std::string> matches(const std::vector<std::string>& names, std::string_view word) {
  if (word.empty()) return {};
  if (std::find(names.begin(), names.end(), word) != names.end()) return {std::string(word)};
  std::vector<std::string> found;
  for (const auto& name : names)
    if (name.compare(0, word.size(), word) == 0) found.push_back(name);
  return found;
}

}  // namespace authctl::name_prefix
