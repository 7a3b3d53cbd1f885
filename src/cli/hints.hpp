// The hint of an error: what to do next, written by the command layer alone, because only
// it knows which option or command the user gave (a redirect of --remote's server says
// --remote, not --host). Lower layers throw an Error with a Reason and facts and no hint.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "core/error.hpp"
#include "store/credentials.hpp"

namespace authctl::cli {

// The profile a command acts on, as far as a hint that says how to log in to it again
// needs it. Never its token: a hint is printed.
struct ProfileInUse {
  std::string name;
  store::Kind kind = store::Kind::neuron;
  std::string url;
  std::optional<store::LoginMethod> method;  // nullopt: a later version's method
  store::Storage storage = store::Storage::file;
};
ProfileInUse profile_in_use(const std::string& name, const store::Profile& profile);

struct HintScope {
  // The option each server authority was given with in this run ("--remote"). A server
  // that is not here came from a stored profile.
  std::map<std::string, std::string> url_options;
  // The profile selected this run (Context::select_profile), if any.
  std::optional<ProfileInUse> profile;
};

// `word` as one shell word that a shell passes on unchanged: as it is when it holds only
// A-Z a-z 0-9 and _ - + . , / : = @ %, else in single quotes (a ' as '\'').
std::string shell_word(const std::string& word);

// The option that names profile `name` on a command line to be typed as shown: "-p NAME"
// (NAME a shell_word), "--profile=NAME" when NAME starts with "-" (else it reads as an
// option), and "-p NAME" literally when the name holds what a terminal cannot show (a
// control, invalid UTF-8): its escaped form would name another profile.
std::string profile_argument(const std::string& name);

// " --host URL" for a command line to be typed as shown, with " --allow-http" when the URL
// is plain http to a host that is not loopback (as the first login needed it).
std::string host_arguments(const std::string& url);

// The command that logs in to `profile` again the way it was made, as written to run:
// "authctl login --qr -p NAME", "authctl device-link --host URL -p NAME", ... With
// `with_host` (the profile is gone) login gets --host URL too.
std::string relogin_command(const ProfileInUse& profile, bool with_host);

// The hint for `error`: its own when the command layer wrote one, else the one its Reason
// and facts call for ("" when there is nothing useful to add).
std::string hint_for(const Error& error, const HintScope& scope);

// "authctl: WHAT: HINT" with server and store text escaped (text::printable), no newline.
std::string error_line(const Error& error, const HintScope& scope);

}  // namespace authctl::cli
