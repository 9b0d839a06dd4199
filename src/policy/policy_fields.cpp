// The table of the PIN policy's fields (see policy_fields.h for what is
// generated from it) and the lookups over it.
#include "policy/policy_fields.h"

#include <array>

#include "common/translate.h"

namespace ecert::policy {
namespace {

using P = PinPolicy;
constexpr FieldKind kNumber = FieldKind::number;
constexpr FieldKind kFlag = FieldKind::flag;
constexpr std::uint32_t kLongest = PinPolicy::kLongestPin;
// A held limit is a byte count: up to kLongestPin characters of 4 bytes.
constexpr std::uint32_t kLongestBytes = PinPolicy::kLongestPin * PinPolicy::kMaxUtf8Bytes;

constexpr std::array kFields{
    PolicyField{"min-length", "min_length", CKA_ECERT_MIN_PIN_LEN, kNumber, 1, kLongest, 8, &P::min_length, nullptr,
                N_("least characters in a password")},
    PolicyField{"max-length", "max_length", CKA_ECERT_MAX_PIN_LEN, kNumber, 1, kLongest, 64, &P::max_length, nullptr,
                N_("most characters in a password")},
    PolicyField{"require-upper", "require_upper", CKA_ECERT_REQUIRE_UPPER, kFlag, 0, 1, 1, nullptr, &P::require_upper,
                N_("a password needs an upper-case letter")},
    PolicyField{"require-lower", "require_lower", CKA_ECERT_REQUIRE_LOWER, kFlag, 0, 1, 1, nullptr, &P::require_lower,
                N_("a password needs a lower-case letter")},
    PolicyField{"require-digit", "require_digit", CKA_ECERT_REQUIRE_DIGIT, kFlag, 0, 1, 1, nullptr, &P::require_digit,
                N_("a password needs a digit")},
    PolicyField{"require-special", "require_special", CKA_ECERT_REQUIRE_SPECIAL, kFlag, 0, 1, 1, nullptr,
                &P::require_special, N_("a password needs a special character")},
    PolicyField{"history", "history_size", CKA_ECERT_HISTORY_SIZE, kNumber, 0, PinPolicy::kMaxHistory, 10,
                &P::history_size, nullptr, N_("recent passwords that may not be used again")},
    PolicyField{"max-repeat", "max_repeat", CKA_ECERT_MAX_REPEAT, kNumber, 0, kLongest, 3, &P::max_repeat, nullptr,
                N_("longest run of one character (0: no limit)")},
    PolicyField{"max-tries", "max_user_tries", CKA_ECERT_MAX_USER_TRIES, kNumber, 1, PinPolicy::kMaxTries, 15,
                &P::max_user_tries, nullptr, N_("wrong passwords before the token locks")},
    PolicyField{"max-so-tries", "max_so_tries", CKA_ECERT_MAX_SO_TRIES, kNumber, 1, PinPolicy::kMaxTries, 15,
                &P::max_so_tries, nullptr, N_("wrong SO passwords before the SO password locks")},
    PolicyField{"issuer-min-length", "issuer_min_length", CKA_ECERT_ISSUER_MIN_PIN_LEN, kNumber, 1, kLongest, 8,
                &P::issuer_min_length, nullptr, N_("least characters in an initial (PIN envelope) password")},
    PolicyField{"issuer-max-length", "issuer_max_length", CKA_ECERT_ISSUER_MAX_PIN_LEN, kNumber, 1, kLongest, 64,
                &P::issuer_max_length, nullptr, N_("most characters in an initial (PIN envelope) password")},
    PolicyField{"must-change", "must_change", CKA_ECERT_MUST_CHANGE, kFlag, 0, 1, 1, nullptr, &P::must_change,
                N_("an initial password must be changed before the token is used")},
    PolicyField{"protected-path", "protected_path", CKA_ECERT_PROTECTED_PATH, kFlag, 0, 1, 0, nullptr,
                &P::protected_path, N_("the token asks for the password itself (pinentry)")},
    PolicyField{"held-min-bytes", "held_min_bytes", kNoAttribute, kNumber, 0, kLongestBytes, 0, &P::held_min_bytes,
                nullptr, N_("shortest password the token holds, in bytes")},
    PolicyField{"held-max-bytes", "held_max_bytes", kNoAttribute, kNumber, 0, kLongestBytes, 0, &P::held_max_bytes,
                nullptr, N_("longest password the token holds, in bytes")},
};

}  // namespace

std::uint32_t PolicyField::get(const PinPolicy& policy) const {
  return kind == FieldKind::flag ? (policy.*flag ? 1 : 0) : policy.*number;
}

void PolicyField::set(PinPolicy& policy, std::uint32_t value) const {
  if (kind == FieldKind::flag)
    policy.*flag = value != 0;
  else
    policy.*number = value;
}

std::span<const PolicyField> policy_fields() { return kFields; }

const PolicyField* find_field(std::string_view name) {
  for (const PolicyField& f : kFields) {
    if (name == f.name) return &f;
  }
  return nullptr;
}

const PolicyField* find_field(CK_ATTRIBUTE_TYPE attribute) {
  if (attribute == kNoAttribute) return nullptr;
  for (const PolicyField& f : kFields) {
    if (f.attribute == attribute) return &f;
  }
  return nullptr;
}

}  // namespace ecert::policy
