// C_OpenSession .. C_Logout.
#include <cstring>

#include "common/error.h"
#include "token/library.h"
#include "token/services.h"

namespace ecert::token {

CK_SESSION_HANDLE open_session(CK_SLOT_ID slot, CK_FLAGS flags) { return Library::get().open_session(slot, flags); }

void close_session(CK_SESSION_HANDLE handle) { Library::get().close_session(handle); }

void close_all_sessions(CK_SLOT_ID slot) { Library::get().close_all_sessions(slot); }

void get_session_info(CK_SESSION_HANDLE handle, CK_SESSION_INFO& info) {
  SessionPtr session = Library::get().session(handle);
  Lock lock(session->token().mutex());
  std::memset(&info, 0, sizeof info);
  info.slotID = session->token().slot_id();
  info.state = session_state(*session);
  info.flags = session->flags();
  info.ulDeviceError = 0;
}

void login(CK_SESSION_HANDLE handle, CK_USER_TYPE user, ByteView pin) {
  Library& library = Library::get();
  SessionPtr session = library.session(handle);
  Token& token = session->token();
  if (user == CKU_CONTEXT_SPECIFIC) {
    // No key of this token needs CKA_ALWAYS_AUTHENTICATE, so no operation
    // ever waits for a context-specific login.
    fail(CKR_OPERATION_NOT_INITIALIZED, "no operation needs context-specific login");
  }
  if (user != CKU_USER && user != CKU_SO) fail(CKR_USER_TYPE_INVALID);
  Lock lock(token.mutex());
  if (user == CKU_SO && token.logged_in() == kNobody && token.read_only_session_count() != 0) {
    fail(CKR_SESSION_READ_ONLY_EXISTS);
  }
  token.login(user, pin);
}

void logout(CK_SESSION_HANDLE handle) {
  Library& library = Library::get();
  SessionPtr session = library.session(handle);
  Token& token = session->token();
  std::vector<SessionPtr> sessions = library.sessions_of(token);
  Lock lock(token.mutex());
  if (token.logged_in() == kNobody) fail(CKR_USER_NOT_LOGGED_IN);
  token.logout();
  // Operations that used private keys end with the login.
  for (const SessionPtr& s : sessions) {
    Lock session_lock(s->mutex());
    s->cancel_operations();
  }
}

}  // namespace ecert::token
