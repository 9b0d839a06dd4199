// Turning a key object's attributes into an EVP_PKEY in the module's library
// context: RSA from n, e and d (with the CRT values when all five are there),
// EC from the curve and either the private value (the public point is
// computed from it) or the public point. Bad values are refused with
// CKR_ATTRIBUTE_VALUE_INVALID, so C_CreateObject fails rather than a later
// operation.
#include "crypto/key.h"

#include <algorithm>
#include <iterator>

#include <openssl/core_names.h>
#include <openssl/x509.h>

#include "common/error.h"
#include "crypto/der.h"
#include "crypto/ec_curves.h"
#include "crypto/ossl_util.h"

namespace ecert::crypto {
namespace {

using BnCtxPtr = OsslPtr<BN_CTX, BN_CTX_free>;

ParamBldPtr new_param_bld() {
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  ossl_check(bld != nullptr, "OSSL_PARAM_BLD_new", CKR_HOST_MEMORY);
  return bld;
}

void push_bn(OSSL_PARAM_BLD* bld, const char* name, const BIGNUM* bn) {
  ossl_check(OSSL_PARAM_BLD_push_BN(bld, name, bn) == 1, "OSSL_PARAM_BLD_push_BN", CKR_HOST_MEMORY);
}

std::shared_ptr<EVP_PKEY> pkey_from_params(const char* type, int selection, OSSL_PARAM_BLD* bld) {
  ParamPtr params(OSSL_PARAM_BLD_to_param(bld));
  ossl_check(params != nullptr, "OSSL_PARAM_BLD_to_param", CKR_HOST_MEMORY);
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(started_libctx(), provider_key_type(type), nullptr));
  ossl_check(ctx != nullptr, "EVP_PKEY_CTX_new_from_name", CKR_HOST_MEMORY);
  ossl_check(EVP_PKEY_fromdata_init(ctx.get()) == 1, "EVP_PKEY_fromdata_init");
  EVP_PKEY* raw = nullptr;
  // OpenSSL's own consistency checks (a point off the curve, ...) fail here,
  // and the only input is the caller's attributes.
  ossl_check(EVP_PKEY_fromdata(ctx.get(), &raw, selection, params.get()) == 1, "EVP_PKEY_fromdata",
             CKR_ATTRIBUTE_VALUE_INVALID);
  return std::shared_ptr<EVP_PKEY>(raw, EVP_PKEY_free);
}

struct CrtPart {
  CK_ATTRIBUTE_TYPE attribute;
  const char* param;
};
constexpr CrtPart kCrt[] = {
    {CKA_PRIME_1, OSSL_PKEY_PARAM_RSA_FACTOR1},          {CKA_PRIME_2, OSSL_PKEY_PARAM_RSA_FACTOR2},
    {CKA_EXPONENT_1, OSSL_PKEY_PARAM_RSA_EXPONENT1},     {CKA_EXPONENT_2, OSSL_PKEY_PARAM_RSA_EXPONENT2},
    {CKA_COEFFICIENT, OSSL_PKEY_PARAM_RSA_COEFFICIENT1},
};
constexpr std::size_t kCrtCount = std::size(kCrt);

// A partial CRT set is ignored rather than refused: OpenSSL then uses d alone.
bool has_full_crt(const AttributeMap& a) {
  return std::ranges::all_of(kCrt, [&](const CrtPart& p) {
    const SecureBytes* v = a.find(p.attribute);
    return v != nullptr && !v->empty();
  });
}

std::shared_ptr<const Key> decode_rsa(bool is_private, const AttributeMap& a) {
  BignumPtr n = bn_from_bytes(view(a.at(CKA_MODULUS)), false);
  BignumPtr e = bn_from_bytes(view(a.at(CKA_PUBLIC_EXPONENT)), false);
  require(BN_is_odd(n.get()) && !BN_is_one(n.get()), CKR_ATTRIBUTE_VALUE_INVALID, "bad modulus");
  require(BN_is_odd(e.get()) && !BN_is_one(e.get()) && BN_cmp(e.get(), n.get()) < 0, CKR_ATTRIBUTE_VALUE_INVALID,
          "bad public exponent");

  ParamBldPtr bld = new_param_bld();
  push_bn(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get());
  push_bn(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get());

  // The builder keeps pointers until to_param, so the BIGNUMs live here.
  BignumPtr d;
  BignumPtr crt[kCrtCount];
  if (is_private) {
    d = bn_from_bytes(view(a.at(CKA_PRIVATE_EXPONENT)), true);
    require(!BN_is_zero(d.get()) && BN_cmp(d.get(), n.get()) < 0, CKR_ATTRIBUTE_VALUE_INVALID, "bad private exponent");
    push_bn(bld.get(), OSSL_PKEY_PARAM_RSA_D, d.get());
    if (has_full_crt(a)) {
      for (std::size_t i = 0; i < kCrtCount; ++i) {
        crt[i] = bn_from_bytes(view(a.at(kCrt[i].attribute)), true);
        push_bn(bld.get(), kCrt[i].param, crt[i].get());
      }
    }
  }
  auto pkey = pkey_from_params("RSA", is_private ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, bld.get());
  std::size_t bits = static_cast<std::size_t>(EVP_PKEY_get_bits(pkey.get()));
  return std::make_shared<const Key>(CKK_RSA, is_private, std::move(pkey), bits);
}

// The uncompressed point of a CKA_EC_POINT value: the DER OCTET STRING PKCS#11
// specifies, or the bare point some applications store.
ByteView uncompressed_point(const Curve& c, ByteView value) {
  const std::size_t len = 1 + 2 * c.field_bytes;
  ByteView point = value;
  auto tlv = der::read_tlv(value);
  if (tlv && tlv->tag == der::kOctetString && tlv->encoded_size == value.size() && tlv->content.size() == len) {
    point = tlv->content;
  }
  require(point.size() == len && point[0] == 0x04, CKR_ATTRIBUTE_VALUE_INVALID,
          "CKA_EC_POINT is not an uncompressed point");
  return point;
}

// d*G, so a private key decoded from CKA_VALUE alone is a complete key pair
// (OpenSSL wants the public point for export and for SubjectPublicKeyInfo).
Bytes public_point(const Curve& c, const BIGNUM* d) {
  OSSL_LIB_CTX* ctx = started_libctx();
  EcGroupPtr group(EC_GROUP_new_by_curve_name_ex(ctx, nullptr, c.nid));
  ossl_check(group != nullptr, "EC_GROUP_new_by_curve_name_ex");
  require(!BN_is_zero(d) && !BN_is_negative(d) && BN_cmp(d, EC_GROUP_get0_order(group.get())) < 0,
          CKR_ATTRIBUTE_VALUE_INVALID, "EC private value out of range");
  BnCtxPtr bn_ctx(BN_CTX_secure_new_ex(ctx));
  EcPointPtr point(EC_POINT_new(group.get()));
  ossl_check(bn_ctx != nullptr && point != nullptr, "EC_POINT_new", CKR_HOST_MEMORY);
  ossl_check(EC_POINT_mul(group.get(), point.get(), d, nullptr, nullptr, bn_ctx.get()) == 1, "EC_POINT_mul");
  Bytes out(1 + 2 * c.field_bytes);
  ossl_check(EC_POINT_point2oct(group.get(), point.get(), POINT_CONVERSION_UNCOMPRESSED, out.data(), out.size(),
                                bn_ctx.get()) == out.size(),
             "EC_POINT_point2oct");
  return out;
}

std::shared_ptr<const Key> decode_ec(bool is_private, const AttributeMap& a) {
  const Curve& c = curve_from_params(view(a.at(CKA_EC_PARAMS)));
  ParamBldPtr bld = new_param_bld();
  ossl_check(OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, c.group_name, 0) == 1, "push group",
             CKR_HOST_MEMORY);
  BignumPtr d;
  Bytes point;
  if (is_private) {
    d = bn_from_bytes(view(a.at(CKA_VALUE)), true);
    BN_set_flags(d.get(), BN_FLG_CONSTTIME);
    point = public_point(c, d.get());
    push_bn(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, d.get());
  } else {
    point = copy(uncompressed_point(c, view(a.at(CKA_EC_POINT))));
  }
  ossl_check(OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) == 1,
             "push point", CKR_HOST_MEMORY);
  auto pkey = pkey_from_params("EC", is_private ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, bld.get());
  return std::make_shared<const Key>(CKK_EC, is_private, std::move(pkey), c.bits);
}

}  // namespace

std::shared_ptr<const Key> decode_key(CK_OBJECT_CLASS cls, const AttributeMap& attrs) {
  require(cls == CKO_PRIVATE_KEY || cls == CKO_PUBLIC_KEY, CKR_KEY_TYPE_INCONSISTENT, "not a key pair class");
  auto type = attrs.get_ulong(CKA_KEY_TYPE);
  require(type.has_value(), CKR_TEMPLATE_INCOMPLETE, "CKA_KEY_TYPE missing");
  const bool is_private = cls == CKO_PRIVATE_KEY;
  switch (*type) {
    case CKK_RSA:
      return decode_rsa(is_private, attrs);
    case CKK_EC:
      return decode_ec(is_private, attrs);
    default:
      fail(CKR_KEY_TYPE_INCONSISTENT, "unsupported key type");
  }
}

// For a private key this encodes only its public half.
Bytes public_key_info(const Key& key) { return i2d_bytes(key.pkey(), i2d_PUBKEY); }

std::size_t key_bits(const Key& key) { return static_cast<std::size_t>(EVP_PKEY_get_bits(key.pkey())); }

}  // namespace ecert::crypto
