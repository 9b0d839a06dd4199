// Signing and verification: C_SignInit, C_Sign, C_SignUpdate, C_SignFinal,
// C_VerifyInit, C_Verify, C_VerifyUpdate, C_VerifyFinal, and the recover
// variants (not supported). The functions that continue an operation run in
// operation_call(), so a CKR_ARGUMENTS_BAD found here ends it, as the
// services end it on every other error but CKR_BUFFER_TOO_SMALL.

#include "pkcs11/call.h"

using namespace ecert::pkcs11;
namespace services = ecert::token;

ECERT_EXPORT CK_RV C_SignInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hKey) {
  const trace::Call traced(__func__, trace::Session{hSession}, trace::Mechanism{pMechanism},
                           trace::Object{"key", hKey});
  return call(traced, [&] {
    require_arg(pMechanism != nullptr);
    services::sign_init(hSession, *pMechanism, hKey);
  });
}

ECERT_EXPORT CK_RV C_Sign(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen, CK_BYTE_PTR pSignature,
                          CK_ULONG_PTR pulSignatureLen) {
  const trace::Call traced(__func__, trace::Session{hSession}, trace::Bytes{"data", pData, ulDataLen},
                           trace::Output{"signature", pSignature, pulSignatureLen});
  return operation_call(traced, hSession, services::OperationKind::sign, [&] {
    const auto signature = output(pSignature, pulSignatureLen);
    services::sign(hSession, input(pData, ulDataLen), signature);
  });
}

ECERT_EXPORT CK_RV C_SignUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG ulPartLen) {
  const trace::Call traced(__func__, trace::Session{hSession}, trace::Bytes{"part", pPart, ulPartLen});
  return operation_call(traced, hSession, services::OperationKind::sign,
                        [&] { services::sign_update(hSession, input(pPart, ulPartLen)); });
}

ECERT_EXPORT CK_RV C_SignFinal(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSignature, CK_ULONG_PTR pulSignatureLen) {
  const trace::Call traced(__func__, trace::Session{hSession}, trace::Output{"signature", pSignature, pulSignatureLen});
  return operation_call(traced, hSession, services::OperationKind::sign,
                        [&] { services::sign_final(hSession, output(pSignature, pulSignatureLen)); });
}

ECERT_EXPORT CK_RV C_SignRecoverInit(CK_SESSION_HANDLE /*hSession*/, CK_MECHANISM_PTR /*pMechanism*/,
                                     CK_OBJECT_HANDLE /*hKey*/) {
  return unsupported(__func__);
}

ECERT_EXPORT CK_RV C_SignRecover(CK_SESSION_HANDLE /*hSession*/, CK_BYTE_PTR /*pData*/, CK_ULONG /*ulDataLen*/,
                                 CK_BYTE_PTR /*pSignature*/, CK_ULONG_PTR /*pulSignatureLen*/) {
  return unsupported(__func__);
}

ECERT_EXPORT CK_RV C_VerifyInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hKey) {
  const trace::Call traced(__func__, trace::Session{hSession}, trace::Mechanism{pMechanism},
                           trace::Object{"key", hKey});
  return call(traced, [&] {
    require_arg(pMechanism != nullptr);
    services::verify_init(hSession, *pMechanism, hKey);
  });
}

ECERT_EXPORT CK_RV C_Verify(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen, CK_BYTE_PTR pSignature,
                            CK_ULONG ulSignatureLen) {
  const trace::Call traced(__func__, trace::Session{hSession}, trace::Bytes{"data", pData, ulDataLen},
                           trace::Bytes{"signature", pSignature, ulSignatureLen});
  return operation_call(traced, hSession, services::OperationKind::verify, [&] {
    const auto data = input(pData, ulDataLen);
    services::verify(hSession, data, input(pSignature, ulSignatureLen));
  });
}

ECERT_EXPORT CK_RV C_VerifyUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG ulPartLen) {
  const trace::Call traced(__func__, trace::Session{hSession}, trace::Bytes{"part", pPart, ulPartLen});
  return operation_call(traced, hSession, services::OperationKind::verify,
                        [&] { services::verify_update(hSession, input(pPart, ulPartLen)); });
}

ECERT_EXPORT CK_RV C_VerifyFinal(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSignature, CK_ULONG ulSignatureLen) {
  const trace::Call traced(__func__, trace::Session{hSession}, trace::Bytes{"signature", pSignature, ulSignatureLen});
  return operation_call(traced, hSession, services::OperationKind::verify,
                        [&] { services::verify_final(hSession, input(pSignature, ulSignatureLen)); });
}

ECERT_EXPORT CK_RV C_VerifyRecoverInit(CK_SESSION_HANDLE /*hSession*/, CK_MECHANISM_PTR /*pMechanism*/,
                                       CK_OBJECT_HANDLE /*hKey*/) {
  return unsupported(__func__);
}

ECERT_EXPORT CK_RV C_VerifyRecover(CK_SESSION_HANDLE /*hSession*/, CK_BYTE_PTR /*pSignature*/,
                                   CK_ULONG /*ulSignatureLen*/, CK_BYTE_PTR /*pData*/, CK_ULONG_PTR /*pulDataLen*/) {
  return unsupported(__func__);
}
