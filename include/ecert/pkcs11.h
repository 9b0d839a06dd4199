/*
 * ecert/pkcs11.h - the PKCS#11 types used by ecert-token.
 *
 * The 2.40 types come from p11-kit's pkcs11.h (Debian libp11-kit-dev). p11-kit
 * 0.24 predates PKCS#11 3.0, so the 3.0 additions this project uses are
 * declared here, once, from the OASIS PKCS#11 3.0 specification. The
 * vendor-defined class and attributes of ecert-token's policy object are the
 * module's public contract with the token manager and are declared here too.
 */
#ifndef ECERT_PKCS11_H
#define ECERT_PKCS11_H

#include <p11-kit/pkcs11.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- PKCS#11 3.0 additions (OASIS PKCS#11 Base Specification 3.0) ---- */

#ifndef CKO_PROFILE
#define CKO_PROFILE 0x00000009UL
#endif
#ifndef CKA_PROFILE_ID
#define CKA_PROFILE_ID 0x00000601UL
#endif
#ifndef CKA_UNIQUE_ID
#define CKA_UNIQUE_ID 0x00000004UL
#endif
#define CKP_INVALID_ID 0x00000000UL
#define CKP_BASELINE_PROVIDER 0x00000001UL
#define CKP_EXTENDED_PROVIDER 0x00000002UL
#define CKP_AUTHENTICATION_TOKEN 0x00000003UL
#define CKP_PUBLIC_CERTIFICATES_TOKEN 0x00000004UL
typedef CK_ULONG CK_PROFILE_ID;

#ifndef CKR_TOKEN_RESOURCE_EXCEEDED
#define CKR_TOKEN_RESOURCE_EXCEEDED 0x00000201UL
#endif
#ifndef CKR_OPERATION_CANCEL_FAILED
#define CKR_OPERATION_CANCEL_FAILED 0x00000202UL
#endif

#define CKF_INTERFACE_FORK_SAFE 0x00000001UL
#define CKF_END_OF_MESSAGE 0x00000001UL

typedef struct CK_INTERFACE {
  CK_CHAR *pInterfaceName;
  CK_VOID_PTR pFunctionList;
  CK_FLAGS flags;
} CK_INTERFACE;
typedef CK_INTERFACE *CK_INTERFACE_PTR;
typedef CK_INTERFACE_PTR *CK_INTERFACE_PTR_PTR;

/* The 3.0 functions, in the order of CK_FUNCTION_LIST_3_0. */
#define ECERT_P11_3_0_FUNCTIONS(X)                                                        \
  X(C_GetInterfaceList, (CK_INTERFACE_PTR pInterfacesList, CK_ULONG_PTR pulCount))        \
  X(C_GetInterface, (CK_UTF8CHAR_PTR pInterfaceName, CK_VERSION_PTR pVersion,             \
                     CK_INTERFACE_PTR_PTR ppInterface, CK_FLAGS flags))                   \
  X(C_LoginUser, (CK_SESSION_HANDLE hSession, CK_USER_TYPE userType, CK_UTF8CHAR_PTR pPin, \
                  CK_ULONG ulPinLen, CK_UTF8CHAR_PTR pUsername, CK_ULONG ulUsernameLen))  \
  X(C_SessionCancel, (CK_SESSION_HANDLE hSession, CK_FLAGS flags))                        \
  X(C_MessageEncryptInit,                                                                 \
    (CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hKey))     \
  X(C_EncryptMessage,                                                                     \
    (CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter, CK_ULONG ulParameterLen,         \
     CK_BYTE_PTR pAssociatedData, CK_ULONG ulAssociatedDataLen, CK_BYTE_PTR pPlaintext,   \
     CK_ULONG ulPlaintextLen, CK_BYTE_PTR pCiphertext, CK_ULONG_PTR pulCiphertextLen))    \
  X(C_EncryptMessageBegin,                                                                \
    (CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter, CK_ULONG ulParameterLen,         \
     CK_BYTE_PTR pAssociatedData, CK_ULONG ulAssociatedDataLen))                          \
  X(C_EncryptMessageNext,                                                                 \
    (CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter, CK_ULONG ulParameterLen,         \
     CK_BYTE_PTR pPlaintextPart, CK_ULONG ulPlaintextPartLen, CK_BYTE_PTR pCiphertextPart, \
     CK_ULONG_PTR pulCiphertextPartLen, CK_FLAGS flags))                                  \
  X(C_MessageEncryptFinal, (CK_SESSION_HANDLE hSession))                                  \
  X(C_MessageDecryptInit,                                                                 \
    (CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hKey))     \
  X(C_DecryptMessage,                                                                     \
    (CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter, CK_ULONG ulParameterLen,         \
     CK_BYTE_PTR pAssociatedData, CK_ULONG ulAssociatedDataLen, CK_BYTE_PTR pCiphertext,  \
     CK_ULONG ulCiphertextLen, CK_BYTE_PTR pPlaintext, CK_ULONG_PTR pulPlaintextLen))     \
  X(C_DecryptMessageBegin,                                                                \
    (CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter, CK_ULONG ulParameterLen,         \
     CK_BYTE_PTR pAssociatedData, CK_ULONG ulAssociatedDataLen))                          \
  X(C_DecryptMessageNext,                                                                 \
    (CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter, CK_ULONG ulParameterLen,         \
     CK_BYTE_PTR pCiphertextPart, CK_ULONG ulCiphertextPartLen, CK_BYTE_PTR pPlaintextPart, \
     CK_ULONG_PTR pulPlaintextPartLen, CK_FLAGS flags))                                   \
  X(C_MessageDecryptFinal, (CK_SESSION_HANDLE hSession))                                  \
  X(C_MessageSignInit,                                                                    \
    (CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hKey))     \
  X(C_SignMessage,                                                                        \
    (CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter, CK_ULONG ulParameterLen,         \
     CK_BYTE_PTR pData, CK_ULONG ulDataLen, CK_BYTE_PTR pSignature,                       \
     CK_ULONG_PTR pulSignatureLen))                                                       \
  X(C_SignMessageBegin,                                                                   \
    (CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter, CK_ULONG ulParameterLen))        \
  X(C_SignMessageNext,                                                                    \
    (CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter, CK_ULONG ulParameterLen,         \
     CK_BYTE_PTR pData, CK_ULONG ulDataLen, CK_BYTE_PTR pSignature,                       \
     CK_ULONG_PTR pulSignatureLen))                                                       \
  X(C_MessageSignFinal, (CK_SESSION_HANDLE hSession))                                     \
  X(C_MessageVerifyInit,                                                                  \
    (CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hKey))     \
  X(C_VerifyMessage,                                                                      \
    (CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter, CK_ULONG ulParameterLen,         \
     CK_BYTE_PTR pData, CK_ULONG ulDataLen, CK_BYTE_PTR pSignature,                       \
     CK_ULONG ulSignatureLen))                                                            \
  X(C_VerifyMessageBegin,                                                                 \
    (CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter, CK_ULONG ulParameterLen))        \
  X(C_VerifyMessageNext,                                                                  \
    (CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter, CK_ULONG ulParameterLen,         \
     CK_BYTE_PTR pData, CK_ULONG ulDataLen, CK_BYTE_PTR pSignature,                       \
     CK_ULONG ulSignatureLen))                                                            \
  X(C_MessageVerifyFinal, (CK_SESSION_HANDLE hSession))

#define ECERT_DECLARE_3_0(name, args) \
  typedef CK_RV (*CK_##name) args;    \
  CK_RV name args;
ECERT_P11_3_0_FUNCTIONS(ECERT_DECLARE_3_0)
#undef ECERT_DECLARE_3_0

typedef struct CK_FUNCTION_LIST_3_0 {
  CK_VERSION version;
  /* The 2.40 members, same order and types as CK_FUNCTION_LIST. */
  CK_C_Initialize C_Initialize;
  CK_C_Finalize C_Finalize;
  CK_C_GetInfo C_GetInfo;
  CK_C_GetFunctionList C_GetFunctionList;
  CK_C_GetSlotList C_GetSlotList;
  CK_C_GetSlotInfo C_GetSlotInfo;
  CK_C_GetTokenInfo C_GetTokenInfo;
  CK_C_GetMechanismList C_GetMechanismList;
  CK_C_GetMechanismInfo C_GetMechanismInfo;
  CK_C_InitToken C_InitToken;
  CK_C_InitPIN C_InitPIN;
  CK_C_SetPIN C_SetPIN;
  CK_C_OpenSession C_OpenSession;
  CK_C_CloseSession C_CloseSession;
  CK_C_CloseAllSessions C_CloseAllSessions;
  CK_C_GetSessionInfo C_GetSessionInfo;
  CK_C_GetOperationState C_GetOperationState;
  CK_C_SetOperationState C_SetOperationState;
  CK_C_Login C_Login;
  CK_C_Logout C_Logout;
  CK_C_CreateObject C_CreateObject;
  CK_C_CopyObject C_CopyObject;
  CK_C_DestroyObject C_DestroyObject;
  CK_C_GetObjectSize C_GetObjectSize;
  CK_C_GetAttributeValue C_GetAttributeValue;
  CK_C_SetAttributeValue C_SetAttributeValue;
  CK_C_FindObjectsInit C_FindObjectsInit;
  CK_C_FindObjects C_FindObjects;
  CK_C_FindObjectsFinal C_FindObjectsFinal;
  CK_C_EncryptInit C_EncryptInit;
  CK_C_Encrypt C_Encrypt;
  CK_C_EncryptUpdate C_EncryptUpdate;
  CK_C_EncryptFinal C_EncryptFinal;
  CK_C_DecryptInit C_DecryptInit;
  CK_C_Decrypt C_Decrypt;
  CK_C_DecryptUpdate C_DecryptUpdate;
  CK_C_DecryptFinal C_DecryptFinal;
  CK_C_DigestInit C_DigestInit;
  CK_C_Digest C_Digest;
  CK_C_DigestUpdate C_DigestUpdate;
  CK_C_DigestKey C_DigestKey;
  CK_C_DigestFinal C_DigestFinal;
  CK_C_SignInit C_SignInit;
  CK_C_Sign C_Sign;
  CK_C_SignUpdate C_SignUpdate;
  CK_C_SignFinal C_SignFinal;
  CK_C_SignRecoverInit C_SignRecoverInit;
  CK_C_SignRecover C_SignRecover;
  CK_C_VerifyInit C_VerifyInit;
  CK_C_Verify C_Verify;
  CK_C_VerifyUpdate C_VerifyUpdate;
  CK_C_VerifyFinal C_VerifyFinal;
  CK_C_VerifyRecoverInit C_VerifyRecoverInit;
  CK_C_VerifyRecover C_VerifyRecover;
  CK_C_DigestEncryptUpdate C_DigestEncryptUpdate;
  CK_C_DecryptDigestUpdate C_DecryptDigestUpdate;
  CK_C_SignEncryptUpdate C_SignEncryptUpdate;
  CK_C_DecryptVerifyUpdate C_DecryptVerifyUpdate;
  CK_C_GenerateKey C_GenerateKey;
  CK_C_GenerateKeyPair C_GenerateKeyPair;
  CK_C_WrapKey C_WrapKey;
  CK_C_UnwrapKey C_UnwrapKey;
  CK_C_DeriveKey C_DeriveKey;
  CK_C_SeedRandom C_SeedRandom;
  CK_C_GenerateRandom C_GenerateRandom;
  CK_C_GetFunctionStatus C_GetFunctionStatus;
  CK_C_CancelFunction C_CancelFunction;
  CK_C_WaitForSlotEvent C_WaitForSlotEvent;
  /* The 3.0 members. */
#define ECERT_MEMBER_3_0(name, args) CK_##name name;
  ECERT_P11_3_0_FUNCTIONS(ECERT_MEMBER_3_0)
#undef ECERT_MEMBER_3_0
} CK_FUNCTION_LIST_3_0;
typedef CK_FUNCTION_LIST_3_0 *CK_FUNCTION_LIST_3_0_PTR;

/* ---- ecert-token vendor definitions ----
 *
 * Every token holds one policy object of class CKO_ECERT_POLICY. It is public
 * (readable without login) and is changed with C_SetAttributeValue only in an
 * R/W SO session. All its attributes are CK_ULONG except the booleans, which are
 * CK_BBOOL, and the token label. Tries-left attributes are read-only and reflect
 * the on-disk count.
 *
 * CKA_ECERT_TOKEN_LABEL is CK_TOKEN_INFO.label without its padding, as
 * CK_UTF8CHAR bytes; setting it renames the token without C_InitToken (which
 * would wipe it). A new value must be 1..32 bytes of well-formed UTF-8 with no
 * control character (U+0000..U+001F, U+007F..U+009F); trailing spaces are
 * dropped, as C_InitToken drops the padding, and a value that is only spaces
 * is empty. Anything else: CKR_ATTRIBUTE_VALUE_INVALID, label unchanged. The
 * new label is in the token file when C_SetAttributeValue returns, and every
 * process's C_GetTokenInfo shows it from then on.
 *
 * CKA_ECERT_PROTECTED_PATH (CK_BBOOL, default CK_FALSE, set by the SO like the
 * other policy attributes) turns on the protected authentication path: the
 * token then has CKF_PROTECTED_AUTHENTICATION_PATH, and C_Login, C_SetPIN and
 * C_InitPIN given no PIN (NULL_PTR, 0) ask the person through a pinentry
 * program ($ECERT_PINENTRY, else `pinentry` in PATH). PINs given by the
 * caller keep working.
 */
#define CKO_ECERT_POLICY (CKO_VENDOR_DEFINED | 0x45430001UL)
#define ECERT_ATTR(n) (CKA_VENDOR_DEFINED | 0x45430000UL | (n))
#define CKA_ECERT_MIN_PIN_LEN ECERT_ATTR(1)          /* owner rule: min UTF-8 bytes */
#define CKA_ECERT_MAX_PIN_LEN ECERT_ATTR(2)          /* owner rule: max UTF-8 bytes */
#define CKA_ECERT_REQUIRE_UPPER ECERT_ATTR(3)        /* CK_BBOOL */
#define CKA_ECERT_REQUIRE_LOWER ECERT_ATTR(4)        /* CK_BBOOL */
#define CKA_ECERT_REQUIRE_DIGIT ECERT_ATTR(5)        /* CK_BBOOL */
#define CKA_ECERT_REQUIRE_SPECIAL ECERT_ATTR(6)      /* CK_BBOOL */
#define CKA_ECERT_HISTORY_SIZE ECERT_ATTR(7)         /* user PINs not to be reused, 0..10 */
#define CKA_ECERT_MAX_REPEAT ECERT_ATTR(8)           /* longest run of one character, 0 = any */
#define CKA_ECERT_MAX_USER_TRIES ECERT_ATTR(9)       /* wrong user PINs before lock, 1..15 */
#define CKA_ECERT_MAX_SO_TRIES ECERT_ATTR(10)        /* wrong SO PINs before lock, 1..15 */
#define CKA_ECERT_ISSUER_MIN_PIN_LEN ECERT_ATTR(11)  /* C_InitPIN rule: min bytes */
#define CKA_ECERT_ISSUER_MAX_PIN_LEN ECERT_ATTR(12)  /* C_InitPIN rule: max bytes */
#define CKA_ECERT_MUST_CHANGE ECERT_ATTR(13)         /* CK_BBOOL: C_InitPIN PINs must be changed */
#define CKA_ECERT_USER_TRIES_LEFT ECERT_ATTR(14)     /* read-only */
#define CKA_ECERT_SO_TRIES_LEFT ECERT_ATTR(15)       /* read-only */
#define CKA_ECERT_KDF_MEMORY_KIB ECERT_ATTR(16)      /* read-only: Argon2id cost of this token */
#define CKA_ECERT_KDF_ITERATIONS ECERT_ATTR(17)      /* read-only */
#define CKA_ECERT_TOKEN_LABEL ECERT_ATTR(18)         /* CK_UTF8CHAR[1..32]: the token label */
#define CKA_ECERT_PROTECTED_PATH ECERT_ATTR(19)      /* CK_BBOOL: PINs asked through pinentry */

#ifdef __cplusplus
}
#endif

#endif /* ECERT_PKCS11_H */
