// The Argon2id cost of the PIN key derivation: the calibration's choices for
// given timings (no timing asserts: a machine's speed is not a test result),
// the floor whatever the machine, the test cost, and the cost of a new token
// following ECERT_TOKEN_KDF.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

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

// A machine where one pass takes `per_mib` seconds per MiB of memory.
std::function<double(std::uint32_t)> machine(double per_mib, std::vector<std::uint32_t>* asked = nullptr) {
  return [=](std::uint32_t memory_kib) {
    if (asked) asked->push_back(memory_kib);
    return per_mib * memory_kib / 1024.0;
  };
}

TEST(KdfCalibration, ASlowMachineGetsTheFloor) {
  // 64 MiB per pass takes 0.2 s: three passes are already over the target.
  KdfCost c = choose_kdf_cost(machine(0.2 / 64));
  EXPECT_EQ(c.memory_kib, kKdfFloor.memory_kib);
  EXPECT_EQ(c.iterations, kKdfFloor.iterations);
}

TEST(KdfCalibration, PassesFillTheTargetAtTheFloorMemory) {
  // 64 MiB per pass in 25 ms: 128 MiB x 3 would take 0.15 s <= 0.25 s, so
  // memory doubles; 256 MiB x 3 = 0.3 s does not fit: 128 MiB, 5 passes.
  std::vector<std::uint32_t> asked;
  KdfCost c = choose_kdf_cost(machine(0.025 / 64, &asked), 0.25);
  EXPECT_EQ(c.memory_kib, 131072u);
  EXPECT_EQ(c.iterations, 5u);
  EXPECT_EQ(asked, (std::vector<std::uint32_t>{65536, 131072}));
  // 64 MiB per pass in 60 ms: memory stays, 4 passes (0.24 s).
  c = choose_kdf_cost(machine(0.06 / 64), 0.25);
  EXPECT_EQ(c.memory_kib, 65536u);
  EXPECT_EQ(c.iterations, 4u);
}

TEST(KdfCalibration, AFastMachineStopsAtTheMemoryCapAndMorePasses) {
  KdfCost c = choose_kdf_cost(machine(0.001 / 64), 0.25);
  EXPECT_EQ(c.memory_kib, kKdfMaxMemoryKib);
  EXPECT_EQ(c.iterations, 63u);  // 4 ms per 256 MiB pass
  c = choose_kdf_cost(machine(0.00001 / 64), 0.25);
  EXPECT_EQ(c.iterations, kKdfMaxIterations);
  EXPECT_TRUE(kdf_cost_acceptable(c));
}

TEST(KdfCalibration, ThisMachineIsNeverBelowTheFloor) {
  KdfCost c = calibrate_kdf_cost();
  EXPECT_GE(c.memory_kib, kKdfFloor.memory_kib);
  EXPECT_LE(c.memory_kib, kKdfMaxMemoryKib);
  EXPECT_GE(c.iterations, kKdfFloor.iterations);
  EXPECT_TRUE(kdf_cost_acceptable(c));
  std::printf("calibrated here: %u KiB, %u passes, %.3f s per derivation\n", c.memory_kib, c.iterations,
              seconds_to_derive(c));
}

TEST(KdfCost, TestCostIsCheapAndBothAreAcceptable) {
  EXPECT_LT(seconds_to_derive(kTestKdfCost), 0.05);
  EXPECT_TRUE(kdf_cost_acceptable(kKdfFloor));
  EXPECT_TRUE(kdf_cost_acceptable({kKdfMaxMemoryKib, kKdfMaxIterations}));
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
  setenv("ECERT_TOKEN_KDF", "cheap", 1);  // anything else: calibrated, at least the floor
  EXPECT_GE(cost_for_new_token().memory_kib, kKdfFloor.memory_kib);
  unsetenv("ECERT_TOKEN_KDF");
  EXPECT_GE(cost_for_new_token().memory_kib, kKdfFloor.memory_kib);
  EXPECT_GE(cost_for_new_token().iterations, kKdfFloor.iterations);
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
