// The one list of the PIN policy's fields. The store's policy table, the
// token's policy object (CKO_ECERT_POLICY), the manager's reading and writing
// of it and the CLI's `policy set` options are all generated from this table,
// and PinPolicy's defaults and ranges come from it.
//
// Adding a policy field means: one member in PinPolicy (pin_policy.h), one row
// in kFields (policy_fields.cpp) and, when the field is on the policy object,
// its CKA_ECERT_* number in include/ecert/pkcs11.h; then the translation of
// its help text in po/zh_HK.po. Nothing else lists the fields.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "ecert/pkcs11.h"
#include "policy/pin_policy.h"

namespace ecert::policy {

enum class FieldKind {
  number,  // CK_ULONG on the policy object
  flag,    // CK_BBOOL on the policy object; 0 or 1 in storage
};

// The attribute of a field the token keeps to itself (not on the object).
inline constexpr CK_ATTRIBUTE_TYPE kNoAttribute = CK_UNAVAILABLE_INFORMATION;

struct PolicyField {
  const char* name;             // stable option and JSON name ("min-length"); --json writes it with '_'
  const char* storage_key;      // the store's policy table ("min_length"); never changes once shipped
  CK_ATTRIBUTE_TYPE attribute;  // CKA_ECERT_*, or kNoAttribute
  FieldKind kind;
  std::uint32_t minimum;  // accepted range (a flag: 0..1)
  std::uint32_t maximum;
  std::uint32_t default_value;       // the e-Cert rule
  std::uint32_t PinPolicy::*number;  // the member, for FieldKind::number
  bool PinPolicy::*flag;             // the member, for FieldKind::flag
  const char* help;                  // what the field means, English msgid (translated where shown)

  // Whether the SO may set it through the policy object (and the CLI offers it).
  bool settable() const { return attribute != kNoAttribute; }
  std::uint32_t get(const PinPolicy& policy) const;
  // `value` is stored as given (a flag: nonzero is true); validate() checks ranges.
  void set(PinPolicy& policy, std::uint32_t value) const;
};

// Every field, in the order a person reads them.
std::span<const PolicyField> policy_fields();
// The field of an option name or of a policy object attribute; nullptr if none.
const PolicyField* find_field(std::string_view name);
const PolicyField* find_field(CK_ATTRIBUTE_TYPE attribute);

}  // namespace ecert::policy
