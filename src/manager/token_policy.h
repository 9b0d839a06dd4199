// The password policy of an ecert-token token, read and changed through its
// vendor policy object (CKO_ECERT_POLICY, include/ecert/pkcs11.h). Tokens of
// other modules have no such object: read_policy() then gives nullopt and the
// manager falls back to what CK_TOKEN_INFO says.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "manager/pkcs11_module.h"
#include "manager/session.h"
#include "policy/policy_fields.h"

namespace ecert::manager {

struct TokenPolicy {
  policy::PinPolicy rules;
  std::uint32_t user_tries_left = 0;
  std::uint32_t so_tries_left = 0;
};

// One change of a settable field (policy::PolicyField::settable()).
using PolicyChange = std::pair<const policy::PolicyField*, std::uint32_t>;

// The policy of the token in `slot` through a public R/O session; nullopt
// when the token has no policy object (another vendor's module).
std::optional<TokenPolicy> read_policy(const Module& module, CK_SLOT_ID slot);

// Applies `changes` (field, value) in one C_SetAttributeValue. `so_session`
// must be an R/W session with the SO logged in; the module checks the
// combination (CKR_ATTRIBUTE_VALUE_INVALID when it contradicts itself).
void write_policy(Session& so_session, const std::vector<PolicyChange>& changes);

// The token label of an ecert-token token, changed by the SO through the
// policy object (CKA_ECERT_TOKEN_LABEL). Throws UsageError(not_supported) on
// a token without a policy object.
void write_token_label(Session& so_session, const std::string& label);

}  // namespace ecert::manager
