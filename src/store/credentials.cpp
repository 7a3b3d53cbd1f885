#include "store/credentials.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "core/error.hpp"
#include "store/atomic_file.hpp"
#include "store/file_checks.hpp"
#include "store/lock_file.hpp"

namespace authctl::store {

namespace {

constexpr int kVersion = 1;
constexpr size_t kMaxStoreSize = 16 * 1024 * 1024;

Error corrupt(const std::string& path, const std::string& what) {
  return Error(ExitCode::error, "credential store " + path + " is corrupt: " + what,
               "it was left unchanged; repair it, or move it aside and log in again");
}

}  // namespace

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
              "set AUTHCTL_CONFIG_DIR or HOME");
}

nlohmann::json to_json(const Credentials& credentials) {
  nlohmann::json profiles = nlohmann::json::object();
  for (const auto& [name, p] : credentials.profiles) {
    nlohmann::json j = p.extra.is_object() ? p.extra : nlohmann::json::object();
    j["kind"] = p.kind;
    j["url"] = p.url;
    j["user"] = p.user;
    j["token"] = p.token;
    j["expires"] = p.expires ? nlohmann::json(*p.expires) : nlohmann::json(nullptr);
    j["seconds"] = p.seconds;
    j["clock_offset"] = p.clock_offset;
    if (!p.cacert.empty())
      j["cacert"] = p.cacert;
    else
      j.erase("cacert");
    if (p.enabled)
      j["enabled"] = *p.enabled;
    else
      j.erase("enabled");
    profiles[name] = std::move(j);
  }
  nlohmann::json doc = {{"version", kVersion}, {"profiles", std::move(profiles)}};
  doc["current"] =
      credentials.current.empty() ? nlohmann::json(nullptr) : nlohmann::json(credentials.current);
  return doc;
}

Credentials from_json(const nlohmann::json& doc, const std::string& origin) {
  if (!doc.is_object()) throw corrupt(origin, "the top level is not a JSON object");
  auto version = doc.find("version");
  if (version == doc.end() || !version->is_number_integer())
    throw corrupt(origin, "\"version\" is missing");
  if (version->get<int>() != kVersion)
    throw Error(ExitCode::error,
                origin + " has store version " + std::to_string(version->get<int>()) +
                    ", this authctl reads version " + std::to_string(kVersion),
                "upgrade authctl");
  Credentials out;
  if (auto cur = doc.find("current"); cur != doc.end() && !cur->is_null()) {
    if (!cur->is_string()) throw corrupt(origin, "\"current\" is not a string");
    out.current = cur->get<std::string>();
  }
  auto profiles = doc.find("profiles");
  if (profiles == doc.end() || !profiles->is_object())
    throw corrupt(origin, "\"profiles\" is missing or not an object");
  for (const auto& [name, j] : profiles->items()) {
    const std::string where = "profile \"" + name + "\"";
    if (!j.is_object()) throw corrupt(origin, where + " is not an object");
    auto str = [&](const char* key) -> std::string {
      auto it = j.find(key);
      if (it == j.end() || !it->is_string())
        throw corrupt(origin, where + ": \"" + key + "\" is missing or not a string");
      return it->get<std::string>();
    };
    Profile p;
    p.kind = str("kind");
    p.url = str("url");
    p.user = str("user");
    p.token = str("token");
    if (auto it = j.find("expires"); it != j.end() && !it->is_null()) {
      if (!it->is_number_integer())
        throw corrupt(origin, where + ": \"expires\" is not an integer");
      p.expires = it->get<int64_t>();
    }
    auto typed = [&](const char* key, bool ok) {
      if (!ok) throw corrupt(origin, where + ": \"" + key + "\" has the wrong type");
    };
    if (auto it = j.find("seconds"); it != j.end()) {
      typed("seconds", it->is_number_integer());
      p.seconds = it->get<int64_t>();
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
    p.extra = j;
    for (const char* known : {"kind", "url", "user", "token", "expires", "seconds", "clock_offset",
                              "cacert", "enabled"})
      p.extra.erase(known);
    out.profiles.emplace(name, std::move(p));
  }
  if (!out.current.empty() && !out.profiles.count(out.current)) out.current.clear();
  return out;
}

Store::Store(std::string dir, int lock_timeout_ms)
    : dir_(std::move(dir)), lock_timeout_ms_(lock_timeout_ms) {
  while (dir_.size() > 1 && dir_.back() == '/') dir_.pop_back();
}

std::optional<Credentials> Store::read_checked() const {
  int dir_fd = open_private(dir_, O_RDONLY | O_DIRECTORY, true);
  if (dir_fd < 0) return std::nullopt;
  close(dir_fd);
  const std::string path = credentials_path();
  int fd = open_private(path, O_RDONLY, false);
  if (fd < 0) return std::nullopt;
  std::string text;
  char buf[65536];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      close(fd);
      throw_io("cannot read", path);
    }
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > kMaxStoreSize) {
      close(fd);
      throw corrupt(path, "larger than 16 MiB");
    }
  }
  close(fd);
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw corrupt(path, "not valid JSON (at byte " + std::to_string(e.byte) + ")");
  }
  return from_json(doc, path);
}

Credentials Store::load() const {
  return read_checked().value_or(Credentials{});
}

void Store::ensure_dir() const {
  struct stat st {};
  if (lstat(dir_.c_str(), &st) == 0) return;  // checked by open_private on use
  // Parents get the usual permissions; the store folder itself is private.
  std::string partial;
  for (size_t pos = 1; (pos = dir_.find('/', pos)) != std::string::npos; ++pos) {
    partial = dir_.substr(0, pos);
    if (mkdir(partial.c_str(), 0755) != 0 && errno != EEXIST) throw_io("cannot create", partial);
  }
  if (mkdir(dir_.c_str(), 0700) != 0 && errno != EEXIST) throw_io("cannot create", dir_);
}

Credentials Store::update(const std::function<bool(Credentials&)>& change) {
  ensure_dir();
  int dir_fd = open_private(dir_, O_RDONLY | O_DIRECTORY, true);
  if (dir_fd >= 0) close(dir_fd);
  LockFile lock(lock_path(), lock_timeout_ms_);
  Credentials credentials = read_checked().value_or(Credentials{});
  if (!change(credentials)) return credentials;
  AtomicFile file(credentials_path());
  file.write(to_json(credentials).dump(2) + "\n");
  file.commit();
  return credentials;
}

}  // namespace authctl::store
