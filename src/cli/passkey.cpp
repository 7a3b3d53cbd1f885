// authctl passkey: authctl as a software authenticator for Nexterm (nexterm-passkeys.md).
// `add` makes a P-256 key and registers it; `list`, `rename` and `remove` manage the
// account's passkeys on the server (and, with remove --local, this machine's key file).
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <set>

#include "backends/nexterm.hpp"
#include "cli/commands.hpp"
#include "cli/passphrase.hpp"
#include "core/crypto.hpp"
#include "core/error.hpp"
#include "core/p256_key.hpp"
#include "core/text.hpp"
#include "core/timeutil.hpp"
#include "core/webauthn.hpp"
#include "store/passkey_file.hpp"
#include "term/interrupt.hpp"
#include "term/tty.hpp"

namespace authctl::cli {

namespace {

constexpr size_t kMaxName = 50;  // the server's limit

struct AddOptions {
  std::optional<std::string> name;  // --name, when given (an empty one is refused)
  std::string passphrase_file;
};

std::string checked_name(const std::string& name) {
  if (name.empty() || name.size() > kMaxName)
    throw Error(ExitCode::usage, "a passkey name must be 1 to 50 characters",
                "give --name with 1 to 50 characters");
  return name;
}

std::string default_name() {
  char host[256] = {0};
  if (gethostname(host, sizeof host - 1) != 0 || !*host) return "authctl";
  return std::string("authctl on ") + host;
}

// This machine's key files for the profile's server, by the row id they recorded.
std::vector<store::PasskeyRecord> local_keys(const Context& context, const std::string& origin,
                                             const std::string& user) {
  return store::find_passkey_files(store::passkeys_dir(context.open_store().dir()), origin, user);
}

// Removes the key file unless registration completed (released).
class KeyFileGuard {
 public:
  explicit KeyFileGuard(std::string path) : path_(std::move(path)) {}
  ~KeyFileGuard() {
    if (!path_.empty()) unlink(path_.c_str());
  }
  void release() { path_.clear(); }

 private:
  std::string path_;
};

// The parts of one passkey add that stay the same across its attempts.
struct Registration {
  backends::NextermClient& nexterm;
  const store::Profile& profile;
  const std::string& name;
  std::set<int64_t> before;  // the account's passkey rows before the add

  // The new rows of the list with our name (the list gives row ids only).
  std::vector<int64_t> new_rows() const {
    std::vector<int64_t> ids;
    for (const auto& p : nexterm.passkeys(profile.token))
      if (!before.count(p.id) && p.name == name) ids.push_back(p.id);
    return ids;
  }
};

// Registers `key` (its file already written, removed by `guard` unless registered), with
// fresh options once more when the challenge had expired or was used.
void register_key(const Registration& registration, const crypto::P256Key& key,
                  const std::string& credential_id, backends::PasskeyCreationOptions options,
                  store::PasskeyRecord& record, KeyFileGuard& guard) {
  backends::NextermClient& nexterm = registration.nexterm;
  const std::string& token = registration.profile.token;
  bool registered = false;
  for (int attempt = 0; attempt < 2 && !registered; ++attempt) {
    term::throw_if_interrupted();
    if (attempt > 0) {  // the challenge had expired or was used: once more, fresh options
      options = nexterm.passkey_register_options(token, record.origin);
      record.rp_id = options.rp_id;
    }
    const nlohmann::json credential = webauthn::registration_credential(
        key, credential_id, record.rp_id, options.challenge, record.origin);
    try {
      registered =
          nexterm.passkey_register_verify(token, record.origin, registration.name, credential);
    } catch (const Error& e) {
      // No answer (or an unreadable one): the server may have registered it all the same.
      if (e.code() != ExitCode::network && e.code() != ExitCode::error) throw;
      try {
        registered = !registration.new_rows().empty();
      } catch (const Error&) {
        guard.release();
        term::warn("could not tell whether " + nexterm.host().authority +
                   " registered the passkey; if authctl passkey list does not show it, remove " +
                   record.path);
        throw e;
      }
      if (!registered) throw;
    }
  }
  if (!registered)
    throw Error(ExitCode::auth,
                nexterm.host().authority + " refused the registration challenge twice",
                "check the clocks and retry authctl passkey add");
}

void report_added(Context& context, const std::string& profile_name, const store::Profile& profile,
                  const store::PasskeyRecord& record, const std::string& name,
                  const std::string& authority) {
  const bool encrypted = crypto::pem_is_encrypted(record.private_key_pem);
  term::warn("Nexterm lets a passkey login skip TOTP: guard " + record.path +
             " like a password and TOTP secret together");
  if (!encrypted)
    term::warn("the private key is stored UNENCRYPTED in " + record.path +
               ": anyone who can read that file can log in as " + profile.user +
               "; to encrypt it, add the passkey with --passphrase-file FILE or "
               "AUTHCTL_PASSKEY_PASSPHRASE");
  if (context.global.json) {
    context.print_json({{"profile", profile_name},
                        {"id", record.row_id ? nlohmann::json(*record.row_id) : nullptr},
                        {"name", name},
                        {"user", profile.user},
                        {"url", profile.url},
                        {"key_file", record.path},
                        {"encrypted", encrypted}});
    return;
  }
  std::cerr << "Registered passkey " << (record.row_id ? std::to_string(*record.row_id) : "?")
            << " (" << text::printable(name) << ") for " << text::printable(profile.user) << " on "
            << authority << "; key file " << record.path << (encrypted ? " (encrypted)" : "")
            << "\n"
            << "Log in with it: authctl login --passkey "
            << (local_keys(context, profile.url, profile.user).size() > 1
                    ? "--passkey-file " + record.path
                    : "--host " + profile.url)
            << "\n";
}

void run_add(Context& context, const AddOptions& options) {
  const std::string name =
      checked_name(options.name ? *options.name : default_name().substr(0, kMaxName));
  const auto [profile_name, profile] =
      context.selected_profile(store::Kind::nexterm, "passkey add");
  std::optional<std::string> passphrase = new_passphrase(context, options.passphrase_file);

  backends::NextermClient nexterm = context.nexterm(profile);
  Registration registration{nexterm, profile, name, {}};
  for (const auto& p : nexterm.passkeys(profile.token)) registration.before.insert(p.id);

  crypto::P256Key key = crypto::P256Key::generate();
  const std::string credential_id = crypto::random_bytes(32);
  store::PasskeyRecord record;
  record.origin = profile.url;  // the server URL's origin, as stored
  backends::PasskeyCreationOptions creation =
      nexterm.passkey_register_options(profile.token, record.origin);
  record.rp_id = creation.rp_id;
  record.credential_id = crypto::base64url_encode(credential_id);
  record.user = profile.user;
  record.server_url = profile.url;
  record.private_key_pem = key.to_pem(passphrase);
  if (passphrase) crypto::wipe(*passphrase);
  // Ctrl-C from here on only sets a flag, checked between requests: the key file must go
  // if the passkey was not registered, and stay if it was.
  term::InterruptGuard interrupt_guard;
  // Written before the server learns of the key, so that a registered passkey always has
  // its key on disk; removed again if registration does not complete.
  record.path = store::create_passkey_file(store::passkeys_dir(context.open_store().dir()), record);
  KeyFileGuard guard(record.path);
  register_key(registration, key, credential_id, std::move(creation), record, guard);
  guard.release();

  const std::vector<int64_t> ids = registration.new_rows();
  if (ids.size() == 1)
    record.row_id = ids.front();
  else  // several adds with this name at once: guessing could pair a file with another key
    term::warn("cannot tell which of the new passkeys named '" + name +
               "' is this one: the key file records no id (passkey remove --local will not "
               "find it)");
  store::update_passkey_file(record);  // done: a Ctrl-C from here on changes nothing
  report_added(context, profile_name, profile, record, name, nexterm.host().authority);
}

void run_passkey_list(Context& context) {
  auto [profile_name, profile] = context.selected_profile(store::Kind::nexterm, "passkey list");
  auto passkeys = context.nexterm(profile).passkeys(profile.token);
  const auto local = local_keys(context, profile.url, profile.user);
  auto local_file = [&](int64_t id) -> std::string {
    for (const auto& r : local)
      if (r.row_id && *r.row_id == id) return r.path;
    return {};
  };
  if (context.global.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& p : passkeys) {
      const std::string file = local_file(p.id);
      list.push_back({{"id", p.id},
                      {"name", p.name},
                      {"created_at", json_time(p.created_at)},
                      {"key_file", file.empty() ? nlohmann::json(nullptr) : nlohmann::json(file)}});
    }
    context.print_json({{"profile", profile_name}, {"passkeys", list}});
    return;
  }
  if (passkeys.empty()) {
    std::cerr << "No passkeys (register one with authctl passkey add)\n";
    return;
  }
  const int64_t now = timeutil::now() + profile.clock_offset;
  std::cout << term::pad("ID", 6) << term::pad("NAME", 32) << term::pad("CREATED", 14)
            << "KEY ON THIS MACHINE\n";
  for (const auto& p : passkeys) {
    const std::string file = local_file(p.id);
    std::cout << term::pad(std::to_string(p.id), 6) << term::pad(text::printable(p.name), 32)
              << term::pad(p.created_at ? timeutil::format_relative(*p.created_at, now) : "-", 14)
              << (file.empty() ? "-" : text::printable(file)) << "\n";
  }
}

void run_rename(Context& context, int64_t id, const std::string& new_name) {
  auto [profile_name, profile] = context.selected_profile(store::Kind::nexterm, "passkey rename");
  const std::string name = checked_name(new_name);
  context.nexterm(profile).rename_passkey(profile.token, id, name);
  if (context.global.json)
    context.print_json({{"profile", profile_name}, {"id", id}, {"name", name}});
  else
    std::cerr << "Renamed passkey " << id << " to " << text::printable(name) << "\n";
}

void run_remove(Context& context, int64_t id, bool local) {
  auto [profile_name, profile] = context.selected_profile(store::Kind::nexterm, "passkey remove");
  std::vector<store::PasskeyRecord> files;  // this machine's key files for passkey `id`
  for (auto& r : local_keys(context, profile.url, profile.user))
    if (r.row_id && *r.row_id == id) files.push_back(std::move(r));
  backends::NextermClient nexterm = context.nexterm(profile);
  const bool on_server = nexterm.delete_passkey(profile.token, id);
  // Already gone there: with --local, this machine's key is still cleaned up.
  if (!on_server && (!local || files.empty()))
    throw Error(ExitCode::error,
                "no passkey " + std::to_string(id) + " on " + nexterm.host().authority,
                "see the ids with authctl passkey list");
  nlohmann::json removed_files = nlohmann::json::array();
  if (local) {
    for (const auto& r : files) {
      if (unlink(r.path.c_str()) != 0)
        throw Error(ExitCode::error, "cannot remove " + r.path, "remove it by hand");
      removed_files.push_back(r.path);
    }
  }
  if (context.global.json) {
    context.print_json({{"profile", profile_name},
                        {"id", id},
                        {"removed_on_server", on_server},
                        {"removed_files", removed_files}});
    return;
  }
  if (on_server)
    std::cerr << "Removed passkey " << id << " from " << nexterm.host().authority << "\n";
  else
    std::cerr << "Passkey " << id << " was not on " << nexterm.host().authority << " any more\n";
  if (local) {
    for (const auto& r : files) std::cerr << "Removed the key file " << r.path << "\n";
    if (files.empty()) std::cerr << "No key file on this machine recorded passkey " << id << "\n";
  } else {
    for (const auto& r : files)
      std::cerr << "Kept the key file " << r.path
                << ", which now logs in nowhere: delete it with authctl passkey remove " << id
                << " --local\n";
  }
}

}  // namespace

void register_passkey(CLI::App& app, Context& context) {
  auto add = std::make_shared<AddOptions>();
  auto id = std::make_shared<int64_t>(0);
  auto new_name = std::make_shared<std::string>();
  auto local = std::make_shared<bool>(false);
  auto* cmd =
      app.add_subcommand("passkey", "Nexterm: software passkeys (authctl is the authenticator)");
  cmd->require_subcommand(1);
  auto* a = cmd->add_subcommand("add", "Make a P-256 key and register it as a passkey");
  a->add_option("--name", add->name, "The passkey's name on the server (1-50 characters)")
      ->type_name("NAME");
  add_passphrase_option(a, add->passphrase_file);
  a->callback([&context, add] { run_add(context, *add); });
  auto* l = cmd->add_subcommand("list", "List the account's passkeys");
  l->callback([&context] { run_passkey_list(context); });
  auto* r = cmd->add_subcommand("rename", "Rename a passkey");
  r->add_option("id", *id, "The passkey's id (see passkey list)")->required()->type_name("ID");
  r->add_option("name", *new_name, "The new name (1-50 characters)")->required()->type_name("NAME");
  r->callback([&context, id, new_name] { run_rename(context, *id, *new_name); });
  auto* d = cmd->add_subcommand("remove", "Delete a passkey on the server");
  d->add_option("id", *id, "The passkey's id (see passkey list)")->required()->type_name("ID");
  d->add_flag("--local", *local, "Also delete this machine's key file for it");
  d->callback([&context, id, local] { run_remove(context, *id, *local); });
}

}  // namespace authctl::cli
