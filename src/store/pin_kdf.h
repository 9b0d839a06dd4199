// Argon2id key derivation from a PIN (Debian's libargon2, single lane: the
// module creates no threads). The cost is chosen per token when it is made
// and stored with it; login always uses the stored cost.
#pragma once

#include <cstdint>
#include <functional>

#include "common/bytes.h"

namespace ecert::store {

struct KdfCost {
  std::uint32_t memory_kib;
  std::uint32_t iterations;
};

// A token's cost is calibrated on the machine that makes it, as LUKS does:
// memory and passes are chosen so that one derivation takes about
// kKdfTargetSeconds there, never below kKdfFloor (RFC 9106's second
// recommended choice: 64 MiB, 3 passes), memory at most kKdfMaxMemoryKib (the
// module runs inside browsers). A fixed cost was either too cheap on a fast
// machine or too slow on a slow one.
inline constexpr double kKdfTargetSeconds = 0.25;
inline constexpr KdfCost kKdfFloor{65536, 3};
inline constexpr std::uint32_t kKdfMaxMemoryKib = 262144;
inline constexpr std::uint32_t kKdfMaxIterations = 64;
// For test tokens only: milliseconds. Chosen at creation with
// ECERT_TOKEN_KDF=test in the creating process's environment.
inline constexpr KdfCost kTestKdfCost{64, 1};
static_assert(kTestKdfCost.memory_kib < kKdfFloor.memory_kib, "kdf_cost_below_floor must see the test cost");

// The choice, given how long one pass takes at a memory size (seconds). Memory
// doubles from the floor while the floor's passes at twice the memory still
// fit in `target`; then passes fill the target. Pure, so tests can give it any
// machine's timings.
KdfCost choose_kdf_cost(const std::function<double(std::uint32_t memory_kib)>& seconds_per_pass,
                        double target = kKdfTargetSeconds);
// choose_kdf_cost() with passes timed here and now.
KdfCost calibrate_kdf_cost();

// The cost for a token being made now: kTestKdfCost when ECERT_TOKEN_KDF=test
// is in the environment as secure_getenv() sees it (never in a setuid or
// setgid process, whose environment comes from someone else and must not
// weaken a new token), calibrate_kdf_cost() otherwise.
KdfCost cost_for_new_token();

// True for a cost weaker than kKdfFloor in memory or passes, which
// calibration never chooses: a token made under ECERT_TOKEN_KDF=test, or a
// file edited to be cheap. Decided from the cost stored in the token file, so
// that such a token shows it (CK_TOKEN_INFO.model) whatever the environment
// of the process reading it.
bool kdf_cost_below_floor(const KdfCost& cost);

// A cost read from a token file is accepted only within these bounds, so a
// tampered file cannot make login take hours or allocate gigabytes.
bool kdf_cost_acceptable(const KdfCost& cost);

inline constexpr std::size_t kSaltSize = 16;
inline constexpr std::size_t kDerivedKeySize = 32;

// Throws Error(CKR_HOST_MEMORY) when Argon2 cannot get its memory and
// Error(CKR_GENERAL_ERROR) on any other Argon2 failure.
SecureBytes derive_pin_key(ByteView pin, ByteView salt, const KdfCost& cost);

}  // namespace ecert::store
