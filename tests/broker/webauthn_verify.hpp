// WebAuthn pieces the test broker's Nexterm server verifies with
// (shared/specs/nexterm-passkeys.md): a minimal strict CBOR decoder, the authenticator data parser,
// COSE EC2 keys and ES256 (ECDSA P-256, SHA-256, DER) signatures, all on OpenSSL 3 directly.
// Written independently of src/core on purpose: a bug in the client's WebAuthn encoder must not be
// mirrored here.
//
// Errors are std::runtime_error whose what() is the message @simplewebauthn/server 13 would
// give where the spec names one (e.g. "Unexpected RP ID hash", "Leftover bytes detected while
// parsing authenticator data"); malformed input it would reject with a parser's own text gets
// the broker's wording.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace testbroker::webauthn {

// One CBOR data item. Supported: unsigned and negative integers (within int64), byte and text
// strings, arrays, maps (keys of any supported type, no duplicates), false, true, null.
// Not supported (rejected as malformed): tags, floats, undefined, other simple values,
// indefinite lengths.
struct Cbor {
  enum class Type { integer, bytes, text, array, map, boolean, null };
  Type type = Type::null;
  int64_t integer = 0;
  std::string string;  // bytes or text
  bool boolean = false;
  std::vector<Cbor> items;                     // array
  std::vector<std::pair<Cbor, Cbor>> entries;  // map, in the order encoded

  bool is_int() const { return type == Type::integer; }
  bool is_bytes() const { return type == Type::bytes; }
  bool is_text() const { return type == Type::text; }
  bool is_map() const { return type == Type::map; }
  // The value under an integer or text key of a map; nullptr when absent or not a map.
  const Cbor* find(int64_t key) const;
  const Cbor* find(const std::string& text_key) const;
  // As JavaScript would print the decoded value in a message ("-35", "none", "undefined").
  std::string describe() const;
};

struct CborDecoded {
  Cbor value;
  size_t length = 0;     // bytes the first item took
  bool shortest = true;  // every head used the shortest encoding (what a re-encode gives)
};

// Decodes the first data item of `data` from `offset`; bytes after it are not looked at.
// Throws std::runtime_error on malformed, truncated or unsupported input.
CborDecoded cbor_decode_first(const std::string& data, size_t offset = 0);

std::string sha256(const std::string& data);  // raw 32 bytes

// Authenticator data, parsed as @simplewebauthn/server's parseAuthenticatorData does.
struct AuthData {
  std::string rp_id_hash;  // 32 bytes
  uint8_t flags = 0;
  uint32_t sign_count = 0;
  bool attested = false;           // AT: the three fields below are present
  std::string aaguid;              // 16 bytes
  std::string credential_id;       // raw bytes
  std::string credential_key;      // the COSE_Key's own bytes, as encoded
  std::optional<Cbor> extensions;  // ED

  bool up() const { return flags & 0x01; }
  bool uv() const { return flags & 0x04; }
  bool be() const { return flags & 0x08; }
  bool bs() const { return flags & 0x10; }
  bool at() const { return flags & 0x40; }
  bool ed() const { return flags & 0x80; }
};

// Throws with the library's messages: fewer than 37 bytes, attested data or extensions that
// run past the end, a COSE key not in shortest form (the library re-encodes it and then finds
// leftover bytes), leftover bytes.
AuthData parse_auth_data(const std::string& bytes);

// A COSE_Key as stored: the labels the verifier looks at.
struct CoseKey {
  std::optional<int64_t> kty, alg, crv;
  std::optional<std::string> x, y;  // byte strings
};
CoseKey decode_cose_key(const std::string& bytes);  // throws when not a CBOR map

// Throws unless `key` is an EC2 (kty 2) P-256 (crv 1) key with 32-byte x and y on the curve.
void check_p256_key(const CoseKey& key);

enum class Signature { valid, invalid };

// ECDSA P-256 with SHA-256 over `data`, the signature DER encoded (an ECDSA-Sig-Value
// SEQUENCE of two INTEGERs, strict DER). Returns valid/invalid; throws when the signature is
// not such a DER structure (a raw 64-byte r|s for instance) or the key is not a P-256 point.
Signature verify_es256(const std::string& x, const std::string& y, const std::string& data,
                       const std::string& der_signature);

}  // namespace testbroker::webauthn
