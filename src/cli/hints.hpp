// The hint of an error: what to do next, written by the command layer alone, because only
// it knows which option or command the user gave (a redirect of --remote's server says
// --remote, not --host). Lower layers throw an Error with a Reason and facts and no hint.
#pragma once

#include <map>
#include <string>

#include "core/error.hpp"

namespace authctl::cli {

struct HintScope {
  // The option each server authority was given with in this run ("--remote"). A server
  // that is not here came from a stored profile.
  std::map<std::string, std::string> url_options;
};

// The hint for `error`: its own when the command layer wrote one, else the one its Reason
// and facts call for ("" when there is nothing useful to add).
std::string hint_for(const Error& error, const HintScope& scope);

// "authctl: WHAT: HINT" with server and store text escaped (text::printable), no newline.
std::string error_line(const Error& error, const HintScope& scope);

}  // namespace authctl::cli
