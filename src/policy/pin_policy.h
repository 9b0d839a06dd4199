// The PIN policy of a token (the e-Cert rules by default) and the checks of a
// new PIN against it. Pure functions of their arguments, shared by the token
// (which enforces them before changing a PIN) and the token manager (which
// tells the user exactly which rule a password breaks before it calls the
// token). The fields themselves, with their names, storage keys, attributes,
// ranges and defaults, are listed once, in policy_fields.h.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "ecert/pkcs11.h"

namespace ecert::policy {

struct PinPolicy {
  // Every field starts at its default of policy_fields.h (the e-Cert rules).
  PinPolicy();

  // The owner's rule: C_SetPIN by the user, and every SO PIN.
  // Lengths count characters (Unicode code points of valid UTF-8), as the
  // rules a person reads say; CK_TOKEN_INFO's ulMinPinLen/ulMaxPinLen count
  // bytes, as PKCS#11 defines them (min_pin_bytes(), max_pin_bytes()).
  std::uint32_t min_length;
  std::uint32_t max_length;
  bool require_upper;
  bool require_lower;
  bool require_digit;
  bool require_special;        // any other printable character, space and non-ASCII included
  std::uint32_t history_size;  // last user PINs that may not come back
  std::uint32_t max_repeat;    // longest run of one character; 0 = no limit
  // Lockout.
  std::uint32_t max_user_tries;
  std::uint32_t max_so_tries;
  // The issuer's rule: C_InitPIN (the PIN envelope); digits alone allowed.
  std::uint32_t issuer_min_length;
  std::uint32_t issuer_max_length;
  bool must_change;  // a PIN set with C_InitPIN must be changed before use
  // Not a rule on PINs but stored with them: C_Login/C_SetPIN/C_InitPIN
  // without a PIN ask through pinentry (CKF_PROTECTED_AUTHENTICATION_PATH).
  bool protected_path;
  // Nor these: the byte limits of the PINs the token may hold now. A PIN set
  // under a rule stays valid when the SO changes the rule, so CK_TOKEN_INFO's
  // limits must still cover it, or a client (ecert-token refuses a password
  // outside them before the token is asked) could not even change it. Widened
  // by replacing() to the old limits, reset with the token; 0: none yet.
  std::uint32_t held_min_bytes;
  std::uint32_t held_max_bytes;

  static constexpr std::uint32_t kMaxTries = 15;
  static constexpr std::uint32_t kMaxHistory = 10;
  static constexpr std::uint32_t kLongestPin = 256;  // characters
  static constexpr std::uint32_t kMaxUtf8Bytes = 4;  // per character

  // ulMinPinLen / ulMaxPinLen: the byte lengths a PIN of the allowed
  // character lengths can have (a character is 1 to 4 bytes of UTF-8),
  // widened to the held limits.
  CK_ULONG min_pin_bytes() const;
  CK_ULONG max_pin_bytes() const;

  // Throws Error(CKR_ATTRIBUTE_VALUE_INVALID) if a field leaves its range of
  // policy_fields.h or the fields contradict each other (a minimum length
  // above its maximum).
  void validate() const;

  // Storage as storage key -> integer (the store's policy table).
  std::map<std::string, std::int64_t> to_values() const;
  // Missing names keep their defaults; the result is validated
  // (CKR_TOKEN_NOT_RECOGNIZED for a stored policy that fails validation).
  static PinPolicy from_values(const std::map<std::string, std::int64_t>& values);
  // This policy as it replaces `before`: the held limits widened to cover
  // every PIN set under `before`.
  PinPolicy replacing(const PinPolicy& before) const;
};

// Why a PIN does not meet a rule.
enum class PinProblem {
  none,
  too_short,
  too_long,
  not_utf8,
  control_character,
  no_upper,
  no_lower,
  no_digit,
  no_special,
  repeated_character,
  reused,
};

// Unicode code points in valid UTF-8 (each byte that does not continue a
// character starts one).
std::size_t character_count(std::string_view utf8);

// The first problem of `pin` under the owner's rule, history excepted.
PinProblem check_owner_pin(const PinPolicy& policy, std::string_view pin);
// The first problem of `pin` under the issuer's rule.
PinProblem check_issuer_pin(const PinPolicy& policy, std::string_view pin);
// CKR_OK, CKR_PIN_LEN_RANGE for a length problem, CKR_PIN_INVALID otherwise.
CK_RV pin_problem_rv(PinProblem problem);

// The user PIN history: the last history_size PINs, newest first, kept sealed
// under the master key. Serialised as length-prefixed entries.
SecureBytes encode_history(const std::vector<SecureBytes>& pins);
std::vector<SecureBytes> decode_history(ByteView encoded);
// True if `pin` equals one of `history` (constant time per entry).
bool in_history(const std::vector<SecureBytes>& history, ByteView pin);
// Puts `pin` in front and keeps at most `size` entries.
void push_history(std::vector<SecureBytes>& history, ByteView pin, std::uint32_t size);

}  // namespace ecert::policy
