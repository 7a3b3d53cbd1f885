// The spec's passkey test vector (nexterm-passkeys.md, verified by @simplewebauthn/server
// offline), carried into the project: COSE key, authenticatorData, attestationObject and
// clientDataJSON bytes, and an assertion signature checked with the public key.
#include <doctest/doctest.h>

#include "core/crypto.hpp"
#include "core/error.hpp"
#include "core/p256_key.hpp"
#include "core/webauthn.hpp"
#include "p256_verify.hpp"

using namespace authctl;

namespace {

const char* kPem =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgMm1WK0iVQhFdYBmE\n"
    "1An4UPjoeUPrbFtVTi6Fi/cUrfWhRANCAATI3akE/mo4vZRJevR3rM+HvcxOWuxm\n"
    "jNllo6UMwoQT9sZ062hu7eterD9G25g6rt1G5hAqv+Zf/CQj2h8IRefM\n"
    "-----END PRIVATE KEY-----\n";
const char* kX = "c8dda904fe6a38bd94497af477accf87bdcc4e5aec668cd965a3a50cc28413f6";
const char* kY = "c674eb686eedeb5eac3f46db983aaedd46e6102abfe65ffc2423da1f0845e7cc";
const char* kOrigin = "http://127.0.0.1:6989";
const char* kRpIdHash = "12ca17b49af2289436f303e0166030a21e525d266e209267433801a8fd4071a0";
const char* kCose =
    "a5010203262001215820c8dda904fe6a38bd94497af477accf87bdcc4e5aec668cd965a3a50cc28413f622582"
    "0c674eb686eedeb5eac3f46db983aaedd46e6102abfe65ffc2423da1f0845e7cc";

std::string hex(std::string_view bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

std::string credential_id() {  // bytes 01..20
  std::string id;
  for (int i = 1; i <= 32; ++i) id.push_back(static_cast<char>(i));
  return id;
}

}  // namespace

TEST_CASE("the test vector key: public point, rpId and its hash, credential id") {
  auto key = crypto::P256Key::from_pem(kPem, std::nullopt);
  CHECK(hex(key.public_x()) == kX);
  CHECK(hex(key.public_y()) == kY);
  CHECK(webauthn::rp_id_of(kOrigin) == "127.0.0.1");
  CHECK(hex(crypto::sha256(webauthn::rp_id_of(kOrigin))) == kRpIdHash);
  CHECK(crypto::base64url_encode(credential_id()) == "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA");
}

TEST_CASE("registration bytes: COSE key, authenticatorData, attestationObject") {
  auto key = crypto::P256Key::from_pem(kPem, std::nullopt);
  const std::string cose = webauthn::cose_ec2_key(key.public_x(), key.public_y());
  CHECK(cose.size() == 77);
  CHECK(hex(cose) == kCose);
  const std::string auth = webauthn::registration_auth_data("127.0.0.1", credential_id(), cose);
  CHECK(auth.size() == 164);
  CHECK(hex(auth) == std::string(kRpIdHash) + "45" + "00000000" + std::string(32, '0') + "0020" +
                         hex(credential_id()) + kCose);
  const std::string attestation = webauthn::attestation_object_none(auth);
  CHECK(attestation.size() == 194);
  CHECK(hex(attestation) ==
        "a363666d74646e6f6e656761747453746d74a068617574684461746158a4" + hex(auth));
  // 256 bytes or more of authData take the two-byte length form (59 HH LL).
  const std::string long_auth(300, 'x');
  CHECK(hex(webauthn::attestation_object_none(long_auth).substr(0, 31)) ==
        "a363666d74646e6f6e656761747453746d74a068617574684461746159012c");
  const std::string challenge(32, '\xAA');
  CHECK(crypto::base64url_encode(challenge) == "qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqo");
  CHECK(
      webauthn::client_data_json("webauthn.create", crypto::base64url_encode(challenge), kOrigin) ==
      "{\"type\":\"webauthn.create\",\"challenge\":\"qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqo\","
      "\"origin\":\"http://127.0.0.1:6989\",\"crossOrigin\":false}");
}

TEST_CASE("assertion bytes: authenticatorData, clientDataJSON hash, a verifiable DER signature") {
  auto key = crypto::P256Key::from_pem(kPem, std::nullopt);
  const std::string auth = webauthn::assertion_auth_data("127.0.0.1", 0);
  CHECK(auth.size() == 37);
  CHECK(hex(auth) == std::string(kRpIdHash) + "05" + "00000000");
  CHECK(hex(webauthn::assertion_auth_data("127.0.0.1", 0x01020304).substr(33)) == "01020304");
  const std::string challenge = crypto::base64url_encode(std::string(32, '\xBB'));
  CHECK(challenge == "u7u7u7u7u7u7u7u7u7u7u7u7u7u7u7u7u7u7u7u7u7s");
  const std::string client = webauthn::client_data_json("webauthn.get", challenge, kOrigin);
  CHECK(hex(crypto::sha256(client)) ==
        "b2693648a497198a6cb9e44c9a2f004a03f46a3b1587e78f19d1df623ec9bf50");
  const std::string signed_data = webauthn::assertion_signed_data(auth, client);
  CHECK(signed_data.size() == 69);
  const std::string signature = key.sign_der(signed_data);
  CHECK(static_cast<unsigned char>(signature[0]) == 0x30);  // DER SEQUENCE, not raw r|s
  CHECK(test_crypto::p256_verify_der(key.public_x(), key.public_y(), signed_data, signature));
  CHECK_FALSE(
      test_crypto::p256_verify_der(key.public_x(), key.public_y(), signed_data + "x", signature));
  auto other = crypto::P256Key::generate();
  CHECK_FALSE(
      test_crypto::p256_verify_der(other.public_x(), other.public_y(), signed_data, signature));
}

TEST_CASE("PKCS#8 PEM round trip, encrypted with a passphrase; a wrong one is an auth error") {
  auto key = crypto::P256Key::generate();
  const std::string plain = key.to_pem(std::nullopt);
  CHECK(plain.rfind("-----BEGIN PRIVATE KEY-----", 0) == 0);
  CHECK_FALSE(crypto::pem_is_encrypted(plain));
  CHECK(crypto::P256Key::from_pem(plain, std::nullopt).public_x() == key.public_x());

  const std::string locked = key.to_pem(std::string("correct horse"));
  CHECK(locked.rfind("-----BEGIN ENCRYPTED PRIVATE KEY-----", 0) == 0);
  CHECK(crypto::pem_is_encrypted(locked));
  CHECK(crypto::P256Key::from_pem(locked, std::string("correct horse")).public_y() ==
        key.public_y());
  try {
    crypto::P256Key::from_pem(locked, std::string("wrong"));
    FAIL("a wrong passphrase was accepted");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::auth);
  }
  try {
    crypto::P256Key::from_pem(locked, std::nullopt);
    FAIL("an encrypted key was read without a passphrase");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::auth);
  }
  try {
    crypto::P256Key::from_pem("not a key", std::nullopt);
    FAIL("garbage was read as a key");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::error);
  }
}

TEST_CASE("rpId: the origin's host name") {
  CHECK(webauthn::rp_id_of("https://Nexterm.Example.com") == "nexterm.example.com");
  CHECK(webauthn::rp_id_of("http://localhost:6989") == "localhost");
  CHECK(webauthn::rp_id_of("http://[::1]:6989") == "[::1]");
}
