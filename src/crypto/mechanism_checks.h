// Checks every factory of the mechanism table makes before it builds a
// context: the mechanism parameter and the key against the table row.
#pragma once

#include <cstring>

#include "common/error.h"
#include "crypto/key.h"
#include "crypto/mechanism.h"

namespace ecert::crypto {

// CKR_MECHANISM_PARAM_INVALID unless the mechanism carries no parameter.
void require_no_parameter(const CK_MECHANISM& m);

// A copy of the mechanism parameter as a T (copied because the caller's
// buffer need not be aligned for T). CKR_MECHANISM_PARAM_INVALID if absent or
// of the wrong size.
template <class T>
T parameter_as(const CK_MECHANISM& m) {
  require(m.pParameter != nullptr && m.ulParameterLen == sizeof(T), CKR_MECHANISM_PARAM_INVALID,
          "bad mechanism parameter size");
  T out;
  std::memcpy(&out, m.pParameter, sizeof out);
  return out;
}

// The row of `m`; CKR_MECHANISM_INVALID if the module does not have it.
const Mechanism& row_of(const CK_MECHANISM& m);

// The row of `m` after checking `key` fits it: CKR_KEY_TYPE_INCONSISTENT for
// another key type or a public key where a private one is needed,
// CKR_KEY_SIZE_RANGE outside the row's key sizes.
const Mechanism& check_key(const CK_MECHANISM& m, const Key& key, bool needs_private);

}  // namespace ecert::crypto
