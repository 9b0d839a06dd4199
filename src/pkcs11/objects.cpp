// Object management: C_CreateObject, C_CopyObject, C_DestroyObject,
// C_GetObjectSize, C_GetAttributeValue, C_SetAttributeValue,
// C_FindObjectsInit, C_FindObjects, C_FindObjectsFinal.

#include <algorithm>

#include "pkcs11/call.h"

using namespace ecert::pkcs11;
using ecert::AttributeMap;
namespace services = ecert::token;

ECERT_EXPORT CK_RV C_CreateObject(CK_SESSION_HANDLE hSession, CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount,
                                  CK_OBJECT_HANDLE_PTR phObject) {
  const trace::Call traced(__func__, trace::Session{hSession}, trace::Template{"template", pTemplate, ulCount},
                           trace::NewHandle{"object", phObject});
  return call(traced, [&] {
    require_arg(phObject != nullptr);
    *phObject = services::create_object(hSession, AttributeMap::from_template(pTemplate, ulCount));
  });
}

ECERT_EXPORT CK_RV C_CopyObject(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject, CK_ATTRIBUTE_PTR pTemplate,
                                CK_ULONG ulCount, CK_OBJECT_HANDLE_PTR phNewObject) {
  const trace::Call traced(__func__, trace::Session{hSession}, trace::Object{"object", hObject},
                           trace::Template{"template", pTemplate, ulCount},
                           trace::NewHandle{"new_object", phNewObject});
  return call(traced, [&] {
    require_arg(phNewObject != nullptr);
    *phNewObject = services::copy_object(hSession, hObject, AttributeMap::from_template(pTemplate, ulCount));
  });
}

ECERT_EXPORT CK_RV C_DestroyObject(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject) {
  const trace::Call traced(__func__, trace::Session{hSession}, trace::Object{"object", hObject});
  return call(traced, [&] { services::destroy_object(hSession, hObject); });
}

ECERT_EXPORT CK_RV C_GetObjectSize(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject, CK_ULONG_PTR pulSize) {
  const trace::Call traced(__func__, trace::Session{hSession}, trace::Object{"object", hObject},
                           trace::Count{"size", pulSize});
  return call(traced, [&] {
    require_arg(pulSize != nullptr);
    *pulSize = services::get_object_size(hSession, hObject);
  });
}

// The services fill the caller's template in place (values, lengths and
// CK_UNAVAILABLE_INFORMATION) and return CKR_OK, CKR_ATTRIBUTE_SENSITIVE,
// CKR_ATTRIBUTE_TYPE_INVALID or CKR_BUFFER_TOO_SMALL.
ECERT_EXPORT CK_RV C_GetAttributeValue(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject, CK_ATTRIBUTE_PTR pTemplate,
                                       CK_ULONG ulCount) {
  const trace::Call traced(__func__, trace::Session{hSession}, trace::Object{"object", hObject},
                           trace::Query{pTemplate, ulCount});
  return call(traced, [&] {
    require_array(pTemplate, ulCount);
    // (NULL, 0) still checks the session and object; the services are given
    // a valid pointer in every case.
    CK_ATTRIBUTE none{};
    return services::get_attribute_value(hSession, hObject, pTemplate != nullptr ? pTemplate : &none, ulCount);
  });
}

ECERT_EXPORT CK_RV C_SetAttributeValue(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject, CK_ATTRIBUTE_PTR pTemplate,
                                       CK_ULONG ulCount) {
  const trace::Call traced(__func__, trace::Session{hSession}, trace::Object{"object", hObject},
                           trace::Template{"template", pTemplate, ulCount});
  return call(traced, [&] {
    services::set_attribute_value(hSession, hObject, AttributeMap::from_template(pTemplate, ulCount));
  });
}

// An empty template (NULL, 0) finds every object the session may see.
ECERT_EXPORT CK_RV C_FindObjectsInit(CK_SESSION_HANDLE hSession, CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount) {
  const trace::Call traced(__func__, trace::Session{hSession}, trace::Template{"template", pTemplate, ulCount});
  return call(traced, [&] { services::find_objects_init(hSession, AttributeMap::from_template(pTemplate, ulCount)); });
}

ECERT_EXPORT CK_RV C_FindObjects(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE_PTR phObject, CK_ULONG ulMaxObjectCount,
                                 CK_ULONG_PTR pulObjectCount) {
  const trace::Call traced(__func__, trace::Session{hSession},
                           trace::Found{phObject, ulMaxObjectCount, pulObjectCount});
  return call(traced, [&] {
    require_arg(pulObjectCount != nullptr);
    require_array(phObject, ulMaxObjectCount);
    const auto found = services::find_objects(hSession, ulMaxObjectCount);
    // The services return at most ulMaxObjectCount handles; never write more.
    const CK_ULONG n = std::min<CK_ULONG>(found.size(), ulMaxObjectCount);
    std::copy_n(found.begin(), n, phObject);
    *pulObjectCount = n;
  });
}

ECERT_EXPORT CK_RV C_FindObjectsFinal(CK_SESSION_HANDLE hSession) {
  const trace::Call traced(__func__, trace::Session{hSession});
  return call(traced, [&] { services::find_objects_final(hSession); });
}
