// libFuzzer harness: what a passkey client takes from a server (nexterm-passkeys.md): the
// creation and request options (backends/decoders), turned into a registration credential
// and an assertion with a fixed test key (core/webauthn), and base64url (core/crypto).
// Properties: the clientDataJSON built by hand is JSON holding the server's challenge and
// our origin exactly; an assertion's signature verifies; base64url decodes what it encodes.
// (There is no CBOR decoder on the client side: it only writes CBOR.)
#include <cstdint>
#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>

#include "../unit/p256_verify.hpp"
#include "backends/answer.hpp"
#include "backends/decoders.hpp"
#include "core/crypto.hpp"
#include "core/error.hpp"
#include "core/json_input.hpp"
#include "core/p256_key.hpp"
#include "core/webauthn.hpp"

namespace ac = authctl::crypto;
namespace wa = authctl::webauthn;
namespace decode = authctl::backends::decode;

namespace {

const char kAuthority[] = "nexterm.example";
const char kOrigin[] = "https://nexterm.example";
const char kTestKey[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg1H5Us8iq28RK8jJ2\n"
    "J0r3oINy+/kXZ6xWtgYscubMszKhRANCAAQdA2hNG9jNDHAiK8og7U2D4YyoheoN\n"
    "uBQsAuh6mwkviqRLn1FGeZQJIzN3ZCdflZCfqkEszG/k48ajJEx2EX7C\n"
    "-----END PRIVATE KEY-----\n";

const ac::P256Key& test_key() {
  static const ac::P256Key key = ac::P256Key::from_pem(kTestKey, std::nullopt);
  return key;
}

std::string decoded(const nlohmann::json& value) {
  const auto bytes = ac::base64url_decode(value.get<std::string>());
  if (!bytes) abort();
  return *bytes;
}

// The clientDataJSON of a credential: JSON of the type, the challenge and our origin.
std::string check_client_data(const nlohmann::json& credential, const char* type,
                              const std::string& challenge) {
  const std::string text = decoded(credential["response"]["clientDataJSON"]);
  auto parsed = authctl::json_input::parse(text);  // not const: [] on a missing key is null
  if (!parsed.ok() || parsed.value["type"] != type || parsed.value["challenge"] != challenge ||
      parsed.value["origin"] != kOrigin || parsed.value["crossOrigin"] != false)
    abort();
  return text;
}

void registration(const nlohmann::json& options) {
  const auto checked = decode::passkey_creation_options(options, kAuthority, kAuthority);
  if (checked.rp_id != options["rp"]["id"] || checked.challenge != options["challenge"]) abort();
  const nlohmann::json credential = wa::registration_credential(
      test_key(), "credential-id", checked.rp_id, checked.challenge, kOrigin);
  check_client_data(credential, "webauthn.create", checked.challenge);
}

void assertion(const nlohmann::json& options) {
  const auto checked = decode::passkey_request_options(options, kAuthority);
  const std::string challenge = checked.challenge, rp_id = checked.rp_id;
  if (rp_id != options["rpId"] || challenge != options["challenge"]) abort();
  const nlohmann::json credential =
      wa::assertion_credential(test_key(), "credential-id", rp_id, challenge, kOrigin, 0);
  const std::string client_data = check_client_data(credential, "webauthn.get", challenge);
  const std::string auth_data = decoded(credential["response"]["authenticatorData"]);
  if (auth_data != wa::assertion_auth_data(rp_id, 0)) abort();
  if (!test_crypto::p256_verify_der(test_key().public_x(), test_key().public_y(),
                                    wa::assertion_signed_data(auth_data, client_data),
                                    decoded(credential["response"]["signature"])))
    abort();
}

void base64url(const std::string& input) {
  const auto bytes = ac::base64url_decode(input);
  if (bytes && ac::base64url_decode(ac::base64url_encode(*bytes)) != bytes) abort();
  if (ac::base64url_decode(ac::base64url_encode(input)) != input) abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  base64url(input);
  wa::rp_id_of(input);  // an origin from a key file
  std::optional<nlohmann::json> options;
  try {
    options = authctl::backends::answer::parse_text(input, kAuthority);
  } catch (const authctl::Error&) {
    return 0;
  }
  if (!options) return 0;
  for (auto* use : {&registration, &assertion}) {
    try {
      use(*options);
    } catch (const authctl::Error&) {
    }
  }
  return 0;
}
