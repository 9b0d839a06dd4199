// The elliptic curves the module supports (NIST P-256, P-384, P-521), named by
// the DER OBJECT IDENTIFIER that PKCS#11 puts in CKA_EC_PARAMS.
#pragma once

#include <cstddef>

#include "common/bytes.h"

namespace ecert::crypto {

struct Curve {
  const char* group_name;  // OpenSSL's name, for OSSL_PKEY_PARAM_GROUP_NAME
  int nid;
  std::size_t bits;  // of the order (= of the field for these curves)
  std::size_t field_bytes;
  std::size_t order_bytes;
  ByteView params_der;  // the canonical CKA_EC_PARAMS
};

// The curve named by a CKA_EC_PARAMS value. Throws
// Error(CKR_CURVE_NOT_SUPPORTED) for well-formed DER naming anything else
// (another OID, explicit parameters, a printable name) and
// Error(CKR_ATTRIBUTE_VALUE_INVALID) for a value that is not one DER element.
const Curve& curve_from_params(ByteView ec_params);

// The curve of an EC key by its order bits, or nullptr.
const Curve* curve_from_bits(std::size_t bits) noexcept;

}  // namespace ecert::crypto
