// Tests of src/token/attribute_rules: the PKCS#11 attribute tables as seen
// through complete_new_object, apply_change, apply_copy and visibility.
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
#include "token/attribute_rules.h"
#include "rv_of.h"

namespace ecert::token {
namespace {

// NSS's vendor attribute for private keys (CKA_NETSCAPE_DB / CKA_NSS_DB).
constexpr CK_ATTRIBUTE_TYPE kNssDb = 0xD5A0DB00UL;

// ---- Helpers ----

class Env : public ::testing::Environment {
 public:
  void SetUp() override { crypto::start_library_context(); }
  void TearDown() override { crypto::stop_library_context(); }
};
const auto* const kEnv = ::testing::AddGlobalTestEnvironment(new Env);

SecureBytes B(bool v) { return SecureBytes{static_cast<CK_BBOOL>(v ? CK_TRUE : CK_FALSE)}; }
SecureBytes U(CK_ULONG v) {
  AttributeMap m;
  m.set_ulong(0, v);
  return m.at(0);
}
SecureBytes S(std::string_view s) { return secure_copy(view(s)); }
SecureBytes R(std::size_t n, std::uint8_t fill) { return SecureBytes(n, fill); }
const SecureBytes kEmpty;

// A template or object, written as a list of (type, value).
struct Attr {
  CK_ATTRIBUTE_TYPE type;
  SecureBytes value;
};
AttributeMap make(std::initializer_list<Attr> attrs) {
  AttributeMap m;
  for (const Attr& a : attrs) m.set(a.type, a.value);
  return m;
}
AttributeMap with(AttributeMap m, CK_ATTRIBUTE_TYPE t, SecureBytes v) {
  m.set(t, std::move(v));
  return m;
}
AttributeMap without(AttributeMap m, CK_ATTRIBUTE_TYPE t) {
  m.erase(t);
  return m;
}

using ecert::test::rv_of;
CK_RV create_rv(const AttributeMap& tmpl) {
  return rv_of([&] { complete_new_object(tmpl, Origin::create); });
}

// Dummy key material: the rules never decode keys.
const SecureBytes kModulus = [] {
  SecureBytes m(256, 0x5a);
  m[0] = 0xc3;  // top bit set: 2048 bits
  return m;
}();
const SecureBytes kExponent{0x01, 0x00, 0x01};
const SecureBytes kP256Params{0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
const SecureBytes kEcPoint = [] {
  SecureBytes p{0x04, 0x41, 0x04};
  p.resize(67, 0x11);
  return p;
}();

AttributeMap data_tmpl() { return make({{CKA_CLASS, U(CKO_DATA)}}); }
AttributeMap rsa_public_tmpl() {
  return make({{CKA_CLASS, U(CKO_PUBLIC_KEY)},
               {CKA_KEY_TYPE, U(CKK_RSA)},
               {CKA_MODULUS, kModulus},
               {CKA_PUBLIC_EXPONENT, kExponent}});
}
AttributeMap ec_public_tmpl() {
  return make({{CKA_CLASS, U(CKO_PUBLIC_KEY)},
               {CKA_KEY_TYPE, U(CKK_EC)},
               {CKA_EC_PARAMS, kP256Params},
               {CKA_EC_POINT, kEcPoint}});
}
AttributeMap rsa_private_tmpl() {
  return make({{CKA_CLASS, U(CKO_PRIVATE_KEY)},
               {CKA_KEY_TYPE, U(CKK_RSA)},
               {CKA_MODULUS, kModulus},
               {CKA_PUBLIC_EXPONENT, kExponent},
               {CKA_PRIVATE_EXPONENT, R(256, 0x33)}});
}
AttributeMap ec_private_tmpl() {
  return make({{CKA_CLASS, U(CKO_PRIVATE_KEY)},
               {CKA_KEY_TYPE, U(CKK_EC)},
               {CKA_EC_PARAMS, kP256Params},
               {CKA_VALUE, R(32, 0x44)}});
}
AttributeMap secret_tmpl(CK_KEY_TYPE type, std::size_t len) {
  return make({{CKA_CLASS, U(CKO_SECRET_KEY)}, {CKA_KEY_TYPE, U(type)}, {CKA_VALUE, R(len, 0)}});
}

// A real certificate made with OpenSSL, and the DER of its parts.
struct TestCert {
  Bytes der, subject, issuer, serial, spki;
};
template <class T, class I2d>
Bytes der_of(const T* object, I2d i2d) {
  unsigned char* p = nullptr;
  int len = i2d(object, &p);
  Bytes out(p, p + (len > 0 ? len : 0));
  OPENSSL_free(p);
  return out;
}
const TestCert& test_cert() {
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
AttributeMap cert_tmpl() {
  return make({{CKA_CLASS, U(CKO_CERTIFICATE)},
               {CKA_CERTIFICATE_TYPE, U(CKC_X_509)},
               {CKA_VALUE, secure_copy(view(test_cert().der))}});
}

SecureBytes sha1_prefix(ByteView data) {
  unsigned char md[SHA_DIGEST_LENGTH];
  SHA1(data.data(), data.size(), md);
  return SecureBytes(md, md + 3);
}

// Expects `object` to hold exactly these values for these types.
void expect_values(const AttributeMap& object, const std::vector<Attr>& expected) {
  for (const Attr& a : expected) {
    SCOPED_TRACE(::testing::Message() << "attribute 0x" << std::hex << a.type);
    const SecureBytes* got = object.find(a.type);
    ASSERT_NE(got, nullptr);
    EXPECT_EQ(*got, a.value);
  }
}

// ---- complete_new_object: defaults ----

struct DefaultsCase {
  const char* name;
  std::function<AttributeMap()> tmpl;
  std::vector<Attr> expected;
  std::vector<CK_ATTRIBUTE_TYPE> absent;
};

TEST(AttributeRulesCreate, DefaultsPerClass) {
  const std::vector<Attr> storage_public = {{CKA_TOKEN, B(false)},      {CKA_PRIVATE, B(false)},
                                            {CKA_MODIFIABLE, B(true)},  {CKA_COPYABLE, B(true)},
                                            {CKA_DESTROYABLE, B(true)}, {CKA_LABEL, kEmpty}};
  const std::vector<Attr> key_created = {{CKA_ID, kEmpty},
                                         {CKA_START_DATE, kEmpty},
                                         {CKA_END_DATE, kEmpty},
                                         {CKA_DERIVE, B(false)},
                                         {CKA_LOCAL, B(false)},
                                         {CKA_KEY_GEN_MECHANISM, U(CK_UNAVAILABLE_INFORMATION)},
                                         {CKA_ALLOWED_MECHANISMS, kEmpty}};
  const std::vector<Attr> public_key = {
      {CKA_PRIVATE, B(false)}, {CKA_SUBJECT, kEmpty},          {CKA_ENCRYPT, B(true)},
      {CKA_VERIFY, B(true)},   {CKA_VERIFY_RECOVER, B(false)}, {CKA_WRAP, B(false)},
      {CKA_TRUSTED, B(false)}, {CKA_WRAP_TEMPLATE, kEmpty},    {CKA_PUBLIC_KEY_INFO, kEmpty}};
  const std::vector<Attr> private_key = {{CKA_PRIVATE, B(true)},
                                         {CKA_SUBJECT, kEmpty},
                                         {CKA_SENSITIVE, B(true)},
                                         {CKA_DECRYPT, B(true)},
                                         {CKA_SIGN, B(true)},
                                         {CKA_SIGN_RECOVER, B(false)},
                                         {CKA_UNWRAP, B(false)},
                                         {CKA_EXTRACTABLE, B(false)},
                                         {CKA_ALWAYS_SENSITIVE, B(false)},
                                         {CKA_NEVER_EXTRACTABLE, B(false)},
                                         {CKA_WRAP_WITH_TRUSTED, B(false)},
                                         {CKA_UNWRAP_TEMPLATE, kEmpty},
                                         {CKA_ALWAYS_AUTHENTICATE, B(false)},
                                         {CKA_PUBLIC_KEY_INFO, kEmpty}};
  const std::vector<Attr> secret_key = {{CKA_PRIVATE, B(true)},
                                        {CKA_SENSITIVE, B(true)},
                                        {CKA_ENCRYPT, B(true)},
                                        {CKA_DECRYPT, B(true)},
                                        {CKA_SIGN, B(true)},
                                        {CKA_VERIFY, B(true)},
                                        {CKA_WRAP, B(false)},
                                        {CKA_UNWRAP, B(false)},
                                        {CKA_EXTRACTABLE, B(false)},
                                        {CKA_ALWAYS_SENSITIVE, B(false)},
                                        {CKA_NEVER_EXTRACTABLE, B(false)},
                                        {CKA_WRAP_WITH_TRUSTED, B(false)},
                                        {CKA_TRUSTED, B(false)},
                                        {CKA_WRAP_TEMPLATE, kEmpty},
                                        {CKA_UNWRAP_TEMPLATE, kEmpty}};
  auto join = [](std::initializer_list<std::vector<Attr>> parts) {
    std::vector<Attr> all;
    for (const auto& p : parts) all.insert(all.end(), p.begin(), p.end());
    return all;
  };

  const DefaultsCase cases[] = {
      {"data",
       data_tmpl,
       join({storage_public, {{CKA_APPLICATION, kEmpty}, {CKA_OBJECT_ID, kEmpty}, {CKA_VALUE, kEmpty}}}),
       {CKA_UNIQUE_ID, CKA_KEY_TYPE}},
      {"certificate",
       cert_tmpl,
       join({storage_public,
             {{CKA_TRUSTED, B(false)},
              {CKA_CERTIFICATE_CATEGORY, U(0)},
              {CKA_START_DATE, kEmpty},
              {CKA_END_DATE, kEmpty},
              {CKA_ID, kEmpty},
              {CKA_URL, kEmpty},
              {CKA_HASH_OF_SUBJECT_PUBLIC_KEY, kEmpty},
              {CKA_HASH_OF_ISSUER_PUBLIC_KEY, kEmpty},
              {CKA_JAVA_MIDP_SECURITY_DOMAIN, U(0)},
              {CKA_NAME_HASH_ALGORITHM, U(CKM_SHA_1)},
              {CKA_CHECK_VALUE, sha1_prefix(view(test_cert().der))}}}),
       {CKA_UNIQUE_ID}},
      {"RSA public key",
       rsa_public_tmpl,
       join({storage_public, key_created, public_key, {{CKA_MODULUS_BITS, U(2048)}}}),
       {CKA_UNIQUE_ID}},
      {"EC public key",
       ec_public_tmpl,
       join({storage_public, key_created, public_key}),
       {CKA_UNIQUE_ID, CKA_MODULUS_BITS}},
      {"RSA private key",
       rsa_private_tmpl,
       join({key_created, private_key}),
       {CKA_UNIQUE_ID, CKA_PRIME_1, CKA_COEFFICIENT}},
      {"EC private key", ec_private_tmpl, join({key_created, private_key}), {CKA_UNIQUE_ID, CKA_EC_POINT}},
      {"generic secret",
       [] { return secret_tmpl(CKK_GENERIC_SECRET, 20); },
       join({key_created, secret_key, {{CKA_VALUE_LEN, U(20)}, {CKA_CHECK_VALUE, sha1_prefix(view(R(20, 0)))}}}),
       {CKA_UNIQUE_ID}},
      // AES-128 of a zero block under the zero key starts 66 e9 4b (FIPS-197
      // known answer), so that is the check value of an all-zero AES-128 key.
      {"AES key",
       [] { return secret_tmpl(CKK_AES, 16); },
       join({key_created, secret_key, {{CKA_VALUE_LEN, U(16)}, {CKA_CHECK_VALUE, SecureBytes{0x66, 0xe9, 0x4b}}}}),
       {CKA_UNIQUE_ID}},
  };
  for (const DefaultsCase& c : cases) {
    SCOPED_TRACE(c.name);
    AttributeMap object = complete_new_object(c.tmpl(), Origin::create);
    expect_values(object, c.expected);
    for (CK_ATTRIBUTE_TYPE t : c.absent) EXPECT_FALSE(object.has(t)) << std::hex << t;
  }
}

TEST(AttributeRulesCreate, TemplateValuesWinOverDefaults) {
  AttributeMap object = complete_new_object(
      with(with(with(rsa_private_tmpl(), CKA_SIGN, B(false)), CKA_EXTRACTABLE, B(true)), CKA_LABEL, S("my key")),
      Origin::create);
  expect_values(object, {{CKA_SIGN, B(false)}, {CKA_EXTRACTABLE, B(true)}, {CKA_LABEL, S("my key")}});
}

TEST(AttributeRulesCreate, BooleansAreNormalised) {
  AttributeMap object = complete_new_object(with(rsa_private_tmpl(), CKA_SIGN, SecureBytes{0x05}), Origin::create);
  EXPECT_EQ(object.at(CKA_SIGN), B(true));
}

// ---- complete_new_object: errors ----

struct ErrorCase {
  const char* name;
  AttributeMap tmpl;
  CK_RV expected;
};

void expect_create_errors(const std::vector<ErrorCase>& cases) {
  for (const ErrorCase& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(create_rv(c.tmpl), c.expected);
  }
}

TEST(AttributeRulesCreate, EachRequiredAttributeMissing) {
  struct Drop {
    const char* name;
    AttributeMap tmpl;
    CK_ATTRIBUTE_TYPE type;
  };
  const Drop drops[] = {
      {"data", data_tmpl(), CKA_CLASS},
      {"certificate", cert_tmpl(), CKA_CLASS},
      {"certificate", cert_tmpl(), CKA_CERTIFICATE_TYPE},
      {"certificate", cert_tmpl(), CKA_VALUE},
      {"RSA public", rsa_public_tmpl(), CKA_KEY_TYPE},
      {"RSA public", rsa_public_tmpl(), CKA_MODULUS},
      {"RSA public", rsa_public_tmpl(), CKA_PUBLIC_EXPONENT},
      {"EC public", ec_public_tmpl(), CKA_EC_PARAMS},
      {"EC public", ec_public_tmpl(), CKA_EC_POINT},
      {"RSA private", rsa_private_tmpl(), CKA_KEY_TYPE},
      {"RSA private", rsa_private_tmpl(), CKA_MODULUS},
      {"RSA private", rsa_private_tmpl(), CKA_PUBLIC_EXPONENT},
      {"RSA private", rsa_private_tmpl(), CKA_PRIVATE_EXPONENT},
      {"EC private", ec_private_tmpl(), CKA_EC_PARAMS},
      {"EC private", ec_private_tmpl(), CKA_VALUE},
      {"generic secret", secret_tmpl(CKK_GENERIC_SECRET, 20), CKA_VALUE},
      {"AES", secret_tmpl(CKK_AES, 32), CKA_VALUE},
      {"AES", secret_tmpl(CKK_AES, 32), CKA_KEY_TYPE},
  };
  for (const Drop& d : drops) {
    SCOPED_TRACE(::testing::Message() << d.name << " without 0x" << std::hex << d.type);
    EXPECT_EQ(create_rv(without(d.tmpl, d.type)), CKR_TEMPLATE_INCOMPLETE);
  }
}

TEST(AttributeRulesCreate, AttributesTheCallerMayNotGive) {
  expect_create_errors({
      {"CKA_UNIQUE_ID", with(data_tmpl(), CKA_UNIQUE_ID, S("1")), CKR_ATTRIBUTE_READ_ONLY},
      {"CKA_LOCAL", with(rsa_public_tmpl(), CKA_LOCAL, B(true)), CKR_ATTRIBUTE_READ_ONLY},
      {"CKA_KEY_GEN_MECHANISM", with(ec_public_tmpl(), CKA_KEY_GEN_MECHANISM, U(CKM_EC_KEY_PAIR_GEN)),
       CKR_ATTRIBUTE_READ_ONLY},
      {"CKA_ALWAYS_SENSITIVE", with(rsa_private_tmpl(), CKA_ALWAYS_SENSITIVE, B(true)), CKR_ATTRIBUTE_READ_ONLY},
      {"CKA_NEVER_EXTRACTABLE", with(secret_tmpl(CKK_AES, 16), CKA_NEVER_EXTRACTABLE, B(true)),
       CKR_ATTRIBUTE_READ_ONLY},
      {"CKA_MODULUS_BITS", with(rsa_public_tmpl(), CKA_MODULUS_BITS, U(2048)), CKR_TEMPLATE_INCONSISTENT},
      {"CKA_VALUE_LEN", with(secret_tmpl(CKK_AES, 16), CKA_VALUE_LEN, U(16)), CKR_TEMPLATE_INCONSISTENT},
  });
}

TEST(AttributeRulesCreate, AttributesOfAnotherClass) {
  expect_create_errors({
      {"CKA_MODULUS on EC", with(ec_public_tmpl(), CKA_MODULUS, kModulus), CKR_ATTRIBUTE_TYPE_INVALID},
      {"CKA_VALUE on RSA public", with(rsa_public_tmpl(), CKA_VALUE, S("x")), CKR_ATTRIBUTE_TYPE_INVALID},
      {"CKA_SENSITIVE on data", with(data_tmpl(), CKA_SENSITIVE, B(true)), CKR_ATTRIBUTE_TYPE_INVALID},
      {"CKA_SIGN on public", with(rsa_public_tmpl(), CKA_SIGN, B(true)), CKR_ATTRIBUTE_TYPE_INVALID},
      {"CKA_PRIME_1 on EC private", with(ec_private_tmpl(), CKA_PRIME_1, S("p")), CKR_ATTRIBUTE_TYPE_INVALID},
      {"undefined type", with(data_tmpl(), 0x7777, S("?")), CKR_ATTRIBUTE_TYPE_INVALID},
  });
}

TEST(AttributeRulesCreate, UnsupportedClassesAndTypes) {
  expect_create_errors({
      {"no class", make({{CKA_LABEL, S("x")}}), CKR_TEMPLATE_INCOMPLETE},
      {"domain parameters", make({{CKA_CLASS, U(CKO_DOMAIN_PARAMETERS)}}), CKR_ATTRIBUTE_VALUE_INVALID},
      {"vendor class", make({{CKA_CLASS, U(CKO_VENDOR_DEFINED | 1)}}), CKR_ATTRIBUTE_VALUE_INVALID},
      {"WTLS certificate", with(cert_tmpl(), CKA_CERTIFICATE_TYPE, U(CKC_WTLS)), CKR_ATTRIBUTE_VALUE_INVALID},
      {"DSA public key", with(rsa_public_tmpl(), CKA_KEY_TYPE, U(CKK_DSA)), CKR_ATTRIBUTE_VALUE_INVALID},
      {"AES private key", with(rsa_private_tmpl(), CKA_KEY_TYPE, U(CKK_AES)), CKR_ATTRIBUTE_VALUE_INVALID},
      {"RSA secret key", with(secret_tmpl(CKK_AES, 16), CKA_KEY_TYPE, U(CKK_RSA)), CKR_ATTRIBUTE_VALUE_INVALID},
  });
}

TEST(AttributeRulesCreate, BadValues) {
  expect_create_errors({
      {"bool of 2 bytes", with(data_tmpl(), CKA_TOKEN, SecureBytes{1, 0}), CKR_ATTRIBUTE_VALUE_INVALID},
      {"empty bool", with(data_tmpl(), CKA_PRIVATE, kEmpty), CKR_ATTRIBUTE_VALUE_INVALID},
      {"class of 4 bytes", make({{CKA_CLASS, SecureBytes{0, 0, 0, 0}}}), CKR_ATTRIBUTE_VALUE_INVALID},
      {"key type of 1 byte", with(rsa_public_tmpl(), CKA_KEY_TYPE, SecureBytes{0}), CKR_ATTRIBUTE_VALUE_INVALID},
      {"date of 7 bytes", with(rsa_public_tmpl(), CKA_START_DATE, S("2024010")), CKR_ATTRIBUTE_VALUE_INVALID},
      {"mechanism list of 5 bytes", with(rsa_public_tmpl(), CKA_ALLOWED_MECHANISMS, R(5, 0)),
       CKR_ATTRIBUTE_VALUE_INVALID},
      {"non-empty wrap template", with(rsa_public_tmpl(), CKA_WRAP_TEMPLATE, R(sizeof(CK_ATTRIBUTE), 0)),
       CKR_ATTRIBUTE_VALUE_INVALID},
      {"category of 1 byte", with(cert_tmpl(), CKA_CERTIFICATE_CATEGORY, SecureBytes{1}), CKR_ATTRIBUTE_VALUE_INVALID},
      {"category 4", with(cert_tmpl(), CKA_CERTIFICATE_CATEGORY, U(4)), CKR_ATTRIBUTE_VALUE_INVALID},
      {"MIDP domain 4", with(cert_tmpl(), CKA_JAVA_MIDP_SECURITY_DOMAIN, U(4)), CKR_ATTRIBUTE_VALUE_INVALID},
      {"empty modulus", with(rsa_public_tmpl(), CKA_MODULUS, kEmpty), CKR_ATTRIBUTE_VALUE_INVALID},
      {"empty private exponent", with(rsa_private_tmpl(), CKA_PRIVATE_EXPONENT, kEmpty), CKR_ATTRIBUTE_VALUE_INVALID},
      {"AES key of 15 bytes", secret_tmpl(CKK_AES, 15), CKR_ATTRIBUTE_VALUE_INVALID},
      {"AES key of 64 bytes", secret_tmpl(CKK_AES, 64), CKR_ATTRIBUTE_VALUE_INVALID},
      {"wrong AES check value", with(secret_tmpl(CKK_AES, 16), CKA_CHECK_VALUE, SecureBytes{1, 2, 3}),
       CKR_ATTRIBUTE_VALUE_INVALID},
  });
}

TEST(AttributeRulesCreate, GoodValuesOfEachKind) {
  CK_ULONG mechs[] = {CKM_RSA_PKCS, CKM_SHA256_RSA_PKCS};
  AttributeMap object =
      complete_new_object(with(with(with(rsa_public_tmpl(), CKA_START_DATE, S("20240101")), CKA_END_DATE, kEmpty),
                               CKA_ALLOWED_MECHANISMS, secure_copy(view(mechs, sizeof mechs))),
                          Origin::create);
  EXPECT_EQ(object.at(CKA_START_DATE), S("20240101"));
  EXPECT_EQ(object.at(CKA_ALLOWED_MECHANISMS).size(), sizeof mechs);
  // A caller may also give the right check value, or an empty one (none wanted).
  EXPECT_EQ(create_rv(with(secret_tmpl(CKK_AES, 16), CKA_CHECK_VALUE, SecureBytes{0x66, 0xe9, 0x4b})), CKR_OK);
  EXPECT_EQ(
      complete_new_object(with(secret_tmpl(CKK_AES, 16), CKA_CHECK_VALUE, kEmpty), Origin::create).at(CKA_CHECK_VALUE),
      kEmpty);
  // The SO check of CKA_TRUSTED=TRUE is the token layer's.
  EXPECT_EQ(create_rv(with(rsa_public_tmpl(), CKA_TRUSTED, B(true))), CKR_OK);
  EXPECT_EQ(create_rv(with(cert_tmpl(), CKA_TRUSTED, B(true))), CKR_OK);
}

// ---- Certificates ----

TEST(AttributeRulesCertificate, FieldsComeFromTheCertificate) {
  const TestCert& c = test_cert();
  AttributeMap object = complete_new_object(cert_tmpl(), Origin::create);
  expect_values(object, {{CKA_SUBJECT, secure_copy(view(c.subject))},
                         {CKA_ISSUER, secure_copy(view(c.issuer))},
                         {CKA_SERIAL_NUMBER, secure_copy(view(c.serial))},
                         {CKA_PUBLIC_KEY_INFO, secure_copy(view(c.spki))},
                         {CKA_VALUE, secure_copy(view(c.der))}});
}

TEST(AttributeRulesCertificate, GivenFieldsAreKept) {
  AttributeMap object =
      complete_new_object(with(with(cert_tmpl(), CKA_SUBJECT, S("given subject")), CKA_ID, S("id")), Origin::create);
  EXPECT_EQ(object.at(CKA_SUBJECT), S("given subject"));
  EXPECT_EQ(object.at(CKA_ID), S("id"));
  EXPECT_EQ(object.at(CKA_ISSUER), secure_copy(view(test_cert().issuer)));
}

TEST(AttributeRulesCertificate, ValueMustBeACertificate) {
  SecureBytes trailing = secure_copy(view(test_cert().der));
  trailing.push_back(0);
  expect_create_errors({
      {"garbage", with(cert_tmpl(), CKA_VALUE, S("not a certificate")), CKR_ATTRIBUTE_VALUE_INVALID},
      {"empty", with(cert_tmpl(), CKA_VALUE, kEmpty), CKR_ATTRIBUTE_VALUE_INVALID},
      {"trailing byte", with(cert_tmpl(), CKA_VALUE, trailing), CKR_ATTRIBUTE_VALUE_INVALID},
      {"wrong check value", with(cert_tmpl(), CKA_CHECK_VALUE, SecureBytes{0, 0, 0}), CKR_ATTRIBUTE_VALUE_INVALID},
  });
}

// ---- NSS (pk12util) imports ----

TEST(AttributeRulesCreate, Pk12utilRsaPrivateKey) {
  AttributeMap tmpl = make({{CKA_CLASS, U(CKO_PRIVATE_KEY)},
                            {CKA_KEY_TYPE, U(CKK_RSA)},
                            {CKA_TOKEN, B(true)},
                            {CKA_SENSITIVE, B(true)},
                            {CKA_PRIVATE, B(true)},
                            {CKA_LABEL, S("nickname")},
                            {CKA_ID, R(20, 0xab)},
                            {CKA_SUBJECT, S("subject DER")},
                            {CKA_SIGN, B(true)},
                            {CKA_SIGN_RECOVER, B(true)},
                            {CKA_DECRYPT, B(true)},
                            {CKA_UNWRAP, B(true)},
                            {CKA_DERIVE, B(false)},
                            {CKA_MODULUS, kModulus},
                            {CKA_PUBLIC_EXPONENT, kExponent},
                            {CKA_PRIVATE_EXPONENT, R(256, 1)},
                            {CKA_PRIME_1, R(128, 2)},
                            {CKA_PRIME_2, R(128, 3)},
                            {CKA_EXPONENT_1, R(128, 4)},
                            {CKA_EXPONENT_2, R(128, 5)},
                            {CKA_COEFFICIENT, R(128, 6)},
                            {kNssDb, kModulus}});
  AttributeMap object = complete_new_object(tmpl, Origin::create);
  for (const auto& [type, value] : tmpl.values()) EXPECT_EQ(object.at(type), value) << std::hex << type;
  expect_values(object, {{CKA_LOCAL, B(false)}, {CKA_ALWAYS_SENSITIVE, B(false)}, {CKA_EXTRACTABLE, B(false)}});
  EXPECT_EQ(visibility(object, kNssDb), Visibility::visible);
  EXPECT_EQ(visibility(object, CKA_PRIME_1), Visibility::sensitive);
}

TEST(AttributeRulesCreate, Pk12utilEcPrivateKey) {
  AttributeMap tmpl = make({{CKA_CLASS, U(CKO_PRIVATE_KEY)},
                            {CKA_KEY_TYPE, U(CKK_EC)},
                            {CKA_TOKEN, B(true)},
                            {CKA_SENSITIVE, B(true)},
                            {CKA_PRIVATE, B(true)},
                            {CKA_LABEL, S("nickname")},
                            {CKA_ID, R(20, 0xcd)},
                            {CKA_SIGN, B(true)},
                            {CKA_DERIVE, B(true)},
                            {CKA_EC_PARAMS, kP256Params},
                            {CKA_VALUE, R(32, 7)},
                            {CKA_EC_POINT, kEcPoint},
                            {kNssDb, kEcPoint}});
  AttributeMap object = complete_new_object(tmpl, Origin::create);
  for (const auto& [type, value] : tmpl.values()) EXPECT_EQ(object.at(type), value) << std::hex << type;
  EXPECT_EQ(visibility(object, CKA_VALUE), Visibility::sensitive);
  EXPECT_EQ(visibility(object, CKA_EC_POINT), Visibility::visible);
}

// ---- complete_new_object: generated keys ----

struct Generated {
  AttributeMap public_key, private_key;
};
Generated rsa_generated() {
  return {make({{CKA_CLASS, U(CKO_PUBLIC_KEY)},
                {CKA_KEY_TYPE, U(CKK_RSA)},
                {CKA_MODULUS, kModulus},
                {CKA_PUBLIC_EXPONENT, kExponent},
                {CKA_MODULUS_BITS, U(2048)}}),
          make({{CKA_CLASS, U(CKO_PRIVATE_KEY)},
                {CKA_KEY_TYPE, U(CKK_RSA)},
                {CKA_MODULUS, kModulus},
                {CKA_PUBLIC_EXPONENT, kExponent},
                {CKA_PRIVATE_EXPONENT, R(256, 1)},
                {CKA_PRIME_1, R(128, 2)}})};
}
const AttributeMap kRsaGenTemplate = make({{CKA_MODULUS_BITS, U(2048)}, {CKA_TOKEN, B(true)}});

AttributeMap generate(const AttributeMap& tmpl, const AttributeMap& made, CK_MECHANISM_TYPE mech) {
  return complete_new_object(tmpl, Origin::generate, made, mech);
}
CK_RV generate_rv(const AttributeMap& tmpl, const AttributeMap& made) {
  return rv_of([&] { generate(tmpl, made, CKM_RSA_PKCS_KEY_PAIR_GEN); });
}

TEST(AttributeRulesGenerate, RsaKeyPair) {
  Generated g = rsa_generated();
  // 65537 with a leading zero in the template is the same exponent.
  AttributeMap pub = generate(with(kRsaGenTemplate, CKA_PUBLIC_EXPONENT, SecureBytes{0, 1, 0, 1}), g.public_key,
                              CKM_RSA_PKCS_KEY_PAIR_GEN);
  expect_values(pub, {{CKA_CLASS, U(CKO_PUBLIC_KEY)},
                      {CKA_TOKEN, B(true)},
                      {CKA_LOCAL, B(true)},
                      {CKA_KEY_GEN_MECHANISM, U(CKM_RSA_PKCS_KEY_PAIR_GEN)},
                      {CKA_MODULUS, kModulus},
                      {CKA_PUBLIC_EXPONENT, kExponent},
                      {CKA_MODULUS_BITS, U(2048)},
                      {CKA_VERIFY, B(true)}});
  AttributeMap priv =
      generate(make({{CKA_TOKEN, B(true)}, {CKA_KEY_TYPE, U(CKK_RSA)}}), g.private_key, CKM_RSA_PKCS_KEY_PAIR_GEN);
  expect_values(priv, {{CKA_CLASS, U(CKO_PRIVATE_KEY)},
                       {CKA_LOCAL, B(true)},
                       {CKA_KEY_GEN_MECHANISM, U(CKM_RSA_PKCS_KEY_PAIR_GEN)},
                       {CKA_SENSITIVE, B(true)},
                       {CKA_ALWAYS_SENSITIVE, B(true)},
                       {CKA_EXTRACTABLE, B(false)},
                       {CKA_NEVER_EXTRACTABLE, B(true)},
                       {CKA_PRIVATE_EXPONENT, R(256, 1)}});
}

TEST(AttributeRulesGenerate, HistoryFollowsTheTemplate) {
  Generated g = rsa_generated();
  AttributeMap priv =
      generate(make({{CKA_SENSITIVE, B(false)}, {CKA_EXTRACTABLE, B(true)}}), g.private_key, CKM_RSA_PKCS_KEY_PAIR_GEN);
  expect_values(priv, {{CKA_ALWAYS_SENSITIVE, B(false)}, {CKA_NEVER_EXTRACTABLE, B(false)}});
}

TEST(AttributeRulesGenerate, EcAndAesKeys) {
  AttributeMap ec_made = make({{CKA_CLASS, U(CKO_PUBLIC_KEY)},
                               {CKA_KEY_TYPE, U(CKK_EC)},
                               {CKA_EC_PARAMS, kP256Params},
                               {CKA_EC_POINT, kEcPoint}});
  AttributeMap ec = generate(make({{CKA_EC_PARAMS, kP256Params}}), ec_made, CKM_EC_KEY_PAIR_GEN);
  expect_values(ec, {{CKA_EC_POINT, kEcPoint}, {CKA_KEY_GEN_MECHANISM, U(CKM_EC_KEY_PAIR_GEN)}});
  EXPECT_EQ(rv_of([&] {
              generate(make({{CKA_LABEL, S("no params")}}), ec_made, CKM_EC_KEY_PAIR_GEN);
            }),
            CKR_TEMPLATE_INCOMPLETE);

  AttributeMap aes_made = make({{CKA_CLASS, U(CKO_SECRET_KEY)}, {CKA_KEY_TYPE, U(CKK_AES)}, {CKA_VALUE, R(32, 9)}});
  AttributeMap aes = generate(make({{CKA_VALUE_LEN, U(32)}}), aes_made, CKM_AES_KEY_GEN);
  expect_values(aes, {{CKA_VALUE_LEN, U(32)}, {CKA_LOCAL, B(true)}, {CKA_ALWAYS_SENSITIVE, B(true)}});
  EXPECT_EQ(aes.at(CKA_CHECK_VALUE).size(), 3u);
  EXPECT_EQ(rv_of([&] {
              generate(make({{CKA_VALUE_LEN, U(16)}}), aes_made, CKM_AES_KEY_GEN);
            }),
            CKR_TEMPLATE_INCONSISTENT);
  EXPECT_EQ(rv_of([&] { generate(AttributeMap{}, aes_made, CKM_AES_KEY_GEN); }), CKR_TEMPLATE_INCOMPLETE);
}

TEST(AttributeRulesGenerate, TemplateErrors) {
  Generated g = rsa_generated();
  const struct {
    const char* name;
    AttributeMap tmpl;
    AttributeMap made;
    CK_RV expected;
  } cases[] = {
      {"no CKA_MODULUS_BITS", make({{CKA_TOKEN, B(true)}}), g.public_key, CKR_TEMPLATE_INCOMPLETE},
      {"other CKA_MODULUS_BITS", make({{CKA_MODULUS_BITS, U(3072)}}), g.public_key, CKR_TEMPLATE_INCONSISTENT},
      {"other exponent", with(kRsaGenTemplate, CKA_PUBLIC_EXPONENT, SecureBytes{3}), g.public_key,
       CKR_TEMPLATE_INCONSISTENT},
      {"CKA_MODULUS given", with(kRsaGenTemplate, CKA_MODULUS, kModulus), g.public_key, CKR_TEMPLATE_INCONSISTENT},
      {"CKA_PRIVATE_EXPONENT given", make({{CKA_PRIVATE_EXPONENT, R(256, 1)}}), g.private_key,
       CKR_TEMPLATE_INCONSISTENT},
      {"CKA_MODULUS on the private key", make({{CKA_MODULUS, kModulus}}), g.private_key, CKR_TEMPLATE_INCONSISTENT},
      {"other key type", with(kRsaGenTemplate, CKA_KEY_TYPE, U(CKK_EC)), g.public_key, CKR_TEMPLATE_INCONSISTENT},
      {"other class", with(kRsaGenTemplate, CKA_CLASS, U(CKO_PRIVATE_KEY)), g.public_key, CKR_TEMPLATE_INCONSISTENT},
      {"CKA_LOCAL given", with(kRsaGenTemplate, CKA_LOCAL, B(false)), g.public_key, CKR_ATTRIBUTE_READ_ONLY},
      {"mechanism made a foreign attribute", kRsaGenTemplate, with(g.public_key, CKA_VALUE, S("?")), CKR_GENERAL_ERROR},
      {"a data object", make({{CKA_CLASS, U(CKO_DATA)}}), AttributeMap{}, CKR_TEMPLATE_INCONSISTENT},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(generate_rv(c.tmpl, c.made), c.expected);
  }
}

// ---- apply_change and apply_copy ----

enum class Op { set, set_as_so, copy };
struct ChangeCase {
  const char* name;
  AttributeMap object;  // a completed object
  Op op;
  CK_ATTRIBUTE_TYPE type;
  SecureBytes value;
  CK_RV expected;
};

AttributeMap created(const AttributeMap& tmpl) { return complete_new_object(tmpl, Origin::create); }

void run_change_cases(const std::vector<ChangeCase>& cases) {
  for (const ChangeCase& c : cases) {
    SCOPED_TRACE(c.name);
    AttributeMap change = make({{c.type, c.value}});
    AttributeMap result;
    CK_RV rv = rv_of([&] {
      result = c.op == Op::copy ? apply_copy(c.object, change) : apply_change(c.object, change, c.op == Op::set_as_so);
    });
    EXPECT_EQ(rv, c.expected);
    if (rv == CKR_OK && c.type != CKA_UNIQUE_ID) {
      EXPECT_EQ(result.at(c.type), c.value);
    }
  }
}

TEST(AttributeRulesChange, SetAttributeValue) {
  const AttributeMap data = created(data_tmpl());
  const AttributeMap cert = created(cert_tmpl());
  const AttributeMap pub = created(rsa_public_tmpl());
  const AttributeMap priv = created(rsa_private_tmpl());
  const AttributeMap loose = created(with(with(rsa_private_tmpl(), CKA_SENSITIVE, B(false)), CKA_EXTRACTABLE, B(true)));
  const AttributeMap wwt = created(with(ec_private_tmpl(), CKA_WRAP_WITH_TRUSTED, B(true)));
  const AttributeMap aes = created(secret_tmpl(CKK_AES, 16));
  const AttributeMap uncopyable = created(with(data_tmpl(), CKA_COPYABLE, B(false)));
  run_change_cases({
      {"label", data, Op::set, CKA_LABEL, S("new"), CKR_OK},
      {"data value", data, Op::set, CKA_VALUE, S("new"), CKR_OK},
      {"same class", data, Op::set, CKA_CLASS, U(CKO_DATA), CKR_OK},
      {"other class", data, Op::set, CKA_CLASS, U(CKO_CERTIFICATE), CKR_ATTRIBUTE_READ_ONLY},
      {"token (copy only)", data, Op::set, CKA_TOKEN, B(true), CKR_ATTRIBUTE_READ_ONLY},
      {"private (copy only)", data, Op::set, CKA_PRIVATE, B(true), CKR_ATTRIBUTE_READ_ONLY},
      {"modifiable (copy only)", data, Op::set, CKA_MODIFIABLE, B(false), CKR_ATTRIBUTE_READ_ONLY},
      {"destroyable (copy only)", data, Op::set, CKA_DESTROYABLE, B(false), CKR_ATTRIBUTE_READ_ONLY},
      {"copyable TRUE->FALSE", data, Op::set, CKA_COPYABLE, B(false), CKR_OK},
      {"copyable FALSE->TRUE", uncopyable, Op::set, CKA_COPYABLE, B(true), CKR_ATTRIBUTE_READ_ONLY},
      {"unique id", data, Op::set, CKA_UNIQUE_ID, S("x"), CKR_ATTRIBUTE_READ_ONLY},
      {"key attribute on data", data, Op::set, CKA_MODULUS, kModulus, CKR_ATTRIBUTE_TYPE_INVALID},
      {"bool of 2 bytes", priv, Op::set, CKA_SIGN, SecureBytes{1, 1}, CKR_ATTRIBUTE_VALUE_INVALID},
      {"vendor attribute", data, Op::set, kNssDb, S("opaque"), CKR_OK},

      {"sensitive FALSE->TRUE", loose, Op::set, CKA_SENSITIVE, B(true), CKR_OK},
      {"sensitive TRUE->FALSE", priv, Op::set, CKA_SENSITIVE, B(false), CKR_ATTRIBUTE_READ_ONLY},
      {"extractable TRUE->FALSE", loose, Op::set, CKA_EXTRACTABLE, B(false), CKR_OK},
      {"extractable FALSE->TRUE", priv, Op::set, CKA_EXTRACTABLE, B(true), CKR_ATTRIBUTE_READ_ONLY},
      {"wrap with trusted FALSE->TRUE", priv, Op::set, CKA_WRAP_WITH_TRUSTED, B(true), CKR_OK},
      {"wrap with trusted TRUE->FALSE", wwt, Op::set, CKA_WRAP_WITH_TRUSTED, B(false), CKR_ATTRIBUTE_READ_ONLY},
      {"sign", priv, Op::set, CKA_SIGN, B(false), CKR_OK},
      {"id", priv, Op::set, CKA_ID, S("new id"), CKR_OK},
      {"always authenticate", priv, Op::set, CKA_ALWAYS_AUTHENTICATE, B(true), CKR_ATTRIBUTE_READ_ONLY},
      {"always sensitive", loose, Op::set, CKA_ALWAYS_SENSITIVE, B(true), CKR_ATTRIBUTE_READ_ONLY},
      {"local", priv, Op::set, CKA_LOCAL, B(true), CKR_ATTRIBUTE_READ_ONLY},
      {"key type", priv, Op::set, CKA_KEY_TYPE, U(CKK_EC), CKR_ATTRIBUTE_READ_ONLY},
      {"modulus", priv, Op::set, CKA_MODULUS, S("other"), CKR_ATTRIBUTE_READ_ONLY},
      {"allowed mechanisms", priv, Op::set, CKA_ALLOWED_MECHANISMS, U(CKM_RSA_PKCS), CKR_ATTRIBUTE_READ_ONLY},
      // Restating a secret must fail like any change, or it would confirm a guess.
      {"private exponent restated", priv, Op::set, CKA_PRIVATE_EXPONENT, R(256, 0x33), CKR_ATTRIBUTE_READ_ONLY},
      {"AES value restated", aes, Op::set, CKA_VALUE, R(16, 0), CKR_ATTRIBUTE_READ_ONLY},
      {"value len", aes, Op::set, CKA_VALUE_LEN, U(32), CKR_ATTRIBUTE_READ_ONLY},

      {"trusted by user", pub, Op::set, CKA_TRUSTED, B(true), CKR_ATTRIBUTE_READ_ONLY},
      {"trusted by SO", pub, Op::set_as_so, CKA_TRUSTED, B(true), CKR_OK},
      {"verify", pub, Op::set, CKA_VERIFY, B(false), CKR_OK},
      {"modulus bits", pub, Op::set, CKA_MODULUS_BITS, U(1024), CKR_ATTRIBUTE_READ_ONLY},

      {"certificate id", cert, Op::set, CKA_ID, S("id"), CKR_OK},
      {"certificate issuer", cert, Op::set, CKA_ISSUER, S("issuer"), CKR_OK},
      {"certificate serial", cert, Op::set, CKA_SERIAL_NUMBER, S("serial"), CKR_OK},
      {"certificate subject", cert, Op::set, CKA_SUBJECT, S("subject"), CKR_ATTRIBUTE_READ_ONLY},
      {"certificate value", cert, Op::set, CKA_VALUE, S("value"), CKR_ATTRIBUTE_READ_ONLY},
      {"certificate type", cert, Op::set, CKA_CERTIFICATE_TYPE, U(CKC_WTLS), CKR_ATTRIBUTE_READ_ONLY},
      {"certificate trusted by user", cert, Op::set, CKA_TRUSTED, B(true), CKR_ATTRIBUTE_READ_ONLY},
      {"certificate trusted by SO", cert, Op::set_as_so, CKA_TRUSTED, B(true), CKR_OK},
  });
}

TEST(AttributeRulesChange, NotModifiable) {
  AttributeMap object = created(with(data_tmpl(), CKA_MODIFIABLE, B(false)));
  EXPECT_EQ(rv_of([&] { apply_change(object, make({{CKA_LABEL, S("x")}}), false); }), CKR_ACTION_PROHIBITED);
  EXPECT_EQ(rv_of([&] { apply_change(object, make({{CKA_LABEL, S("x")}}), true); }), CKR_ACTION_PROHIBITED);
  // A copy may still be made (and may not become modifiable again).
  EXPECT_EQ(rv_of([&] { apply_copy(object, make({{CKA_LABEL, S("x")}})); }), CKR_OK);
  EXPECT_EQ(rv_of([&] { apply_copy(object, make({{CKA_MODIFIABLE, B(true)}})); }), CKR_ATTRIBUTE_READ_ONLY);
}

TEST(AttributeRulesChange, AChangeIsAllOrNothing) {
  AttributeMap object = created(rsa_private_tmpl());
  AttributeMap change = make({{CKA_LABEL, S("new")}, {CKA_SENSITIVE, B(false)}});
  EXPECT_EQ(rv_of([&] { apply_change(object, change, false); }), CKR_ATTRIBUTE_READ_ONLY);
  EXPECT_EQ(object.at(CKA_LABEL), kEmpty);  // `current` is never touched
}

TEST(AttributeRulesCopy, CopyTemplate) {
  const AttributeMap data = created(with(data_tmpl(), CKA_PRIVATE, B(true)));
  const AttributeMap pub = created(rsa_public_tmpl());
  const AttributeMap priv = created(rsa_private_tmpl());
  const AttributeMap loose = created(with(with(rsa_private_tmpl(), CKA_SENSITIVE, B(false)), CKA_EXTRACTABLE, B(true)));
  const AttributeMap fixed = created(with(with(data_tmpl(), CKA_MODIFIABLE, B(false)), CKA_DESTROYABLE, B(false)));
  const AttributeMap cert = created(cert_tmpl());
  run_change_cases({
      {"token", data, Op::copy, CKA_TOKEN, B(true), CKR_OK},
      {"label", data, Op::copy, CKA_LABEL, S("copy"), CKR_OK},
      {"data private TRUE->FALSE", data, Op::copy, CKA_PRIVATE, B(false), CKR_OK},
      {"public key private FALSE->TRUE", pub, Op::copy, CKA_PRIVATE, B(true), CKR_OK},
      {"private key private TRUE->FALSE", priv, Op::copy, CKA_PRIVATE, B(false), CKR_ATTRIBUTE_READ_ONLY},
      {"modifiable TRUE->FALSE", data, Op::copy, CKA_MODIFIABLE, B(false), CKR_OK},
      {"modifiable FALSE->TRUE", fixed, Op::copy, CKA_MODIFIABLE, B(true), CKR_ATTRIBUTE_READ_ONLY},
      {"destroyable TRUE->FALSE", data, Op::copy, CKA_DESTROYABLE, B(false), CKR_OK},
      {"destroyable FALSE->TRUE", fixed, Op::copy, CKA_DESTROYABLE, B(true), CKR_ATTRIBUTE_READ_ONLY},
      {"copyable TRUE->FALSE", data, Op::copy, CKA_COPYABLE, B(false), CKR_OK},
      {"sensitive FALSE->TRUE", loose, Op::copy, CKA_SENSITIVE, B(true), CKR_OK},
      {"sensitive TRUE->FALSE", priv, Op::copy, CKA_SENSITIVE, B(false), CKR_ATTRIBUTE_READ_ONLY},
      {"extractable FALSE->TRUE", priv, Op::copy, CKA_EXTRACTABLE, B(true), CKR_ATTRIBUTE_READ_ONLY},
      {"extractable TRUE->FALSE", loose, Op::copy, CKA_EXTRACTABLE, B(false), CKR_OK},
      {"class", data, Op::copy, CKA_CLASS, U(CKO_CERTIFICATE), CKR_ATTRIBUTE_READ_ONLY},
      {"same class", data, Op::copy, CKA_CLASS, U(CKO_DATA), CKR_OK},
      {"trusted", pub, Op::copy, CKA_TRUSTED, B(true), CKR_ATTRIBUTE_READ_ONLY},
      {"certificate value", cert, Op::copy, CKA_VALUE, S("x"), CKR_ATTRIBUTE_READ_ONLY},
      {"unique id", data, Op::copy, CKA_UNIQUE_ID, S("x"), CKR_ATTRIBUTE_READ_ONLY},
      {"unknown attribute", data, Op::copy, CKA_SIGN, B(true), CKR_ATTRIBUTE_TYPE_INVALID},
  });
}

TEST(AttributeRulesCopy, NotCopyableAndUniqueId) {
  AttributeMap object = created(with(data_tmpl(), CKA_COPYABLE, B(false)));
  EXPECT_EQ(rv_of([&] { apply_copy(object, AttributeMap{}); }), CKR_ACTION_PROHIBITED);

  AttributeMap with_id = with(created(data_tmpl()), CKA_UNIQUE_ID, S("42"));
  EXPECT_FALSE(apply_copy(with_id, AttributeMap{}).has(CKA_UNIQUE_ID));
  EXPECT_TRUE(apply_change(with_id, make({{CKA_LABEL, S("x")}}), false).has(CKA_UNIQUE_ID));
}

// ---- visibility ----

TEST(AttributeRulesVisibility, SensitiveVersusExtractable) {
  struct Case {
    bool sensitive, extractable;
    Visibility material;
  };
  const Case cases[] = {
      {true, false, Visibility::sensitive},
      {true, true, Visibility::sensitive},
      {false, false, Visibility::sensitive},
      {false, true, Visibility::visible},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(::testing::Message() << "sensitive=" << c.sensitive << " extractable=" << c.extractable);
    auto tune = [&](AttributeMap m) {
      return with(with(std::move(m), CKA_SENSITIVE, B(c.sensitive)), CKA_EXTRACTABLE, B(c.extractable));
    };
    AttributeMap rsa = created(tune(with(rsa_private_tmpl(), CKA_PRIME_1, R(128, 2))));
    for (CK_ATTRIBUTE_TYPE t : {CKA_PRIVATE_EXPONENT, CKA_PRIME_1}) EXPECT_EQ(visibility(rsa, t), c.material);
    EXPECT_EQ(visibility(rsa, CKA_MODULUS), Visibility::visible);
    EXPECT_EQ(visibility(rsa, CKA_PUBLIC_EXPONENT), Visibility::visible);
    EXPECT_EQ(visibility(rsa, CKA_LABEL), Visibility::visible);
    // A CRT value the key never had is still an attribute of the class; what
    // its absence means is the token layer's business.
    EXPECT_FALSE(rsa.has(CKA_PRIME_2));
    EXPECT_EQ(visibility(rsa, CKA_PRIME_2), c.material);

    AttributeMap ec = created(tune(ec_private_tmpl()));
    EXPECT_EQ(visibility(ec, CKA_VALUE), c.material);
    EXPECT_EQ(visibility(ec, CKA_EC_PARAMS), Visibility::visible);

    AttributeMap aes = created(tune(secret_tmpl(CKK_AES, 16)));
    EXPECT_EQ(visibility(aes, CKA_VALUE), c.material);
    EXPECT_EQ(visibility(aes, CKA_CHECK_VALUE), Visibility::visible);
    EXPECT_EQ(visibility(aes, CKA_VALUE_LEN), Visibility::visible);
  }
}

TEST(AttributeRulesVisibility, OtherObjects) {
  AttributeMap data = created(with(data_tmpl(), CKA_VALUE, S("data")));
  EXPECT_EQ(visibility(data, CKA_VALUE), Visibility::visible);
  EXPECT_EQ(visibility(data, CKA_SENSITIVE), Visibility::invalid);
  EXPECT_EQ(visibility(data, CKA_UNIQUE_ID), Visibility::visible);  // a class attribute, even unassigned
  EXPECT_EQ(visibility(data, CKA_MODULUS), Visibility::invalid);
  EXPECT_EQ(visibility(with(data, CKA_MODULUS, S("odd")), CKA_MODULUS), Visibility::visible);

  AttributeMap pub = created(rsa_public_tmpl());
  EXPECT_EQ(visibility(pub, CKA_MODULUS), Visibility::visible);
  EXPECT_EQ(visibility(pub, CKA_PRIVATE_EXPONENT), Visibility::invalid);
  EXPECT_EQ(visibility(pub, CKA_VALUE), Visibility::invalid);
  EXPECT_EQ(visibility(pub, kNssDb), Visibility::invalid);
  EXPECT_EQ(visibility(with(pub, kNssDb, S("x")), kNssDb), Visibility::visible);

  AttributeMap cert = created(cert_tmpl());
  EXPECT_EQ(visibility(cert, CKA_VALUE), Visibility::visible);
  EXPECT_EQ(visibility(cert, CKA_MODULUS), Visibility::invalid);
}

TEST(AttributeRulesVisibility, SealedMaterialStaysSensitive) {
  // After logout the token drops secret values of public objects from memory.
  AttributeMap key = created(with(rsa_private_tmpl(), CKA_PRIVATE, B(false)));
  key.erase(CKA_PRIVATE_EXPONENT);
  EXPECT_EQ(visibility(key, CKA_PRIVATE_EXPONENT), Visibility::sensitive);
}

// ---- Small questions ----

TEST(AttributeRulesMisc, SecretAttributes) {
  for (CK_ATTRIBUTE_TYPE t :
       {CKA_PRIVATE_EXPONENT, CKA_PRIME_1, CKA_PRIME_2, CKA_EXPONENT_1, CKA_EXPONENT_2, CKA_COEFFICIENT, CKA_VALUE})
    EXPECT_TRUE(is_secret_attribute(CKO_PRIVATE_KEY, t)) << std::hex << t;
  EXPECT_TRUE(is_secret_attribute(CKO_SECRET_KEY, CKA_VALUE));
  for (CK_ATTRIBUTE_TYPE t : {CKA_MODULUS, CKA_PUBLIC_EXPONENT, CKA_EC_PARAMS, CKA_EC_POINT, CKA_LABEL})
    EXPECT_FALSE(is_secret_attribute(CKO_PRIVATE_KEY, t)) << std::hex << t;
  EXPECT_FALSE(is_secret_attribute(CKO_SECRET_KEY, CKA_CHECK_VALUE));
  EXPECT_FALSE(is_secret_attribute(CKO_DATA, CKA_VALUE));
  EXPECT_FALSE(is_secret_attribute(CKO_CERTIFICATE, CKA_VALUE));
  EXPECT_FALSE(is_secret_attribute(CKO_PUBLIC_KEY, CKA_MODULUS));
}

TEST(AttributeRulesMisc, ValueKinds) {
  EXPECT_EQ(value_kind(CKA_TOKEN), ValueKind::boolean);
  EXPECT_EQ(value_kind(CKA_SENSITIVE), ValueKind::boolean);
  EXPECT_EQ(value_kind(CKA_CLASS), ValueKind::ulong);
  EXPECT_EQ(value_kind(CKA_MODULUS_BITS), ValueKind::ulong);
  EXPECT_EQ(value_kind(CKA_VALUE_LEN), ValueKind::ulong);
  EXPECT_EQ(value_kind(CKA_START_DATE), ValueKind::date);
  EXPECT_EQ(value_kind(CKA_LABEL), ValueKind::bytes);
  EXPECT_EQ(value_kind(CKA_ALLOWED_MECHANISMS), ValueKind::bytes);
  EXPECT_EQ(value_kind(kNssDb), ValueKind::bytes);
}

TEST(AttributeRulesMisc, ObjectClass) {
  EXPECT_EQ(object_class(data_tmpl()), CKO_DATA);
  EXPECT_EQ(rv_of([] { object_class(AttributeMap{}); }), CKR_TEMPLATE_INCOMPLETE);
  EXPECT_EQ(rv_of([] { object_class(make({{CKA_CLASS, B(true)}})); }), CKR_ATTRIBUTE_VALUE_INVALID);
}

}  // namespace
}  // namespace ecert::token
