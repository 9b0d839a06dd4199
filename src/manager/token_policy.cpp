#include "manager/token_policy.h"

namespace ecert::manager {
namespace {

using token::PinPolicy;

std::optional<CK_OBJECT_HANDLE> policy_object(Session& session) {
  AttributeTemplate match;
  match.add_ulong(CKA_CLASS, CKO_ECERT_POLICY);
  const auto found = session.find(std::move(match));
  if (found.empty()) return std::nullopt;
  return found.front();
}

}  // namespace

const std::vector<PolicyField>& policy_fields() {
  static const std::vector<PolicyField> fields = {
      {"min-length", CKA_ECERT_MIN_PIN_LEN, false, &PinPolicy::min_length, nullptr, 1, PinPolicy::kLongestPin},
      {"max-length", CKA_ECERT_MAX_PIN_LEN, false, &PinPolicy::max_length, nullptr, 1, PinPolicy::kLongestPin},
      {"require-upper", CKA_ECERT_REQUIRE_UPPER, true, nullptr, &PinPolicy::require_upper, 0, 1},
      {"require-lower", CKA_ECERT_REQUIRE_LOWER, true, nullptr, &PinPolicy::require_lower, 0, 1},
      {"require-digit", CKA_ECERT_REQUIRE_DIGIT, true, nullptr, &PinPolicy::require_digit, 0, 1},
      {"require-special", CKA_ECERT_REQUIRE_SPECIAL, true, nullptr, &PinPolicy::require_special, 0, 1},
      {"history", CKA_ECERT_HISTORY_SIZE, false, &PinPolicy::history_size, nullptr, 0, PinPolicy::kMaxHistory},
      {"max-repeat", CKA_ECERT_MAX_REPEAT, false, &PinPolicy::max_repeat, nullptr, 0, PinPolicy::kLongestPin},
      {"max-tries", CKA_ECERT_MAX_USER_TRIES, false, &PinPolicy::max_user_tries, nullptr, 1, PinPolicy::kMaxTries},
      {"max-so-tries", CKA_ECERT_MAX_SO_TRIES, false, &PinPolicy::max_so_tries, nullptr, 1, PinPolicy::kMaxTries},
      {"issuer-min-length", CKA_ECERT_ISSUER_MIN_PIN_LEN, false, &PinPolicy::issuer_min_length, nullptr, 1,
       PinPolicy::kLongestPin},
      {"issuer-max-length", CKA_ECERT_ISSUER_MAX_PIN_LEN, false, &PinPolicy::issuer_max_length, nullptr, 1,
       PinPolicy::kLongestPin},
      {"must-change", CKA_ECERT_MUST_CHANGE, true, nullptr, &PinPolicy::must_change, 0, 1},
      {"protected-path", CKA_ECERT_PROTECTED_PATH, true, nullptr, &PinPolicy::protected_path, 0, 1},
  };
  return fields;
}

const PolicyField* find_policy_field(const std::string& name) {
  for (const PolicyField& f : policy_fields()) {
    if (name == f.name) return &f;
  }
  return nullptr;
}

std::optional<TokenPolicy> read_policy(const Module& module, CK_SLOT_ID slot) {
  if (!module.is_ecert()) return std::nullopt;
  Session session(module, slot, false);
  const auto object = policy_object(session);
  if (!object) return std::nullopt;
  TokenPolicy out;
  for (const PolicyField& f : policy_fields()) {
    if (f.is_flag) {
      const auto v = session.bool_attribute(*object, f.type);
      if (v) out.rules.*f.flag = *v;
    } else {
      const auto v = session.ulong_attribute(*object, f.type);
      if (v) out.rules.*f.number = static_cast<std::uint32_t>(*v);
    }
  }
  out.user_tries_left = static_cast<std::uint32_t>(session.ulong_attribute(*object, CKA_ECERT_USER_TRIES_LEFT).value_or(0));
  out.so_tries_left = static_cast<std::uint32_t>(session.ulong_attribute(*object, CKA_ECERT_SO_TRIES_LEFT).value_or(0));
  return out;
}

void write_policy(Session& so_session, const std::vector<std::pair<const PolicyField*, std::uint32_t>>& changes) {
  const auto object = policy_object(so_session);
  if (!object) throw UsageError(UsageError::Kind::not_supported, "the token has no policy object");
  AttributeTemplate change;
  for (const auto& [field, value] : changes) {
    if (field->is_flag) change.add_bool(field->type, value != 0);
    else change.add_ulong(field->type, value);
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
