// The Neuron signature test vectors (verified with Python hmac, openssl and node), carried
// into the project so it stands alone.
#include <doctest/doctest.h>

#include "core/crypto.hpp"

using namespace authctl::crypto;

namespace {
std::string bytes_0_to_31() {
  std::string b;
  for (int i = 0; i < 32; ++i) b.push_back(static_cast<char>(i));
  return b;
}
const std::string kNonce = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
}  // namespace

TEST_CASE("the spec's nonce is Base64 of bytes 0x00..0x1F") {
  CHECK(base64_encode(bytes_0_to_31()) == kNonce);
  CHECK(base64_decode(kNonce) == bytes_0_to_31());
}

TEST_CASE("Neuron signature test vectors") {
  CHECK(hmac_sha256_base64("Passw0rd!", "alice:neuron.example.com:" + kNonce) ==
        "m4CWHZLWzIsjid0z61QrT1KYtuBltPN+/ZXyEjetsRY=");
  CHECK(hmac_sha256_base64("Passw0rd!", "alice:localhost:8080:" + kNonce) ==
        "j3aOh6er7CN6YbvdlRabStqyZOpZU8dAP/61pQDwaZY=");
  CHECK(hmac_sha256_base64("p\xC3\xA4ssw\xC3\xB6rd", "bj\xC3\xB6rn:neuron.example.com:" + kNonce) ==
        "T0c9/cLvMxZzizaYT8Mp5ls4IPpsLMiXsuTGVbJtyYM=");
  CHECK(hmac_sha256_base64("MyApiSecret",
                           "alice:neuron.example.com:alice@example.com:Passw0rd!:"
                           "MyApiKey:" +
                               kNonce) == "EeI98VSOiiKLF7jZ6W3ojbrEc13QuYHwotPse1JZtY0=");
  CHECK(hmac_sha256_base64("MyApiSecret",
                           "alice:neuron.example.com:alice@example.com:"
                           "+46700000000:Passw0rd!:MyApiKey:" +
                               kNonce) == "CMMCdAGhMwtaUHF5ZKumjlScdaAwvPtcErSaG3ioW1M=");
  CHECK(hmac_sha256_base64("Jefe", "what do ya want for nothing?") ==
        "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=");
}

TEST_CASE("nonces are 44 characters of Base64 of 32 random bytes, never repeated") {
  std::string a = make_nonce(), b = make_nonce();
  CHECK(a.size() == 44);
  CHECK(a != b);
  auto raw = base64_decode(a);
  REQUIRE(raw);
  CHECK(raw->size() == 32);
}

TEST_CASE("Base64 decoding rejects garbage and handles padding") {
  CHECK(base64_decode("abc") == std::nullopt);
  CHECK(base64_decode("a===") == std::nullopt);
  CHECK(base64_decode("YQ==") == std::string("a"));
  CHECK(base64_decode("YWI=") == std::string("ab"));
  CHECK(base64_decode("") == std::string());
  CHECK(base64url_decode("YQ") == std::string("a"));
  CHECK(base64url_decode("-_8") == std::string("\xfb\xff", 2));
  CHECK(base64url_decode("YQ==") == std::nullopt);  // no padding in base64url
}

TEST_CASE("wipe clears the buffer") {
  std::string secret = "hunter2";
  wipe(secret);
  CHECK(secret.empty());
}
