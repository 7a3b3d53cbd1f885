// A hostile passkey key for tests: a PKCS#8 EncryptedPrivateKeyInfo that asks for
// `iterations` of PBKDF2, made from the parameters alone (no derivation runs here), with
// junk for the encrypted key. Used by the unit test of the key reader and the e2e tests.
#pragma once

#include <doctest/doctest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <string>

inline std::string pem_asking_for_iterations(int iterations) {
  unsigned char salt[16] = {7};
  X509_ALGOR* pbe = PKCS5_pbe2_set_iv(EVP_aes_256_cbc(), iterations, salt, sizeof salt, nullptr,
                                      NID_hmacWithSHA256);
  REQUIRE(pbe);
  X509_SIG* sig = X509_SIG_new();
  X509_ALGOR* alg = nullptr;
  ASN1_OCTET_STRING* digest = nullptr;
  X509_SIG_getm(sig, &alg, &digest);
  REQUIRE(X509_ALGOR_copy(alg, pbe) == 1);
  REQUIRE(ASN1_OCTET_STRING_set(digest, reinterpret_cast<const unsigned char*>("junk-junk-junk-!"),
                                16) == 1);
  BIO* bio = BIO_new(BIO_s_mem());
  REQUIRE(PEM_write_bio_PKCS8(bio, sig) == 1);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(n));
  BIO_free(bio);
  X509_SIG_free(sig);
  X509_ALGOR_free(pbe);
  return pem;
}
