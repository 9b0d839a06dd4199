#include "token/special_objects.h"

#include "common/error.h"
#include "token/padded_text.h"

namespace ecert::token {
namespace {

struct PolicyAttribute {
  CK_ATTRIBUTE_TYPE type;
  std::uint32_t PinPolicy::*number;
  bool PinPolicy::*flag;
};

const PolicyAttribute kPolicyAttributes[] = {
    {CKA_ECERT_MIN_PIN_LEN, &PinPolicy::min_length, nullptr},
    {CKA_ECERT_MAX_PIN_LEN, &PinPolicy::max_length, nullptr},
    {CKA_ECERT_REQUIRE_UPPER, nullptr, &PinPolicy::require_upper},
    {CKA_ECERT_REQUIRE_LOWER, nullptr, &PinPolicy::require_lower},
    {CKA_ECERT_REQUIRE_DIGIT, nullptr, &PinPolicy::require_digit},
    {CKA_ECERT_REQUIRE_SPECIAL, nullptr, &PinPolicy::require_special},
    {CKA_ECERT_HISTORY_SIZE, &PinPolicy::history_size, nullptr},
    {CKA_ECERT_MAX_REPEAT, &PinPolicy::max_repeat, nullptr},
    {CKA_ECERT_MAX_USER_TRIES, &PinPolicy::max_user_tries, nullptr},
    {CKA_ECERT_MAX_SO_TRIES, &PinPolicy::max_so_tries, nullptr},
    {CKA_ECERT_ISSUER_MIN_PIN_LEN, &PinPolicy::issuer_min_length, nullptr},
    {CKA_ECERT_ISSUER_MAX_PIN_LEN, &PinPolicy::issuer_max_length, nullptr},
    {CKA_ECERT_MUST_CHANGE, nullptr, &PinPolicy::must_change},
    {CKA_ECERT_PROTECTED_PATH, nullptr, &PinPolicy::protected_path},
};

void set_fixed_common(AttributeMap& a, CK_OBJECT_CLASS cls, const char* label, bool modifiable) {
  a.set_ulong(CKA_CLASS, cls);
  a.set_bool(CKA_TOKEN, true);
  a.set_bool(CKA_PRIVATE, false);
  a.set_bool(CKA_MODIFIABLE, modifiable);
  a.set_bool(CKA_COPYABLE, false);
  a.set_bool(CKA_DESTROYABLE, false);
  a.set_string(CKA_LABEL, label);
}
}  // namespace

AttributeMap profile_object_attributes() {
  AttributeMap a;
  set_fixed_common(a, CKO_PROFILE, "", false);
  a.set_ulong(CKA_PROFILE_ID, CKP_PUBLIC_CERTIFICATES_TOKEN);
  return a;
}

AttributeMap policy_object_attributes(const PinPolicy& policy, std::uint32_t user_tries_left,
                                      std::uint32_t so_tries_left, const store::KdfCost& kdf,
                                      const std::string& token_label) {
  AttributeMap a;
  set_fixed_common(a, CKO_ECERT_POLICY, "PIN policy", true);
  for (const PolicyAttribute& p : kPolicyAttributes) {
    if (p.number) a.set_ulong(p.type, policy.*p.number);
    else a.set_bool(p.type, policy.*p.flag);
  }
  a.set_ulong(CKA_ECERT_USER_TRIES_LEFT, user_tries_left);
  a.set_ulong(CKA_ECERT_SO_TRIES_LEFT, so_tries_left);
  a.set_ulong(CKA_ECERT_KDF_MEMORY_KIB, kdf.memory_kib);
  a.set_ulong(CKA_ECERT_KDF_ITERATIONS, kdf.iterations);
  a.set_string(CKA_ECERT_TOKEN_LABEL, token_label);
  return a;
}

PolicyObjectChange apply_policy_change(const PinPolicy& current, const AttributeMap& change) {
  PolicyObjectChange out{current, std::nullopt};
  for (const auto& [type, value] : change.values()) {
    if (type == CKA_ECERT_TOKEN_LABEL) {
      std::string_view text(reinterpret_cast<const char*>(value.data()), value.size());
      out.token_label = token_label_from_value(text);
      require(out.token_label.has_value(), CKR_ATTRIBUTE_VALUE_INVALID, "token label");
      continue;
    }
    const PolicyAttribute* found = nullptr;
    for (const PolicyAttribute& p : kPolicyAttributes) {
      if (p.type == type) found = &p;
    }
    if (found == nullptr) {
      bool known = type == CKA_ECERT_USER_TRIES_LEFT || type == CKA_ECERT_SO_TRIES_LEFT ||
                   type == CKA_ECERT_KDF_MEMORY_KIB || type == CKA_ECERT_KDF_ITERATIONS || type == CKA_CLASS ||
                   type == CKA_TOKEN || type == CKA_PRIVATE || type == CKA_MODIFIABLE ||
                   type == CKA_COPYABLE || type == CKA_DESTROYABLE || type == CKA_LABEL;
      fail(known ? CKR_ATTRIBUTE_READ_ONLY : CKR_ATTRIBUTE_TYPE_INVALID, "policy attribute");
    }
    if (found->number) {
      CK_ULONG v = *change.get_ulong(type);
      require(v <= 0xFFFFFFFFUL, CKR_ATTRIBUTE_VALUE_INVALID, "policy value");
      out.policy.*found->number = static_cast<std::uint32_t>(v);
    } else {
      out.policy.*found->flag = *change.get_bool(type);
    }
  }
  out.policy.validate();
  return out;
}

}  // namespace ecert::token
