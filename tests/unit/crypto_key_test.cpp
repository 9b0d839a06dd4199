// decode_key: PKCS#11 attributes to OpenSSL keys, checked against the keys
// OpenSSL generated, and every refusal with its CK_RV.
#include <openssl/x509.h>

#include "crypto_test_support.h"

namespace ecert::crypto::test {
namespace {

Bytes ossl_spki(EVP_PKEY* pkey) {
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(pkey, &der);
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

TEST(DecodeKey, RsaMatchesOpenSslKey) {
  const TestKey& k = rsa_key(2048);
  EXPECT_EQ(k.priv->type(), CKK_RSA);
  EXPECT_TRUE(k.priv->is_private());
  EXPECT_FALSE(k.pub->is_private());
  EXPECT_EQ(k.priv->bits(), 2048u);
  EXPECT_EQ(key_bits(*k.pub), 2048u);
  EXPECT_EQ(public_key_info(*k.priv), ossl_spki(k.ossl.get()));
  EXPECT_EQ(public_key_info(*k.pub), ossl_spki(k.ossl.get()));
  EXPECT_EQ(EVP_PKEY_eq(k.pub->pkey(), k.ossl.get()), 1);
}

TEST(DecodeKey, RsaWithoutCrtOrWithPartialCrtStillSigns) {
  const TestKey& k = rsa_key(2048);
  AttributeMap plain_d = rsa_attributes(k.ossl.get(), true, false);
  AttributeMap partial = plain_d;
  partial.set(CKA_PRIME_1, view(k.private_attributes.at(CKA_PRIME_1)));
  AttributeMap leading_zeros = k.private_attributes;
  SecureBytes d = leading_zeros.at(CKA_PRIVATE_EXPONENT);
  d.insert(d.begin(), 3, 0);
  leading_zeros.set(CKA_PRIVATE_EXPONENT, std::move(d));
  for (const AttributeMap* a : {&plain_d, &partial, &leading_zeros}) {
    auto priv = decode_key(CKO_PRIVATE_KEY, *a);
    CK_MECHANISM m = mech(CKM_SHA256_RSA_PKCS);
    Bytes sig = our_sign(m, *priv, sv("no crt"));
    EXPECT_NO_THROW(our_verify(m, *k.pub, sv("no crt"), sig));
  }
}

TEST(DecodeKey, RsaErrors) {
  const TestKey& k = rsa_key(2048);
  AttributeMap a = k.private_attributes;
  a.erase(CKA_PRIVATE_EXPONENT);
  EXPECT_RV(CKR_TEMPLATE_INCOMPLETE, decode_key(CKO_PRIVATE_KEY, a));
  a = k.public_attributes;
  a.erase(CKA_MODULUS);
  EXPECT_RV(CKR_TEMPLATE_INCOMPLETE, decode_key(CKO_PUBLIC_KEY, a));
  a = k.public_attributes;
  a.erase(CKA_KEY_TYPE);
  EXPECT_RV(CKR_TEMPLATE_INCOMPLETE, decode_key(CKO_PUBLIC_KEY, a));
  a = k.public_attributes;
  a.set_ulong(CKA_KEY_TYPE, CKK_DSA);
  EXPECT_RV(CKR_KEY_TYPE_INCONSISTENT, decode_key(CKO_PUBLIC_KEY, a));
  EXPECT_RV(CKR_KEY_TYPE_INCONSISTENT, decode_key(CKO_SECRET_KEY, k.public_attributes));
  a = k.public_attributes;
  SecureBytes even = a.at(CKA_MODULUS);
  even.back() &= 0xfe;
  a.set(CKA_MODULUS, std::move(even));
  EXPECT_RV(CKR_ATTRIBUTE_VALUE_INVALID, decode_key(CKO_PUBLIC_KEY, a));
  a = k.public_attributes;
  a.set(CKA_PUBLIC_EXPONENT, view(Bytes{0x01, 0x00, 0x00}));
  EXPECT_RV(CKR_ATTRIBUTE_VALUE_INVALID, decode_key(CKO_PUBLIC_KEY, a));
  a = k.public_attributes;
  a.set(CKA_MODULUS, view(Bytes{}));
  EXPECT_RV(CKR_ATTRIBUTE_VALUE_INVALID, decode_key(CKO_PUBLIC_KEY, a));
  a = k.private_attributes;
  a.set(CKA_PRIVATE_EXPONENT, view(Bytes{0x00}));
  EXPECT_RV(CKR_ATTRIBUTE_VALUE_INVALID, decode_key(CKO_PRIVATE_KEY, a));
}

TEST(DecodeKey, EcFromPrivateValueDerivesThePublicPoint) {
  for (const char* group : {"P-256", "P-384", "P-521"}) {
    SCOPED_TRACE(group);
    const TestKey& k = ec_key(group);
    EXPECT_EQ(k.priv->type(), CKK_EC);
    EXPECT_EQ(public_key_info(*k.priv), ossl_spki(k.ossl.get()));
    EXPECT_EQ(public_key_info(*k.pub), ossl_spki(k.ossl.get()));
    EXPECT_EQ(EVP_PKEY_eq(k.priv->pkey(), k.ossl.get()), 1);
  }
  EXPECT_EQ(ec_key("P-256").priv->bits(), 256u);
  EXPECT_EQ(ec_key("P-384").pub->bits(), 384u);
  EXPECT_EQ(key_bits(*ec_key("P-521").pub), 521u);
}

TEST(DecodeKey, EcPointAsDerOrBare) {
  const TestKey& k = ec_key("P-521");
  AttributeMap a = k.public_attributes;
  a.set(CKA_EC_POINT, view(ec_point(k.ossl.get())));  // 133 bytes, no OCTET STRING
  auto bare = decode_key(CKO_PUBLIC_KEY, a);
  EXPECT_EQ(public_key_info(*bare), ossl_spki(k.ossl.get()));
  const TestKey& k256 = ec_key("P-256");
  a = k256.public_attributes;
  a.set(CKA_EC_POINT, view(ec_point(k256.ossl.get())));
  EXPECT_EQ(public_key_info(*decode_key(CKO_PUBLIC_KEY, a)), ossl_spki(k256.ossl.get()));
}

TEST(DecodeKey, EcErrors) {
  const TestKey& k = ec_key("P-256");
  AttributeMap a = k.public_attributes;
  a.set(CKA_EC_PARAMS, view(kP384Params));  // point of the wrong size for the curve
  EXPECT_RV(CKR_ATTRIBUTE_VALUE_INVALID, decode_key(CKO_PUBLIC_KEY, a));
  a = k.public_attributes;
  a.set(CKA_EC_PARAMS, view(kP224Params));
  EXPECT_RV(CKR_CURVE_NOT_SUPPORTED, decode_key(CKO_PUBLIC_KEY, a));
  a = k.public_attributes;
  a.erase(CKA_EC_POINT);
  EXPECT_RV(CKR_TEMPLATE_INCOMPLETE, decode_key(CKO_PUBLIC_KEY, a));

  Bytes point = ec_point(k.ossl.get());
  Bytes off_curve = point;
  off_curve[64] ^= 1;
  a = k.public_attributes;
  a.set(CKA_EC_POINT, view(der_octet_string(off_curve)));
  EXPECT_RV(CKR_ATTRIBUTE_VALUE_INVALID, decode_key(CKO_PUBLIC_KEY, a));
  Bytes compressed(point.begin(), point.begin() + 33);
  compressed[0] = static_cast<std::uint8_t>(0x02 | (point[64] & 1));
  a.set(CKA_EC_POINT, view(der_octet_string(compressed)));
  EXPECT_RV(CKR_ATTRIBUTE_VALUE_INVALID, decode_key(CKO_PUBLIC_KEY, a));
  a.set(CKA_EC_POINT, view(Bytes{}));
  EXPECT_RV(CKR_ATTRIBUTE_VALUE_INVALID, decode_key(CKO_PUBLIC_KEY, a));
  Bytes wrapped = der_octet_string(point);
  wrapped.push_back(0);
  a.set(CKA_EC_POINT, view(wrapped));
  EXPECT_RV(CKR_ATTRIBUTE_VALUE_INVALID, decode_key(CKO_PUBLIC_KEY, a));

  // The private value must be in [1, n-1].
  const Bytes n256 = {0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                      0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51};
  a = k.private_attributes;
  for (const Bytes& v : {Bytes(32, 0), Bytes{}, n256, Bytes(32, 0xff)}) {
    a.set(CKA_VALUE, view(v));
    EXPECT_RV(CKR_ATTRIBUTE_VALUE_INVALID, decode_key(CKO_PRIVATE_KEY, a));
  }
  Bytes n_minus_1 = n256;
  n_minus_1[31] -= 1;
  a.set(CKA_VALUE, view(n_minus_1));
  EXPECT_NO_THROW(decode_key(CKO_PRIVATE_KEY, a));
  a.set(CKA_VALUE, view(Bytes{0x01}));  // short values are numbers too
  auto one = decode_key(CKO_PRIVATE_KEY, a);
  EXPECT_EQ(one->bits(), 256u);
}

}  // namespace
}  // namespace ecert::crypto::test
