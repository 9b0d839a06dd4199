// C_GetSlotList .. C_SetPIN: slots, tokens, mechanisms and the PIN functions
// that do not log anybody in.
#include <cstring>

#include "common/error.h"
#include "common/padded_text.h"
#include "crypto/mechanism.h"
#include "token/library.h"
#include "token/protected_path.h"
#include "token/services.h"

namespace ecert::token {

std::vector<CK_SLOT_ID> get_slot_list() { return Library::get().slot_list(); }

void get_slot_info(CK_SLOT_ID slot, CK_SLOT_INFO& info) {
  std::shared_ptr<Token> token = Library::get().token(slot);
  std::memset(&info, 0, sizeof info);
  token->fill_slot_description(info);
  // Always present and never removable: NSS disables for good a slot that is
  // neither, and treats removable slots as smart-card readers to watch.
  info.flags = CKF_TOKEN_PRESENT;
  info.hardwareVersion = {0, 0};
  info.firmwareVersion = {0, 1};
}

void get_token_info(CK_SLOT_ID slot, CK_TOKEN_INFO& info) {
  std::shared_ptr<Token> token = Library::get().token(slot);
  Lock lock(token->mutex());
  token->refresh();
  token->fill_token_info(info);
}

std::vector<CK_MECHANISM_TYPE> get_mechanism_list(CK_SLOT_ID slot) {
  Library::get().token(slot);
  std::vector<CK_MECHANISM_TYPE> out;
  for (const crypto::Mechanism& m : crypto::all_mechanisms()) out.push_back(m.type);
  return out;
}

void get_mechanism_info(CK_SLOT_ID slot, CK_MECHANISM_TYPE type, CK_MECHANISM_INFO& info) {
  Library::get().token(slot);
  const crypto::Mechanism* m = crypto::find_mechanism(type);
  if (m == nullptr) fail(CKR_MECHANISM_INVALID);
  info.ulMinKeySize = m->min_key_bits;
  info.ulMaxKeySize = m->max_key_bits;
  info.flags = m->flags;
}

void init_token(CK_SLOT_ID slot, ByteView so_pin, const CK_UTF8CHAR* label_field) {
  Library& library = Library::get();
  std::shared_ptr<Token> token = library.token(slot);
  std::string label = label_from_field(label_field, 32);
  if (!is_valid_utf8(label)) fail(CKR_ARGUMENTS_BAD, "label is not UTF-8");
  {
    Lock lock(token->mutex());
    token->refresh();
    if (token->session_count() != 0) fail(CKR_SESSION_EXISTS);
    token->init_token(so_pin, label);
  }
  // The spare slot now holds a token: a next spare appears if asked for.
  library.slot_list();
}

void init_pin(CK_SESSION_HANDLE handle, ByteView pin) {
  SessionPtr session = Library::get().session(handle);
  Token& token = session->token();
  Lock lock(token.mutex());
  if (token.logged_in() != CKU_SO) fail(CKR_USER_NOT_LOGGED_IN);
  token.init_pin(pin);
}

void set_pin(CK_SESSION_HANDLE handle, ByteView old_pin, ByteView new_pin) {
  SessionPtr session = Library::get().session(handle);
  if (!session->read_write()) fail(CKR_SESSION_READ_ONLY);
  Token& token = session->token();
  Lock lock(token.mutex());
  token.set_pin(token.logged_in() == CKU_SO ? CKU_SO : CKU_USER, old_pin, new_pin);
}

// The locking of login_without_pin (session_service.cpp): the token's lock is
// not held while the person types; the PINs obtained then go through
// Token::set_pin / Token::init_pin exactly as given PINs do (rules checked
// again, try counted on disk before the old PIN is checked).
void set_pin_without_pins(CK_SESSION_HANDLE handle) {
  SessionPtr session = Library::get().session(handle);
  std::shared_ptr<Token> token = session->token_ptr();
  Lock prompt(token->prompt_mutex());
  CK_USER_TYPE who;
  Token::PromptFacts facts;
  {
    Lock lock(token->mutex());
    if (!token->protected_path()) fail(CKR_ARGUMENTS_BAD, "NULL PIN (no protected authentication path)");
    if (!session->read_write()) fail(CKR_SESSION_READ_ONLY);
    who = token->logged_in() == CKU_SO ? CKU_SO : CKU_USER;
    token->check_pin_usable(who);
    facts = token->prompt_facts(who);
  }
  PinChange change = ask_pin_change(who, facts);
  session = session_after_prompt(handle, *token);
  Lock lock(token->mutex());
  try {
    token->set_pin(who, change.old_pin, change.new_pin);
  } catch (const Error& e) {
    if (e.rv() == CKR_PIN_INCORRECT) token->note_prompt_result(who, true);
    throw;
  }
  token->note_prompt_result(who, false);
}

void init_pin_without_pin(CK_SESSION_HANDLE handle) {
  SessionPtr session = Library::get().session(handle);
  std::shared_ptr<Token> token = session->token_ptr();
  Lock prompt(token->prompt_mutex());
  Token::PromptFacts facts;
  {
    Lock lock(token->mutex());
    if (!token->protected_path()) fail(CKR_ARGUMENTS_BAD, "NULL PIN (no protected authentication path)");
    if (token->logged_in() != CKU_SO) fail(CKR_USER_NOT_LOGGED_IN);
    facts = token->prompt_facts(CKU_USER);
  }
  SecureBytes pin = ask_initial_pin(facts);
  session = session_after_prompt(handle, *token);
  Lock lock(token->mutex());
  if (token->logged_in() != CKU_SO) fail(CKR_USER_NOT_LOGGED_IN);
  token->init_pin(pin);
  token->note_prompt_result(CKU_USER, false);
}

}  // namespace ecert::token
