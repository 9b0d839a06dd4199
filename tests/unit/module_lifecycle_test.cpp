// The module's life: interfaces and function lists, C_Initialize with and
// without application locking, the slot list, token labels, the profile
// object NSS looks for, fork() and threads.
#include <dirent.h>
#include <dlfcn.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>

#include "module_test_support.h"

namespace ecert::test {
namespace {

using namespace support;

class ModuleLifecycle : public ModuleTest {};

std::string field(const CK_UTF8CHAR* p, std::size_t n) { return std::string(reinterpret_cast<const char*>(p), n); }

std::string padded(std::string text, std::size_t width = 32) {
  text.resize(width, ' ');
  return text;
}

void* symbol(const char* name) { return dlsym(module().handle, name); }

// ---- interfaces and function lists ----

TEST_F(ModuleLifecycle, InterfaceListHasPkcs11ThreeZeroAndTwoFortyWithoutFlags) {
  auto get_list = reinterpret_cast<CK_C_GetInterfaceList>(symbol("C_GetInterfaceList"));
  ASSERT_NE(get_list, nullptr);
  CK_ULONG n = 0;
  ASSERT_CKR(CKR_OK, get_list(nullptr, &n));
  ASSERT_EQ(n, 2u);
  CK_INTERFACE list[2] = {};
  ASSERT_CKR(CKR_OK, get_list(list, &n));
  ASSERT_EQ(n, 2u);
  std::vector<std::pair<int, int>> versions;
  for (const CK_INTERFACE& i : list) {
    ASSERT_NE(i.pInterfaceName, nullptr);
    EXPECT_STREQ(reinterpret_cast<const char*>(i.pInterfaceName), "PKCS 11");
    EXPECT_EQ(i.flags, 0u);
    ASSERT_NE(i.pFunctionList, nullptr);
    const auto* v = static_cast<const CK_VERSION*>(i.pFunctionList);
    versions.emplace_back(v->major, v->minor);
  }
  std::sort(versions.begin(), versions.end());
  EXPECT_EQ(versions, (std::vector<std::pair<int, int>>{{2, 40}, {3, 0}}));
}

TEST_F(ModuleLifecycle, GetInterfaceRefusesForkSafeAndAcceptsNoFlags) {
  auto get = reinterpret_cast<CK_C_GetInterface>(symbol("C_GetInterface"));
  ASSERT_NE(get, nullptr);
  CK_UTF8CHAR name[] = "PKCS 11";
  CK_INTERFACE* sentinel = reinterpret_cast<CK_INTERFACE*>(0x1);
  CK_INTERFACE* iface = sentinel;
  // NSS asks for a fork-safe interface first; the module has none.
  EXPECT_CKR(CKR_ARGUMENTS_BAD, get(name, nullptr, &iface, CKF_INTERFACE_FORK_SAFE));
  EXPECT_EQ(iface, sentinel);
  EXPECT_CKR(CKR_ARGUMENTS_BAD, get(nullptr, nullptr, &iface, CKF_INTERFACE_FORK_SAFE));

  ASSERT_CKR(CKR_OK, get(name, nullptr, &iface, 0));
  ASSERT_NE(iface, nullptr);
  EXPECT_EQ(iface->flags, 0u);
  const auto* v = static_cast<const CK_VERSION*>(iface->pFunctionList);
  EXPECT_EQ(v->major, 3);  // the default interface is the newest
  EXPECT_EQ(v->minor, 0);

  CK_VERSION v240{2, 40};
  ASSERT_CKR(CKR_OK, get(nullptr, &v240, &iface, 0));
  CK_FUNCTION_LIST* list240 = nullptr;
  ASSERT_CKR(CKR_OK, module().v2->C_GetFunctionList(&list240));
  EXPECT_EQ(iface->pFunctionList, list240);

  CK_VERSION v31{3, 1};
  EXPECT_CKR(CKR_ARGUMENTS_BAD, get(nullptr, &v31, &iface, 0));
  CK_UTF8CHAR other[] = "Vendor 11";
  EXPECT_CKR(CKR_ARGUMENTS_BAD, get(other, nullptr, &iface, 0));
}

// Every pointer of both lists is set and is the exported function of its name.
TEST_F(ModuleLifecycle, FunctionListsAreCompleteAndInOrder) {
  auto get_list = reinterpret_cast<CK_C_GetFunctionList>(symbol("C_GetFunctionList"));
  ASSERT_NE(get_list, nullptr);
  CK_FUNCTION_LIST* v2 = nullptr;
  ASSERT_CKR(CKR_OK, get_list(&v2));
  ASSERT_NE(v2, nullptr);
  EXPECT_EQ(v2->version.major, 2);
  EXPECT_EQ(v2->version.minor, 40);
  CK_FUNCTION_LIST_3_0* v3 = module().v3;
  EXPECT_EQ(v3->version.major, 3);
  EXPECT_EQ(v3->version.minor, 0);

  using Fn = void (*)();
  constexpr std::size_t k240 = (sizeof(CK_FUNCTION_LIST) - offsetof(CK_FUNCTION_LIST, C_Initialize)) / sizeof(Fn);
  constexpr std::size_t k30 =
      (sizeof(CK_FUNCTION_LIST_3_0) - offsetof(CK_FUNCTION_LIST_3_0, C_Initialize)) / sizeof(Fn);
  static_assert(k240 == 68 && k30 == 68 + 24);
  const Fn* f2 = reinterpret_cast<const Fn*>(&v2->C_Initialize);
  const Fn* f3 = reinterpret_cast<const Fn*>(&v3->C_Initialize);
  for (std::size_t i = 0; i < k30; ++i) {
    const char* name = i < 68 ? kFunctions240[i] : kFunctions30[i - 68];
    void* exported = symbol(name);
    EXPECT_NE(exported, nullptr) << name << " is not exported";
    EXPECT_NE(f3[i], nullptr) << name << " is NULL in the 3.0 list";
    EXPECT_EQ(reinterpret_cast<void*>(f3[i]), exported) << name << " in the 3.0 list";
    if (i < 68) {
      EXPECT_NE(f2[i], nullptr) << name << " is NULL in the 2.40 list";
      EXPECT_EQ(reinterpret_cast<void*>(f2[i]), exported) << name << " in the 2.40 list";
    }
  }
}

// The lists must hold the module's own functions even when a library loaded
// earlier into the global scope exports the same names. libp11-kit.so.0, which
// every GnuTLS program links, exports C_GetFunctionList (and from 0.25 on
// C_GetInterface/C_GetInterfaceList); a PKCS#11 module loaded RTLD_GLOBAL
// exports all of them. A fresh copy of the module is loaded the way p11-kit
// loads modules (RTLD_LOCAL) after libp11-kit was loaded RTLD_GLOBAL.
TEST_F(ModuleLifecycle, FunctionListsPointIntoTheModuleDespiteSameNamedGlobalSymbols) {
  void* p11kit = dlopen("libp11-kit.so.0", RTLD_NOW | RTLD_GLOBAL);
  ASSERT_NE(p11kit, nullptr) << dlerror();
  ASSERT_NE(dlsym(p11kit, "C_GetFunctionList"), nullptr);
  const std::string copy = dir() + "/libecert-pkcs11-copy.so";
  std::filesystem::copy_file(ECERT_MODULE_PATH, copy);
  void* h = dlopen(copy.c_str(), RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(h, nullptr) << dlerror();
  auto get_list = reinterpret_cast<CK_C_GetFunctionList>(dlsym(h, "C_GetFunctionList"));
  auto get_interface = reinterpret_cast<CK_C_GetInterface>(dlsym(h, "C_GetInterface"));
  ASSERT_NE(get_list, nullptr);
  ASSERT_NE(get_interface, nullptr);
  EXPECT_NE(reinterpret_cast<void*>(get_list), dlsym(p11kit, "C_GetFunctionList"));
  CK_FUNCTION_LIST* v2 = nullptr;
  CK_INTERFACE* iface = nullptr;
  ASSERT_CKR(CKR_OK, get_list(&v2));
  ASSERT_CKR(CKR_OK, get_interface(nullptr, nullptr, &iface, 0));
  using Fn = void (*)();
  const Fn* f2 = reinterpret_cast<const Fn*>(&v2->C_Initialize);
  const Fn* f3 = reinterpret_cast<const Fn*>(&static_cast<CK_FUNCTION_LIST_3_0*>(iface->pFunctionList)->C_Initialize);
  for (std::size_t i = 0; i < 68 + 24; ++i) {
    const char* name = i < 68 ? kFunctions240[i] : kFunctions30[i - 68];
    void* own = dlsym(h, name);
    EXPECT_EQ(reinterpret_cast<void*>(f3[i]), own) << name << " in the 3.0 list is not the module's";
    if (i < 68) {
      EXPECT_EQ(reinterpret_cast<void*>(f2[i]), own) << name << " in the 2.40 list is not the module's";
    }
  }
  dlclose(h);
  dlclose(p11kit);
}

// ---- C_Initialize with application locking ----

struct LockCounts {
  std::atomic<int> create{0}, destroy{0}, lock{0}, unlock{0};
  void reset() { create = destroy = lock = unlock = 0; }
};
LockCounts g_locks;

CK_RV app_create(CK_VOID_PTR_PTR out) {
  if (out == nullptr) return CKR_ARGUMENTS_BAD;
  *out = new std::mutex;
  ++g_locks.create;
  return CKR_OK;
}
CK_RV app_destroy(CK_VOID_PTR m) {
  delete static_cast<std::mutex*>(m);
  ++g_locks.destroy;
  return CKR_OK;
}
CK_RV app_lock(CK_VOID_PTR m) {
  static_cast<std::mutex*>(m)->lock();
  ++g_locks.lock;
  return CKR_OK;
}
CK_RV app_unlock(CK_VOID_PTR m) {
  static_cast<std::mutex*>(m)->unlock();
  ++g_locks.unlock;
  return CKR_OK;
}

CK_C_INITIALIZE_ARGS app_locking(CK_FLAGS flags) {
  CK_C_INITIALIZE_ARGS a{};
  a.CreateMutex = app_create;
  a.DestroyMutex = app_destroy;
  a.LockMutex = app_lock;
  a.UnlockMutex = app_unlock;
  a.flags = flags;
  return a;
}

// A token, a login and an ECDSA signature: the module's usual work.
void exercise(CK_SESSION_HANDLE s) {
  KeyPair k;
  ASSERT_CKR(CKR_OK, generate_ec(s, kP256Params, k));
  CK_MECHANISM m{CKM_ECDSA_SHA256, nullptr, 0};
  Bytes data = bytes_of("locked");
  Bytes sig = sign(s, m, k.priv, data);
  ASSERT_EQ(sig.size(), 64u);
  EXPECT_CKR(CKR_OK, verify(s, m, k.pub, data, sig));
}

// Without CKF_OS_LOCKING_OK the specification requires the application's
// callbacks: they are called, balanced, and every mutex made is destroyed.
TEST_F(ModuleLifecycle, ApplicationMutexCallbacksAreUsedWithoutOsLockingOk) {
  ASSERT_CKR(CKR_OK, p11()->C_Finalize(nullptr));
  g_locks.reset();
  CK_C_INITIALIZE_ARGS args = app_locking(0);
  ASSERT_CKR(CKR_OK, p11()->C_Initialize(&args));
  EXPECT_GT(g_locks.create.load(), 0) << "C_Initialize made no mutex with CreateMutex";

  CK_SLOT_ID slot = ready_token();
  CK_SESSION_HANDLE s = open_user_session(slot);
  int locks_before = g_locks.lock.load();
  CK_SESSION_INFO info;
  ASSERT_CKR(CKR_OK, p11()->C_GetSessionInfo(s, &info));
  EXPECT_GT(g_locks.lock.load(), locks_before) << "C_GetSessionInfo took no application lock";
  exercise(s);
  EXPECT_GT(g_locks.lock.load(), 10);
  EXPECT_EQ(g_locks.lock.load(), g_locks.unlock.load());

  ASSERT_CKR(CKR_OK, p11()->C_Finalize(nullptr));
  EXPECT_EQ(g_locks.lock.load(), g_locks.unlock.load());
  EXPECT_EQ(g_locks.destroy.load(), g_locks.create.load()) << "mutexes leaked or destroyed twice";

  // The callbacks are forgotten at C_Finalize: a plain C_Initialize uses none.
  g_locks.reset();
  ASSERT_CKR(CKR_OK, p11()->C_Initialize(nullptr));
  EXPECT_EQ(slots().size(), 1u);  // the token; no spare slot beside it
  EXPECT_EQ(g_locks.create.load() + g_locks.lock.load(), 0);
}

// NSS passes its callbacks together with CKF_OS_LOCKING_OK and
// CKF_LIBRARY_CANT_CREATE_OS_THREADS: accepted, and everything works.
TEST_F(ModuleLifecycle, NssStyleInitializeArgumentsWork) {
  ASSERT_CKR(CKR_OK, p11()->C_Finalize(nullptr));
  g_locks.reset();
  CK_C_INITIALIZE_ARGS args = app_locking(CKF_OS_LOCKING_OK | CKF_LIBRARY_CANT_CREATE_OS_THREADS);
  ASSERT_CKR(CKR_OK, p11()->C_Initialize(&args));
  CK_SLOT_ID slot = ready_token();
  exercise(open_user_session(slot));
  ASSERT_CKR(CKR_OK, p11()->C_Finalize(nullptr));
  EXPECT_EQ(g_locks.lock.load(), g_locks.unlock.load());
  EXPECT_EQ(g_locks.destroy.load(), g_locks.create.load());

  // OS locking without callbacks, and "no threads" alone (libp11, OpenSSH).
  CK_C_INITIALIZE_ARGS os{};
  os.flags = CKF_OS_LOCKING_OK;
  ASSERT_CKR(CKR_OK, p11()->C_Initialize(&os));
  ASSERT_CKR(CKR_OK, p11()->C_Finalize(nullptr));
  CK_C_INITIALIZE_ARGS no_threads{};
  no_threads.flags = CKF_LIBRARY_CANT_CREATE_OS_THREADS;
  ASSERT_CKR(CKR_OK, p11()->C_Initialize(&no_threads));
  EXPECT_EQ(token_info(slot).flags & CKF_TOKEN_INITIALIZED, CKF_TOKEN_INITIALIZED);
}

// ---- slots and tokens ----

TEST_F(ModuleLifecycle, FreshDirectoryHasOneUninitialisedSlotZero) {
  EXPECT_EQ(slots(), std::vector<CK_SLOT_ID>{0});
  CK_ULONG n = 8;
  CK_SLOT_ID present[8];
  ASSERT_CKR(CKR_OK, p11()->C_GetSlotList(CK_TRUE, present, &n));
  EXPECT_EQ(std::vector<CK_SLOT_ID>(present, present + n), std::vector<CK_SLOT_ID>{0});
  CK_SLOT_INFO si;
  ASSERT_CKR(CKR_OK, p11()->C_GetSlotInfo(0, &si));
  EXPECT_EQ(si.flags & (CKF_TOKEN_PRESENT | CKF_REMOVABLE_DEVICE), CKF_TOKEN_PRESENT);
  CK_TOKEN_INFO ti = token_info(0);
  EXPECT_EQ(ti.flags & CKF_TOKEN_INITIALIZED, 0u);
  EXPECT_EQ(ti.flags & CKF_USER_PIN_INITIALIZED, 0u);
  EXPECT_EQ(field(ti.label, 32), padded(""));
}

// A spare slot (an uninitialised token for C_InitToken) only while there is
// no token, or when the issuer asks with ECERT_TOKEN_SPARE_SLOT=1: Firefox
// showed every owner the always-present spare as an empty security device.
TEST_F(ModuleLifecycle, NoSpareSlotBesideATokenUnlessAskedAndIdsAndSerialSurviveRestart) {
  EXPECT_EQ(slots(), (std::vector<CK_SLOT_ID>{0}));
  EXPECT_EQ(token_info(0).flags & CKF_TOKEN_INITIALIZED, 0u);
  CK_SLOT_ID first = init_token("First");
  EXPECT_EQ(first, 0u);
  EXPECT_EQ(slots(), (std::vector<CK_SLOT_ID>{0}));
  CK_TOKEN_INFO t0 = token_info(0);
  EXPECT_EQ(t0.flags & CKF_TOKEN_INITIALIZED, CKF_TOKEN_INITIALIZED);
  const std::string serial0 = field(t0.serialNumber, 16);
  EXPECT_NE(serial0, padded("", 16)) << "no serial number";
  EXPECT_CKR(CKR_SLOT_ID_INVALID, p11()->C_GetTokenInfo(1, &t0));

  setenv("ECERT_TOKEN_SPARE_SLOT", "1", 1);
  EXPECT_EQ(slots(), (std::vector<CK_SLOT_ID>{0, 1}));
  EXPECT_EQ(token_info(1).flags & CKF_TOKEN_INITIALIZED, 0u);
  CK_SLOT_ID second = init_token("Second");
  EXPECT_EQ(second, 1u);
  EXPECT_EQ(slots(), (std::vector<CK_SLOT_ID>{0, 1, 2}));
  const std::string serial1 = field(token_info(1).serialNumber, 16);
  EXPECT_NE(serial0, serial1);

  unsetenv("ECERT_TOKEN_SPARE_SLOT");
  restart();
  EXPECT_EQ(slots(), (std::vector<CK_SLOT_ID>{0, 1}));
  EXPECT_EQ(field(token_info(0).serialNumber, 16), serial0);
  EXPECT_EQ(field(token_info(1).serialNumber, 16), serial1);
  EXPECT_EQ(field(token_info(0).label, 32), padded("First"));
  EXPECT_EQ(field(token_info(1).label, 32), padded("Second"));
  setenv("ECERT_TOKEN_SPARE_SLOT", "1", 1);
  EXPECT_EQ(slots(), (std::vector<CK_SLOT_ID>{0, 1, 2}));
  EXPECT_EQ(token_info(2).flags & CKF_TOKEN_INITIALIZED, 0u);
}

TEST_F(ModuleLifecycle, MissingTokenDirectoryIsNotAnError) {
  ASSERT_CKR(CKR_OK, p11()->C_Finalize(nullptr));
  const std::string missing = dir() + "/not/yet";
  setenv("ECERT_TOKEN_DIR", missing.c_str(), 1);
  ASSERT_CKR(CKR_OK, p11()->C_Initialize(nullptr));
  EXPECT_EQ(slots(), std::vector<CK_SLOT_ID>{0});
  EXPECT_EQ(init_token("Made"), 0u);
  EXPECT_EQ(access((missing + "/token-0.sqlite").c_str(), F_OK), 0);
}

// Text fields are padded with spaces, never NULs (p11-kit URI matching).
TEST_F(ModuleLifecycle, TextFieldsArePaddedWithSpaces) {
  CK_SLOT_ID slot = init_token("e-Cert");
  CK_TOKEN_INFO ti = token_info(slot);
  EXPECT_EQ(field(ti.label, 32), padded("e-Cert"));
  EXPECT_EQ(field(ti.manufacturerID, 32), padded("ecert-token project"));
  EXPECT_EQ(field(ti.model, 16), padded("e-Cert test KDF", 16));
  for (char ch : field(ti.serialNumber, 16)) EXPECT_NE(ch, '\0');
  CK_SLOT_INFO si;
  ASSERT_CKR(CKR_OK, p11()->C_GetSlotInfo(slot, &si));
  for (char ch : field(si.slotDescription, 64) + field(si.manufacturerID, 32)) EXPECT_NE(ch, '\0');
  CK_INFO info;
  ASSERT_CKR(CKR_OK, p11()->C_GetInfo(&info));
  EXPECT_EQ(info.cryptokiVersion.major, 3);
  EXPECT_EQ(info.cryptokiVersion.minor, 0);
  for (char ch : field(info.manufacturerID, 32) + field(info.libraryDescription, 32)) EXPECT_NE(ch, '\0');
}

// 10 Chinese characters (30 bytes) and two spaces round-trip exactly, also
// after a restart.
TEST_F(ModuleLifecycle, ChineseLabelRoundTrips) {
  const std::string chinese = "电子证书令牌测试标签";
  ASSERT_EQ(chinese.size(), 30u);
  CK_UTF8CHAR label[32];
  std::memcpy(label, padded(chinese).data(), 32);
  CK_SLOT_ID slot = slots().back();
  ASSERT_CKR(CKR_OK, p11()->C_InitToken(slot, pin_ptr(kSoPin), pin_len(kSoPin), label));
  EXPECT_EQ(field(token_info(slot).label, 32), padded(chinese));
  restart();
  EXPECT_EQ(field(token_info(slot).label, 32), padded(chinese));
}

// A 32-byte field that ends inside a character is not UTF-8: the module's
// documented choice is to refuse it (CKR_ARGUMENTS_BAD), leaving the slot as
// it was, rather than store a broken label.
TEST_F(ModuleLifecycle, LabelCutInsideACharacterIsRefused) {
  const std::string eleven = "电子证书令牌测试标签长";  // 33 bytes
  CK_UTF8CHAR label[32];
  std::memcpy(label, eleven.data(), 32);
  CK_SLOT_ID slot = slots().back();
  EXPECT_CKR(CKR_ARGUMENTS_BAD, p11()->C_InitToken(slot, pin_ptr(kSoPin), pin_len(kSoPin), label));
  EXPECT_EQ(token_info(slot).flags & CKF_TOKEN_INITIALIZED, 0u);
}

// NSS treats a token as "friendly" (no PIN prompt before looking for
// certificates) when this profile object can be found without login.
TEST_F(ModuleLifecycle, PublicCertificatesProfileIsFoundWithoutLogin) {
  CK_SLOT_ID slot = ready_token();
  restart();
  CK_SESSION_HANDLE s = open(slot, false);
  CK_SESSION_INFO info;
  ASSERT_CKR(CKR_OK, p11()->C_GetSessionInfo(s, &info));
  EXPECT_EQ(info.state, static_cast<CK_STATE>(CKS_RO_PUBLIC_SESSION));
  auto found = find(s, Template().cls(CKO_PROFILE).ulong(CKA_PROFILE_ID, CKP_PUBLIC_CERTIFICATES_TOKEN));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(attr_ulong(s, found[0], CKA_PROFILE_ID), CKP_PUBLIC_CERTIFICATES_TOKEN);
  EXPECT_FALSE(attr_bool(s, found[0], CKA_PRIVATE));
  EXPECT_TRUE(attr_bool(s, found[0], CKA_TOKEN));
  EXPECT_EQ(find(s, Template().cls(CKO_PROFILE)).size(), 1u);
}

// NSS reads the login state only from C_GetSessionInfo: every session of the
// token reports it, and closing the last session ends it.
TEST_F(ModuleLifecycle, LoginStateIsSharedByAllSessions) {
  CK_SLOT_ID slot = ready_token();
  CK_SESSION_HANDLE ro = open(slot, false), rw = open(slot);
  auto state = [](CK_SESSION_HANDLE h) {
    CK_SESSION_INFO info{};
    EXPECT_CKR(CKR_OK, p11()->C_GetSessionInfo(h, &info));
    return info.state;
  };
  EXPECT_EQ(state(ro), static_cast<CK_STATE>(CKS_RO_PUBLIC_SESSION));
  EXPECT_EQ(state(rw), static_cast<CK_STATE>(CKS_RW_PUBLIC_SESSION));
  ASSERT_CKR(CKR_OK, login(ro, CKU_USER, kUserPin));
  EXPECT_EQ(state(ro), static_cast<CK_STATE>(CKS_RO_USER_FUNCTIONS));
  EXPECT_EQ(state(rw), static_cast<CK_STATE>(CKS_RW_USER_FUNCTIONS));
  CK_SESSION_HANDLE later = open(slot);
  EXPECT_EQ(state(later), static_cast<CK_STATE>(CKS_RW_USER_FUNCTIONS));
  ASSERT_CKR(CKR_OK, p11()->C_Logout(rw));
  EXPECT_EQ(state(ro), static_cast<CK_STATE>(CKS_RO_PUBLIC_SESSION));
  ASSERT_CKR(CKR_OK, login(rw, CKU_USER, kUserPin));
  ASSERT_CKR(CKR_OK, p11()->C_CloseAllSessions(slot));
  CK_SESSION_HANDLE fresh = open(slot);
  EXPECT_EQ(state(fresh), static_cast<CK_STATE>(CKS_RW_PUBLIC_SESSION)) << "login survived its last session";
  ASSERT_CKR(CKR_OK, login(fresh, CKU_SO, kSoPin));
  EXPECT_EQ(state(fresh), static_cast<CK_STATE>(CKS_RW_SO_FUNCTIONS));
  CK_SESSION_INFO info{};
  ASSERT_CKR(CKR_OK, p11()->C_GetSessionInfo(fresh, &info));
  EXPECT_EQ(info.slotID, slot);
  EXPECT_EQ(info.flags, static_cast<CK_FLAGS>(CKF_SERIAL_SESSION | CKF_RW_SESSION));
}

// ---- fork() ----

// Runs in the child; returns 0 or the number of the step that failed, and
// writes what went wrong to `report`.
int child_after_fork(int report, CK_SLOT_ID slot, CK_SESSION_HANDLE parent_session, const Bytes& id) {
  auto fail = [&](int step, const char* what, CK_RV rv) {
    std::string msg = std::string(what) + " returned " + rv_text(rv);
    ssize_t ignored = write(report, msg.data(), msg.size());
    (void)ignored;
    return step;
  };
  CK_FUNCTION_LIST_3_0* f = p11();
  CK_SESSION_INFO info;
  CK_RV rv = f->C_GetSessionInfo(parent_session, &info);
  if (rv != CKR_CRYPTOKI_NOT_INITIALIZED) return fail(1, "C_GetSessionInfo(parent's session) before C_Initialize", rv);
  // p11-kit and GnuTLS re-initialise without C_Finalize, with NULL arguments.
  if ((rv = f->C_Initialize(nullptr)) != CKR_OK) return fail(2, "C_Initialize in the child", rv);
  rv = f->C_GetSessionInfo(parent_session, &info);
  if (rv != CKR_SESSION_HANDLE_INVALID) return fail(10, "C_GetSessionInfo(parent's session) after C_Initialize", rv);
  CK_SESSION_HANDLE s;
  if ((rv = f->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr, &s)) != CKR_OK)
    return fail(3, "C_OpenSession", rv);
  if ((rv = f->C_Login(s, CKU_USER, pin_ptr(kUserPin), pin_len(kUserPin))) != CKR_OK) return fail(4, "C_Login", rv);
  CK_OBJECT_CLASS priv_class = CKO_PRIVATE_KEY, pub_class = CKO_PUBLIC_KEY;
  CK_ATTRIBUTE by_id[] = {{CKA_CLASS, &priv_class, sizeof priv_class},
                          {CKA_ID, const_cast<unsigned char*>(id.data()), id.size()}};
  CK_OBJECT_HANDLE priv = 0, pub = 0;
  CK_ULONG n = 0;
  if ((rv = f->C_FindObjectsInit(s, by_id, 2)) != CKR_OK || (rv = f->C_FindObjects(s, &priv, 1, &n)) != CKR_OK ||
      (rv = f->C_FindObjectsFinal(s)) != CKR_OK || n != 1)
    return fail(5, "finding the private key", rv);
  by_id[0].pValue = &pub_class;
  if ((rv = f->C_FindObjectsInit(s, by_id, 2)) != CKR_OK || (rv = f->C_FindObjects(s, &pub, 1, &n)) != CKR_OK ||
      (rv = f->C_FindObjectsFinal(s)) != CKR_OK || n != 1)
    return fail(6, "finding the public key", rv);
  CK_MECHANISM m{CKM_ECDSA_SHA256, nullptr, 0};
  CK_BYTE data[] = "signed in the child";
  CK_BYTE sig[64];
  CK_ULONG len = sizeof sig;
  if ((rv = f->C_SignInit(s, &m, priv)) != CKR_OK || (rv = f->C_Sign(s, data, sizeof data, sig, &len)) != CKR_OK)
    return fail(7, "signing", rv);
  if ((rv = f->C_VerifyInit(s, &m, pub)) != CKR_OK || (rv = f->C_Verify(s, data, sizeof data, sig, len)) != CKR_OK)
    return fail(8, "verifying", rv);
  if ((rv = f->C_Finalize(nullptr)) != CKR_OK) return fail(9, "C_Finalize", rv);
  return 0;
}

TEST_F(ModuleLifecycle, ForkedChildReinitialisesAndParentKeepsWorking) {
  CK_SLOT_ID slot = ready_token();
  CK_SESSION_HANDLE s = open_user_session(slot);
  const Bytes id = bytes_of("fork-key");
  KeyPair k;
  Template common = Template().boolean(CKA_TOKEN, true).bytes(CKA_ID, id);
  ASSERT_CKR(CKR_OK, generate_ec(s, kP256Params, k, common, common));
  CK_MECHANISM m{CKM_ECDSA_SHA256, nullptr, 0};
  ASSERT_EQ(sign(s, m, k.priv, bytes_of("before")).size(), 64u);

  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  fflush(nullptr);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(fds[0]);
    _exit(child_after_fork(fds[1], slot, s, id));
  }
  close(fds[1]);
  int status = 0;
  pid_t waited = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while ((waited = waitpid(pid, &status, WNOHANG)) == 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  if (waited == 0) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    FAIL() << "the child did not finish within 30 s (deadlock after fork?)";
  }
  char msg[512] = {};
  ssize_t got = read(fds[0], msg, sizeof msg - 1);
  close(fds[0]);
  std::string report = got > 0 ? std::string(msg, static_cast<std::size_t>(got)) : "";
  ASSERT_EQ(waited, pid);
  if (WIFSIGNALED(status)) FAIL() << "child killed by signal " << WTERMSIG(status);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "child failed at step " << WEXITSTATUS(status) << ": " << report;

  // The parent's session, login and operations are untouched.
  CK_SESSION_INFO info;
  ASSERT_CKR(CKR_OK, p11()->C_GetSessionInfo(s, &info));
  EXPECT_EQ(info.state, static_cast<CK_STATE>(CKS_RW_USER_FUNCTIONS));
  Bytes data = bytes_of("after the child");
  Bytes sig = sign(s, m, k.priv, data);
  Pkey pub = openssl_public_key(s, k.pub);
  EXPECT_TRUE(openssl_verify(pub.get(), Check{.hash = EVP_sha256()}, data, sig));
  EXPECT_EQ(find(s, Template().bytes(CKA_ID, id)).size(), 2u);
}

// ---- threads ----

std::size_t thread_count() {
  std::size_t n = 0;
  DIR* d = opendir("/proc/self/task");
  if (d == nullptr) return 0;
  while (struct dirent* e = readdir(d)) n += e->d_name[0] != '.';
  closedir(d);
  return n;
}

TEST_F(ModuleLifecycle, ModuleCreatesNoThreads) {
  ASSERT_CKR(CKR_OK, p11()->C_Finalize(nullptr));
  const std::size_t before = thread_count();
  ASSERT_GT(before, 0u);
  CK_C_INITIALIZE_ARGS nss = app_locking(CKF_OS_LOCKING_OK | CKF_LIBRARY_CANT_CREATE_OS_THREADS);
  ASSERT_CKR(CKR_OK, p11()->C_Initialize(&nss));
  EXPECT_EQ(thread_count(), before) << "C_Initialize started a thread";
  CK_SLOT_ID slot = ready_token();
  CK_SESSION_HANDLE s = open_user_session(slot);
  EXPECT_EQ(thread_count(), before) << "login started a thread";
  exercise(s);
  EXPECT_EQ(thread_count(), before) << "signing started a thread";
  KeyPair rsa;
  ASSERT_CKR(CKR_OK, generate_rsa(s, 1024, rsa));
  EXPECT_EQ(thread_count(), before) << "RSA key generation started a thread";
}

}  // namespace
}  // namespace ecert::test
