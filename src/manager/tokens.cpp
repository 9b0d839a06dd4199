// Token discovery over PKCS#11: a slot's CK_SLOT_INFO and CK_TOKEN_INFO turned
// into a TokenSummary (padding removed, unknown sizes left out, the user and
// SO PIN flags as a PinState each, tries left from the token's policy object
// when it has one), and the one token a command means picked by slot and
// label, initialised or not.
#include "manager/tokens.h"

namespace ecert::manager {
namespace {

std::optional<CK_ULONG> known(CK_ULONG value) {
  if (value == CK_UNAVAILABLE_INFORMATION || value == CK_EFFECTIVELY_INFINITE) return std::nullopt;
  return value;
}

// The user and SO PINs report the same facts in CK_TOKEN_INFO.flags, each
// under flags of its own.
struct PinFlags {
  CK_FLAGS initialized, locked, must_change, count_low, final_try;
};
constexpr PinFlags kUserPinFlags{CKF_USER_PIN_INITIALIZED, CKF_USER_PIN_LOCKED, CKF_USER_PIN_TO_BE_CHANGED,
                                 CKF_USER_PIN_COUNT_LOW, CKF_USER_PIN_FINAL_TRY};
constexpr PinFlags kSoPinFlags{CKF_TOKEN_INITIALIZED, CKF_SO_PIN_LOCKED, CKF_SO_PIN_TO_BE_CHANGED, CKF_SO_PIN_COUNT_LOW,
                               CKF_SO_PIN_FINAL_TRY};

PinState pin_state(CK_FLAGS flags, const PinFlags& f) {
  PinState s;
  s.initialized = flags & f.initialized;
  s.locked = flags & f.locked;
  s.must_change = flags & f.must_change;
  s.count_low = flags & f.count_low;
  s.final_try = flags & f.final_try;
  return s;
}

std::vector<CK_SLOT_ID> matching(const Module& module, const TokenChoice& choice, bool initialised) {
  std::vector<CK_SLOT_ID> out;
  for (CK_SLOT_ID slot : module.slots(true)) {
    if (choice.slot && *choice.slot != slot) continue;
    const CK_TOKEN_INFO info = module.token_info(slot);
    if (choice.label && padded_field(info.label) != *choice.label) continue;
    // A named slot is taken as it is; otherwise only tokens in the wanted state.
    if (!choice.slot && bool(info.flags & CKF_TOKEN_INITIALIZED) != initialised) continue;
    out.push_back(slot);
  }
  return out;
}

CK_SLOT_ID only_one(const std::vector<CK_SLOT_ID>& slots, const char* none) {
  if (slots.empty()) throw UsageError(UsageError::Kind::no_token, none);
  if (slots.size() > 1) throw UsageError(UsageError::Kind::several_tokens, "several tokens match");
  return slots.front();
}

}  // namespace

TokenSummary describe_token(const Module& module, CK_SLOT_ID slot) {
  TokenSummary t;
  t.slot = slot;
  const CK_SLOT_INFO slot_info = module.slot_info(slot);
  t.slot_description = padded_field(slot_info.slotDescription);
  t.present = slot_info.flags & CKF_TOKEN_PRESENT;
  if (!t.present) return t;
  const CK_TOKEN_INFO info = module.token_info(slot);
  t.flags = info.flags;
  t.initialized = info.flags & CKF_TOKEN_INITIALIZED;
  t.label = padded_field(info.label);
  t.manufacturer = padded_field(info.manufacturerID);
  t.model = padded_field(info.model);
  t.serial = padded_field(reinterpret_cast<const CK_UTF8CHAR*>(info.serialNumber), sizeof info.serialNumber);
  t.free_public = known(info.ulFreePublicMemory);
  t.total_public = known(info.ulTotalPublicMemory);
  t.free_private = known(info.ulFreePrivateMemory);
  t.total_private = known(info.ulTotalPrivateMemory);
  t.min_pin = info.ulMinPinLen;
  t.max_pin = info.ulMaxPinLen;
  t.login_required = info.flags & CKF_LOGIN_REQUIRED;
  t.protected_path = info.flags & CKF_PROTECTED_AUTHENTICATION_PATH;
  if (t.initialized) t.policy = read_policy(module, slot);
  t.user = pin_state(info.flags, kUserPinFlags);
  t.so = pin_state(info.flags, kSoPinFlags);
  if (t.policy) {
    t.user.tries_left = t.policy->user_tries_left;
    t.user.max_tries = t.policy->rules.max_user_tries;
    t.so.tries_left = t.policy->so_tries_left;
    t.so.max_tries = t.policy->rules.max_so_tries;
  }
  return t;
}

std::vector<TokenSummary> list_tokens(const Module& module) {
  std::vector<TokenSummary> out;
  for (CK_SLOT_ID slot : module.slots(false)) out.push_back(describe_token(module, slot));
  return out;
}

CK_SLOT_ID choose_token(const Module& module, const TokenChoice& choice) {
  return only_one(matching(module, choice, true), "no initialised token");
}

CK_SLOT_ID choose_uninitialised_token(const Module& module, const TokenChoice& choice) {
  return only_one(matching(module, choice, false), "no uninitialised token");
}

}  // namespace ecert::manager
