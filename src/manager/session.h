// A PKCS#11 session of the manager, closed when the object dies, with the
// object and signing calls the manager needs. Every failing call throws
// P11Error naming the C_* function.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "manager/attribute_template.h"
#include "manager/pkcs11_module.h"

namespace ecert::manager {

class Session {
 public:
  Session(const Module& module, CK_SLOT_ID slot, bool read_write);
  // Logs out if this object logged in, then closes the session.
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  const Module& module() const { return module_; }
  CK_SLOT_ID slot() const { return slot_; }
  CK_SESSION_HANDLE handle() const { return handle_; }
  CK_FUNCTION_LIST* p11() const { return module_.p11(); }

  // C_Login. The PIN is passed as given (UTF-8); CKR_USER_ALREADY_LOGGED_IN
  // counts as success. Throws P11Error (CKR_PIN_INCORRECT, CKR_PIN_LOCKED,
  // CKR_PIN_EXPIRED, ...) otherwise.
  void login(CK_USER_TYPE who, std::string_view pin);
  void logout();

  // All objects matching `match` (an empty template matches every object the
  // session can see).
  std::vector<CK_OBJECT_HANDLE> find(AttributeTemplate match);
  // One attribute's value; nullopt when the object does not have it or it
  // may not be read (sensitive), so callers can tell "absent" from "failed".
  std::optional<Bytes> attribute(CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type);
  std::optional<CK_ULONG> ulong_attribute(CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type);
  std::optional<bool> bool_attribute(CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type);

  CK_OBJECT_HANDLE create(AttributeTemplate attributes);
  void set_attributes(CK_OBJECT_HANDLE object, AttributeTemplate attributes);
  void destroy(CK_OBJECT_HANDLE object);
  // C_SignInit + C_Sign (two-call length query).
  Bytes sign(CK_MECHANISM_TYPE mechanism, CK_OBJECT_HANDLE key, ByteView data);

 private:
  const Module& module_;
  CK_SLOT_ID slot_;
  CK_SESSION_HANDLE handle_ = CK_INVALID_HANDLE;
  bool logged_in_ = false;
};

// A PIN as the CK_UTF8CHAR pointer PKCS#11 wants (the module does not write
// through it).
inline CK_UTF8CHAR_PTR pin_pointer(std::string_view pin) {
  return reinterpret_cast<CK_UTF8CHAR_PTR>(const_cast<char*>(pin.data()));
}

}  // namespace ecert::manager
