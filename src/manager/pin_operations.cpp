// The PIN life of a token over PKCS#11: checking a new or current password
// before the token is asked (so refused input costs no try), envelope PINs,
// making, unblocking, relabelling and wiping a token.
#include "manager/pin_operations.h"

#include <openssl/rand.h>

#include <cstring>

#include "manager/i18n.h"
#include "manager/session.h"

namespace ecert::manager {
namespace {

CK_ULONG length_of(std::string_view s) { return static_cast<CK_ULONG>(s.size()); }

// A blank-padded 32-byte label field, as C_InitToken wants it.
void label_field(const std::string& label, CK_UTF8CHAR (&field)[32]) {
  // The limit is C_InitToken's 32 bytes, which a person does not count:
  // said as letters and Chinese characters (3 bytes each in UTF-8).
  if (label.size() > sizeof field)
    throw UsageError(UsageError::Kind::bad_input,
                     N_("the label is too long: a token label holds at most 32 letters or digits, or 10 Chinese "
                        "characters"));
  std::memset(field, ' ', sizeof field);
  std::memcpy(field, label.data(), label.size());
}

}  // namespace

PinCheck check_new_pin(const Module& module, CK_SLOT_ID slot, PinRole role, std::string_view pin) {
  PinCheck out;
  if (const auto policy = read_policy(module, slot)) {
    const policy::PinPolicy& rules = policy->rules;
    out.problem = role == PinRole::owner ? policy::check_owner_pin(rules, pin) : policy::check_issuer_pin(rules, pin);
    const policy::RuleLimits limits = policy::limits_of(rules, role);
    out.min_length = static_cast<std::uint32_t>(limits.min_length);
    out.max_length = static_cast<std::uint32_t>(limits.max_length);
    out.max_repeat = static_cast<std::uint32_t>(limits.max_repeat);
    return out;
  }
  const CK_TOKEN_INFO info = module.token_info(slot);
  out.min_length = static_cast<std::uint32_t>(info.ulMinPinLen);
  out.max_length = static_cast<std::uint32_t>(info.ulMaxPinLen);
  if (pin.size() < info.ulMinPinLen)
    out.problem = policy::PinProblem::too_short;
  else if (info.ulMaxPinLen != 0 && pin.size() > info.ulMaxPinLen)
    out.problem = policy::PinProblem::too_long;
  return out;
}

CurrentPinCheck check_current_pin(const Module& module, CK_SLOT_ID slot, std::string_view pin) {
  const CK_TOKEN_INFO info = module.token_info(slot);
  CurrentPinCheck out;
  out.min_length = info.ulMinPinLen;
  // Some modules report no upper limit this way.
  const bool no_max = info.ulMaxPinLen == 0 || info.ulMaxPinLen == CK_UNAVAILABLE_INFORMATION ||
                      info.ulMaxPinLen == CK_EFFECTIVELY_INFINITE;
  out.max_length = no_max ? 0 : info.ulMaxPinLen;
  using Problem = CurrentPinCheck::Problem;
  if (pin.empty())
    out.problem = Problem::empty;
  else if (pin.size() < out.min_length)
    out.problem = Problem::too_short;
  else if (out.max_length != 0 && pin.size() > out.max_length)
    out.problem = Problem::too_long;
  return out;
}

void verify_pin(const Module& module, CK_SLOT_ID slot, CK_USER_TYPE who, std::string_view pin) {
  // The SO may only log in to a read/write session.
  Session session(module, slot, true);
  try {
    session.login(who, pin);
  } catch (const P11Error& e) {
    if (e.rv() == CKR_PIN_EXPIRED) return;  // right, but must be changed: not logged in
    throw;
  }
  session.logout();
}

SecureString random_envelope_pin() {
  SecureString pin;
  while (pin.size() < 8) {
    unsigned char byte = 0;
    if (RAND_bytes(&byte, 1) != 1) throw std::runtime_error("the random generator failed");
    // 250 = 25 * 10: rejecting 250..255 keeps every digit equally likely.
    if (byte < 250) pin.push_back(static_cast<char>('0' + byte % 10));
    byte = 0;
  }
  return pin;
}

void init_token(const Module& module, CK_SLOT_ID slot, std::string_view so_pin, const std::string& label,
                std::string_view user_pin) {
  CK_UTF8CHAR field[32];
  label_field(label, field);
  check(module.p11()->C_InitToken(slot, pin_pointer(so_pin), length_of(so_pin), field), "C_InitToken");
  Session session(module, slot, true);
  session.login(CKU_SO, so_pin);
  check(module.p11()->C_InitPIN(session.handle(), pin_pointer(user_pin), length_of(user_pin)), "C_InitPIN");
}

void change_user_pin(const Module& module, CK_SLOT_ID slot, std::string_view old_pin, std::string_view new_pin) {
  Session session(module, slot, true);
  check(module.p11()->C_SetPIN(session.handle(), pin_pointer(old_pin), length_of(old_pin), pin_pointer(new_pin),
                               length_of(new_pin)),
        "C_SetPIN");
}

void change_so_pin(const Module& module, CK_SLOT_ID slot, std::string_view old_pin, std::string_view new_pin) {
  Session session(module, slot, true);
  session.login(CKU_SO, old_pin);
  check(module.p11()->C_SetPIN(session.handle(), pin_pointer(old_pin), length_of(old_pin), pin_pointer(new_pin),
                               length_of(new_pin)),
        "C_SetPIN");
}

void unblock_user_pin(const Module& module, CK_SLOT_ID slot, std::string_view so_pin, std::string_view new_pin,
                      std::optional<std::string_view> owner_pin) {
  {
    Session session(module, slot, true);
    session.login(CKU_SO, so_pin);
    check(module.p11()->C_InitPIN(session.handle(), pin_pointer(new_pin), length_of(new_pin)), "C_InitPIN");
  }
  if (owner_pin) change_user_pin(module, slot, new_pin, *owner_pin);
}

void rename_token(const Module& module, CK_SLOT_ID slot, std::string_view so_pin, const std::string& label) {
  CK_UTF8CHAR field[32];
  label_field(label, field);  // the same limit C_InitToken has
  Session session(module, slot, true);
  session.login(CKU_SO, so_pin);
  write_token_label(session, label);
}

void wipe_token(const Module& module, CK_SLOT_ID slot, std::string_view so_pin) {
  const CK_TOKEN_INFO info = module.token_info(slot);
  const std::optional<TokenPolicy> policy = read_policy(module, slot);
  CK_UTF8CHAR field[32];
  std::memcpy(field, info.label, sizeof field);
  check(module.p11()->C_InitToken(slot, pin_pointer(so_pin), length_of(so_pin), field), "C_InitToken");
  if (!policy) return;
  std::vector<PolicyChange> restore;
  for (const policy::PolicyField& f : policy::policy_fields()) {
    if (f.settable()) restore.emplace_back(&f, f.get(policy->rules));
  }
  Session session(module, slot, true);
  session.login(CKU_SO, so_pin);
  write_policy(session, restore);
}

}  // namespace ecert::manager
