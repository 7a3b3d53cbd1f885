// A P-256 (secp256r1) key pair through OpenSSL: what a software passkey holds. Generation,
// PKCS#8 PEM in and out (AES-256 encrypted when a passphrase is given), the public point,
// and ES256 signatures in DER form, as WebAuthn wants them (nexterm-passkeys.md).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace authctl::crypto {

// Encrypted key files: PBES2 with PBKDF2-HMAC-SHA256, 600,000 iterations (OWASP 2023), a
// 16-byte random salt, AES-256-CBC. Reading accepts older files (authctl before 0.2 wrote
// 2048 iterations and an 8-byte salt) but refuses more than kMaxKeyIterations before any
// derivation: a hostile file must not hang the reader.
inline constexpr int kKeyIterations = 600000;
inline constexpr int kKeySaltBytes = 16;
inline constexpr int64_t kMaxKeyIterations = 10000000;

class P256Key {
 public:
  static P256Key generate();  // EVP_PKEY_Q_keygen
  // Reads a PKCS#8 PEM private key. An encrypted one needs `passphrase`: a wrong or missing
  // one is Error(auth); anything else that is not a P-256 key, or an encrypted one asking
  // for more than kMaxKeyIterations, is Error(error).
  static P256Key from_pem(std::string_view pem, const std::optional<std::string>& passphrase);

  P256Key(P256Key&&) noexcept;
  P256Key& operator=(P256Key&&) noexcept;
  ~P256Key();

  // PKCS#8 PEM; encrypted (PBES2, see kKeyIterations) when a passphrase is given.
  std::string to_pem(const std::optional<std::string>& passphrase) const;
  // The public point's coordinates, 32 bytes each, big-endian, left-padded.
  std::string public_x() const;
  std::string public_y() const;
  // ECDSA with SHA-256 over `data`, DER encoded (EVP_DigestSign).
  std::string sign_der(std::string_view data) const;

 private:
  struct Impl;
  explicit P256Key(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The PBKDF2 (or PBES1) iterations an encrypted PKCS#8 PEM asks for, as from_pem reads them
// before deciding to derive: 0 when the text holds no such key, -1 when it cannot be read.
// Lets a caller (the fuzz harness) see the cost of a key before paying it.
int64_t pkcs8_iterations(std::string_view pem);

// Whether a PEM text holds an encrypted private key (it then needs a passphrase).
bool pem_is_encrypted(std::string_view pem);

}  // namespace authctl::crypto
