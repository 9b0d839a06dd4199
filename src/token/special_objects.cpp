// The attributes of the module's built-in objects, and the rules of a change
// to the policy object: its settable attributes are the policy fields of
// policy/policy_fields.h, the rest is read-only.
#include "token/special_objects.h"

#include "common/error.h"
#include "common/padded_text.h"
#include "policy/policy_fields.h"

namespace ecert::token {
namespace {

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
  for (const policy::PolicyField& f : policy::policy_fields()) {
    if (!f.settable()) continue;
    if (f.kind == policy::FieldKind::flag)
      a.set_bool(f.attribute, f.get(policy) != 0);
    else
      a.set_ulong(f.attribute, f.get(policy));
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
    const policy::PolicyField* found = policy::find_field(type);
    if (found == nullptr || !found->settable()) {
      bool known = type == CKA_ECERT_USER_TRIES_LEFT || type == CKA_ECERT_SO_TRIES_LEFT ||
                   type == CKA_ECERT_KDF_MEMORY_KIB || type == CKA_ECERT_KDF_ITERATIONS || type == CKA_CLASS ||
                   type == CKA_TOKEN || type == CKA_PRIVATE || type == CKA_MODIFIABLE || type == CKA_COPYABLE ||
                   type == CKA_DESTROYABLE || type == CKA_LABEL;
      fail(known ? CKR_ATTRIBUTE_READ_ONLY : CKR_ATTRIBUTE_TYPE_INVALID, "policy attribute");
    }
    if (found->kind == policy::FieldKind::number) {
      std::optional<CK_ULONG> v = change.get_ulong(type);
      require(v && *v <= 0xFFFFFFFFUL, CKR_ATTRIBUTE_VALUE_INVALID, "policy value");
      found->set(out.policy, static_cast<std::uint32_t>(*v));
    } else {
      std::optional<bool> v = change.get_bool(type);
      require(v.has_value(), CKR_ATTRIBUTE_VALUE_INVALID, "policy flag");
      found->set(out.policy, *v ? 1 : 0);
    }
  }
  out.policy.validate();
  return out;
}

}  // namespace ecert::token
