// Loading a PKCS#11 module with dlopen() and owning its lifetime, plus an
// RAII session so that no error path can leak a session on the token.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "p11.h"
#include "status.h"

struct SlotDescription {
  CK_SLOT_ID id = 0;
  bool token_present = false;
  bool token_initialized = false;
  std::string token_label;
};

class Module {
 public:
  // dlopen()s the library, fetches its function list and initialises it
  // with CKF_OS_LOCKING_OK, since the benchmark calls it from several threads.
  static std::unique_ptr<Module> load(const std::string& path, Status& status);
  ~Module();
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  CK_FUNCTION_LIST* f() const { return functions_; }

  Status list_slots(std::vector<SlotDescription>& slots) const;
  // The wanted slot if given, otherwise the first one holding an initialised token.
  Status choose_slot(std::optional<CK_SLOT_ID> wanted, CK_SLOT_ID& slot) const;

  // Sessions opened through Session and not yet closed; lets main() prove
  // that every measurement cleaned up after itself.
  long live_sessions() const { return live_sessions_.load(); }

 private:
  Module() = default;
  friend class Session;

  void* handle_ = nullptr;
  CK_FUNCTION_LIST* functions_ = nullptr;
  bool initialized_ = false;
  mutable std::atomic<long> live_sessions_{0};
};

class Session {
 public:
  Session() = default;
  ~Session() { close(); }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  Status open(const Module& module, CK_SLOT_ID slot, bool read_write);
  Status login(const std::string& pin);
  Status logout();
  // Safe to call twice; the destructor calls it and ignores the result.
  Status close();

  CK_SESSION_HANDLE handle() const { return handle_; }
  CK_FUNCTION_LIST* f() const { return module_->f(); }

 private:
  const Module* module_ = nullptr;
  CK_SESSION_HANDLE handle_ = CK_INVALID_HANDLE;
  bool open_ = false;
};

// Removes the blank padding PKCS#11 puts in fixed-size text fields.
std::string trim_padded(const unsigned char* text, size_t size);
