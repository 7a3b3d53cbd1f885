// Software passkey key files (design.md, "Credential store"; nexterm-passkeys.md): one JSON
// file per passkey in <config dir>/passkeys/ (0700), each 0600, holding what a login needs:
// origin, rpId, credential id, the server's row id, user name, server URL and the private
// key as PKCS#8 PEM (encrypted when a passphrase was given).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace authctl::store {

struct PasskeyRecord {
  std::string origin;             // scheme://host[:port], exactly as sent to the server
  std::string rp_id;              // the origin's host name
  std::string credential_id;      // base64url, no padding
  std::optional<int64_t> row_id;  // the server's id (passkey list), once known
  std::string user;
  std::string server_url;
  std::string private_key_pem;
  std::string path;  // where it was read from or written to (not stored in the file)
};

// The text of a key file as a record (path set to `path`, named in messages): JSON nested at
// most 64 levels, an object with every text field non-empty and rowId an integer or null.
// Error(error) otherwise. Pure: read_passkey_file's checks of the file itself come first.
PasskeyRecord parse_passkey_file(std::string_view text, const std::string& path);

std::string passkeys_dir(const std::string& config_dir);

// Creates a new key file in `dir` (created 0700 if needed), mode 0600, through an
// AtomicFile in create_new mode: written whole, then put in place only if the name is free
// (else Error "PATH already exists"); returns its path. Never replaces an existing file.
std::string create_passkey_file(const std::string& dir, const PasskeyRecord& record);

// Rewrites an existing key file atomically (e.g. to record the row id).
void update_passkey_file(const PasskeyRecord& record);

// Reads a key file. In passkeys/ symlinks are refused; a file named by the user
// (--passkey-file, e.g. a CI secret mounted through a symlink) may be one. Either way the
// file must be this user's and not readable by others, and it is only read.
PasskeyRecord read_passkey_file(const std::string& path, bool follow_symlink);

// The key files in `dir` for `origin` and `user` (either: any, when empty), by file name. A file
// that cannot be read is skipped (unreadable ones are listed in `problems`).
std::vector<PasskeyRecord> find_passkey_files(const std::string& dir, const std::string& origin,
                                              const std::string& user,
                                              std::vector<std::string>* problems = nullptr);

}  // namespace authctl::store
