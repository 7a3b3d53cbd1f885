#include "cli/passkey_login.hpp"

#include <unistd.h>

#include <cstdlib>

#include "backends/nexterm.hpp"
#include "cli/passphrase.hpp"
#include "cli/profiles.hpp"
#include "core/crypto.hpp"
#include "core/error.hpp"
#include "core/p256_key.hpp"
#include "core/text.hpp"
#include "core/webauthn.hpp"
#include "store/passkey_file.hpp"
#include "term/tty.hpp"

namespace authctl::cli {

namespace {

// The key file to use: the one given, else the only one in passkeys/ for the host (and user).
store::PasskeyRecord choose_key_file(const Context& context, const PasskeyLoginRequest& request) {
  std::string given = request.key_file;
  if (given.empty()) {
    if (const char* env = getenv("AUTHCTL_PASSKEY_FILE"); env && *env) given = env;
  }
  if (!given.empty()) {
    store::PasskeyRecord record = store::read_passkey_file(given, /*follow_symlink=*/true);
    if (request.host && request.host->origin != record.origin)
      throw Error(ExitCode::usage,
                  "the passkey file " + given + " is for " + record.origin + ", not " +
                      request.host->origin,
                  "leave out --host, or give the key file of that server");
    if (!request.user.empty() && request.user != record.user)
      throw Error(ExitCode::usage,
                  "the passkey file " + given + " is " + record.user + "'s, not " + request.user,
                  "leave out -u, or give that user's key file");
    return record;
  }
  const std::string dir = store::passkeys_dir(context.open_store().dir());
  std::vector<std::string> problems;
  // Without --host: the keys of every server (and the file names its server).
  std::vector<store::PasskeyRecord> found = store::find_passkey_files(
      dir, request.host ? request.host->origin : std::string(), request.user, &problems);
  if (found.size() > 1) {
    std::string list;
    bool users_differ = false, origins_differ = false;
    for (const auto& r : found) {
      list += (list.empty() ? "" : ", ") + r.path;
      users_differ = users_differ || r.user != found.front().user;
      origins_differ = origins_differ || r.origin != found.front().origin;
    }
    // Suggest only what would tell these files apart.
    std::string hint = "choose one with --passkey-file FILE";
    if (origins_differ) hint += ", or give --host";
    if (users_differ) hint += ", or give -u USER";
    throw Error(ExitCode::usage, "more than one passkey file matches: " + list, hint);
  }
  if (found.empty()) {
    std::string what = "no passkey key file on this machine";
    if (request.host) what += " for " + request.host->origin;
    if (!request.user.empty())
      what += std::string(request.host ? " and" : " for") + " user " + request.user;
    if (!problems.empty()) what += " (skipped: " + problems.front() + ")";
    throw Error(ExitCode::auth, what,
                "log in another way and run authctl passkey add (or give --passkey-file)");
  }
  return found.front();
}

// The server's challenge must be for the key's own site: signing one for another rpId would
// hand this server (or whoever is between) a login there.
void require_rp_id(const backends::PasskeyRequestOptions& options,
                   const store::PasskeyRecord& record, const HostSpec& host) {
  const std::string& rp_id = options.rp_id;
  if (rp_id != record.rp_id)
    throw Error(ExitCode::auth,
                host.authority + " asks for a passkey of \"" + text::printable(rp_id) + "\", but " +
                    record.path + " is for " + text::printable(record.rp_id),
                "nothing was signed; check --host, or give the key file of that server");
}

}  // namespace

NewSession run_passkey_login(Context& context, const PasskeyLoginRequest& request) {
  const store::PasskeyRecord record = choose_key_file(context, request);
  const HostSpec host = request.host ? *request.host : parse_host(record.origin, true);
  std::optional<std::string> passphrase;
  if (crypto::pem_is_encrypted(record.private_key_pem))
    passphrase = existing_passphrase(context, request.passphrase_file, record.path);
  else if (isatty(STDERR_FILENO) == 1)  // said at passkey add; repeated for a person only
    term::warn("the passkey's private key in " + record.path +
               " is not encrypted: anyone who can read that file can log in as " +
               text::printable(record.user));
  // Unlocked before any request: a wrong passphrase costs the server nothing.
  const crypto::P256Key key = crypto::P256Key::from_pem(record.private_key_pem, passphrase);
  if (passphrase) crypto::wipe(*passphrase);
  const auto credential_id = crypto::base64url_decode(record.credential_id);
  if (!credential_id || credential_id->empty())
    throw Error(ExitCode::error, "the passkey file " + record.path + " has a bad credential id",
                "register a new passkey with authctl passkey add");
  const std::string name = profile_name_for(context, record.user, host.authority);
  if (!request.no_store) prepare_store(context, name, host.origin, record.user, request.force);

  backends::NextermClient nexterm = context.nexterm_at(host);
  backends::PasskeyLogin login;
  for (int attempt = 0; attempt < 2; ++attempt) {
    const backends::PasskeyRequestOptions options =
        nexterm.passkey_login_options(record.origin, record.user);
    require_rp_id(options, record, host);
    // signCount 0: the key file is never written here, so parallel jobs cannot collide.
    const nlohmann::json assertion = webauthn::assertion_credential(
        key, *credential_id, options.rp_id, options.challenge, record.origin, 0);
    login = nexterm.passkey_login_verify(record.origin, assertion);
    if (!login.stale_challenge) break;
  }
  if (login.token.empty())
    throw Error(ExitCode::auth, host.authority + " refused the login challenge twice",
                "check the clocks and retry");
  std::string user = nexterm.user_name(login.token);
  if (user.empty()) user = record.user;
  NewSession result;
  result.profile = new_profile(context, store::Kind::nexterm, store::LoginMethod::passkey,
                               host.origin, user, login.token, login.clock_offset);
  result.profile.passkey_file = record.path;
  result.name = profile_name_for(context, result.profile.user, host.authority);
  finish_login(context, result, request.force, request.no_store);
  return result;
}

}  // namespace authctl::cli
