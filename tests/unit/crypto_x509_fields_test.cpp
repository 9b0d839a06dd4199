// parse_certificate on certificates made here with OpenSSL's X509 API, and on
// everything that is not exactly one DER certificate.
#include <openssl/x509.h>

#include "crypto/x509_fields.h"
#include "crypto_test_support.h"

namespace ecert::crypto::test {
namespace {

using NamePtr = OsslPtr<X509_NAME, X509_NAME_free>;

NamePtr name(const char* cn) {
  NamePtr n(X509_NAME_new());
  X509_NAME_add_entry_by_txt(n.get(), "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("ecert"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(n.get(), "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn), -1, -1, 0);
  return n;
}

template <class T, class F>
Bytes der_of(const T* obj, F i2d) {
  unsigned char* der = nullptr;
  int len = i2d(obj, &der);
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

struct Cert {
  Bytes der, subject, issuer, spki;
};

// A certificate for the P-256 test key, issued (signed) by the P-384 one.
Cert make_certificate(std::uint64_t serial) {
  EVP_PKEY* subject_key = ec_key("P-256").ossl.get();
  EVP_PKEY* issuer_key = ec_key("P-384").ossl.get();
  X509Ptr x(X509_new_ex(libctx(), nullptr));
  X509_set_version(x.get(), X509_VERSION_3);
  ASN1_INTEGER_set_uint64(X509_get_serialNumber(x.get()), serial);
  NamePtr subject = name("subject");
  NamePtr issuer = name("issuer");
  X509_set_subject_name(x.get(), subject.get());
  X509_set_issuer_name(x.get(), issuer.get());
  X509_gmtime_adj(X509_getm_notBefore(x.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(x.get()), 3600);
  X509_set_pubkey(x.get(), subject_key);
  EXPECT_GT(X509_sign(x.get(), issuer_key, EVP_sha256()), 0);
  return {der_of(x.get(), i2d_X509), der_of(subject.get(), i2d_X509_NAME), der_of(issuer.get(), i2d_X509_NAME),
          der_of(subject_key, i2d_PUBKEY)};
}

TEST(ParseCertificate, ExtractsTheFields) {
  Cert c = make_certificate(0x1234);
  CertificateFields f = parse_certificate(c.der);
  EXPECT_EQ(f.subject, c.subject);
  EXPECT_EQ(f.issuer, c.issuer);
  EXPECT_NE(f.subject, f.issuer);
  EXPECT_EQ(f.serial_number, (Bytes{0x02, 0x02, 0x12, 0x34}));
  EXPECT_EQ(f.public_key_info, c.spki);
  EXPECT_EQ(f.public_key_info, public_key_info(*ec_key("P-256").pub));
}

TEST(ParseCertificate, SerialKeepsItsSignByte) {
  // A serial with the top bit set needs a leading 00 in DER.
  CertificateFields f = parse_certificate(make_certificate(0x80000001ULL).der);
  EXPECT_EQ(f.serial_number, (Bytes{0x02, 0x05, 0x00, 0x80, 0x00, 0x00, 0x01}));
}

TEST(ParseCertificate, RsaCertificate) {
  EVP_PKEY* key = rsa_key(2048).ossl.get();
  X509Ptr x(X509_new_ex(libctx(), nullptr));
  ASN1_INTEGER_set(X509_get_serialNumber(x.get()), 1);
  NamePtr n = name("self");
  X509_set_subject_name(x.get(), n.get());
  X509_set_issuer_name(x.get(), n.get());
  X509_gmtime_adj(X509_getm_notBefore(x.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(x.get()), 60);
  X509_set_pubkey(x.get(), key);
  ASSERT_GT(X509_sign(x.get(), key, EVP_sha256()), 0);
  CertificateFields f = parse_certificate(der_of(x.get(), i2d_X509));
  EXPECT_EQ(f.subject, f.issuer);
  EXPECT_EQ(f.serial_number, (Bytes{0x02, 0x01, 0x01}));
  EXPECT_EQ(f.public_key_info, public_key_info(*rsa_key(2048).pub));
}

TEST(ParseCertificate, RejectsAnythingElse) {
  const Bytes der = make_certificate(5).der;
  EXPECT_RV(CKR_ATTRIBUTE_VALUE_INVALID, parse_certificate(Bytes{}));
  EXPECT_RV(CKR_ATTRIBUTE_VALUE_INVALID, parse_certificate(bytes_of("not a certificate")));
  EXPECT_RV(CKR_ATTRIBUTE_VALUE_INVALID, parse_certificate(Bytes{0x30, 0x00}));
  EXPECT_RV(CKR_ATTRIBUTE_VALUE_INVALID, parse_certificate(ByteView(der).first(der.size() - 1)));
  Bytes trailing = der;
  trailing.push_back(0);
  EXPECT_RV(CKR_ATTRIBUTE_VALUE_INVALID, parse_certificate(trailing));
  Bytes two = der;
  two.insert(two.end(), der.begin(), der.end());
  EXPECT_RV(CKR_ATTRIBUTE_VALUE_INVALID, parse_certificate(two));
  // A DER public key is DER, but not a certificate.
  EXPECT_RV(CKR_ATTRIBUTE_VALUE_INVALID, parse_certificate(public_key_info(*ec_key("P-256").pub)));
  Bytes wrong_tag = der;
  wrong_tag[0] = 0x31;  // SET instead of SEQUENCE
  EXPECT_RV(CKR_ATTRIBUTE_VALUE_INVALID, parse_certificate(wrong_tag));
  Bytes bad_inner = der;
  bad_inner[4] = 0x31;  // the TBSCertificate SEQUENCE tag
  EXPECT_RV(CKR_ATTRIBUTE_VALUE_INVALID, parse_certificate(bad_inner));
}

TEST(ParseCertificate, RejectsBerOuterLength) {
  // Re-encode the outer SEQUENCE length in a longer, non-minimal form.
  const Bytes der = make_certificate(6).der;
  ASSERT_EQ(der[0], 0x30);
  ASSERT_EQ(der[1], 0x82);
  Bytes ber{0x30, 0x83, 0x00, der[2], der[3]};
  ber.insert(ber.end(), der.begin() + 4, der.end());
  EXPECT_RV(CKR_ATTRIBUTE_VALUE_INVALID, parse_certificate(ber));
}

}  // namespace
}  // namespace ecert::crypto::test
