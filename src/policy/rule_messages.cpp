// The texts of the PIN policy, written once: why a password is refused (one
// row per PinProblem) and the list of what a new password needs.
#include "policy/rule_messages.h"

#include <cstdio>

#include "common/translate.h"

namespace ecert::policy {
namespace {

// Which limit a message quotes (its %lu), and so which count picks the
// plural form.
enum class Quotes { nothing, min_length, max_length, max_repeat };

struct ProblemText {
  PinProblem problem;
  Quotes quotes;
  const char* singular;
  const char* plural;  // nullptr: the text has no count
};

// clang-format off
const ProblemText kProblemTexts[] = {
    {PinProblem::too_short, Quotes::min_length,
     N_n("The password must have at least %lu character.", "The password must have at least %lu characters.")},
    {PinProblem::too_long, Quotes::max_length,
     N_n("The password may have at most %lu character.", "The password may have at most %lu characters.")},
    {PinProblem::not_utf8, Quotes::nothing,
     N_("The password contains bytes that are not valid text (UTF-8)."), nullptr},
    {PinProblem::control_character, Quotes::nothing,
     N_("The password may not contain control characters."), nullptr},
    {PinProblem::no_upper, Quotes::nothing, N_("The password must contain an upper-case letter (A-Z)."), nullptr},
    {PinProblem::no_lower, Quotes::nothing, N_("The password must contain a lower-case letter (a-z)."), nullptr},
    {PinProblem::no_digit, Quotes::nothing, N_("The password must contain a digit (0-9)."), nullptr},
    {PinProblem::no_special, Quotes::nothing,
     N_("The password must contain a special character (for example ! $ # %)."), nullptr},
    {PinProblem::repeated_character, Quotes::max_repeat,
     N_n("The password may not repeat one character more than %lu time in a row.",
         "The password may not repeat one character more than %lu times in a row.")},
    {PinProblem::reused, Quotes::nothing,
     N_("The password was used recently; choose one you have not used before."), nullptr},
};
// clang-format on

std::string format(const char* pattern, unsigned long a, unsigned long b = 0) {
  char buffer[512];
  std::snprintf(buffer, sizeof buffer, pattern, a, b);
  return buffer;
}

unsigned long quoted(const RuleLimits& limits, Quotes quotes) {
  switch (quotes) {
    case Quotes::min_length:
      return limits.min_length;
    case Quotes::max_length:
      return limits.max_length;
    case Quotes::max_repeat:
      return limits.max_repeat;
    case Quotes::nothing:
      break;
  }
  return 0;
}

std::string list_item(const std::string& text) { return "  - " + text + "\n"; }

}  // namespace

RuleLimits limits_of(const PinPolicy& policy, RuleSet rules) {
  if (rules == RuleSet::issuer) return {policy.issuer_min_length, policy.issuer_max_length, 0};
  return {policy.min_length, policy.max_length, policy.max_repeat};
}

std::string problem_message(PinProblem problem, const RuleLimits& limits) {
  for (const ProblemText& t : kProblemTexts) {
    if (t.problem != problem) continue;
    if (t.plural == nullptr) return tr(t.singular);
    const unsigned long n = quoted(limits, t.quotes);
    return format(tr_n(t.singular, t.plural, n), n);
  }
  return "";
}

std::string rules_message(const PinPolicy& policy, RuleSet rules, bool with_history) {
  const RuleLimits limits = limits_of(policy, rules);
  std::string out = std::string(tr("The new password must:")) + "\n";
  out += list_item(format(tr_n("have %lu to %lu character", "have %lu to %lu characters", limits.max_length),
                          limits.min_length, limits.max_length));
  if (rules == RuleSet::issuer) return out;
  if (policy.require_upper) out += list_item(tr("contain an upper-case letter (A-Z)"));
  if (policy.require_lower) out += list_item(tr("contain a lower-case letter (a-z)"));
  if (policy.require_digit) out += list_item(tr("contain a digit (0-9)"));
  if (policy.require_special) out += list_item(tr("contain a special character (for example ! $ # %)"));
  if (policy.max_repeat != 0) {
    out += list_item(format(tr_n("not repeat one character more than %lu time in a row",
                                 "not repeat one character more than %lu times in a row", policy.max_repeat),
                            policy.max_repeat));
  }
  if (with_history && policy.history_size != 0) {
    out +=
        list_item(format(tr("not be one of your recent passwords (the last %lu are remembered)"), policy.history_size));
  }
  return out;
}

std::string byte_rules_message(unsigned long min_bytes, unsigned long max_bytes) {
  std::string out = std::string(tr("The new password must:")) + "\n";
  if (max_bytes != 0 && max_bytes != CK_UNAVAILABLE_INFORMATION && max_bytes != CK_EFFECTIVELY_INFINITE) {
    out += list_item(format(tr_n("have %lu to %lu byte", "have %lu to %lu bytes", max_bytes), min_bytes, max_bytes));
  } else {
    out += list_item(format(tr_n("have at least %lu byte", "have at least %lu bytes", min_bytes), min_bytes));
  }
  return out;
}

}  // namespace ecert::policy
