#include "store/keyring.hpp"

#include <dlfcn.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <climits>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "core/error.hpp"
#include "core/text.hpp"
#include "keyring/keyring_abi.h"

namespace authctl::store {

namespace {

constexpr const char* kPluginName = "libauthctl-keyring.so";

struct Plugin {
  authctl_keyring_search_fn search = nullptr;
  authctl_keyring_store_fn store = nullptr;
  authctl_keyring_clear_fn clear = nullptr;
  authctl_keyring_ready_fn ready = nullptr;
};

// The folder of this code: the app library's (installed: the private library folder), or
// the executable's when it is linked in. Never a path from the environment.
std::string own_folder() {
  Dl_info info{};
  std::string path;
  if (dladdr(reinterpret_cast<void*>(&own_folder), &info) && info.dli_fname) path = info.dli_fname;
  if (path.empty() || path[0] != '/') {
    char exe[PATH_MAX];
    const ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    path = n > 0 ? std::string(exe, static_cast<size_t>(n)) : std::string();
  }
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string(".") : path.substr(0, slash);
}

template <typename Fn>
Fn symbol(void* handle, const char* name) {
  return reinterpret_cast<Fn>(dlsym(handle, name));
}

// Loaded once, never unloaded (glib's threads outlive any call).
const Plugin& plugin() {
  static std::optional<Plugin> loaded;
  static std::string failure;
  if (!loaded && failure.empty()) {
    const std::string path = own_folder() + "/" + kPluginName;
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    auto abi = handle ? symbol<authctl_keyring_abi_fn>(handle, "authctl_keyring_abi") : nullptr;
    if (!handle) {
      const char* why = dlerror();
      failure = text::printable(why ? why : path);
    } else if (!abi || abi() != AUTHCTL_KEYRING_ABI) {
      failure = text::printable(path) + " is of another authctl version";
    } else {
      loaded = Plugin{symbol<authctl_keyring_search_fn>(handle, "authctl_keyring_search"),
                      symbol<authctl_keyring_store_fn>(handle, "authctl_keyring_store"),
                      symbol<authctl_keyring_clear_fn>(handle, "authctl_keyring_clear"),
                      symbol<authctl_keyring_ready_fn>(handle, "authctl_keyring_ready")};
      if (!loaded->search || !loaded->store || !loaded->clear || !loaded->ready) {
        loaded.reset();
        failure = text::printable(path) + " lacks a function of this authctl version";
      }
    }
  }
  if (!loaded)
    throw Error(ExitCode::error,
                "the keyring support of authctl cannot be loaded (" + failure + ")",
                Reason::keyring_unusable);
  return *loaded;
}

// A code of keyring_abi.h as an Error. The plugin's text comes from the Secret Service: shown
// escaped and cut short.
void check(int code, const char* message) {
  if (code == AUTHCTL_KEYRING_OK) return;
  std::string why = text::printable(message);
  if (why.size() > 300) why = why.substr(0, 300) + "...";
  switch (code) {
    case AUTHCTL_KEYRING_LOCKED:
      throw Error(ExitCode::error, "the keyring is locked (" + why + ")", Reason::keyring_locked);
    case AUTHCTL_KEYRING_TIMEOUT:
      throw Error(
          ExitCode::error,
          "the keyring did not answer within " + std::to_string(kKeyringTimeoutMs / 1000) + " s",
          Reason::keyring_unreachable);
    case AUTHCTL_KEYRING_UNREACHABLE:
      throw Error(ExitCode::error, "the keyring cannot be reached (" + why + ")",
                  Reason::keyring_unreachable);
    default:
      throw Error(ExitCode::error, "the keyring refused (" + why + ")",
                  Reason::keyring_unreachable);
  }
}

// One plugin call, on a thread of its own: the plugin cancels its libsecret calls after
// kKeyringTimeoutMs, but glib does not cancel the handshake with a bus that never answers it,
// so the bound is kept here too. A call still running then is left to itself: it owns this
// state (shared), the command fails and the process ends soon after.
struct Call {
  std::function<int(Call&)> run;
  std::map<std::string, KeptSecret> found;  // load()
  char message[512] = "";
  int code = AUTHCTL_KEYRING_TIMEOUT;
  bool done = false;
  std::mutex mutex;
  std::condition_variable finished;
};

void visit_item(void* context, const char* profile, const char* url, const char* secret,
                size_t size) {
  // A second item of one profile (another url, left by a write that was cut short): the first
  // is kept; the store then asks for a new login, which replaces both.
  static_cast<Call*>(context)->found.try_emplace(profile,
                                                 KeptSecret{url, std::string(secret, size)});
}

// Set once a call was left running: the keyring is then taken as unreachable for the rest
// of the process (a watcher would otherwise leave one stuck thread per try).
std::atomic<bool> keyring_hung{false};

Error no_answer() {
  return Error(
      ExitCode::error,
      "the keyring did not answer within " + std::to_string(kKeyringTimeoutMs / 1000) + " s",
      Reason::keyring_unreachable);
}

std::shared_ptr<Call> bounded(std::function<int(Call&)> run) {
  if (keyring_hung) throw no_answer();
  auto call = std::make_shared<Call>();
  call->run = std::move(run);
  std::thread([call] {
    const int code = call->run(*call);
    std::lock_guard<std::mutex> lock(call->mutex);
    call->code = code;
    call->done = true;
    call->finished.notify_all();
  }).detach();
  std::unique_lock<std::mutex> lock(call->mutex);
  // A little longer than the plugin's own bound, so that its answer says what happened.
  if (!call->finished.wait_for(lock, std::chrono::milliseconds(kKeyringTimeoutMs + 500),
                               [&] { return call->done; })) {
    keyring_hung = true;
    throw no_answer();
  }
  check(call->code, call->message);
  return call;
}

}  // namespace

std::map<std::string, KeptSecret> Keyring::load(const std::string& dir) {
  const Plugin& p = plugin();
  const bool may_prompt = may_prompt_;
  auto call = bounded([&p, dir, may_prompt](Call& c) {
    return p.search(dir.c_str(), may_prompt, kKeyringTimeoutMs, visit_item, &c, c.message,
                    sizeof c.message);
  });
  return std::move(call->found);
}

void Keyring::save(const std::string& dir, const std::string& name, const Profile& profile,
                   const std::string& secret) {
  const Plugin& p = plugin();
  const std::string label = "authctl: " + name + " (" + profile.url + ")";
  const std::string url = profile.url;
  const bool may_prompt = may_prompt_;
  bounded([&p, dir, name, url, label, secret, may_prompt](Call& c) {
    return p.store(dir.c_str(), name.c_str(), url.c_str(), label.c_str(), secret.data(),
                   secret.size(), may_prompt, kKeyringTimeoutMs, c.message, sizeof c.message);
  });
}

void Keyring::remove(const std::string& dir, const std::string& name, const std::string* url) {
  const Plugin& p = plugin();
  const std::optional<std::string> only = url ? std::optional<std::string>(*url) : std::nullopt;
  bounded([&p, dir, name, only](Call& c) {
    return p.clear(dir.c_str(), name.c_str(), only ? only->c_str() : nullptr, kKeyringTimeoutMs,
                   c.message, sizeof c.message);
  });
}

void Keyring::check_ready() {
  const Plugin& p = plugin();
  const bool may_prompt = may_prompt_;
  bounded([&p, may_prompt](Call& c) {
    return p.ready(may_prompt, kKeyringTimeoutMs, c.message, sizeof c.message);
  });
}

}  // namespace authctl::store
