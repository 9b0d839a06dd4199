// Key pair generation: the attributes it produces decode (decode_key) into
// keys that work with each other and with OpenSSL.
#include "crypto_test_support.h"

namespace ecert::crypto::test {
namespace {

AttributeMap rsa_template(CK_ULONG bits) {
  AttributeMap t;
  t.set_ulong(CKA_MODULUS_BITS, bits);
  return t;
}

GeneratedKeyPair generate(CK_MECHANISM_TYPE type, const AttributeMap& t) {
  CK_MECHANISM m = mech(type);
  return row(type).generate_key_pair(m, t);
}

void expect_no_leading_zero(const AttributeMap& a, CK_ATTRIBUTE_TYPE t) {
  const SecureBytes& v = a.at(t);
  ASSERT_FALSE(v.empty());
  EXPECT_NE(v[0], 0) << std::hex << t;
}

void expect_pair_works(const GeneratedKeyPair& kp) {
  auto priv = decode_key(CKO_PRIVATE_KEY, kp.private_key);
  auto pub = decode_key(CKO_PUBLIC_KEY, kp.public_key);
  EXPECT_EQ(public_key_info(*priv), public_key_info(*pub));
  CK_MECHANISM m = mech(priv->type() == CKK_RSA ? CKM_SHA256_RSA_PKCS : CKM_ECDSA_SHA256);
  Bytes sig = our_sign(m, *priv, sv("generated"));
  EXPECT_NO_THROW(our_verify(m, *pub, sv("generated"), sig));
}

TEST(RsaKeygen, DefaultExponentAndAttributes) {
  GeneratedKeyPair kp = generate(CKM_RSA_PKCS_KEY_PAIR_GEN, rsa_template(2048));
  const AttributeMap& pub = kp.public_key;
  const AttributeMap& priv = kp.private_key;
  EXPECT_EQ(pub.get_ulong(CKA_KEY_TYPE), CKK_RSA);
  EXPECT_EQ(priv.get_ulong(CKA_KEY_TYPE), CKK_RSA);
  EXPECT_EQ(pub.get_ulong(CKA_MODULUS_BITS), 2048u);
  EXPECT_FALSE(priv.has(CKA_MODULUS_BITS));
  EXPECT_EQ(pub.at(CKA_MODULUS).size(), 256u);
  EXPECT_EQ(pub.at(CKA_MODULUS), priv.at(CKA_MODULUS));
  EXPECT_EQ(pub.at(CKA_PUBLIC_EXPONENT), (SecureBytes{0x01, 0x00, 0x01}));
  for (CK_ATTRIBUTE_TYPE t : {CKA_MODULUS, CKA_PUBLIC_EXPONENT, CKA_PRIVATE_EXPONENT, CKA_PRIME_1, CKA_PRIME_2,
                              CKA_EXPONENT_1, CKA_EXPONENT_2, CKA_COEFFICIENT}) {
    expect_no_leading_zero(priv, t);
  }
  EXPECT_FALSE(pub.has(CKA_PRIVATE_EXPONENT));
  expect_pair_works(kp);
  auto priv_key = decode_key(CKO_PRIVATE_KEY, priv);
  EXPECT_EQ(priv_key->bits(), 2048u);
  EXPECT_EQ(key_bits(*priv_key), 2048u);
}

TEST(RsaKeygen, ExplicitExponentAndOddSizes) {
  AttributeMap t = rsa_template(1032);
  const Bytes e{0x00, 0x00, 0x03};  // leading zeros are tolerated on input
  t.set(CKA_PUBLIC_EXPONENT, view(e));
  GeneratedKeyPair kp = generate(CKM_RSA_PKCS_KEY_PAIR_GEN, t);
  EXPECT_EQ(kp.public_key.at(CKA_PUBLIC_EXPONENT), (SecureBytes{0x03}));
  EXPECT_EQ(kp.public_key.get_ulong(CKA_MODULUS_BITS), 1032u);
  expect_pair_works(kp);
  GeneratedKeyPair odd = generate(CKM_RSA_PKCS_KEY_PAIR_GEN, rsa_template(1025));
  EXPECT_EQ(odd.public_key.get_ulong(CKA_MODULUS_BITS), 1025u);
  EXPECT_EQ(odd.public_key.at(CKA_MODULUS).size(), 129u);
}

TEST(RsaKeygen, TemplateErrors) {
  EXPECT_RV(CKR_TEMPLATE_INCOMPLETE, generate(CKM_RSA_PKCS_KEY_PAIR_GEN, AttributeMap{}));
  EXPECT_RV(CKR_KEY_SIZE_RANGE, generate(CKM_RSA_PKCS_KEY_PAIR_GEN, rsa_template(1023)));
  EXPECT_RV(CKR_KEY_SIZE_RANGE, generate(CKM_RSA_PKCS_KEY_PAIR_GEN, rsa_template(4097)));
  EXPECT_RV(CKR_KEY_SIZE_RANGE, generate(CKM_RSA_PKCS_KEY_PAIR_GEN, rsa_template(512)));
  AttributeMap bad_size;
  bad_size.set(CKA_MODULUS_BITS, sv("ab"));
  EXPECT_RV(CKR_ATTRIBUTE_VALUE_INVALID, generate(CKM_RSA_PKCS_KEY_PAIR_GEN, bad_size));
  for (const Bytes& e : {Bytes{0x01, 0x00, 0x00}, Bytes{0x01}, Bytes{}, Bytes{0x00}, Bytes(9, 0xff)}) {
    AttributeMap t = rsa_template(2048);
    t.set(CKA_PUBLIC_EXPONENT, view(e));
    EXPECT_RV(CKR_ATTRIBUTE_VALUE_INVALID, generate(CKM_RSA_PKCS_KEY_PAIR_GEN, t)) << e.size();
  }
  CK_ULONG junk = 0;
  CK_MECHANISM with = mech(CKM_RSA_PKCS_KEY_PAIR_GEN, junk);
  EXPECT_RV(CKR_MECHANISM_PARAM_INVALID, row(CKM_RSA_PKCS_KEY_PAIR_GEN).generate_key_pair(with, rsa_template(2048)));
}

struct EcCase {
  const char* group;
  const Bytes* params;
  Bytes point_prefix;  // OCTET STRING header and the 04 of the point
  std::size_t point_der_len;
  std::size_t value_len;
};

TEST(EcKeygen, AttributesPerCurve) {
  const EcCase cases[] = {
      {"P-256", &kP256Params, {0x04, 0x41, 0x04}, 2 + 65, 32},
      {"P-384", &kP384Params, {0x04, 0x61, 0x04}, 2 + 97, 48},
      {"P-521", &kP521Params, {0x04, 0x81, 0x85, 0x04}, 3 + 133, 66},
  };
  for (const EcCase& c : cases) {
    SCOPED_TRACE(c.group);
    AttributeMap t;
    t.set(CKA_EC_PARAMS, view(*c.params));
    GeneratedKeyPair kp = generate(CKM_EC_KEY_PAIR_GEN, t);
    EXPECT_EQ(kp.public_key.get_ulong(CKA_KEY_TYPE), CKK_EC);
    EXPECT_EQ(kp.private_key.get_ulong(CKA_KEY_TYPE), CKK_EC);
    EXPECT_EQ(copy(view(kp.public_key.at(CKA_EC_PARAMS))), *c.params);
    EXPECT_EQ(copy(view(kp.private_key.at(CKA_EC_PARAMS))), *c.params);
    const SecureBytes& point = kp.public_key.at(CKA_EC_POINT);
    ASSERT_EQ(point.size(), c.point_der_len);
    EXPECT_TRUE(std::equal(c.point_prefix.begin(), c.point_prefix.end(), point.begin()));
    EXPECT_EQ(kp.private_key.at(CKA_VALUE).size(), c.value_len);
    EXPECT_FALSE(kp.public_key.has(CKA_VALUE));
    EXPECT_FALSE(kp.private_key.has(CKA_EC_POINT));
    expect_pair_works(kp);
    // OpenSSL agrees the public point belongs to the private value: decode
    // the private key alone and compare its SubjectPublicKeyInfo.
    auto priv = decode_key(CKO_PRIVATE_KEY, kp.private_key);
    auto pub = decode_key(CKO_PUBLIC_KEY, kp.public_key);
    EXPECT_EQ(priv->bits(), pub->bits());
  }
}

TEST(EcKeygen, TemplateErrors) {
  EXPECT_RV(CKR_TEMPLATE_INCOMPLETE, generate(CKM_EC_KEY_PAIR_GEN, AttributeMap{}));
  const Bytes secp256k1{0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x0a};
  const Bytes printable{0x13, 0x0a, 'p', 'r', 'i', 'm', 'e', '2', '5', '6', 'v', '1'};
  const Bytes explicit_params{0x30, 0x03, 0x02, 0x01, 0x01};
  for (const Bytes* p : {&kP224Params, &secp256k1, &printable, &explicit_params}) {
    AttributeMap t;
    t.set(CKA_EC_PARAMS, view(*p));
    EXPECT_RV(CKR_CURVE_NOT_SUPPORTED, generate(CKM_EC_KEY_PAIR_GEN, t));
  }
  Bytes trailing = kP256Params;
  trailing.push_back(0);
  const Bytes truncated(kP256Params.begin(), kP256Params.end() - 1);
  for (const Bytes& p : {Bytes{}, Bytes{0x06}, truncated, trailing, Bytes{0x06, 0x80, 0x00, 0x00}}) {
    AttributeMap t;
    t.set(CKA_EC_PARAMS, view(p));
    EXPECT_RV(CKR_ATTRIBUTE_VALUE_INVALID, generate(CKM_EC_KEY_PAIR_GEN, t)) << p.size();
  }
  CK_ULONG junk = 0;
  CK_MECHANISM with = mech(CKM_EC_KEY_PAIR_GEN, junk);
  AttributeMap t;
  t.set(CKA_EC_PARAMS, view(kP256Params));
  EXPECT_RV(CKR_MECHANISM_PARAM_INVALID, row(CKM_EC_KEY_PAIR_GEN).generate_key_pair(with, t));
}

}  // namespace
}  // namespace ecert::crypto::test
