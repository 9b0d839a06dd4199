// The manager's token discovery, PIN state, policy and PIN operations against
// the real module: what `ecert-token list/info/init/change-pin/unblock/
// policy/rename/wipe` are built on.
#include <set>

#include "manager/messages.h"
#include "manager/pin_operations.h"
#include "manager/token_policy.h"
#include "manager/tokens.h"
#include "manager_test_support.h"

namespace ecert::manager {
namespace {

using namespace test::support;

class ManagerTokenTest : public ManagerTest {};

TEST_F(ManagerTokenTest, RecognisesOurModuleAndListsTheSpareSlot) {
  EXPECT_TRUE(module().is_ecert());
  const auto tokens = list_tokens(module());
  ASSERT_EQ(tokens.size(), 1u);
  EXPECT_TRUE(tokens[0].present);
  EXPECT_FALSE(tokens[0].initialized);
  EXPECT_THROW(choose_token(module(), {}), UsageError);
  EXPECT_EQ(choose_uninitialised_token(module(), {}), tokens[0].slot);
}

TEST_F(ManagerTokenTest, InitSetsAnEnvelopePinThatMustBeChanged) {
  const CK_SLOT_ID slot = choose_uninitialised_token(module(), {});
  const SecureString envelope = random_envelope_pin();
  manager::init_token(module(), slot, kSoPin, "陳大文的 e-Cert", envelope);
  const TokenSummary t = describe_token(module(), slot);
  EXPECT_TRUE(t.initialized);
  EXPECT_EQ(t.label, "陳大文的 e-Cert");
  EXPECT_EQ(t.model, "e-Cert test KDF");  // made with ECERT_TOKEN_KDF=test
  EXPECT_TRUE(t.user.initialized);
  EXPECT_TRUE(t.user.must_change);
  ASSERT_TRUE(t.user.tries_left.has_value());
  EXPECT_EQ(*t.user.tries_left, 15u);
  EXPECT_EQ(*t.user.max_tries, 15u);
  EXPECT_EQ(choose_token(module(), {}), slot);
  EXPECT_EQ(choose_token(module(), TokenChoice{std::nullopt, std::string("陳大文的 e-Cert")}), slot);
  EXPECT_THROW(choose_token(module(), TokenChoice{std::nullopt, std::string("other")}), UsageError);

  // The envelope PIN cannot log in; changed, the new one can.
  {
    Session s(module(), slot, false);
    EXPECT_EQ(rv_of([&] { s.login(CKU_USER, envelope); }), static_cast<CK_RV>(CKR_PIN_EXPIRED));
  }
  manager::change_user_pin(module(), slot, envelope, kUserPin);
  EXPECT_FALSE(describe_token(module(), slot).user.must_change);
  Session s(module(), slot, false);
  EXPECT_EQ(rv_of([&] { s.login(CKU_USER, kUserPin); }), static_cast<CK_RV>(CKR_OK));
}

TEST_F(ManagerTokenTest, EnvelopePinsAreEightDigitsAndVary) {
  std::set<std::string> seen;
  std::set<char> digits;
  for (int i = 0; i < 200; ++i) {
    const SecureString pin = random_envelope_pin();
    ASSERT_EQ(pin.size(), 8u);
    for (char c : pin) {
      ASSERT_TRUE(c >= '0' && c <= '9');
      digits.insert(c);
    }
    seen.insert(std::string(pin.begin(), pin.end()));
  }
  EXPECT_EQ(seen.size(), 200u);
  EXPECT_EQ(digits.size(), 10u);
}

TEST_F(ManagerTokenTest, WrongPinsCountDownAndLockThenUnblockRestores) {
  const CK_SLOT_ID slot = ready_token();
  for (std::uint32_t i = 1; i <= 15; ++i) {
    const CK_RV rv = rv_of([&] { manager::change_user_pin(module(), slot, "Wrong-Pin#1", "Other-Pin#2026"); });
    // The 15th wrong PIN is still "incorrect"; it leaves the token locked.
    EXPECT_EQ(rv, static_cast<CK_RV>(CKR_PIN_INCORRECT)) << i;
    const TokenSummary t = describe_token(module(), slot);
    EXPECT_EQ(*t.user.tries_left, 15 - i);
    EXPECT_EQ(t.user.locked, i == 15);
  }
  EXPECT_EQ(rv_of([&] { manager::change_user_pin(module(), slot, kUserPin, "Other-Pin#2026"); }),
            static_cast<CK_RV>(CKR_PIN_LOCKED));

  // A new envelope PIN from the SO, which the owner must change.
  unblock_user_pin(module(), slot, kSoPin, "87654321", std::nullopt);
  TokenSummary t = describe_token(module(), slot);
  EXPECT_FALSE(t.user.locked);
  EXPECT_TRUE(t.user.must_change);
  EXPECT_EQ(*t.user.tries_left, 15u);

  // The owner at the desk: temporary PIN and the owner's own at once.
  unblock_user_pin(module(), slot, kSoPin, "11223344", std::string_view("Desk-Pin#2026"));
  t = describe_token(module(), slot);
  EXPECT_FALSE(t.user.must_change);
  Session s(module(), slot, false);
  EXPECT_EQ(rv_of([&] { s.login(CKU_USER, "Desk-Pin#2026"); }), static_cast<CK_RV>(CKR_OK));
}

TEST_F(ManagerTokenTest, NewPinChecksNameTheBrokenRule) {
  const CK_SLOT_ID slot = ready_token();
  using policy::PinProblem;
  const std::pair<const char*, PinProblem> cases[] = {
      {"Ab1#", PinProblem::too_short},       {"abcdefg1#", PinProblem::no_upper},
      {"ABCDEFG1#", PinProblem::no_lower},   {"Abcdefgh#", PinProblem::no_digit},
      {"Abcdefgh1", PinProblem::no_special}, {"Abbbbcd1#", PinProblem::repeated_character},
      {"Good-Pin#2026", PinProblem::none},
  };
  for (const auto& [pin, problem] : cases) {
    const PinCheck check = check_new_pin(module(), slot, PinRole::owner, pin);
    EXPECT_EQ(check.problem, problem) << pin;
    EXPECT_EQ(check.min_length, 8u);
    EXPECT_EQ(describe_pin_problem(check).empty(), problem == PinProblem::none) << pin;
  }
  EXPECT_EQ(check_new_pin(module(), slot, PinRole::owner, std::string(65, 'a')).problem, PinProblem::too_long);
  // The issuer's rule allows digits alone.
  EXPECT_EQ(check_new_pin(module(), slot, PinRole::issuer, "12345678").problem, PinProblem::none);
  // A refused new PIN is checked before the token: no try is spent.
  EXPECT_EQ(*describe_token(module(), slot).user.tries_left, 15u);
}

TEST_F(ManagerTokenTest, PolicyIsReadAndSetByTheSoOnly) {
  const CK_SLOT_ID slot = ready_token();
  auto policy = read_policy(module(), slot);
  ASSERT_TRUE(policy);
  EXPECT_EQ(policy->rules.max_user_tries, 15u);
  EXPECT_TRUE(policy->rules.require_special);

  const policy::PolicyField* tries = policy::find_field("max-tries");
  const policy::PolicyField* special = policy::find_field("require-special");
  ASSERT_NE(tries, nullptr);
  ASSERT_NE(special, nullptr);
  EXPECT_EQ(policy::find_field("no-such-field"), nullptr);
  {
    Session user(module(), slot, true);
    user.login(CKU_USER, kUserPin);
    EXPECT_NE(rv_of([&] { write_policy(user, {{tries, 5}}); }), static_cast<CK_RV>(CKR_OK));
  }
  {
    Session so(module(), slot, true);
    so.login(CKU_SO, kSoPin);
    write_policy(so, {{tries, 5}, {special, 0}});
    EXPECT_EQ(rv_of([&] { write_policy(so, {{tries, 16}}); }), static_cast<CK_RV>(CKR_ATTRIBUTE_VALUE_INVALID));
  }
  policy = read_policy(module(), slot);
  EXPECT_EQ(policy->rules.max_user_tries, 5u);
  EXPECT_FALSE(policy->rules.require_special);
  EXPECT_EQ(policy->user_tries_left, 5u);
  EXPECT_EQ(check_new_pin(module(), slot, PinRole::owner, "Abcdefgh1").problem, policy::PinProblem::none);
}

TEST_F(ManagerTokenTest, ProtectedPathIsAPolicyFlagOffByDefaultAndKeptByWipe) {
  const CK_SLOT_ID slot = ready_token();
  EXPECT_FALSE(describe_token(module(), slot).protected_path);
  EXPECT_FALSE(read_policy(module(), slot)->rules.protected_path);
  const policy::PolicyField* field = policy::find_field("protected-path");
  ASSERT_NE(field, nullptr);
  EXPECT_EQ(field->kind, policy::FieldKind::flag);
  EXPECT_EQ(field->attribute, static_cast<CK_ATTRIBUTE_TYPE>(CKA_ECERT_PROTECTED_PATH));
  {
    Session so(module(), slot, true);
    so.login(CKU_SO, kSoPin);
    write_policy(so, {{field, 1}});
  }
  EXPECT_TRUE(read_policy(module(), slot)->rules.protected_path);
  // CK_TOKEN_INFO says so (what browsers read).
  EXPECT_TRUE(describe_token(module(), slot).protected_path);
  // Passwords given by the manager keep working on such a token.
  manager::change_user_pin(module(), slot, kUserPin, "Brand-New#2027");
  wipe_token(module(), slot, kSoPin);
  EXPECT_TRUE(read_policy(module(), slot)->rules.protected_path);
  {
    Session so(module(), slot, true);
    so.login(CKU_SO, kSoPin);
    write_policy(so, {{field, 0}});
  }
  EXPECT_FALSE(describe_token(module(), slot).protected_path);
}

TEST_F(ManagerTokenTest, RenameAndWipeKeepWhatTheyShould) {
  const CK_SLOT_ID slot = ready_token();
  rename_token(module(), slot, kSoPin, "香港郵政 e-Cert");
  EXPECT_EQ(describe_token(module(), slot).label, "香港郵政 e-Cert");
  EXPECT_EQ(rv_of([&] { rename_token(module(), slot, "Wrong-So#2026", "x"); }), static_cast<CK_RV>(CKR_PIN_INCORRECT));
  EXPECT_THROW(rename_token(module(), slot, kSoPin, std::string(33, 'x')), UsageError);

  {
    Session so(module(), slot, true);
    so.login(CKU_SO, kSoPin);
    write_policy(so, {{policy::find_field("max-tries"), 7}});
  }
  wipe_token(module(), slot, kSoPin);
  const TokenSummary t = describe_token(module(), slot);
  EXPECT_EQ(t.label, "香港郵政 e-Cert");
  EXPECT_FALSE(t.user.initialized);
  EXPECT_EQ(read_policy(module(), slot)->rules.max_user_tries, 7u);
}

TEST(ManagerMessages, EveryPinCodeHasPlainWordsAndNoCkrName) {
  for (CK_RV rv : {CKR_PIN_INCORRECT, CKR_PIN_LOCKED, CKR_PIN_EXPIRED, CKR_PIN_INVALID, CKR_PIN_LEN_RANGE,
                   CKR_SESSION_EXISTS, CKR_TOKEN_NOT_RECOGNIZED, CKR_DEVICE_ERROR}) {
    const std::string text = describe_rv(rv);
    EXPECT_FALSE(text.empty());
    EXPECT_EQ(text.find("CKR_"), std::string::npos) << text;
    EXPECT_EQ(rv_name(rv).rfind("CKR_", 0), 0u);
  }
  EXPECT_NE(describe_rv(0x8000ABCDUL).find("0x8000abcd"), std::string::npos);
}

}  // namespace
}  // namespace ecert::manager
