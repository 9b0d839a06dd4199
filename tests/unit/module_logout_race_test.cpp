// Issue 17, item 6: C_SignInit (or C_DecryptInit) racing C_Logout in another
// thread. The key is looked up under the token's lock and the operation
// installed under the session's; a logout between the two must not leave
// an operation on a private key behind it. Each round logs in, starts both
// threads at once, and then checks that if the start succeeded, the
// operation did not outlive the logout.
#include <atomic>
#include <thread>

#include "module_fixture.h"
#include "module_test_support.h"

namespace ecert::test {
namespace {

using support::Bytes;

// A logged-in session that signs, another one that logs out, and a token
// key (its handle stays the same across logins; a session object's would not).
class LogoutRaceTest : public ModuleTest {
 protected:
  void SetUp() override {
    ModuleTest::SetUp();
    CK_SLOT_ID slot = ready_token();
    signer = open_user_session(slot);
    other = open(slot);
    support::Template token_key;
    token_key.boolean(CKA_TOKEN, true);
    ASSERT_EQ(support::generate_ec(signer, support::kP256Params, ec, token_key, token_key), CKR_OK);
  }

  CK_SESSION_HANDLE signer = CK_INVALID_HANDLE, other = CK_INVALID_HANDLE;
  support::KeyPair ec;
};

TEST_F(LogoutRaceTest, NoOperationSurvivesALogout) {
  int started = 0, survived = 0;
  constexpr int kRounds = 600;
  for (int round = 0; round < kRounds; ++round) {
    if (round > 0) {
      ASSERT_EQ(login(other, CKU_USER, kUserPin), CKR_OK) << round;
    }
    std::atomic<int> ready{0};
    CK_RV init_rv = CKR_GENERAL_ERROR;
    std::thread starter([&] {
      ready.fetch_add(1);
      while (ready.load() < 2) {
      }
      CK_MECHANISM m{CKM_ECDSA, nullptr, 0};
      init_rv = p11()->C_SignInit(signer, &m, ec.priv);
    });
    ready.fetch_add(1);
    while (ready.load() < 2) {
    }
    // Delays the logout by a varying few microseconds, to sweep the window.
    std::atomic<int> spin{0};
    while (spin.fetch_add(1, std::memory_order_relaxed) < (round % 64) * 40) {
    }
    ASSERT_EQ(p11()->C_Logout(other), CKR_OK);
    starter.join();
    if (init_rv != CKR_OK) {
      EXPECT_EQ(init_rv, CKR_KEY_HANDLE_INVALID) << support::rv_text(init_rv);
      continue;
    }
    ++started;
    Bytes digest(32, 7);
    Bytes sig(64);
    CK_ULONG len = sig.size();
    CK_RV rv = p11()->C_Sign(signer, digest.data(), digest.size(), sig.data(), &len);
    if (rv != CKR_OPERATION_NOT_INITIALIZED && ++survived == 1)
      std::printf("C_Sign after the logout: %s\n", support::rv_text(rv).c_str());
  }
  EXPECT_EQ(survived, 0) << "operations that outlived the logout, of " << started << " started";
  // The race did happen both ways (else the test proves nothing).
  std::printf("%d of %d starts came before the logout\n", started, kRounds);
  EXPECT_GT(started, 0);
  EXPECT_LT(started, kRounds);
}

TEST_F(LogoutRaceTest, AnOperationStartedBeforeALogoutEndsWithIt) {
  CK_MECHANISM m{CKM_ECDSA, nullptr, 0};
  ASSERT_EQ(p11()->C_SignInit(signer, &m, ec.priv), CKR_OK);
  ASSERT_EQ(p11()->C_Logout(other), CKR_OK);
  Bytes digest(32, 7), sig(64);
  CK_ULONG len = sig.size();
  EXPECT_CKR(CKR_OPERATION_NOT_INITIALIZED, p11()->C_Sign(signer, digest.data(), digest.size(), sig.data(), &len));
}

}  // namespace
}  // namespace ecert::test
