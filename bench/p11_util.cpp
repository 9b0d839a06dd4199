#include "p11_util.h"

CK_ATTRIBUTE attr_bytes(CK_ATTRIBUTE_TYPE type, const void* data, size_t size) {
  return {type, const_cast<void*>(data), size};
}

CK_ATTRIBUTE attr_text(CK_ATTRIBUTE_TYPE type, const std::string& text) {
  return attr_bytes(type, text.data(), text.size());
}

Status find_objects(CK_FUNCTION_LIST* f, CK_SESSION_HANDLE session, std::vector<CK_ATTRIBUTE> templ,
                    std::vector<CK_OBJECT_HANDLE>& found) {
  found.clear();
  CK_RV rv = f->C_FindObjectsInit(session, templ.data(), templ.size());
  if (rv != CKR_OK) return Status::ck("C_FindObjectsInit", rv);
  CK_OBJECT_HANDLE batch[512];
  for (;;) {
    CK_ULONG got = 0;
    rv = f->C_FindObjects(session, batch, sizeof batch / sizeof batch[0], &got);
    if (rv != CKR_OK) {
      f->C_FindObjectsFinal(session);
      return Status::ck("C_FindObjects", rv);
    }
    if (got == 0) break;
    found.insert(found.end(), batch, batch + got);
  }
  rv = f->C_FindObjectsFinal(session);
  return rv == CKR_OK ? Status::ok() : Status::ck("C_FindObjectsFinal", rv);
}

Status find_by_label(CK_FUNCTION_LIST* f, CK_SESSION_HANDLE session, CK_OBJECT_CLASS object_class,
                     const std::string& label, CK_OBJECT_HANDLE& object) {
  std::vector<CK_OBJECT_HANDLE> found;
  Status s = find_objects(f, session, {attr(CKA_CLASS, object_class), attr_text(CKA_LABEL, label)}, found);
  if (!s.is_ok()) return s;
  // Several matches would mean an earlier run was interrupted half-way; any
  // of them works for timing, so take the first rather than refuse to run.
  object = found.empty() ? CK_INVALID_HANDLE : found.front();
  return Status::ok();
}

Status get_attribute(CK_FUNCTION_LIST* f, CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type,
                     Bytes& value) {
  CK_ATTRIBUTE query{type, nullptr, 0};
  CK_RV rv = f->C_GetAttributeValue(session, object, &query, 1);
  if (rv != CKR_OK) return Status::ck("C_GetAttributeValue", rv);
  if (query.ulValueLen == CK_UNAVAILABLE_INFORMATION) return Status::fail("attribute unavailable");
  value.resize(query.ulValueLen);
  query.pValue = value.data();
  rv = f->C_GetAttributeValue(session, object, &query, 1);
  if (rv != CKR_OK) return Status::ck("C_GetAttributeValue", rv);
  value.resize(query.ulValueLen);
  return Status::ok();
}
