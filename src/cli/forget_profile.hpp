// What logging out does to the store, shared by `logout` and by `sessions kill` (killing
// this session is a logout too): the profile goes, and when that leaves exactly one
// profile and none is current, that one becomes current, so that the next command needs
// neither -p nor `switch`.
#pragma once

#include <string>

#include "store/credentials.hpp"

namespace authctl::cli {

// Removes profile `name` from `credentials` (nothing when it is not there). Returns the
// profile that became current as the only one left, or "". Unusable profiles
// (Credentials::skipped) cannot be used, so they do not count; a current one that is
// unusable stays current.
std::string remove_logged_out(store::Credentials& credentials, const std::string& name);

struct Forgotten {
  enum Outcome { removed, renewed, gone } outcome = gone;
  std::string new_current;  // remove_logged_out's answer
};

// Under the store lock, removes profile `name`. `revoked_token`: the token the server was
// told to end; a profile that holds another one since (a refresh or a login meanwhile)
// holds a session nobody revoked, so it is kept (renewed). nullptr: forget it whatever it
// holds (logout --local). `gone`: the profile had been removed meanwhile.
Forgotten forget_profile(store::Store& store, const std::string& name,
                         const std::string* revoked_token);

}  // namespace authctl::cli
