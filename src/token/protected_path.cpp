// The dialogs of the protected authentication path (see protected_path.h and
// docs/DESIGN.md). Their text is translated through the "ecert-token"
// catalogue in the host program's LC_MESSAGES (common/translate.h); the rule
// texts are the policy's own (policy/rule_messages.h), the same the manager
// shows.
#include "token/protected_path.h"

#include <cstdio>
#include <string>
#include <string_view>

#include "common/error.h"
#include "common/translate.h"
#include "policy/rule_messages.h"
#include "token/library.h"
#include "token/pinentry.h"

namespace ecert::token {
namespace {

using policy::RuleSet;

constexpr const char* kTitle = "e-Cert Token";
// Dialog rounds before giving up: empty answers to "current password",
// refused or unconfirmed new passwords.
constexpr int kRounds = 3;

std::string format(const char* pattern, unsigned long n) {
  char buf[512];
  std::snprintf(buf, sizeof buf, pattern, n);
  return buf;
}

// `pattern` with the token's label, quoted, in place of its %s.
std::string about_token(const char* pattern, const Token::PromptFacts& facts) {
  const std::string quoted = "\"" + facts.label + "\"";
  char buf[512];
  std::snprintf(buf, sizeof buf, pattern, quoted.c_str());
  return buf;
}

std::string tries_left(std::uint32_t n) { return format(tr_n("%lu try left.", "%lu tries left.", n), n); }

std::string_view text(const SecureBytes& pin) {
  return std::string_view(reinterpret_cast<const char*>(pin.data()), pin.size());
}

// The rule list, without its final line break (pinentry shows it as is).
std::string rules(const PinPolicy& policy, RuleSet which, bool with_history) {
  std::string out = policy::rules_message(policy, which, with_history);
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

// A password that exists already: an empty answer is asked again (no PIN of
// this token is empty, so it never costs a try).
SecureBytes ask_existing(Pinentry& pinentry, const std::string& description, const std::string& prompt,
                         std::string error) {
  for (int round = 0; round < kRounds; ++round) {
    SecureBytes pin = pinentry.get_pin(description, prompt, error);
    if (!pin.empty()) return pin;
    error = tr("No password was entered.");
  }
  fail(CKR_FUNCTION_CANCELED, "no password entered");
}

// A new password and its confirmation, checked by the rule set `which` (the owner's or
// the issuer's rule) before the token is called.
SecureBytes ask_new(Pinentry& pinentry, const std::string& description, const PinPolicy& policy, RuleSet which) {
  std::string error;
  CK_RV last = CKR_PIN_INVALID;
  for (int round = 0; round < kRounds; ++round) {
    std::optional<SecureBytes> pin =
        pinentry.get_new_pin(description, tr("New password:"), tr("Confirm password:"), error);
    if (!pin) {
      error = tr("The two passwords are not the same.");
      last = CKR_PIN_INVALID;
      continue;
    }
    policy::PinProblem problem = which == RuleSet::issuer ? policy::check_issuer_pin(policy, text(*pin))
                                                          : policy::check_owner_pin(policy, text(*pin));
    if (problem == policy::PinProblem::none) return std::move(*pin);
    error = policy::problem_message(problem, policy::limits_of(policy, which));
    last = policy::pin_problem_rv(problem);
  }
  fail(last, "new PIN refused");
}

}  // namespace

SecureBytes ask_login_pin(CK_USER_TYPE who, const Token::PromptFacts& facts) {
  std::string description = about_token(who == CKU_SO ? tr("Enter the administrator (SO) password of the token %s.")
                                                      : tr("Enter the password of the token %s."),
                                        facts);
  if (facts.must_change) {
    description += "\n";
    description += tr("It is still the initial password from the PIN envelope, which must be changed first.");
  }
  description += "\n" + tries_left(facts.tries_left);
  Pinentry pinentry(kTitle);
  return ask_existing(pinentry, description, who == CKU_SO ? tr("SO password:") : tr("Password:"),
                      facts.wrong_before ? tr("Wrong password.") : "");
}

PinChange ask_pin_change(CK_USER_TYPE who, const Token::PromptFacts& facts) {
  const bool so = who == CKU_SO;
  const std::string changing = about_token(so ? tr("Changing the administrator (SO) password of the token %s.")
                                              : tr("Changing the password of the token %s."),
                                           facts);
  const char* enter = so ? tr("Enter the current administrator (SO) password.")
                      : facts.must_change
                          ? tr("Enter the current password (the initial password from the PIN envelope).")
                          : tr("Enter the current password.");
  const std::string current = changing + "\n" + enter + "\n" + tries_left(facts.tries_left);
  Pinentry pinentry(kTitle);
  PinChange change;
  change.old_pin =
      ask_existing(pinentry, current, tr("Current password:"), facts.wrong_before ? tr("Wrong password.") : "");
  const std::string fresh = changing + "\n" + rules(facts.policy, RuleSet::owner, !so);
  change.new_pin = ask_new(pinentry, fresh, facts.policy, RuleSet::owner);
  return change;
}

SecureBytes ask_initial_pin(const Token::PromptFacts& facts) {
  std::string description = about_token(tr("Setting a new initial password for the token %s."), facts);
  if (facts.policy.must_change) {
    description += "\n";
    description += tr("Its owner must change it before the token can be used.");
  }
  description += "\n" + rules(facts.policy, RuleSet::issuer, false);
  Pinentry pinentry(kTitle);
  return ask_new(pinentry, description, facts.policy, RuleSet::issuer);
}

SessionPtr session_after_prompt(CK_SESSION_HANDLE handle, const Token& token) {
  SessionPtr session = Library::get().session(handle);
  if (&session->token() != &token) fail(CKR_SESSION_HANDLE_INVALID, "session closed during the dialog");
  return session;
}

}  // namespace ecert::token
