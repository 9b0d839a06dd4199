// Asking for passwords the way the user guide's dialogs do, without wasting
// a try: a current password that cannot be right is refused before the
// token sees it, the last try is announced, a wrong one is asked again; a
// new password is asked with the token's rules shown first, confirmed, and
// checked before the token is called, saying exactly which rule is not met.
#pragma once

#include <string>

#include "cli/context.h"
#include "cli/secrets.h"
#include "manager/pin_operations.h"

namespace ecert::cli {

// The current password of `who` (CKU_USER or CKU_SO) on the token in `slot`,
// not yet sent to the token. Input no password of the token could match
// (manager::check_current_pin) is refused (asked again when typed, up to
// three times); when a wrong password would now lock, a person at the
// terminal is told so and asked to go on. Throws CommandStopped.
SecureString ask_current_password(Context& c, CK_SLOT_ID slot, CK_USER_TYPE who, const SecretSource& source,
                                  const std::string& prompt);

// ask_current_password(), then checked on the token (manager::verify_pin,
// at most one try for one password). A typed wrong password is asked again,
// with the tries left, while tries remain. Throws P11Error for a wrong
// password from a file or variable, or when the token is now locked.
SecureString verified_current_password(Context& c, CK_SLOT_ID slot, CK_USER_TYPE who, const SecretSource& source,
                                       const std::string& prompt);

// Asks for a new password and its confirmation. A typed password is asked
// again after a mismatch or a broken rule until one is right or the person
// cancels (Ctrl-D); with `show_rules` the rules are listed before the first
// prompt. One from a file or the environment is checked once. With
// `check_policy` the token's rules for `role` are checked first. Throws
// PolicyRefusal or CommandStopped.
SecureString ask_new_password(Context& c, CK_SLOT_ID slot, const SecretSource& source, const std::string& prompt,
                              manager::PinRole role, bool check_policy = true, bool show_rules = true);

// A new password broke a rule (message already translated).
class PolicyRefusal : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace ecert::cli
