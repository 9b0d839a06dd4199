#include "module_fixture.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace ecert::test {

const Module& module() {
  static Module m = [] {
    Module out;
    // ECERT_TEST_MODULE runs the tests against another build of the module
    // (e.g. the one before a fix, to see a new test fail there).
    const char* path = std::getenv("ECERT_TEST_MODULE");
    out.handle = dlopen(path != nullptr && *path != '\0' ? path : ECERT_MODULE_PATH, RTLD_NOW | RTLD_LOCAL);
    if (out.handle == nullptr) {
      ADD_FAILURE() << "dlopen: " << dlerror();
      std::abort();
    }
    auto get_list = reinterpret_cast<CK_C_GetFunctionList>(dlsym(out.handle, "C_GetFunctionList"));
    auto get_interface = reinterpret_cast<CK_C_GetInterface>(dlsym(out.handle, "C_GetInterface"));
    if (get_list == nullptr || get_interface == nullptr || get_list(&out.v2) != CKR_OK) std::abort();
    CK_VERSION v3 = {3, 0};
    CK_INTERFACE* iface = nullptr;
    if (get_interface(nullptr, &v3, &iface, 0) != CKR_OK) std::abort();
    out.v3 = static_cast<CK_FUNCTION_LIST_3_0*>(iface->pFunctionList);
    return out;
  }();
  return m;
}

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "ecert-test-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) std::abort();
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

CK_ULONG pin_len(const char* pin) { return static_cast<CK_ULONG>(std::strlen(pin)); }

pid_t spawn_this_test(const std::string& filter, const std::map<std::string, std::string>& vars,
                      const std::function<void()>& in_child) {
  char exe[4096];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0) ADD_FAILURE() << "readlink /proc/self/exe";
  exe[n > 0 ? n : 0] = '\0';
  const std::string filter_arg = "--gtest_filter=" + filter;
  pid_t pid = fork();
  if (pid == 0) {
    if (in_child) in_child();
    for (const auto& [k, v] : vars) setenv(k.c_str(), v.c_str(), 1);
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, STDOUT_FILENO);
    const char* argv[] = {exe, filter_arg.c_str(), nullptr};
    execv(exe, const_cast<char* const*>(argv));
    _exit(127);
  }
  return pid;
}

void ModuleTest::SetUp() {
  dir_ = std::make_unique<TempDir>();
  setenv("ECERT_TOKEN_DIR", dir_->path().c_str(), 1);
  setenv("ECERT_TOKEN_KDF", "test", 1);
  ASSERT_EQ(p11()->C_Initialize(nullptr), CKR_OK);
}

void ModuleTest::TearDown() {
  p11()->C_Finalize(nullptr);
  dir_.reset();
  unsetenv("ECERT_TOKEN_SPARE_SLOT");  // a test that asked for spare slots
}

void ModuleTest::restart() {
  ASSERT_EQ(p11()->C_Finalize(nullptr), CKR_OK);
  ASSERT_EQ(p11()->C_Initialize(nullptr), CKR_OK);
}

std::vector<CK_SLOT_ID> ModuleTest::slots() {
  CK_ULONG n = 0;
  EXPECT_EQ(p11()->C_GetSlotList(CK_FALSE, nullptr, &n), CKR_OK);
  std::vector<CK_SLOT_ID> out(n);
  EXPECT_EQ(p11()->C_GetSlotList(CK_FALSE, out.data(), &n), CKR_OK);
  out.resize(n);
  return out;
}

CK_TOKEN_INFO ModuleTest::token_info(CK_SLOT_ID slot) {
  CK_TOKEN_INFO info{};
  EXPECT_EQ(p11()->C_GetTokenInfo(slot, &info), CKR_OK);
  return info;
}

CK_SLOT_ID ModuleTest::init_token(const char* label, const char* so_pin) {
  CK_SLOT_ID spare = slots().back();
  CK_UTF8CHAR field[32];
  std::memset(field, ' ', sizeof field);
  std::memcpy(field, label, std::min<std::size_t>(std::strlen(label), 32));
  EXPECT_EQ(p11()->C_InitToken(spare, pin_ptr(so_pin), pin_len(so_pin), field), CKR_OK);
  return spare;
}

CK_SESSION_HANDLE ModuleTest::open(CK_SLOT_ID slot, bool read_write) {
  CK_SESSION_HANDLE s = CK_INVALID_HANDLE;
  CK_FLAGS flags = CKF_SERIAL_SESSION | (read_write ? CKF_RW_SESSION : 0);
  EXPECT_EQ(p11()->C_OpenSession(slot, flags, nullptr, nullptr, &s), CKR_OK);
  return s;
}

CK_RV ModuleTest::login(CK_SESSION_HANDLE s, CK_USER_TYPE who, const char* pin) {
  return p11()->C_Login(s, who, pin_ptr(pin), pin_len(pin));
}

void ModuleTest::set_envelope_pin(CK_SLOT_ID slot, const char* pin) {
  CK_SESSION_HANDLE s = open(slot);
  ASSERT_EQ(login(s, CKU_SO, kSoPin), CKR_OK);
  ASSERT_EQ(p11()->C_InitPIN(s, pin_ptr(pin), pin_len(pin)), CKR_OK);
  ASSERT_EQ(p11()->C_CloseSession(s), CKR_OK);
}

CK_RV ModuleTest::change_pin(CK_SLOT_ID slot, const char* old_pin, const char* new_pin) {
  CK_SESSION_HANDLE s = open(slot);
  CK_RV rv = p11()->C_SetPIN(s, pin_ptr(old_pin), pin_len(old_pin), pin_ptr(new_pin), pin_len(new_pin));
  p11()->C_CloseSession(s);
  return rv;
}

CK_SLOT_ID ModuleTest::ready_token(const char* label) {
  CK_SLOT_ID slot = init_token(label);
  set_envelope_pin(slot);
  EXPECT_EQ(change_pin(slot, kEnvelopePin, kUserPin), CKR_OK);
  return slot;
}

CK_SESSION_HANDLE ModuleTest::open_user_session(CK_SLOT_ID slot, const char* pin) {
  CK_SESSION_HANDLE s = open(slot);
  CK_RV rv = login(s, CKU_USER, pin);
  EXPECT_TRUE(rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN) << std::hex << rv;
  return s;
}

}  // namespace ecert::test
