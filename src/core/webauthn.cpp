#include "core/webauthn.hpp"

#include <cctype>

#include <nlohmann/json.hpp>

#include "core/crypto.hpp"
#include "core/error.hpp"

namespace authctl::webauthn {

namespace {

void append_be16(std::string& out, uint32_t v) {
  out.push_back(static_cast<char>((v >> 8) & 0xFF));
  out.push_back(static_cast<char>(v & 0xFF));
}

void append_be32(std::string& out, uint32_t v) {
  append_be16(out, v >> 16);
  append_be16(out, v & 0xFFFF);
}

// A CBOR head (major type + argument) in its shortest form.
void cbor_head(std::string& out, uint8_t major, uint64_t value) {
  const uint8_t m = static_cast<uint8_t>(major << 5);
  if (value < 24) {
    out.push_back(static_cast<char>(m | value));
  } else if (value <= 0xFF) {
    out.push_back(static_cast<char>(m | 24));
    out.push_back(static_cast<char>(value));
  } else if (value <= 0xFFFF) {
    out.push_back(static_cast<char>(m | 25));
    append_be16(out, static_cast<uint32_t>(value));
  } else {
    out.push_back(static_cast<char>(m | 26));
    append_be32(out, static_cast<uint32_t>(value));
  }
}

void cbor_text(std::string& out, std::string_view text) {
  cbor_head(out, 3, text.size());
  out.append(text);
}

void cbor_bytes(std::string& out, std::string_view bytes) {
  cbor_head(out, 2, bytes.size());
  out.append(bytes);
}

}  // namespace

std::string cose_ec2_key(std::string_view x, std::string_view y) {
  if (x.size() != 32 || y.size() != 32)
    throw Error(ExitCode::error, "internal error: a P-256 coordinate is not 32 bytes");
  std::string key;
  cbor_head(key, 5, 5);  // map of 5
  cbor_head(key, 0, 1);  // 1 kty:
  cbor_head(key, 0, 2);  //   2 (EC2)
  cbor_head(key, 0, 3);  // 3 alg:
  cbor_head(key, 1, 6);  //   -7 (ES256)
  cbor_head(key, 1, 0);  // -1 crv:
  cbor_head(key, 0, 1);  //   1 (P-256)
  cbor_head(key, 1, 1);  // -2 x:
  cbor_bytes(key, x);
  cbor_head(key, 1, 2);  // -3 y:
  cbor_bytes(key, y);
  return key;
}

std::string registration_auth_data(std::string_view rp_id, std::string_view credential_id,
                                   std::string_view cose_key) {
  std::string data = crypto::sha256(rp_id);
  data.push_back(static_cast<char>(kRegistrationFlags));
  append_be32(data, 0);   // signCount
  data.append(16, '\0');  // AAGUID: none
  append_be16(data, static_cast<uint32_t>(credential_id.size()));
  data.append(credential_id);
  data.append(cose_key);
  return data;
}

std::string attestation_object_none(std::string_view auth_data) {
  std::string out;
  cbor_head(out, 5, 3);
  cbor_text(out, "fmt");
  cbor_text(out, "none");
  cbor_text(out, "attStmt");
  cbor_head(out, 5, 0);
  cbor_text(out, "authData");
  cbor_bytes(out, auth_data);
  return out;
}

std::string assertion_auth_data(std::string_view rp_id, uint32_t sign_count) {
  std::string data = crypto::sha256(rp_id);
  data.push_back(static_cast<char>(kAssertionFlags));
  append_be32(data, sign_count);
  return data;
}

std::string client_data_json(std::string_view type, std::string_view challenge,
                             std::string_view origin) {
  // Built by hand for the exact member order; each string is escaped as JSON.
  auto quoted = [](std::string_view s) { return nlohmann::json(std::string(s)).dump(); };
  return "{\"type\":" + quoted(type) + ",\"challenge\":" + quoted(challenge) +
         ",\"origin\":" + quoted(origin) + ",\"crossOrigin\":false}";
}

std::string assertion_signed_data(std::string_view auth_data, std::string_view client_data) {
  return std::string(auth_data) + crypto::sha256(client_data);
}

std::string rp_id_of(std::string_view origin) {
  std::string_view rest = origin;
  if (auto scheme = rest.find("://"); scheme != std::string_view::npos)
    rest = rest.substr(scheme + 3);
  rest = rest.substr(0, rest.find('/'));
  std::string host;
  if (!rest.empty() && rest.front() == '[') {
    host = std::string(rest.substr(0, rest.find(']') + 1));
  } else {
    host = std::string(rest.substr(0, rest.find(':')));
  }
  for (char& c : host) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  return host;
}

nlohmann::json registration_credential(const crypto::P256Key& key, std::string_view credential_id,
                                       std::string_view rp_id, std::string_view challenge,
                                       std::string_view origin) {
  const std::string cose = cose_ec2_key(key.public_x(), key.public_y());
  const std::string auth_data = registration_auth_data(rp_id, credential_id, cose);
  const std::string id = crypto::base64url_encode(credential_id);
  return {{"id", id},
          {"rawId", id},
          {"type", "public-key"},
          {"response",
           {{"clientDataJSON",
             crypto::base64url_encode(client_data_json("webauthn.create", challenge, origin))},
            {"attestationObject", crypto::base64url_encode(attestation_object_none(auth_data))}}}};
}

nlohmann::json assertion_credential(const crypto::P256Key& key, std::string_view credential_id,
                                    std::string_view rp_id, std::string_view challenge,
                                    std::string_view origin, uint32_t sign_count) {
  const std::string auth_data = assertion_auth_data(rp_id, sign_count);
  const std::string client_data = client_data_json("webauthn.get", challenge, origin);
  const std::string signature = key.sign_der(assertion_signed_data(auth_data, client_data));
  const std::string id = crypto::base64url_encode(credential_id);
  return {{"id", id},
          {"rawId", id},
          {"type", "public-key"},
          {"response",
           {{"clientDataJSON", crypto::base64url_encode(client_data)},
            {"authenticatorData", crypto::base64url_encode(auth_data)},
            {"signature", crypto::base64url_encode(signature)}}}};
}

}  // namespace authctl::webauthn
