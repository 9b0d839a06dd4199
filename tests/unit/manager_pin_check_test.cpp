// The checks front ends make of a current password before and while it
// reaches the token (issue 9, items 4 and 5): input no PIN of the token could
// be is refused without a token call, and checking a typed password first
// costs one try when it is wrong and none when it is right, so a change of
// password never costs two tries for one password.
#include "manager/messages.h"
#include "manager/pin_operations.h"
#include "manager/tokens.h"
#include "manager_test_support.h"

namespace ecert::manager {
namespace {

using namespace test::support;
using Problem = CurrentPinCheck::Problem;

class ManagerPinCheckTest : public ManagerTest {
 protected:
  std::uint32_t tries_left(CK_SLOT_ID slot, CK_USER_TYPE who) {
    const TokenSummary t = describe_token(module(), slot);
    return *(who == CKU_SO ? t.so : t.user).tries_left;
  }
};

TEST_F(ManagerPinCheckTest, OnlyInputNoPinCouldBeIsRefused) {
  const CK_SLOT_ID slot = ready_token();
  const CK_TOKEN_INFO info = module().token_info(slot);
  ASSERT_GT(info.ulMinPinLen, 1u);
  EXPECT_EQ(check_current_pin(module(), slot, "").problem, Problem::empty);
  const std::string shortest(info.ulMinPinLen, 'a');
  EXPECT_EQ(check_current_pin(module(), slot, shortest.substr(1)).problem, Problem::too_short);
  EXPECT_EQ(check_current_pin(module(), slot, shortest).problem, Problem::none);
  const std::string longest(info.ulMaxPinLen, 'a');
  EXPECT_EQ(check_current_pin(module(), slot, longest).problem, Problem::none);
  EXPECT_EQ(check_current_pin(module(), slot, longest + "a").problem, Problem::too_long);
  // Wrong but possible: for the token to judge.
  EXPECT_EQ(check_current_pin(module(), slot, "Wrong-Pin#1").problem, Problem::none);
  // None of them reached the token.
  EXPECT_EQ(tries_left(slot, CKU_USER), 15u);
  EXPECT_FALSE(describe_token(module(), slot).user.count_low);

  CurrentPinCheck too_short;
  too_short.problem = Problem::too_short;
  too_short.min_length = 8;
  EXPECT_NE(describe_current_pin_problem(too_short).find("at least 8 characters"), std::string::npos);
  EXPECT_EQ(describe_current_pin_problem(CurrentPinCheck{}), "");
}

TEST_F(ManagerPinCheckTest, VerifyCostsOneTryWhenWrongAndNoneWhenRight) {
  const CK_SLOT_ID slot = ready_token();
  EXPECT_EQ(rv_of([&] { verify_pin(module(), slot, CKU_USER, "Wrong-Pin#1"); }), static_cast<CK_RV>(CKR_PIN_INCORRECT));
  EXPECT_EQ(tries_left(slot, CKU_USER), 14u);
  EXPECT_EQ(rv_of([&] { verify_pin(module(), slot, CKU_USER, kUserPin); }), static_cast<CK_RV>(CKR_OK));
  EXPECT_EQ(tries_left(slot, CKU_USER), 15u);
  // Nobody is left logged in, and the change that follows costs nothing.
  manager::change_user_pin(module(), slot, kUserPin, "Next-Pin#2027");
  EXPECT_EQ(tries_left(slot, CKU_USER), 15u);
  EXPECT_EQ(rv_of([&] { verify_pin(module(), slot, CKU_USER, "Next-Pin#2027"); }), static_cast<CK_RV>(CKR_OK));

  EXPECT_EQ(rv_of([&] { verify_pin(module(), slot, CKU_SO, "Wrong-So#123"); }), static_cast<CK_RV>(CKR_PIN_INCORRECT));
  EXPECT_EQ(tries_left(slot, CKU_SO), 14u);
  EXPECT_EQ(tries_left(slot, CKU_USER), 15u);
  EXPECT_EQ(rv_of([&] { verify_pin(module(), slot, CKU_SO, kSoPin); }), static_cast<CK_RV>(CKR_OK));
  EXPECT_EQ(tries_left(slot, CKU_SO), 15u);
}

TEST_F(ManagerPinCheckTest, ARightEnvelopePinIsRightThoughItMustBeChanged) {
  const CK_SLOT_ID slot = init_token();
  init_user_pin(slot);
  EXPECT_EQ(rv_of([&] { verify_pin(module(), slot, CKU_USER, "87654321"); }), static_cast<CK_RV>(CKR_PIN_INCORRECT));
  EXPECT_EQ(rv_of([&] { verify_pin(module(), slot, CKU_USER, kEnvelopePin); }), static_cast<CK_RV>(CKR_OK));
  const TokenSummary t = describe_token(module(), slot);
  EXPECT_EQ(*t.user.tries_left, 15u);
  EXPECT_TRUE(t.user.must_change);
  manager::change_user_pin(module(), slot, kEnvelopePin, kUserPin);
  EXPECT_FALSE(describe_token(module(), slot).user.must_change);
}

}  // namespace
}  // namespace ecert::manager
