// The module's Mutex: an OS mutex, or the application's mutex through the
// CreateMutex/LockMutex/... callbacks that C_Initialize was given
// (set_locking_callbacks), their failures mapped to CKR_CANT_LOCK. Each Mutex
// keeps the callbacks in force when it was made.
#include "token/mutex.h"

#include "common/error.h"

namespace ecert::token {
namespace {
// Trivially destructible on purpose (no static destructors in the module).
LockingCallbacks g_callbacks;
}  // namespace

void set_locking_callbacks(const LockingCallbacks& callbacks) noexcept { g_callbacks = callbacks; }

Mutex::Mutex() : callbacks_(g_callbacks) {
  if (callbacks_.create == nullptr) return;
  CK_RV rv = callbacks_.create(&app_mutex_);
  if (rv != CKR_OK) fail(rv == CKR_HOST_MEMORY ? CKR_HOST_MEMORY : CKR_CANT_LOCK, "CreateMutex");
}

Mutex::~Mutex() {
  if (app_mutex_ != nullptr) callbacks_.destroy(app_mutex_);
}

void Mutex::lock() {
  if (app_mutex_ == nullptr) {
    os_mutex_.lock();
    return;
  }
  if (callbacks_.lock(app_mutex_) != CKR_OK) fail(CKR_CANT_LOCK, "LockMutex");
}

void Mutex::unlock() noexcept {
  if (app_mutex_ == nullptr) {
    os_mutex_.unlock();
    return;
  }
  callbacks_.unlock(app_mutex_);
}

}  // namespace ecert::token
