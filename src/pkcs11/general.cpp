// General-purpose functions and the module's function lists and interfaces:
// C_Initialize (which opens the call trace when ECERT_TOKEN_TRACE asks for
// one), C_Finalize (which closes it), C_GetInfo, C_GetFunctionList,
// C_GetInterfaceList, C_GetInterface.

#include <cstddef>
#include <cstring>

#include "common/padded_text.h"
#include "pkcs11/call.h"

// ECERT_VERSION_MAJOR/MINOR come from the project version (src/pkcs11/CMakeLists.txt).

namespace {

// The function lists and interfaces are constant-initialised read-only data
// (no constructors or destructors run at load, exit or dlclose); the pointers
// handed out are non-const only because the PKCS#11 types say so.

// The 2.40 functions in the order of CK_FUNCTION_LIST (and of the first part
// of CK_FUNCTION_LIST_3_0).
#define ECERT_P11_2_40_NAMES(X)                                                                                        \
  X(C_Initialize)                                                                                                      \
  X(C_Finalize) X(C_GetInfo) X(C_GetFunctionList) X(C_GetSlotList) X(C_GetSlotInfo) X(C_GetTokenInfo)                  \
      X(C_GetMechanismList) X(C_GetMechanismInfo) X(C_InitToken) X(C_InitPIN) X(C_SetPIN) X(C_OpenSession)             \
          X(C_CloseSession) X(C_CloseAllSessions) X(C_GetSessionInfo) X(C_GetOperationState) X(C_SetOperationState)    \
              X(C_Login) X(C_Logout) X(C_CreateObject) X(C_CopyObject) X(C_DestroyObject) X(C_GetObjectSize)           \
                  X(C_GetAttributeValue) X(C_SetAttributeValue) X(C_FindObjectsInit) X(C_FindObjects)                  \
                      X(C_FindObjectsFinal) X(C_EncryptInit) X(C_Encrypt) X(C_EncryptUpdate) X(C_EncryptFinal)         \
                          X(C_DecryptInit) X(C_Decrypt) X(C_DecryptUpdate) X(C_DecryptFinal) X(C_DigestInit)           \
                              X(C_Digest) X(C_DigestUpdate) X(C_DigestKey) X(C_DigestFinal) X(C_SignInit) X(C_Sign)    \
                                  X(C_SignUpdate) X(C_SignFinal) X(C_SignRecoverInit) X(C_SignRecover) X(C_VerifyInit) \
                                      X(C_Verify) X(C_VerifyUpdate) X(C_VerifyFinal) X(C_VerifyRecoverInit)            \
                                          X(C_VerifyRecover) X(C_DigestEncryptUpdate) X(C_DecryptDigestUpdate)         \
                                              X(C_SignEncryptUpdate) X(C_DecryptVerifyUpdate) X(C_GenerateKey)         \
                                                  X(C_GenerateKeyPair) X(C_WrapKey) X(C_UnwrapKey) X(C_DeriveKey)      \
                                                      X(C_SeedRandom) X(C_GenerateRandom) X(C_GetFunctionStatus)       \
                                                          X(C_CancelFunction) X(C_WaitForSlotEvent)

// Designated initialisers: the compiler rejects a name that is not a member or
// is out of the members' order, so the lists cannot silently shift.
#define ECERT_INIT_MEMBER(name) .name = name,
#define ECERT_INIT_MEMBER_3_0(name, args) .name = name,

constexpr CK_FUNCTION_LIST kFunctions240 = {.version = {2, 40}, ECERT_P11_2_40_NAMES(ECERT_INIT_MEMBER)};

constexpr CK_FUNCTION_LIST_3_0 kFunctions300 = {
    .version = {3, 0}, ECERT_P11_2_40_NAMES(ECERT_INIT_MEMBER) ECERT_P11_3_0_FUNCTIONS(ECERT_INIT_MEMBER_3_0)};

#undef ECERT_INIT_MEMBER
#undef ECERT_INIT_MEMBER_3_0
#undef ECERT_P11_2_40_NAMES

// Both lists start the same way, so a 3.0 list is usable as a 2.40 one.
static_assert(offsetof(CK_FUNCTION_LIST_3_0, C_WaitForSlotEvent) == offsetof(CK_FUNCTION_LIST, C_WaitForSlotEvent));
static_assert(sizeof(CK_FUNCTION_LIST_3_0) == sizeof(CK_FUNCTION_LIST) + 24 * sizeof(void (*)()));

constexpr CK_CHAR kInterfaceName[] = "PKCS 11";

// The interfaces, default first. CKF_INTERFACE_FORK_SAFE is not claimed: a
// child after fork() must call C_Initialize again. Writable (constant-
// initialised, trivially destructible): some callers write into the
// CK_INTERFACE they get back (OpenSC's pkcs11-spy 0.23 does), which must not
// fault on read-only memory.
constinit CK_INTERFACE kInterfaces[] = {
    {const_cast<CK_CHAR*>(kInterfaceName), const_cast<CK_FUNCTION_LIST_3_0*>(&kFunctions300), 0},
    {const_cast<CK_CHAR*>(kInterfaceName), const_cast<CK_FUNCTION_LIST*>(&kFunctions240), 0},
};
constexpr CK_ULONG kInterfaceCount = sizeof(kInterfaces) / sizeof(kInterfaces[0]);

const CK_VERSION& interface_version(const CK_INTERFACE& interface) {
  // Both list types begin with their CK_VERSION.
  return *static_cast<const CK_VERSION*>(interface.pFunctionList);
}

bool is_our_interface_name(const CK_UTF8CHAR* name) {
  // Compares at most the length of our name plus its terminator, so a longer
  // or unterminated caller string is never read past the first difference.
  return std::strncmp(reinterpret_cast<const char*>(name), reinterpret_cast<const char*>(kInterfaceName),
                      sizeof(kInterfaceName)) == 0;
}

}  // namespace

using namespace ecert::pkcs11;

// The trace is opened first, so that it shows this call; a C_Initialize that
// fails closes the trace it opened (one already open stays).
ECERT_EXPORT CK_RV C_Initialize(CK_VOID_PTR pInitArgs) {
  const bool opened = trace::open_from_environment();
  const trace::Call traced(__func__, trace::InitArgs{pInitArgs});
  const CK_RV rv = guarded(traced, [&] { return ecert::token::Library::initialize(pInitArgs); });
  if (opened && rv != CKR_OK) trace::close();
  return rv;
}

ECERT_EXPORT CK_RV C_Finalize(CK_VOID_PTR pReserved) {
  const CK_RV rv = guarded(trace::Call(__func__), [&] { return ecert::token::Library::finalize(pReserved); });
  if (rv == CKR_OK) trace::close();
  return rv;
}

ECERT_EXPORT CK_RV C_GetInfo(CK_INFO_PTR pInfo) {
  return call(trace::Call(__func__, trace::Info{pInfo}), [&] {
    require_arg(pInfo != nullptr);
    *pInfo = CK_INFO{};
    pInfo->cryptokiVersion = {3, 0};
    ecert::write_padded(pInfo->manufacturerID, sizeof(pInfo->manufacturerID), "ecert-token project");
    pInfo->flags = 0;
    ecert::write_padded(pInfo->libraryDescription, sizeof(pInfo->libraryDescription), "e-Cert Token PKCS#11 module");
    pInfo->libraryVersion = {ECERT_VERSION_MAJOR, ECERT_VERSION_MINOR};
  });
}

ECERT_EXPORT CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR ppFunctionList) {
  return guarded(trace::Call(__func__), [&] {
    if (ppFunctionList == nullptr) return CKR_ARGUMENTS_BAD;
    *ppFunctionList = const_cast<CK_FUNCTION_LIST_PTR>(&kFunctions240);
    return CKR_OK;
  });
}

ECERT_EXPORT CK_RV C_GetInterfaceList(CK_INTERFACE_PTR pInterfacesList, CK_ULONG_PTR pulCount) {
  return guarded(trace::Call(__func__, trace::InterfaceList{pInterfacesList, pulCount}), [&] {
    if (pulCount == nullptr) return CKR_ARGUMENTS_BAD;
    if (pInterfacesList == nullptr) {
      *pulCount = kInterfaceCount;
      return CKR_OK;
    }
    if (*pulCount < kInterfaceCount) {
      *pulCount = kInterfaceCount;
      return CKR_BUFFER_TOO_SMALL;
    }
    for (CK_ULONG i = 0; i < kInterfaceCount; ++i) pInterfacesList[i] = kInterfaces[i];
    *pulCount = kInterfaceCount;
    return CKR_OK;
  });
}

// The first interface (default first) whose name is pInterfaceName (NULL: any),
// whose version is *pVersion (NULL: any) and whose flags include all of
// `flags`. None: CKR_ARGUMENTS_BAD (NSS first asks with
// CKF_INTERFACE_FORK_SAFE, gets this, and asks again with 0).
ECERT_EXPORT CK_RV C_GetInterface(CK_UTF8CHAR_PTR pInterfaceName, CK_VERSION_PTR pVersion,
                                  CK_INTERFACE_PTR_PTR ppInterface, CK_FLAGS flags) {
  return guarded(trace::Call(__func__, trace::Version{pVersion}, trace::Flags{"flags", flags}), [&] {
    if (ppInterface == nullptr) return CKR_ARGUMENTS_BAD;
    if (pInterfaceName != nullptr && !is_our_interface_name(pInterfaceName)) return CKR_ARGUMENTS_BAD;
    for (const CK_INTERFACE& interface : kInterfaces) {
      const CK_VERSION& version = interface_version(interface);
      if (pVersion != nullptr && (pVersion->major != version.major || pVersion->minor != version.minor)) continue;
      if ((interface.flags & flags) != flags) continue;
      *ppInterface = const_cast<CK_INTERFACE_PTR>(&interface);
      return CKR_OK;
    }
    return CKR_ARGUMENTS_BAD;
  });
}
