// The credential store (design.md, "Credential store"): credentials.json (0600) in a 0700
// folder, changed only under an exclusive lock on credentials.lock, re-read under the lock,
// written atomically. A corrupt or unsafe store is reported and never touched.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/fd.hpp"

namespace authctl::store {

// The server a profile's session is on. Stored (and shown in --json) by name.
enum class Kind { neuron, nexterm };
NLOHMANN_JSON_SERIALIZE_ENUM(Kind, {{Kind::neuron, "neuron"}, {Kind::nexterm, "nexterm"}})
// "neuron" or "nexterm".
const char* kind_name(Kind kind);
// The kind of that name; nullopt for any other text.
std::optional<Kind> kind_from_name(std::string_view name);

// How a profile's session was made, so that a hint can name the command that makes it again
// (cli/hints.cpp). Stored under "method" by name.
enum class LoginMethod {
  password,        // Neuron: signed with the password; Nexterm: the password (+ TOTP)
  www,             // login --www: the Neuron's WwwLogin (HTTP Basic)
  api_key,         // login --with-token: a Nexterm API key from stdin
  session_cookie,  // login --session-cookie: an existing Neuron web session turned into a JWT
  qr,              // login --qr: the Neuron's Quick Login
  passkey,         // login --passkey: a Nexterm passkey made by passkey add
  device,          // device-link, login --device: a Nexterm device code
};
// password, www, api-key, session-cookie, qr, passkey, device.
const char* login_method_name(LoginMethod method);
// The method of that name; nullopt for any other text.
std::optional<LoginMethod> login_method_from_name(std::string_view name);

// Where a profile's secrets (its token and remembered remote cookies) are kept: in
// credentials.json, or in the desktop keyring (login --secure-storage keyring), the rest of
// the profile staying in the file. Stored as "storage": "keyring"; absent means file.
enum class Storage { file, keyring };
// "file" or "keyring".
const char* storage_name(Storage storage);
// The storage of that name; nullopt for any other text.
std::optional<Storage> storage_from_name(std::string_view name);

// Whether a keyring profile's secrets were read (a file profile's always are).
enum class SecretState {
  here,         // token (and cookies) are set
  not_read,     // no SecretKeeper was asked (the launcher's fast path)
  gone,         // the keyring has no (valid) item for it: log in again
  unreachable,  // the keyring could not be read (secret_problem says why)
};

struct Profile {
  Kind kind = Kind::neuron;
  std::string url;  // origin: scheme://host[:port]
  std::string user;
  std::string token;
  std::optional<int64_t> expires;  // server time, Unix seconds; none: does not expire
  // Neuron: server time when the token was asked for, so that its lifetime is
  // expires - issued_at (token --watch renews at a third of it). None in stores written
  // before it, and for a token handed over by someone else: the lifetime is then `seconds`.
  std::optional<int64_t> issued_at;
  // How the session was made. Absent from the file (stores before "method"): an API key
  // token is api-key, a profile with a passkey_file is passkey, any other is password.
  // nullopt: a name this version does not know (a later version's), kept in the file as it
  // is; the profile works, only its re-login hint cannot name the command.
  std::optional<LoginMethod> method = LoginMethod::password;
  int64_t seconds = 3600;       // lifetime asked for at login (Neuron; not stored for Nexterm)
  int64_t clock_offset = 0;     // server clock minus local clock, from Date at issue time
  std::string cacert;           // --cacert given at login (never --insecure)
  std::optional<bool> enabled;  // Neuron: false = account not yet enabled
  // account create: the addresses the codes go to, and those still to verify ("email",
  // "phone"); an empty list is kept as one (all verified), none means never asked.
  std::string email, phone;
  std::optional<std::vector<std::string>> unverified;
  std::string passkey_file;  // login --passkey: the key file used
  // remote-quick-login: the web-session cookie (HttpSessionID) per remote Neuron origin.
  std::map<std::string, std::string> remote_cookies;
  nlohmann::json extra = nlohmann::json::object();  // fields of later versions, kept as is
  Storage storage = Storage::file;
  SecretState secret = SecretState::here;  // not stored
  std::string secret_problem;              // why it is gone or unreachable (not stored)
};

// A keyring profile's secrets as the text of its keyring item:
// {"token": ..., "remote_cookies": {origin: cookie}} (cookies when there are any).
std::string secret_text(const Profile& profile);
// Sets the token and cookies of `profile` from such a text (a keyring item may be hostile:
// parsed with the nesting bound, typed, then checked by profile_problem). Returns why it is
// not usable ("" when it is); the profile is then unchanged.
std::string take_secret(Profile& profile, std::string_view text);
// Throws the error a command gets for a keyring profile whose secrets are not here:
// exit 4 (log in again) when its item is gone, exit 1 when the keyring is unreachable.
void require_secret(const std::string& name, const Profile& profile);

class SecretKeeper;
struct KeptSecret;

// A profile of the file that fails the checks of a usable one (profile_problem): it is not
// used, but written back exactly as read, so that no one's data is lost silently.
struct SkippedProfile {
  std::string reason;  // "its token is not a JWT"
  nlohmann::json raw;  // the profile's JSON as read
};

struct Credentials {
  std::string current;
  std::map<std::string, Profile> profiles;
  // Unusable profiles, by name: reported by the cli layer, never used, kept in the file
  // until removed (logout --local). A profile of the same name in `profiles` replaces one.
  std::map<std::string, SkippedProfile> skipped;
  std::string skipped_current;  // "current" as read when it names a skipped profile
  std::string source;           // the file read, for messages ("" when there was none)
  // Top-level fields this version does not know (a later version's), written back as read.
  nlohmann::json extra = nlohmann::json::object();

  const Profile* find(const std::string& name) const;
};

// Why a profile cannot be used ("" when it can): a kind other than neuron or nexterm, a
// token outside its kind's alphabet (a JWT; a session token or API key), a url that is not
// an origin by the --host rules (no user@ part, no path), a remembered cookie that is not
// an RFC 6265 value. Such values could inject headers or steer requests to another host.
// (A field of the wrong type in the file, such as a number for "email", makes the profile
// unusable too: from_json skips it for that.)
std::string profile_problem(const Profile& profile);

// $AUTHCTL_CONFIG_DIR, else $XDG_CONFIG_HOME/authctl, else ~/.config/authctl.
std::string default_config_dir();

nlohmann::json to_json(const Credentials& credentials);
// Throws authctl::Error naming `origin` (the file) when the document is not a valid store.
// Profiles that fail profile_problem() go to `skipped`, not `profiles`.
Credentials from_json(const nlohmann::json& document, const std::string& origin);
// Parses the text of a store file (JSON nested at most 64 levels) and checks it as above.
Credentials parse_store(std::string_view text, const std::string& origin);

// The names of temp files a killed write of `target_name` may have left ("NAME.tmp.XXXXXX",
// the AtomicFile pattern).
bool is_temp_of(const std::string& entry, const std::string& target_name);

class Store {
 public:
  explicit Store(std::string dir, int lock_timeout_ms = 30000);

  const std::string& dir() const { return dir_; }
  std::string credentials_path() const { return dir_ + "/credentials.json"; }
  std::string lock_path() const { return dir_ + "/credentials.lock"; }

  // Reads without the lock: every write is an atomic rename, so a reader always sees a
  // whole version. A missing folder or file reads as an empty store.
  Credentials load() const;

  // Locks, re-reads, lets `change` edit the credentials, and writes them atomically when it
  // returns true. Creates the folder (0700) when needed. Returns the credentials as written
  // (or as read, when nothing was written).
  Credentials update(const std::function<bool(Credentials&)>& change);

  // Reads and writes the secrets of keyring profiles (none: they are read without them,
  // SecretState::not_read, and a change to one cannot be written).
  void set_secret_keeper(std::shared_ptr<SecretKeeper> keeper) { keeper_ = std::move(keeper); }

 private:
  void ensure_dir() const;
  Fd open_dir() const;  // the checked store folder (O_NOFOLLOW, private), none when absent
  std::optional<Credentials> read_checked(int dir_fd) const;
  void remove_stale_temps(int dir_fd) const;

  // Keyring profiles: their secrets from the keeper, all in one search; what was found is
  // returned (by name) so that update() writes only what changed.
  std::map<std::string, KeptSecret> reveal(Credentials& credentials) const;
  void keep_secrets(const std::map<std::string, KeptSecret>& before,
                    const Credentials& after) const;
  void drop_secrets(const std::map<std::string, KeptSecret>& before,
                    const Credentials& after) const;

  std::string dir_;
  int lock_timeout_ms_;
  std::shared_ptr<SecretKeeper> keeper_;
};

}  // namespace authctl::store
