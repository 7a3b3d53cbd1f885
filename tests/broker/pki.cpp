// Test PKI for the broker: a CA and a server certificate signed by it, or a self-signed
// server certificate that nothing trusts. P-256 keys (fast to make), SHA-256 signatures,
// validity one day either side of now (real time, not the broker clock).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

#include "broker.hpp"

namespace testbroker {

namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using Cert = std::unique_ptr<X509, X509Free>;

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error("test PKI: " + what);
}

Pkey make_key() {
  Pkey key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) fail("EVP_PKEY_Q_keygen failed");
  return key;
}

void add_ext(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (!ext) fail(std::string("bad extension ") + value);
  int ok = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  if (!ok) fail("X509_add_ext failed");
}

// A certificate for `key` with subject CN=`cn`, issued by `issuer` (nullptr: self-signed),
// signed with `issuer_key`.
Cert make_cert(EVP_PKEY* key, const std::string& cn, X509* issuer, EVP_PKEY* issuer_key, bool ca) {
  Cert cert(X509_new());
  if (!cert) fail("X509_new failed");
  X509* x = cert.get();
  X509_set_version(x, 2);  // v3

  // A random positive 128-bit serial: two test runs never reuse one.
  std::unique_ptr<BIGNUM, decltype(&BN_free)> serial(BN_new(), BN_free);
  if (!serial || !BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) ||
      !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(x))) {
    fail("serial number");
  }
  X509_gmtime_adj(X509_getm_notBefore(x), -24L * 3600);
  X509_gmtime_adj(X509_getm_notAfter(x), 24L * 3600);

  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("authctl tests"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
  X509_set_pubkey(x, key);

  X509* issuer_cert = issuer ? issuer : x;
  add_ext(x, issuer_cert, NID_subject_key_identifier, "hash");
  if (issuer) add_ext(x, issuer_cert, NID_authority_key_identifier, "keyid:always");
  if (ca) {
    add_ext(x, issuer_cert, NID_basic_constraints, "critical,CA:TRUE");
    add_ext(x, issuer_cert, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_ext(x, issuer_cert, NID_basic_constraints, "critical,CA:FALSE");
    add_ext(x, issuer_cert, NID_key_usage, "critical,digitalSignature,keyEncipherment");
    add_ext(x, issuer_cert, NID_ext_key_usage, "serverAuth");
    add_ext(x, issuer_cert, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1");
  }
  if (!X509_sign(x, issuer_key, EVP_sha256())) fail("X509_sign failed");
  return cert;
}

// Opens `path` for writing with `mode`, and forces that mode if the file already existed.
FILE* open_for_write(const std::string& path, mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) fail("cannot write " + path);
  if (::fchmod(fd, mode) != 0) {
    ::close(fd);
    fail("cannot chmod " + path);
  }
  FILE* f = ::fdopen(fd, "w");
  if (!f) {
    ::close(fd);
    fail("fdopen failed for " + path);
  }
  return f;
}

void write_cert(const std::string& path, X509* cert) {
  FILE* f = open_for_write(path, 0644);
  int ok = PEM_write_X509(f, cert);
  if (std::fclose(f) != 0 || !ok) fail("cannot write " + path);
}

void write_key(const std::string& path, EVP_PKEY* key) {
  FILE* f = open_for_write(path, 0600);
  int ok = PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
  if (std::fclose(f) != 0 || !ok) fail("cannot write " + path);
}

void make_dir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec || !std::filesystem::is_directory(dir)) fail("cannot create directory " + dir);
}

}  // namespace

TlsFiles make_test_pki(const std::string& dir) {
  make_dir(dir);
  Pkey ca_key = make_key();
  Cert ca = make_cert(ca_key.get(), "authctl test CA", nullptr, ca_key.get(), true);
  Pkey server_key = make_key();
  Cert server = make_cert(server_key.get(), "localhost", ca.get(), ca_key.get(), false);

  TlsFiles files{dir + "/ca.pem", dir + "/server.pem", dir + "/server-key.pem"};
  write_cert(files.ca_cert, ca.get());
  write_key(dir + "/ca-key.pem", ca_key.get());
  write_cert(files.server_cert, server.get());
  write_key(files.server_key, server_key.get());
  return files;
}

TlsFiles make_untrusted_pki(const std::string& dir) {
  make_dir(dir);
  Pkey key = make_key();
  Cert cert = make_cert(key.get(), "localhost", nullptr, key.get(), false);
  TlsFiles files{"", dir + "/untrusted-server.pem", dir + "/untrusted-server-key.pem"};
  write_cert(files.server_cert, cert.get());
  write_key(files.server_key, key.get());
  return files;
}

}  // namespace testbroker
