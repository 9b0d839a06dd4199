// Finding the key of a cryptographic operation and checking that it may be
// used for it: class, CKA_SIGN/CKA_DECRYPT/..., key type, size and
// CKA_ALLOWED_MECHANISMS. Shared by every operation family.
#pragma once

#include <memory>

#include "crypto/mechanism.h"
#include "token/session.h"

namespace ecert::token {

enum class KeyUse { sign, verify, encrypt, decrypt };

// Looks up the mechanism row (CKR_MECHANISM_INVALID if unknown or not usable
// for `use`) and the decoded key (CKR_KEY_HANDLE_INVALID,
// CKR_KEY_FUNCTION_NOT_PERMITTED, CKR_KEY_TYPE_INCONSISTENT, CKR_KEY_SIZE_RANGE,
// CKR_MECHANISM_INVALID for a mechanism outside CKA_ALLOWED_MECHANISMS).
// Takes the token lock only for the lookup.
struct UsableKey {
  const crypto::Mechanism* mechanism;
  std::shared_ptr<const crypto::Key> key;
  // Token::login_generation() when the key was looked up: an operation on it
  // is installed only if no logout came in between (crypto_service.cpp).
  std::uint64_t login_generation;
};
UsableKey usable_key(Session& session, const CK_MECHANISM& mechanism, CK_OBJECT_HANDLE key, KeyUse use);

}  // namespace ecert::token
