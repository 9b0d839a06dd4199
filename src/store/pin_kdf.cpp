// Choosing and paying the Argon2id cost of a PIN: the calibration on this
// machine when a token is made (memory doubled while it fits the time target,
// then passes), the cheap test cost under ECERT_TOKEN_KDF=test, the bounds a
// stored cost must keep, and the derivation itself through libargon2.
#include "store/pin_kdf.h"

#include <argon2.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "common/error.h"

namespace ecert::store {

KdfCost choose_kdf_cost(const std::function<double(std::uint32_t)>& seconds_per_pass, double target) {
  KdfCost cost = kKdfFloor;
  double pass = seconds_per_pass(cost.memory_kib);
  while (cost.memory_kib * 2 <= kKdfMaxMemoryKib && 2 * pass * kKdfFloor.iterations <= target) {
    cost.memory_kib *= 2;
    pass = seconds_per_pass(cost.memory_kib);
  }
  if (pass > 0) {
    double passes = std::floor(target / pass + 0.5);
    cost.iterations =
        static_cast<std::uint32_t>(std::clamp(passes, double(kKdfFloor.iterations), double(kKdfMaxIterations)));
  }
  return cost;
}

KdfCost calibrate_kdf_cost() {
  static const std::uint8_t pin[] = "calibration";
  const Bytes salt(kSaltSize, 0);
  return choose_kdf_cost([&](std::uint32_t memory_kib) {
    // The quicker of two passes: the first also pays for faulting the memory in.
    double best = 0;
    for (int i = 0; i < 2; ++i) {
      auto start = std::chrono::steady_clock::now();
      derive_pin_key(view(pin, sizeof pin - 1), view(salt), KdfCost{memory_kib, 1});
      double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      best = i == 0 ? took : std::min(best, took);
    }
    return best;
  });
}

KdfCost cost_for_new_token() {
  const char* choice = ::secure_getenv("ECERT_TOKEN_KDF");
  if (choice != nullptr && std::strcmp(choice, "test") == 0) return kTestKdfCost;
  return calibrate_kdf_cost();
}

bool kdf_cost_below_floor(const KdfCost& cost) {
  return cost.memory_kib < kKdfFloor.memory_kib || cost.iterations < kKdfFloor.iterations;
}

bool kdf_cost_acceptable(const KdfCost& cost) {
  return cost.memory_kib >= 8 && cost.memory_kib <= 1024 * 1024 && cost.iterations >= 1 && cost.iterations <= 64;
}

SecureBytes derive_pin_key(ByteView pin, ByteView salt, const KdfCost& cost) {
  SecureBytes out(kDerivedKeySize);
  int rc = argon2id_hash_raw(cost.iterations, cost.memory_kib, 1, pin.data(), pin.size(), salt.data(), salt.size(),
                             out.data(), out.size());
  if (rc == ARGON2_MEMORY_ALLOCATION_ERROR) fail(CKR_HOST_MEMORY, "argon2 memory");
  if (rc != ARGON2_OK) fail(CKR_GENERAL_ERROR, "argon2");
  return out;
}

}  // namespace ecert::store
