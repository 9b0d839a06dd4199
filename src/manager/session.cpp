// The manager's Session as PKCS#11 calls: open and close (logging out first if
// this session logged in), a login that accepts an existing one, object search
// in batches, attribute reads that give nothing for sensitive, unknown or
// unavailable attributes, object creation and changes, and single-part signing
// with the length query first.
#include "manager/session.h"

namespace ecert::manager {

Session::Session(const Module& module, CK_SLOT_ID slot, bool read_write) : module_(module), slot_(slot) {
  CK_FLAGS flags = CKF_SERIAL_SESSION | (read_write ? CKF_RW_SESSION : 0);
  check(p11()->C_OpenSession(slot, flags, nullptr, nullptr, &handle_), "C_OpenSession");
}

Session::~Session() {
  // Logging out ends the login state for every session of this application
  // with the token, which is what a manager command that is done wants.
  if (logged_in_) p11()->C_Logout(handle_);
  p11()->C_CloseSession(handle_);
}

void Session::login(CK_USER_TYPE who, std::string_view pin) {
  const CK_RV rv = p11()->C_Login(handle_, who, pin_pointer(pin), static_cast<CK_ULONG>(pin.size()));
  if (rv != CKR_USER_ALREADY_LOGGED_IN) check(rv, "C_Login");
  logged_in_ = true;
}

void Session::logout() {
  if (!logged_in_) return;
  logged_in_ = false;
  const CK_RV rv = p11()->C_Logout(handle_);
  if (rv != CKR_USER_NOT_LOGGED_IN) check(rv, "C_Logout");
}

std::vector<CK_OBJECT_HANDLE> Session::find(AttributeTemplate match) {
  check(p11()->C_FindObjectsInit(handle_, match.data(), match.size()), "C_FindObjectsInit");
  std::vector<CK_OBJECT_HANDLE> found;
  CK_RV rv = CKR_OK;
  for (;;) {
    CK_OBJECT_HANDLE batch[64];
    CK_ULONG count = 0;
    rv = p11()->C_FindObjects(handle_, batch, 64, &count);
    if (rv != CKR_OK || count == 0) break;
    found.insert(found.end(), batch, batch + count);
  }
  const CK_RV final_rv = p11()->C_FindObjectsFinal(handle_);
  check(rv, "C_FindObjects");
  check(final_rv, "C_FindObjectsFinal");
  return found;
}

std::optional<Bytes> Session::attribute(CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type) {
  CK_ATTRIBUTE a{type, nullptr, 0};
  CK_RV rv = p11()->C_GetAttributeValue(handle_, object, &a, 1);
  if (rv == CKR_ATTRIBUTE_SENSITIVE || rv == CKR_ATTRIBUTE_TYPE_INVALID) return std::nullopt;
  check(rv, "C_GetAttributeValue");
  if (a.ulValueLen == CK_UNAVAILABLE_INFORMATION) return std::nullopt;
  Bytes value(a.ulValueLen);
  a.pValue = value.data();
  rv = p11()->C_GetAttributeValue(handle_, object, &a, 1);
  if (rv == CKR_ATTRIBUTE_SENSITIVE || rv == CKR_ATTRIBUTE_TYPE_INVALID) return std::nullopt;
  check(rv, "C_GetAttributeValue");
  value.resize(a.ulValueLen);
  return value;
}

std::optional<CK_ULONG> Session::ulong_attribute(CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type) {
  const auto v = attribute(object, type);
  if (!v || v->size() != sizeof(CK_ULONG)) return std::nullopt;
  CK_ULONG out = 0;
  std::copy(v->begin(), v->end(), reinterpret_cast<std::uint8_t*>(&out));
  return out;
}

std::optional<bool> Session::bool_attribute(CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type) {
  const auto v = attribute(object, type);
  if (!v || v->size() != sizeof(CK_BBOOL)) return std::nullopt;
  return (*v)[0] != CK_FALSE;
}

CK_OBJECT_HANDLE Session::create(AttributeTemplate attributes) {
  CK_OBJECT_HANDLE object = CK_INVALID_HANDLE;
  check(p11()->C_CreateObject(handle_, attributes.data(), attributes.size(), &object), "C_CreateObject");
  return object;
}

void Session::set_attributes(CK_OBJECT_HANDLE object, AttributeTemplate attributes) {
  check(p11()->C_SetAttributeValue(handle_, object, attributes.data(), attributes.size()), "C_SetAttributeValue");
}

void Session::destroy(CK_OBJECT_HANDLE object) { check(p11()->C_DestroyObject(handle_, object), "C_DestroyObject"); }

Bytes Session::sign(CK_MECHANISM_TYPE mechanism, CK_OBJECT_HANDLE key, ByteView data) {
  CK_MECHANISM m{mechanism, nullptr, 0};
  check(p11()->C_SignInit(handle_, &m, key), "C_SignInit");
  auto* in = const_cast<CK_BYTE_PTR>(data.data());
  CK_ULONG length = 0;
  check(p11()->C_Sign(handle_, in, static_cast<CK_ULONG>(data.size()), nullptr, &length), "C_Sign");
  Bytes signature(length);
  check(p11()->C_Sign(handle_, in, static_cast<CK_ULONG>(data.size()), signature.data(), &length), "C_Sign");
  signature.resize(length);
  return signature;
}

}  // namespace ecert::manager
