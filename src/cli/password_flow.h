// Asking for a new password the way the user guide's "Change Token Password"
// dialog does: new password, confirmation, and the token's rules checked
// before the token is called, saying exactly which rule is not met.
#pragma once

#include <string>

#include "cli/context.h"
#include "cli/secrets.h"
#include "manager/pin_operations.h"

namespace ecert::cli {

// Asks for a new password and its confirmation (a typed password is asked
// again, up to three times, after a mismatch or a broken rule; one from a
// file or the environment is checked once). With `check_policy` the token's
// rules for `role` are checked first. Throws PolicyRefusal or
// UsageError(bad_input) (no match after three tries).
SecureString ask_new_password(Context& c, CK_SLOT_ID slot, const SecretSource& source, const std::string& prompt,
                              manager::PinRole role, bool check_policy = true);

// A new password broke a rule (message already translated).
class PolicyRefusal : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace ecert::cli
