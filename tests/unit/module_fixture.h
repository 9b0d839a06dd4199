// Test support: the real module, loaded with dlopen() exactly as applications
// load it, on a fresh token directory per test. Tokens made here use the cheap
// test Argon2 cost (ECERT_TOKEN_KDF=test) unless a test asks otherwise.
#pragma once

#include <gtest/gtest.h>

#include <sys/types.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "ecert/pkcs11.h"

namespace ecert::test {

// The module's function lists (loaded once per process).
struct Module {
  void* handle = nullptr;
  CK_FUNCTION_LIST* v2 = nullptr;
  CK_FUNCTION_LIST_3_0* v3 = nullptr;
};
const Module& module();
// Shorthand for the 3.0 list: p11()->C_Login(...).
inline CK_FUNCTION_LIST_3_0* p11() { return module().v3; }

// Runs this test binary again in a child process (fork + exec) with only the
// tests matching `filter`, the extra environment `vars` and stdout on
// /dev/null; `in_child` runs in the child before exec (to close the other
// end of a pipe). Descriptors without close-on-exec stay open in the child.
// Returns the child's pid. The multi-process tests' helpers run this way.
pid_t spawn_this_test(const std::string& filter, const std::map<std::string, std::string>& vars,
                      const std::function<void()>& in_child = {});

// A temporary directory removed (with its files) when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline constexpr const char* kSoPin = "So-Pin#2026";
inline constexpr const char* kEnvelopePin = "12345678";
inline constexpr const char* kUserPin = "User-Pin#2026";

// Pointer/length of a string for PIN arguments.
inline CK_UTF8CHAR_PTR pin_ptr(const char* pin) { return reinterpret_cast<CK_UTF8CHAR_PTR>(const_cast<char*>(pin)); }
CK_ULONG pin_len(const char* pin);

// A fixture with an initialised module on an empty token directory.
class ModuleTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // C_InitToken on the spare slot; returns the slot ID.
  CK_SLOT_ID init_token(const char* label = "e-Cert", const char* so_pin = kSoPin);
  // SO logs in, sets the envelope PIN, logs out.
  void set_envelope_pin(CK_SLOT_ID slot, const char* pin = kEnvelopePin);
  // C_SetPIN in an R/W public session.
  CK_RV change_pin(CK_SLOT_ID slot, const char* old_pin, const char* new_pin);
  // A token ready for the user: initialised, envelope PIN changed to kUserPin.
  CK_SLOT_ID ready_token(const char* label = "e-Cert");
  CK_SESSION_HANDLE open(CK_SLOT_ID slot, bool read_write = true);
  CK_SESSION_HANDLE open_user_session(CK_SLOT_ID slot, const char* pin = kUserPin);
  CK_RV login(CK_SESSION_HANDLE s, CK_USER_TYPE who, const char* pin);
  CK_TOKEN_INFO token_info(CK_SLOT_ID slot);
  std::vector<CK_SLOT_ID> slots();
  // Restarts the module (C_Finalize + C_Initialize) on the same directory.
  void restart();

  std::string dir() const { return dir_->path(); }

 private:
  std::unique_ptr<TempDir> dir_;
};

}  // namespace ecert::test
