// C_OpenSession .. C_Logout.
#include <cstring>

#include "common/error.h"
#include "token/library.h"
#include "token/protected_path.h"
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

namespace {
void check_user_type(CK_USER_TYPE user) {
  if (user == CKU_CONTEXT_SPECIFIC) {
    // No key of this token needs CKA_ALWAYS_AUTHENTICATE, so no operation
    // ever waits for a context-specific login.
    fail(CKR_OPERATION_NOT_INITIALIZED, "no operation needs context-specific login");
  }
  if (user != CKU_USER && user != CKU_SO) fail(CKR_USER_TYPE_INVALID);
}

// The SO may not log in while read-only sessions are open. Expects the
// token's lock held.
void check_read_only_sessions(Token& token, CK_USER_TYPE user) {
  if (user == CKU_SO && token.logged_in() == kNobody && token.read_only_session_count() != 0) {
    fail(CKR_SESSION_READ_ONLY_EXISTS);
  }
}
}  // namespace

void login(CK_SESSION_HANDLE handle, CK_USER_TYPE user, ByteView pin) {
  Library& library = Library::get();
  SessionPtr session = library.session(handle);
  Token& token = session->token();
  check_user_type(user);
  Lock lock(token.mutex());
  check_read_only_sessions(token, user);
  token.login(user, pin);
}

// Locking: the token's lock is held to check and to read what the dialog
// says, released while the person types (other sessions and threads keep
// working: signing, C_GetTokenInfo, a C_Login with a PIN), then taken again
// for token.login(), which counts the try on disk before it checks the PIN,
// exactly as for a PIN the caller gives. The token's prompt mutex, held
// throughout, keeps a second no-PIN C_Login on the same token waiting for the
// first dialog to close rather than opening another.
void login_without_pin(CK_SESSION_HANDLE handle, CK_USER_TYPE user) {
  MinimumDuration minimum(kNoPinLoginMinimum);  // first: destroyed after every lock
  SessionPtr session = Library::get().session(handle);
  std::shared_ptr<Token> token = session->token_ptr();  // outlives the prompt lock
  Lock prompt(token->prompt_mutex());
  Token::PromptFacts facts;
  {
    Lock lock(token->mutex());
    token->refresh();
    if (!token->protected_path()) fail(CKR_ARGUMENTS_BAD, "NULL PIN (no protected authentication path)");
    check_user_type(user);
    check_read_only_sessions(*token, user);
    token->check_can_log_in(user);
    token->check_pin_usable(user);
    facts = token->prompt_facts(user);
  }
  SecureBytes pin = ask_login_pin(user, facts);
  session = session_after_prompt(handle, *token);
  Lock lock(token->mutex());
  check_read_only_sessions(*token, user);
  try {
    token->login(user, pin);
  } catch (const Error& e) {
    token->note_prompt_result(user, e.rv() == CKR_PIN_INCORRECT);
    throw;
  }
  token->note_prompt_result(user, false);
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
