// The PIN life of a token as the e-Cert issuer and owner see it: making a
// token with an envelope PIN, the owner's change of the token password,
// unblocking, relabelling and wiping. PINs are passed as std::string_view and
// never kept; callers hold them in wiping storage (SecureString).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "manager/pkcs11_module.h"
#include "manager/token_policy.h"
#include "policy/pin_policy.h"
#include "policy/rule_messages.h"

namespace ecert::manager {

// A std::string whose buffer is wiped when it is freed.
using SecureString = std::basic_string<char, std::char_traits<char>, WipingAllocator<char>>;

// Which rule a new PIN breaks, found before the token is called so the user
// is told exactly what is wrong. For tokens with a policy object the whole
// e-Cert policy is checked (history excepted: only the token knows it); for
// other tokens only the length limits of CK_TOKEN_INFO.
struct PinCheck {
  policy::PinProblem problem = policy::PinProblem::none;
  std::uint32_t min_length = 0, max_length = 0;  // the limits that applied
  std::uint32_t max_repeat = 0;
};
// The owner's rule or the issuer's (the PIN envelope).
using PinRole = policy::RuleSet;
PinCheck check_new_pin(const Module& module, CK_SLOT_ID slot, PinRole role, std::string_view pin);

// Whether `pin` could be the current PIN of the token in `slot` at all. The
// token accepts no PIN that is empty, shorter than its smallest minimum or
// longer than its largest maximum (CK_TOKEN_INFO ulMinPinLen / ulMaxPinLen,
// bytes, over every rule of the token), so such input is refused before the
// token sees it and costs no try.
struct CurrentPinCheck {
  enum class Problem { none, empty, too_short, too_long } problem = Problem::none;
  CK_ULONG min_length = 0, max_length = 0;  // the limits that applied (0: none)
};
CurrentPinCheck check_current_pin(const Module& module, CK_SLOT_ID slot, std::string_view pin);

// Whether `pin` is the current PIN of `who`, changing nothing: C_Login, then
// C_Logout. A right PIN that must be changed first (CKR_PIN_EXPIRED) is
// right. Throws P11Error for a wrong (CKR_PIN_INCORRECT, a try counted as for
// any login) or locked PIN. After it a C_SetPIN with the same PIN costs no
// try: the right PIN has just reset the count.
void verify_pin(const Module& module, CK_SLOT_ID slot, CK_USER_TYPE who, std::string_view pin);

// A random 8-digit PIN, as printed in a PIN envelope (uniform over
// 00000000-99999999, from OpenSSL's CSPRNG).
SecureString random_envelope_pin();

// C_InitToken on an uninitialised slot, then the SO sets `user_pin` with
// C_InitPIN (a must-change envelope PIN on our tokens). On an initialised
// token `so_pin` must be its SO PIN, and every object and the user PIN are
// destroyed: callers list what will go and ask first.
void init_token(const Module& module, CK_SLOT_ID slot, std::string_view so_pin, const std::string& label,
                std::string_view user_pin);

// C_SetPIN in an R/W public session (the owner's change of the token
// password; on our tokens also how an envelope PIN is replaced).
void change_user_pin(const Module& module, CK_SLOT_ID slot, std::string_view old_pin, std::string_view new_pin);
// The SO changes the SO PIN.
void change_so_pin(const Module& module, CK_SLOT_ID slot, std::string_view old_pin, std::string_view new_pin);

// The SO sets a new user PIN (C_InitPIN): a new envelope PIN, which the
// owner must change. With `owner_pin`, the owner's own password is set at
// once after it (C_SetPIN from the temporary PIN), for an owner at the desk.
void unblock_user_pin(const Module& module, CK_SLOT_ID slot, std::string_view so_pin, std::string_view new_pin,
                      std::optional<std::string_view> owner_pin);

// The SO relabels the token (ecert-token tokens only).
void rename_token(const Module& module, CK_SLOT_ID slot, std::string_view so_pin, const std::string& label);

// The SO empties the token: C_InitToken with its SO PIN and label, which
// destroys every object and the user PIN. An ecert-token token's password
// policy is put back as it was (C_InitToken resets it to the defaults).
void wipe_token(const Module& module, CK_SLOT_ID slot, std::string_view so_pin);

}  // namespace ecert::manager
