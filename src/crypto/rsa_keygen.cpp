// RSA key-pair generation (CKM_RSA_PKCS_KEY_PAIR_GEN): reads the modulus size
// and public exponent from the caller's public-key template, refuses the
// exponents that would make an unusable key, has OpenSSL generate the key in
// the module's library context and hands the parts back as PKCS#11
// attributes. The mechanism's table row sits at the end.
#include <openssl/core_names.h>
#include <openssl/rsa.h>

#include "common/error.h"
#include "crypto/families.h"
#include "crypto/keygen_util.h"
#include "crypto/mechanism_checks.h"
#include "crypto/ossl_util.h"

namespace ecert::crypto {
namespace {

constexpr CK_ULONG kDefaultExponent = 65537;
// OpenSSL refuses public operations with exponents over 64 bits on moduli
// over 3072 bits; such a key would be useless, so it is never generated.
constexpr int kMaxExponentBits = 64;

BignumPtr public_exponent(const AttributeMap& t) {
  const SecureBytes* value = t.find(CKA_PUBLIC_EXPONENT);
  if (value == nullptr) {
    BignumPtr e(BN_new());
    ossl_check(e != nullptr && BN_set_word(e.get(), kDefaultExponent) == 1, "BN_set_word", CKR_HOST_MEMORY);
    return e;
  }
  BignumPtr e = bn_from_bytes(view(*value), false);
  require(BN_is_odd(e.get()) && !BN_is_one(e.get()) && BN_num_bits(e.get()) <= kMaxExponentBits,
          CKR_ATTRIBUTE_VALUE_INVALID, "public exponent must be odd, >= 3 and at most 64 bits");
  return e;
}

void put(AttributeMap& attrs, CK_ATTRIBUTE_TYPE t, const EVP_PKEY* pkey, const char* param) {
  attrs.set(t, bn_to_bytes(get_bn_param(pkey, param).get()));
}

}  // namespace

GeneratedKeyPair generate_rsa_key_pair(const CK_MECHANISM& m, const AttributeMap& public_template) {
  require_no_parameter(m);
  const Mechanism& row = row_of(m);
  const auto bits = public_template.get_ulong(CKA_MODULUS_BITS);
  require(bits.has_value(), CKR_TEMPLATE_INCOMPLETE, "CKA_MODULUS_BITS missing");
  require(*bits >= row.min_key_bits && *bits <= row.max_key_bits, CKR_KEY_SIZE_RANGE, "modulus bits");
  BignumPtr e = public_exponent(public_template);

  PkeyPtr pkey = generate_pkey("RSA", [&](EVP_PKEY_CTX* ctx) {
    ossl_check(EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, static_cast<int>(*bits)) == 1, "keygen bits");
    ossl_check(EVP_PKEY_CTX_set1_rsa_keygen_pubexp(ctx, e.get()) == 1, "keygen exponent");
  });
  const EVP_PKEY* k = pkey.get();

  GeneratedKeyPair out;
  for (AttributeMap* attrs : {&out.public_key, &out.private_key}) {
    attrs->set_ulong(CKA_KEY_TYPE, CKK_RSA);
    put(*attrs, CKA_MODULUS, k, OSSL_PKEY_PARAM_RSA_N);
    put(*attrs, CKA_PUBLIC_EXPONENT, k, OSSL_PKEY_PARAM_RSA_E);
  }
  out.public_key.set_ulong(CKA_MODULUS_BITS, static_cast<CK_ULONG>(EVP_PKEY_get_bits(k)));
  AttributeMap& priv = out.private_key;
  put(priv, CKA_PRIVATE_EXPONENT, k, OSSL_PKEY_PARAM_RSA_D);
  put(priv, CKA_PRIME_1, k, OSSL_PKEY_PARAM_RSA_FACTOR1);
  put(priv, CKA_PRIME_2, k, OSSL_PKEY_PARAM_RSA_FACTOR2);
  put(priv, CKA_EXPONENT_1, k, OSSL_PKEY_PARAM_RSA_EXPONENT1);
  put(priv, CKA_EXPONENT_2, k, OSSL_PKEY_PARAM_RSA_EXPONENT2);
  put(priv, CKA_COEFFICIENT, k, OSSL_PKEY_PARAM_RSA_COEFFICIENT1);
  return out;
}

namespace {

constexpr Mechanism kRows[] = {
    {.type = CKM_RSA_PKCS_KEY_PAIR_GEN,
     .name = "CKM_RSA_PKCS_KEY_PAIR_GEN",
     .key_type = CKK_RSA,
     .min_key_bits = kRsaMinBits,
     .max_key_bits = kRsaMaxBits,
     .flags = CKF_GENERATE_KEY_PAIR,
     .multipart = false,
     .generate_key_pair = generate_rsa_key_pair},
};

}  // namespace

std::span<const Mechanism> rsa_keygen_mechanisms() { return kRows; }

}  // namespace ecert::crypto
