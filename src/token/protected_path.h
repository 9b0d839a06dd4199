// The protected authentication path: the dialogs a token with the policy's
// option (CKA_ECERT_PROTECTED_PATH) shows through pinentry when C_Login,
// C_SetPIN or C_InitPIN is given no PIN, and the rules around them. The
// services (session_service.cpp, slot_service.cpp) call these between two
// holds of the token's lock: nobody holds mutex() while a person is typing.
#pragma once

#include <chrono>
#include <thread>

#include "common/bytes.h"
#include "ecert/pkcs11.h"
#include "token/session.h"
#include "token/token.h"

namespace ecert::token {

// Every C_Login without a PIN takes at least this long, whatever it returns:
// Firefox runs such a C_Login on a thread while its main thread opens a
// "log in on the device" window that closes itself when the call returns;
// when the call returns before the window is ready, it stays open and the
// page never loads. 250 ms was measured too short in headless Firefox ESR 153
// on a busy 2-core machine (docs/DESIGN.md, protected authentication path).
inline constexpr std::chrono::milliseconds kNoPinLoginMinimum{1000};

// Sleeps, when destroyed, until `duration` has passed since it was made. Make
// it before any lock, so that the locks are released before it sleeps.
class MinimumDuration {
 public:
  explicit MinimumDuration(std::chrono::milliseconds duration) : end_(std::chrono::steady_clock::now() + duration) {}
  ~MinimumDuration() { std::this_thread::sleep_until(end_); }
  MinimumDuration(const MinimumDuration&) = delete;
  MinimumDuration& operator=(const MinimumDuration&) = delete;

 private:
  std::chrono::steady_clock::time_point end_;
};

// The PIN of `who` for C_Login, asked in one dialog that names the token and
// the tries left (and says so when the last PIN typed was wrong).
// CKR_FUNCTION_CANCELED when the person cancels (or gives no password three
// times) or the pinentry does not answer within its deadline (pinentry.h:
// the program is then killed and reaped, so the caller's prompt lock is
// released); CKR_FUNCTION_FAILED when there is no working pinentry. The
// same holds for every dialog below; in none of these cases is a try counted
// (no PIN reaches the token).
SecureBytes ask_login_pin(CK_USER_TYPE who, const Token::PromptFacts& facts);

struct PinChange {
  SecureBytes old_pin;
  SecureBytes new_pin;
};
// C_SetPIN: the current PIN of `who`, then the new one and its confirmation.
// A new PIN that breaks the owner's rule or is not confirmed is refused in
// the dialog (SETERROR naming the rule) and asked again; after three refused
// new PINs: the CK_RV of the last refusal (CKR_PIN_LEN_RANGE, CKR_PIN_INVALID).
PinChange ask_pin_change(CK_USER_TYPE who, const Token::PromptFacts& facts);

// C_InitPIN by the SO: the new user PIN and its confirmation, under the
// issuer's rule, refused and asked again as in ask_pin_change.
SecureBytes ask_initial_pin(const Token::PromptFacts& facts);

// After a dialog: the session `handle` again, if it is still open on
// `token` (the person may have taken minutes: the session may have been
// closed, the library finalised and initialised again, the handle reused).
// CKR_CRYPTOKI_NOT_INITIALIZED or CKR_SESSION_HANDLE_INVALID otherwise.
SessionPtr session_after_prompt(CK_SESSION_HANDLE handle, const Token& token);

}  // namespace ecert::token
