// libFuzzer harness: the text of a keyring item (store::take_secret), which another program
// on the desktop's D-Bus session could have written. Any text is taken or refused with a
// reason; a refused one leaves the profile as it was, a taken one gives a usable profile whose
// secret_text() is taken again to the same token and cookies.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "store/credentials.hpp"

namespace st = authctl::store;

namespace {

st::Profile blank(st::Kind kind) {
  st::Profile p;
  p.kind = kind;
  p.url = kind == st::Kind::neuron ? "https://neuron.example.com" : "https://nexterm.example.com";
  p.user = "alice";
  p.storage = st::Storage::keyring;
  p.secret = st::SecretState::not_read;
  return p;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  for (st::Kind kind : {st::Kind::neuron, st::Kind::nexterm}) {
    st::Profile p = blank(kind);
    const std::string why = st::take_secret(p, input);
    if (!why.empty()) {
      if (p.secret != st::SecretState::not_read || !p.token.empty()) abort();
      continue;
    }
    if (p.secret != st::SecretState::here || !st::profile_problem(p).empty()) abort();
    st::Profile again = blank(kind);
    if (!st::take_secret(again, st::secret_text(p)).empty()) abort();
    if (again.token != p.token || again.remote_cookies != p.remote_cookies) abort();
  }
  return 0;
}
