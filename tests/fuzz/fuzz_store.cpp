// libFuzzer harness: the store loader (store/credentials), reading a credentials.json that
// may have been edited by hand. Any text loads or is an authctl::Error; what loads, saved
// with to_json and loaded again, gives the same profiles, skipped profiles and current.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/error.hpp"
#include "store/credentials.hpp"

namespace st = authctl::store;

namespace {

bool same(const st::Profile& a, const st::Profile& b) {
  return a.kind == b.kind && a.url == b.url && a.user == b.user && a.token == b.token &&
         a.expires == b.expires && a.seconds == b.seconds && a.clock_offset == b.clock_offset &&
         a.cacert == b.cacert && a.enabled == b.enabled && a.email == b.email &&
         a.phone == b.phone && a.unverified == b.unverified && a.passkey_file == b.passkey_file &&
         a.remote_cookies == b.remote_cookies && a.extra == b.extra && a.storage == b.storage &&
         a.secret == b.secret;
}

void check_round_trip(const st::Credentials& first) {
  const st::Credentials again = st::from_json(st::to_json(first), "again");
  if (again.current != first.current || again.skipped_current != first.skipped_current) abort();
  if (again.profiles.size() != first.profiles.size()) abort();
  for (const auto& [name, profile] : first.profiles) {
    const st::Profile* other = again.find(name);
    if (!other || !same(profile, *other)) abort();
  }
  if (again.skipped.size() != first.skipped.size()) abort();
  for (const auto& [name, skipped] : first.skipped) {
    auto it = again.skipped.find(name);
    if (it == again.skipped.end() || it->second.raw != skipped.raw) abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  st::Credentials loaded;
  try {
    loaded = st::parse_store(input, "credentials.json");
  } catch (const authctl::Error&) {
    return 0;
  }
  // What authctl wrote itself must load again: an Error here is a bug, not a rejection.
  check_round_trip(loaded);
  return 0;
}
