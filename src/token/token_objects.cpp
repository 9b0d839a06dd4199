// Token: the object table. Token objects are mirrored from the file (their
// handle is their row id, the same in every process); private objects and key
// material are unsealed with the master key while the user is logged in.
#include <string>

#include "common/error.h"
#include "token/attribute_rules.h"
#include "token/token.h"

namespace ecert::token {

bool Token::is_builtin(CK_OBJECT_HANDLE handle) {
  return handle == kProfileObjectHandle || handle == kPolicyObjectHandle;
}

// Token objects holding key material are stored wholly sealed, whatever their
// CKA_PRIVATE says: were their CKA_SENSITIVE or CKA_EXTRACTABLE stored in
// clear, someone who can write the file could flip them and read the key
// after the next login. So a key stored on the token needs the login to be
// seen at all.
static bool stored_private(const AttributeMap& attrs) {
  CK_OBJECT_CLASS cls = attrs.ulong_or(CKA_CLASS, CK_UNAVAILABLE_INFORMATION);
  return attrs.bool_or(CKA_PRIVATE, false) || cls == CKO_PRIVATE_KEY || cls == CKO_SECRET_KEY;
}

bool Token::needs_login(const Object& object) {
  return object.is_private() || (object.store_id() != 0 && stored_private(object.attributes()));
}

bool Token::visible(const Object& object) const { return !needs_login(object) || user_logged_in(); }

AttributeMap Token::unseal_object(const store::StoredObject& stored, bool& corrupt, bool& missing) const {
  AttributeMap attrs;
  for (const store::StoredAttribute& a : stored.attributes) {
    if (!a.sealed) {
      attrs.set(a.type, view(a.value));
      continue;
    }
    if (!vault_.unlocked()) {
      missing = true;
      continue;
    }
    auto plain = vault_.unseal_attribute(stored.id, a.type, view(a.value));
    if (!plain) {
      corrupt = true;
      continue;
    }
    attrs.set(a.type, std::move(*plain));
  }
  return attrs;
}

void Token::load_objects() {
  for (auto it = objects_.begin(); it != objects_.end();) {
    it = it->second->store_id() != 0 ? objects_.erase(it) : std::next(it);
  }
  corrupt_.clear();
  merge_stored(store_->read_objects());
}

void Token::load_sealed_objects() { merge_stored(store_->read_objects(true)); }

void Token::merge_stored(const std::vector<store::StoredObject>& stored_objects) {
  for (const store::StoredObject& stored : stored_objects) {
    if (stored.is_private && !user_logged_in()) continue;
    auto handle = static_cast<CK_OBJECT_HANDLE>(stored.id);
    if (handle >= kProfileObjectHandle) continue;  // never produced by this module
    bool corrupt = false, missing = false;
    AttributeMap attrs = unseal_object(stored, corrupt, missing);
    auto object = std::make_shared<Object>(std::move(attrs), stored.id, 0);
    object->set_secrets_missing(missing);
    objects_[handle] = std::move(object);
    if (corrupt) corrupt_[handle] = true;
    else corrupt_.erase(handle);
  }
  rebuild_builtin_objects();
}

std::vector<store::StoredAttribute> Token::seal_attributes(std::int64_t id, const AttributeMap& attrs) const {
  CK_OBJECT_CLASS cls = object_class(attrs);
  bool all_sealed = stored_private(attrs);
  std::vector<store::StoredAttribute> out;
  for (const auto& [type, value] : attrs.values()) {
    bool sealed = all_sealed || is_secret_attribute(cls, type);
    if (!sealed) {
      out.push_back({type, false, copy(view(value))});
      continue;
    }
    out.push_back({type, true, vault_.seal_attribute(id, type, view(value))});
  }
  return out;
}

ObjectPtr Token::object(CK_OBJECT_HANDLE handle) const {
  auto it = objects_.find(handle);
  if (it == objects_.end() || !visible(*it->second)) fail(CKR_OBJECT_HANDLE_INVALID);
  if (corrupt_.count(handle) != 0) fail(CKR_DEVICE_ERROR, "stored object failed authentication");
  return it->second;
}

std::vector<CK_OBJECT_HANDLE> Token::find(const AttributeMap& tmpl) const {
  std::vector<CK_OBJECT_HANDLE> out;
  for (const auto& [handle, object] : objects_) {
    if (!visible(*object)) continue;
    bool match = true;
    for (const auto& [type, value] : tmpl.values()) {
      const SecureBytes* have = object->attributes().find(type);
      if (have == nullptr || *have != value) {
        match = false;
        break;
      }
    }
    if (match) out.push_back(handle);
  }
  return out;
}

CK_OBJECT_HANDLE Token::add(AttributeMap attrs, CK_SESSION_HANDLE owner) {
  if (!attrs.bool_or(CKA_TOKEN, false)) {
    CK_OBJECT_HANDLE handle = next_session_handle_++;
    attrs.set_string(CKA_UNIQUE_ID, "s" + std::to_string(handle));
    objects_[handle] = std::make_shared<Object>(std::move(attrs), 0, owner);
    return handle;
  }
  require_initialized();
  // A process that has not yet seen a re-initialisation by another is refused
  // by the store: its object, sealed under the old token's key, would be
  // readable by nobody in the new one.
  std::int64_t id = store_->add_object(view(vault_.token().uuid), stored_private(attrs), [&](std::int64_t new_id) {
    require(static_cast<CK_OBJECT_HANDLE>(new_id) < kProfileObjectHandle, CKR_DEVICE_MEMORY, "object ids exhausted");
    attrs.set_string(CKA_UNIQUE_ID, record_.serial + "-" + std::to_string(new_id));
    return seal_attributes(new_id, attrs);
  });
  auto handle = static_cast<CK_OBJECT_HANDLE>(id);
  objects_[handle] = std::make_shared<Object>(std::move(attrs), id, 0);
  return handle;
}

void Token::replace(CK_OBJECT_HANDLE handle, AttributeMap attrs) {
  ObjectPtr old = object(handle);
  // Without the master key the sealed values are not in memory; writing the
  // object back now would lose them.
  require(!old->secrets_missing(), CKR_USER_NOT_LOGGED_IN, "key material sealed");
  if (old->store_id() != 0) {
    bool found = store_->rewrite_object(view(vault_.token().uuid), old->store_id(), stored_private(attrs),
                                        seal_attributes(old->store_id(), attrs));
    if (!found) fail(CKR_OBJECT_HANDLE_INVALID, "deleted by another process");
  }
  objects_[handle] = std::make_shared<Object>(std::move(attrs), old->store_id(), old->owner());
}

void Token::destroy(CK_OBJECT_HANDLE handle) {
  // Looked up directly rather than with object(): a stored object that failed
  // authentication can still be destroyed.
  auto it = objects_.find(handle);
  if (it == objects_.end() || !visible(*it->second)) fail(CKR_OBJECT_HANDLE_INVALID);
  if (it->second->store_id() != 0) store_->delete_object(it->second->store_id());
  objects_.erase(it);
  corrupt_.erase(handle);
}

}  // namespace ecert::token
