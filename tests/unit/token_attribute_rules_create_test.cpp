// Tests of src/token/attribute_rules: complete_new_object for C_CreateObject and
// C_GenerateKeyPair: defaults, required and forbidden attributes, certificates,
// the templates NSS pk12util writes.
#include "token_attribute_rules_test_support.h"

namespace ecert::token {
namespace {

const auto* const kEnv = ::testing::AddGlobalTestEnvironment(new Env);

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

}  // namespace
}  // namespace ecert::token
