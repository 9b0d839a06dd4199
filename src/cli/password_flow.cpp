#include "cli/password_flow.h"

#include <iostream>

#include "manager/i18n.h"
#include "manager/messages.h"

namespace ecert::cli {

using manager::tr;

SecureString ask_new_password(Context& c, CK_SLOT_ID slot, const SecretSource& source, const std::string& prompt,
                              manager::PinRole role, bool check_policy) {
  const bool automatic = secret_is_automatic(source);
  for (int attempt = 1;; ++attempt) {
    SecureString pin = read_secret(source, prompt);
    std::string problem;
    if (check_policy) {
      problem = manager::describe_pin_problem(manager::check_new_pin(c.module(), slot, role, pin));
    } else if (c.module().is_ecert()) {
      // A token being made has no policy yet; ours applies the default one.
      const token::PinPolicy defaults;
      manager::PinCheck check;
      check.problem = token::check_owner_pin(defaults, pin);
      check.min_length = defaults.min_length;
      check.max_length = defaults.max_length;
      check.max_repeat = defaults.max_repeat;
      problem = manager::describe_pin_problem(check);
    }
    if (problem.empty() && !automatic) {
      const SecureString again = read_secret(source, tr("Confirm password: "));
      if (again != pin) problem = tr("The two passwords are not the same.");
    }
    if (problem.empty()) return pin;
    if (automatic || attempt == 3) throw PolicyRefusal(problem);
    std::cerr << problem << '\n';
  }
}

}  // namespace ecert::cli
