// The return codes of every PKCS#11 2.40 and 3.0 function, as a table: each
// row names the function, the state the module is put in first, the call, and
// the exact CK_RV the PKCS#11 3.0 specification (or, where it leaves a choice,
// the module's documented choice) requires. One test per row.
#include <cctype>
#include <iterator>
#include <ostream>
#include <set>
#include <span>
#include <string>

#include "module_test_support.h"

namespace ecert::test {
namespace {

using namespace support;

enum class State {
  uninitialized,  // C_Finalize done
  no_token,       // initialised on a fresh directory: only the spare slot
  token,          // a ready token, no session
  bare_rw,        // a token without user PIN + an R/W session and a data object (cheap)
  public_rw,      // + an R/W public session and a public session data object
  public_ro,      // + an R/O public session and a public session data object
  user_rw,        // + the user logged in (R/W session), session key pairs
  user_ro,        // + the user logged in (R/O session), session key pairs
  so_rw,          // + the SO logged in (R/W session)
};

constexpr CK_SESSION_HANDLE kBadSession = 0x7E57BADUL;
constexpr CK_OBJECT_HANDLE kBadObject = 0x0BADBADUL;
constexpr CK_SLOT_ID kBadSlot = 4242;

// What a row's call may use: the handles the state made and argument scratch.
struct Ctx {
  CK_FUNCTION_LIST_3_0* f = nullptr;
  CK_SLOT_ID slot = 0;        // the ready token (or the spare slot)
  CK_SESSION_HANDLE s = 1;    // the state's session (1 where there is none)
  CK_OBJECT_HANDLE data = 1;  // a public session data object
  KeyPair ec;                 // P-256 session keys (user states)
  KeyPair ec_nosign;          // P-256, private key with CKA_SIGN=FALSE
  KeyPair rsa;                // RSA-1024 session keys (rows with `rsa`)
  CK_BYTE in[32] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16,
                    17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
  CK_BYTE big[256] = {};
  CK_BYTE out[1024] = {};
  CK_ULONG out_len = sizeof out;
  CK_ULONG n = 0;
  CK_OBJECT_HANDLE h = 0, h2 = 0;
  CK_OBJECT_HANDLE handles[8] = {};
  CK_UTF8CHAR label[32];
  CK_MECHANISM ecdsa{CKM_ECDSA, nullptr, 0};
  CK_MECHANISM sha256{CKM_SHA256, nullptr, 0};
  CK_MECHANISM rsa_pkcs{CKM_RSA_PKCS, nullptr, 0};
  CK_MECHANISM ec_gen{CKM_EC_KEY_PAIR_GEN, nullptr, 0};
  CK_MECHANISM unknown{CKM_VENDOR_DEFINED | 0x4242UL, nullptr, 0};
  CK_INFO info{};
  CK_SLOT_INFO slot_info{};
  CK_TOKEN_INFO token_info{};
  CK_SESSION_INFO session_info{};
  CK_MECHANISM_INFO mech_info{};
  CK_SLOT_ID slots[8] = {};
  CK_MECHANISM_TYPE mechs[64] = {};
  CK_INTERFACE interfaces[4] = {};
  CK_INTERFACE* iface = nullptr;
  CK_FUNCTION_LIST* list = nullptr;
  Template data_tmpl = Template().cls(CKO_DATA).str(CKA_LABEL, "row");
  Template ec_pub_tmpl = Template().bytes(CKA_EC_PARAMS, kP256Params);

  Ctx() { std::memset(label, ' ', sizeof label); }
  CK_ULONG* ol() {
    out_len = sizeof out;
    return &out_len;
  }
  CK_UTF8CHAR_PTR pin(const char* p) { return pin_ptr(p); }
};

using Call = CK_RV (*)(Ctx&);

struct Row {
  const char* fn;
  const char* what;
  State state;
  CK_RV expected;
  Call call;
  bool rsa = false;  // the state also needs c.rsa
};

// A step that prepares the call under test; its failure fails the row.
#define PRE(x)                                     \
  do {                                             \
    if ((x) != CKR_OK) return kPreconditionFailed; \
  } while (0)

#define ROW(fn, what, state, expected, ...)                                 \
  Row {                                                                     \
#fn, what, State::state, expected, [](Ctx & c) -> CK_RV { __VA_ARGS__ } \
  }
#define RSA_ROW(fn, what, state, expected, ...)                                   \
  Row {                                                                           \
#fn, what, State::state, expected, [](Ctx & c) -> CK_RV { __VA_ARGS__ }, true \
  }

// Every function before C_Initialize (valid-looking arguments throughout):
// CKR_CRYPTOKI_NOT_INITIALIZED, except the four that work without it.
const Row kUninitialized[] = {
    ROW(C_Initialize, "pReserved non-NULL", uninitialized, CKR_ARGUMENTS_BAD, CK_C_INITIALIZE_ARGS a{};
        a.pReserved = &c; return c.f->C_Initialize(&a);),
    ROW(
        C_Initialize, "only some mutex callbacks", uninitialized, CKR_ARGUMENTS_BAD, CK_C_INITIALIZE_ARGS a{};
        a.CreateMutex = [](CK_VOID_PTR_PTR) -> CK_RV { return CKR_OK; }; a.flags = CKF_OS_LOCKING_OK;
        return c.f->C_Initialize(&a);),
    ROW(
        C_Initialize, "three of four mutex callbacks", uninitialized, CKR_ARGUMENTS_BAD, CK_C_INITIALIZE_ARGS a{};
        a.CreateMutex = [](CK_VOID_PTR_PTR) -> CK_RV { return CKR_OK; };
        a.DestroyMutex = [](CK_VOID_PTR) -> CK_RV { return CKR_OK; };
        a.LockMutex = [](CK_VOID_PTR) -> CK_RV { return CKR_OK; }; return c.f->C_Initialize(&a);),
    ROW(C_Initialize, "NULL arguments", uninitialized, CKR_OK, return c.f->C_Initialize(nullptr);),
    ROW(C_Finalize, "before C_Initialize", uninitialized, CKR_CRYPTOKI_NOT_INITIALIZED,
        return c.f->C_Finalize(nullptr);),
    ROW(C_GetFunctionList, "before C_Initialize", uninitialized, CKR_OK, return c.f->C_GetFunctionList(&c.list);),
    ROW(C_GetInterfaceList, "before C_Initialize", uninitialized, CKR_OK,
        return c.f->C_GetInterfaceList(nullptr, &c.n);),
    ROW(C_GetInterface, "before C_Initialize", uninitialized, CKR_OK,
        return c.f->C_GetInterface(nullptr, nullptr, &c.iface, 0);),
#define NI(fn, ...) ROW(fn, "before C_Initialize", uninitialized, CKR_CRYPTOKI_NOT_INITIALIZED, return __VA_ARGS__;)
    NI(C_GetInfo, c.f->C_GetInfo(&c.info)),
    NI(C_GetSlotList, c.f->C_GetSlotList(CK_FALSE, nullptr, &c.n)),
    NI(C_GetSlotInfo, c.f->C_GetSlotInfo(0, &c.slot_info)),
    NI(C_GetTokenInfo, c.f->C_GetTokenInfo(0, &c.token_info)),
    NI(C_GetMechanismList, c.f->C_GetMechanismList(0, nullptr, &c.n)),
    NI(C_GetMechanismInfo, c.f->C_GetMechanismInfo(0, CKM_SHA256, &c.mech_info)),
    NI(C_InitToken, c.f->C_InitToken(0, c.pin(kSoPin), pin_len(kSoPin), c.label)),
    NI(C_InitPIN, c.f->C_InitPIN(1, c.pin(kUserPin), pin_len(kUserPin))),
    NI(C_SetPIN, c.f->C_SetPIN(1, c.pin(kUserPin), pin_len(kUserPin), c.pin(kSoPin), pin_len(kSoPin))),
    NI(C_OpenSession, c.f->C_OpenSession(0, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr, &c.h)),
    NI(C_CloseSession, c.f->C_CloseSession(1)),
    NI(C_CloseAllSessions, c.f->C_CloseAllSessions(0)),
    NI(C_GetSessionInfo, c.f->C_GetSessionInfo(1, &c.session_info)),
    NI(C_GetOperationState, c.f->C_GetOperationState(1, nullptr, &c.n)),
    NI(C_SetOperationState, c.f->C_SetOperationState(1, c.in, sizeof c.in, 0, 0)),
    NI(C_Login, c.f->C_Login(1, CKU_USER, c.pin(kUserPin), pin_len(kUserPin))),
    NI(C_Logout, c.f->C_Logout(1)),
    NI(C_CreateObject, c.f->C_CreateObject(1, c.data_tmpl.data(), c.data_tmpl.size(), &c.h)),
    NI(C_CopyObject, c.f->C_CopyObject(1, 1, nullptr, 0, &c.h)),
    NI(C_DestroyObject, c.f->C_DestroyObject(1, 1)),
    NI(C_GetObjectSize, c.f->C_GetObjectSize(1, 1, &c.n)),
    NI(C_GetAttributeValue, c.f->C_GetAttributeValue(1, 1, c.data_tmpl.data(), 1)),
    NI(C_SetAttributeValue, c.f->C_SetAttributeValue(1, 1, c.data_tmpl.data(), 1)),
    NI(C_FindObjectsInit, c.f->C_FindObjectsInit(1, nullptr, 0)),
    NI(C_FindObjects, c.f->C_FindObjects(1, c.handles, 8, &c.n)),
    NI(C_FindObjectsFinal, c.f->C_FindObjectsFinal(1)),
    NI(C_EncryptInit, c.f->C_EncryptInit(1, &c.rsa_pkcs, 1)),
    NI(C_Encrypt, c.f->C_Encrypt(1, c.in, sizeof c.in, c.out, c.ol())),
    NI(C_EncryptUpdate, c.f->C_EncryptUpdate(1, c.in, sizeof c.in, c.out, c.ol())),
    NI(C_EncryptFinal, c.f->C_EncryptFinal(1, c.out, c.ol())),
    NI(C_DecryptInit, c.f->C_DecryptInit(1, &c.rsa_pkcs, 1)),
    NI(C_Decrypt, c.f->C_Decrypt(1, c.in, sizeof c.in, c.out, c.ol())),
    NI(C_DecryptUpdate, c.f->C_DecryptUpdate(1, c.in, sizeof c.in, c.out, c.ol())),
    NI(C_DecryptFinal, c.f->C_DecryptFinal(1, c.out, c.ol())),
    NI(C_DigestInit, c.f->C_DigestInit(1, &c.sha256)),
    NI(C_Digest, c.f->C_Digest(1, c.in, sizeof c.in, c.out, c.ol())),
    NI(C_DigestUpdate, c.f->C_DigestUpdate(1, c.in, sizeof c.in)),
    NI(C_DigestKey, c.f->C_DigestKey(1, 1)),
    NI(C_DigestFinal, c.f->C_DigestFinal(1, c.out, c.ol())),
    NI(C_SignInit, c.f->C_SignInit(1, &c.ecdsa, 1)),
    NI(C_Sign, c.f->C_Sign(1, c.in, sizeof c.in, c.out, c.ol())),
    NI(C_SignUpdate, c.f->C_SignUpdate(1, c.in, sizeof c.in)),
    NI(C_SignFinal, c.f->C_SignFinal(1, c.out, c.ol())),
    NI(C_SignRecoverInit, c.f->C_SignRecoverInit(1, &c.rsa_pkcs, 1)),
    NI(C_SignRecover, c.f->C_SignRecover(1, c.in, sizeof c.in, c.out, c.ol())),
    NI(C_VerifyInit, c.f->C_VerifyInit(1, &c.ecdsa, 1)),
    NI(C_Verify, c.f->C_Verify(1, c.in, sizeof c.in, c.out, 64)),
    NI(C_VerifyUpdate, c.f->C_VerifyUpdate(1, c.in, sizeof c.in)),
    NI(C_VerifyFinal, c.f->C_VerifyFinal(1, c.out, 64)),
    NI(C_VerifyRecoverInit, c.f->C_VerifyRecoverInit(1, &c.rsa_pkcs, 1)),
    NI(C_VerifyRecover, c.f->C_VerifyRecover(1, c.in, sizeof c.in, c.out, c.ol())),
    NI(C_DigestEncryptUpdate, c.f->C_DigestEncryptUpdate(1, c.in, sizeof c.in, c.out, c.ol())),
    NI(C_DecryptDigestUpdate, c.f->C_DecryptDigestUpdate(1, c.in, sizeof c.in, c.out, c.ol())),
    NI(C_SignEncryptUpdate, c.f->C_SignEncryptUpdate(1, c.in, sizeof c.in, c.out, c.ol())),
    NI(C_DecryptVerifyUpdate, c.f->C_DecryptVerifyUpdate(1, c.in, sizeof c.in, c.out, c.ol())),
    NI(C_GenerateKey, c.f->C_GenerateKey(1, &c.sha256, nullptr, 0, &c.h)),
    NI(C_GenerateKeyPair,
       c.f->C_GenerateKeyPair(1, &c.ec_gen, c.ec_pub_tmpl.data(), c.ec_pub_tmpl.size(), nullptr, 0, &c.h, &c.h2)),
    NI(C_WrapKey, c.f->C_WrapKey(1, &c.rsa_pkcs, 1, 2, c.out, c.ol())),
    NI(C_UnwrapKey, c.f->C_UnwrapKey(1, &c.rsa_pkcs, 1, c.in, sizeof c.in, nullptr, 0, &c.h)),
    NI(C_DeriveKey, c.f->C_DeriveKey(1, &c.sha256, 1, nullptr, 0, &c.h)),
    NI(C_SeedRandom, c.f->C_SeedRandom(1, c.in, sizeof c.in)),
    NI(C_GenerateRandom, c.f->C_GenerateRandom(1, c.out, 32)),
    NI(C_GetFunctionStatus, c.f->C_GetFunctionStatus(1)),
    NI(C_CancelFunction, c.f->C_CancelFunction(1)),
    NI(C_WaitForSlotEvent, c.f->C_WaitForSlotEvent(CKF_DONT_BLOCK, c.slots, nullptr)),
    NI(C_LoginUser, c.f->C_LoginUser(1, CKU_USER, c.pin(kUserPin), pin_len(kUserPin), nullptr, 0)),
    NI(C_SessionCancel, c.f->C_SessionCancel(1, 0)),
    NI(C_MessageEncryptInit, c.f->C_MessageEncryptInit(1, &c.rsa_pkcs, 1)),
    NI(C_EncryptMessage, c.f->C_EncryptMessage(1, nullptr, 0, nullptr, 0, c.in, sizeof c.in, c.out, c.ol())),
    NI(C_EncryptMessageBegin, c.f->C_EncryptMessageBegin(1, nullptr, 0, nullptr, 0)),
    NI(C_EncryptMessageNext, c.f->C_EncryptMessageNext(1, nullptr, 0, c.in, sizeof c.in, c.out, c.ol(), 0)),
    NI(C_MessageEncryptFinal, c.f->C_MessageEncryptFinal(1)),
    NI(C_MessageDecryptInit, c.f->C_MessageDecryptInit(1, &c.rsa_pkcs, 1)),
    NI(C_DecryptMessage, c.f->C_DecryptMessage(1, nullptr, 0, nullptr, 0, c.in, sizeof c.in, c.out, c.ol())),
    NI(C_DecryptMessageBegin, c.f->C_DecryptMessageBegin(1, nullptr, 0, nullptr, 0)),
    NI(C_DecryptMessageNext, c.f->C_DecryptMessageNext(1, nullptr, 0, c.in, sizeof c.in, c.out, c.ol(), 0)),
    NI(C_MessageDecryptFinal, c.f->C_MessageDecryptFinal(1)),
    NI(C_MessageSignInit, c.f->C_MessageSignInit(1, &c.ecdsa, 1)),
    NI(C_SignMessage, c.f->C_SignMessage(1, nullptr, 0, c.in, sizeof c.in, c.out, c.ol())),
    NI(C_SignMessageBegin, c.f->C_SignMessageBegin(1, nullptr, 0)),
    NI(C_SignMessageNext, c.f->C_SignMessageNext(1, nullptr, 0, c.in, sizeof c.in, c.out, c.ol())),
    NI(C_MessageSignFinal, c.f->C_MessageSignFinal(1)),
    NI(C_MessageVerifyInit, c.f->C_MessageVerifyInit(1, &c.ecdsa, 1)),
    NI(C_VerifyMessage, c.f->C_VerifyMessage(1, nullptr, 0, c.in, sizeof c.in, c.out, 64)),
    NI(C_VerifyMessageBegin, c.f->C_VerifyMessageBegin(1, nullptr, 0)),
    NI(C_VerifyMessageNext, c.f->C_VerifyMessageNext(1, nullptr, 0, c.in, sizeof c.in, c.out, 64)),
    NI(C_MessageVerifyFinal, c.f->C_MessageVerifyFinal(1)),
#undef NI
};

// NULL pointers, invalid slots and general-purpose rules.
const Row kGeneral[] = {
    ROW(C_Initialize, "twice", no_token, CKR_CRYPTOKI_ALREADY_INITIALIZED, return c.f->C_Initialize(nullptr);),
    ROW(C_Finalize, "pReserved non-NULL", no_token, CKR_ARGUMENTS_BAD, return c.f->C_Finalize(&c);),
    ROW(C_GetInfo, "NULL", no_token, CKR_ARGUMENTS_BAD, return c.f->C_GetInfo(nullptr);),
    ROW(C_GetFunctionList, "NULL", no_token, CKR_ARGUMENTS_BAD, return c.f->C_GetFunctionList(nullptr);),
    ROW(C_GetInterfaceList, "NULL count", no_token, CKR_ARGUMENTS_BAD,
        return c.f->C_GetInterfaceList(c.interfaces, nullptr);),
    ROW(C_GetInterfaceList, "buffer too small", no_token, CKR_BUFFER_TOO_SMALL, c.n = 1;
        return c.f->C_GetInterfaceList(c.interfaces, &c.n);),
    ROW(C_GetInterface, "NULL ppInterface", no_token, CKR_ARGUMENTS_BAD,
        return c.f->C_GetInterface(nullptr, nullptr, nullptr, 0);),
    ROW(C_GetSlotList, "NULL count", no_token, CKR_ARGUMENTS_BAD,
        return c.f->C_GetSlotList(CK_FALSE, c.slots, nullptr);),
    ROW(C_GetSlotList, "buffer too small", no_token, CKR_BUFFER_TOO_SMALL, c.n = 0;
        return c.f->C_GetSlotList(CK_FALSE, c.slots, &c.n);),
    ROW(C_GetSlotInfo, "invalid slot", no_token, CKR_SLOT_ID_INVALID,
        return c.f->C_GetSlotInfo(kBadSlot, &c.slot_info);),
    ROW(C_GetSlotInfo, "NULL", no_token, CKR_ARGUMENTS_BAD, return c.f->C_GetSlotInfo(0, nullptr);),
    ROW(C_GetTokenInfo, "invalid slot", no_token, CKR_SLOT_ID_INVALID,
        return c.f->C_GetTokenInfo(kBadSlot, &c.token_info);),
    ROW(C_GetTokenInfo, "NULL", no_token, CKR_ARGUMENTS_BAD, return c.f->C_GetTokenInfo(0, nullptr);),
    ROW(C_GetMechanismList, "invalid slot", no_token, CKR_SLOT_ID_INVALID,
        return c.f->C_GetMechanismList(kBadSlot, nullptr, &c.n);),
    ROW(C_GetMechanismList, "NULL count", no_token, CKR_ARGUMENTS_BAD,
        return c.f->C_GetMechanismList(0, c.mechs, nullptr);),
    ROW(C_GetMechanismList, "buffer too small", no_token, CKR_BUFFER_TOO_SMALL, c.n = 1;
        return c.f->C_GetMechanismList(0, c.mechs, &c.n);),
    ROW(C_GetMechanismInfo, "invalid slot", no_token, CKR_SLOT_ID_INVALID,
        return c.f->C_GetMechanismInfo(kBadSlot, CKM_SHA256, &c.mech_info);),
    ROW(C_GetMechanismInfo, "NULL", no_token, CKR_ARGUMENTS_BAD,
        return c.f->C_GetMechanismInfo(0, CKM_SHA256, nullptr);),
    ROW(C_GetMechanismInfo, "unknown mechanism", no_token, CKR_MECHANISM_INVALID,
        return c.f->C_GetMechanismInfo(0, CKM_VENDOR_DEFINED | 0x4242UL, &c.mech_info);),
    ROW(C_InitToken, "invalid slot", no_token, CKR_SLOT_ID_INVALID,
        return c.f->C_InitToken(kBadSlot, c.pin(kSoPin), pin_len(kSoPin), c.label);),
    ROW(C_InitToken, "NULL label", no_token, CKR_ARGUMENTS_BAD,
        return c.f->C_InitToken(0, c.pin(kSoPin), pin_len(kSoPin), nullptr);),
    ROW(C_InitToken, "NULL PIN", no_token, CKR_ARGUMENTS_BAD, return c.f->C_InitToken(0, nullptr, 8, c.label);),
    ROW(C_OpenSession, "invalid slot", no_token, CKR_SLOT_ID_INVALID,
        return c.f->C_OpenSession(kBadSlot, CKF_SERIAL_SESSION, nullptr, nullptr, &c.h);),
    ROW(C_CloseAllSessions, "invalid slot", no_token, CKR_SLOT_ID_INVALID, return c.f->C_CloseAllSessions(kBadSlot);),
    ROW(C_WaitForSlotEvent, "not supported", no_token, CKR_FUNCTION_NOT_SUPPORTED,
        return c.f->C_WaitForSlotEvent(CKF_DONT_BLOCK, c.slots, nullptr);),
    ROW(C_OpenSession, "without CKF_SERIAL_SESSION", token, CKR_SESSION_PARALLEL_NOT_SUPPORTED,
        return c.f->C_OpenSession(c.slot, CKF_RW_SESSION, nullptr, nullptr, &c.h);),
    ROW(C_OpenSession, "NULL phSession", token, CKR_ARGUMENTS_BAD,
        return c.f->C_OpenSession(c.slot, CKF_SERIAL_SESSION, nullptr, nullptr, nullptr);),
    ROW(C_InitToken, "wrong SO PIN", token, CKR_PIN_INCORRECT,
        return c.f->C_InitToken(c.slot, c.pin("Wrong-Pin#1"), pin_len("Wrong-Pin#1"), c.label);),
    ROW(C_CloseSession, "never opened", token, CKR_SESSION_HANDLE_INVALID, return c.f->C_CloseSession(kBadSession);),
};

// An invalid session handle, for every function that takes one; and a closed one.
const Row kBadSessions[] = {
#define BS(fn, ...) ROW(fn, "invalid session", bare_rw, CKR_SESSION_HANDLE_INVALID, return __VA_ARGS__;)
    BS(C_CloseSession, c.f->C_CloseSession(kBadSession)),
    BS(C_GetSessionInfo, c.f->C_GetSessionInfo(kBadSession, &c.session_info)),
    BS(C_Login, c.f->C_Login(kBadSession, CKU_USER, c.pin(kUserPin), pin_len(kUserPin))),
    BS(C_LoginUser, c.f->C_LoginUser(kBadSession, CKU_USER, c.pin(kUserPin), pin_len(kUserPin), nullptr, 0)),
    BS(C_Logout, c.f->C_Logout(kBadSession)),
    BS(C_InitPIN, c.f->C_InitPIN(kBadSession, c.pin(kUserPin), pin_len(kUserPin))),
    BS(C_SetPIN, c.f->C_SetPIN(kBadSession, c.pin(kUserPin), pin_len(kUserPin), c.pin(kSoPin), pin_len(kSoPin))),
    BS(C_CreateObject, c.f->C_CreateObject(kBadSession, c.data_tmpl.data(), c.data_tmpl.size(), &c.h)),
    BS(C_CopyObject, c.f->C_CopyObject(kBadSession, c.data, nullptr, 0, &c.h)),
    BS(C_DestroyObject, c.f->C_DestroyObject(kBadSession, c.data)),
    BS(C_GetObjectSize, c.f->C_GetObjectSize(kBadSession, c.data, &c.n)),
    BS(C_GetAttributeValue, c.f->C_GetAttributeValue(kBadSession, c.data, c.data_tmpl.data(), 1)),
    BS(C_SetAttributeValue, c.f->C_SetAttributeValue(kBadSession, c.data, c.data_tmpl.data(), 1)),
    BS(C_FindObjectsInit, c.f->C_FindObjectsInit(kBadSession, nullptr, 0)),
    BS(C_FindObjects, c.f->C_FindObjects(kBadSession, c.handles, 8, &c.n)),
    BS(C_FindObjectsFinal, c.f->C_FindObjectsFinal(kBadSession)),
    BS(C_EncryptInit, c.f->C_EncryptInit(kBadSession, &c.rsa_pkcs, c.data)),
    BS(C_Encrypt, c.f->C_Encrypt(kBadSession, c.in, sizeof c.in, c.out, c.ol())),
    BS(C_EncryptUpdate, c.f->C_EncryptUpdate(kBadSession, c.in, sizeof c.in, c.out, c.ol())),
    BS(C_EncryptFinal, c.f->C_EncryptFinal(kBadSession, c.out, c.ol())),
    BS(C_DecryptInit, c.f->C_DecryptInit(kBadSession, &c.rsa_pkcs, c.data)),
    BS(C_Decrypt, c.f->C_Decrypt(kBadSession, c.in, sizeof c.in, c.out, c.ol())),
    BS(C_DecryptUpdate, c.f->C_DecryptUpdate(kBadSession, c.in, sizeof c.in, c.out, c.ol())),
    BS(C_DecryptFinal, c.f->C_DecryptFinal(kBadSession, c.out, c.ol())),
    BS(C_DigestInit, c.f->C_DigestInit(kBadSession, &c.sha256)),
    BS(C_Digest, c.f->C_Digest(kBadSession, c.in, sizeof c.in, c.out, c.ol())),
    BS(C_DigestUpdate, c.f->C_DigestUpdate(kBadSession, c.in, sizeof c.in)),
    BS(C_DigestKey, c.f->C_DigestKey(kBadSession, c.data)),
    BS(C_DigestFinal, c.f->C_DigestFinal(kBadSession, c.out, c.ol())),
    BS(C_SignInit, c.f->C_SignInit(kBadSession, &c.ecdsa, c.data)),
    BS(C_Sign, c.f->C_Sign(kBadSession, c.in, sizeof c.in, c.out, c.ol())),
    BS(C_SignUpdate, c.f->C_SignUpdate(kBadSession, c.in, sizeof c.in)),
    BS(C_SignFinal, c.f->C_SignFinal(kBadSession, c.out, c.ol())),
    BS(C_VerifyInit, c.f->C_VerifyInit(kBadSession, &c.ecdsa, c.data)),
    BS(C_Verify, c.f->C_Verify(kBadSession, c.in, sizeof c.in, c.out, 64)),
    BS(C_VerifyUpdate, c.f->C_VerifyUpdate(kBadSession, c.in, sizeof c.in)),
    BS(C_VerifyFinal, c.f->C_VerifyFinal(kBadSession, c.out, 64)),
    BS(C_GenerateKeyPair, c.f->C_GenerateKeyPair(kBadSession, &c.ec_gen, c.ec_pub_tmpl.data(), c.ec_pub_tmpl.size(),
                                                 nullptr, 0, &c.h, &c.h2)),
    BS(C_SeedRandom, c.f->C_SeedRandom(kBadSession, c.in, sizeof c.in)),
    BS(C_GenerateRandom, c.f->C_GenerateRandom(kBadSession, c.out, 16)),
#undef BS
    ROW(C_GetSessionInfo, "closed session", bare_rw, CKR_SESSION_HANDLE_INVALID, PRE(c.f->C_CloseSession(c.s));
        return c.f->C_GetSessionInfo(c.s, &c.session_info);),
    ROW(C_Sign, "session closed by C_CloseAllSessions", bare_rw, CKR_SESSION_HANDLE_INVALID,
        PRE(c.f->C_CloseAllSessions(c.slot));
        return c.f->C_Sign(c.s, c.in, sizeof c.in, c.out, c.ol());),
};

// Functions the module does not implement, called in a valid session.
const Row kUnsupported[] = {
#define NS(fn, ...) ROW(fn, "not supported", bare_rw, CKR_FUNCTION_NOT_SUPPORTED, return __VA_ARGS__;)
    NS(C_GetOperationState, c.f->C_GetOperationState(c.s, nullptr, &c.n)),
    NS(C_SetOperationState, c.f->C_SetOperationState(c.s, c.in, sizeof c.in, 0, 0)),
    NS(C_SignRecoverInit, c.f->C_SignRecoverInit(c.s, &c.rsa_pkcs, c.data)),
    NS(C_SignRecover, c.f->C_SignRecover(c.s, c.in, sizeof c.in, c.out, c.ol())),
    NS(C_VerifyRecoverInit, c.f->C_VerifyRecoverInit(c.s, &c.rsa_pkcs, c.data)),
    NS(C_VerifyRecover, c.f->C_VerifyRecover(c.s, c.in, sizeof c.in, c.out, c.ol())),
    NS(C_DigestEncryptUpdate, c.f->C_DigestEncryptUpdate(c.s, c.in, sizeof c.in, c.out, c.ol())),
    NS(C_DecryptDigestUpdate, c.f->C_DecryptDigestUpdate(c.s, c.in, sizeof c.in, c.out, c.ol())),
    NS(C_SignEncryptUpdate, c.f->C_SignEncryptUpdate(c.s, c.in, sizeof c.in, c.out, c.ol())),
    NS(C_DecryptVerifyUpdate, c.f->C_DecryptVerifyUpdate(c.s, c.in, sizeof c.in, c.out, c.ol())),
    NS(C_GenerateKey, c.f->C_GenerateKey(c.s, &c.sha256, nullptr, 0, &c.h)),
    NS(C_WrapKey, c.f->C_WrapKey(c.s, &c.rsa_pkcs, c.data, c.data, c.out, c.ol())),
    NS(C_UnwrapKey, c.f->C_UnwrapKey(c.s, &c.rsa_pkcs, c.data, c.in, sizeof c.in, nullptr, 0, &c.h)),
    NS(C_DeriveKey, c.f->C_DeriveKey(c.s, &c.sha256, c.data, nullptr, 0, &c.h)),
    NS(C_SessionCancel, c.f->C_SessionCancel(c.s, 0)),
    NS(C_MessageEncryptInit, c.f->C_MessageEncryptInit(c.s, &c.rsa_pkcs, c.data)),
    NS(C_EncryptMessage, c.f->C_EncryptMessage(c.s, nullptr, 0, nullptr, 0, c.in, sizeof c.in, c.out, c.ol())),
    NS(C_EncryptMessageBegin, c.f->C_EncryptMessageBegin(c.s, nullptr, 0, nullptr, 0)),
    NS(C_EncryptMessageNext, c.f->C_EncryptMessageNext(c.s, nullptr, 0, c.in, sizeof c.in, c.out, c.ol(), 0)),
    NS(C_MessageEncryptFinal, c.f->C_MessageEncryptFinal(c.s)),
    NS(C_MessageDecryptInit, c.f->C_MessageDecryptInit(c.s, &c.rsa_pkcs, c.data)),
    NS(C_DecryptMessage, c.f->C_DecryptMessage(c.s, nullptr, 0, nullptr, 0, c.in, sizeof c.in, c.out, c.ol())),
    NS(C_DecryptMessageBegin, c.f->C_DecryptMessageBegin(c.s, nullptr, 0, nullptr, 0)),
    NS(C_DecryptMessageNext, c.f->C_DecryptMessageNext(c.s, nullptr, 0, c.in, sizeof c.in, c.out, c.ol(), 0)),
    NS(C_MessageDecryptFinal, c.f->C_MessageDecryptFinal(c.s)),
    NS(C_MessageSignInit, c.f->C_MessageSignInit(c.s, &c.ecdsa, c.data)),
    NS(C_SignMessage, c.f->C_SignMessage(c.s, nullptr, 0, c.in, sizeof c.in, c.out, c.ol())),
    NS(C_SignMessageBegin, c.f->C_SignMessageBegin(c.s, nullptr, 0)),
    NS(C_SignMessageNext, c.f->C_SignMessageNext(c.s, nullptr, 0, c.in, sizeof c.in, c.out, c.ol())),
    NS(C_MessageSignFinal, c.f->C_MessageSignFinal(c.s)),
    NS(C_MessageVerifyInit, c.f->C_MessageVerifyInit(c.s, &c.ecdsa, c.data)),
    NS(C_VerifyMessage, c.f->C_VerifyMessage(c.s, nullptr, 0, c.in, sizeof c.in, c.out, 64)),
    NS(C_VerifyMessageBegin, c.f->C_VerifyMessageBegin(c.s, nullptr, 0)),
    NS(C_VerifyMessageNext, c.f->C_VerifyMessageNext(c.s, nullptr, 0, c.in, sizeof c.in, c.out, 64)),
    NS(C_MessageVerifyFinal, c.f->C_MessageVerifyFinal(c.s)),
#undef NS
    ROW(C_GetFunctionStatus, "legacy", bare_rw, CKR_FUNCTION_NOT_PARALLEL, return c.f->C_GetFunctionStatus(c.s);),
    ROW(C_CancelFunction, "legacy", bare_rw, CKR_FUNCTION_NOT_PARALLEL, return c.f->C_CancelFunction(c.s);),
};

// Sessions, login and PINs.
const Row kSessions[] = {
    ROW(C_InitToken, "with a session open", public_rw, CKR_SESSION_EXISTS,
        return c.f->C_InitToken(c.slot, c.pin(kSoPin), pin_len(kSoPin), c.label);),
    ROW(C_GetSessionInfo, "NULL", public_rw, CKR_ARGUMENTS_BAD, return c.f->C_GetSessionInfo(c.s, nullptr);),
    ROW(C_Login, "twice", user_rw, CKR_USER_ALREADY_LOGGED_IN,
        return c.f->C_Login(c.s, CKU_USER, c.pin(kUserPin), pin_len(kUserPin));),
    ROW(C_Login, "user again from an R/O session", user_ro, CKR_USER_ALREADY_LOGGED_IN,
        return c.f->C_Login(c.s, CKU_USER, c.pin(kUserPin), pin_len(kUserPin));),
    ROW(C_Login, "SO while the user is logged in", user_rw, CKR_USER_ANOTHER_ALREADY_LOGGED_IN,
        return c.f->C_Login(c.s, CKU_SO, c.pin(kSoPin), pin_len(kSoPin));),
    ROW(C_Login, "user while the SO is logged in", so_rw, CKR_USER_ANOTHER_ALREADY_LOGGED_IN,
        return c.f->C_Login(c.s, CKU_USER, c.pin(kUserPin), pin_len(kUserPin));),
    ROW(C_Login, "SO twice", so_rw, CKR_USER_ALREADY_LOGGED_IN,
        return c.f->C_Login(c.s, CKU_SO, c.pin(kSoPin), pin_len(kSoPin));),
    ROW(C_Login, "SO with an R/O session open", public_ro, CKR_SESSION_READ_ONLY_EXISTS,
        return c.f->C_Login(c.s, CKU_SO, c.pin(kSoPin), pin_len(kSoPin));),
    ROW(C_Login, "SO in R/W session while another R/O session is open", public_ro, CKR_SESSION_READ_ONLY_EXISTS,
        PRE(c.f->C_OpenSession(c.slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr, &c.h));
        return c.f->C_Login(c.h, CKU_SO, c.pin(kSoPin), pin_len(kSoPin));),
    ROW(C_Login, "unknown user type", public_rw, CKR_USER_TYPE_INVALID,
        return c.f->C_Login(c.s, 7, c.pin(kUserPin), pin_len(kUserPin));),
    ROW(C_Login, "NULL PIN", public_rw, CKR_ARGUMENTS_BAD, return c.f->C_Login(c.s, CKU_USER, nullptr, 8);),
    ROW(C_Login, "wrong PIN", public_rw, CKR_PIN_INCORRECT,
        return c.f->C_Login(c.s, CKU_USER, c.pin("Wrong-Pin#1"), pin_len("Wrong-Pin#1"));),
    ROW(C_Login, "context-specific without an operation", user_rw, CKR_OPERATION_NOT_INITIALIZED,
        return c.f->C_Login(c.s, CKU_CONTEXT_SPECIFIC, c.pin(kUserPin), pin_len(kUserPin));),
    ROW(C_LoginUser, "no user name is C_Login", public_rw, CKR_OK,
        return c.f->C_LoginUser(c.s, CKU_USER, c.pin(kUserPin), pin_len(kUserPin), nullptr, 0);),
    ROW(C_Login, "user PIN not initialised", no_token, CKR_USER_PIN_NOT_INITIALIZED, CK_SESSION_HANDLE h;
        PRE(c.f->C_InitToken(0, c.pin(kSoPin), pin_len(kSoPin), c.label));
        PRE(c.f->C_OpenSession(0, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr, &h));
        return c.f->C_Login(h, CKU_USER, c.pin(kUserPin), pin_len(kUserPin));),
    ROW(C_Login, "PIN set by the SO must be changed first", no_token, CKR_PIN_EXPIRED, CK_SESSION_HANDLE h;
        PRE(c.f->C_InitToken(0, c.pin(kSoPin), pin_len(kSoPin), c.label));
        PRE(c.f->C_OpenSession(0, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr, &h));
        PRE(c.f->C_Login(h, CKU_SO, c.pin(kSoPin), pin_len(kSoPin)));
        PRE(c.f->C_InitPIN(h, c.pin(kEnvelopePin), pin_len(kEnvelopePin))); PRE(c.f->C_Logout(h));
        return c.f->C_Login(h, CKU_USER, c.pin(kEnvelopePin), pin_len(kEnvelopePin));),
    ROW(C_OpenSession, "uninitialised token (as SoftHSM)", no_token, CKR_TOKEN_NOT_RECOGNIZED,
        return c.f->C_OpenSession(0, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr, &c.h);),
    ROW(C_Logout, "nobody logged in", public_rw, CKR_USER_NOT_LOGGED_IN, return c.f->C_Logout(c.s);),
    ROW(C_OpenSession, "R/O while the SO is logged in", so_rw, CKR_SESSION_READ_WRITE_SO_EXISTS,
        return c.f->C_OpenSession(c.slot, CKF_SERIAL_SESSION, nullptr, nullptr, &c.h);),
    ROW(C_InitPIN, "not the SO", public_rw, CKR_USER_NOT_LOGGED_IN,
        return c.f->C_InitPIN(c.s, c.pin(kEnvelopePin), pin_len(kEnvelopePin));),
    ROW(C_InitPIN, "as the user", user_rw, CKR_USER_NOT_LOGGED_IN,
        return c.f->C_InitPIN(c.s, c.pin(kEnvelopePin), pin_len(kEnvelopePin));),
    ROW(C_InitPIN, "NULL PIN", so_rw, CKR_ARGUMENTS_BAD, return c.f->C_InitPIN(c.s, nullptr, 8);),
    ROW(C_InitPIN, "PIN too short", so_rw, CKR_PIN_LEN_RANGE, return c.f->C_InitPIN(c.s, c.pin("1234"), 4);),
    ROW(C_SetPIN, "R/O session", public_ro, CKR_SESSION_READ_ONLY,
        return c.f->C_SetPIN(c.s, c.pin(kUserPin), pin_len(kUserPin), c.pin("New-Pin#2026"), pin_len("New-Pin#2026"));),
    ROW(C_SetPIN, "R/O session, user logged in", user_ro, CKR_SESSION_READ_ONLY,
        return c.f->C_SetPIN(c.s, c.pin(kUserPin), pin_len(kUserPin), c.pin("New-Pin#2026"), pin_len("New-Pin#2026"));),
    ROW(C_SetPIN, "NULL old PIN", public_rw, CKR_ARGUMENTS_BAD,
        return c.f->C_SetPIN(c.s, nullptr, 8, c.pin("New-Pin#2026"), pin_len("New-Pin#2026"));),
    ROW(C_SetPIN, "NULL new PIN", public_rw, CKR_ARGUMENTS_BAD,
        return c.f->C_SetPIN(c.s, c.pin(kUserPin), pin_len(kUserPin), nullptr, 12);),
    ROW(C_SetPIN, "wrong old PIN", public_rw, CKR_PIN_INCORRECT,
        return c.f->C_SetPIN(c.s, c.pin("Wrong-Pin#1"), pin_len("Wrong-Pin#1"), c.pin("New-Pin#2026"),
                             pin_len("New-Pin#2026"));),
};

// Objects.
const Row kObjects[] = {
    ROW(C_CreateObject, "token object in an R/O session", public_ro, CKR_SESSION_READ_ONLY,
        Template t = Template().cls(CKO_DATA).boolean(CKA_TOKEN, true);
        return c.f->C_CreateObject(c.s, t.data(), t.size(), &c.h);),
    ROW(C_CreateObject, "token object in an R/O session, user logged in", user_ro, CKR_SESSION_READ_ONLY,
        Template t = Template().cls(CKO_DATA).boolean(CKA_TOKEN, true);
        return c.f->C_CreateObject(c.s, t.data(), t.size(), &c.h);),
    ROW(C_CreateObject, "private object without login", public_rw, CKR_USER_NOT_LOGGED_IN,
        Template t = Template().cls(CKO_DATA).boolean(CKA_PRIVATE, true);
        return c.f->C_CreateObject(c.s, t.data(), t.size(), &c.h);),
    ROW(C_CreateObject, "private object by the SO", so_rw, CKR_USER_NOT_LOGGED_IN,
        Template t = Template().cls(CKO_DATA).boolean(CKA_PRIVATE, true);
        return c.f->C_CreateObject(c.s, t.data(), t.size(), &c.h);),
    ROW(C_CreateObject, "NULL phObject", public_rw, CKR_ARGUMENTS_BAD,
        return c.f->C_CreateObject(c.s, c.data_tmpl.data(), c.data_tmpl.size(), nullptr);),
    ROW(C_CreateObject, "NULL template with a count", public_rw, CKR_ARGUMENTS_BAD,
        return c.f->C_CreateObject(c.s, nullptr, 2, &c.h);),
    ROW(C_CreateObject, "no CKA_CLASS", public_rw, CKR_TEMPLATE_INCOMPLETE, Template t = Template().str(CKA_LABEL, "x");
        return c.f->C_CreateObject(c.s, t.data(), t.size(), &c.h);),
    ROW(C_CopyObject, "invalid object", public_rw, CKR_OBJECT_HANDLE_INVALID,
        return c.f->C_CopyObject(c.s, kBadObject, nullptr, 0, &c.h);),
    ROW(C_CopyObject, "NULL phNewObject", public_rw, CKR_ARGUMENTS_BAD,
        return c.f->C_CopyObject(c.s, c.data, nullptr, 0, nullptr);),
    ROW(C_DestroyObject, "invalid object", public_rw, CKR_OBJECT_HANDLE_INVALID,
        return c.f->C_DestroyObject(c.s, kBadObject);),
    ROW(C_DestroyObject, "twice", public_rw, CKR_OBJECT_HANDLE_INVALID, PRE(c.f->C_DestroyObject(c.s, c.data));
        return c.f->C_DestroyObject(c.s, c.data);),
    ROW(C_DestroyObject, "token object in an R/O session", user_ro, CKR_SESSION_READ_ONLY, CK_SESSION_HANDLE rw;
        Template t = Template().cls(CKO_DATA).boolean(CKA_TOKEN, true);
        PRE(c.f->C_OpenSession(c.slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr, &rw));
        PRE(c.f->C_CreateObject(rw, t.data(), t.size(), &c.h)); return c.f->C_DestroyObject(c.s, c.h);),
    ROW(C_SetAttributeValue, "token object in an R/O session", user_ro, CKR_SESSION_READ_ONLY, CK_SESSION_HANDLE rw;
        Template t = Template().cls(CKO_DATA).boolean(CKA_TOKEN, true);
        PRE(c.f->C_OpenSession(c.slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr, &rw));
        PRE(c.f->C_CreateObject(rw, t.data(), t.size(), &c.h));
        return c.f->C_SetAttributeValue(c.s, c.h, c.data_tmpl.data() + 1, 1);),
    ROW(C_DestroyObject, "the profile object", public_rw, CKR_ACTION_PROHIBITED,
        Template t = Template().cls(CKO_PROFILE);
        PRE(c.f->C_FindObjectsInit(c.s, t.data(), t.size())); PRE(c.f->C_FindObjects(c.s, &c.h, 1, &c.n));
        PRE(c.f->C_FindObjectsFinal(c.s)); return c.f->C_DestroyObject(c.s, c.h);),
    ROW(C_GetObjectSize, "invalid object", public_rw, CKR_OBJECT_HANDLE_INVALID,
        return c.f->C_GetObjectSize(c.s, kBadObject, &c.n);),
    ROW(C_GetObjectSize, "NULL", public_rw, CKR_ARGUMENTS_BAD, return c.f->C_GetObjectSize(c.s, c.data, nullptr);),
    ROW(C_GetAttributeValue, "invalid object", public_rw, CKR_OBJECT_HANDLE_INVALID,
        return c.f->C_GetAttributeValue(c.s, kBadObject, c.data_tmpl.data(), 1);),
    ROW(C_GetAttributeValue, "NULL template with a count", public_rw, CKR_ARGUMENTS_BAD,
        return c.f->C_GetAttributeValue(c.s, c.data, nullptr, 1);),
    ROW(C_GetAttributeValue, "private key of the user after logout", user_rw, CKR_OBJECT_HANDLE_INVALID,
        PRE(c.f->C_Logout(c.s));
        return c.f->C_GetAttributeValue(c.s, c.ec.priv, c.data_tmpl.data(), 1);),
    ROW(C_SetAttributeValue, "invalid object", public_rw, CKR_OBJECT_HANDLE_INVALID,
        return c.f->C_SetAttributeValue(c.s, kBadObject, c.data_tmpl.data() + 1, 1);),
    ROW(C_SetAttributeValue, "NULL template with a count", public_rw, CKR_ARGUMENTS_BAD,
        return c.f->C_SetAttributeValue(c.s, c.data, nullptr, 1);),
    ROW(C_SetAttributeValue, "NULL value with a length", public_rw, CKR_ARGUMENTS_BAD,
        CK_ATTRIBUTE a{CKA_LABEL, nullptr, 4};
        return c.f->C_SetAttributeValue(c.s, c.data, &a, 1);),
    ROW(C_FindObjectsInit, "NULL template with a count", public_rw, CKR_ARGUMENTS_BAD,
        return c.f->C_FindObjectsInit(c.s, nullptr, 1);),
    ROW(C_FindObjects, "NULL array with a count", public_rw, CKR_ARGUMENTS_BAD,
        PRE(c.f->C_FindObjectsInit(c.s, nullptr, 0));
        return c.f->C_FindObjects(c.s, nullptr, 8, &c.n);),
    ROW(C_FindObjectsInit, "twice", public_rw, CKR_OPERATION_ACTIVE, PRE(c.f->C_FindObjectsInit(c.s, nullptr, 0));
        return c.f->C_FindObjectsInit(c.s, nullptr, 0);),
    ROW(C_FindObjects, "without C_FindObjectsInit", public_rw, CKR_OPERATION_NOT_INITIALIZED,
        return c.f->C_FindObjects(c.s, c.handles, 8, &c.n);),
    ROW(C_FindObjects, "NULL count", public_rw, CKR_ARGUMENTS_BAD, PRE(c.f->C_FindObjectsInit(c.s, nullptr, 0));
        return c.f->C_FindObjects(c.s, c.handles, 8, nullptr);),
    ROW(C_FindObjectsFinal, "without C_FindObjectsInit", public_rw, CKR_OPERATION_NOT_INITIALIZED,
        return c.f->C_FindObjectsFinal(c.s);),
};

// Cryptographic operations.
const Row kCrypto[] = {
    ROW(C_SignInit, "NULL mechanism", user_rw, CKR_ARGUMENTS_BAD, return c.f->C_SignInit(c.s, nullptr, c.ec.priv);),
    ROW(C_SignInit, "invalid key", user_rw, CKR_KEY_HANDLE_INVALID, return c.f->C_SignInit(c.s, &c.ecdsa, kBadObject);),
    ROW(C_SignInit, "a data object as key", user_rw, CKR_KEY_HANDLE_INVALID,
        return c.f->C_SignInit(c.s, &c.ecdsa, c.data);),
    ROW(C_SignInit, "unknown mechanism", user_rw, CKR_MECHANISM_INVALID,
        return c.f->C_SignInit(c.s, &c.unknown, c.ec.priv);),
    ROW(C_SignInit, "digest mechanism", user_rw, CKR_MECHANISM_INVALID,
        return c.f->C_SignInit(c.s, &c.sha256, c.ec.priv);),
    ROW(C_SignInit, "CKM_ECDSA with a parameter", user_rw, CKR_MECHANISM_PARAM_INVALID,
        CK_MECHANISM m{CKM_ECDSA, c.in, sizeof c.in};
        return c.f->C_SignInit(c.s, &m, c.ec.priv);),
    ROW(C_SignInit, "key without CKA_SIGN", user_rw, CKR_KEY_FUNCTION_NOT_PERMITTED,
        return c.f->C_SignInit(c.s, &c.ecdsa, c.ec_nosign.priv);),
    ROW(C_SignInit, "RSA mechanism on an EC key", user_rw, CKR_KEY_TYPE_INCONSISTENT,
        CK_MECHANISM m{CKM_SHA256_RSA_PKCS, nullptr, 0};
        return c.f->C_SignInit(c.s, &m, c.ec.priv);),
    ROW(C_SignInit, "second C_SignInit", user_rw, CKR_OPERATION_ACTIVE, PRE(c.f->C_SignInit(c.s, &c.ecdsa, c.ec.priv));
        return c.f->C_SignInit(c.s, &c.ecdsa, c.ec.priv);),
    ROW(C_SignInit, "private key after logout", user_rw, CKR_KEY_HANDLE_INVALID, PRE(c.f->C_Logout(c.s));
        return c.f->C_SignInit(c.s, &c.ecdsa, c.ec.priv);),
    RSA_ROW(C_SignInit, "PSS parameter of the wrong size", user_rw, CKR_MECHANISM_PARAM_INVALID,
            CK_RSA_PKCS_PSS_PARAMS p{CKM_SHA256, CKG_MGF1_SHA256, 32};
            CK_MECHANISM m{CKM_RSA_PKCS_PSS, &p, sizeof p - 1}; return c.f->C_SignInit(c.s, &m, c.rsa.priv);),
    RSA_ROW(C_SignInit, "PSS without a parameter", user_rw, CKR_MECHANISM_PARAM_INVALID,
            CK_MECHANISM m{CKM_RSA_PKCS_PSS, nullptr, 0};
            return c.f->C_SignInit(c.s, &m, c.rsa.priv);),
    RSA_ROW(C_SignInit, "PSS salt longer than the key allows", user_rw, CKR_MECHANISM_PARAM_INVALID,
            CK_RSA_PKCS_PSS_PARAMS p{CKM_SHA256, CKG_MGF1_SHA256, 128 - 32 - 2 + 1};
            CK_MECHANISM m{CKM_RSA_PKCS_PSS, &p, sizeof p}; return c.f->C_SignInit(c.s, &m, c.rsa.priv);),
    RSA_ROW(C_SignInit, "SHA256_RSA_PKCS_PSS with a SHA-1 parameter", user_rw, CKR_MECHANISM_PARAM_INVALID,
            CK_RSA_PKCS_PSS_PARAMS p{CKM_SHA_1, CKG_MGF1_SHA1, 20};
            CK_MECHANISM m{CKM_SHA256_RSA_PKCS_PSS, &p, sizeof p}; return c.f->C_SignInit(c.s, &m, c.rsa.priv);),
    RSA_ROW(C_SignInit, "EC mechanism on an RSA key", user_rw, CKR_KEY_TYPE_INCONSISTENT,
            return c.f->C_SignInit(c.s, &c.ecdsa, c.rsa.priv);),
    ROW(C_Sign, "without C_SignInit", user_rw, CKR_OPERATION_NOT_INITIALIZED,
        return c.f->C_Sign(c.s, c.in, sizeof c.in, c.out, c.ol());),
    ROW(C_Sign, "NULL length", user_rw, CKR_ARGUMENTS_BAD, PRE(c.f->C_SignInit(c.s, &c.ecdsa, c.ec.priv));
        return c.f->C_Sign(c.s, c.in, sizeof c.in, c.out, nullptr);),
    ROW(C_Sign, "NULL data with a length", user_rw, CKR_ARGUMENTS_BAD, PRE(c.f->C_SignInit(c.s, &c.ecdsa, c.ec.priv));
        return c.f->C_Sign(c.s, nullptr, 32, c.out, c.ol());),
    ROW(C_Sign, "after a successful C_Sign", user_rw, CKR_OPERATION_NOT_INITIALIZED,
        PRE(c.f->C_SignInit(c.s, &c.ecdsa, c.ec.priv));
        PRE(c.f->C_Sign(c.s, c.in, sizeof c.in, c.out, c.ol()));
        return c.f->C_Sign(c.s, c.in, sizeof c.in, c.out, c.ol());),
    RSA_ROW(C_Sign, "CKM_RSA_PKCS input longer than k-11", user_rw, CKR_DATA_LEN_RANGE,
            PRE(c.f->C_SignInit(c.s, &c.rsa_pkcs, c.rsa.priv));
            return c.f->C_Sign(c.s, c.big, 128 - 10, c.out, c.ol());),
    ROW(C_SignUpdate, "NULL part with a length", user_rw, CKR_ARGUMENTS_BAD,
        PRE(c.f->C_SignInit(c.s, &c.ecdsa, c.ec.priv));
        return c.f->C_SignUpdate(c.s, nullptr, 8);),
    ROW(C_SignFinal, "NULL length", user_rw, CKR_ARGUMENTS_BAD, CK_MECHANISM m{CKM_ECDSA_SHA256, nullptr, 0};
        PRE(c.f->C_SignInit(c.s, &m, c.ec.priv)); return c.f->C_SignFinal(c.s, c.out, nullptr);),
    ROW(C_SignUpdate, "without C_SignInit", user_rw, CKR_OPERATION_NOT_INITIALIZED,
        return c.f->C_SignUpdate(c.s, c.in, sizeof c.in);),
    ROW(C_SignFinal, "without C_SignInit", user_rw, CKR_OPERATION_NOT_INITIALIZED,
        return c.f->C_SignFinal(c.s, c.out, c.ol());),
    ROW(C_VerifyInit, "invalid key", user_rw, CKR_KEY_HANDLE_INVALID,
        return c.f->C_VerifyInit(c.s, &c.ecdsa, kBadObject);),
    ROW(C_VerifyInit, "second C_VerifyInit", user_rw, CKR_OPERATION_ACTIVE,
        PRE(c.f->C_VerifyInit(c.s, &c.ecdsa, c.ec.pub));
        return c.f->C_VerifyInit(c.s, &c.ecdsa, c.ec.pub);),
    ROW(C_VerifyInit, "RSA mechanism on an EC key", user_rw, CKR_KEY_TYPE_INCONSISTENT,
        CK_MECHANISM m{CKM_SHA256_RSA_PKCS, nullptr, 0};
        return c.f->C_VerifyInit(c.s, &m, c.ec.pub);),
    ROW(C_VerifyInit, "NULL mechanism", user_rw, CKR_ARGUMENTS_BAD, return c.f->C_VerifyInit(c.s, nullptr, c.ec.pub);),
    ROW(C_Verify, "NULL signature with a length", user_rw, CKR_ARGUMENTS_BAD,
        PRE(c.f->C_VerifyInit(c.s, &c.ecdsa, c.ec.pub));
        return c.f->C_Verify(c.s, c.in, sizeof c.in, nullptr, 64);),
    ROW(C_VerifyFinal, "NULL signature with a length", user_rw, CKR_ARGUMENTS_BAD,
        CK_MECHANISM m{CKM_ECDSA_SHA256, nullptr, 0};
        PRE(c.f->C_VerifyInit(c.s, &m, c.ec.pub)); return c.f->C_VerifyFinal(c.s, nullptr, 64);),
    ROW(C_Verify, "without C_VerifyInit", user_rw, CKR_OPERATION_NOT_INITIALIZED,
        return c.f->C_Verify(c.s, c.in, sizeof c.in, c.out, 64);),
    ROW(C_Verify, "wrong signature", user_rw, CKR_SIGNATURE_INVALID, PRE(c.f->C_VerifyInit(c.s, &c.ecdsa, c.ec.pub));
        std::memset(c.out, 0x5A, 64); return c.f->C_Verify(c.s, c.in, sizeof c.in, c.out, 64);),
    ROW(C_Verify, "signature of the wrong length", user_rw, CKR_SIGNATURE_LEN_RANGE,
        PRE(c.f->C_VerifyInit(c.s, &c.ecdsa, c.ec.pub));
        return c.f->C_Verify(c.s, c.in, sizeof c.in, c.out, 63);),
    ROW(C_VerifyUpdate, "without C_VerifyInit", user_rw, CKR_OPERATION_NOT_INITIALIZED,
        return c.f->C_VerifyUpdate(c.s, c.in, sizeof c.in);),
    ROW(C_VerifyFinal, "without C_VerifyInit", user_rw, CKR_OPERATION_NOT_INITIALIZED,
        return c.f->C_VerifyFinal(c.s, c.out, 64);),
    ROW(C_EncryptInit, "invalid key", user_rw, CKR_KEY_HANDLE_INVALID,
        return c.f->C_EncryptInit(c.s, &c.rsa_pkcs, kBadObject);),
    ROW(C_EncryptInit, "NULL mechanism", user_rw, CKR_ARGUMENTS_BAD,
        return c.f->C_EncryptInit(c.s, nullptr, c.ec.pub);),
    ROW(C_EncryptInit, "RSA mechanism on an EC key", user_rw, CKR_KEY_TYPE_INCONSISTENT,
        return c.f->C_EncryptInit(c.s, &c.rsa_pkcs, c.ec.pub);),
    RSA_ROW(C_EncryptInit, "OAEP with an unknown MGF", user_rw, CKR_MECHANISM_PARAM_INVALID,
            CK_RSA_PKCS_OAEP_PARAMS p{CKM_SHA256, 0x77, CKZ_DATA_SPECIFIED, nullptr, 0};
            CK_MECHANISM m{CKM_RSA_PKCS_OAEP, &p, sizeof p}; return c.f->C_EncryptInit(c.s, &m, c.rsa.pub);),
    RSA_ROW(C_EncryptInit, "OAEP label length without data", user_rw, CKR_MECHANISM_PARAM_INVALID,
            CK_RSA_PKCS_OAEP_PARAMS p{CKM_SHA256, CKG_MGF1_SHA256, CKZ_DATA_SPECIFIED, nullptr, 3};
            CK_MECHANISM m{CKM_RSA_PKCS_OAEP, &p, sizeof p}; return c.f->C_EncryptInit(c.s, &m, c.rsa.pub);),
    RSA_ROW(C_EncryptInit, "sign-only mechanism", user_rw, CKR_MECHANISM_INVALID,
            CK_MECHANISM m{CKM_SHA256_RSA_PKCS, nullptr, 0};
            return c.f->C_EncryptInit(c.s, &m, c.rsa.pub);),
    RSA_ROW(C_Encrypt, "NULL length", user_rw, CKR_ARGUMENTS_BAD, PRE(c.f->C_EncryptInit(c.s, &c.rsa_pkcs, c.rsa.pub));
            return c.f->C_Encrypt(c.s, c.in, sizeof c.in, c.out, nullptr);),
    ROW(C_Encrypt, "without C_EncryptInit", user_rw, CKR_OPERATION_NOT_INITIALIZED,
        return c.f->C_Encrypt(c.s, c.in, sizeof c.in, c.out, c.ol());),
    ROW(C_EncryptUpdate, "without C_EncryptInit", user_rw, CKR_OPERATION_NOT_INITIALIZED,
        return c.f->C_EncryptUpdate(c.s, c.in, sizeof c.in, c.out, c.ol());),
    ROW(C_EncryptFinal, "without C_EncryptInit", user_rw, CKR_OPERATION_NOT_INITIALIZED,
        return c.f->C_EncryptFinal(c.s, c.out, c.ol());),
    ROW(C_DecryptInit, "invalid key", user_rw, CKR_KEY_HANDLE_INVALID,
        return c.f->C_DecryptInit(c.s, &c.rsa_pkcs, kBadObject);),
    ROW(C_DecryptInit, "a data object as key", user_rw, CKR_KEY_HANDLE_INVALID,
        return c.f->C_DecryptInit(c.s, &c.rsa_pkcs, c.data);),
    ROW(C_DecryptInit, "RSA mechanism on an EC key", user_rw, CKR_KEY_TYPE_INCONSISTENT,
        return c.f->C_DecryptInit(c.s, &c.rsa_pkcs, c.ec.priv);),
    RSA_ROW(C_DecryptInit, "second C_DecryptInit", user_rw, CKR_OPERATION_ACTIVE,
            PRE(c.f->C_DecryptInit(c.s, &c.rsa_pkcs, c.rsa.priv));
            return c.f->C_DecryptInit(c.s, &c.rsa_pkcs, c.rsa.priv);),
    RSA_ROW(C_Decrypt, "ciphertext of the wrong length", user_rw, CKR_ENCRYPTED_DATA_LEN_RANGE,
            PRE(c.f->C_DecryptInit(c.s, &c.rsa_pkcs, c.rsa.priv));
            return c.f->C_Decrypt(c.s, c.in, sizeof c.in, c.out, c.ol());),
    ROW(C_DecryptInit, "NULL mechanism", user_rw, CKR_ARGUMENTS_BAD,
        return c.f->C_DecryptInit(c.s, nullptr, c.ec.priv);),
    RSA_ROW(C_Decrypt, "NULL length", user_rw, CKR_ARGUMENTS_BAD, PRE(c.f->C_DecryptInit(c.s, &c.rsa_pkcs, c.rsa.priv));
            return c.f->C_Decrypt(c.s, c.out, 128, c.out + 128, nullptr);),
    ROW(C_Decrypt, "without C_DecryptInit", user_rw, CKR_OPERATION_NOT_INITIALIZED,
        return c.f->C_Decrypt(c.s, c.in, sizeof c.in, c.out, c.ol());),
    ROW(C_DecryptUpdate, "without C_DecryptInit", user_rw, CKR_OPERATION_NOT_INITIALIZED,
        return c.f->C_DecryptUpdate(c.s, c.in, sizeof c.in, c.out, c.ol());),
    ROW(C_DecryptFinal, "without C_DecryptInit", user_rw, CKR_OPERATION_NOT_INITIALIZED,
        return c.f->C_DecryptFinal(c.s, c.out, c.ol());),
    ROW(C_DigestInit, "NULL mechanism", public_rw, CKR_ARGUMENTS_BAD, return c.f->C_DigestInit(c.s, nullptr);),
    ROW(C_DigestInit, "unknown mechanism", public_rw, CKR_MECHANISM_INVALID,
        return c.f->C_DigestInit(c.s, &c.unknown);),
    ROW(C_DigestInit, "signature mechanism", public_rw, CKR_MECHANISM_INVALID,
        return c.f->C_DigestInit(c.s, &c.ecdsa);),
    ROW(C_DigestInit, "with a parameter", public_rw, CKR_MECHANISM_PARAM_INVALID, CK_MECHANISM m{CKM_SHA256, c.in, 4};
        return c.f->C_DigestInit(c.s, &m);),
    ROW(C_DigestInit, "twice", public_rw, CKR_OPERATION_ACTIVE, PRE(c.f->C_DigestInit(c.s, &c.sha256));
        return c.f->C_DigestInit(c.s, &c.sha256);),
    ROW(C_Digest, "without C_DigestInit", public_rw, CKR_OPERATION_NOT_INITIALIZED,
        return c.f->C_Digest(c.s, c.in, sizeof c.in, c.out, c.ol());),
    ROW(C_Digest, "NULL length", public_rw, CKR_ARGUMENTS_BAD, PRE(c.f->C_DigestInit(c.s, &c.sha256));
        return c.f->C_Digest(c.s, c.in, sizeof c.in, c.out, nullptr);),
    ROW(C_Digest, "buffer too small", public_rw, CKR_BUFFER_TOO_SMALL, PRE(c.f->C_DigestInit(c.s, &c.sha256));
        c.out_len = 31; return c.f->C_Digest(c.s, c.in, sizeof c.in, c.out, &c.out_len);),
    ROW(C_DigestUpdate, "without C_DigestInit", public_rw, CKR_OPERATION_NOT_INITIALIZED,
        return c.f->C_DigestUpdate(c.s, c.in, sizeof c.in);),
    ROW(C_DigestKey, "invalid key", public_rw, CKR_KEY_HANDLE_INVALID, PRE(c.f->C_DigestInit(c.s, &c.sha256));
        return c.f->C_DigestKey(c.s, kBadObject);),
    ROW(C_DigestKey, "a data object as key", public_rw, CKR_KEY_HANDLE_INVALID, PRE(c.f->C_DigestInit(c.s, &c.sha256));
        return c.f->C_DigestKey(c.s, c.data);),
    ROW(C_DigestKey, "a private key", user_rw, CKR_KEY_INDIGESTIBLE, PRE(c.f->C_DigestInit(c.s, &c.sha256));
        return c.f->C_DigestKey(c.s, c.ec.priv);),
    ROW(C_DigestKey, "without C_DigestInit", user_rw, CKR_OPERATION_NOT_INITIALIZED,
        return c.f->C_DigestKey(c.s, c.ec.priv);),
    ROW(C_DigestUpdate, "NULL part with a length", public_rw, CKR_ARGUMENTS_BAD, PRE(c.f->C_DigestInit(c.s, &c.sha256));
        return c.f->C_DigestUpdate(c.s, nullptr, 8);),
    ROW(C_DigestFinal, "NULL length", public_rw, CKR_ARGUMENTS_BAD, PRE(c.f->C_DigestInit(c.s, &c.sha256));
        return c.f->C_DigestFinal(c.s, c.out, nullptr);),
    ROW(C_DigestFinal, "without C_DigestInit", public_rw, CKR_OPERATION_NOT_INITIALIZED,
        return c.f->C_DigestFinal(c.s, c.out, c.ol());),
    ROW(C_GenerateKeyPair, "NULL mechanism", user_rw, CKR_ARGUMENTS_BAD,
        return c.f->C_GenerateKeyPair(c.s, nullptr, c.ec_pub_tmpl.data(), c.ec_pub_tmpl.size(), nullptr, 0, &c.h,
                                      &c.h2);),
    ROW(C_GenerateKeyPair, "NULL key handles", user_rw, CKR_ARGUMENTS_BAD,
        return c.f->C_GenerateKeyPair(c.s, &c.ec_gen, c.ec_pub_tmpl.data(), c.ec_pub_tmpl.size(), nullptr, 0, nullptr,
                                      nullptr);),
    ROW(C_GenerateKeyPair, "unknown mechanism", user_rw, CKR_MECHANISM_INVALID,
        return c.f->C_GenerateKeyPair(c.s, &c.unknown, c.ec_pub_tmpl.data(), c.ec_pub_tmpl.size(), nullptr, 0, &c.h,
                                      &c.h2);),
    ROW(C_GenerateKeyPair, "signature mechanism", user_rw, CKR_MECHANISM_INVALID,
        return c.f->C_GenerateKeyPair(c.s, &c.ecdsa, c.ec_pub_tmpl.data(), c.ec_pub_tmpl.size(), nullptr, 0, &c.h,
                                      &c.h2);),
    ROW(C_GenerateKeyPair, "EC with a mechanism parameter", user_rw, CKR_MECHANISM_PARAM_INVALID,
        CK_MECHANISM m{CKM_EC_KEY_PAIR_GEN, c.in, 4};
        return c.f->C_GenerateKeyPair(c.s, &m, c.ec_pub_tmpl.data(), c.ec_pub_tmpl.size(), nullptr, 0, &c.h, &c.h2);),
    ROW(C_GenerateKeyPair, "EC without CKA_EC_PARAMS", user_rw, CKR_TEMPLATE_INCOMPLETE,
        return c.f->C_GenerateKeyPair(c.s, &c.ec_gen, nullptr, 0, nullptr, 0, &c.h, &c.h2);),
    ROW(C_GenerateKeyPair, "EC on an unsupported curve", user_rw, CKR_CURVE_NOT_SUPPORTED,
        Template t = Template().bytes(CKA_EC_PARAMS, kSecp256k1Params);
        return c.f->C_GenerateKeyPair(c.s, &c.ec_gen, t.data(), t.size(), nullptr, 0, &c.h, &c.h2);),
    ROW(C_GenerateKeyPair, "RSA without CKA_MODULUS_BITS", user_rw, CKR_TEMPLATE_INCOMPLETE,
        CK_MECHANISM m{CKM_RSA_PKCS_KEY_PAIR_GEN, nullptr, 0};
        return c.f->C_GenerateKeyPair(c.s, &m, nullptr, 0, nullptr, 0, &c.h, &c.h2);),
    ROW(C_GenerateKeyPair, "RSA-512", user_rw, CKR_KEY_SIZE_RANGE, KeyPair k; return generate_rsa(c.s, 512, k);),
    ROW(C_GenerateKeyPair, "private key without login", public_rw, CKR_USER_NOT_LOGGED_IN,
        return c.f->C_GenerateKeyPair(c.s, &c.ec_gen, c.ec_pub_tmpl.data(), c.ec_pub_tmpl.size(), nullptr, 0, &c.h,
                                      &c.h2);),
    ROW(C_GenerateKeyPair, "token keys in an R/O session", user_ro, CKR_SESSION_READ_ONLY,
        Template t = Template().boolean(CKA_TOKEN, true);
        return c.f->C_GenerateKeyPair(c.s, &c.ec_gen, c.ec_pub_tmpl.data(), c.ec_pub_tmpl.size(), t.data(), t.size(),
                                      &c.h, &c.h2);),
    ROW(C_SeedRandom, "not supported", public_rw, CKR_RANDOM_SEED_NOT_SUPPORTED,
        return c.f->C_SeedRandom(c.s, c.in, sizeof c.in);),
    ROW(C_SeedRandom, "NULL seed with a length", public_rw, CKR_ARGUMENTS_BAD,
        return c.f->C_SeedRandom(c.s, nullptr, 8);),
    ROW(C_GenerateKeyPair, "NULL public template with a count", user_rw, CKR_ARGUMENTS_BAD,
        return c.f->C_GenerateKeyPair(c.s, &c.ec_gen, nullptr, 1, nullptr, 0, &c.h, &c.h2);),
    ROW(C_GenerateRandom, "NULL buffer with a length", public_rw, CKR_ARGUMENTS_BAD,
        return c.f->C_GenerateRandom(c.s, nullptr, 16);),
    ROW(C_GenerateRandom, "in a public session", public_ro, CKR_OK, return c.f->C_GenerateRandom(c.s, c.out, 64);),
};

#undef ROW
#undef RSA_ROW
#undef PRE

std::vector<Row> all_rows() {
  std::vector<Row> out;
  for (const auto& table :
       {std::span<const Row>(kUninitialized), std::span<const Row>(kGeneral), std::span<const Row>(kBadSessions),
        std::span<const Row>(kUnsupported), std::span<const Row>(kSessions), std::span<const Row>(kObjects),
        std::span<const Row>(kCrypto)}) {
    out.insert(out.end(), table.begin(), table.end());
  }
  return out;
}

void PrintTo(const Row& r, std::ostream* os) { *os << r.fn << ": " << r.what; }

std::string row_name(const Row& r) {
  std::string out = std::string(r.fn) + "_";
  for (const char* p = r.what; *p != '\0'; ++p) out += std::isalnum(static_cast<unsigned char>(*p)) ? *p : '_';
  return out;
}

class ModuleReturnCodes : public ModuleTest, public ::testing::WithParamInterface<Row> {
 protected:
  // Puts the module in `state`; the handles go to c_.
  void enter(State state, bool rsa) {
    c_.f = p11();
    if (state == State::uninitialized) {
      ASSERT_CKR(CKR_OK, p11()->C_Finalize(nullptr));
      return;
    }
    if (state == State::no_token) return;
    c_.slot = state == State::bare_rw ? init_token() : ready_token();
    if (state == State::token) return;
    const bool rw =
        state == State::public_rw || state == State::user_rw || state == State::so_rw || state == State::bare_rw;
    ASSERT_CKR(CKR_OK,
               p11()->C_OpenSession(c_.slot, CKF_SERIAL_SESSION | (rw ? CKF_RW_SESSION : 0), nullptr, nullptr, &c_.s));
    if (state == State::so_rw) {
      ASSERT_CKR(CKR_OK, login(c_.s, CKU_SO, kSoPin));
      return;
    }
    Template data = Template().cls(CKO_DATA).str(CKA_LABEL, "public data").str(CKA_VALUE, "v");
    ASSERT_CKR(CKR_OK, p11()->C_CreateObject(c_.s, data.data(), data.size(), &c_.data));
    if (state == State::public_rw || state == State::public_ro || state == State::bare_rw) return;
    ASSERT_CKR(CKR_OK, login(c_.s, CKU_USER, kUserPin));
    ASSERT_CKR(CKR_OK, generate_ec(c_.s, kP256Params, c_.ec));
    ASSERT_CKR(CKR_OK, generate_ec(c_.s, kP256Params, c_.ec_nosign, {}, Template().boolean(CKA_SIGN, false)));
    if (rsa) {
      ASSERT_CKR(CKR_OK, generate_rsa(c_.s, 1024, c_.rsa));
    }
  }

  Ctx c_;
};

TEST_P(ModuleReturnCodes, Row) {
  const Row& row = GetParam();
  ASSERT_NO_FATAL_FAILURE(enter(row.state, row.rsa));
  EXPECT_CKR(row.expected, row.call(c_)) << "\n  row: " << row.fn << ": " << row.what;
}

INSTANTIATE_TEST_SUITE_P(Table, ModuleReturnCodes, ::testing::ValuesIn(all_rows()),
                         [](const ::testing::TestParamInfo<Row>& info) { return row_name(info.param); });

// The table itself: every function of the 2.40 list and the 3.0 additions has
// a row before C_Initialize, and no row name is used twice.
TEST(ModuleReturnCodesTable, EveryFunctionHasABeforeInitializeRow) {
  std::vector<std::string> all(std::begin(kFunctions240), std::end(kFunctions240));
  all.insert(all.end(), std::begin(kFunctions30), std::end(kFunctions30));
  ASSERT_EQ(all.size(), 68u + 24u);
  std::set<std::string> covered;
  for (const Row& r : kUninitialized) covered.insert(r.fn);
  for (const std::string& fn : all) EXPECT_EQ(covered.count(fn), 1u) << fn << " has no row before C_Initialize";
  EXPECT_EQ(covered.size(), all.size());

  std::set<std::string> names;
  for (const Row& r : all_rows()) EXPECT_TRUE(names.insert(row_name(r)).second) << "duplicate row " << row_name(r);
}

}  // namespace
}  // namespace ecert::test
