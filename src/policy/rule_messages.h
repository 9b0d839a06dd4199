// The one table of texts that tell a person why a password breaks the policy
// and what a new password needs: the manager and CLI show them before the
// token is called, the token's own pinentry dialogs show them when the
// protected authentication path asks. English msgids, translated through
// common/translate.h in the caller's LC_MESSAGES.
#pragma once

#include <string>

#include "policy/pin_policy.h"

namespace ecert::policy {

// The limits a message quotes. From a PinPolicy (limits_of) or, for another
// vendor's token, from CK_TOKEN_INFO's byte lengths.
struct RuleLimits {
  unsigned long min_length = 0;
  unsigned long max_length = 0;
  unsigned long max_repeat = 0;
};

// Which rule of a policy applies: the owner's (C_SetPIN, SO PINs) or the
// issuer's (C_InitPIN: the PIN envelope).
enum class RuleSet { owner, issuer };

RuleLimits limits_of(const PinPolicy& policy, RuleSet rules);

// One sentence on why `problem` refuses a password; "" for PinProblem::none.
std::string problem_message(PinProblem problem, const RuleLimits& limits);

// "The new password must:" and one "  - ..." line per rule, each line ending
// in '\n'. The history line only when `with_history` (the user's own PIN).
std::string rules_message(const PinPolicy& policy, RuleSet rules, bool with_history);

// The same list for a token that publishes only byte lengths (max_length 0,
// CK_UNAVAILABLE_INFORMATION or CK_EFFECTIVELY_INFINITE: no maximum).
std::string byte_rules_message(unsigned long min_bytes, unsigned long max_bytes);

}  // namespace ecert::policy
