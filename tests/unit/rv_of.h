// rv_of(): the CK_RV an ecert::Error thrown by a call carries, or CKR_OK, so
// tests of the C++ layers compare exact return codes as the C layer would
// return them.
#pragma once

#include "common/error.h"

namespace ecert::test {

template <class F>
CK_RV rv_of(F&& f) {
  try {
    f();
    return CKR_OK;
  } catch (const Error& e) {
    return e.rv();
  }
}

}  // namespace ecert::test
