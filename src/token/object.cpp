// What an Object works out from its attributes when asked: its decoded OpenSSL
// key, decoded once by the first operation that needs it even when several
// threads start at once, and its size for C_GetObjectSize.
#include "token/object.h"

#include "common/error.h"

namespace ecert::token {

std::shared_ptr<const crypto::Key> Object::key() const {
  CK_OBJECT_CLASS cls = object_class();
  require(cls == CKO_PRIVATE_KEY || cls == CKO_PUBLIC_KEY, CKR_KEY_HANDLE_INVALID, "not an asymmetric key");
  // call_once: two threads starting operations on a fresh key decode it once;
  // if decoding throws, the next caller tries again.
  std::call_once(key_once_, [&] { key_ = crypto::decode_key(cls, attrs_); });
  return key_;
}

CK_ULONG Object::size() const {
  CK_ULONG total = 0;
  for (const auto& [type, value] : attrs_.values()) total += value.size();
  return total;
}

}  // namespace ecert::token
