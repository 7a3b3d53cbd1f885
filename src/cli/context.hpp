// What every command shares: the global options, the store, profile selection, the HTTP
// client options, output helpers, and the CLI11 validators used across commands.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "backends/server.hpp"
#include "backends/session_client.hpp"
#include "cli/hints.hpp"
#include "cli/json_output.hpp"
#include "core/host.hpp"
#include "store/credentials.hpp"
#include "store/keyring.hpp"

namespace authctl::cli {

struct GlobalOptions {
  std::string profile;     // -p/--profile, env AUTHCTL_PROFILE
  std::string config_dir;  // --config-dir, env AUTHCTL_CONFIG_DIR
  bool json = false;
  bool verbose = false;  // or AUTHCTL_DEBUG=http
  std::string cacert;    // --cacert, env AUTHCTL_CA_BUNDLE
  bool insecure = false;
  int timeout = 30;
  bool no_input = false;  // also CI=true
  bool no_color = false;  // also NO_COLOR
};

class Context {
 public:
  GlobalOptions global;
  // What main() returns when a command succeeds in its own terms but reports a code of
  // its own (exec: the command's; api: the HTTP answer's).
  int exit_code = 0;
  // What the hints of this run's errors may name (cli/hints.hpp). Mutable: selecting a
  // profile (a const lookup) records the profile in use there.
  mutable HintScope hints;
  // login without --host logs in again to a profile: the CA file that profile remembered.
  // Used (and checked as a remembered one) when no --cacert is given, and kept by the new
  // profile (new_profile).
  std::string relogin_cacert;
  // How many words followed the first "--" of the command line (exec: CMD and its
  // arguments must all come after it); nullopt when there was none.
  std::optional<size_t> words_after_separator;
  // --secure-storage of a command that starts a session (or AUTHCTL_SECURE_STORAGE):
  // where new_profile() keeps the new profile's secrets.
  // "" when neither was given: a new profile goes to the file, a login that replaces a
  // profile keeps that profile's storage.
  std::string secure_storage_name;
  store::Storage secure_storage() const {
    return store::storage_from_name(secure_storage_name).value_or(store::Storage::file);
  }

  // The store, reading and writing keyring profiles' secrets through keyring().
  store::Store open_store() const;
  // The desktop keyring, one per run; it may prompt to unlock only when prompting is allowed
  // (not under --no-input or CI=true).
  std::shared_ptr<store::Keyring> keyring() const;
  // parse_host() of the value of `option` ("--host", "--remote"): an invalid value is named
  // by that option, and the hints of that server's errors name it too.
  HostSpec host_option(const std::string& text, bool allow_http, const std::string& option);
  // -p / AUTHCTL_PROFILE, or "" when neither was given.
  std::string explicit_profile() const { return global.profile; }
  // Throws Error(usage) when -p / AUTHCTL_PROFILE breaks the profile-name rule
  // (validate::is_profile_name) and names no profile of the store: names a store already
  // holds keep working. The first form loads the store only for such a name.
  void check_profile_option() const;
  void check_profile_option(const store::Credentials& credentials) const;
  // The profile a command acts on: -p, AUTHCTL_PROFILE, else the current one, recorded in
  // hints.profile (its errors' hints say how to log in to it again). Throws Error(auth)
  // "not logged in" naming what to do when there is none.
  std::string select_profile(const store::Credentials& credentials) const;
  // Loads the store and returns the selected profile (a copy) and its name.
  std::pair<std::string, store::Profile> selected_profile() const;
  // As above, and throws Error(usage) unless the profile is of `kind` ("nexterm", "neuron").
  std::pair<std::string, store::Profile> selected_profile(store::Kind kind,
                                                          const std::string& command) const;
  // The Error(usage) of that check, for a profile already loaded.
  static void require_kind(const std::string& name, const store::Profile& profile, store::Kind kind,
                           const std::string& command);
  // HTTP options: --cacert, else AUTHCTL_CA_BUNDLE, else the CA remembered in the profile.
  // Warns (every use) about --insecure and plain http to a non-loopback host.
  backends::ConnectionOptions client_options(const std::string& url,
                                             const std::string& profile_cacert) const;
  // A server reached by URL before there is a profile (login, account create, device
  // codes), with --cacert / AUTHCTL_CA_BUNDLE as its CA (else relogin_cacert).
  backends::Server server(const HostSpec& host) const;
  // One server's client for such a URL, with an HTTP client of its own.
  backends::NeuronClient neuron_at(const HostSpec& host) const;
  backends::NextermClient nexterm_at(const HostSpec& host) const;
  // A client of `profile`'s session (either server), with its own HTTP client made from
  // client_options() and the profile's secrets registered with the trace.
  std::unique_ptr<backends::SessionClient> connect(const store::Profile& profile) const;
  // The same for the calls only one server has.
  backends::NeuronClient neuron(const store::Profile& profile) const;
  backends::NextermClient nexterm(const store::Profile& profile) const;
  // Whether a person can be asked: not --no-input, not CI=true, and stdin is a terminal.
  bool can_prompt() const;
  // Why not, for the error that follows "... is needed and": "prompting is off because
  // CI=true" (a terminal may be there), "prompting is off (--no-input)", "no terminal is
  // there to ask for it". "" when can_prompt().
  std::string why_no_prompt() const;
  bool trace() const;
  // Colours on stderr: a terminal, and neither --no-color nor NO_COLOR (any value).
  bool colors() const;

  void print_json(const nlohmann::json& value) const;
};

// One warning per unusable profile of the store (store::Credentials::skipped), naming it,
// why, and that authctl logout --local -p NAME removes it; each is warned about once per
// run, however often the store is read. Every command that loads the store for the user
// calls it (selected_profile does).
void warn_unusable(const store::Credentials& credentials);

// A duration such as 90s, 5m, 1h30m, as a number of seconds (a validated option's value;
// CLI11's check is duration_validator in cli/validators.hpp).
int64_t parse_duration_or_throw(const std::string& text);

}  // namespace authctl::cli
