// The password dialogues of password_flow.h over the manager's checks: the
// last try confirmed before it is risked; a current password checked against
// the token's rules before a try is spent, asked again up to three times, and
// re-asked after a wrong one with the tries left; a new password asked with
// the rules shown (the token's policy or, for a token being made, the module's
// default), confirmed, and checked before the token sees it.
#include "cli/password_flow.h"

#include <iostream>

#include "cli/exit_codes.h"
#include "cli/token_text.h"
#include "manager/i18n.h"
#include "manager/messages.h"
#include "policy/rule_messages.h"

namespace ecert::cli {

using manager::tr;

namespace {

const manager::PinState& pin_state_of(const manager::TokenSummary& t, CK_USER_TYPE who) {
  return who == CKU_SO ? t.so : t.user;
}

bool on_last_try(const manager::PinState& s) { return s.tries_left ? *s.tries_left == 1 : s.final_try; }

// Before the last try a person decides whether to risk it.
void confirm_last_try(Context& c, CK_SLOT_ID slot, CK_USER_TYPE who) {
  const auto token = manager::describe_token(c.module(), slot);
  if (!on_last_try(pin_state_of(token, who))) return;
  const std::string question =
      who == CKU_SO ? tr("Only one try is left: a wrong password now locks the administrator (SO) password for "
                         "good. Go on? [y/N] ")
                    : tr("Only one try is left: a wrong password now locks the token. Go on? [y/N] ");
  if (!confirm(question)) throw CommandStopped(kCancelled, tr("Cancelled: nothing was sent to the token."));
}

// The rules of a new password, as the token (or, for a token being made,
// our module's default policy) will check them.
std::string rules_text(Context& c, CK_SLOT_ID slot, manager::PinRole role, bool check_policy) {
  if (check_policy) {
    if (const auto policy = manager::read_policy(c.module(), slot)) {
      return manager::describe_pin_rules(&policy->rules, role, role == manager::PinRole::owner, 0, 0);
    }
    const CK_TOKEN_INFO info = c.module().token_info(slot);
    return manager::describe_pin_rules(nullptr, role, false, info.ulMinPinLen, info.ulMaxPinLen);
  }
  if (!c.module().is_ecert()) return "";
  const policy::PinPolicy defaults;
  return manager::describe_pin_rules(&defaults, manager::PinRole::owner, false, 0, 0);
}

}  // namespace

SecureString ask_current_password(Context& c, CK_SLOT_ID slot, CK_USER_TYPE who, const SecretSource& source,
                                  const std::string& prompt) {
  const bool automatic = secret_is_automatic(source);
  require_secret_source(source);
  if (!automatic) confirm_last_try(c, slot, who);
  for (int attempt = 1;; ++attempt) {
    SecureString pin = read_secret(source, prompt);
    const std::string problem =
        manager::describe_current_pin_problem(manager::check_current_pin(c.module(), slot, pin));
    if (problem.empty()) return pin;
    if (automatic || attempt == 3) throw CommandStopped(kWrongPassword, problem);
    std::cerr << problem << '\n';
  }
}

SecureString verified_current_password(Context& c, CK_SLOT_ID slot, CK_USER_TYPE who, const SecretSource& source,
                                       const std::string& prompt) {
  c.entering_pin(who);
  for (;;) {
    SecureString pin = ask_current_password(c, slot, who, source, prompt);
    try {
      manager::verify_pin(c.module(), slot, who, pin);
      return pin;
    } catch (const manager::P11Error& e) {
      if (e.rv() != CKR_PIN_INCORRECT || secret_is_automatic(source)) throw;
      const auto token = manager::describe_token(c.module(), slot);
      if (pin_state_of(token, who).locked) throw;
      std::cerr << sentences(manager::describe_rv(e.rv()), describe_tries_after_failure(token, who)) << '\n';
    }
  }
}

SecureString ask_new_password(Context& c, CK_SLOT_ID slot, const SecretSource& source, const std::string& prompt,
                              manager::PinRole role, bool check_policy, bool show_rules) {
  const bool automatic = secret_is_automatic(source);
  require_secret_source(source);
  if (show_rules && !automatic) std::cerr << rules_text(c, slot, role, check_policy);
  for (;;) {
    SecureString pin = read_secret(source, prompt);
    std::string problem;
    if (check_policy) {
      problem = manager::describe_pin_problem(manager::check_new_pin(c.module(), slot, role, pin));
    } else if (c.module().is_ecert()) {
      // A token being made has no policy yet; ours applies the default one.
      const policy::PinPolicy defaults;
      problem = policy::problem_message(policy::check_owner_pin(defaults, pin),
                                        policy::limits_of(defaults, policy::RuleSet::owner));
    }
    if (problem.empty() && !automatic) {
      const SecureString again = read_secret(source, tr("Confirm password: "));
      if (again != pin) problem = tr("The two passwords are not the same.");
    }
    if (problem.empty()) return pin;
    if (automatic) throw PolicyRefusal(problem);
    std::cerr << problem << '\n';
  }
}

}  // namespace ecert::cli
