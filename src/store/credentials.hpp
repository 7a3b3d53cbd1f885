// The credential store (design.md, "Credential store"): credentials.json (0600) in a 0700
// folder, changed only under an exclusive lock on credentials.lock, re-read under the lock,
// written atomically. A corrupt or unsafe store is reported and never touched.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace authctl::store {

struct Profile {
  std::string kind;  // "neuron" or "nexterm"
  std::string url;   // origin: scheme://host[:port]
  std::string user;
  std::string token;
  std::optional<int64_t> expires;  // server time, Unix seconds; none: does not expire
  int64_t seconds = 3600;          // lifetime asked for at login (Neuron)
  int64_t clock_offset = 0;        // server clock minus local clock, from Date at issue time
  std::string cacert;              // --cacert given at login (never --insecure)
  std::optional<bool> enabled;     // Neuron: false = account not yet enabled
  nlohmann::json extra = nlohmann::json::object();  // fields of later versions, kept as is
};

struct Credentials {
  std::string current;
  std::map<std::string, Profile> profiles;

  const Profile* find(const std::string& name) const;
};

// $AUTHCTL_CONFIG_DIR, else $XDG_CONFIG_HOME/authctl, else ~/.config/authctl.
std::string default_config_dir();

nlohmann::json to_json(const Credentials& credentials);
// Throws authctl::Error naming `origin` (the file) when the document is not a valid store.
Credentials from_json(const nlohmann::json& document, const std::string& origin);

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

 private:
  void ensure_dir() const;
  std::optional<Credentials> read_checked() const;

  std::string dir_;
  int lock_timeout_ms_;
};

}  // namespace authctl::store
