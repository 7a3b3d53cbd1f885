// Passkey key files' encryption (issue 9, point 8): PBKDF2-SHA256 with 600,000 iterations
// and a 16-byte salt for new files, old files (2048 iterations, 8-byte salt) still read, and
// a file asking for more than 10^7 iterations refused before any derivation.
#include <doctest/doctest.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include <chrono>
#include <functional>
#include <memory>

#include "core/error.hpp"
#include "core/p256_key.hpp"
#include "pkcs8_fixture.hpp"

using namespace authctl;
using authctl::crypto::P256Key;

namespace {

// Written by `openssl pkcs8 -topk8 -v2 aes-256-cbc -iter 2048` (OpenSSL 3.0), as authctl
// wrote key files before: PBKDF2-SHA256, 2048 iterations, an 8-byte salt.
const char* kOldFormat = R"(-----BEGIN ENCRYPTED PRIVATE KEY-----
MIHsMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAga6cYr4xoBwQICCAAw
DAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEEETkQ02/EnSnB8LpInxNnhIEgZCB
qFHtmrnFyXOenjl5KvasbdSFIv4QqkTbad9y6JUdT79Y2PQ0itIQMnureMY65IeE
y6hHwmBnAteQ5JFK90/v+ODgBS0rwkLSB8gSdDXxCaYcgruSDJvawR82UkgSvN5Z
ChZp7iQeOvnUXLoiS9bsGvhCfhx6vqFtV/N4Kg6Urnj2p3c/y7/apy3jcwLcvw8=
-----END ENCRYPTED PRIVATE KEY-----
)";

struct Kdf {
  int64_t iterations = -1;
  int salt_length = -1;
  int prf = -1;
  int cipher = -1;
};

// The PBES2 parameters of an encrypted PKCS#8 PEM, read the way an auditor would.
Kdf kdf_of(const std::string& pem) {
  Kdf out;
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509_SIG* sig = PEM_read_bio_PKCS8(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  REQUIRE(sig);
  const X509_ALGOR* alg = nullptr;
  X509_SIG_get0(sig, &alg, nullptr);
  REQUIRE(OBJ_obj2nid(alg->algorithm) == NID_pbes2);
  auto* pbe2 =
      static_cast<PBE2PARAM*>(ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBE2PARAM), alg->parameter));
  REQUIRE(pbe2);
  out.cipher = OBJ_obj2nid(pbe2->encryption->algorithm);
  auto* kdf = static_cast<PBKDF2PARAM*>(
      ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBKDF2PARAM), pbe2->keyfunc->parameter));
  REQUIRE(kdf);
  ASN1_INTEGER_get_int64(&out.iterations, kdf->iter);
  out.salt_length = kdf->salt->value.octet_string->length;
  out.prf = kdf->prf ? OBJ_obj2nid(kdf->prf->algorithm) : NID_hmacWithSHA1;
  PBKDF2PARAM_free(kdf);
  PBE2PARAM_free(pbe2);
  X509_SIG_free(sig);
  return out;
}

ExitCode code_of(const std::function<void()>& f, std::string* what = nullptr) {
  try {
    f();
  } catch (const Error& e) {
    if (what) *what = e.what();
    return e.code();
  }
  FAIL("expected an authctl::Error");
  return ExitCode::ok;
}

}  // namespace

TEST_CASE("a new encrypted key file: PBKDF2-SHA256, 600,000 iterations, 16-byte salt, AES-256") {
  const P256Key key = P256Key::generate();
  const std::string pem = key.to_pem(std::string("correct horse"));
  const Kdf kdf = kdf_of(pem);
  CHECK(kdf.iterations == 600000);
  CHECK(kdf.salt_length == 16);
  CHECK(kdf.prf == NID_hmacWithSHA256);
  CHECK(kdf.cipher == NID_aes_256_cbc);
  CHECK(kdf_of(key.to_pem(std::string("correct horse"))).salt_length == 16);
  const P256Key back = P256Key::from_pem(pem, std::string("correct horse"));
  CHECK(back.public_x() == key.public_x());
  CHECK(code_of([&] { P256Key::from_pem(pem, std::string("wrong")); }) == ExitCode::auth);
  CHECK(code_of([&] { P256Key::from_pem(pem, std::nullopt); }) == ExitCode::auth);
}

TEST_CASE("an old key file (2048 iterations, 8-byte salt) still loads") {
  CHECK(kdf_of(kOldFormat).iterations == 2048);
  CHECK(kdf_of(kOldFormat).salt_length == 8);
  const P256Key key = P256Key::from_pem(kOldFormat, std::string("old-passphrase"));
  CHECK(key.public_x().size() == 32);
  CHECK(code_of([&] { P256Key::from_pem(kOldFormat, std::string("nope")); }) == ExitCode::auth);
}

TEST_CASE("a key file asking for more than 10^7 iterations is refused before any derivation") {
  const std::string pem = pem_asking_for_iterations(2000000000);
  const auto start = std::chrono::steady_clock::now();
  std::string what;
  CHECK(code_of([&] { P256Key::from_pem(pem, std::string("x")); }, &what) == ExitCode::error);
  CHECK(what.find("2000000000") != std::string::npos);
  CHECK(what.find("10,000,000") != std::string::npos);
  // Also without a passphrase: the count is read first.
  CHECK(code_of([&] { P256Key::from_pem(pem, std::nullopt); }) == ExitCode::error);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(1));
  // 10^7 itself is allowed (it fails on the junk key, as a wrong passphrase would: exit 4),
  // but it would derive; only its acceptance is shown here by a small count.
  CHECK(code_of([&] { P256Key::from_pem(pem_asking_for_iterations(1000), std::string("x")); }) ==
        ExitCode::auth);
}

TEST_CASE("an unencrypted key file round-trips and is not taken for an encrypted one") {
  const P256Key key = P256Key::generate();
  const std::string pem = key.to_pem(std::nullopt);
  CHECK_FALSE(crypto::pem_is_encrypted(pem));
  CHECK(P256Key::from_pem(pem, std::nullopt).public_y() == key.public_y());
  CHECK(code_of([&] { P256Key::from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n", std::nullopt); }) ==
        ExitCode::error);
}

TEST_CASE(
    "a key file whose public key is not its private key's is refused (found by fuzz_keyfile)") {
  // One bit of the private scalar changed; the stored public point is the old key's.
  const std::string pem =
      "-----BEGIN PRIVATE KEY-----\n"
      "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg1H5Us8iq28RK8jJ2\n"
      "J0r3oINy+/kXJ6xWtgYscubMszKhRANCAAQdA2hNG9jNDHAiK8og7U2D4YyoheoN\n"
      "uBQsAuh6mwkviqRLn1FGeZQJIzN3ZCdflZCfqkEszG/k48ajJEx2EX7C\n"
      "-----END PRIVATE KEY-----\n";
  CHECK(code_of([&] { P256Key::from_pem(pem, std::nullopt); }) == ExitCode::error);
  std::string original = pem;
  original[original.find("kXJ6") + 2] = 'Z';  // the scalar as it was: loads
  CHECK(P256Key::from_pem(original, std::nullopt).public_x().size() == 32);
}
