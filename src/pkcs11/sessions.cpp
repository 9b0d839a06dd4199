// Session management and login: C_OpenSession, C_CloseSession,
// C_CloseAllSessions, C_GetSessionInfo, C_GetOperationState,
// C_SetOperationState, C_Login, C_LoginUser, C_Logout, C_SessionCancel,
// C_GetFunctionStatus, C_CancelFunction.

#include "pkcs11/call.h"

using namespace ecert::pkcs11;
namespace services = ecert::token;

// pApplication and Notify are accepted and ignored: the module makes no
// callbacks (pkcs11-provider passes non-NULL values).
ECERT_EXPORT CK_RV C_OpenSession(CK_SLOT_ID slotID, CK_FLAGS flags, CK_VOID_PTR /*pApplication*/, CK_NOTIFY /*Notify*/,
                                 CK_SESSION_HANDLE_PTR phSession) {
  const trace::Call traced(__func__, trace::Slot{slotID}, trace::Flags{"flags", flags},
                           trace::NewHandle{"session", phSession});
  return call(traced, [&] {
    require_arg(phSession != nullptr);
    *phSession = services::open_session(slotID, flags);
  });
}

ECERT_EXPORT CK_RV C_CloseSession(CK_SESSION_HANDLE hSession) {
  const trace::Call traced(__func__, trace::Session{hSession});
  return call(traced, [&] { services::close_session(hSession); });
}

ECERT_EXPORT CK_RV C_CloseAllSessions(CK_SLOT_ID slotID) {
  const trace::Call traced(__func__, trace::Slot{slotID});
  return call(traced, [&] { services::close_all_sessions(slotID); });
}

ECERT_EXPORT CK_RV C_GetSessionInfo(CK_SESSION_HANDLE hSession, CK_SESSION_INFO_PTR pInfo) {
  const trace::Call traced(__func__, trace::Session{hSession}, trace::SessionInfo{pInfo});
  return call(traced, [&] {
    require_arg(pInfo != nullptr);
    services::get_session_info(hSession, *pInfo);
  });
}

// Operation state cannot be saved or restored.
ECERT_EXPORT CK_RV C_GetOperationState(CK_SESSION_HANDLE /*hSession*/, CK_BYTE_PTR /*pOperationState*/,
                                       CK_ULONG_PTR /*pulOperationStateLen*/) {
  return unsupported(__func__);
}

ECERT_EXPORT CK_RV C_SetOperationState(CK_SESSION_HANDLE /*hSession*/, CK_BYTE_PTR /*pOperationState*/,
                                       CK_ULONG /*ulOperationStateLen*/, CK_OBJECT_HANDLE /*hEncryptionKey*/,
                                       CK_OBJECT_HANDLE /*hAuthenticationKey*/) {
  return unsupported(__func__);
}

// (NULL_PTR, 0) on a token with the protected authentication path: the token
// asks through pinentry (services::login_without_pin).
ECERT_EXPORT CK_RV C_Login(CK_SESSION_HANDLE hSession, CK_USER_TYPE userType, CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen) {
  const trace::Call traced(__func__, trace::Session{hSession}, trace::User{userType},
                           trace::Bytes{"pin", pPin, ulPinLen});
  return call(traced, [&] {
    if (no_pin(pPin, ulPinLen)) return services::login_without_pin(hSession, userType);
    services::login(hSession, userType, pin_input(pPin, ulPinLen));
  });
}

// The token has no user names: an empty one (NULL or zero length) is C_Login,
// a non-empty one is CKR_ARGUMENTS_BAD.
ECERT_EXPORT CK_RV C_LoginUser(CK_SESSION_HANDLE hSession, CK_USER_TYPE userType, CK_UTF8CHAR_PTR pPin,
                               CK_ULONG ulPinLen, CK_UTF8CHAR_PTR pUsername, CK_ULONG ulUsernameLen) {
  const trace::Call traced(__func__, trace::Session{hSession}, trace::User{userType},
                           trace::Bytes{"pin", pPin, ulPinLen}, trace::Bytes{"username", pUsername, ulUsernameLen});
  return call(traced, [&] {
    require_arg(ulUsernameLen == 0, "this token has no user names");
    if (no_pin(pPin, ulPinLen)) return services::login_without_pin(hSession, userType);
    services::login(hSession, userType, pin_input(pPin, ulPinLen));
  });
}

ECERT_EXPORT CK_RV C_Logout(CK_SESSION_HANDLE hSession) {
  const trace::Call traced(__func__, trace::Session{hSession});
  return call(traced, [&] { services::logout(hSession); });
}

// Operations are not cancellable through the 3.0 call; C_*Final or a failing
// call ends them.
ECERT_EXPORT CK_RV C_SessionCancel(CK_SESSION_HANDLE /*hSession*/, CK_FLAGS /*flags*/) { return unsupported(__func__); }

// Legacy functions: no function runs in parallel with the application.
ECERT_EXPORT CK_RV C_GetFunctionStatus(CK_SESSION_HANDLE /*hSession*/) {
  return unsupported(__func__, CKR_FUNCTION_NOT_PARALLEL);
}

ECERT_EXPORT CK_RV C_CancelFunction(CK_SESSION_HANDLE /*hSession*/) {
  return unsupported(__func__, CKR_FUNCTION_NOT_PARALLEL);
}
