#include "cli/forget_profile.hpp"

namespace authctl::cli {

std::string remove_logged_out(store::Credentials& credentials, const std::string& name) {
  if (!credentials.profiles.erase(name)) return {};
  if (credentials.current == name) credentials.current.clear();
  if (!credentials.current.empty() || !credentials.skipped_current.empty() ||
      credentials.profiles.size() != 1)
    return {};
  credentials.current = credentials.profiles.begin()->first;
  return credentials.current;
}

Forgotten forget_profile(store::Store& store, const std::string& name,
                         const std::string* revoked_token) {
  Forgotten result;
  store.update([&](store::Credentials& credentials) {
    auto it = credentials.profiles.find(name);
    if (it == credentials.profiles.end()) return false;
    if (revoked_token && it->second.token != *revoked_token) {
      result.outcome = Forgotten::renewed;
      return false;
    }
    result.outcome = Forgotten::removed;
    result.new_current = remove_logged_out(credentials, name);
    return true;
  });
  return result;
}

}  // namespace authctl::cli
