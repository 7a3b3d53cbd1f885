// The desktop keyring (Secret Service) as a SecretKeeper: libauthctl-keyring.so, loaded
// with dlopen from the folder of the code that uses it (the app library's, the private
// library folder of an install) on first use only, so that a store without keyring
// profiles never loads libsecret or glib. Every call is bounded by kKeyringTimeoutMs.
#pragma once

#include <memory>
#include <string>

#include "store/secret_keeper.hpp"

namespace authctl::store {

constexpr int kKeyringTimeoutMs = 10000;

class Keyring : public SecretKeeper {
 public:
  // may_prompt: whether the Secret Service may ask the person to unlock a locked collection
  // (never under --no-input or CI=true: a locked one is then an error).
  explicit Keyring(bool may_prompt) : may_prompt_(may_prompt) {}

  std::map<std::string, KeptSecret> load(const std::string& dir) override;
  void save(const std::string& dir, const std::string& name, const Profile& profile,
            const std::string& secret) override;
  void remove(const std::string& dir, const std::string& name, const std::string* url) override;
  // Throws as the others do unless a new item could be written now (a session bus with a
  // Secret Service whose default collection is unlocked, or may be unlocked): a login checks
  // it before it asks a server for a session.
  void check_ready();

 private:
  bool may_prompt_;
};

}  // namespace authctl::store
