// The module's life and its tables: C_Initialize and C_Finalize under one
// process-wide lock (with the application's locking choice, and a fork() child
// starting afresh, dropping the parent's state without closing it), the slot
// scan (one slot per token file, a spare slot only when there is no token or
// ECERT_TOKEN_SPARE_SLOT=1), and the session table, which drops a session
// whose token another process has re-initialised.
#include "token/library.h"

#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <new>

#include "common/error.h"
#include "crypto/library_context.h"
#include "store/token_directory.h"
#include "token/fork_marker.h"

namespace ecert::token {
namespace {
// Both trivially destructible: nothing runs at exit or dlclose. The init lock
// serialises C_Initialize/C_Finalize (Firefox was seen calling C_Initialize
// from two threads at once).
pthread_mutex_t g_init_lock = PTHREAD_MUTEX_INITIALIZER;
std::atomic<Library*> g_library{nullptr};

struct InitLock {
  InitLock() { pthread_mutex_lock(&g_init_lock); }
  ~InitLock() { pthread_mutex_unlock(&g_init_lock); }
};

CK_RV read_locking(const CK_C_INITIALIZE_ARGS* args, LockingCallbacks& out) {
  if (args == nullptr) return CKR_OK;
  if (args->pReserved != nullptr) return CKR_ARGUMENTS_BAD;
  int given = (args->CreateMutex != nullptr) + (args->DestroyMutex != nullptr) + (args->LockMutex != nullptr) +
              (args->UnlockMutex != nullptr);
  if (given != 0 && given != 4) return CKR_ARGUMENTS_BAD;
  // With CKF_OS_LOCKING_OK we may use OS locks even when callbacks are given
  // (NSS does this); without it, the application's callbacks are the rule.
  if (given == 4 && (args->flags & CKF_OS_LOCKING_OK) == 0) {
    out = {args->CreateMutex, args->DestroyMutex, args->LockMutex, args->UnlockMutex};
  }
  return CKR_OK;
}
}  // namespace

CK_RV Library::initialize(CK_VOID_PTR init_args) noexcept {
  InitLock guard;
  LockingCallbacks locking;
  CK_RV rv = read_locking(static_cast<const CK_C_INITIALIZE_ARGS*>(init_args), locking);
  if (rv != CKR_OK) return rv;
  if (Library* old = g_library.load()) {
    if (in_armed_process()) return CKR_CRYPTOKI_ALREADY_INITIALIZED;
    // A child after fork(): the parent's sessions, login and database handles
    // are not ours. They are dropped without being closed or freed (their
    // locks may have been held by parent threads at the fork).
    for (auto& [slot, token] : old->tokens_) token->abandon();
    g_library.store(nullptr);
  }
  try {
    set_locking_callbacks(locking);
    crypto::start_library_context();
    g_library.store(new Library(store::token_directory()));
    arm_fork_marker();
    return CKR_OK;
  } catch (const Error& e) {
    return e.rv();
  } catch (const std::bad_alloc&) {
    return CKR_HOST_MEMORY;
  } catch (...) {
    return CKR_GENERAL_ERROR;
  }
}

CK_RV Library::finalize(CK_VOID_PTR reserved) noexcept {
  if (reserved != nullptr) return CKR_ARGUMENTS_BAD;
  InitLock guard;
  Library* lib = g_library.load();
  if (lib == nullptr || !in_armed_process()) return CKR_CRYPTOKI_NOT_INITIALIZED;
  g_library.store(nullptr);
  disarm_fork_marker();
  delete lib;  // keys first, then the OpenSSL context they belong to
  crypto::stop_library_context();
  set_locking_callbacks({});
  return CKR_OK;
}

Library& Library::get() {
  Library* lib = g_library.load(std::memory_order_acquire);
  if (lib == nullptr || !in_armed_process()) fail(CKR_CRYPTOKI_NOT_INITIALIZED);
  return *lib;
}

Library::Library(std::string directory) : directory_(std::move(directory)) {
  Lock lock(mutex_);
  scan_slots();
}

// The issuer's switch for a spare slot beside existing tokens.
static bool spare_slot_asked() {
  const char* v = std::getenv("ECERT_TOKEN_SPARE_SLOT");
  return v != nullptr && std::strcmp(v, "1") == 0;
}

void Library::scan_slots() {
  auto listed = store::list_token_slots(directory_);
  if (!listed) {
    // A directory another user could change (store/file_checks.h) shows no
    // token, and no spare slot either: a token made there would be theirs to
    // read and swap. A spare from an earlier scan goes; tokens already open
    // stay (their sessions hold them), but are never opened there again.
    for (auto it = tokens_.begin(); it != tokens_.end();) {
      bool spare;
      {
        Lock token_lock(it->second->mutex());
        spare = it->second->spare();
      }
      it = spare ? tokens_.erase(it) : std::next(it);
    }
    return;
  }
  for (CK_SLOT_ID id : *listed) {
    if (tokens_.count(id) == 0) tokens_[id] = std::make_shared<Token>(id, store::token_path(directory_, id));
  }
  bool have_spare = false, have_token = false;
  for (auto& [id, token] : tokens_) {
    Lock token_lock(token->mutex());
    token->open_if_present();
    have_spare |= token->spare();
    have_token |= !token->spare();
  }
  // An owner's Firefox lists every slot's token as a security device: an
  // empty "slot 2" beside the e-Cert only confuses. So a spare slot (where
  // C_InitToken makes a new token) is there while no token exists, or when
  // the issuer asks for one with ECERT_TOKEN_SPARE_SLOT=1 (docs/DESIGN.md).
  if (!have_spare && (!have_token || spare_slot_asked())) {
    CK_SLOT_ID id = tokens_.empty() ? 0 : tokens_.rbegin()->first + 1;
    tokens_[id] = std::make_shared<Token>(id, store::token_path(directory_, id));
  }
}

std::vector<CK_SLOT_ID> Library::slot_list() {
  Lock lock(mutex_);
  scan_slots();
  std::vector<CK_SLOT_ID> out;
  for (const auto& [id, token] : tokens_) out.push_back(id);
  return out;
}

std::shared_ptr<Token> Library::token(CK_SLOT_ID slot) {
  Lock lock(mutex_);
  auto it = tokens_.find(slot);
  if (it == tokens_.end()) fail(CKR_SLOT_ID_INVALID);
  return it->second;
}

CK_SESSION_HANDLE Library::open_session(CK_SLOT_ID slot, CK_FLAGS flags) {
  if ((flags & CKF_SERIAL_SESSION) == 0) fail(CKR_SESSION_PARALLEL_NOT_SUPPORTED);
  Lock lock(mutex_);
  auto it = tokens_.find(slot);
  if (it == tokens_.end()) fail(CKR_SLOT_ID_INVALID);
  Token& token = *it->second;
  bool read_write = (flags & CKF_RW_SESSION) != 0;
  Lock token_lock(token.mutex());
  token.refresh();
  token.require_initialized();
  if (!read_write && token.logged_in() == CKU_SO) fail(CKR_SESSION_READ_WRITE_SO_EXISTS);
  CK_SESSION_HANDLE handle = next_session_++;
  sessions_[handle] = std::make_shared<Session>(handle, it->second, flags & (CKF_RW_SESSION | CKF_SERIAL_SESSION));
  token.session_opened(read_write);
  return handle;
}

void Library::forget_session(CK_SESSION_HANDLE handle) {
  auto it = sessions_.find(handle);
  if (it == sessions_.end()) return;
  SessionPtr session = it->second;
  sessions_.erase(it);
  {
    Lock token_lock(session->token().mutex());
    session->token().session_closed(handle, session->read_write());
  }
  Lock session_lock(session->mutex());
  session->cancel_operations();
}

void Library::close_session(CK_SESSION_HANDLE handle) {
  Lock lock(mutex_);
  auto it = sessions_.find(handle);
  if (it == sessions_.end() || !it->second->current()) {
    forget_session(handle);
    fail(CKR_SESSION_HANDLE_INVALID);
  }
  forget_session(handle);
}

void Library::close_all_sessions(CK_SLOT_ID slot) {
  Lock lock(mutex_);
  if (tokens_.count(slot) == 0) fail(CKR_SLOT_ID_INVALID);
  std::vector<CK_SESSION_HANDLE> handles;
  for (const auto& [handle, session] : sessions_) {
    if (session->token().slot_id() == slot) handles.push_back(handle);
  }
  for (CK_SESSION_HANDLE h : handles) forget_session(h);
}

SessionPtr Library::session(CK_SESSION_HANDLE handle, bool refresh) {
  Lock lock(mutex_);
  auto it = sessions_.find(handle);
  if (it == sessions_.end()) fail(CKR_SESSION_HANDLE_INVALID);
  SessionPtr session = it->second;
  if (!refresh) {
    // A crypto call that continues an operation (C_Sign, C_DecryptUpdate, ...)
    // never looks at the file. One that starts an operation (C_SignInit, ...)
    // must not use a key of a token another process has re-initialised: it
    // looks, but at most every Token::kCryptoRefreshInterval, since the look
    // costs a file-lock system call, the price of a small signature.
    Lock session_lock(session->mutex());
    bool starting = !(session->sign || session->verify || session->encrypt || session->decrypt || session->digest);
    refresh = starting && session->token().refresh_due();
  }
  if (refresh) {
    Lock token_lock(session->token().mutex());
    session->token().refresh();
  }
  if (!session->current()) {
    forget_session(handle);
    fail(CKR_SESSION_HANDLE_INVALID, "token re-initialised");
  }
  return session;
}

std::vector<SessionPtr> Library::sessions_of(const Token& token) {
  Lock lock(mutex_);
  std::vector<SessionPtr> out;
  for (const auto& [handle, session] : sessions_) {
    if (&session->token() == &token) out.push_back(session);
  }
  return out;
}

}  // namespace ecert::token
