// Object: one PKCS#11 object as the module holds it in memory. Objects are
// immutable once published: a change makes a new Object that replaces the old
// one in the token's table, so an operation holding the old one (a signature
// in progress in another thread) never sees it change underneath.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>

#include "common/attribute_map.h"
#include "crypto/key.h"
#include "ecert/pkcs11.h"

namespace ecert::token {

class Object {
 public:
  // `sealed`: a token object stored sealed whole (private objects and keys),
  // which only the logged-in user sees, even when it failed authentication
  // and its attributes are unknown.
  Object(AttributeMap attrs, std::int64_t store_id, CK_SESSION_HANDLE owner, bool sealed = false)
      : attrs_(std::move(attrs)), store_id_(store_id), owner_(owner), sealed_(sealed) {}

  const AttributeMap& attributes() const { return attrs_; }
  CK_OBJECT_CLASS object_class() const { return attrs_.ulong_or(CKA_CLASS, CK_UNAVAILABLE_INFORMATION); }
  bool is_token_object() const { return attrs_.bool_or(CKA_TOKEN, false); }
  bool is_private() const { return attrs_.bool_or(CKA_PRIVATE, false); }
  // The row id in the token file (token objects) or 0 (session objects).
  std::int64_t store_id() const { return store_id_; }
  // The session that made a session object (destroyed when it closes), or 0.
  CK_SESSION_HANDLE owner() const { return owner_; }
  bool sealed() const { return sealed_; }

  // The decoded OpenSSL key of a key object, made on first use and kept for
  // the life of this Object (dropped with it at logout or change). Throws
  // CKR_KEY_HANDLE_INVALID for objects that are not keys.
  std::shared_ptr<const crypto::Key> key() const;

  // Size in bytes for C_GetObjectSize: the sum of the attribute values.
  CK_ULONG size() const;

 private:
  AttributeMap attrs_;
  std::int64_t store_id_;
  CK_SESSION_HANDLE owner_;
  bool sealed_;
  mutable std::once_flag key_once_;
  mutable std::shared_ptr<const crypto::Key> key_;
};

using ObjectPtr = std::shared_ptr<const Object>;

}  // namespace ecert::token
