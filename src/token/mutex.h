// Mutex: the module's lock. C_Initialize decides how locks are made: with the
// application's CreateMutex/DestroyMutex/LockMutex/UnlockMutex callbacks when it
// supplies them without CKF_OS_LOCKING_OK (the specification then requires us
// to use them), otherwise with OS locks. Usable with std::lock_guard.
#pragma once

#include <mutex>

#include "ecert/pkcs11.h"

namespace ecert::token {

// Set by C_Initialize before any Mutex is made; nullptr callbacks mean OS locks.
struct LockingCallbacks {
  CK_CREATEMUTEX create = nullptr;
  CK_DESTROYMUTEX destroy = nullptr;
  CK_LOCKMUTEX lock = nullptr;
  CK_UNLOCKMUTEX unlock = nullptr;
};
void set_locking_callbacks(const LockingCallbacks& callbacks) noexcept;

class Mutex {
 public:
  Mutex();  // throws Error(CKR_CANT_LOCK / CKR_HOST_MEMORY) if the app's CreateMutex fails
  ~Mutex();
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;
  void lock();
  void unlock() noexcept;

 private:
  LockingCallbacks callbacks_;
  void* app_mutex_ = nullptr;
  std::mutex os_mutex_;
};

using Lock = std::lock_guard<Mutex>;

}  // namespace ecert::token
