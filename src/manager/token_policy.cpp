// Reading and changing an ecert-token token's password policy through its
// policy object, field by field as policy/policy_fields.h lists them.
#include "manager/token_policy.h"

namespace ecert::manager {
namespace {

std::optional<CK_OBJECT_HANDLE> policy_object(Session& session) {
  AttributeTemplate match;
  match.add_ulong(CKA_CLASS, CKO_ECERT_POLICY);
  const auto found = session.find(std::move(match));
  if (found.empty()) return std::nullopt;
  return found.front();
}

}  // namespace

std::optional<TokenPolicy> read_policy(const Module& module, CK_SLOT_ID slot) {
  if (!module.is_ecert()) return std::nullopt;
  Session session(module, slot, false);
  const auto object = policy_object(session);
  if (!object) return std::nullopt;
  TokenPolicy out;
  for (const policy::PolicyField& f : policy::policy_fields()) {
    if (!f.settable()) continue;
    if (f.kind == policy::FieldKind::flag) {
      if (const auto v = session.bool_attribute(*object, f.attribute)) f.set(out.rules, *v);
    } else if (const auto v = session.ulong_attribute(*object, f.attribute)) {
      f.set(out.rules, static_cast<std::uint32_t>(*v));
    }
  }
  out.user_tries_left =
      static_cast<std::uint32_t>(session.ulong_attribute(*object, CKA_ECERT_USER_TRIES_LEFT).value_or(0));
  out.so_tries_left = static_cast<std::uint32_t>(session.ulong_attribute(*object, CKA_ECERT_SO_TRIES_LEFT).value_or(0));
  return out;
}

void write_policy(Session& so_session, const std::vector<PolicyChange>& changes) {
  const auto object = policy_object(so_session);
  if (!object) throw UsageError(UsageError::Kind::not_supported, "the token has no policy object");
  AttributeTemplate change;
  for (const auto& [field, value] : changes) {
    if (field->kind == policy::FieldKind::flag)
      change.add_bool(field->attribute, value != 0);
    else
      change.add_ulong(field->attribute, value);
  }
  so_session.set_attributes(*object, std::move(change));
}

void write_token_label(Session& so_session, const std::string& label) {
  const auto object = so_session.module().is_ecert() ? policy_object(so_session) : std::nullopt;
  if (!object) throw UsageError(UsageError::Kind::not_supported, "the token cannot be renamed through PKCS#11");
  AttributeTemplate change;
  change.add_text(CKA_ECERT_TOKEN_LABEL, label);
  so_session.set_attributes(*object, std::move(change));
}

}  // namespace ecert::manager
