// Message digesting: C_DigestInit, C_Digest, C_DigestUpdate, C_DigestKey,
// C_DigestFinal. C_Digest, C_DigestUpdate and C_DigestFinal run in
// operation_call(), so a CKR_ARGUMENTS_BAD found here ends the active
// operation, as the services end it on every other error but
// CKR_BUFFER_TOO_SMALL.

#include "pkcs11/call.h"

using namespace ecert::pkcs11;
namespace services = ecert::token;

ECERT_EXPORT CK_RV C_DigestInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism) {
  const trace::Call traced(__func__, trace::Session{hSession}, trace::Mechanism{pMechanism});
  return call(traced, [&] {
    require_arg(pMechanism != nullptr);
    services::digest_init(hSession, *pMechanism);
  });
}

ECERT_EXPORT CK_RV C_Digest(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen, CK_BYTE_PTR pDigest,
                            CK_ULONG_PTR pulDigestLen) {
  const trace::Call traced(__func__, trace::Session{hSession}, trace::Bytes{"data", pData, ulDataLen},
                           trace::Output{"digest", pDigest, pulDigestLen});
  return operation_call(traced, hSession, services::OperationKind::digest, [&] {
    const auto digest = output(pDigest, pulDigestLen);
    services::digest(hSession, input(pData, ulDataLen), digest);
  });
}

ECERT_EXPORT CK_RV C_DigestUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG ulPartLen) {
  const trace::Call traced(__func__, trace::Session{hSession}, trace::Bytes{"part", pPart, ulPartLen});
  return operation_call(traced, hSession, services::OperationKind::digest,
                        [&] { services::digest_update(hSession, input(pPart, ulPartLen)); });
}

ECERT_EXPORT CK_RV C_DigestKey(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hKey) {
  const trace::Call traced(__func__, trace::Session{hSession}, trace::Object{"key", hKey});
  return call(traced, [&] { services::digest_key(hSession, hKey); });
}

ECERT_EXPORT CK_RV C_DigestFinal(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pDigest, CK_ULONG_PTR pulDigestLen) {
  const trace::Call traced(__func__, trace::Session{hSession}, trace::Output{"digest", pDigest, pulDigestLen});
  return operation_call(traced, hSession, services::OperationKind::digest,
                        [&] { services::digest_final(hSession, output(pDigest, pulDigestLen)); });
}
