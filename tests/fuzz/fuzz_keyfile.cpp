// libFuzzer harness: a passkey key file (store/passkey_file) and its private key
// (crypto::P256Key::from_pem: PKCS#8 PEM, encrypted or not). The input is a key file's text
// and, when that does not parse, a PEM itself. An encrypted key is decrypted with a fixed
// passphrase only when it asks for at most 10,000 iterations (read by the reader's own
// check): a seed of 600,000 would cost the fuzzer a second per input. Above that it is read
// without a passphrase, which is refused before any derivation.
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>

#include "../unit/p256_verify.hpp"
#include "core/error.hpp"
#include "core/p256_key.hpp"
#include "store/passkey_file.hpp"

namespace {

constexpr int64_t kCheapIterations = 10000;

void read_key(const std::string& pem) {
  const int64_t iterations = authctl::crypto::pkcs8_iterations(pem);
  const bool cheap = iterations >= 0 && iterations <= kCheapIterations;
  const std::optional<std::string> passphrase =
      cheap ? std::optional<std::string>("fuzz-passphrase") : std::nullopt;
  try {
    const auto key = authctl::crypto::P256Key::from_pem(pem, passphrase);
    if (key.public_x().size() != 32 || key.public_y().size() != 32) abort();
    // A key that loads signs, and its signature verifies.
    const std::string signature = key.sign_der("data");
    if (!test_crypto::p256_verify_der(key.public_x(), key.public_y(), "data", signature)) abort();
  } catch (const authctl::Error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  try {
    const auto record = authctl::store::parse_passkey_file(input, "key.json");
    if (record.origin.empty() || record.rp_id.empty() || record.credential_id.empty() ||
        record.user.empty() || record.server_url.empty() || record.private_key_pem.empty() ||
        record.path != "key.json")
      abort();
    read_key(record.private_key_pem);
  } catch (const authctl::Error&) {
    read_key(input);
  }
  return 0;
}
