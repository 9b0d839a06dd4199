// Plain-language, translated text for what the library reports: PKCS#11
// return codes, broken PIN rules and usage errors. A front end shows these
// instead of CKR_ names (which stay available for --verbose).
#pragma once

#include <string>

#include "ecert/pkcs11.h"
#include "manager/p11_error.h"
#include "manager/pin_operations.h"

namespace ecert::manager {

// What `rv` means to the person at the keyboard.
std::string describe_rv(CK_RV rv);
// The CKR_ name of `rv` ("CKR_PIN_INCORRECT"), or its hex value.
std::string rv_name(CK_RV rv);
// Which password rule `check` breaks, with the numbers that apply.
std::string describe_pin_problem(const PinCheck& check);
// Why a password typed or read as the current one cannot be right (and that
// nothing was sent to the token); empty when it could be.
std::string describe_current_pin_problem(const CurrentPinCheck& check);
// The rules a new password must meet, one line each, shown before it is
// first asked for: those of `rules` for `role` (with the history rule when
// `with_history`), else only the token's length limits (CK_TOKEN_INFO, bytes).
std::string describe_pin_rules(const policy::PinPolicy* rules, PinRole role, bool with_history, CK_ULONG min_length,
                               CK_ULONG max_length);

}  // namespace ecert::manager
