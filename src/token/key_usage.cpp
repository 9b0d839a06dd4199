// usable_key(): the checks every sign, verify, encrypt and decrypt start makes
// on its key, in an order that gives PKCS#11's error codes (mechanism able to
// do the operation, handle naming a key, class and CKA_SIGN/CKA_VERIFY/...
// permission, key type, CKA_ALLOWED_MECHANISMS, key size), and the login
// generation the operation starts under.
#include "token/key_usage.h"

#include <cstring>

#include "common/error.h"

namespace ecert::token {
namespace {

struct UseRule {
  CK_FLAGS mechanism_flag;
  CK_OBJECT_CLASS key_class;
  CK_ATTRIBUTE_TYPE permission;
};

UseRule rule_for(KeyUse use) {
  switch (use) {
    case KeyUse::sign:
      return {CKF_SIGN, CKO_PRIVATE_KEY, CKA_SIGN};
    case KeyUse::verify:
      return {CKF_VERIFY, CKO_PUBLIC_KEY, CKA_VERIFY};
    case KeyUse::encrypt:
      return {CKF_ENCRYPT, CKO_PUBLIC_KEY, CKA_ENCRYPT};
    case KeyUse::decrypt:
      return {CKF_DECRYPT, CKO_PRIVATE_KEY, CKA_DECRYPT};
  }
  fail(CKR_GENERAL_ERROR);
}

bool mechanism_allowed(const AttributeMap& attrs, CK_MECHANISM_TYPE type) {
  const SecureBytes* allowed = attrs.find(CKA_ALLOWED_MECHANISMS);
  if (allowed == nullptr || allowed->empty()) return true;
  for (std::size_t i = 0; i + sizeof(CK_MECHANISM_TYPE) <= allowed->size(); i += sizeof(CK_MECHANISM_TYPE)) {
    CK_MECHANISM_TYPE t;
    std::memcpy(&t, allowed->data() + i, sizeof t);
    if (t == type) return true;
  }
  return false;
}

}  // namespace

UsableKey usable_key(Session& session, const CK_MECHANISM& mechanism, CK_OBJECT_HANDLE key, KeyUse use) {
  const crypto::Mechanism* m = crypto::find_mechanism(mechanism.mechanism);
  UseRule rule = rule_for(use);
  if (m == nullptr || (m->flags & rule.mechanism_flag) == 0) fail(CKR_MECHANISM_INVALID);
  ObjectPtr object;
  std::uint64_t generation = 0;
  {
    Lock lock(session.token().mutex());
    generation = session.token().login_generation();
    try {
      object = session.token().object(key);
    } catch (const Error& e) {
      if (e.rv() == CKR_OBJECT_HANDLE_INVALID) fail(CKR_KEY_HANDLE_INVALID);
      throw;
    }
  }
  const AttributeMap& attrs = object->attributes();
  CK_OBJECT_CLASS cls = object->object_class();
  // A valid handle of an object that is not a key at all (data, certificate)
  // is CKR_KEY_HANDLE_INVALID (PKCS#11 3.0 5.1.6); a secret key is a key of
  // the wrong type for every mechanism here.
  if (cls != CKO_PUBLIC_KEY && cls != CKO_PRIVATE_KEY && cls != CKO_SECRET_KEY) fail(CKR_KEY_HANDLE_INVALID);
  if (cls != CKO_PUBLIC_KEY && cls != CKO_PRIVATE_KEY) fail(CKR_KEY_TYPE_INCONSISTENT);
  // A verify or encrypt with a private key object is done with its public
  // half only when the object allows it; it never has CKA_VERIFY, so no.
  if (cls != rule.key_class || !attrs.bool_or(rule.permission, false)) fail(CKR_KEY_FUNCTION_NOT_PERMITTED);
  if (attrs.ulong_or(CKA_KEY_TYPE, CK_UNAVAILABLE_INFORMATION) != m->key_type) fail(CKR_KEY_TYPE_INCONSISTENT);
  if (!mechanism_allowed(attrs, m->type)) fail(CKR_MECHANISM_INVALID, "not in CKA_ALLOWED_MECHANISMS");
  std::shared_ptr<const crypto::Key> decoded = object->key();
  if (decoded->bits() < m->min_key_bits || decoded->bits() > m->max_key_bits) fail(CKR_KEY_SIZE_RANGE);
  return {m, std::move(decoded), generation};
}

}  // namespace ecert::token
