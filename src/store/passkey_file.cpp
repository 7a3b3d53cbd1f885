#include "store/passkey_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/json_input.hpp"
#include "store/atomic_file.hpp"
#include "store/file_checks.hpp"

namespace authctl::store {

namespace {

constexpr size_t kMaxKeyFile = 64 * 1024;

nlohmann::json to_json(const PasskeyRecord& r) {
  return {{"version", 1},
          {"origin", r.origin},
          {"rpId", r.rp_id},
          {"credentialId", r.credential_id},
          {"rowId", r.row_id ? nlohmann::json(*r.row_id) : nlohmann::json(nullptr)},
          {"user", r.user},
          {"serverUrl", r.server_url},
          {"privateKey", r.private_key_pem}};
}

std::string file_name_for(const PasskeyRecord& r) {
  std::string host =
      r.origin.substr(r.origin.find("://") == std::string::npos ? 0 : r.origin.find("://") + 3);
  std::string name = r.user + "@" + host + "-" + r.credential_id.substr(0, 8);
  for (char& c : name)
    if (!isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '@' && c != '-') c = '_';
  return name + ".json";
}

// The checked passkeys/ folder, made 0700 (and its parent, the store folder) when missing.
Fd ensure_private_dir(const std::string& dir) {
  make_folders(dir, dir.substr(0, dir.find_last_of('/')));
  Fd fd = open_private(dir, O_RDONLY | O_DIRECTORY, true);
  if (!fd) throw_io("cannot open", dir);
  return fd;
}

}  // namespace

PasskeyRecord parse_passkey_file(std::string_view text, const std::string& path) {
  auto bad = [&](const std::string& why) {
    return Error(ExitCode::error, "the passkey file " + path + " is not valid: " + why,
                 Reason::passkey_file_invalid);
  };
  json_input::Parsed parsed = json_input::parse(text);  // at most 64 levels deep
  if (!parsed.ok()) throw bad(json_input::describe(parsed));
  const nlohmann::json& doc = parsed.value;
  if (!doc.is_object()) throw bad("not a JSON object");
  PasskeyRecord r;
  auto text_field = [&](const char* name, std::string& out) {
    auto it = doc.find(name);
    if (it == doc.end() || !it->is_string() || it->get<std::string>().empty())
      throw bad(std::string("no ") + name);
    out = it->get<std::string>();
  };
  text_field("origin", r.origin);
  text_field("rpId", r.rp_id);
  text_field("credentialId", r.credential_id);
  text_field("user", r.user);
  text_field("serverUrl", r.server_url);
  text_field("privateKey", r.private_key_pem);
  if (auto it = doc.find("rowId"); it != doc.end() && !it->is_null()) {
    if (!it->is_number_integer()) throw bad("rowId is not an integer");
    r.row_id = it->get<int64_t>();
  }
  r.path = path;
  return r;
}

std::string passkeys_dir(const std::string& config_dir) {
  return config_dir + "/passkeys";
}

std::string create_passkey_file(const std::string& dir, const PasskeyRecord& record) {
  const Fd dir_fd = ensure_private_dir(dir);
  const std::string name = file_name_for(record);
  const std::string path = dir + "/" + name;
  // Written whole under a temp name, then put in place only if the name is free.
  AtomicFile file(dir_fd.get(), name, path, AtomicFile::Mode::create_new);
  file.write(to_json(record).dump(2) + "\n");
  file.commit();
  return path;
}

void update_passkey_file(const PasskeyRecord& record) {
  AtomicFile file(record.path);
  file.write(to_json(record).dump(2) + "\n");
  file.commit();
}

namespace {

// A key file in passkeys/, opened relative to the checked folder (no symlink, no FIFO).
PasskeyRecord read_passkey_at(int dir_fd, const std::string& name, const std::string& path) {
  const Fd fd = open_private_at(dir_fd, name, path, O_RDONLY);
  if (!fd) throw Error(ExitCode::error, "no passkey file " + path, Reason::passkey_file_missing);
  return parse_passkey_file(read_all(fd.get(), path, kMaxKeyFile), path);
}

}  // namespace

PasskeyRecord read_passkey_file(const std::string& path, bool follow_symlink) {
  if (!follow_symlink) {
    std::string name;
    const Fd dir_fd = open_parent(path, name);
    return read_passkey_at(dir_fd.get(), name, path);
  }
  // Named by the user (--passkey-file): a symlink is fine, a FIFO is an error at once.
  struct stat st {};
  const Fd fd(open_user_file(path, "--passkey-file", &st));
  if (!fd) {
    if (errno == ENOENT)
      throw Error(ExitCode::usage, "no passkey file " + path, Reason::passkey_file_option);
    throw_io("cannot open", path);
  }
  check_private(st, path, false);
  return parse_passkey_file(read_all(fd.get(), path, kMaxKeyFile), path);
}

std::vector<PasskeyRecord> find_passkey_files(const std::string& dir, const std::string& origin,
                                              const std::string& user,
                                              std::vector<std::string>* problems) {
  std::vector<PasskeyRecord> found;
  const Fd dir_fd = open_private(dir, O_RDONLY | O_DIRECTORY, true);
  if (!dir_fd) return found;
  std::vector<std::string> names = list_names(dir_fd.get(), dir);
  names.erase(std::remove_if(names.begin(), names.end(),
                             [](const std::string& name) {
                               return name.size() <= 5 ||
                                      name.compare(name.size() - 5, 5, ".json") != 0;
                             }),
              names.end());
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    try {
      PasskeyRecord r = read_passkey_at(dir_fd.get(), name, dir + "/" + name);
      if ((origin.empty() || r.origin == origin) && (user.empty() || r.user == user))
        found.push_back(std::move(r));
    } catch (const Error& e) {
      if (problems) problems->push_back(e.what());
    }
  }
  return found;
}

}  // namespace authctl::store
