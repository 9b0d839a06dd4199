// The policy's one field table (src/policy/policy_fields.h) and its one table
// of rule texts (src/policy/rule_messages.h): what the store, the policy
// object, the manager and the CLI are generated from must be complete and
// without clashes, and every broken rule must have its sentence.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "common/error.h"
#include "policy/pin_policy.h"
#include "policy/policy_fields.h"
#include "policy/rule_messages.h"

namespace ecert::policy {
namespace {

TEST(PolicyFields, NamesStorageKeysAndAttributesAreUnique) {
  std::set<std::string> names, keys;
  std::set<CK_ATTRIBUTE_TYPE> attributes;
  for (const PolicyField& f : policy_fields()) {
    EXPECT_TRUE(names.insert(f.name).second) << f.name;
    EXPECT_TRUE(keys.insert(f.storage_key).second) << f.storage_key;
    if (f.settable()) {
      EXPECT_TRUE(attributes.insert(f.attribute).second) << f.name;
    }
    EXPECT_NE(f.help, nullptr) << f.name;
    // Exactly one member pointer, the one of its kind.
    EXPECT_EQ(f.kind == FieldKind::number, f.number != nullptr) << f.name;
    EXPECT_EQ(f.kind == FieldKind::flag, f.flag != nullptr) << f.name;
    if (f.kind == FieldKind::flag) {
      EXPECT_EQ(f.maximum, 1u) << f.name;
    }
  }
  // The stored names of shipped tokens never change.
  for (const char* key :
       {"min_length", "max_length", "require_upper", "require_lower", "require_digit", "require_special",
        "history_size", "max_repeat", "max_user_tries", "max_so_tries", "issuer_min_length", "issuer_max_length",
        "must_change", "protected_path", "held_min_bytes", "held_max_bytes"}) {
    EXPECT_EQ(keys.count(key), 1u) << key;
  }
}

TEST(PolicyFields, DefaultsAreInRangeAndAreWhatPinPolicyStartsWith) {
  const PinPolicy defaults;
  for (const PolicyField& f : policy_fields()) {
    EXPECT_GE(f.default_value, f.minimum) << f.name;
    EXPECT_LE(f.default_value, f.maximum) << f.name;
    EXPECT_EQ(f.get(defaults), f.default_value) << f.name;
  }
}

TEST(PolicyFields, EveryFieldRoundTripsThroughStorage) {
  PinPolicy changed;
  for (const PolicyField& f : policy_fields()) {
    // Another in-range value than the default, when the range has one.
    const std::uint32_t other = f.default_value == f.maximum ? f.minimum : f.default_value + 1;
    f.set(changed, other);
  }
  // Keep the pairs consistent (minimum <= maximum) for validate().
  changed.max_length = changed.min_length + 1;
  changed.issuer_max_length = changed.issuer_min_length + 1;
  const PinPolicy back = PinPolicy::from_values(changed.to_values());
  for (const PolicyField& f : policy_fields()) EXPECT_EQ(f.get(back), f.get(changed)) << f.name;
}

TEST(PolicyFields, ValidateRefusesEachFieldOutsideItsRange) {
  for (const PolicyField& f : policy_fields()) {
    if (f.kind == FieldKind::flag) continue;  // a flag has no value outside 0..1
    PinPolicy p;
    if (f.minimum > 0) {
      f.set(p, f.minimum - 1);
      EXPECT_THROW(p.validate(), Error) << f.name << " below its minimum";
    }
    p = PinPolicy{};
    f.set(p, f.maximum + 1);
    EXPECT_THROW(p.validate(), Error) << f.name << " above its maximum";
  }
}

TEST(PolicyFields, LookupsFindEachFieldAndNothingElse) {
  for (const PolicyField& f : policy_fields()) {
    EXPECT_EQ(find_field(std::string_view(f.name)), &f);
    if (f.settable()) {
      EXPECT_EQ(find_field(f.attribute), &f);
    }
  }
  EXPECT_EQ(find_field(std::string_view("no-such-field")), nullptr);
  EXPECT_EQ(find_field(CKA_ECERT_USER_TRIES_LEFT), nullptr);  // read-only: not a policy field
  EXPECT_EQ(find_field(kNoAttribute), nullptr);
}

TEST(RuleMessages, EveryProblemHasASentenceWithItsNumber) {
  const RuleLimits limits{7, 42, 5};
  for (PinProblem p : {PinProblem::too_short, PinProblem::too_long, PinProblem::not_utf8, PinProblem::control_character,
                       PinProblem::no_upper, PinProblem::no_lower, PinProblem::no_digit, PinProblem::no_special,
                       PinProblem::repeated_character, PinProblem::reused}) {
    EXPECT_FALSE(problem_message(p, limits).empty()) << static_cast<int>(p);
  }
  EXPECT_EQ(problem_message(PinProblem::none, limits), "");
  EXPECT_NE(problem_message(PinProblem::too_short, limits).find("at least 7 characters"), std::string::npos);
  EXPECT_NE(problem_message(PinProblem::too_long, limits).find("at most 42 characters"), std::string::npos);
  EXPECT_NE(problem_message(PinProblem::repeated_character, limits).find("than 5 times"), std::string::npos);
  EXPECT_NE(problem_message(PinProblem::too_short, {1, 1, 0}).find("at least 1 character."), std::string::npos);
}

TEST(RuleMessages, TheIssuerRuleIsItsLengthOnly) {
  PinPolicy p;
  p.issuer_min_length = 6;
  p.issuer_max_length = 12;
  const std::string issuer = rules_message(p, RuleSet::issuer, false);
  EXPECT_NE(issuer.find("have 6 to 12 characters"), std::string::npos) << issuer;
  EXPECT_EQ(issuer.find("upper-case"), std::string::npos) << issuer;
  const std::string owner = rules_message(p, RuleSet::owner, true);
  EXPECT_NE(owner.find("have 8 to 64 characters"), std::string::npos) << owner;
  EXPECT_NE(owner.find("upper-case"), std::string::npos) << owner;
  EXPECT_NE(owner.find("the last 10 are remembered"), std::string::npos) << owner;
  EXPECT_EQ(rules_message(p, RuleSet::owner, false).find("remembered"), std::string::npos);
}

}  // namespace
}  // namespace ecert::policy
