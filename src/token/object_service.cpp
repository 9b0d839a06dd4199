// C_CreateObject .. C_FindObjectsFinal: who may do what with which object.
// What the attributes may be is attribute_rules' business; where they live is
// the Token's.
#include <cstring>

#include "common/error.h"
#include "crypto/key.h"
#include "token/attribute_rules.h"
#include "token/library.h"
#include "token/services.h"
#include "token/special_objects.h"

namespace ecert::token {
namespace {

// The session rules for making or changing an object with these attributes.
void check_write_access(const Session& session, const AttributeMap& attrs) {
  if (attrs.bool_or(CKA_TOKEN, false) && !session.read_write()) fail(CKR_SESSION_READ_ONLY);
  if (attrs.bool_or(CKA_PRIVATE, false) && !session.token().user_logged_in()) fail(CKR_USER_NOT_LOGGED_IN);
  if (attrs.bool_or(CKA_TRUSTED, false) && session.token().logged_in() != CKU_SO) {
    fail(CKR_ATTRIBUTE_READ_ONLY, "only the SO marks objects trusted");
  }
}

// Key objects must hold a key OpenSSL can use: refused at creation rather than
// at first use.
void check_key_material(const AttributeMap& attrs) {
  CK_OBJECT_CLASS cls = object_class(attrs);
  if (cls == CKO_PRIVATE_KEY || cls == CKO_PUBLIC_KEY) crypto::decode_key(cls, attrs);
}

// Builtin objects are not in the attribute tables: they show what they hold.
Visibility visibility_of(CK_OBJECT_HANDLE handle, const Object& object, CK_ATTRIBUTE_TYPE type) {
  if (Token::is_builtin(handle)) return object.attributes().has(type) ? Visibility::visible : Visibility::invalid;
  Visibility v = visibility(object.attributes(), type);
  if (v == Visibility::visible && !object.attributes().has(type)) return Visibility::invalid;
  return v;
}

}  // namespace

CK_OBJECT_HANDLE create_object(CK_SESSION_HANDLE handle, const AttributeMap& tmpl) {
  SessionPtr session = Library::get().session(handle);
  Token& token = session->token();
  Lock lock(token.mutex());
  AttributeMap attrs = complete_new_object(tmpl, Origin::create);
  check_write_access(*session, attrs);
  check_key_material(attrs);
  return token.add(std::move(attrs), handle);
}

CK_OBJECT_HANDLE copy_object(CK_SESSION_HANDLE handle, CK_OBJECT_HANDLE object, const AttributeMap& tmpl) {
  SessionPtr session = Library::get().session(handle);
  Token& token = session->token();
  Lock lock(token.mutex());
  ObjectPtr source = token.object(object);
  if (Token::is_builtin(object)) fail(CKR_ACTION_PROHIBITED);
  AttributeMap attrs = apply_copy(source->attributes(), tmpl);
  attrs.erase(CKA_UNIQUE_ID);
  check_write_access(*session, attrs);
  return token.add(std::move(attrs), handle);
}

void destroy_object(CK_SESSION_HANDLE handle, CK_OBJECT_HANDLE object) {
  SessionPtr session = Library::get().session(handle);
  Token& token = session->token();
  Lock lock(token.mutex());
  if (Token::is_builtin(object)) {
    token.object(object);
    fail(CKR_ACTION_PROHIBITED);
  }
  bool is_token_object = false, destroyable = true;
  try {
    ObjectPtr o = token.object(object);
    is_token_object = o->is_token_object();
    destroyable = o->attributes().bool_or(CKA_DESTROYABLE, true);
  } catch (const Error& e) {
    // A stored object that failed authentication may still be destroyed.
    if (e.rv() != CKR_DEVICE_ERROR) throw;
    is_token_object = true;
  }
  if (is_token_object && !session->read_write()) fail(CKR_SESSION_READ_ONLY);
  if (!destroyable) fail(CKR_ACTION_PROHIBITED);
  token.destroy(object);
}

CK_ULONG get_object_size(CK_SESSION_HANDLE handle, CK_OBJECT_HANDLE object) {
  SessionPtr session = Library::get().session(handle);
  Lock lock(session->token().mutex());
  return session->token().object(object)->size();
}

CK_RV get_attribute_value(CK_SESSION_HANDLE handle, CK_OBJECT_HANDLE object, CK_ATTRIBUTE* tmpl, CK_ULONG count) {
  SessionPtr session = Library::get().session(handle);
  ObjectPtr o;
  {
    Lock lock(session->token().mutex());
    o = session->token().object(object);
  }
  CK_RV rv = CKR_OK;
  for (CK_ULONG i = 0; i < count; ++i) {
    CK_ATTRIBUTE& a = tmpl[i];
    Visibility v = visibility_of(object, *o, a.type);
    if (v != Visibility::visible) {
      a.ulValueLen = CK_UNAVAILABLE_INFORMATION;
      rv = v == Visibility::sensitive ? CKR_ATTRIBUTE_SENSITIVE : CKR_ATTRIBUTE_TYPE_INVALID;
      continue;
    }
    const SecureBytes& value = o->attributes().at(a.type);
    if (a.pValue == nullptr) {
      a.ulValueLen = value.size();
    } else if (a.ulValueLen >= value.size()) {
      if (!value.empty()) std::memcpy(a.pValue, value.data(), value.size());
      a.ulValueLen = value.size();
    } else {
      a.ulValueLen = CK_UNAVAILABLE_INFORMATION;
      rv = CKR_BUFFER_TOO_SMALL;
    }
  }
  return rv;
}

void set_attribute_value(CK_SESSION_HANDLE handle, CK_OBJECT_HANDLE object, const AttributeMap& change) {
  SessionPtr session = Library::get().session(handle);
  Token& token = session->token();
  Lock lock(token.mutex());
  ObjectPtr o = token.object(object);
  if (object == kPolicyObjectHandle) {
    if (!session->read_write()) fail(CKR_SESSION_READ_ONLY);
    if (token.logged_in() != CKU_SO) fail(CKR_USER_NOT_LOGGED_IN, "the policy is the SO's");
    PolicyObjectChange wanted = apply_policy_change(token.policy(), change);
    token.set_policy(wanted.policy, wanted.token_label);
    return;
  }
  if (Token::is_builtin(object)) fail(CKR_ACTION_PROHIBITED);
  if (o->is_token_object() && !session->read_write()) fail(CKR_SESSION_READ_ONLY);
  AttributeMap attrs = apply_change(o->attributes(), change, token.logged_in() == CKU_SO);
  token.replace(object, std::move(attrs));
}

void find_objects_init(CK_SESSION_HANDLE handle, const AttributeMap& tmpl) {
  SessionPtr session = Library::get().session(handle);
  {
    Lock lock(session->mutex());
    if (session->find) fail(CKR_OPERATION_ACTIVE);
  }
  auto op = std::make_unique<FindOperation>();
  {
    Lock lock(session->token().mutex());
    // An attribute C_GetAttributeValue would not show matches nothing:
    // otherwise a template holding a guessed CKA_VALUE would tell whether
    // the guess was right. Checked before any value is compared.
    op->results = session->token().find([&](CK_OBJECT_HANDLE h, const Object& o) {
      for (const auto& [type, value] : tmpl.values()) {
        if (visibility_of(h, o, type) != Visibility::visible || o.attributes().at(type) != value) return false;
      }
      return true;
    });
  }
  Lock lock(session->mutex());
  if (session->find) fail(CKR_OPERATION_ACTIVE);
  session->find = std::move(op);
}

std::vector<CK_OBJECT_HANDLE> find_objects(CK_SESSION_HANDLE handle, CK_ULONG max_count) {
  SessionPtr session = Library::get().session(handle, false);
  Lock lock(session->mutex());
  if (!session->find) fail(CKR_OPERATION_NOT_INITIALIZED);
  FindOperation& op = *session->find;
  std::size_t n = std::min<std::size_t>(max_count, op.results.size() - op.next);
  std::vector<CK_OBJECT_HANDLE> out(op.results.begin() + op.next, op.results.begin() + op.next + n);
  op.next += n;
  return out;
}

void find_objects_final(CK_SESSION_HANDLE handle) {
  SessionPtr session = Library::get().session(handle, false);
  Lock lock(session->mutex());
  if (!session->find) fail(CKR_OPERATION_NOT_INITIALIZED);
  session->find.reset();
}

}  // namespace ecert::token
