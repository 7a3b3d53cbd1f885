#include "store/credentials.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <vector>

#include "core/error.hpp"
#include "core/host.hpp"
#include "core/json_input.hpp"
#include "core/text.hpp"
#include "core/validate.hpp"
#include "store/atomic_file.hpp"
#include "store/file_checks.hpp"
#include "store/lock_file.hpp"
#include "store/secret_keeper.hpp"

namespace authctl::store {

namespace {

constexpr int kVersion = 1;
constexpr size_t kMaxStoreSize = 16 * 1024 * 1024;
constexpr const char* kCredentialsName = "credentials.json";
constexpr const char* kLockName = "credentials.lock";

Error corrupt(const std::string& path, const std::string& what) {
  return Error(ExitCode::error, "credential store " + path + " is corrupt: " + what,
               Reason::store_corrupt);
}

std::string url_problem(const std::string& url) {
  // The --host rules (parse_host: no user@ part, no path, a valid port), plain http
  // allowed as --allow-http made it, and a scheme: the url is an origin, not a bare host.
  if (url.find("://") == std::string::npos) return "its url is not scheme://host[:port]";
  try {
    parse_host(url, /*allow_http=*/true);
  } catch (const Error&) {
    return "its url is not scheme://host[:port] (a user@ part, a path or a bad port)";
  }
  return {};
}

std::string cookie_problem(const std::map<std::string, std::string>& cookies) {
  // remote-quick-login remembers one web-session cookie per remote Neuron origin.
  for (const auto& item : cookies)
    if (!item.second.empty() && !validate::is_cookie_value(item.second))
      return "a remembered remote cookie is not a valid cookie value";
  return {};
}

}  // namespace

const char* kind_name(Kind kind) {
  return kind == Kind::nexterm ? "nexterm" : "neuron";
}

std::optional<Kind> kind_from_name(std::string_view name) {
  if (name == "neuron") return Kind::neuron;
  if (name == "nexterm") return Kind::nexterm;
  return std::nullopt;
}

const char* login_method_name(LoginMethod method) {
  switch (method) {
    case LoginMethod::password:
      return "password";
    case LoginMethod::www:
      return "www";
    case LoginMethod::api_key:
      return "api-key";
    case LoginMethod::session_cookie:
      return "session-cookie";
    case LoginMethod::qr:
      return "qr";
    case LoginMethod::passkey:
      return "passkey";
    case LoginMethod::device:
      return "device";
  }
  return "password";  // not reached: every method is named above
}

std::optional<LoginMethod> login_method_from_name(std::string_view name) {
  for (LoginMethod method :
       {LoginMethod::password, LoginMethod::www, LoginMethod::api_key, LoginMethod::session_cookie,
        LoginMethod::qr, LoginMethod::passkey, LoginMethod::device})
    if (name == login_method_name(method)) return method;
  return std::nullopt;
}

const char* storage_name(Storage storage) {
  return storage == Storage::keyring ? "keyring" : "file";
}

std::optional<Storage> storage_from_name(std::string_view name) {
  if (name == "file") return Storage::file;
  if (name == "keyring") return Storage::keyring;
  return std::nullopt;
}

std::string profile_problem(const Profile& p) {
  if (auto why = url_problem(p.url); !why.empty()) return why;
  // A keyring profile whose item was not read has no secrets to check yet (take_secret
  // checks them when they come).
  if (p.secret != SecretState::here) return {};
  if (p.kind == Kind::neuron && !validate::is_jwt(p.token)) return "its token is not a JWT";
  if (p.kind == Kind::nexterm && !validate::is_session_token(p.token) &&
      !validate::is_api_key(p.token))
    return "its token is neither a Nexterm session token nor an API key";
  return cookie_problem(p.remote_cookies);
}

std::string secret_text(const Profile& profile) {
  nlohmann::json j = {{"token", profile.token}};
  if (!profile.remote_cookies.empty()) j["remote_cookies"] = profile.remote_cookies;
  return j.dump();
}

std::string take_secret(Profile& profile, std::string_view text) {
  json_input::Parsed parsed = json_input::parse(text);
  if (!parsed.ok() || !parsed.value.is_object()) return "its keyring item is not authctl's JSON";
  const nlohmann::json& j = parsed.value;
  auto token = j.find("token");
  if (token == j.end() || !token->is_string()) return "its keyring item holds no token";
  Profile read = profile;
  read.token = token->get<std::string>();
  read.remote_cookies.clear();
  if (auto cookies = j.find("remote_cookies"); cookies != j.end()) {
    if (!cookies->is_object()) return "its keyring item's cookies are not an object";
    for (const auto& item : cookies->items()) {
      if (!item.value().is_string()) return "its keyring item's cookies are not text";
      read.remote_cookies.emplace(item.key(), item.value().get<std::string>());
    }
  }
  read.secret = SecretState::here;
  read.secret_problem.clear();
  if (std::string why = profile_problem(read); !why.empty()) return "in its keyring item, " + why;
  profile = std::move(read);
  return {};
}

void require_secret(const std::string& name, const Profile& profile) {
  const std::string shown = text::printable(name);
  switch (profile.secret) {
    case SecretState::here:
      return;
    case SecretState::gone:
      throw Error(ExitCode::auth,
                  "the token of profile " + shown + " is gone from the keyring (" +
                      profile.secret_problem + ")",
                  Reason::relogin_needed);
    case SecretState::unreachable:
      throw Error(ExitCode::error,
                  "profile " + shown + " keeps its token in the keyring: " + profile.secret_problem,
                  profile.secret_problem.rfind("the keyring is locked", 0) == 0
                      ? Reason::keyring_locked
                      : Reason::keyring_unreachable);
    case SecretState::not_read:
      break;
  }
  throw Error(ExitCode::error, "profile " + shown + " keeps its token in the keyring, not read",
              Reason::keyring_unusable);
}

bool is_temp_of(const std::string& entry, const std::string& target_name) {
  const std::string prefix = target_name + kTempInfix;
  if (entry.size() != prefix.size() + kTempSuffixLength || entry.compare(0, prefix.size(), prefix))
    return false;
  for (size_t i = prefix.size(); i < entry.size(); ++i)
    if (!isalnum(static_cast<unsigned char>(entry[i]))) return false;
  return true;
}

const Profile* Credentials::find(const std::string& name) const {
  auto it = profiles.find(name);
  return it == profiles.end() ? nullptr : &it->second;
}

std::string default_config_dir() {
  if (const char* dir = getenv("AUTHCTL_CONFIG_DIR"); dir && *dir) return dir;
  if (const char* xdg = getenv("XDG_CONFIG_HOME"); xdg && *xdg == '/')
    return std::string(xdg) + "/authctl";
  const char* home = getenv("HOME");
  if (!home || !*home) {
    if (const passwd* pw = getpwuid(geteuid())) home = pw->pw_dir;
  }
  if (home && *home) return std::string(home) + "/.config/authctl";
  throw Error(ExitCode::error, "cannot find the config folder: HOME is not set",
              Reason::home_unset);
}

namespace {

nlohmann::json profile_to_json(const Profile& p) {
  nlohmann::json j = p.extra.is_object() ? p.extra : nlohmann::json::object();
  j["kind"] = p.kind;
  j["url"] = p.url;
  j["user"] = p.user;
  if (p.storage == Storage::keyring) {
    j["storage"] = storage_name(p.storage);  // the token is in the keyring, never here
    j.erase("token");
  } else {
    j["token"] = p.token;
  }
  j["expires"] = p.expires ? nlohmann::json(*p.expires) : nlohmann::json(nullptr);
  // An unknown method (a later version's) stays in `extra`, as it was read.
  if (p.method) j["method"] = login_method_name(*p.method);
  j["clock_offset"] = p.clock_offset;
  // The optional fields: written when set, absent otherwise.
  auto optional = [&j](const char* key, bool set, nlohmann::json value) {
    if (set)
      j[key] = std::move(value);
    else
      j.erase(key);
  };
  // A Nexterm session lasts until it is ended: a lifetime means nothing there.
  optional("seconds", p.kind == Kind::neuron, p.seconds);
  optional("issued_at", p.kind == Kind::neuron && p.issued_at.has_value(), p.issued_at.value_or(0));
  optional("cacert", !p.cacert.empty(), p.cacert);
  optional("enabled", p.enabled.has_value(), p.enabled.value_or(false));
  optional("email", !p.email.empty(), p.email);
  optional("phone", !p.phone.empty(), p.phone);
  optional("unverified", p.unverified.has_value(),
           p.unverified.value_or(std::vector<std::string>{}));
  optional("passkey_file", !p.passkey_file.empty(), p.passkey_file);
  optional("remote_cookies", p.storage == Storage::file && !p.remote_cookies.empty(),
           p.remote_cookies);
  return j;
}

}  // namespace

nlohmann::json to_json(const Credentials& credentials) {
  nlohmann::json profiles = nlohmann::json::object();
  for (const auto& [name, p] : credentials.profiles) profiles[name] = profile_to_json(p);
  // Unusable profiles go back exactly as they were read (one of the same name replaces it).
  for (const auto& [name, skipped] : credentials.skipped)
    if (!profiles.contains(name)) profiles[name] = skipped.raw;
  std::string current = credentials.current;
  if (current.empty() && credentials.skipped.count(credentials.skipped_current))
    current = credentials.skipped_current;
  nlohmann::json doc = credentials.extra.is_object() ? credentials.extra : nlohmann::json::object();
  doc["version"] = kVersion;
  doc["profiles"] = std::move(profiles);
  doc["current"] = current.empty() ? nlohmann::json(nullptr) : nlohmann::json(current);
  return doc;
}

namespace {

// Every field this version reads; the others are kept in `extra` as they are.
constexpr const char* kKnownFields[] = {
    "kind",      "url",     "user",  "token", "expires",    "seconds",      "clock_offset",
    "cacert",    "enabled", "email", "phone", "unverified", "passkey_file", "remote_cookies",
    "issued_at", "storage"};
// "method" is not among them: an unknown one is kept in `extra` (read_method).

// The fields of account create, login --passkey and remote-quick-login, typed (earlier
// versions kept them in `extra`, under the same keys). A wrong type is returned as the
// reason the profile is unusable ("" when all are right): such a profile is skipped and
// kept, as these fields always were, not a corrupt store.
std::string read_command_fields(const nlohmann::json& j, Profile& p) {
  for (auto [key, out] : {std::pair{"email", &p.email}, std::pair{"phone", &p.phone},
                          std::pair{"passkey_file", &p.passkey_file}}) {
    auto it = j.find(key);
    if (it == j.end()) continue;
    if (!it->is_string()) return std::string("its \"") + key + "\" is not a string";
    *out = it->get<std::string>();
  }
  if (auto it = j.find("unverified"); it != j.end()) {
    if (!it->is_array()) return "its \"unverified\" is not a list";
    auto& list = p.unverified.emplace();
    for (const auto& item : *it) {
      if (!item.is_string()) return "its \"unverified\" holds something other than text";
      list.push_back(item.get<std::string>());
    }
  }
  if (auto it = j.find("remote_cookies"); it != j.end()) {
    if (!it->is_object()) return "its remembered remote cookies are not an object";
    for (const auto& item : it->items()) {
      if (!item.value().is_string()) return "a remembered remote cookie is not a string";
      p.remote_cookies.emplace(item.key(), item.value().get<std::string>());
    }
  }
  return {};
}

// How the profile logged in (see Profile::method). A name this version does not know is
// kept in `extra` for a later version; one of the wrong type makes the profile unusable, as
// a command's field of the wrong type does. Called after the token and passkey_file are read.
std::string read_method(const nlohmann::json& j, Profile& p) {
  auto it = j.find("method");
  if (it == j.end()) {
    p.method = validate::is_api_key(p.token) ? LoginMethod::api_key
               : p.passkey_file.empty()      ? LoginMethod::password
                                             : LoginMethod::passkey;
    return {};
  }
  if (!it->is_string()) return "its \"method\" is not a string";
  p.method = login_method_from_name(it->get<std::string>());
  if (p.method) p.extra.erase("method");
  return {};
}

// The numbers and flags of a profile; a wrong type is a corrupt store (not a skipped
// profile: the file is not what authctl wrote, and rewriting it could lose more).
void read_scalars(const nlohmann::json& j, Profile& p, const std::string& where,
                  const std::string& origin) {
  if (auto it = j.find("expires"); it != j.end() && !it->is_null()) {
    if (!it->is_number_integer()) throw corrupt(origin, where + ": \"expires\" is not an integer");
    p.expires = it->get<int64_t>();
  }
  auto typed = [&](const char* key, bool ok) {
    if (!ok) throw corrupt(origin, where + ": \"" + key + "\" has the wrong type");
  };
  if (auto it = j.find("seconds"); it != j.end()) {
    typed("seconds", it->is_number_integer());
    // A Nexterm session has no lifetime to ask for: an older version's value is dropped
    // here, as it is not written back (fuzz_store found the difference).
    if (p.kind == Kind::neuron) p.seconds = it->get<int64_t>();
  }
  if (auto it = j.find("issued_at"); it != j.end() && !it->is_null()) {
    typed("issued_at", it->is_number_integer());
    if (p.kind == Kind::neuron) p.issued_at = it->get<int64_t>();  // as "seconds" above
  }
  if (auto it = j.find("clock_offset"); it != j.end()) {
    typed("clock_offset", it->is_number_integer());
    p.clock_offset = it->get<int64_t>();
  }
  if (auto it = j.find("cacert"); it != j.end()) {
    typed("cacert", it->is_string());
    p.cacert = it->get<std::string>();
  }
  if (auto it = j.find("enabled"); it != j.end()) {
    typed("enabled", it->is_boolean());
    p.enabled = it->get<bool>();
  }
}

// "storage": absent or "file", or "keyring" (the token is then not in the file, and the
// profile's secrets are not read yet). Another value (a later version's) makes the profile
// unusable here, kept as it is.
std::string read_storage(const nlohmann::json& j, Profile& p) {
  auto it = j.find("storage");
  if (it == j.end()) return {};
  const std::optional<Storage> storage =
      it->is_string() ? storage_from_name(it->get<std::string>()) : std::nullopt;
  if (!storage) return "its \"storage\" is neither file nor keyring";
  p.storage = *storage;
  if (p.storage == Storage::keyring) p.secret = SecretState::not_read;
  return {};
}

// One profile's fields, typed. `problem` is set when a command's field has the wrong type
// (read_command_fields); a wrong type elsewhere throws (read_scalars).
Profile profile_from_json(const std::string& name, const nlohmann::json& j,
                          const std::string& origin, std::string& problem) {
  const std::string where = "profile \"" + text::printable(name) + "\"";
  if (!j.is_object()) throw corrupt(origin, where + " is not an object");
  auto str = [&](const char* key) -> std::string {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string())
      throw corrupt(origin, where + ": \"" + key + "\" is missing or not a string");
    return it->get<std::string>();
  };
  Profile p;
  const std::optional<Kind> kind = kind_from_name(str("kind"));
  p.kind = kind.value_or(Kind::neuron);
  p.url = str("url");
  p.user = str("user");
  problem = read_storage(j, p);
  if (p.storage == Storage::file && problem.empty()) p.token = str("token");
  read_scalars(j, p, where, origin);
  if (problem.empty())
    problem = kind ? read_command_fields(j, p) : "its kind is not neuron or nexterm";
  // A keyring profile's cookies are in its keyring item: any in the file are not used.
  if (p.storage == Storage::keyring) p.remote_cookies.clear();
  p.extra = j;
  for (const char* known : kKnownFields) p.extra.erase(known);
  if (problem.empty()) problem = read_method(j, p);
  return p;
}

}  // namespace

Credentials from_json(const nlohmann::json& doc, const std::string& origin) {
  if (!doc.is_object()) throw corrupt(origin, "the top level is not a JSON object");
  auto version = doc.find("version");
  if (version == doc.end() || !version->is_number_integer())
    throw corrupt(origin, "\"version\" is missing");
  if (version->get<int>() != kVersion)
    throw Error(ExitCode::error,
                origin + " has store version " + std::to_string(version->get<int>()) +
                    ", this authctl reads version " + std::to_string(kVersion),
                Reason::store_version);
  Credentials out;
  if (auto cur = doc.find("current"); cur != doc.end() && !cur->is_null()) {
    if (!cur->is_string()) throw corrupt(origin, "\"current\" is not a string");
    out.current = cur->get<std::string>();
  }
  auto profiles = doc.find("profiles");
  if (profiles == doc.end() || !profiles->is_object())
    throw corrupt(origin, "\"profiles\" is missing or not an object");
  for (const auto& item : profiles->items()) {
    std::string why;
    Profile p = profile_from_json(item.key(), item.value(), origin, why);
    if (why.empty()) why = profile_problem(p);
    if (!why.empty())
      out.skipped.emplace(item.key(), SkippedProfile{std::move(why), item.value()});
    else
      out.profiles.emplace(item.key(), std::move(p));
  }
  if (out.skipped.count(out.current)) out.skipped_current = out.current;
  if (!out.current.empty() && !out.profiles.count(out.current)) out.current.clear();
  for (const auto& item : doc.items())
    if (item.key() != "version" && item.key() != "current" && item.key() != "profiles")
      out.extra[item.key()] = item.value();
  out.source = origin;
  return out;
}

Credentials parse_store(std::string_view text, const std::string& origin) {
  // Bounded while parsing: a hand-edited document nested 100,000 deep would overflow the
  // stack when copied or dumped later.
  json_input::Parsed parsed = json_input::parse(text);
  if (!parsed.ok()) throw corrupt(origin, json_input::describe(parsed));
  return from_json(parsed.value, origin);
}

Store::Store(std::string dir, int lock_timeout_ms)
    : dir_(std::move(dir)), lock_timeout_ms_(lock_timeout_ms) {
  while (dir_.size() > 1 && dir_.back() == '/') dir_.pop_back();
}

Fd Store::open_dir() const {
  return open_private(dir_, O_RDONLY | O_DIRECTORY, true);
}

std::optional<Credentials> Store::read_checked(int dir_fd) const {
  const std::string path = credentials_path();
  Fd fd = open_private_at(dir_fd, kCredentialsName, path, O_RDONLY);
  if (!fd) return std::nullopt;
  return parse_store(read_all(fd.get(), path, kMaxStoreSize), path);
}

Credentials Store::load() const {
  Fd dir_fd = open_dir();
  if (!dir_fd) return Credentials{};
  Credentials credentials = read_checked(dir_fd.get()).value_or(Credentials{});
  reveal(credentials);
  return credentials;
}

namespace {

// The store's name in the keyring's "store" attribute: its folder as an absolute path, so
// that two stores (AUTHCTL_CONFIG_DIR, --config-dir) never share items.
std::string keyring_store_id(const std::string& dir) {
  char* absolute = realpath(dir.c_str(), nullptr);
  std::string id = absolute ? absolute : dir;
  free(absolute);
  return id;
}

bool has_keyring_profile(const Credentials& credentials) {
  for (const auto& item : credentials.profiles)
    if (item.second.storage == Storage::keyring) return true;
  return false;
}

}  // namespace

std::map<std::string, KeptSecret> Store::reveal(Credentials& credentials) const {
  std::map<std::string, KeptSecret> found;
  if (!keeper_ || !has_keyring_profile(credentials)) return found;
  try {
    found = keeper_->load(keyring_store_id(dir_));
  } catch (const Error& e) {
    for (auto& [name, p] : credentials.profiles)
      if (p.storage == Storage::keyring) {
        p.secret = SecretState::unreachable;
        p.secret_problem = e.what();
      }
    return {};
  }
  for (auto& [name, p] : credentials.profiles) {
    if (p.storage != Storage::keyring) continue;
    auto it = found.find(name);
    std::string why = it == found.end()         ? "the keyring has no item for it"
                      : it->second.url != p.url ? "its keyring item is for another url"
                                                : take_secret(p, it->second.secret);
    if (!why.empty()) {
      p.secret = SecretState::gone;
      p.secret_problem = why;
    }
  }
  return found;
}

void Store::keep_secrets(const std::map<std::string, KeptSecret>& before,
                         const Credentials& after) const {
  for (const auto& [name, p] : after.profiles) {
    if (p.storage != Storage::keyring || p.secret != SecretState::here) continue;
    if (!keeper_)
      throw Error(ExitCode::error,
                  "cannot keep profile " + text::printable(name) + "'s token in the keyring here",
                  Reason::keyring_unusable);
    const std::string text = secret_text(p);
    auto old = before.find(name);
    if (old != before.end() && old->second.secret == text && old->second.url == p.url) continue;
    keeper_->save(keyring_store_id(dir_), name, p, text);
  }
}

void Store::drop_secrets(const std::map<std::string, KeptSecret>& before,
                         const Credentials& after) const {
  // After the file was written: an item no keyring profile names any more (logout, a
  // profile logged in again to the file). Best effort: a left item is only unused.
  // A skipped profile is written back as read: its item stays. The item of a profile logged
  // in again to another url goes only now, once the file names the new url.
  for (const auto& item : before) {
    const Profile* p = after.find(item.first);
    if (after.skipped.count(item.first)) continue;
    if (p && p->storage == Storage::keyring && p->url == item.second.url) continue;
    const bool moved = p && p->storage == Storage::keyring;
    try {
      keeper_->remove(keyring_store_id(dir_), item.first, moved ? &item.second.url : nullptr);
    } catch (const Error&) {
    }
  }
}

void Store::remove_stale_temps(int dir_fd) const {
  // Called under the lock: every writer holds it while its temp file exists, so a temp
  // file seen now was left by a writer that was killed (SIGKILL, a crash, power loss).
  std::vector<std::string> names;
  try {
    names = list_names(dir_fd, dir_);
  } catch (const Error&) {
    return;  // a clean-up: the write itself goes on
  }
  for (const std::string& name : names) {
    if (!is_temp_of(name, kCredentialsName)) continue;
    struct stat st {};
    // Only our own regular files: never anything a symlink or another user put there.
    if (fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
        st.st_uid == geteuid())
      unlinkat(dir_fd, name.c_str(), 0);
  }
}

void Store::ensure_dir() const {
  make_folders(dir_, dir_);
}

Credentials Store::update(const std::function<bool(Credentials&)>& change) {
  ensure_dir();
  Fd dir_fd = open_dir();
  if (!dir_fd) {
    errno = ENOENT;
    throw_io("cannot open", dir_);
  }
  LockFile lock(dir_fd.get(), kLockName, lock_path(), lock_timeout_ms_);
  Credentials credentials = read_checked(dir_fd.get()).value_or(Credentials{});
  const std::map<std::string, KeptSecret> before = reveal(credentials);
  if (change(credentials)) {
    // The keyring first: the file never names a keyring profile whose token was not kept
    // (a keyring that fails leaves the store as it was).
    keep_secrets(before, credentials);
    remove_stale_temps(dir_fd.get());
    AtomicFile file(dir_fd.get(), kCredentialsName, credentials_path());
    file.write(to_json(credentials).dump(2) + "\n");
    file.commit();
    drop_secrets(before, credentials);
  }
  return credentials;
}

}  // namespace authctl::store
