// Objects through the module: creation of every class the way real clients
// do it (NSS pk12util imports with raw key components), signing with imported
// keys checked by plain OpenSSL, visibility with and without login, the
// C_GetAttributeValue / C_SetAttributeValue conventions, C_CopyObject as
// pkcs11-provider uses it, destruction, sizes, searches and persistence.
#include <openssl/x509.h>

#include <algorithm>
#include <set>

#include "module_test_support.h"

namespace ecert::test {
namespace {

using namespace support;

class ModuleObjects : public ModuleTest {};

struct Certificate {
  Bytes der, subject, issuer, serial, spki;
};

// An X.509 certificate for `key` with distinct subject and issuer names.
Certificate make_certificate(EVP_PKEY* key, const char* subject_cn, const char* issuer_cn, long serial) {
  Certificate out;
  X509* x = X509_new();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
  X509_gmtime_adj(X509_getm_notBefore(x), 0);
  X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 365);
  X509_set_pubkey(x, key);
  for (auto [cn, set] : {std::pair{subject_cn, &X509_set_subject_name}, std::pair{issuer_cn, &X509_set_issuer_name}}) {
    X509_NAME* name = X509_NAME_new();
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>("e-Cert test"), -1, -1,
                               0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(cn), -1, -1, 0);
    set(x, name);
    X509_NAME_free(name);
  }
  X509_sign(x, key, EVP_sha256());
  auto der = [](auto* obj, auto i2d) {
    int n = i2d(obj, nullptr);
    Bytes b(static_cast<std::size_t>(std::max(n, 0)));
    unsigned char* p = b.data();
    if (n > 0) i2d(obj, &p);
    return b;
  };
  out.der = der(x, i2d_X509);
  out.subject = der(X509_get_subject_name(x), i2d_X509_NAME);
  out.issuer = der(X509_get_issuer_name(x), i2d_X509_NAME);
  out.serial = der(X509_get0_serialNumber(x), i2d_ASN1_INTEGER);
  out.spki = der(X509_get_X509_PUBKEY(x), i2d_X509_PUBKEY);
  X509_free(x);
  return out;
}

Template certificate_template(const Certificate& cert, const Bytes& id, const char* label) {
  return Template()
      .cls(CKO_CERTIFICATE)
      .ulong(CKA_CERTIFICATE_TYPE, CKC_X_509)
      .boolean(CKA_TOKEN, true)
      .str(CKA_LABEL, label)
      .bytes(CKA_ID, id)
      .bytes(CKA_VALUE, cert.der);
}

// The private key template of NSS pk12util (pk11pk12.c) for an RSA key.
Template nss_rsa_private(EVP_PKEY* key, const Bytes& id, const Bytes& subject) {
  return Template()
      .cls(CKO_PRIVATE_KEY)
      .ulong(CKA_KEY_TYPE, CKK_RSA)
      .boolean(CKA_TOKEN, true)
      .boolean(CKA_SENSITIVE, true)
      .boolean(CKA_PRIVATE, true)
      .str(CKA_LABEL, "nss nickname")
      .bytes(CKA_ID, id)
      .bytes(CKA_SUBJECT, subject)
      .boolean(CKA_DECRYPT, true)
      .boolean(CKA_SIGN, true)
      .boolean(CKA_SIGN_RECOVER, true)
      .boolean(CKA_UNWRAP, true)
      .bytes(CKA_MODULUS, bn_param(key, OSSL_PKEY_PARAM_RSA_N))
      .bytes(CKA_PUBLIC_EXPONENT, bn_param(key, OSSL_PKEY_PARAM_RSA_E))
      .bytes(CKA_PRIVATE_EXPONENT, bn_param(key, OSSL_PKEY_PARAM_RSA_D))
      .bytes(CKA_PRIME_1, bn_param(key, OSSL_PKEY_PARAM_RSA_FACTOR1))
      .bytes(CKA_PRIME_2, bn_param(key, OSSL_PKEY_PARAM_RSA_FACTOR2))
      .bytes(CKA_EXPONENT_1, bn_param(key, OSSL_PKEY_PARAM_RSA_EXPONENT1))
      .bytes(CKA_EXPONENT_2, bn_param(key, OSSL_PKEY_PARAM_RSA_EXPONENT2))
      .bytes(CKA_COEFFICIENT, bn_param(key, OSSL_PKEY_PARAM_RSA_COEFFICIENT1));
}

Bytes ec_point(EVP_PKEY* key) {
  Bytes point(200);
  std::size_t len = 0;
  EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size(), &len);
  point.resize(len);
  return point;
}

Bytes der_octet_string(const Bytes& content) {
  Bytes out{0x04};
  if (content.size() >= 0x80) out.push_back(0x81);
  out.push_back(static_cast<unsigned char>(content.size()));
  out.insert(out.end(), content.begin(), content.end());
  return out;
}

// The private key template of NSS pk12util for an EC key, with the public
// point both as CKA_EC_POINT and in NSS's vendor attribute.
Template nss_ec_private(EVP_PKEY* key, const Bytes& params, std::size_t order_bytes, const Bytes& id) {
  return Template()
      .cls(CKO_PRIVATE_KEY)
      .ulong(CKA_KEY_TYPE, CKK_EC)
      .boolean(CKA_TOKEN, true)
      .boolean(CKA_SENSITIVE, true)
      .boolean(CKA_PRIVATE, true)
      .str(CKA_LABEL, "nss ec nickname")
      .bytes(CKA_ID, id)
      .boolean(CKA_SIGN, true)
      .boolean(CKA_DERIVE, true)
      .bytes(CKA_EC_PARAMS, params)
      .bytes(CKA_VALUE, bn_param(key, OSSL_PKEY_PARAM_PRIV_KEY, order_bytes))
      .bytes(CKA_EC_POINT, der_octet_string(ec_point(key)))
      .bytes(kCkaNssDb, ec_point(key));
}

CK_OBJECT_HANDLE create(CK_SESSION_HANDLE s, Template t) {
  CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;
  EXPECT_CKR(CKR_OK, p11()->C_CreateObject(s, t.data(), t.size(), &h));
  return h;
}

std::set<CK_OBJECT_HANDLE> as_set(const std::vector<CK_OBJECT_HANDLE>& v) { return {v.begin(), v.end()}; }

// ---- creation ----

TEST_F(ModuleObjects, DataObjectRoundTripsAndSurvivesRestart) {
  CK_SLOT_ID slot = ready_token();
  CK_SESSION_HANDLE s = open(slot);
  Bytes value = pattern(300);
  CK_OBJECT_HANDLE h = create(s, Template()
                                     .cls(CKO_DATA)
                                     .boolean(CKA_TOKEN, true)
                                     .str(CKA_LABEL, "config")
                                     .str(CKA_APPLICATION, "ecert tests")
                                     .bytes(CKA_VALUE, value));
  EXPECT_EQ(attr_bytes(s, h, CKA_VALUE), value);
  EXPECT_FALSE(attr_bool(s, h, CKA_PRIVATE));
  EXPECT_TRUE(attr_bool(s, h, CKA_MODIFIABLE));
  EXPECT_FALSE(attr_bytes(s, h, CKA_UNIQUE_ID).empty());
  restart();
  s = open(slot, false);
  auto found = find(s, Template().cls(CKO_DATA).str(CKA_LABEL, "config"));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(attr_bytes(s, found[0], CKA_VALUE), value);
  EXPECT_EQ(string_of(attr_bytes(s, found[0], CKA_APPLICATION)), "ecert tests");
}

TEST_F(ModuleObjects, CertificateFieldsAreFilledFromTheValue) {
  Pkey key = openssl_generate("EC", 0, "P-256");
  Certificate cert = make_certificate(key.get(), "Holder", "Issuing CA", 0x12345678L);
  CK_SLOT_ID slot = ready_token();
  CK_SESSION_HANDLE s = open(slot);
  Bytes id = bytes_of("cert-id");
  CK_OBJECT_HANDLE h = create(s, certificate_template(cert, id, "holder cert"));
  EXPECT_EQ(attr_bytes(s, h, CKA_SUBJECT), cert.subject);
  EXPECT_EQ(attr_bytes(s, h, CKA_ISSUER), cert.issuer);
  EXPECT_EQ(attr_bytes(s, h, CKA_SERIAL_NUMBER), cert.serial);
  EXPECT_EQ(attr_bytes(s, h, CKA_PUBLIC_KEY_INFO), cert.spki);
  Bytes sha1 = openssl_digest(CKM_SHA_1, cert.der);
  EXPECT_EQ(attr_bytes(s, h, CKA_CHECK_VALUE), Bytes(sha1.begin(), sha1.begin() + 3));
  EXPECT_FALSE(attr_bool(s, h, CKA_PRIVATE));
  EXPECT_EQ(attr_bytes(s, h, CKA_ID), id);

  Template garbage =
      Template().cls(CKO_CERTIFICATE).ulong(CKA_CERTIFICATE_TYPE, CKC_X_509).bytes(CKA_VALUE, pattern(64));
  CK_OBJECT_HANDLE bad;
  EXPECT_CKR(CKR_ATTRIBUTE_VALUE_INVALID, p11()->C_CreateObject(s, garbage.data(), garbage.size(), &bad));
  Template no_value = Template().cls(CKO_CERTIFICATE).ulong(CKA_CERTIFICATE_TYPE, CKC_X_509);
  EXPECT_CKR(CKR_TEMPLATE_INCOMPLETE, p11()->C_CreateObject(s, no_value.data(), no_value.size(), &bad));
}

// An RSA key imported the way pk12util does, with its certificate and public
// key; the module's signatures verify with OpenSSL and the original key, and
// everything is still there after a restart.
TEST_F(ModuleObjects, NssStyleRsaImportSignsAndSurvivesRestart) {
  Pkey key = openssl_generate("RSA", 2048);
  ASSERT_NE(key, nullptr);
  Certificate cert = make_certificate(key.get(), "RSA holder", "RSA CA", 7);
  const Bytes id = openssl_digest(CKM_SHA_1, bn_param(key.get(), OSSL_PKEY_PARAM_RSA_N));
  CK_SLOT_ID slot = ready_token();
  CK_SESSION_HANDLE s = open_user_session(slot);
  create(s, certificate_template(cert, id, "nss nickname"));
  create(s, Template()
                .cls(CKO_PUBLIC_KEY)
                .ulong(CKA_KEY_TYPE, CKK_RSA)
                .boolean(CKA_TOKEN, true)
                .str(CKA_LABEL, "nss nickname")
                .bytes(CKA_ID, id)
                .bytes(CKA_MODULUS, bn_param(key.get(), OSSL_PKEY_PARAM_RSA_N))
                .bytes(CKA_PUBLIC_EXPONENT, bn_param(key.get(), OSSL_PKEY_PARAM_RSA_E)));
  CK_OBJECT_HANDLE priv = create(s, nss_rsa_private(key.get(), id, cert.subject));
  ASSERT_NE(priv, CK_INVALID_HANDLE);

  EXPECT_CKR(CKR_ATTRIBUTE_SENSITIVE, attribute(s, priv, CKA_PRIVATE_EXPONENT).first);
  EXPECT_CKR(CKR_ATTRIBUTE_SENSITIVE, attribute(s, priv, CKA_PRIME_1).first);
  EXPECT_EQ(attr_bytes(s, priv, CKA_MODULUS), bn_param(key.get(), OSSL_PKEY_PARAM_RSA_N));
  EXPECT_FALSE(attr_bool(s, priv, CKA_LOCAL));
  EXPECT_FALSE(attr_bool(s, priv, CKA_ALWAYS_SENSITIVE));  // imported: the token cannot vouch for its past
  EXPECT_FALSE(attr_bool(s, priv, CKA_NEVER_EXTRACTABLE));

  Bytes data = bytes_of("signed with an imported RSA key");
  Bytes sig = sign(s, {CKM_SHA256_RSA_PKCS, nullptr, 0}, priv, data);
  EXPECT_TRUE(openssl_verify(key.get(), Check{.hash = EVP_sha256()}, data, sig));
  sig = sign(s, {CKM_RSA_PKCS, nullptr, 0}, priv, sha256_digest_info(data));
  EXPECT_TRUE(openssl_verify(key.get(), Check{.hash = EVP_sha256()}, data, sig));

  restart();
  s = open(slot, false);
  EXPECT_EQ(find(s, Template().bytes(CKA_ID, id)).size(), 2u) << "certificate and public key, without login";
  ASSERT_CKR(CKR_OK, login(s, CKU_USER, kUserPin));
  auto found = find(s, Template().cls(CKO_PRIVATE_KEY).bytes(CKA_ID, id));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(string_of(attr_bytes(s, found[0], CKA_LABEL)), "nss nickname");
  sig = sign(s, {CKM_SHA256_RSA_PKCS, nullptr, 0}, found[0], data);
  EXPECT_TRUE(openssl_verify(key.get(), Check{.hash = EVP_sha256()}, data, sig));
}

TEST_F(ModuleObjects, NssStyleEcImportSigns) {
  struct Curve {
    const char* group;
    const Bytes* params;
    std::size_t order_bytes;
  };
  CK_SLOT_ID slot = ready_token();
  CK_SESSION_HANDLE s = open_user_session(slot);
  for (const Curve& c :
       {Curve{"P-256", &kP256Params, 32}, Curve{"P-384", &kP384Params, 48}, Curve{"P-521", &kP521Params, 66}}) {
    SCOPED_TRACE(c.group);
    Pkey key = openssl_generate("EC", 0, c.group);
    const Bytes id = openssl_digest(CKM_SHA_1, ec_point(key.get()));
    CK_OBJECT_HANDLE priv = create(s, nss_ec_private(key.get(), *c.params, c.order_bytes, id));
    ASSERT_NE(priv, CK_INVALID_HANDLE);
    EXPECT_CKR(CKR_ATTRIBUTE_SENSITIVE, attribute(s, priv, CKA_VALUE).first);
    EXPECT_EQ(attr_bytes(s, priv, kCkaNssDb), ec_point(key.get()));  // vendor attributes are kept
    Bytes data = bytes_of("signed with an imported EC key");
    Bytes sig = sign(s, {CKM_ECDSA_SHA256, nullptr, 0}, priv, data);
    EXPECT_EQ(sig.size(), 2 * c.order_bytes);
    EXPECT_TRUE(openssl_verify(key.get(), Check{.hash = EVP_sha256()}, data, sig));
    Bytes hash = openssl_digest(CKM_SHA384, data);
    sig = sign(s, {CKM_ECDSA, nullptr, 0}, priv, hash);
    EXPECT_TRUE(openssl_verify(key.get(), Check{}, hash, sig));

    // The public key object, CKA_EC_POINT as the DER OCTET STRING PKCS#11 specifies.
    CK_OBJECT_HANDLE pub = create(s, Template()
                                         .cls(CKO_PUBLIC_KEY)
                                         .ulong(CKA_KEY_TYPE, CKK_EC)
                                         .boolean(CKA_TOKEN, true)
                                         .bytes(CKA_ID, id)
                                         .bytes(CKA_EC_PARAMS, *c.params)
                                         .bytes(CKA_EC_POINT, der_octet_string(ec_point(key.get()))));
    EXPECT_CKR(CKR_OK, verify(s, {CKM_ECDSA, nullptr, 0}, pub, hash, sig));
    EXPECT_CKR(CKR_SIGNATURE_INVALID, verify(s, {CKM_ECDSA, nullptr, 0}, pub, openssl_digest(CKM_SHA384, hash), sig));
    EXPECT_EQ(find(s, Template().bytes(CKA_ID, id)).size(), 2u);
  }
  // A point that is not on the curve is refused at creation.
  Bytes off_curve(65, 0x01);
  off_curve[0] = 0x04;
  Template bad = Template()
                     .cls(CKO_PUBLIC_KEY)
                     .ulong(CKA_KEY_TYPE, CKK_EC)
                     .bytes(CKA_EC_PARAMS, kP256Params)
                     .bytes(CKA_EC_POINT, der_octet_string(off_curve));
  CK_OBJECT_HANDLE h;
  EXPECT_CKR(CKR_ATTRIBUTE_VALUE_INVALID, p11()->C_CreateObject(s, bad.data(), bad.size(), &h));
}

// ---- visibility ----

TEST_F(ModuleObjects, PublicObjectsReadableWithoutLoginPrivateOnesInvisible) {
  Pkey key = openssl_generate("EC", 0, "P-256");
  Certificate cert = make_certificate(key.get(), "Visible", "CA", 3);
  const Bytes id = bytes_of("vis");
  CK_SLOT_ID slot = ready_token();
  CK_SESSION_HANDLE s = open_user_session(slot);
  CK_OBJECT_HANDLE c = create(s, certificate_template(cert, id, "cert"));
  KeyPair k;
  Template common = Template().boolean(CKA_TOKEN, true).bytes(CKA_ID, id);
  ASSERT_CKR(CKR_OK, generate_ec(s, kP256Params, k, common, common));
  CK_OBJECT_HANDLE secret_data =
      create(s, Template().cls(CKO_DATA).boolean(CKA_TOKEN, true).boolean(CKA_PRIVATE, true).str(CKA_LABEL, "secret"));
  EXPECT_FALSE(attr_bool(s, k.pub, CKA_PRIVATE));  // public keys are public by default
  EXPECT_TRUE(attr_bool(s, k.priv, CKA_PRIVATE));

  restart();
  s = open(slot, false);
  std::set<CK_OBJECT_HANDLE> seen = as_set(find(s));
  EXPECT_EQ(seen.count(c), 1u);
  EXPECT_EQ(seen.count(k.pub), 1u);
  EXPECT_EQ(seen.count(k.priv), 0u);
  EXPECT_EQ(seen.count(secret_data), 0u);
  for (CK_OBJECT_HANDLE h : seen) EXPECT_FALSE(attr_bool(s, h, CKA_PRIVATE)) << "object " << h;
  EXPECT_EQ(attr_bytes(s, c, CKA_VALUE), cert.der);
  EXPECT_FALSE(attr_bytes(s, k.pub, CKA_EC_POINT).empty());
  EXPECT_TRUE(find(s, Template().cls(CKO_PRIVATE_KEY)).empty());
  CK_ATTRIBUTE label{CKA_LABEL, nullptr, 0};
  EXPECT_CKR(CKR_OBJECT_HANDLE_INVALID, p11()->C_GetAttributeValue(s, k.priv, &label, 1));
  CK_ULONG size;
  EXPECT_CKR(CKR_OBJECT_HANDLE_INVALID, p11()->C_GetObjectSize(s, secret_data, &size));

  ASSERT_CKR(CKR_OK, login(s, CKU_USER, kUserPin));
  seen = as_set(find(s));
  EXPECT_EQ(seen.count(k.priv), 1u);
  EXPECT_EQ(seen.count(secret_data), 1u);
  ASSERT_CKR(CKR_OK, p11()->C_Logout(s));
  seen = as_set(find(s));
  EXPECT_EQ(seen.count(k.priv) + seen.count(secret_data), 0u);
  EXPECT_EQ(seen.count(c) + seen.count(k.pub), 2u);
}

// ---- C_GetAttributeValue ----

TEST_F(ModuleObjects, GetAttributeValueConventions) {
  CK_SLOT_ID slot = ready_token();
  CK_SESSION_HANDLE s = open_user_session(slot);
  KeyPair k;
  ASSERT_CKR(CKR_OK, generate_ec(s, kP256Params, k, {}, Template().str(CKA_LABEL, "a long label").str(CKA_ID, "id")));

  // NULL pValue: the length, CKR_OK.
  CK_ATTRIBUTE q{CKA_LABEL, nullptr, 0};
  ASSERT_CKR(CKR_OK, p11()->C_GetAttributeValue(s, k.priv, &q, 1));
  EXPECT_EQ(q.ulValueLen, 12u);

  // Too small: CKR_BUFFER_TOO_SMALL, that entry CK_UNAVAILABLE_INFORMATION,
  // the others still filled.
  char small[4], id[8];
  CK_OBJECT_CLASS cls = 0;
  CK_ATTRIBUTE t1[] = {{CKA_CLASS, &cls, sizeof cls}, {CKA_LABEL, small, sizeof small}, {CKA_ID, id, sizeof id}};
  EXPECT_CKR(CKR_BUFFER_TOO_SMALL, p11()->C_GetAttributeValue(s, k.priv, t1, 3));
  EXPECT_EQ(t1[0].ulValueLen, sizeof cls);
  EXPECT_EQ(cls, static_cast<CK_OBJECT_CLASS>(CKO_PRIVATE_KEY));
  EXPECT_EQ(t1[1].ulValueLen, CK_UNAVAILABLE_INFORMATION);
  EXPECT_EQ(t1[2].ulValueLen, 2u);
  EXPECT_EQ(std::string(id, 2), "id");

  // An exact buffer is enough.
  char exact[12];
  CK_ATTRIBUTE t2{CKA_LABEL, exact, sizeof exact};
  ASSERT_CKR(CKR_OK, p11()->C_GetAttributeValue(s, k.priv, &t2, 1));
  EXPECT_EQ(std::string(exact, 12), "a long label");

  // Sensitive: CKR_ATTRIBUTE_SENSITIVE, others filled.
  unsigned char value[80], params[16];
  CK_ATTRIBUTE t3[] = {{CKA_VALUE, value, sizeof value}, {CKA_EC_PARAMS, params, sizeof params}};
  EXPECT_CKR(CKR_ATTRIBUTE_SENSITIVE, p11()->C_GetAttributeValue(s, k.priv, t3, 2));
  EXPECT_EQ(t3[0].ulValueLen, CK_UNAVAILABLE_INFORMATION);
  EXPECT_EQ(Bytes(params, params + t3[1].ulValueLen), kP256Params);

  // Unknown type (and one not of the class): CKR_ATTRIBUTE_TYPE_INVALID, others filled.
  unsigned char modulus[8], made_up[8];
  CK_BBOOL sign_flag = CK_FALSE;
  CK_ATTRIBUTE t4[] = {{CKA_MODULUS, modulus, sizeof modulus},
                       {0x7FFF0001UL, made_up, sizeof made_up},
                       {CKA_SIGN, &sign_flag, sizeof sign_flag}};
  EXPECT_CKR(CKR_ATTRIBUTE_TYPE_INVALID, p11()->C_GetAttributeValue(s, k.priv, t4, 3));
  EXPECT_EQ(t4[0].ulValueLen, CK_UNAVAILABLE_INFORMATION);
  EXPECT_EQ(t4[1].ulValueLen, CK_UNAVAILABLE_INFORMATION);
  EXPECT_EQ(t4[2].ulValueLen, 1u);
  EXPECT_EQ(sign_flag, CK_TRUE);
}

// ---- C_SetAttributeValue ----

TEST_F(ModuleObjects, SetAttributeValueOneWayRules) {
  CK_SLOT_ID slot = ready_token();
  CK_SESSION_HANDLE s = open_user_session(slot);
  Template open_key = Template().boolean(CKA_SENSITIVE, false).boolean(CKA_EXTRACTABLE, true);
  KeyPair a, b;
  ASSERT_CKR(CKR_OK, generate_ec(s, kP256Params, a, {}, open_key));
  ASSERT_CKR(CKR_OK, generate_ec(s, kP256Params, b, {}, open_key));
  EXPECT_CKR(CKR_OK, attribute(s, a.priv, CKA_VALUE).first) << "a non-sensitive extractable key shows its value";

  auto set = [&](CK_OBJECT_HANDLE h, Template t) { return p11()->C_SetAttributeValue(s, h, t.data(), t.size()); };
  // CKA_SENSITIVE: FALSE -> TRUE only.
  EXPECT_CKR(CKR_OK, set(a.priv, Template().boolean(CKA_SENSITIVE, true)));
  EXPECT_CKR(CKR_ATTRIBUTE_SENSITIVE, attribute(s, a.priv, CKA_VALUE).first);
  EXPECT_CKR(CKR_OK, set(a.priv, Template().boolean(CKA_SENSITIVE, true))) << "restating is not a change";
  EXPECT_CKR(CKR_ATTRIBUTE_READ_ONLY, set(a.priv, Template().boolean(CKA_SENSITIVE, false)));
  EXPECT_TRUE(attr_bool(s, a.priv, CKA_SENSITIVE));
  EXPECT_FALSE(attr_bool(s, a.priv, CKA_ALWAYS_SENSITIVE));
  // CKA_EXTRACTABLE: TRUE -> FALSE only.
  EXPECT_CKR(CKR_OK, set(b.priv, Template().boolean(CKA_EXTRACTABLE, false)));
  EXPECT_CKR(CKR_ATTRIBUTE_SENSITIVE, attribute(s, b.priv, CKA_VALUE).first);
  EXPECT_CKR(CKR_ATTRIBUTE_READ_ONLY, set(b.priv, Template().boolean(CKA_EXTRACTABLE, true)));
  EXPECT_FALSE(attr_bool(s, b.priv, CKA_EXTRACTABLE));
  // Ordinary changes; fixed attributes.
  EXPECT_CKR(CKR_OK, set(b.priv, Template().str(CKA_LABEL, "renamed")));
  EXPECT_EQ(string_of(attr_bytes(s, b.priv, CKA_LABEL)), "renamed");
  EXPECT_CKR(CKR_ATTRIBUTE_READ_ONLY, set(b.priv, Template().ulong(CKA_KEY_TYPE, CKK_RSA)));
  EXPECT_CKR(CKR_ATTRIBUTE_TYPE_INVALID, set(b.priv, Template().bytes(CKA_MODULUS, pattern(4))));

  // CKA_MODIFIABLE=FALSE: nothing may change.
  CK_OBJECT_HANDLE fixed = create(s, Template().cls(CKO_DATA).boolean(CKA_MODIFIABLE, false).str(CKA_LABEL, "fixed"));
  EXPECT_CKR(CKR_ACTION_PROHIBITED, set(fixed, Template().str(CKA_LABEL, "changed")));
  EXPECT_EQ(string_of(attr_bytes(s, fixed, CKA_LABEL)), "fixed");
}

TEST_F(ModuleObjects, SetAttributeValueOfTokenObjectPersists) {
  CK_SLOT_ID slot = ready_token();
  CK_SESSION_HANDLE s = open_user_session(slot);
  KeyPair k;
  Template token = Template().boolean(CKA_TOKEN, true).str(CKA_LABEL, "before");
  ASSERT_CKR(CKR_OK, generate_ec(s, kP256Params, k, token, token));
  Template change = Template().str(CKA_LABEL, "after");
  ASSERT_CKR(CKR_OK, p11()->C_SetAttributeValue(s, k.priv, change.data(), change.size()));
  restart();
  s = open_user_session(slot);
  auto found = find(s, Template().cls(CKO_PRIVATE_KEY).str(CKA_LABEL, "after"));
  ASSERT_EQ(found.size(), 1u);
  Bytes data = bytes_of("still usable");
  Bytes sig = sign(s, {CKM_ECDSA_SHA256, nullptr, 0}, found[0], data);
  EXPECT_CKR(CKR_OK, verify(s, {CKM_ECDSA_SHA256, nullptr, 0}, k.pub, data, sig));
}

// ---- C_CopyObject (pkcs11-provider's key cache) ----

TEST_F(ModuleObjects, CopyOfTokenKeyToSessionObjectKeepsIdentityAndDiesWithItsSession) {
  CK_SLOT_ID slot = ready_token();
  CK_SESSION_HANDLE s = open_user_session(slot);
  const Bytes id = bytes_of("provider-key");
  KeyPair k;
  Template common = Template().boolean(CKA_TOKEN, true).bytes(CKA_ID, id).str(CKA_LABEL, "tls key");
  ASSERT_CKR(CKR_OK, generate_ec(s, kP256Params, k, common, common));

  CK_SESSION_HANDLE cache = open(slot);
  Template to_session = Template().boolean(CKA_TOKEN, false);
  CK_OBJECT_HANDLE copy = CK_INVALID_HANDLE;
  ASSERT_CKR(CKR_OK, p11()->C_CopyObject(cache, k.priv, to_session.data(), to_session.size(), &copy));
  ASSERT_NE(copy, k.priv);
  EXPECT_FALSE(attr_bool(s, copy, CKA_TOKEN));
  EXPECT_EQ(attr_bytes(s, copy, CKA_ID), id);
  EXPECT_EQ(string_of(attr_bytes(s, copy, CKA_LABEL)), "tls key");
  EXPECT_TRUE(attr_bool(s, copy, CKA_SENSITIVE));
  EXPECT_NE(attr_bytes(s, copy, CKA_UNIQUE_ID), attr_bytes(s, k.priv, CKA_UNIQUE_ID));

  auto by_id = Template().cls(CKO_PRIVATE_KEY).bytes(CKA_ID, id);
  EXPECT_EQ(as_set(find(s, by_id)), (std::set<CK_OBJECT_HANDLE>{k.priv, copy}));
  Bytes data = bytes_of("signed by the cached copy");
  Bytes sig = sign(s, {CKM_ECDSA_SHA256, nullptr, 0}, copy, data);
  Pkey pub = openssl_public_key(s, k.pub);
  EXPECT_TRUE(openssl_verify(pub.get(), Check{.hash = EVP_sha256()}, data, sig));

  ASSERT_CKR(CKR_OK, p11()->C_CloseSession(cache));
  CK_ATTRIBUTE a{CKA_ID, nullptr, 0};
  EXPECT_CKR(CKR_OBJECT_HANDLE_INVALID, p11()->C_GetAttributeValue(s, copy, &a, 1));
  EXPECT_EQ(find(s, by_id), std::vector<CK_OBJECT_HANDLE>{k.priv});
  restart();
  s = open_user_session(slot);
  EXPECT_EQ(find(s, by_id).size(), 1u);
}

// ---- destruction, sizes, searches ----

TEST_F(ModuleObjects, DestroyObjectRemovesTokenAndSessionObjects) {
  CK_SLOT_ID slot = ready_token();
  CK_SESSION_HANDLE s = open(slot);
  CK_OBJECT_HANDLE token_obj = create(s, Template().cls(CKO_DATA).boolean(CKA_TOKEN, true).str(CKA_LABEL, "t"));
  CK_OBJECT_HANDLE kept = create(s, Template().cls(CKO_DATA).boolean(CKA_TOKEN, true).str(CKA_LABEL, "kept"));
  CK_OBJECT_HANDLE session_obj = create(s, Template().cls(CKO_DATA).str(CKA_LABEL, "s"));
  ASSERT_CKR(CKR_OK, p11()->C_DestroyObject(s, token_obj));
  ASSERT_CKR(CKR_OK, p11()->C_DestroyObject(s, session_obj));
  CK_ATTRIBUTE a{CKA_LABEL, nullptr, 0};
  EXPECT_CKR(CKR_OBJECT_HANDLE_INVALID, p11()->C_GetAttributeValue(s, token_obj, &a, 1));
  EXPECT_CKR(CKR_OBJECT_HANDLE_INVALID, p11()->C_GetAttributeValue(s, session_obj, &a, 1));
  EXPECT_TRUE(find(s, Template().str(CKA_LABEL, "t")).empty());
  CK_OBJECT_HANDLE undeletable =
      create(s, Template().cls(CKO_DATA).boolean(CKA_DESTROYABLE, false).str(CKA_LABEL, "stays"));
  EXPECT_CKR(CKR_ACTION_PROHIBITED, p11()->C_DestroyObject(s, undeletable));
  restart();
  s = open(slot, false);
  EXPECT_TRUE(find(s, Template().str(CKA_LABEL, "t")).empty());
  EXPECT_EQ(find(s, Template().str(CKA_LABEL, "kept")).size(), 1u);
  (void)kept;
}

TEST_F(ModuleObjects, GetObjectSizeGrowsWithTheValue) {
  CK_SLOT_ID slot = ready_token();
  CK_SESSION_HANDLE s = open(slot);
  CK_OBJECT_HANDLE small = create(s, Template().cls(CKO_DATA).bytes(CKA_VALUE, pattern(10)));
  CK_OBJECT_HANDLE big = create(s, Template().cls(CKO_DATA).bytes(CKA_VALUE, pattern(5000)));
  CK_ULONG small_size = 0, big_size = 0;
  ASSERT_CKR(CKR_OK, p11()->C_GetObjectSize(s, small, &small_size));
  ASSERT_CKR(CKR_OK, p11()->C_GetObjectSize(s, big, &big_size));
  EXPECT_GE(big_size, 5000u);
  EXPECT_GE(big_size - small_size, 4990u);
}

TEST_F(ModuleObjects, FindObjectsInBatches) {
  CK_SLOT_ID slot = ready_token();
  CK_SESSION_HANDLE s = open(slot);
  std::set<CK_OBJECT_HANDLE> made;
  for (int i = 0; i < 7; ++i)
    made.insert(create(s, Template().cls(CKO_DATA).str(CKA_APPLICATION, "batch").str(CKA_LABEL, std::to_string(i))));
  create(s, Template().cls(CKO_DATA).str(CKA_APPLICATION, "other"));

  Template t = Template().str(CKA_APPLICATION, "batch");
  ASSERT_CKR(CKR_OK, p11()->C_FindObjectsInit(s, t.data(), t.size()));
  std::vector<CK_OBJECT_HANDLE> got;
  std::vector<CK_ULONG> batches;
  for (int round = 0; round < 5; ++round) {
    CK_OBJECT_HANDLE batch[3] = {};
    CK_ULONG n = 99;
    ASSERT_CKR(CKR_OK, p11()->C_FindObjects(s, batch, 3, &n));
    batches.push_back(n);
    got.insert(got.end(), batch, batch + std::min<CK_ULONG>(n, 3));
  }
  ASSERT_CKR(CKR_OK, p11()->C_FindObjectsFinal(s));
  EXPECT_EQ(batches, (std::vector<CK_ULONG>{3, 3, 1, 0, 0}));
  EXPECT_EQ(got.size(), 7u);
  EXPECT_EQ(as_set(got), made) << "every match exactly once";

  EXPECT_EQ(find(s, Template().str(CKA_APPLICATION, "batch").str(CKA_LABEL, "4")).size(), 1u);
  EXPECT_TRUE(find(s, Template().str(CKA_APPLICATION, "none")).empty());
}

// ---- the policy object ----

TEST_F(ModuleObjects, PolicyObjectReadableWithoutLogin) {
  CK_SLOT_ID slot = ready_token();
  restart();
  CK_SESSION_HANDLE s = open(slot, false);
  auto found = find(s, Template().cls(CKO_ECERT_POLICY));
  ASSERT_EQ(found.size(), 1u);
  CK_OBJECT_HANDLE p = found[0];
  EXPECT_FALSE(attr_bool(s, p, CKA_PRIVATE));
  EXPECT_EQ(attr_ulong(s, p, CKA_ECERT_MIN_PIN_LEN), 8u);
  EXPECT_EQ(attr_ulong(s, p, CKA_ECERT_MAX_PIN_LEN), 64u);
  EXPECT_TRUE(attr_bool(s, p, CKA_ECERT_REQUIRE_UPPER));
  EXPECT_EQ(attr_ulong(s, p, CKA_ECERT_MAX_USER_TRIES), 15u);
  EXPECT_EQ(attr_ulong(s, p, CKA_ECERT_USER_TRIES_LEFT), 15u);
  EXPECT_CKR(CKR_PIN_INCORRECT, login(s, CKU_USER, "Wrong-Pin#1"));
  found = find(s, Template().cls(CKO_ECERT_POLICY));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(attr_ulong(s, found[0], CKA_ECERT_USER_TRIES_LEFT), 14u);

  Template change = Template().ulong(CKA_ECERT_MIN_PIN_LEN, 10);
  EXPECT_CKR(CKR_SESSION_READ_ONLY, p11()->C_SetAttributeValue(s, found[0], change.data(), change.size()));
  CK_SESSION_HANDLE rw = open(slot);
  EXPECT_CKR(CKR_USER_NOT_LOGGED_IN, p11()->C_SetAttributeValue(rw, found[0], change.data(), change.size()));
}

}  // namespace
}  // namespace ecert::test
