// The table of supported curves (P-256, P-384, P-521) with their OpenSSL
// names and the DER OIDs clients put in CKA_EC_PARAMS, and the look-ups that
// tell an unsupported curve (CKR_CURVE_NOT_SUPPORTED) from a value that is
// not DER at all (CKR_ATTRIBUTE_VALUE_INVALID).
#include "crypto/ec_curves.h"

#include <algorithm>
#include <array>

#include <openssl/obj_mac.h>

#include "common/error.h"
#include "crypto/der.h"

namespace ecert::crypto {
namespace {

// DER of the named-curve OIDs: 1.2.840.10045.3.1.7, 1.3.132.0.34, 1.3.132.0.35.
constexpr std::uint8_t kP256[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
constexpr std::uint8_t kP384[] = {0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22};
constexpr std::uint8_t kP521[] = {0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23};

const std::array<Curve, 3> kCurves{{
    {"P-256", NID_X9_62_prime256v1, 256, 32, 32, ByteView(kP256)},
    {"P-384", NID_secp384r1, 384, 48, 48, ByteView(kP384)},
    {"P-521", NID_secp521r1, 521, 66, 66, ByteView(kP521)},
}};

}  // namespace

const Curve& curve_from_params(ByteView ec_params) {
  for (const Curve& c : kCurves) {
    if (std::ranges::equal(c.params_der, ec_params)) return c;
  }
  auto tlv = der::read_tlv(ec_params);
  require(tlv.has_value() && tlv->encoded_size == ec_params.size(), CKR_ATTRIBUTE_VALUE_INVALID,
          "CKA_EC_PARAMS is not DER");
  fail(CKR_CURVE_NOT_SUPPORTED, "unsupported curve");
}

const Curve* curve_from_bits(std::size_t bits) noexcept {
  for (const Curve& c : kCurves) {
    if (c.bits == bits) return &c;
  }
  return nullptr;
}

}  // namespace ecert::crypto
