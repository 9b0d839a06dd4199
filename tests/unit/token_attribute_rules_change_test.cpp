// Tests of src/token/attribute_rules: apply_change (C_SetAttributeValue), apply_copy
// (C_CopyObject) and visibility (C_GetAttributeValue).
#include "token_attribute_rules_test_support.h"

namespace ecert::token {
namespace {

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
