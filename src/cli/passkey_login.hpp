// login --passkey: a Nexterm login with a software passkey (nexterm-passkeys.md, "Login,
// byte by byte"), never asking for a password or TOTP code.
#pragma once

#include <optional>
#include <string>

#include "cli/context.hpp"
#include "cli/profiles.hpp"
#include "core/host.hpp"
#include "store/credentials.hpp"

namespace authctl::cli {

struct PasskeyLoginRequest {
  std::optional<HostSpec> host;  // --host, if given
  std::string user;              // -u, if given
  std::string key_file;          // --passkey-file or AUTHCTL_PASSKEY_FILE, if given
  std::string passphrase_file;
  bool force = false;
  bool no_store = false;
};

// Finds the key file (more than one: exit 2 listing them; none: exit 4), unlocks it (a wrong
// passphrase: exit 4 before any request), signs the server's challenge with signCount 0 (the
// file is only read: many jobs may share it) and stores the session like a password login.
NewSession run_passkey_login(Context& context, const PasskeyLoginRequest& request);

}  // namespace authctl::cli
