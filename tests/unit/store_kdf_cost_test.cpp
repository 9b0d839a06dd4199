// The Argon2id cost of the PIN key derivation: the default cost must make a
// guess expensive (>= 0.1 s per try), the test cost must be cheap, and the
// cost of a new token follows ECERT_TOKEN_KDF.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <string>

#include "store/pin_kdf.h"

namespace ecert::store {
namespace {

const std::string kPin = "User-Pin#2026";
const Bytes kSalt(kSaltSize, 0x5A);

double seconds_to_derive(const KdfCost& cost) {
  auto start = std::chrono::steady_clock::now();
  SecureBytes key = derive_pin_key(view(kPin), view(kSalt), cost);
  auto end = std::chrono::steady_clock::now();
  EXPECT_EQ(key.size(), kDerivedKeySize);
  return std::chrono::duration<double>(end - start).count();
}

TEST(KdfCost, DefaultCostTakesAtLeastATenthOfASecond) {
  EXPECT_GE(kDefaultKdfCost.memory_kib, 32768u);
  double best = seconds_to_derive(kDefaultKdfCost);
  EXPECT_GE(best, 0.1) << "default Argon2id cost is too cheap: " << best << " s";
}

TEST(KdfCost, TestCostIsCheapAndBothAreAcceptable) {
  EXPECT_LT(seconds_to_derive(kTestKdfCost), 0.05);
  EXPECT_TRUE(kdf_cost_acceptable(kDefaultKdfCost));
  EXPECT_TRUE(kdf_cost_acceptable(kTestKdfCost));
  EXPECT_FALSE(kdf_cost_acceptable({4, 1}));
  EXPECT_FALSE(kdf_cost_acceptable({2 * 1024 * 1024, 1}));
  EXPECT_FALSE(kdf_cost_acceptable({64, 0}));
  EXPECT_FALSE(kdf_cost_acceptable({64, 65}));
}

TEST(KdfCost, NewTokensFollowTheEnvironment) {
  const char* saved = getenv("ECERT_TOKEN_KDF");
  std::string keep = saved ? saved : "";
  setenv("ECERT_TOKEN_KDF", "test", 1);
  EXPECT_EQ(cost_for_new_token().memory_kib, kTestKdfCost.memory_kib);
  EXPECT_EQ(cost_for_new_token().iterations, kTestKdfCost.iterations);
  setenv("ECERT_TOKEN_KDF", "cheap", 1);  // anything else: the default
  EXPECT_EQ(cost_for_new_token().memory_kib, kDefaultKdfCost.memory_kib);
  unsetenv("ECERT_TOKEN_KDF");
  EXPECT_EQ(cost_for_new_token().memory_kib, kDefaultKdfCost.memory_kib);
  EXPECT_EQ(cost_for_new_token().iterations, kDefaultKdfCost.iterations);
  if (saved) setenv("ECERT_TOKEN_KDF", keep.c_str(), 1);
}

TEST(KdfCost, DerivationDependsOnPinSaltAndCost) {
  SecureBytes a = derive_pin_key(view(kPin), view(kSalt), kTestKdfCost);
  EXPECT_EQ(a, derive_pin_key(view(kPin), view(kSalt), kTestKdfCost));
  std::string other = "User-Pin#2027";
  EXPECT_NE(a, derive_pin_key(view(other), view(kSalt), kTestKdfCost));
  Bytes salt2 = kSalt;
  salt2[0] ^= 1;
  EXPECT_NE(a, derive_pin_key(view(kPin), view(salt2), kTestKdfCost));
  EXPECT_NE(a, derive_pin_key(view(kPin), view(kSalt), KdfCost{128, 1}));
}

}  // namespace
}  // namespace ecert::store
