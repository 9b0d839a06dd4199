// The dialogs of the protected authentication path (see protected_path.h and
// docs/DESIGN.md). Text is English: the module has no message catalogue.
#include "token/protected_path.h"

#include <cstdio>
#include <string>
#include <string_view>

#include "common/error.h"
#include "token/library.h"
#include "token/pinentry.h"

namespace ecert::token {
namespace {

constexpr const char* kTitle = "e-Cert Token";
// Dialog rounds before giving up: empty answers to "current password",
// refused or unconfirmed new passwords.
constexpr int kRounds = 3;

std::string format(const char* fmt, unsigned a, unsigned b = 0) {
  char buf[160];
  std::snprintf(buf, sizeof buf, fmt, a, b);
  return buf;
}

std::string tries_left(std::uint32_t n) { return n == 1 ? "1 try left." : format("%u tries left.", n); }

std::string_view text(const SecureBytes& pin) {
  return std::string_view(reinterpret_cast<const char*>(pin.data()), pin.size());
}

// One line on what a new password needs.
std::string owner_rule(const PinPolicy& p) {
  std::string out = format("The new password needs %u to %u characters", p.min_length, p.max_length);
  std::string classes;
  const char* names[4] = {nullptr, nullptr, nullptr, nullptr};
  int n = 0;
  if (p.require_upper) names[n++] = "an upper-case letter";
  if (p.require_lower) names[n++] = "a lower-case letter";
  if (p.require_digit) names[n++] = "a digit";
  if (p.require_special) names[n++] = "a character that is not a letter or digit";
  for (int i = 0; i < n; ++i) {
    classes += i == 0 ? ", " : (i == n - 1 ? " and " : ", ");
    classes += names[i];
  }
  out += classes + ".";
  return out;
}

std::string issuer_rule(const PinPolicy& p) {
  return format("The password needs %u to %u characters.", p.issuer_min_length, p.issuer_max_length);
}

// Why the rule refuses a password, for the dialog's error line.
std::string problem_text(PinProblem problem, std::uint32_t min, std::uint32_t max, const PinPolicy& p) {
  switch (problem) {
    case PinProblem::too_short:
      return format("Too short: at least %u characters.", min);
    case PinProblem::too_long:
      return format("Too long: at most %u characters.", max);
    case PinProblem::not_utf8:
      return "The password is not valid text (UTF-8).";
    case PinProblem::control_character:
      return "The password contains a control character.";
    case PinProblem::no_upper:
      return "The password needs an upper-case letter (A-Z).";
    case PinProblem::no_lower:
      return "The password needs a lower-case letter (a-z).";
    case PinProblem::no_digit:
      return "The password needs a digit (0-9).";
    case PinProblem::no_special:
      return "The password needs a character that is not a letter or digit.";
    case PinProblem::repeated_character:
      return format("No character may come more than %u times in a row.", p.max_repeat);
    case PinProblem::reused:
      return "This password was used before.";
    case PinProblem::none:
      break;
  }
  return {};
}

// A password that exists already: an empty answer is asked again (no PIN of
// this token is empty, so it never costs a try).
SecureBytes ask_existing(Pinentry& pinentry, const std::string& description, const std::string& prompt,
                         std::string error) {
  for (int round = 0; round < kRounds; ++round) {
    SecureBytes pin = pinentry.get_pin(description, prompt, error);
    if (!pin.empty()) return pin;
    error = "No password was entered.";
  }
  fail(CKR_FUNCTION_CANCELED, "no password entered");
}

// A new password and its confirmation, checked by `check` (the owner's or
// the issuer's rule) before the token is called.
SecureBytes ask_new(Pinentry& pinentry, const std::string& description, const PinPolicy& policy, bool issuer) {
  std::string error;
  CK_RV last = CKR_PIN_INVALID;
  for (int round = 0; round < kRounds; ++round) {
    std::optional<SecureBytes> pin =
        pinentry.get_new_pin(description, "New password:", "Confirm password:", error);
    if (!pin) {
      error = "The two passwords differ.";
      last = CKR_PIN_INVALID;
      continue;
    }
    PinProblem problem = issuer ? check_issuer_pin(policy, text(*pin)) : check_owner_pin(policy, text(*pin));
    if (problem == PinProblem::none) return std::move(*pin);
    error = issuer ? problem_text(problem, policy.issuer_min_length, policy.issuer_max_length, policy)
                   : problem_text(problem, policy.min_length, policy.max_length, policy);
    last = pin_problem_rv(problem);
  }
  fail(last, "new PIN refused");
}

std::string token_name(const Token::PromptFacts& facts) { return "\"" + facts.label + "\""; }

}  // namespace

SecureBytes ask_login_pin(CK_USER_TYPE who, const Token::PromptFacts& facts) {
  std::string description = who == CKU_SO
                                ? "Enter the administrator (SO) password of the token " + token_name(facts) + "."
                                : "Enter the password of the token " + token_name(facts) + ".";
  if (facts.must_change) {
    description += "\nIt is still the initial password from the PIN envelope, which must be changed first.";
  }
  description += "\n" + tries_left(facts.tries_left);
  Pinentry pinentry(kTitle);
  return ask_existing(pinentry, description, who == CKU_SO ? "SO password:" : "Password:",
                      facts.wrong_before ? "Wrong password." : "");
}

PinChange ask_pin_change(CK_USER_TYPE who, const Token::PromptFacts& facts) {
  const std::string what = who == CKU_SO ? "administrator (SO) password" : "password";
  std::string current = "Changing the " + what + " of the token " + token_name(facts) + ".\nEnter the current " +
                        what + (facts.must_change ? " (the initial password from the PIN envelope)." : ".") +
                        "\n" + tries_left(facts.tries_left);
  Pinentry pinentry(kTitle);
  PinChange change;
  change.old_pin = ask_existing(pinentry, current, "Current password:", facts.wrong_before ? "Wrong password." : "");
  std::string fresh = "Changing the " + what + " of the token " + token_name(facts) + ".\n" +
                      owner_rule(facts.policy);
  if (who == CKU_USER && facts.policy.history_size > 0) {
    fresh += format("\nIt may not be one of the last %u passwords.", facts.policy.history_size);
  }
  change.new_pin = ask_new(pinentry, fresh, facts.policy, false);
  return change;
}

SecureBytes ask_initial_pin(const Token::PromptFacts& facts) {
  std::string description = "Setting a new initial password for the token " + token_name(facts) + ".";
  if (facts.policy.must_change) description += "\nIts owner must change it before the token can be used.";
  description += "\n" + issuer_rule(facts.policy);
  Pinentry pinentry(kTitle);
  return ask_new(pinentry, description, facts.policy, true);
}

SessionPtr session_after_prompt(CK_SESSION_HANDLE handle, const Token& token) {
  SessionPtr session = Library::get().session(handle);
  if (&session->token() != &token) fail(CKR_SESSION_HANDLE_INVALID, "session closed during the dialog");
  return session;
}

}  // namespace ecert::token
