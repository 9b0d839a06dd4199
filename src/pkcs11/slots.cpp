// Slot and token management: C_GetSlotList, C_GetSlotInfo, C_GetTokenInfo,
// C_WaitForSlotEvent, C_GetMechanismList, C_GetMechanismInfo, C_InitToken,
// C_InitPIN, C_SetPIN.

#include "pkcs11/call.h"

using namespace ecert::pkcs11;
namespace services = ecert::token;

// Every slot holds a token (the spare slot an uninitialised one), so
// tokenPresent does not change the list.
ECERT_EXPORT CK_RV C_GetSlotList(CK_BBOOL tokenPresent, CK_SLOT_ID_PTR pSlotList, CK_ULONG_PTR pulCount) {
  const trace::Call traced(__func__, trace::Number{"token_present", tokenPresent},
                           trace::SlotList{pSlotList, pulCount});
  return call(traced, [&] {
    require_arg(pulCount != nullptr);
    return deliver_list(services::get_slot_list(), pSlotList, pulCount);
  });
}

ECERT_EXPORT CK_RV C_GetSlotInfo(CK_SLOT_ID slotID, CK_SLOT_INFO_PTR pInfo) {
  const trace::Call traced(__func__, trace::Slot{slotID}, trace::SlotInfo{pInfo});
  return call(traced, [&] {
    require_arg(pInfo != nullptr);
    services::get_slot_info(slotID, *pInfo);
  });
}

ECERT_EXPORT CK_RV C_GetTokenInfo(CK_SLOT_ID slotID, CK_TOKEN_INFO_PTR pInfo) {
  const trace::Call traced(__func__, trace::Slot{slotID}, trace::TokenInfo{pInfo});
  return call(traced, [&] {
    require_arg(pInfo != nullptr);
    services::get_token_info(slotID, *pInfo);
  });
}

// Not supported: tokens come and go only through C_InitToken and files, and
// the slots are not removable, so NSS polls C_GetSlotList instead of blocking
// here (Firefox blocks in this function only for removable slots).
ECERT_EXPORT CK_RV C_WaitForSlotEvent(CK_FLAGS /*flags*/, CK_SLOT_ID_PTR /*pSlot*/, CK_VOID_PTR /*pReserved*/) {
  return unsupported(__func__);
}

ECERT_EXPORT CK_RV C_GetMechanismList(CK_SLOT_ID slotID, CK_MECHANISM_TYPE_PTR pMechanismList, CK_ULONG_PTR pulCount) {
  const trace::Call traced(__func__, trace::Slot{slotID}, trace::MechanismList{pMechanismList, pulCount});
  return call(traced, [&] {
    require_arg(pulCount != nullptr);
    return deliver_list(services::get_mechanism_list(slotID), pMechanismList, pulCount);
  });
}

ECERT_EXPORT CK_RV C_GetMechanismInfo(CK_SLOT_ID slotID, CK_MECHANISM_TYPE type, CK_MECHANISM_INFO_PTR pInfo) {
  const trace::Call traced(__func__, trace::Slot{slotID}, trace::MechanismType{type}, trace::MechanismInfo{pInfo});
  return call(traced, [&] {
    require_arg(pInfo != nullptr);
    services::get_mechanism_info(slotID, type, *pInfo);
  });
}

// pLabel is the 32-byte space-padded field. A NULL SO PIN would mean the
// protected authentication path, which C_InitToken does not offer (it resets
// the policy, the option included): CKR_ARGUMENTS_BAD.
ECERT_EXPORT CK_RV C_InitToken(CK_SLOT_ID slotID, CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen, CK_UTF8CHAR_PTR pLabel) {
  const trace::Call traced(__func__, trace::Slot{slotID}, trace::Bytes{"so_pin", pPin, ulPinLen},
                           trace::Bytes{"label", pLabel, pLabel != nullptr ? 32UL : 0UL});
  return call(traced, [&] {
    require_arg(pLabel != nullptr, "NULL label");
    services::init_token(slotID, pin_input(pPin, ulPinLen), pLabel);
  });
}

// (NULL_PTR, 0) on a token with the protected authentication path: the new
// PIN is asked through pinentry.
ECERT_EXPORT CK_RV C_InitPIN(CK_SESSION_HANDLE hSession, CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen) {
  const trace::Call traced(__func__, trace::Session{hSession}, trace::Bytes{"pin", pPin, ulPinLen});
  return call(traced, [&] {
    if (no_pin(pPin, ulPinLen)) return services::init_pin_without_pin(hSession);
    services::init_pin(hSession, pin_input(pPin, ulPinLen));
  });
}

// Both PINs (NULL_PTR, 0) on a token with the protected authentication path:
// old, new and confirmation are asked through pinentry. One PIN given and the
// other not: CKR_ARGUMENTS_BAD.
ECERT_EXPORT CK_RV C_SetPIN(CK_SESSION_HANDLE hSession, CK_UTF8CHAR_PTR pOldPin, CK_ULONG ulOldLen,
                            CK_UTF8CHAR_PTR pNewPin, CK_ULONG ulNewLen) {
  const trace::Call traced(__func__, trace::Session{hSession}, trace::Bytes{"old_pin", pOldPin, ulOldLen},
                           trace::Bytes{"new_pin", pNewPin, ulNewLen});
  return call(traced, [&] {
    if (no_pin(pOldPin, ulOldLen) && no_pin(pNewPin, ulNewLen)) return services::set_pin_without_pins(hSession);
    services::set_pin(hSession, pin_input(pOldPin, ulOldLen), pin_input(pNewPin, ulNewLen));
  });
}
