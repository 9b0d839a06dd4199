// The plain-language, translated texts of the manager: what a CK_RV means to
// the person at the keyboard, why a typed current password cannot be right,
// and (through the policy's one table, policy/rule_messages.h) why a new one
// breaks a rule.
#include "manager/messages.h"

#include <cstdio>

#include "common/ck_rv_name.h"
#include "manager/i18n.h"
#include "policy/rule_messages.h"

namespace ecert::manager {
namespace {

struct RvText {
  CK_RV rv;
  const char* text;
};

// The codes a token manager meets; anything else gets the generic text.
const RvText kRvTexts[] = {
    {CKR_PIN_INCORRECT, N_("The password is wrong.")},
    {CKR_PIN_LOCKED, N_("The token is locked: too many wrong passwords were entered.")},
    {CKR_PIN_EXPIRED,
     N_("The token password must be changed first (the initial password from the PIN envelope cannot be used to "
        "log in).")},
    {CKR_PIN_LEN_RANGE, N_("The new password is too short or too long for this token.")},
    {CKR_PIN_INVALID, N_("The new password does not meet the token's password rules.")},
    {CKR_PIN_TOO_WEAK, N_("The new password is too weak for this token.")},
    {CKR_TOKEN_NOT_PRESENT, N_("No token is present in this slot.")},
    {CKR_TOKEN_NOT_RECOGNIZED, N_("The token is not initialised, or its data is of a kind this module cannot read.")},
    {CKR_TOKEN_WRITE_PROTECTED, N_("The token is write-protected.")},
    {CKR_SESSION_EXISTS,
     N_("The token is in use by another program; close programs that use it (such as the browser) and try again.")},
    {CKR_SESSION_READ_ONLY, N_("The token cannot be changed in a read-only session.")},
    {CKR_USER_NOT_LOGGED_IN, N_("You need to log in to the token for this.")},
    {CKR_USER_ALREADY_LOGGED_IN, N_("Someone is already logged in to the token.")},
    {CKR_USER_ANOTHER_ALREADY_LOGGED_IN,
     N_("Another user is logged in to the token; log out in the other program first.")},
    {CKR_USER_PIN_NOT_INITIALIZED,
     N_("The token has no user password yet; the issuer must set the initial password first.")},
    {CKR_USER_TYPE_INVALID, N_("The token does not know this kind of user.")},
    {CKR_SLOT_ID_INVALID, N_("There is no such slot.")},
    {CKR_DEVICE_REMOVED, N_("The token was removed.")},
    {CKR_DEVICE_ERROR, N_("The token's data could not be read or is damaged.")},
    {CKR_DEVICE_MEMORY, N_("The token is full.")},
    {CKR_HOST_MEMORY, N_("The computer ran out of memory.")},
    {CKR_FUNCTION_NOT_SUPPORTED, N_("This token does not support the operation.")},
    {CKR_MECHANISM_INVALID, N_("This token does not support this kind of key or algorithm.")},
    {CKR_KEY_SIZE_RANGE, N_("This token does not support keys of this size.")},
    {CKR_ATTRIBUTE_VALUE_INVALID, N_("The token refused one of the values given.")},
    {CKR_ATTRIBUTE_READ_ONLY, N_("The token does not allow this value to be changed.")},
    {CKR_ATTRIBUTE_TYPE_INVALID, N_("The token does not know one of the values given.")},
    {CKR_TEMPLATE_INCOMPLETE, N_("The token needs more information to store this object.")},
    {CKR_TEMPLATE_INCONSISTENT, N_("The token refused this combination of values.")},
    {CKR_ACTION_PROHIBITED, N_("The token does not allow this.")},
    {CKR_OBJECT_HANDLE_INVALID, N_("The object is no longer on the token.")},
    {CKR_SESSION_HANDLE_INVALID,
     N_("The connection to the token was lost (was it re-initialised by another program?).")},
    {CKR_CRYPTOKI_NOT_INITIALIZED, N_("The PKCS#11 module was not started.")},
    {CKR_CANCEL, N_("Cancelled.")},
    {CKR_GENERAL_ERROR, N_("The token module failed unexpectedly.")},
    {CKR_FUNCTION_FAILED, N_("The token could not complete the operation.")},
    {CKR_ARGUMENTS_BAD, N_("The token module refused the request as malformed.")},
};

std::string format(const char* pattern, unsigned long a, unsigned long b = 0) {
  char buffer[512];
  std::snprintf(buffer, sizeof buffer, pattern, a, b);
  return buffer;
}

}  // namespace

std::string describe_rv(CK_RV rv) {
  for (const RvText& t : kRvTexts) {
    if (t.rv == rv) return tr(t.text);
  }
  return format(tr("The token reported an unexpected error (code 0x%08lx)."), rv);
}

std::string rv_name(CK_RV rv) { return ck_rv_text(rv); }

std::string describe_pin_problem(const PinCheck& check) {
  return policy::problem_message(check.problem, {check.min_length, check.max_length, check.max_repeat});
}

std::string describe_current_pin_problem(const CurrentPinCheck& check) {
  using Problem = CurrentPinCheck::Problem;
  switch (check.problem) {
    case Problem::none:
      return "";
    case Problem::empty:
      return tr("No password was entered. Nothing was sent to the token: no try was used.");
    case Problem::too_short:
      return format(tr_n("This cannot be the password: the token's passwords have at least %lu character. Nothing "
                         "was sent to the token: no try was used.",
                         "This cannot be the password: the token's passwords have at least %lu characters. Nothing "
                         "was sent to the token: no try was used.",
                         check.min_length),
                    check.min_length);
    case Problem::too_long:
      return tr(
          "This cannot be the password: it is longer than any password of this token. Nothing was sent to "
          "the token: no try was used.");
  }
  return "";
}

std::string describe_pin_rules(const policy::PinPolicy* rules, PinRole role, bool with_history, CK_ULONG min_length,
                               CK_ULONG max_length) {
  if (!rules) return policy::byte_rules_message(min_length, max_length);
  return policy::rules_message(*rules, role, with_history);
}

}  // namespace ecert::manager
