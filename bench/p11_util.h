// Small helpers around object search and attribute reads, shared by the
// setup code, the key lookup and the measured operations.
#pragma once

#include <string>
#include <vector>

#include "p11.h"
#include "status.h"

using Bytes = std::vector<unsigned char>;

// PKCS#11 takes non-const pointers everywhere, even for inputs it only reads.
template <typename T>
CK_ATTRIBUTE attr(CK_ATTRIBUTE_TYPE type, const T& value) {
  return {type, const_cast<T*>(&value), sizeof(T)};
}
// A temporary would dangle once the template outlives the full expression,
// and a bare literal like CK_TRUE would have the size of an int: use the
// named constants below instead.
template <typename T>
CK_ATTRIBUTE attr(CK_ATTRIBUTE_TYPE type, const T&& value) = delete;

inline const CK_BBOOL kTrue = CK_TRUE;
inline const CK_BBOOL kFalse = CK_FALSE;
CK_ATTRIBUTE attr_bytes(CK_ATTRIBUTE_TYPE type, const void* data, size_t size);
CK_ATTRIBUTE attr_text(CK_ATTRIBUTE_TYPE type, const std::string& text);

// All objects matching the template (C_FindObjectsInit/C_FindObjects/Final).
Status find_objects(CK_FUNCTION_LIST* f, CK_SESSION_HANDLE session, std::vector<CK_ATTRIBUTE> templ,
                    std::vector<CK_OBJECT_HANDLE>& found);

// The single object of this class with this label, CK_INVALID_HANDLE if none.
Status find_by_label(CK_FUNCTION_LIST* f, CK_SESSION_HANDLE session, CK_OBJECT_CLASS object_class,
                     const std::string& label, CK_OBJECT_HANDLE& object);

Status get_attribute(CK_FUNCTION_LIST* f, CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type,
                     Bytes& value);
