// EC key-pair generation (CKM_EC_KEY_PAIR_GEN) on the named curves of
// ec_curves.h, chosen by the CKA_EC_PARAMS of the caller's public-key
// template; the public point comes back uncompressed inside a DER OCTET
// STRING, the private scalar padded to the order's length. The mechanism's
// table row sits at the end.
#include <array>

#include <openssl/core_names.h>

#include "common/error.h"
#include "crypto/der.h"
#include "crypto/ec_curves.h"
#include "crypto/families.h"
#include "crypto/keygen_util.h"
#include "crypto/mechanism_checks.h"
#include "crypto/ossl_util.h"

namespace ecert::crypto {

GeneratedKeyPair generate_ec_key_pair(const CK_MECHANISM& m, const AttributeMap& public_template) {
  require_no_parameter(m);
  const Curve& curve = curve_from_params(view(public_template.at(CKA_EC_PARAMS)));

  PkeyPtr pkey = generate_pkey("EC", [&](EVP_PKEY_CTX* ctx) {
    ossl_check(EVP_PKEY_CTX_set_group_name(ctx, curve.group_name) == 1, "EC group");
  });

  // Generated keys use the uncompressed point format unless told otherwise.
  std::array<std::uint8_t, 1 + 2 * 66> point;
  std::size_t point_len = 0;
  ossl_check(EVP_PKEY_get_octet_string_param(pkey.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size(),
                                             &point_len) == 1 &&
                 point_len == 1 + 2 * curve.field_bytes && point[0] == 0x04,
             "EC public point");
  SecureBytes scalar(curve.order_bytes);
  bn_to_padded(get_bn_param(pkey.get(), OSSL_PKEY_PARAM_PRIV_KEY).get(), scalar.data(), scalar.size());

  GeneratedKeyPair out;
  for (AttributeMap* attrs : {&out.public_key, &out.private_key}) {
    attrs->set_ulong(CKA_KEY_TYPE, CKK_EC);
    attrs->set(CKA_EC_PARAMS, curve.params_der);
  }
  out.public_key.set(CKA_EC_POINT, view(der::octet_string(ByteView(point.data(), point_len))));
  out.private_key.set(CKA_VALUE, std::move(scalar));
  return out;
}

namespace {

constexpr Mechanism kRows[] = {
    {.type = CKM_EC_KEY_PAIR_GEN,
     .name = "CKM_EC_KEY_PAIR_GEN",
     .key_type = CKK_EC,
     .min_key_bits = kEcMinBits,
     .max_key_bits = kEcMaxBits,
     .flags = CKF_GENERATE_KEY_PAIR | kEcCurves,
     .multipart = false,
     .generate_key_pair = generate_ec_key_pair},
};

}  // namespace

std::span<const Mechanism> ec_keygen_mechanisms() { return kRows; }

}  // namespace ecert::crypto
