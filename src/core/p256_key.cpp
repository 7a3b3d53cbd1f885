#include "core/p256_key.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <cstring>

#include "core/error.hpp"

namespace authctl::crypto {

namespace {

[[noreturn]] void fail(const std::string& what) {
  ERR_clear_error();
  throw Error(ExitCode::error, what + " failed in OpenSSL");
}

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct CtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};
struct BnFree {
  void operator()(BIGNUM* b) const { BN_free(b); }
};

// The passphrase callback: never a terminal prompt (OpenSSL's default would ask on /dev/tty).
int passphrase_cb(char* buf, int size, int, void* user) {
  const auto* passphrase = static_cast<const std::optional<std::string>*>(user);
  if (!passphrase || !*passphrase) return -1;
  const std::string& p = **passphrase;
  if (static_cast<int>(p.size()) > size) return -1;
  std::memcpy(buf, p.data(), p.size());
  return static_cast<int>(p.size());
}

std::string coordinate(EVP_PKEY* key, const char* name) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &raw) != 1) fail("reading the public key");
  std::unique_ptr<BIGNUM, BnFree> bn(raw);
  std::string out(32, '\0');
  if (BN_bn2binpad(bn.get(), reinterpret_cast<unsigned char*>(out.data()), 32) != 32)
    fail("reading the public key");
  return out;
}

struct SigFree {
  void operator()(X509_SIG* s) const { X509_SIG_free(s); }
};
struct P8Free {
  void operator()(PKCS8_PRIV_KEY_INFO* p) const { PKCS8_PRIV_KEY_INFO_free(p); }
};

Error unreadable_key() {
  return Error(ExitCode::error, "the passkey file holds no readable private key",
               Reason::key_damaged);
}

// The iteration count an EncryptedPrivateKeyInfo asks for (PBES2 with PBKDF2, or PBES1),
// read from its algorithm parameters; -1 when they cannot be read or use another KDF.
int64_t pbe_iterations(const X509_SIG* sig) {
  const X509_ALGOR* alg = nullptr;
  X509_SIG_get0(sig, &alg, nullptr);
  if (!alg || !alg->parameter) return -1;
  const ASN1_INTEGER* iter = nullptr;
  int64_t count = -1;
  if (OBJ_obj2nid(alg->algorithm) == NID_pbes2) {
    auto* pbe2 = static_cast<PBE2PARAM*>(
        ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBE2PARAM), alg->parameter));
    if (pbe2 && pbe2->keyfunc && OBJ_obj2nid(pbe2->keyfunc->algorithm) == NID_id_pbkdf2 &&
        pbe2->keyfunc->parameter) {
      auto* kdf = static_cast<PBKDF2PARAM*>(
          ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBKDF2PARAM), pbe2->keyfunc->parameter));
      if (kdf && (iter = kdf->iter) && ASN1_INTEGER_get_int64(&count, iter) != 1) count = -2;
      PBKDF2PARAM_free(kdf);
    }
    PBE2PARAM_free(pbe2);
  } else {
    auto* pbe =
        static_cast<PBEPARAM*>(ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBEPARAM), alg->parameter));
    if (pbe && (iter = pbe->iter) && ASN1_INTEGER_get_int64(&count, iter) != 1) count = -2;
    PBEPARAM_free(pbe);
  }
  ERR_clear_error();
  return count;
}

// An encrypted PKCS#8 key: its KDF cost is checked before any derivation, so that a file
// asking for 2^62 iterations is refused at once instead of hanging the reader.
std::unique_ptr<X509_SIG, SigFree> read_pkcs8(std::string_view pem) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) fail("reading the key");
  std::unique_ptr<X509_SIG, SigFree> sig(PEM_read_bio_PKCS8(bio.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  return sig;
}

EVP_PKEY* decrypt_pkcs8(std::string_view pem, const std::optional<std::string>& passphrase) {
  std::unique_ptr<X509_SIG, SigFree> sig = read_pkcs8(pem);
  if (!sig) throw unreadable_key();
  const int64_t iterations = pbe_iterations(sig.get());
  if (iterations == -1)
    throw Error(ExitCode::error,
                "the passkey's private key is encrypted in a way authctl does not read (only "
                "PBKDF2 or PBES1)",
                Reason::key_unsupported);
  if (iterations < 1 || iterations > kMaxKeyIterations)
    throw Error(ExitCode::error,
                "the passkey's key file asks for " +
                    (iterations < 1 ? std::string("an out-of-range number of")
                                    : std::to_string(iterations)) +
                    " key-derivation iterations (at most 10,000,000 are accepted)",
                Reason::key_iterations);
  if (!passphrase)
    throw Error(ExitCode::auth,
                "the passkey's private key is encrypted and no passphrase was given",
                Reason::passphrase_missing);
  std::unique_ptr<PKCS8_PRIV_KEY_INFO, P8Free> info(
      PKCS8_decrypt(sig.get(), passphrase->data(), static_cast<int>(passphrase->size())));
  ERR_clear_error();
  if (!info)
    throw Error(ExitCode::auth, "wrong passphrase for the passkey's private key",
                Reason::passphrase_wrong);
  EVP_PKEY* key = EVP_PKCS82PKEY(info.get());
  ERR_clear_error();
  if (!key) throw unreadable_key();
  return key;
}

// A PKCS#8 key carries its public point next to the private scalar, and OpenSSL takes both
// as written: in a damaged file they may disagree, and the key would then sign with one and
// register (or verify with) the other. The point must be on the curve and be the scalar's.
void check_key_pair(EVP_PKEY* key) {
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
  const bool valid = ctx && EVP_PKEY_check(ctx.get()) == 1;
  ERR_clear_error();
  if (!valid)
    throw Error(ExitCode::error,
                "the passkey file's private key is damaged (its public key does not match)",
                Reason::key_damaged);
}

bool is_encrypted_pkcs8(std::string_view pem) {
  return pem.find("-----BEGIN ENCRYPTED PRIVATE KEY-----") != std::string_view::npos;
}

}  // namespace

struct P256Key::Impl {
  EVP_PKEY* key = nullptr;
  ~Impl() { EVP_PKEY_free(key); }
};

P256Key::P256Key(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
P256Key::P256Key(P256Key&&) noexcept = default;
P256Key& P256Key::operator=(P256Key&&) noexcept = default;
P256Key::~P256Key() = default;

P256Key P256Key::generate() {
  auto impl = std::make_unique<Impl>();
  impl->key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  if (!impl->key) fail("generating a P-256 key");
  return P256Key(std::move(impl));
}

P256Key P256Key::from_pem(std::string_view pem, const std::optional<std::string>& passphrase) {
  auto impl = std::make_unique<Impl>();
  if (is_encrypted_pkcs8(pem)) {
    impl->key = decrypt_pkcs8(pem, passphrase);
  } else {
    std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (!bio) fail("reading the key");
    impl->key = PEM_read_bio_PrivateKey(bio.get(), nullptr, passphrase_cb,
                                        const_cast<std::optional<std::string>*>(&passphrase));
    ERR_clear_error();
  }
  if (!impl->key) {
    if (pem_is_encrypted(pem))  // a traditional "Proc-Type: 4,ENCRYPTED" key
      throw Error(ExitCode::auth,
                  passphrase ? "wrong passphrase for the passkey's private key"
                             : "the passkey's private key is encrypted and no passphrase was given",
                  passphrase ? Reason::passphrase_wrong : Reason::passphrase_missing);
    throw unreadable_key();
  }
  char group[64] = {0};
  size_t len = 0;
  if (EVP_PKEY_get_utf8_string_param(impl->key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                     &len) != 1 ||
      std::string(group) != "prime256v1")
    throw Error(ExitCode::error, "the passkey file's key is not a P-256 key",
                Reason::key_unsupported);
  check_key_pair(impl->key);
  return P256Key(std::move(impl));
}

std::string P256Key::to_pem(const std::optional<std::string>& passphrase) const {
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  if (!bio) fail("writing the key");
  int ok = 0;
  if (!passphrase) {
    ok =
        PEM_write_bio_PKCS8PrivateKey(bio.get(), impl_->key, nullptr, nullptr, 0, nullptr, nullptr);
  } else {
    // PBES2: PBKDF2-HMAC-SHA256 (OpenSSL's PRF for AES-CBC), explicit salt and count.
    unsigned char salt[kKeySaltBytes];
    if (RAND_bytes(salt, sizeof salt) != 1) fail("making a salt");
    std::unique_ptr<PKCS8_PRIV_KEY_INFO, P8Free> info(EVP_PKEY2PKCS8(impl_->key));
    if (!info) fail("writing the key");
    std::unique_ptr<X509_SIG, SigFree> sig(PKCS8_encrypt(-1, EVP_aes_256_cbc(), passphrase->data(),
                                                         static_cast<int>(passphrase->size()), salt,
                                                         sizeof salt, kKeyIterations, info.get()));
    if (!sig) fail("encrypting the key");
    ok = PEM_write_bio_PKCS8(bio.get(), sig.get());
  }
  if (ok != 1) fail("writing the key");
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  std::string pem(data, static_cast<size_t>(n));
  OPENSSL_cleanse(data, static_cast<size_t>(n));
  return pem;
}

std::string P256Key::public_x() const {
  return coordinate(impl_->key, OSSL_PKEY_PARAM_EC_PUB_X);
}

std::string P256Key::public_y() const {
  return coordinate(impl_->key, OSSL_PKEY_PARAM_EC_PUB_Y);
}

std::string P256Key::sign_der(std::string_view data) const {
  std::unique_ptr<EVP_MD_CTX, CtxFree> ctx(EVP_MD_CTX_new());
  size_t len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, impl_->key) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(data.data()),
                     data.size()) != 1)
    fail("signing");
  std::string signature(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &len,
                     reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1)
    fail("signing");
  signature.resize(len);
  return signature;
}

int64_t pkcs8_iterations(std::string_view pem) {
  if (!is_encrypted_pkcs8(pem)) return 0;
  std::unique_ptr<X509_SIG, SigFree> sig = read_pkcs8(pem);
  return sig ? pbe_iterations(sig.get()) : -1;
}

bool pem_is_encrypted(std::string_view pem) {
  return pem.find("-----BEGIN ENCRYPTED PRIVATE KEY-----") != std::string_view::npos ||
         pem.find("Proc-Type: 4,ENCRYPTED") != std::string_view::npos;
}

}  // namespace authctl::crypto
