// WebAuthn verification pieces for the test broker; see webauthn_verify.hpp.
#include "webauthn_verify.hpp"

#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <limits>
#include <memory>
#include <stdexcept>

namespace testbroker::webauthn {

namespace {

constexpr int kMaxDepth = 16;

[[noreturn]] void fail(const std::string& message) {
  throw std::runtime_error(message);
}

// Well-formed UTF-8 (no overlongs, no surrogates, at most U+10FFFF).
bool valid_utf8(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      n = 1;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      n = 2;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;  // continuation bytes i+1 .. i+n must exist
    for (size_t k = 1; k <= n; ++k) {
      const unsigned char d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3f);
    }
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
        cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

bool same_key(const Cbor& a, const Cbor& b) {
  if (a.type != b.type) return false;
  switch (a.type) {
    case Cbor::Type::integer:
      return a.integer == b.integer;
    case Cbor::Type::bytes:
    case Cbor::Type::text:
      return a.string == b.string;
    case Cbor::Type::boolean:
      return a.boolean == b.boolean;
    case Cbor::Type::null:
      return true;
    default:
      return false;  // arrays and maps as keys: never equal (not worth comparing)
  }
}

class Decoder {
 public:
  Decoder(const std::string& data, size_t offset) : d_(data), p_(offset) {}

  CborDecoded first() {
    const size_t start = p_;
    CborDecoded out;
    out.value = item(0);
    out.length = p_ - start;
    out.shortest = shortest_;
    return out;
  }

 private:
  const std::string& d_;
  size_t p_;
  bool shortest_ = true;

  uint8_t byte() {
    if (p_ >= d_.size()) fail("Unexpected end of CBOR data");
    return static_cast<uint8_t>(d_[p_++]);
  }

  // The argument of a head whose additional information is `ai`.
  uint64_t argument(uint8_t ai) {
    if (ai < 24) return ai;
    int n = 0;
    uint64_t min = 0;
    switch (ai) {
      case 24:
        n = 1;
        min = 24;
        break;
      case 25:
        n = 2;
        min = 0x100;
        break;
      case 26:
        n = 4;
        min = 0x10000;
        break;
      case 27:
        n = 8;
        min = 0x100000000ull;
        break;
      case 31:
        fail("Indefinite-length CBOR items are not supported");
      default:
        fail("Malformed CBOR: reserved additional information " + std::to_string(ai));
    }
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) v = (v << 8) | byte();
    if (v < min) shortest_ = false;
    return v;
  }

  size_t length(uint64_t n) {
    if (n > d_.size() - p_) fail("Unexpected end of CBOR data");
    return static_cast<size_t>(n);
  }

  Cbor item(int depth) {
    if (depth > kMaxDepth) fail("CBOR nested too deeply");
    const uint8_t head = byte();
    const uint8_t major = head >> 5, ai = head & 31;
    Cbor c;
    switch (major) {
      case 0:
      case 1: {
        const uint64_t v = argument(ai);
        if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
          fail("CBOR integer out of range");
        }
        c.type = Cbor::Type::integer;
        c.integer = major == 0 ? static_cast<int64_t>(v) : -1 - static_cast<int64_t>(v);
        return c;
      }
      case 2:
      case 3: {
        const size_t n = length(argument(ai));
        c.type = major == 2 ? Cbor::Type::bytes : Cbor::Type::text;
        c.string = d_.substr(p_, n);
        p_ += n;
        if (major == 3 && !valid_utf8(c.string)) fail("CBOR text string is not valid UTF-8");
        return c;
      }
      case 4: {
        const size_t n = length(argument(ai));  // every item takes at least one byte
        c.type = Cbor::Type::array;
        for (size_t i = 0; i < n; ++i) c.items.push_back(item(depth + 1));
        return c;
      }
      case 5: {
        const uint64_t n = argument(ai);
        if (n > (d_.size() - p_) / 2) fail("Unexpected end of CBOR data");
        c.type = Cbor::Type::map;
        for (uint64_t i = 0; i < n; ++i) {
          Cbor key = item(depth + 1);
          for (const auto& e : c.entries) {
            if (same_key(e.first, key)) fail("Duplicate CBOR map key " + key.describe());
          }
          Cbor value = item(depth + 1);
          c.entries.emplace_back(std::move(key), std::move(value));
        }
        return c;
      }
      case 6:
        fail("CBOR tags are not supported");
      default:
        if (ai == 20 || ai == 21) {
          c.type = Cbor::Type::boolean;
          c.boolean = ai == 21;
          return c;
        }
        if (ai == 22) {
          c.type = Cbor::Type::null;
          return c;
        }
        fail("Unsupported CBOR simple value or float");
    }
  }
};

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
struct SigFree {
  void operator()(ECDSA_SIG* p) const { ECDSA_SIG_free(p); }
};

// The P-256 public key (x, y); nullptr when the point is not on the curve.
std::unique_ptr<EVP_PKEY, PkeyFree> p256_key(const std::string& x, const std::string& y) {
  if (x.size() != 32 || y.size() != 32) return nullptr;
  std::string point = std::string(1, '\x04') + x + y;
  char group[] = "prime256v1";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()),
      OSSL_PARAM_construct_end()};
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(
      EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params) != 1) {
    return nullptr;
  }
  std::unique_ptr<EVP_PKEY, PkeyFree> key(raw);
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> check(
      EVP_PKEY_CTX_new_from_pkey(nullptr, raw, nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) return nullptr;
  return key;
}

}  // namespace

const Cbor* Cbor::find(int64_t key) const {
  if (type != Type::map) return nullptr;
  for (const auto& e : entries) {
    if (e.first.type == Type::integer && e.first.integer == key) return &e.second;
  }
  return nullptr;
}

const Cbor* Cbor::find(const std::string& text_key) const {
  if (type != Type::map) return nullptr;
  for (const auto& e : entries) {
    if (e.first.type == Type::text && e.first.string == text_key) return &e.second;
  }
  return nullptr;
}

std::string Cbor::describe() const {
  switch (type) {
    case Type::integer:
      return std::to_string(integer);
    case Type::text:
      return string;
    case Type::bytes: {
      std::string out;  // Uint8Array#toString: "1,2,3"
      for (unsigned char c : string) out += (out.empty() ? "" : ",") + std::to_string(c);
      return out;
    }
    case Type::boolean:
      return boolean ? "true" : "false";
    case Type::null:
      return "null";
    case Type::array:
      return "[array]";
    default:
      return "[object Map]";
  }
}

CborDecoded cbor_decode_first(const std::string& data, size_t offset) {
  if (offset > data.size()) fail("Unexpected end of CBOR data");
  return Decoder(data, offset).first();
}

std::string sha256(const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr) != 1) {
    fail("SHA-256 failed");
  }
  return std::string(reinterpret_cast<const char*>(md), len);
}

AuthData parse_auth_data(const std::string& bytes) {
  const size_t size = bytes.size();
  if (size < 37) {
    fail("Authenticator data was " + std::to_string(size) + " bytes, expected at least 37 bytes");
  }
  AuthData a;
  a.rp_id_hash = bytes.substr(0, 32);
  a.flags = static_cast<uint8_t>(bytes[32]);
  for (size_t i = 33; i < 37; ++i) {
    a.sign_count = (a.sign_count << 8) | static_cast<uint8_t>(bytes[i]);
  }
  size_t p = 37;
  const char* leftover = "Leftover bytes detected while parsing authenticator data";
  if (a.at()) {
    if (p + 18 > size) fail("Offset is outside the bounds of the DataView");
    a.attested = true;
    a.aaguid = bytes.substr(p, 16);
    const size_t id_len = (static_cast<size_t>(static_cast<uint8_t>(bytes[p + 16])) << 8) |
                          static_cast<uint8_t>(bytes[p + 17]);
    p += 18;
    if (p + id_len > size) fail("Credential ID runs past the end of the authenticator data");
    a.credential_id = bytes.substr(p, id_len);
    p += id_len;
    CborDecoded key = cbor_decode_first(bytes, p);
    if (!key.shortest) fail(leftover);
    a.credential_key = bytes.substr(p, key.length);
    p += key.length;
  }
  if (a.ed()) {
    CborDecoded ext = cbor_decode_first(bytes, p);
    if (!ext.shortest) fail(leftover);
    a.extensions = ext.value;
    p += ext.length;
  }
  if (p < size) fail(leftover);
  return a;
}

CoseKey decode_cose_key(const std::string& bytes) {
  CborDecoded d = cbor_decode_first(bytes);
  if (!d.value.is_map()) fail("Credential public key was not a CBOR map");
  CoseKey k;
  auto int_at = [&](int64_t label) -> std::optional<int64_t> {
    const Cbor* v = d.value.find(label);
    return v && v->is_int() ? std::optional<int64_t>(v->integer) : std::nullopt;
  };
  auto bytes_at = [&](int64_t label) -> std::optional<std::string> {
    const Cbor* v = d.value.find(label);
    return v && v->is_bytes() ? std::optional<std::string>(v->string) : std::nullopt;
  };
  k.kty = int_at(1);
  k.alg = int_at(3);
  k.crv = int_at(-1);
  k.x = bytes_at(-2);
  k.y = bytes_at(-3);
  return k;
}

void check_p256_key(const CoseKey& key) {
  if (key.kty != 2) fail("Public key is not an EC2 key (kty 2)");
  if (!key.crv) fail("Public key was missing crv (EC2)");
  if (!key.x) fail("Public key was missing x (EC2)");
  if (!key.y) fail("Public key was missing y (EC2)");
  if (*key.crv != 1) fail("Unexpected COSE crv value of " + std::to_string(*key.crv) + " (EC2)");
  if (key.x->size() != 32 || key.y->size() != 32)
    fail("Public key x and y must be 32 bytes (P-256)");
  if (!p256_key(*key.x, *key.y)) fail("Public key is not a point on P-256");
}

Signature verify_es256(const std::string& x, const std::string& y, const std::string& data,
                       const std::string& der_signature) {
  // Strict DER: the whole input is one ECDSA-Sig-Value and re-encodes to the same bytes.
  const auto* p = reinterpret_cast<const unsigned char*>(der_signature.data());
  const unsigned char* start = p;
  std::unique_ptr<ECDSA_SIG, SigFree> sig(
      d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der_signature.size())));
  bool der = sig && static_cast<size_t>(p - start) == der_signature.size();
  if (der) {
    unsigned char* again = nullptr;
    int n = i2d_ECDSA_SIG(sig.get(), &again);
    der = n > 0 && static_cast<size_t>(n) == der_signature.size() &&
          std::string(reinterpret_cast<char*>(again), static_cast<size_t>(n)) == der_signature;
    OPENSSL_free(again);
  }
  if (!der) fail("Signature is not a DER-encoded ECDSA-Sig-Value");
  auto key = p256_key(x, y);
  if (!key) fail("Public key is not a point on P-256");
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> md(EVP_MD_CTX_new());
  if (!md || EVP_DigestVerifyInit(md.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1) {
    fail("ECDSA verification could not start");
  }
  int ok = EVP_DigestVerify(md.get(), reinterpret_cast<const unsigned char*>(der_signature.data()),
                            der_signature.size(),
                            reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return ok == 1 ? Signature::valid : Signature::invalid;
}

}  // namespace testbroker::webauthn
