// Where the secrets of keyring profiles live (login --secure-storage keyring): the store
// keeps such a profile in credentials.json without its token and remembered cookies, and
// reads and writes those through a SecretKeeper (store/keyring.hpp: the Secret Service).
// The store calls it only for keyring profiles, inside its lock when it writes.
#pragma once

#include <map>
#include <string>

#include "store/credentials.hpp"

namespace authctl::store {

// One profile's item: the url it was stored with, and the secret text (secret_text()).
struct KeptSecret {
  std::string url;
  std::string secret;
};

class SecretKeeper {
 public:
  virtual ~SecretKeeper() = default;
  // Every item of the store in `dir`, by profile name. Throws authctl::Error
  // (Reason::keyring_unreachable or keyring_locked) when the keyring cannot be read.
  virtual std::map<std::string, KeptSecret> load(const std::string& dir) = 0;
  // Creates or replaces the item of (dir, name). Throws as load() does.
  virtual void save(const std::string& dir, const std::string& name, const Profile& profile,
                    const std::string& secret) = 0;
  // Removes the items of (dir, name); with `url`, only the one stored with that url.
  virtual void remove(const std::string& dir, const std::string& name, const std::string* url) = 0;
};

}  // namespace authctl::store
