// The WebAuthn structures a software authenticator builds (nexterm-passkeys.md, "Registration,
// byte by byte" and "Login, byte by byte"): pure functions over bytes, no I/O.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/p256_key.hpp"

namespace authctl::webauthn {

// Authenticator data flags.
constexpr uint8_t kUserPresent = 0x01;
constexpr uint8_t kUserVerified = 0x04;
constexpr uint8_t kAttestedCredential = 0x40;
constexpr uint8_t kRegistrationFlags = kUserPresent | kUserVerified | kAttestedCredential;  // 0x45
constexpr uint8_t kAssertionFlags = kUserPresent | kUserVerified;                           // 0x05

// The COSE_Key of a P-256 public key (kty EC2, alg -7 ES256, crv P-256, x, y): 77 bytes.
std::string cose_ec2_key(std::string_view x, std::string_view y);

// authenticatorData at registration: SHA-256(rp_id) | 0x45 | signCount 0 | AAGUID of zeros |
// credential id length (2 bytes, big-endian) | credential id | COSE key.
std::string registration_auth_data(std::string_view rp_id, std::string_view credential_id,
                                   std::string_view cose_key);

// The attestationObject for attestation "none": CBOR {"fmt":"none","attStmt":{},"authData"}
// in the shortest encodings.
std::string attestation_object_none(std::string_view auth_data);

// authenticatorData of an assertion: SHA-256(rp_id) | 0x05 | sign_count (4 bytes, big-endian).
std::string assertion_auth_data(std::string_view rp_id, uint32_t sign_count);

// clientDataJSON exactly as the spec gives it:
// {"type":TYPE,"challenge":CHALLENGE,"origin":ORIGIN,"crossOrigin":false}
// (type "webauthn.create" or "webauthn.get"; the challenge as the server sent it).
std::string client_data_json(std::string_view type, std::string_view challenge,
                             std::string_view origin);

// What an assertion signs: authenticatorData | SHA-256(clientDataJSON).
std::string assertion_signed_data(std::string_view auth_data, std::string_view client_data);

// The rpID of an origin "scheme://host[:port]": its host name, as a URL's hostname gives it
// (lower case; an IPv6 address keeps its brackets).
std::string rp_id_of(std::string_view origin);

// The RegistrationResponseJSON of a new credential (attestation "none"), binary values in
// base64url: {id, rawId, type:"public-key", response:{clientDataJSON, attestationObject}}.
nlohmann::json registration_credential(const crypto::P256Key& key, std::string_view credential_id,
                                       std::string_view rp_id, std::string_view challenge,
                                       std::string_view origin);

// The AuthenticationResponseJSON: {id, rawId, type, response:{clientDataJSON,
// authenticatorData, signature (DER)}}.
nlohmann::json assertion_credential(const crypto::P256Key& key, std::string_view credential_id,
                                    std::string_view rp_id, std::string_view challenge,
                                    std::string_view origin, uint32_t sign_count);

}  // namespace authctl::webauthn
