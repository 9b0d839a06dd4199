// Token: the object table. Token objects are mirrored from the file (their
// handle is their row id, the same in every process); private objects and
// keys, stored sealed whole by the store, are read while the user is logged
// in.
#include <string>

#include "common/error.h"
#include "token/attribute_rules.h"
#include "token/token.h"

namespace ecert::token {

bool Token::is_builtin(CK_OBJECT_HANDLE handle) {
  return handle == kProfileObjectHandle || handle == kPolicyObjectHandle;
}

// Token objects holding key material are stored sealed whole, whatever their
// CKA_PRIVATE says: were their CKA_SENSITIVE or CKA_EXTRACTABLE stored in
// clear, someone who can write the file could flip them and read the key
// after the next login. So a key stored on the token needs the login to be
// seen at all.
static bool stored_private(const AttributeMap& attrs) {
  CK_OBJECT_CLASS cls = attrs.ulong_or(CKA_CLASS, CK_UNAVAILABLE_INFORMATION);
  return attrs.bool_or(CKA_PRIVATE, false) || cls == CKO_PRIVATE_KEY || cls == CKO_SECRET_KEY;
}

bool Token::needs_login(const Object& object) { return object.is_private() || object.sealed(); }

bool Token::visible(const Object& object) const { return !needs_login(object) || user_logged_in(); }

void Token::load_objects() {
  for (auto it = objects_.begin(); it != objects_.end();) {
    it = it->second->store_id() != 0 ? objects_.erase(it) : std::next(it);
  }
  corrupt_.clear();
  merge_stored(store_->read_objects(user_logged_in() ? &vault_ : nullptr));
}

void Token::load_sealed_objects() {
  store_->upgrade_private_objects(vault_);
  merge_stored(store_->read_objects(&vault_, true));
}

void Token::merge_stored(std::vector<store::LoadedObject> loaded) {
  for (store::LoadedObject& stored : loaded) {
    auto handle = static_cast<CK_OBJECT_HANDLE>(stored.id);
    if (handle >= kProfileObjectHandle) continue;  // never produced by this module
    // A public object claiming what is only ever stored sealed (a key, a
    // private object) was planted or had its private flag flipped.
    bool corrupt = stored.corrupt || (!stored.is_private && stored_private(stored.attributes));
    if (corrupt) stored.attributes = AttributeMap{};
    objects_[handle] = std::make_shared<Object>(std::move(stored.attributes), stored.id, 0, stored.is_private);
    if (corrupt)
      corrupt_[handle] = true;
    else
      corrupt_.erase(handle);
  }
  rebuild_builtin_objects();
}

ObjectPtr Token::object(CK_OBJECT_HANDLE handle) const {
  auto it = objects_.find(handle);
  if (it == objects_.end() || !visible(*it->second)) fail(CKR_OBJECT_HANDLE_INVALID);
  if (corrupt_.count(handle) != 0) fail(CKR_DEVICE_ERROR, "stored object failed authentication");
  return it->second;
}

std::vector<CK_OBJECT_HANDLE> Token::find(const std::function<bool(CK_OBJECT_HANDLE, const Object&)>& matches) const {
  std::vector<CK_OBJECT_HANDLE> out;
  for (const auto& [handle, object] : objects_) {
    if (visible(*object) && matches(handle, *object)) out.push_back(handle);
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
  bool sealed = stored_private(attrs);
  std::int64_t id = store_->add_object(vault_, sealed, [&](std::int64_t new_id) {
    require(static_cast<CK_OBJECT_HANDLE>(new_id) < kProfileObjectHandle, CKR_DEVICE_MEMORY, "object ids exhausted");
    attrs.set_string(CKA_UNIQUE_ID, record_.serial + "-" + std::to_string(new_id));
    return attrs;
  });
  auto handle = static_cast<CK_OBJECT_HANDLE>(id);
  objects_[handle] = std::make_shared<Object>(std::move(attrs), id, 0, sealed);
  return handle;
}

void Token::replace(CK_OBJECT_HANDLE handle, AttributeMap attrs) {
  ObjectPtr old = object(handle);
  bool sealed = old->store_id() != 0 && stored_private(attrs);
  if (old->store_id() != 0) {
    bool found = store_->rewrite_object(vault_, old->store_id(), sealed, attrs);
    if (!found) fail(CKR_OBJECT_HANDLE_INVALID, "deleted by another process");
  }
  objects_[handle] = std::make_shared<Object>(std::move(attrs), old->store_id(), old->owner(), sealed);
}

void Token::destroy(CK_OBJECT_HANDLE handle) {
  // Looked up directly rather than with object(): a stored object that failed
  // authentication can still be destroyed.
  auto it = objects_.find(handle);
  if (it == objects_.end() || !visible(*it->second)) fail(CKR_OBJECT_HANDLE_INVALID);
  if (it->second->store_id() != 0) store_->delete_object(vault_, it->second->store_id());
  objects_.erase(it);
  corrupt_.erase(handle);
}

}  // namespace ecert::token
