// Encryption and decryption: C_EncryptInit, C_Encrypt, C_EncryptUpdate,
// C_EncryptFinal, C_DecryptInit, C_Decrypt, C_DecryptUpdate, C_DecryptFinal,
// and the dual-function updates (not supported). The functions that continue
// an operation run in operation_call(), so a CKR_ARGUMENTS_BAD found here (a
// bad pointer or length) ends the active operation, as the services end it
// on every other error but CKR_BUFFER_TOO_SMALL; a length query (a NULL
// output buffer) leaves it active. C_EncryptInit and C_DecryptInit given a
// NULL mechanism leave an operation already active as it was.

#include "pkcs11/call.h"

using namespace ecert::pkcs11;
namespace services = ecert::token;

ECERT_EXPORT CK_RV C_EncryptInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hKey) {
  const trace::Call traced(__func__, trace::Session{hSession}, trace::Mechanism{pMechanism},
                           trace::Object{"key", hKey});
  return call(traced, [&] {
    require_arg(pMechanism != nullptr);
    services::encrypt_init(hSession, *pMechanism, hKey);
  });
}

ECERT_EXPORT CK_RV C_Encrypt(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
                             CK_BYTE_PTR pEncryptedData, CK_ULONG_PTR pulEncryptedDataLen) {
  const trace::Call traced(__func__, trace::Session{hSession}, trace::Bytes{"data", pData, ulDataLen},
                           trace::Output{"encrypted", pEncryptedData, pulEncryptedDataLen});
  return operation_call(traced, hSession, services::OperationKind::encrypt, [&] {
    const auto encrypted = output(pEncryptedData, pulEncryptedDataLen);
    services::encrypt(hSession, input(pData, ulDataLen), encrypted);
  });
}

ECERT_EXPORT CK_RV C_EncryptUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG ulPartLen,
                                   CK_BYTE_PTR pEncryptedPart, CK_ULONG_PTR pulEncryptedPartLen) {
  const trace::Call traced(__func__, trace::Session{hSession}, trace::Bytes{"part", pPart, ulPartLen},
                           trace::Output{"encrypted", pEncryptedPart, pulEncryptedPartLen});
  return operation_call(traced, hSession, services::OperationKind::encrypt, [&] {
    const auto encrypted = output(pEncryptedPart, pulEncryptedPartLen);
    services::encrypt_update(hSession, input(pPart, ulPartLen), encrypted);
  });
}

ECERT_EXPORT CK_RV C_EncryptFinal(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pLastEncryptedPart,
                                  CK_ULONG_PTR pulLastEncryptedPartLen) {
  const trace::Call traced(__func__, trace::Session{hSession},
                           trace::Output{"encrypted", pLastEncryptedPart, pulLastEncryptedPartLen});
  return operation_call(traced, hSession, services::OperationKind::encrypt, [&] {
    services::encrypt_final(hSession, output(pLastEncryptedPart, pulLastEncryptedPartLen));
  });
}

ECERT_EXPORT CK_RV C_DecryptInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hKey) {
  const trace::Call traced(__func__, trace::Session{hSession}, trace::Mechanism{pMechanism},
                           trace::Object{"key", hKey});
  return call(traced, [&] {
    require_arg(pMechanism != nullptr);
    services::decrypt_init(hSession, *pMechanism, hKey);
  });
}

ECERT_EXPORT CK_RV C_Decrypt(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pEncryptedData, CK_ULONG ulEncryptedDataLen,
                             CK_BYTE_PTR pData, CK_ULONG_PTR pulDataLen) {
  const trace::Call traced(__func__, trace::Session{hSession},
                           trace::Bytes{"encrypted", pEncryptedData, ulEncryptedDataLen},
                           trace::Output{"data", pData, pulDataLen});
  return operation_call(traced, hSession, services::OperationKind::decrypt, [&] {
    const auto data = output(pData, pulDataLen);
    services::decrypt(hSession, input(pEncryptedData, ulEncryptedDataLen), data);
  });
}

ECERT_EXPORT CK_RV C_DecryptUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pEncryptedPart, CK_ULONG ulEncryptedPartLen,
                                   CK_BYTE_PTR pPart, CK_ULONG_PTR pulPartLen) {
  const trace::Call traced(__func__, trace::Session{hSession},
                           trace::Bytes{"encrypted", pEncryptedPart, ulEncryptedPartLen},
                           trace::Output{"part", pPart, pulPartLen});
  return operation_call(traced, hSession, services::OperationKind::decrypt, [&] {
    const auto part = output(pPart, pulPartLen);
    services::decrypt_update(hSession, input(pEncryptedPart, ulEncryptedPartLen), part);
  });
}

ECERT_EXPORT CK_RV C_DecryptFinal(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pLastPart, CK_ULONG_PTR pulLastPartLen) {
  const trace::Call traced(__func__, trace::Session{hSession}, trace::Output{"part", pLastPart, pulLastPartLen});
  return operation_call(traced, hSession, services::OperationKind::decrypt,
                        [&] { services::decrypt_final(hSession, output(pLastPart, pulLastPartLen)); });
}

// The dual-function updates are not supported.
ECERT_EXPORT CK_RV C_DigestEncryptUpdate(CK_SESSION_HANDLE /*hSession*/, CK_BYTE_PTR /*pPart*/, CK_ULONG /*ulPartLen*/,
                                         CK_BYTE_PTR /*pEncryptedPart*/, CK_ULONG_PTR /*pulEncryptedPartLen*/) {
  return unsupported(__func__);
}

ECERT_EXPORT CK_RV C_DecryptDigestUpdate(CK_SESSION_HANDLE /*hSession*/, CK_BYTE_PTR /*pEncryptedPart*/,
                                         CK_ULONG /*ulEncryptedPartLen*/, CK_BYTE_PTR /*pPart*/,
                                         CK_ULONG_PTR /*pulPartLen*/) {
  return unsupported(__func__);
}

ECERT_EXPORT CK_RV C_SignEncryptUpdate(CK_SESSION_HANDLE /*hSession*/, CK_BYTE_PTR /*pPart*/, CK_ULONG /*ulPartLen*/,
                                       CK_BYTE_PTR /*pEncryptedPart*/, CK_ULONG_PTR /*pulEncryptedPartLen*/) {
  return unsupported(__func__);
}

ECERT_EXPORT CK_RV C_DecryptVerifyUpdate(CK_SESSION_HANDLE /*hSession*/, CK_BYTE_PTR /*pEncryptedPart*/,
                                         CK_ULONG /*ulEncryptedPartLen*/, CK_BYTE_PTR /*pPart*/,
                                         CK_ULONG_PTR /*pulPartLen*/) {
  return unsupported(__func__);
}
