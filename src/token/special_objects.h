// The module's built-in objects, present on every initialised token and never
// stored: the CKO_PROFILE object (CKP_PUBLIC_CERTIFICATES_TOKEN), which tells
// NSS it may read certificates without logging in, and the vendor-defined
// policy object (CKO_ECERT_POLICY, see ecert/pkcs11.h), through which the
// token manager reads and sets the PIN policy, sees the tries left and renames
// the token.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/attribute_map.h"
#include "policy/pin_policy.h"
#include "store/pin_kdf.h"

namespace ecert::token {

using policy::PinPolicy;

AttributeMap profile_object_attributes();
AttributeMap policy_object_attributes(const PinPolicy& policy, std::uint32_t user_tries_left,
                                      std::uint32_t so_tries_left, const store::KdfCost& kdf,
                                      const std::string& token_label);

// What a C_SetAttributeValue on the policy object asks for.
struct PolicyObjectChange {
  PinPolicy policy;
  std::optional<std::string> token_label;  // set when the token is renamed
};

// The change a C_SetAttributeValue on the policy object makes, checked whole
// before anything is written. Tries left, KDF cost and the common attributes:
// CKR_ATTRIBUTE_READ_ONLY; attributes the object does not have:
// CKR_ATTRIBUTE_TYPE_INVALID; bad values (a token label outside the rules of
// token_label_from_value included): CKR_ATTRIBUTE_VALUE_INVALID.
PolicyObjectChange apply_policy_change(const PinPolicy& current, const AttributeMap& change);

}  // namespace ecert::token
