// The checks every factory runs before it builds a context, in one place so
// that all mechanisms answer a missing row, a parameter where none belongs or
// a key of the wrong type, class or size with the same CK_RV.
#include "crypto/mechanism_checks.h"

namespace ecert::crypto {

void require_no_parameter(const CK_MECHANISM& m) {
  require(m.pParameter == nullptr && m.ulParameterLen == 0, CKR_MECHANISM_PARAM_INVALID,
          "mechanism takes no parameter");
}

const Mechanism& row_of(const CK_MECHANISM& m) {
  const Mechanism* row = find_mechanism(m.mechanism);
  require(row != nullptr, CKR_MECHANISM_INVALID, "unknown mechanism");
  return *row;
}

const Mechanism& check_key(const CK_MECHANISM& m, const Key& key, bool needs_private) {
  const Mechanism* row = &row_of(m);
  require(key.type() == row->key_type, CKR_KEY_TYPE_INCONSISTENT, "wrong key type");
  require(!needs_private || key.is_private(), CKR_KEY_TYPE_INCONSISTENT, "private key needed");
  require(key.bits() >= row->min_key_bits && key.bits() <= row->max_key_bits, CKR_KEY_SIZE_RANGE,
          "key size out of range");
  return *row;
}

}  // namespace ecert::crypto
