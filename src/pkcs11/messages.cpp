// The PKCS#11 3.0 message-based functions (C_MessageEncryptInit ...
// C_MessageVerifyFinal). None is supported: each returns
// CKR_FUNCTION_NOT_SUPPORTED once the library is initialised (and
// CKR_CRYPTOKI_NOT_INITIALIZED before).

#include "pkcs11/call.h"

using ecert::pkcs11::unsupported;

// ---- message-based encryption ----

ECERT_EXPORT CK_RV C_MessageEncryptInit(CK_SESSION_HANDLE, CK_MECHANISM_PTR, CK_OBJECT_HANDLE) {
  return unsupported(__func__);
}

ECERT_EXPORT CK_RV C_EncryptMessage(CK_SESSION_HANDLE, CK_VOID_PTR, CK_ULONG, CK_BYTE_PTR, CK_ULONG, CK_BYTE_PTR,
                                    CK_ULONG, CK_BYTE_PTR, CK_ULONG_PTR) {
  return unsupported(__func__);
}

ECERT_EXPORT CK_RV C_EncryptMessageBegin(CK_SESSION_HANDLE, CK_VOID_PTR, CK_ULONG, CK_BYTE_PTR, CK_ULONG) {
  return unsupported(__func__);
}

ECERT_EXPORT CK_RV C_EncryptMessageNext(CK_SESSION_HANDLE, CK_VOID_PTR, CK_ULONG, CK_BYTE_PTR, CK_ULONG, CK_BYTE_PTR,
                                        CK_ULONG_PTR, CK_FLAGS) {
  return unsupported(__func__);
}

ECERT_EXPORT CK_RV C_MessageEncryptFinal(CK_SESSION_HANDLE) { return unsupported(__func__); }

// ---- message-based decryption ----

ECERT_EXPORT CK_RV C_MessageDecryptInit(CK_SESSION_HANDLE, CK_MECHANISM_PTR, CK_OBJECT_HANDLE) {
  return unsupported(__func__);
}

ECERT_EXPORT CK_RV C_DecryptMessage(CK_SESSION_HANDLE, CK_VOID_PTR, CK_ULONG, CK_BYTE_PTR, CK_ULONG, CK_BYTE_PTR,
                                    CK_ULONG, CK_BYTE_PTR, CK_ULONG_PTR) {
  return unsupported(__func__);
}

ECERT_EXPORT CK_RV C_DecryptMessageBegin(CK_SESSION_HANDLE, CK_VOID_PTR, CK_ULONG, CK_BYTE_PTR, CK_ULONG) {
  return unsupported(__func__);
}

ECERT_EXPORT CK_RV C_DecryptMessageNext(CK_SESSION_HANDLE, CK_VOID_PTR, CK_ULONG, CK_BYTE_PTR, CK_ULONG, CK_BYTE_PTR,
                                        CK_ULONG_PTR, CK_FLAGS) {
  return unsupported(__func__);
}

ECERT_EXPORT CK_RV C_MessageDecryptFinal(CK_SESSION_HANDLE) { return unsupported(__func__); }

// ---- message-based signing ----

ECERT_EXPORT CK_RV C_MessageSignInit(CK_SESSION_HANDLE, CK_MECHANISM_PTR, CK_OBJECT_HANDLE) {
  return unsupported(__func__);
}

ECERT_EXPORT CK_RV C_SignMessage(CK_SESSION_HANDLE, CK_VOID_PTR, CK_ULONG, CK_BYTE_PTR, CK_ULONG, CK_BYTE_PTR,
                                 CK_ULONG_PTR) {
  return unsupported(__func__);
}

ECERT_EXPORT CK_RV C_SignMessageBegin(CK_SESSION_HANDLE, CK_VOID_PTR, CK_ULONG) { return unsupported(__func__); }

ECERT_EXPORT CK_RV C_SignMessageNext(CK_SESSION_HANDLE, CK_VOID_PTR, CK_ULONG, CK_BYTE_PTR, CK_ULONG, CK_BYTE_PTR,
                                     CK_ULONG_PTR) {
  return unsupported(__func__);
}

ECERT_EXPORT CK_RV C_MessageSignFinal(CK_SESSION_HANDLE) { return unsupported(__func__); }

// ---- message-based verification ----

ECERT_EXPORT CK_RV C_MessageVerifyInit(CK_SESSION_HANDLE, CK_MECHANISM_PTR, CK_OBJECT_HANDLE) {
  return unsupported(__func__);
}

ECERT_EXPORT CK_RV C_VerifyMessage(CK_SESSION_HANDLE, CK_VOID_PTR, CK_ULONG, CK_BYTE_PTR, CK_ULONG, CK_BYTE_PTR,
                                   CK_ULONG) {
  return unsupported(__func__);
}

ECERT_EXPORT CK_RV C_VerifyMessageBegin(CK_SESSION_HANDLE, CK_VOID_PTR, CK_ULONG) { return unsupported(__func__); }

ECERT_EXPORT CK_RV C_VerifyMessageNext(CK_SESSION_HANDLE, CK_VOID_PTR, CK_ULONG, CK_BYTE_PTR, CK_ULONG, CK_BYTE_PTR,
                                       CK_ULONG) {
  return unsupported(__func__);
}

ECERT_EXPORT CK_RV C_MessageVerifyFinal(CK_SESSION_HANDLE) { return unsupported(__func__); }
