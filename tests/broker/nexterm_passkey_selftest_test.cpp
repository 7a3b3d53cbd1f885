// Self-test of the test broker's Nexterm passkeys (shared/specs/nexterm-passkeys.md): talks to
// it over real sockets with httplib::Client, as a software authenticator of its own (P-256
// keys, COSE, authenticator data, CBOR and ECDSA written here on OpenSSL, independent of both
// the broker and src/), and checks registration, list/rename/delete, login with and without
// a username, TOTP bypass, every error code, single-use challenges and their 5-minute life on
// the broker clock, the auth limiter shared with password login, the test hooks, and the
// spec's test vector.
#include <doctest/doctest.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <signal.h>

#include <httplib.h>

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "broker.hpp"
#include "webauthn_verify.hpp"

using nlohmann::json;

namespace {

const bool kIgnoreSigpipe = [] {
  signal(SIGPIPE, SIG_IGN);
  return true;
}();

const char* kUa = "authctl-passkey-selftest/1.0 (linux)";

// --- bytes ----------------------------------------------------------------------------------

std::string hex(const std::string& bytes) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += d[c >> 4];
    out += d[c & 15];
  }
  return out;
}

std::string b64u(const std::string& bytes) {
  static const char* a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t v = (static_cast<uint8_t>(bytes[i]) << 16) |
                 (static_cast<uint8_t>(bytes[i + 1]) << 8) | static_cast<uint8_t>(bytes[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += a[(v >> s) & 63];
  }
  if (bytes.size() - i == 1) {
    uint32_t v = static_cast<uint8_t>(bytes[i]) << 16;
    out += a[(v >> 18) & 63];
    out += a[(v >> 12) & 63];
  } else if (bytes.size() - i == 2) {
    uint32_t v = (static_cast<uint8_t>(bytes[i]) << 16) | (static_cast<uint8_t>(bytes[i + 1]) << 8);
    out += a[(v >> 18) & 63];
    out += a[(v >> 12) & 63];
    out += a[(v >> 6) & 63];
  }
  return out;
}

std::string sha256(const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  REQUIRE(EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr) == 1);
  return std::string(reinterpret_cast<char*>(md), len);
}

std::string random_bytes(size_t n) {
  std::string out(n, '\0');
  REQUIRE(RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) == 1);
  return out;
}

std::string be32(uint32_t v) {
  std::string out;
  for (int s = 24; s >= 0; s -= 8) out += static_cast<char>((v >> s) & 0xff);
  return out;
}

// --- CBOR (shortest encodings) --------------------------------------------------------------

std::string head(int major, uint64_t v) {
  std::string out;
  const char m = static_cast<char>(major << 5);
  if (v < 24) {
    out += static_cast<char>(m | static_cast<char>(v));
  } else if (v < 0x100) {
    out += static_cast<char>(m | 24);
    out += static_cast<char>(v);
  } else if (v < 0x10000) {
    out += static_cast<char>(m | 25);
    out += static_cast<char>(v >> 8);
    out += static_cast<char>(v & 0xff);
  } else {
    out += static_cast<char>(m | 26);
    out += be32(static_cast<uint32_t>(v));
  }
  return out;
}
std::string cint(int64_t v) {
  return v >= 0 ? head(0, static_cast<uint64_t>(v)) : head(1, static_cast<uint64_t>(-1 - v));
}
std::string cbytes(const std::string& b) {
  return head(2, b.size()) + b;
}
std::string ctext(const std::string& t) {
  return head(3, t.size()) + t;
}
std::string cmap(size_t n) {
  return head(5, n);
}

// --- keys -----------------------------------------------------------------------------------

struct Key {
  std::shared_ptr<EVP_PKEY> pkey;
  std::string x, y;

  static Key adopt(EVP_PKEY* p, size_t size) {
    REQUIRE(p);
    Key k;
    k.pkey.reset(p, EVP_PKEY_free);
    for (auto [name, out] :
         {std::pair{OSSL_PKEY_PARAM_EC_PUB_X, &k.x}, std::pair{OSSL_PKEY_PARAM_EC_PUB_Y, &k.y}}) {
      BIGNUM* bn = nullptr;
      REQUIRE(EVP_PKEY_get_bn_param(p, name, &bn) == 1);
      out->assign(size, '\0');
      BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out->data()), static_cast<int>(size));
      BN_free(bn);
    }
    return k;
  }
  static Key generate(const char* curve = "P-256") {
    return adopt(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve),
                 std::string(curve) == "P-384" ? 48 : 32);
  }
  static Key from_pem(const std::string& pem) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), -1), BIO_free);
    return adopt(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr), 32);
  }
  // ECDSA with SHA-256, DER encoded (what EVP_DigestSign gives).
  std::string sign(const std::string& data) const {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    REQUIRE(EVP_DigestSignInit(md.get(), nullptr, EVP_sha256(), nullptr, pkey.get()) == 1);
    size_t len = 0;
    auto in = reinterpret_cast<const unsigned char*>(data.data());
    REQUIRE(EVP_DigestSign(md.get(), nullptr, &len, in, data.size()) == 1);
    std::string sig(len, '\0');
    REQUIRE(EVP_DigestSign(md.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, in,
                           data.size()) == 1);
    sig.resize(len);
    return sig;
  }
  // The same signature as a raw 64-byte r|s (what WebCrypto gives; WebAuthn wants DER).
  std::string sign_raw(const std::string& data) const {
    const std::string der = sign(data);
    auto p = reinterpret_cast<const unsigned char*>(der.data());
    ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
    REQUIRE(sig);
    std::string out(64, '\0');
    BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char*>(out.data()), 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char*>(out.data()) + 32, 32);
    ECDSA_SIG_free(sig);
    return out;
  }
  // COSE_Key: kty EC2, alg, crv, x, y.
  std::string cose(int64_t alg = -7, int64_t crv = 1) const {
    return cmap(5) + cint(1) + cint(2) + cint(3) + cint(alg) + cint(-1) + cint(crv) + cint(-2) +
           cbytes(x) + cint(-3) + cbytes(y);
  }
};

// A software authenticator: a key and a credential id.
struct Authenticator {
  Key key = Key::generate();
  std::string cred_id = random_bytes(32);
  std::string id() const { return b64u(cred_id); }
};

std::string client_data(const std::string& type, const std::string& challenge,
                        const std::string& origin) {
  return R"({"type":")" + type + R"(","challenge":")" + challenge + R"(","origin":")" + origin +
         R"(","crossOrigin":false})";
}

// The parts of a registration response, built as the spec's "Registration, byte by byte";
// tests change a part, then build().
struct Reg {
  std::string rp_id = "127.0.0.1";
  uint8_t flags = 0x45;
  uint32_t count = 0;
  std::string aaguid = std::string(16, '\0');
  std::string cred_id, cose, auth_tail;
  std::optional<std::string> auth_data;  // replaces the built one
  std::string client_data;
  std::string fmt = "none";
  std::string att_stmt = cmap(0);
  const Key* packed_signer = nullptr;  // packed self attestation {alg:-7, sig}
  bool packed_bad = false;             // ... signed over something else
  std::optional<std::string> id, raw_id;
  std::string type = "public-key";

  std::string build_auth_data() const {
    if (auth_data) return *auth_data;
    std::string ad = sha256(rp_id) + static_cast<char>(flags) + be32(count);
    if (flags & 0x40) {
      ad += aaguid;
      ad += static_cast<char>(cred_id.size() >> 8);
      ad += static_cast<char>(cred_id.size() & 0xff);
      ad += cred_id + cose;
    }
    return ad + auth_tail;
  }
  std::string attestation_object() const {
    const std::string ad = build_auth_data();
    std::string stmt = att_stmt;
    if (packed_signer) {
      std::string sig = packed_signer->sign((packed_bad ? "x" : "") + ad + sha256(client_data));
      stmt = cmap(2) + ctext("alg") + cint(-7) + ctext("sig") + cbytes(sig);
    }
    return cmap(3) + ctext("fmt") + ctext(fmt) + ctext("attStmt") + stmt + ctext("authData") +
           cbytes(ad);
  }
  json build() const {
    const std::string cid = b64u(cred_id);
    return json{{"id", id.value_or(cid)},
                {"rawId", raw_id.value_or(id.value_or(cid))},
                {"type", type},
                {"response",
                 {{"clientDataJSON", b64u(client_data)},
                  {"attestationObject", b64u(attestation_object())}}}};
  }
};

// The parts of an assertion, as the spec's "Login, byte by byte".
struct Assertion {
  std::string rp_id = "127.0.0.1";
  uint8_t flags = 0x05;
  uint32_t count = 0;
  std::string auth_tail;
  std::string client_data;
  const Key* signer = nullptr;
  bool raw_signature = false;
  bool sign_other_data = false;
  std::string id;
  std::optional<std::string> raw_id, user_handle;

  json build() const {
    const std::string ad = sha256(rp_id) + static_cast<char>(flags) + be32(count) + auth_tail;
    const std::string base = (sign_other_data ? "x" : "") + ad + sha256(client_data);
    const std::string sig = raw_signature ? signer->sign_raw(base) : signer->sign(base);
    json inner = {{"clientDataJSON", b64u(client_data)},
                  {"authenticatorData", b64u(ad)},
                  {"signature", b64u(sig)}};
    if (user_handle) inner["userHandle"] = *user_handle;
    return json{
        {"id", id}, {"rawId", raw_id.value_or(id)}, {"type", "public-key"}, {"response", inner}};
  }
};

// --- the broker -----------------------------------------------------------------------------

json body(const httplib::Result& r) {
  return json::parse(r->body);
}

void check_code(const httplib::Result& r, int code, const std::string& message = "") {
  REQUIRE(r);
  CHECK(r->status == 200);
  REQUIRE(r->get_header_value("Content-Type").rfind("application/json", 0) == 0);
  json j = body(r);
  CHECK(j["code"] == code);
  CHECK(j["code"].is_number_integer());
  if (!message.empty()) CHECK(j["message"] == message);
}

void check_message(const httplib::Result& r, int status, const std::string& message) {
  REQUIRE(r);
  CHECK(r->status == status);
  CHECK(body(r) == json{{"message", message}});
}

bool is_hex(const std::string& s, size_t n) {
  return s.size() == n && std::regex_match(s, std::regex("[0-9a-f]*"));
}

using RegTweak = std::function<void(Reg&)>;
using AssertTweak = std::function<void(Assertion&)>;

struct Px {
  testbroker::Broker broker;
  httplib::Client cli;
  std::string origin;
  std::string alice;  // a session token
  // Every passkey login costs 2 of the auth limiter's 20: login_options() and login_verify()
  // reset it first unless this is off.
  bool reset_limiter = true;

  Px() : broker(options()), cli(start_and_url(broker)), origin(broker.url()) {
    broker.add_nexterm_account("alice", "Passw0rd!");
    broker.add_nexterm_account("bob", "B0bPassword", true);  // TOTP on
    cli.set_connection_timeout(5);
    cli.set_read_timeout(5);
    alice = broker.nexterm_session("alice", kUa);
  }
  static testbroker::Options options() {
    testbroker::Options o;
    o.kind = testbroker::Kind::nexterm;
    return o;
  }
  static std::string start_and_url(testbroker::Broker& b) {
    b.start();
    return b.url();
  }
  httplib::Headers headers(const std::string& token) {
    httplib::Headers h{{"Accept", "application/json"}, {"User-Agent", kUa}};
    if (!token.empty()) h.emplace("Authorization", "Bearer " + token);
    return h;
  }
  httplib::Result post(const std::string& path, const json& b, const std::string& token = "") {
    return cli.Post(path.c_str(), headers(token), b.dump(), "application/json");
  }
  httplib::Result get(const std::string& path, const std::string& token) {
    return cli.Get(path.c_str(), headers(token));
  }
  httplib::Result patch(const std::string& path, const json& b, const std::string& token) {
    return cli.Patch(path.c_str(), headers(token), b.dump(), "application/json");
  }
  httplib::Result del(const std::string& path, const std::string& token) {
    return cli.Delete(path.c_str(), headers(token));
  }

  json register_options(const std::string& token) {
    auto r = post("/api/accounts/passkeys/register/options", {{"origin", origin}}, token);
    REQUIRE(r);
    REQUIRE(r->status == 200);
    return body(r);
  }
  // The parts of a registration answering `challenge` with `a`'s key and id.
  Reg reg_parts(const Authenticator& a, const std::string& challenge) {
    Reg g;
    g.cred_id = a.cred_id;
    g.cose = a.key.cose();
    g.client_data = client_data("webauthn.create", challenge, origin);
    return g;
  }
  httplib::Result register_verify(const std::string& token, const json& response,
                                  std::optional<std::string> name = std::nullopt,
                                  std::optional<std::string> req_origin = std::nullopt) {
    json b = {{"origin", req_origin.value_or(origin)}};
    if (name) b["name"] = *name;
    b["response"] = response;
    return post("/api/accounts/passkeys/register/verify", b, token);
  }
  // Fresh options, then a registration with `tweak` applied.
  httplib::Result enroll(const std::string& token, const Authenticator& a,
                         const RegTweak& tweak = {},
                         std::optional<std::string> name = std::nullopt) {
    Reg g = reg_parts(a, register_options(token)["challenge"]);
    if (tweak) tweak(g);
    return register_verify(token, g.build(), name);
  }
  void enroll_ok(const std::string& token, const Authenticator& a,
                 std::optional<std::string> name = std::nullopt) {
    auto r = enroll(token, a, {}, name);
    REQUIRE(r);
    REQUIRE(r->status == 200);
    REQUIRE(body(r) == json{{"message", "Passkey registered successfully"}, {"verified", true}});
  }

  httplib::Result login_options(std::optional<std::string> username = std::nullopt) {
    if (reset_limiter) broker.reset_rate_limits();
    json b = {{"origin", origin}};
    if (username) b["username"] = *username;
    return post("/api/auth/passkey/options", b);
  }
  Assertion assertion_parts(const Authenticator& a, const std::string& challenge) {
    Assertion s;
    s.client_data = client_data("webauthn.get", challenge, origin);
    s.signer = &a.key;
    s.id = a.id();
    return s;
  }
  httplib::Result login_verify(const json& response,
                               std::optional<std::string> req_origin = std::nullopt) {
    if (reset_limiter) broker.reset_rate_limits();
    return post("/api/auth/passkey/verify",
                {{"origin", req_origin.value_or(origin)}, {"response", response}});
  }
  // Fresh options, then an assertion with `tweak` applied.
  httplib::Result login(const Authenticator& a, const AssertTweak& tweak = {},
                        std::optional<std::string> username = std::nullopt) {
    auto o = login_options(username);
    REQUIRE(o);
    REQUIRE(o->status == 200);
    Assertion s = assertion_parts(a, body(o)["challenge"]);
    if (tweak) tweak(s);
    return login_verify(s.build());
  }
  std::string login_ok(const Authenticator& a, const AssertTweak& tweak = {},
                       std::optional<std::string> username = std::nullopt) {
    auto r = login(a, tweak, username);
    REQUIRE(r);
    REQUIRE(r->status == 200);
    json j = body(r);
    REQUIRE(j.contains("token"));
    return j["token"];
  }
  std::vector<testbroker::NextermPasskeyInfo> rows(const std::string& user = "alice") {
    return broker.nexterm_passkeys(user);
  }
};

const char* kVectorPem =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgMm1WK0iVQhFdYBmE\n"
    "1An4UPjoeUPrbFtVTi6Fi/cUrfWhRANCAATI3akE/mo4vZRJevR3rM+HvcxOWuxm\n"
    "jNllo6UMwoQT9sZ062hu7eterD9G25g6rt1G5hAqv+Zf/CQj2h8IRefM\n"
    "-----END PRIVATE KEY-----\n";

std::string bytes_1_to_32() {
  std::string id;
  for (int i = 1; i <= 32; ++i) id += static_cast<char>(i);
  return id;
}

}  // namespace

TEST_CASE("passkeys: the spec's test vector") {
  const Key key = Key::from_pem(kVectorPem);
  CHECK(hex(key.x) == "c8dda904fe6a38bd94497af477accf87bdcc4e5aec668cd965a3a50cc28413f6");
  CHECK(hex(key.y) == "c674eb686eedeb5eac3f46db983aaedd46e6102abfe65ffc2423da1f0845e7cc");
  CHECK(hex(key.cose()) ==
        "a5010203262001215820c8dda904fe6a38bd94497af477accf87bdcc4e5aec668cd965a3a50cc28413f6"
        "225820c674eb686eedeb5eac3f46db983aaedd46e6102abfe65ffc2423da1f0845e7cc");
  CHECK(key.cose().size() == 77);
  const std::string rp_hash = sha256("127.0.0.1");
  CHECK(hex(rp_hash) == "12ca17b49af2289436f303e0166030a21e525d266e209267433801a8fd4071a0");
  const std::string id = bytes_1_to_32();
  CHECK(b64u(id) == "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA");

  // Registration with challenge 32 x 0xAA.
  const std::string reg_challenge = b64u(std::string(32, '\xAA'));
  CHECK(reg_challenge == "qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqo");
  Reg g;
  g.cred_id = id;
  g.cose = key.cose();
  g.client_data = client_data("webauthn.create", reg_challenge, "http://127.0.0.1:6989");
  const std::string ad = g.build_auth_data();
  CHECK(ad.size() == 164);
  CHECK(hex(ad) == hex(rp_hash) + "45" + "00000000" + std::string(32, '0') + "0020" + hex(id) +
                       hex(key.cose()));
  const std::string att = g.attestation_object();
  CHECK(att.size() == 194);
  CHECK(hex(att).rfind("a363666d74646e6f6e656761747453746d74a068617574684461746158a4", 0) == 0);
  CHECK(att.substr(30) == ad);

  // Assertion with challenge 32 x 0xBB.
  const std::string auth_challenge = b64u(std::string(32, '\xBB'));
  CHECK(auth_challenge == "u7u7u7u7u7u7u7u7u7u7u7u7u7u7u7u7u7u7u7u7u7s");
  const std::string cd = client_data("webauthn.get", auth_challenge, "http://127.0.0.1:6989");
  CHECK(cd == R"({"type":"webauthn.get","challenge":"u7u7u7u7u7u7u7u7u7u7u7u7u7u7u7u7u7u7u7u7u7s",)"
              R"("origin":"http://127.0.0.1:6989","crossOrigin":false})");
  CHECK(hex(sha256(cd)) == "b2693648a497198a6cb9e44c9a2f004a03f46a3b1587e78f19d1df623ec9bf50");
  const std::string assert_ad = rp_hash + "\x05" + be32(0);
  CHECK(assert_ad.size() == 37);

  // The broker's own verifier agrees with this encoder (and OpenSSL's DER signatures).
  namespace wa = testbroker::webauthn;
  const wa::AuthData parsed = wa::parse_auth_data(ad);
  CHECK(parsed.flags == 0x45);
  CHECK(parsed.credential_id == id);
  CHECK(parsed.credential_key == key.cose());
  const std::string base = assert_ad + sha256(cd);
  CHECK(wa::verify_es256(key.x, key.y, base, key.sign(base)) == wa::Signature::valid);
  CHECK(wa::verify_es256(key.x, key.y, base + "x", key.sign(base)) == wa::Signature::invalid);
  CHECK_THROWS(wa::verify_es256(key.x, key.y, base, key.sign_raw(base)));

  // And over HTTP: the vector key and id register and log in on a broker.
  Px f;
  Authenticator a{key, id};
  f.enroll_ok(f.alice, a);
  CHECK(f.rows()[0].credential_id == "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA");
  CHECK(is_hex(f.login_ok(a), 96));
}

TEST_CASE("passkeys: registration options") {
  Px f;
  json o = f.register_options(f.alice);
  REQUIRE(o["challenge"].is_string());
  const std::string challenge = o["challenge"];
  CHECK(challenge.size() == 43);
  CHECK(std::regex_match(challenge, std::regex("[A-Za-z0-9_-]{43}")));
  CHECK(o["rp"] == json{{"name", "Nexterm"}, {"id", "127.0.0.1"}});
  CHECK(o["user"] == json{{"id", "MQ"}, {"name", "alice"}, {"displayName", "Alice Tester"}});
  CHECK(o["pubKeyCredParams"] == json::parse(R"([{"alg":-8,"type":"public-key"},
      {"alg":-7,"type":"public-key"},{"alg":-257,"type":"public-key"}])"));
  CHECK(o["timeout"] == 60000);
  CHECK(o["attestation"] == "none");
  CHECK(o["excludeCredentials"] == json::array());
  CHECK(o["authenticatorSelection"]["residentKey"] == "preferred");
  CHECK(o["authenticatorSelection"]["userVerification"] == "preferred");
  CHECK(f.register_options(f.alice)["challenge"] != challenge);

  // rp.id is the hostname of the origin given, whatever it is.
  auto r = f.post("/api/accounts/passkeys/register/options",
                  {{"origin", "https://Nexterm.Example.COM:8443"}}, f.alice);
  CHECK(body(r)["rp"]["id"] == "nexterm.example.com");
  // An API key may register; bob's user id is "Mg" ("2").
  std::string key = f.broker.nexterm_api_key("bob", "ci");
  r = f.post("/api/accounts/passkeys/register/options", {{"origin", f.origin}}, key);
  CHECK(body(r)["user"] == json{{"id", "Mg"}, {"name", "bob"}, {"displayName", "Bob Tester"}});

  // No validation: a missing or bad origin crashes into a 500 page.
  for (json b : {json::object(), json{{"origin", "not a url"}}, json{{"origin", 42}}}) {
    r = f.post("/api/accounts/passkeys/register/options", b, f.alice);
    REQUIRE(r);
    CHECK(r->status == 500);
    CHECK(r->get_header_value("Content-Type").rfind("text/html", 0) == 0);
    CHECK(r->body.find("TypeError: Invalid URL") != std::string::npos);
  }
  // Without a token: the auth header errors.
  r = f.post("/api/accounts/passkeys/register/options", {{"origin", f.origin}});
  check_message(r, 400, "You need to provide the 'authorization' header");
  r = f.post("/api/accounts/passkeys/register/options", {{"origin", f.origin}}, "nope");
  check_message(r, 401, "The provided token is not valid");
}

TEST_CASE("passkeys: register, list, rename, delete") {
  Px f;
  Authenticator a1, a2;
  f.enroll_ok(f.alice, a1, "laptop");
  auto rows = f.rows();
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].id == 1);
  CHECK(rows[0].name == "laptop");
  CHECK(rows[0].credential_id == a1.id());
  CHECK(rows[0].sign_count == 0);

  // The second one: by API key, no name ("Passkey"); the options exclude the first.
  f.broker.advance_clock(2);
  std::string key = f.broker.nexterm_api_key("alice", "ci");
  json o = f.register_options(key);
  CHECK(o["excludeCredentials"] == json::array({{{"id", a1.id()}, {"type", "public-key"}}}));
  Reg g = f.reg_parts(a2, o["challenge"]);
  g.count = 7;  // the authenticator's counter is stored
  auto r = f.register_verify(key, g.build());
  CHECK(body(r)["verified"] == true);
  rows = f.rows();
  REQUIRE(rows.size() == 2);
  CHECK(rows[1].name == "Passkey");
  CHECK(rows[1].sign_count == 7);

  // The same credential id again: the unique constraint.
  r = f.enroll(f.alice, a1);
  check_code(r, 303, "Validation error");
  CHECK(f.rows().size() == 2);

  // The list: row ids, newest first, ISO-8601 with ms.
  r = f.get("/api/accounts/passkeys", f.alice);
  REQUIRE(r->status == 200);
  json list = body(r);
  REQUIRE(list.size() == 2);
  CHECK(list[0]["id"] == 2);
  CHECK(list[0]["name"] == "Passkey");
  CHECK(list[1]["id"] == 1);
  CHECK(list[1]["name"] == "laptop");
  for (const json& p : list) {
    CHECK(p.size() == 3);
    CHECK(std::regex_match(p["createdAt"].get<std::string>(),
                           std::regex(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)")));
  }
  CHECK(body(f.get("/api/accounts/passkeys", key)) == list);
  // Bob sees none of them.
  std::string bob = f.broker.nexterm_session("bob", kUa);
  CHECK(body(f.get("/api/accounts/passkeys", bob)) == json::array());

  // Rename.
  r = f.patch("/api/accounts/passkeys/1", {{"name", "work laptop"}}, f.alice);
  check_message(r, 200, "Passkey renamed successfully");
  CHECK(f.rows()[0].name == "work laptop");
  r = f.patch("/api/accounts/passkeys/1abc", {{"name", "parseInt"}}, f.alice);
  check_message(r, 200, "Passkey renamed successfully");
  CHECK(f.rows()[0].name == "parseInt");
  check_code(f.patch("/api/accounts/passkeys/99", {{"name", "x"}}, f.alice), 308,
             "Passkey not found");
  check_code(f.patch("/api/accounts/passkeys/1", {{"name", "x"}}, bob), 308, "Passkey not found");
  r = f.patch("/api/accounts/passkeys/abc", {{"name", "x"}}, f.alice);
  REQUIRE(r);
  CHECK(r->status == 400);
  CHECK(body(r) == json{{"code", 309}, {"message", "Invalid passkey ID"}});
  check_message(f.patch("/api/accounts/passkeys/1", {{"name", ""}}, f.alice), 400,
                "name is not allowed to be empty");
  check_message(f.patch("/api/accounts/passkeys/1", {{"name", std::string(51, 'n')}}, f.alice), 400,
                "name length must be less than or equal to 50 characters long");
  check_message(f.patch("/api/accounts/passkeys/1", json::object(), f.alice), 400,
                "name is required");
  check_message(f.patch("/api/accounts/passkeys/abc", {{"extra", 1}}, f.alice), 400,
                "name is required");  // the body before the id

  // Delete: only your own; 308 for unknown, HTTP 400 309 for non-integers.
  check_code(f.del("/api/accounts/passkeys/1", bob), 308, "Passkey not found");
  r = f.del("/api/accounts/passkeys/x", f.alice);
  CHECK(r->status == 400);
  CHECK(body(r)["code"] == 309);
  check_message(f.del("/api/accounts/passkeys/1", f.alice), 200, "Passkey deleted successfully");
  check_code(f.del("/api/accounts/passkeys/1", f.alice), 308, "Passkey not found");
  check_message(f.del("/api/accounts/passkeys/2", key), 200, "Passkey deleted successfully");
  CHECK(f.rows().empty());
  CHECK(f.broker.count("/api/accounts/passkeys/:id") == 14);

  // A deleted passkey cannot log in (305), and can be registered again.
  check_code(f.login(a1), 305, "Passkey not found");
  f.enroll_ok(f.alice, a1);
  CHECK(f.rows()[0].id == 3);  // row ids are never reused
}

TEST_CASE("passkeys: register/verify request validation") {
  Px f;
  Authenticator a;
  Reg g = f.reg_parts(a, f.register_options(f.alice)["challenge"]);
  const json resp = g.build();
  auto verify = [&](const json& b) {
    return f.post("/api/accounts/passkeys/register/verify", b, f.alice);
  };
  check_message(verify(json::object()), 400, "response is required");
  check_message(verify({{"response", "x"}, {"origin", f.origin}}), 400,
                "response must be of type object");
  check_message(verify({{"response", resp}}), 400, "origin is required");
  check_message(verify({{"response", resp}, {"origin", "not a uri"}}), 400,
                "origin must be a valid uri");
  check_message(verify({{"response", resp}, {"origin", f.origin}, {"name", ""}}), 400,
                "name is not allowed to be empty");
  check_message(verify({{"response", resp}, {"origin", f.origin}, {"name", std::string(51, 'x')}}),
                400, "name length must be less than or equal to 50 characters long");
  check_message(verify({{"response", resp}, {"origin", f.origin}, {"extra", true}}), 400,
                "extra is not allowed");
  // Without Content-Type: application/json the body is undefined and the route crashes.
  auto crash = [&](const std::string& method, const std::string& path, const char* property) {
    CAPTURE(path);
    httplib::Request q;
    q.method = method;
    q.path = path;
    q.headers = f.headers(f.alice);
    q.body = "{}";
    q.set_header("Content-Type", "text/plain");
    auto r = f.cli.send(q);
    REQUIRE(r);
    CHECK(r->status == 500);
    CHECK(r->body.find(std::string("reading &#39;") + property + "&#39;") != std::string::npos);
  };
  crash("POST", "/api/accounts/passkeys/register/options", "origin");
  crash("POST", "/api/accounts/passkeys/register/verify", "response");
  crash("PATCH", "/api/accounts/passkeys/1", "name");
  crash("POST", "/api/auth/passkey/options", "username");
  crash("POST", "/api/auth/passkey/verify", "response");
  httplib::Request q;
  q.method = "PATCH";
  q.path = "/api/accounts/passkeys/abc";
  q.headers = f.headers(f.alice);
  auto r = f.cli.send(q);  // Joi lets the undefined body through; the id is checked first
  CHECK(r->status == 400);
  CHECK(body(r)["code"] == 309);

  // None of those touched the challenge.
  r = verify({{"origin", f.origin}, {"name", std::string(50, 'x')}, {"response", resp}});
  CHECK(body(r)["verified"] == true);
  CHECK(f.rows()[0].name == std::string(50, 'x'));
}

TEST_CASE("passkeys: registration rejections (301, 302, 303)") {
  Px f;
  const std::string port_origin = f.origin;
  struct Case {
    const char* what;
    RegTweak tweak;
    int code;
    std::string message;
  };
  Authenticator a;
  const Key p384 = Key::generate("P-384");
  const std::vector<Case> cases = {
      {"rpIdHash of another host", [](Reg& g) { g.rp_id = "localhost"; }, 303,
       "Unexpected RP ID hash"},
      {"no UV (0x41)", [](Reg& g) { g.flags = 0x41; }, 303,
       "User verification was required, but user could not be verified"},
      {"no UP (0x44)", [](Reg& g) { g.flags = 0x44; }, 303,
       "User presence was required, but user was not present"},
      {"no AT (0x05)", [](Reg& g) { g.flags = 0x05; }, 303,
       "No credential ID was provided by authenticator"},
      {"BS without BE (0x55)", [](Reg& g) { g.flags = 0x55; }, 303,
       "Single-device credential indicated that it was backed up, which should be impossible."},
      {"ES384", [&](Reg& g) { g.cose = p384.cose(-35, 2); }, 303,
       "Unexpected public key alg \"-35\", expected one of \"-8, -7, -257\""},
      {"alg -7 on a P-384 key", [&](Reg& g) { g.cose = p384.cose(-7, 2); }, 303,
       "Unexpected COSE crv value of 2 (EC2)"},
      {"attStmt not empty for none", [](Reg& g) { g.att_stmt = cmap(1) + ctext("x") + cint(1); },
       303, "None attestation had unexpected attestation statement"},
      {"unknown fmt", [](Reg& g) { g.fmt = "foo"; }, 303, "Unsupported Attestation Format: foo"},
      {"packed self attestation, bad signature",
       [&](Reg& g) {
         g.fmt = "packed";
         g.packed_signer = &a.key;
         g.packed_bad = true;
       },
       302, "Registration verification failed"},
      {"packed signed by another key",
       [&](Reg& g) {
         static const Key other = Key::generate();
         g.fmt = "packed";
         g.packed_signer = &other;
       },
       302, "Registration verification failed"},
      {"type webauthn.get",
       [&](Reg& g) {
         json cd = json::parse(g.client_data);
         g.client_data = client_data("webauthn.get", cd["challenge"], port_origin);
       },
       303, "Unexpected registration response type: webauthn.get"},
      {"origin with a trailing slash",
       [&](Reg& g) {
         json cd = json::parse(g.client_data);
         g.client_data = client_data("webauthn.create", cd["challenge"], port_origin + "/");
       },
       303,
       "Unexpected registration response origin \"" + port_origin + "/\", expected \"" +
           port_origin + "\""},
      {"id != rawId", [](Reg& g) { g.raw_id = "AAAA"; }, 303,
       "Credential ID was not base64url-encoded"},
      {"id of another credential", [](Reg& g) { g.id = b64u("other"); }, 303,
       "Credential ID does not match the one in the authenticator data"},
      {"type not public-key", [](Reg& g) { g.type = "password"; }, 303,
       "Unexpected credential type password, expected \"public-key\""},
      {"leftover bytes", [](Reg& g) { g.auth_tail = "\x01"; }, 303,
       "Leftover bytes detected while parsing authenticator data"},
      {"COSE key not in shortest form",
       [&](Reg& g) {
         g.cose = std::string("\xb8\x05", 2) + a.key.cose().substr(1);  // map(5) with 1 more byte
       },
       303, "Leftover bytes detected while parsing authenticator data"},
      {"short authenticator data", [](Reg& g) { g.auth_data = std::string(36, '\0'); }, 303,
       "Authenticator data was 36 bytes, expected at least 37 bytes"},
  };
  for (const Case& c : cases) {
    CAPTURE(std::string(c.what));
    auto r = f.enroll(f.alice, a, c.tweak);
    check_code(r, c.code, c.message);
  }
  CHECK(f.rows().empty());

  // Every failed verify burnt its challenge: the same, now correct, answer gets 301.
  std::string challenge = f.register_options(f.alice)["challenge"];
  Reg g = f.reg_parts(a, challenge);
  g.flags = 0x41;
  check_code(f.register_verify(f.alice, g.build()), 303);
  g.flags = 0x45;
  check_code(f.register_verify(f.alice, g.build()), 301, "No registration challenge found");
  // A challenge nobody issued, one issued for a login, one issued to another account.
  check_code(f.register_verify(f.alice, f.reg_parts(a, b64u(random_bytes(32))).build()), 301);
  std::string login_challenge = body(f.login_options())["challenge"];
  check_code(f.register_verify(f.alice, f.reg_parts(a, login_challenge).build()), 301);
  std::string bob = f.broker.nexterm_session("bob", kUa);
  std::string bobs = f.register_options(bob)["challenge"];
  check_code(f.register_verify(f.alice, f.reg_parts(a, bobs).build()), 301);
  check_code(f.register_verify(bob, f.reg_parts(a, bobs).build()), 301);  // burnt by alice's try
  // The request origin must be the one of clientDataJSON, byte for byte.
  g = f.reg_parts(a, f.register_options(f.alice)["challenge"]);
  check_code(f.register_verify(f.alice, g.build(), std::nullopt, f.origin + "/"), 303,
             "Unexpected registration response origin \"" + f.origin + "\", expected \"" +
                 f.origin + "/\"");
  CHECK(f.rows().empty());

  // What is accepted: packed self attestation, BE|BS (0x5d), any AAGUID, signCount > 0.
  f.enroll_ok(f.alice, a);
  Authenticator b, c;
  auto r = f.enroll(f.alice, b, [&](Reg& g2) {
    g2.fmt = "packed";
    g2.packed_signer = &b.key;
  });
  CHECK(body(r)["verified"] == true);
  r = f.enroll(f.alice, c, [](Reg& g2) {
    g2.flags = 0x5d;
    g2.aaguid = "0123456789abcdef";
    g2.count = 3;
  });
  CHECK(body(r)["verified"] == true);
  CHECK(f.rows().size() == 3);
}

TEST_CASE("passkeys: login with and without a username; TOTP is not asked") {
  Px f;
  // bob has TOTP on: he registers with a session made for him, logs in with a passkey only.
  std::string bob = f.broker.nexterm_session("bob", "web");
  Authenticator a;
  f.enroll_ok(bob, a);

  auto r = f.login_options();
  REQUIRE(r->status == 200);
  json o = body(r);
  CHECK(o["rpId"] == "127.0.0.1");
  CHECK(o["challenge"].get<std::string>().size() == 43);
  CHECK(o["timeout"] == 60000);
  CHECK(o["userVerification"] == "preferred");
  CHECK(!o.contains("allowCredentials"));
  CHECK(!r->get_header_value("RateLimit-Remaining").empty());

  r = f.login_options("bob");
  o = body(r);
  CHECK(o["allowCredentials"] == json::array({{{"id", a.id()}, {"type", "public-key"}}}));

  // Without a username.
  r = f.login(a);
  REQUIRE(r->status == 200);
  json j = body(r);
  REQUIRE(is_hex(j["token"], 96));
  CHECK(j["message"].is_string());
  CHECK(r->get_header_value("Authorization") == j["token"]);
  auto me = f.get("/api/accounts/me", j["token"]);
  CHECK(body(me)["username"] == "bob");
  CHECK(body(me)["totpEnabled"] == 1);
  bool found = false;
  for (const auto& s : f.broker.nexterm_sessions("bob")) {
    if (s.token == j["token"]) {
      found = true;
      CHECK(s.user_agent == kUa);
      CHECK(s.ip == "127.0.0.1");
    }
  }
  CHECK(found);
  // The session is a normal one: it lists, and logs out.
  CHECK(f.get("/api/sessions/list", j["token"])->status == 200);
  CHECK(f.post("/api/auth/logout", {{"token", j["token"]}})->status == 200);

  // With a username, and with userHandle (ignored, even a wrong one).
  CHECK(is_hex(f.login_ok(a, {}, "bob"), 96));
  CHECK(is_hex(f.login_ok(a, [](Assertion& s) { s.user_handle = "MQ"; }), 96));
  // The username is only a hint: alice's options, bob's credential.
  f.enroll_ok(f.alice, Authenticator{});
  CHECK(is_hex(f.login_ok(a, {}, "alice"), 96));

  // Options: unknown user 201, no passkeys 304, Joi.
  f.broker.add_nexterm_account("carol", "C4rolPass");
  check_code(f.login_options("nobody"), 201, "Account not found");
  check_code(f.login_options("carol"), 304, "No passkeys registered");
  check_message(f.login_options("x"), 400, "username length must be at least 3 characters long");
  check_message(f.post("/api/auth/passkey/options", json::object()), 400, "origin is required");
  check_message(f.post("/api/auth/passkey/options", {{"origin", "nope"}}), 400,
                "origin must be a valid uri");
  check_message(f.post("/api/auth/passkey/options", {{"origin", f.origin}, {"x", 1}}), 400,
                "x is not allowed");
  check_message(f.post("/api/auth/passkey/verify", {{"origin", f.origin}}), 400,
                "response is required");
}

TEST_CASE("passkeys: challenges are single use, burnt by failures, live 5 minutes") {
  Px f;
  Authenticator a, stranger;
  f.enroll_ok(f.alice, a);

  // 305 (unknown credential) does not consume the challenge.
  std::string challenge = body(f.login_options())["challenge"];
  Assertion s = f.assertion_parts(stranger, challenge);
  check_code(f.login_verify(s.build()), 305, "Passkey not found");
  s = f.assertion_parts(a, challenge);
  CHECK(f.login_verify(s.build())->status == 200);
  // Used once: a replay is 301.
  check_code(f.login_verify(s.build()), 301, "No authentication challenge found");

  // A failed verify (307 here) burns it.
  challenge = body(f.login_options())["challenge"];
  s = f.assertion_parts(a, challenge);
  s.flags = 0x01;
  check_code(f.login_verify(s.build()), 307);
  s.flags = 0x05;
  check_code(f.login_verify(s.build()), 301);
  // A 306 too.
  challenge = body(f.login_options())["challenge"];
  s = f.assertion_parts(a, challenge);
  s.sign_other_data = true;
  check_code(f.login_verify(s.build()), 306, "Authentication verification failed");
  s.sign_other_data = false;
  check_code(f.login_verify(s.build()), 301);
  // A registration challenge is no login challenge (and is burnt by trying).
  challenge = f.register_options(f.alice)["challenge"];
  check_code(f.login_verify(f.assertion_parts(a, challenge).build()), 301);
  check_code(f.register_verify(f.alice, f.reg_parts(stranger, challenge).build()), 301);
  // A challenge never issued.
  check_code(f.login_verify(f.assertion_parts(a, b64u(random_bytes(32))).build()), 301);

  // Five minutes on the broker clock (the options' timeout says 60 s; it is not enforced).
  challenge = body(f.login_options())["challenge"];
  f.broker.advance_clock(290);
  CHECK(f.login_verify(f.assertion_parts(a, challenge).build())->status == 200);
  challenge = body(f.login_options())["challenge"];
  f.broker.advance_clock(301);
  check_code(f.login_verify(f.assertion_parts(a, challenge).build()), 301);
  challenge = f.register_options(f.alice)["challenge"];
  f.broker.advance_clock(301);
  Authenticator late;
  check_code(f.register_verify(f.alice, f.reg_parts(late, challenge).build()), 301);
  challenge = f.register_options(f.alice)["challenge"];
  f.broker.advance_clock(240);
  CHECK(body(f.register_verify(f.alice, f.reg_parts(late, challenge).build()))["verified"] == true);
}

TEST_CASE("passkeys: login rejections (306, 307) and the origin") {
  Px f;
  Authenticator a;
  f.enroll_ok(f.alice, a);
  const std::string o = f.origin;
  const Key other = Key::generate();
  struct Case {
    const char* what;
    AssertTweak tweak;
    int code;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"origin with a trailing slash",
       [&](Assertion& s) {
         json cd = json::parse(s.client_data);
         s.client_data = client_data("webauthn.get", cd["challenge"], o + "/");
       },
       307, "Unexpected authentication response origin \"" + o + "/\", expected \"" + o + "\""},
      {"origin with another host",
       [&](Assertion& s) {
         json cd = json::parse(s.client_data);
         s.client_data = client_data("webauthn.get", cd["challenge"], "http://localhost:6989");
       },
       307, ""},
      {"type webauthn.create",
       [&](Assertion& s) {
         json cd = json::parse(s.client_data);
         s.client_data = client_data("webauthn.create", cd["challenge"], o);
       },
       307, "Unexpected authentication response type: webauthn.create"},
      {"rpIdHash of another host", [](Assertion& s) { s.rp_id = "localhost"; }, 307,
       "Unexpected RP ID hash"},
      {"flags 0x01 (no UV)", [](Assertion& s) { s.flags = 0x01; }, 307,
       "User verification required, but user could not be verified"},
      {"flags 0x04 (no UP)", [](Assertion& s) { s.flags = 0x04; }, 307,
       "User not present during authentication"},
      {"AT set in 37 bytes", [](Assertion& s) { s.flags = 0x45; }, 307, ""},
      {"38 bytes", [](Assertion& s) { s.auth_tail = std::string(1, '\0'); }, 307,
       "Leftover bytes detected while parsing authenticator data"},
      {"BS without BE", [](Assertion& s) { s.flags = 0x15; }, 307,
       "Single-device credential indicated that it was backed up, which should be impossible."},
      {"raw r|s signature (not DER)", [](Assertion& s) { s.raw_signature = true; }, 307, ""},
      {"id != rawId", [](Assertion& s) { s.raw_id = "AAAA"; }, 307,
       "Credential ID was not base64url-encoded"},
      {"signature over other data", [](Assertion& s) { s.sign_other_data = true; }, 306,
       "Authentication verification failed"},
      {"signed by another key", [&](Assertion& s) { s.signer = &other; }, 306,
       "Authentication verification failed"},
  };
  for (const Case& c : cases) {
    CAPTURE(std::string(c.what));
    check_code(f.login(a, c.tweak), c.code, c.message);
  }

  // The request origin: clientDataJSON must carry it byte for byte, and rpID is its host.
  auto r = f.login_options();
  Assertion s = f.assertion_parts(a, body(r)["challenge"]);
  check_code(f.login_verify(s.build(), o + "/"), 307,
             "Unexpected authentication response origin \"" + o + "\", expected \"" + o + "/\"");
  const std::string local = "http://localhost:" + std::to_string(f.broker.port());
  r = f.post("/api/auth/passkey/options", {{"origin", local}});
  CHECK(body(r)["rpId"] == "localhost");
  s = f.assertion_parts(a, body(r)["challenge"]);
  s.client_data = client_data("webauthn.get", body(r)["challenge"], local);
  check_code(f.login_verify(s.build(), local), 307, "Unexpected RP ID hash");
  r = f.post("/api/auth/passkey/options", {{"origin", local}});
  s = f.assertion_parts(a, body(r)["challenge"]);
  s.client_data = client_data("webauthn.get", body(r)["challenge"], local);
  s.rp_id = "localhost";  // the server does not bind a credential to an rpID
  CHECK(f.login_verify(s.build(), local)->status == 200);

  // A malformed response: no id (307), no response.response (307), a non-object (Joi).
  json bad = f.assertion_parts(a, "x").build();
  bad.erase("id");
  check_code(f.login_verify(bad), 307);
  bad = f.assertion_parts(a, "x").build();
  bad.erase("response");
  check_code(f.login_verify(bad), 307,
             "Cannot read properties of undefined (reading 'clientDataJSON')");
  r = f.login_options();
  bad = f.assertion_parts(a, body(r)["challenge"]).build();
  bad["response"]["userHandle"] = 5;
  check_code(f.login_verify(bad), 307, "Credential response userHandle was not a string");
  check_message(f.post("/api/auth/passkey/verify", {{"origin", o}, {"response", "x"}}), 400,
                "response must be of type object");
}

TEST_CASE("passkeys: the signCount rule") {
  Px f;
  Authenticator a;
  f.enroll_ok(f.alice, a);
  const int row = f.rows()[0].id;
  auto with_count = [](uint32_t n) { return [n](Assertion& s) { s.count = n; }; };

  // 0 always works while the stored value is 0.
  f.login_ok(a, with_count(0));
  f.login_ok(a, with_count(0));
  CHECK(f.rows()[0].sign_count == 0);
  // A counter is stored, then must grow.
  f.login_ok(a, with_count(5));
  CHECK(f.rows()[0].sign_count == 5);
  check_code(f.login(a, with_count(5)), 307, "Response counter value 5 was lower than expected 5");
  check_code(f.login(a, with_count(0)), 307, "Response counter value 0 was lower than expected 5");
  f.login_ok(a, with_count(6));
  CHECK(f.rows()[0].sign_count == 6);
  // The hook sets the stored value.
  CHECK(f.broker.nexterm_set_passkey_sign_count(row, 100));
  check_code(f.login(a, with_count(99)), 307);
  f.login_ok(a, with_count(101));
  CHECK(f.broker.nexterm_set_passkey_sign_count(row, 0));
  f.login_ok(a, with_count(0));
  CHECK(!f.broker.nexterm_set_passkey_sign_count(999, 1));
  // The counter rule comes before the signature: a bad signature with a bad counter is 307.
  f.login_ok(a, with_count(10));
  check_code(f.login(a,
                     [](Assertion& s) {
                       s.count = 3;
                       s.sign_other_data = true;
                     }),
             307);
}

TEST_CASE("passkeys: the auth limiter is shared with password login") {
  Px f;
  f.reset_limiter = false;
  Authenticator a;
  f.enroll_ok(f.alice, a);
  // 20 per 15 minutes per IP: 8 password logins, 6 passkey logins (2 each) = 20.
  for (int i = 0; i < 8; ++i) {
    auto r = f.post("/api/auth/login", {{"username", "alice"}, {"password", "Passw0rd!"}});
    REQUIRE(r->status == 200);
    CHECK(r->get_header_value("RateLimit-Remaining") == std::to_string(19 - i));
  }
  for (int i = 0; i < 6; ++i) f.login_ok(a);
  // Authenticated passkey routes are not limited.
  CHECK(f.get("/api/accounts/passkeys", f.alice)->status == 200);
  CHECK(f.register_options(f.alice).contains("challenge"));
  // The 21st request, whatever route, is 429.
  for (const char* path :
       {"/api/auth/passkey/options", "/api/auth/passkey/verify", "/api/auth/login"}) {
    CAPTURE(path);
    auto r = f.post(path, {{"origin", f.origin}});
    REQUIRE(r);
    CHECK(r->status == 429);
    CHECK(body(r) ==
          json{{"code", 429}, {"message", "Too many requests, please try again later."}});
    CHECK(!r->get_header_value("Retry-After").empty());
    CHECK(r->get_header_value("RateLimit-Remaining") == "0");
  }
  // Invalid requests count too; a reset clears the counter.
  f.broker.reset_rate_limits();
  for (int i = 0; i < 20; ++i)
    CHECK(f.post("/api/auth/passkey/options", json::object())->status == 400);
  CHECK(f.login_options()->status == 429);
  f.broker.reset_rate_limits();
  CHECK(is_hex(f.login_ok(a), 96));
}

TEST_CASE("passkeys: /_test/ controls") {
  Px f;
  Authenticator a;
  f.enroll_ok(f.alice, a, "k1");
  f.login_ok(a, [](Assertion& s) { s.count = 4; });
  httplib::Client& c = f.cli;
  auto r = c.Get("/_test/nexterm/passkeys?user=alice");
  REQUIRE(r->status == 200);
  json list = json::parse(r->body);
  REQUIRE(list.size() == 1);
  CHECK(list[0]["id"] == 1);
  CHECK(list[0]["name"] == "k1");
  CHECK(list[0]["credentialId"] == a.id());
  CHECK(list[0]["signCount"] == 4);
  CHECK(list[0]["createdAt"].is_number_integer());
  r = c.Post("/_test/nexterm/passkeys/sign-count", R"({"id":1,"signCount":9})", "application/json");
  CHECK(json::parse(r->body) == json{{"updated", true}});
  CHECK(f.rows()[0].sign_count == 9);
  r = c.Post("/_test/nexterm/passkeys/sign-count", R"({"id":7,"signCount":9})", "application/json");
  CHECK(json::parse(r->body) == json{{"updated", false}});
  r = c.Post("/_test/nexterm/passkeys/sign-count", R"({"id":1,"signCount":-1})",
             "application/json");
  CHECK(r->status == 400);
  r = c.Get("/_test/nexterm/passkeys?user=bob");
  CHECK(json::parse(r->body) == json::array());
  r = c.Get("/_test/nexterm/passkeys?user=nobody");
  CHECK(r->status == 400);
}
