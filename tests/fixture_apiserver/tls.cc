#include "tls.h"

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <filesystem>
#include <memory>

namespace kspm_fixture {
namespace {

struct KeyFree { void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); } };
struct CertFree { void operator()(X509* cert) const { X509_free(cert); } };
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;
using Cert = std::unique_ptr<X509, CertFree>;

Key newKey() { return Key(EVP_EC_gen("P-256")); }

bool addExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (extension == nullptr) return false;
  const bool added = X509_add_ext(cert, extension, -1) == 1;
  X509_EXTENSION_free(extension);
  return added;
}

struct CertSpec {
  std::string commonName;
  std::string organization;
  bool isCa = false;
  std::string extendedKeyUsage;  // "serverAuth", "clientAuth" or empty
  std::string subjectAltNames;   // X509v3 config syntax, or empty
};

// Signs `key`'s certificate with `issuerKey`; a null issuer makes it self-signed.
Cert makeCert(const CertSpec& spec, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuerKey) {
  Cert cert(X509_new());
  if (!cert) return nullptr;
  X509_set_version(cert.get(), 2);
  unsigned char serial[16];
  RAND_bytes(serial, sizeof serial);
  serial[0] &= 0x7f;
  BIGNUM* serialNumber = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(serialNumber, X509_get_serialNumber(cert.get()));
  BN_free(serialNumber);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 10L * 365 * 24 * 3600);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  if (!spec.organization.empty())
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(spec.organization.c_str()), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(spec.commonName.c_str()), -1, -1, 0);
  X509* issuerCert = issuer != nullptr ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(issuerCert));
  bool ok = true;
  if (spec.isCa) {
    ok = ok && addExtension(cert.get(), issuerCert, NID_basic_constraints, "critical,CA:TRUE");
    ok = ok && addExtension(cert.get(), issuerCert, NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature");
  } else {
    ok = ok && addExtension(cert.get(), issuerCert, NID_basic_constraints, "critical,CA:FALSE");
    ok = ok && addExtension(cert.get(), issuerCert, NID_key_usage, "critical,digitalSignature,keyEncipherment");
    ok = ok && addExtension(cert.get(), issuerCert, NID_ext_key_usage, spec.extendedKeyUsage.c_str());
    ok = ok && addExtension(cert.get(), issuerCert, NID_authority_key_identifier, "keyid:always");
  }
  ok = ok && addExtension(cert.get(), issuerCert, NID_subject_key_identifier, "hash");
  if (!spec.subjectAltNames.empty())
    ok = ok && addExtension(cert.get(), issuerCert, NID_subject_alt_name, spec.subjectAltNames.c_str());
  if (!ok) return nullptr;
  if (X509_sign(cert.get(), issuerKey != nullptr ? issuerKey : key, EVP_sha256()) == 0) return nullptr;
  return cert;
}

bool writePem(const std::filesystem::path& path, X509* cert, EVP_PKEY* key) {
  FILE* file = std::fopen(path.c_str(), "w");
  if (file == nullptr) return false;
  const bool ok = cert != nullptr ? PEM_write_X509(file, cert) == 1
                                  : PEM_write_PrivateKey(file, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
  return std::fclose(file) == 0 && ok;
}

bool writePair(const std::filesystem::path& dir, const std::string& stem, X509* cert, EVP_PKEY* key) {
  std::error_code ignored;
  std::filesystem::remove(dir / (stem + ".key"), ignored);
  if (!writePem(dir / (stem + ".key"), nullptr, key)) return false;
  std::filesystem::permissions(dir / (stem + ".key"), std::filesystem::perms::owner_read |
                                                          std::filesystem::perms::owner_write, ignored);
  return writePem(dir / (stem + ".crt"), cert, nullptr);
}

}  // namespace

std::string writeCertificates(const std::string& dirName) {
  const std::filesystem::path dir(dirName);
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) return "cannot create " + dirName + ": " + error.message();

  Key caKey;
  Cert caCert;
  if (std::filesystem::exists(dir / "ca.crt") && std::filesystem::exists(dir / "ca.key")) {
    FILE* certFile = std::fopen((dir / "ca.crt").c_str(), "r");
    FILE* keyFile = std::fopen((dir / "ca.key").c_str(), "r");
    if (certFile != nullptr) caCert.reset(PEM_read_X509(certFile, nullptr, nullptr, nullptr));
    if (keyFile != nullptr) caKey.reset(PEM_read_PrivateKey(keyFile, nullptr, nullptr, nullptr));
    if (certFile != nullptr) std::fclose(certFile);
    if (keyFile != nullptr) std::fclose(keyFile);
    if (!caCert || !caKey) return "cannot read the existing CA in " + dirName;
  } else {
    caKey = newKey();
    if (!caKey) return "cannot generate the CA key";
    caCert = makeCert({"kspm-fixture-ca", "", true, "", ""}, caKey.get(), nullptr, nullptr);
    if (!caCert || !writePair(dir, "ca", caCert.get(), caKey.get())) return "cannot write the CA";
  }

  Key serverKey = newKey();
  Cert serverCert = serverKey ? makeCert({"kube-apiserver", "", false, "serverAuth",
                                          "IP:127.0.0.1,IP:::1,DNS:localhost,DNS:kubernetes.default.svc"},
                                         serverKey.get(), caCert.get(), caKey.get())
                              : nullptr;
  if (!serverCert || !writePair(dir, "server", serverCert.get(), serverKey.get()))
    return "cannot write the server certificate";

  Key clientKey = newKey();
  Cert clientCert = clientKey ? makeCert({"cert-user", "cert-group", false, "clientAuth", ""}, clientKey.get(),
                                         caCert.get(), caKey.get())
                              : nullptr;
  if (!clientCert || !writePair(dir, "client", clientCert.get(), clientKey.get()))
    return "cannot write the client certificate";
  return "";
}

}  // namespace kspm_fixture
