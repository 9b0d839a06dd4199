// Shared by token_attribute_rules_*_test.cpp: templates of every class, a
// certificate made by OpenSSL, and small builders for attribute maps. The
// OpenSSL library context is started by the Env that
// token_attribute_rules_create_test.cpp registers once for the binary.
#pragma once

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/library_context.h"
#include "rv_of.h"
#include "token/attribute_rules.h"

namespace ecert::token {

// NSS's vendor attribute for private keys (CKA_NETSCAPE_DB / CKA_NSS_DB).
constexpr CK_ATTRIBUTE_TYPE kNssDb = 0xD5A0DB00UL;

// ---- Helpers ----

class Env : public ::testing::Environment {
 public:
  void SetUp() override { crypto::start_library_context(); }
  void TearDown() override { crypto::stop_library_context(); }
};

inline SecureBytes B(bool v) { return SecureBytes{static_cast<CK_BBOOL>(v ? CK_TRUE : CK_FALSE)}; }
inline SecureBytes U(CK_ULONG v) {
  AttributeMap m;
  m.set_ulong(0, v);
  return m.at(0);
}
inline SecureBytes S(std::string_view s) { return secure_copy(view(s)); }
inline SecureBytes R(std::size_t n, std::uint8_t fill) { return SecureBytes(n, fill); }
inline const SecureBytes kEmpty;

// A template or object, written as a list of (type, value).
struct Attr {
  CK_ATTRIBUTE_TYPE type;
  SecureBytes value;
};
inline AttributeMap make(std::initializer_list<Attr> attrs) {
  AttributeMap m;
  for (const Attr& a : attrs) m.set(a.type, a.value);
  return m;
}
inline AttributeMap with(AttributeMap m, CK_ATTRIBUTE_TYPE t, SecureBytes v) {
  m.set(t, std::move(v));
  return m;
}
inline AttributeMap without(AttributeMap m, CK_ATTRIBUTE_TYPE t) {
  m.erase(t);
  return m;
}

using ecert::test::rv_of;
inline CK_RV create_rv(const AttributeMap& tmpl) {
  return rv_of([&] { complete_new_object(tmpl, Origin::create); });
}

// Dummy key material: the rules never decode keys.
inline const SecureBytes kModulus = [] {
  SecureBytes m(256, 0x5a);
  m[0] = 0xc3;  // top bit set: 2048 bits
  return m;
}();
inline const SecureBytes kExponent{0x01, 0x00, 0x01};
inline const SecureBytes kP256Params{0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
inline const SecureBytes kEcPoint = [] {
  SecureBytes p{0x04, 0x41, 0x04};
  p.resize(67, 0x11);
  return p;
}();

inline AttributeMap data_tmpl() { return make({{CKA_CLASS, U(CKO_DATA)}}); }
inline AttributeMap rsa_public_tmpl() {
  return make({{CKA_CLASS, U(CKO_PUBLIC_KEY)},
               {CKA_KEY_TYPE, U(CKK_RSA)},
               {CKA_MODULUS, kModulus},
               {CKA_PUBLIC_EXPONENT, kExponent}});
}
inline AttributeMap ec_public_tmpl() {
  return make({{CKA_CLASS, U(CKO_PUBLIC_KEY)},
               {CKA_KEY_TYPE, U(CKK_EC)},
               {CKA_EC_PARAMS, kP256Params},
               {CKA_EC_POINT, kEcPoint}});
}
inline AttributeMap rsa_private_tmpl() {
  return make({{CKA_CLASS, U(CKO_PRIVATE_KEY)},
               {CKA_KEY_TYPE, U(CKK_RSA)},
               {CKA_MODULUS, kModulus},
               {CKA_PUBLIC_EXPONENT, kExponent},
               {CKA_PRIVATE_EXPONENT, R(256, 0x33)}});
}
inline AttributeMap ec_private_tmpl() {
  return make({{CKA_CLASS, U(CKO_PRIVATE_KEY)},
               {CKA_KEY_TYPE, U(CKK_EC)},
               {CKA_EC_PARAMS, kP256Params},
               {CKA_VALUE, R(32, 0x44)}});
}
inline AttributeMap secret_tmpl(CK_KEY_TYPE type, std::size_t len) {
  return make({{CKA_CLASS, U(CKO_SECRET_KEY)}, {CKA_KEY_TYPE, U(type)}, {CKA_VALUE, R(len, 0)}});
}

// A real certificate made with OpenSSL, and the DER of its parts.
struct TestCert {
  Bytes der, subject, issuer, serial, spki;
};
template <class T, class I2d>
inline Bytes der_of(const T* object, I2d i2d) {
  unsigned char* p = nullptr;
  int len = i2d(object, &p);
  Bytes out(p, p + (len > 0 ? len : 0));
  OPENSSL_free(p);
  return out;
}
inline const TestCert& test_cert() {
  static const TestCert cert = [] {
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"),
                                                            EVP_PKEY_free);
    std::unique_ptr<X509, decltype(&X509_free)> x(X509_new(), X509_free);
    auto name = [](const char* cn) {
      X509_NAME* n = X509_NAME_new();
      X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn), -1, -1, 0);
      return n;
    };
    X509_NAME* subject = name("ecert test subject");
    X509_NAME* issuer = name("ecert test issuer");
    bool ok = key && x && X509_set_version(x.get(), X509_VERSION_3) == 1 &&
              ASN1_INTEGER_set(X509_get_serialNumber(x.get()), 0x12345678) == 1 &&
              X509_set_subject_name(x.get(), subject) == 1 && X509_set_issuer_name(x.get(), issuer) == 1 &&
              X509_gmtime_adj(X509_getm_notBefore(x.get()), 0) != nullptr &&
              X509_gmtime_adj(X509_getm_notAfter(x.get()), 86400) != nullptr &&
              X509_set_pubkey(x.get(), key.get()) == 1 && X509_sign(x.get(), key.get(), EVP_sha256()) > 0;
    X509_NAME_free(subject);
    X509_NAME_free(issuer);
    if (!ok) throw std::runtime_error("cannot make the test certificate");
    TestCert c;
    c.der = der_of(x.get(), i2d_X509);
    c.subject = der_of(X509_get_subject_name(x.get()), i2d_X509_NAME);
    c.issuer = der_of(X509_get_issuer_name(x.get()), i2d_X509_NAME);
    c.serial = der_of(X509_get0_serialNumber(x.get()), i2d_ASN1_INTEGER);
    c.spki = der_of(X509_get_X509_PUBKEY(x.get()), i2d_X509_PUBKEY);
    return c;
  }();
  return cert;
}
inline AttributeMap cert_tmpl() {
  return make({{CKA_CLASS, U(CKO_CERTIFICATE)},
               {CKA_CERTIFICATE_TYPE, U(CKC_X_509)},
               {CKA_VALUE, secure_copy(view(test_cert().der))}});
}

inline SecureBytes sha1_prefix(ByteView data) {
  unsigned char md[SHA_DIGEST_LENGTH];
  SHA1(data.data(), data.size(), md);
  return SecureBytes(md, md + 3);
}

// Expects `object` to hold exactly these values for these types.
inline void expect_values(const AttributeMap& object, const std::vector<Attr>& expected) {
  for (const Attr& a : expected) {
    SCOPED_TRACE(::testing::Message() << "attribute 0x" << std::hex << a.type);
    const SecureBytes* got = object.find(a.type);
    ASSERT_NE(got, nullptr);
    EXPECT_EQ(*got, a.value);
  }
}

}  // namespace ecert::token
