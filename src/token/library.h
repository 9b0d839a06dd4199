// Library: the module's state between C_Initialize and C_Finalize: the slots
// (one per token file, plus a spare slot with an uninitialised token while
// there is no token or when ECERT_TOKEN_SPARE_SLOT=1 asks for one) and the
// session table.
//
// Lock order: Library::mutex_, then a Token's mutex, then a Session's mutex.
// Nobody takes an earlier lock while holding a later one. A Token's
// prompt_mutex() (held during a pinentry dialog) comes before all of them.
#pragma once

#include <sys/types.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ecert/pkcs11.h"
#include "token/mutex.h"
#include "token/session.h"
#include "token/token.h"

namespace ecert::token {

class Library {
 public:
  // C_Initialize / C_Finalize. initialize() validates the arguments (bad
  // locking callbacks or a non-NULL pReserved: CKR_ARGUMENTS_BAD) and returns
  // CKR_CRYPTOKI_ALREADY_INITIALIZED on a second call in the same process; in
  // a child after fork() it drops the inherited state and starts afresh.
  static CK_RV initialize(CK_VOID_PTR init_args) noexcept;
  static CK_RV finalize(CK_VOID_PTR reserved) noexcept;
  // The initialised library of this process; throws
  // CKR_CRYPTOKI_NOT_INITIALIZED otherwise (also in a child after fork() that
  // has not called C_Initialize).
  static Library& get();

  // Rescans the token directory and returns every slot ID, ascending.
  std::vector<CK_SLOT_ID> slot_list();
  // CKR_SLOT_ID_INVALID for an unknown slot.
  std::shared_ptr<Token> token(CK_SLOT_ID slot);

  CK_SESSION_HANDLE open_session(CK_SLOT_ID slot, CK_FLAGS flags);
  void close_session(CK_SESSION_HANDLE handle);
  void close_all_sessions(CK_SLOT_ID slot);
  // The session, or CKR_SESSION_HANDLE_INVALID (closed, never opened, or its
  // token re-initialised since). `refresh` first picks up changes other
  // processes made to the token (management calls do; the crypto hot path
  // doesn't need to).
  SessionPtr session(CK_SESSION_HANDLE handle, bool refresh = true);
  // The open sessions of one token.
  std::vector<SessionPtr> sessions_of(const Token& token);

 private:
  explicit Library(std::string directory);
  void scan_slots();  // expects mutex_ held
  void forget_session(CK_SESSION_HANDLE handle);

  const std::string directory_;
  Mutex mutex_;
  std::map<CK_SLOT_ID, std::shared_ptr<Token>> tokens_;
  std::map<CK_SESSION_HANDLE, SessionPtr> sessions_;
  CK_SESSION_HANDLE next_session_ = 1;
};

}  // namespace ecert::token
