// PKCS#11's rule for variable-length output, shared by every service that
// returns bytes: a NULL buffer asks only for the length, a buffer too small
// gets the length and CKR_BUFFER_TOO_SMALL, otherwise the bytes are copied and
// the length set.
#include <cstring>

#include "common/error.h"
#include "token/services.h"

namespace ecert::token {

bool deliver(const Output& out, std::size_t needed) {
  if (out.data == nullptr) {
    *out.length = needed;
    return false;
  }
  if (*out.length < needed) {
    *out.length = needed;
    fail(CKR_BUFFER_TOO_SMALL);
  }
  return true;
}

void deliver_bytes(const Output& out, ByteView bytes) {
  if (!deliver(out, bytes.size())) return;
  if (!bytes.empty()) std::memcpy(out.data, bytes.data(), bytes.size());
  *out.length = bytes.size();
}

}  // namespace ecert::token
