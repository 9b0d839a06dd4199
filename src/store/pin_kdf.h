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

// The choice, given how long one pass takes at a memory size (seconds). Memory
// doubles from the floor while the floor's passes at twice the memory still
// fit in `target`; then passes fill the target. Pure, so tests can give it any
// machine's timings.
KdfCost choose_kdf_cost(const std::function<double(std::uint32_t memory_kib)>& seconds_per_pass,
                        double target = kKdfTargetSeconds);
// choose_kdf_cost() with passes timed here and now.
KdfCost calibrate_kdf_cost();

// The cost for a token being made now: kTestKdfCost under ECERT_TOKEN_KDF=test,
// calibrate_kdf_cost() otherwise.
KdfCost cost_for_new_token();

// A cost read from a token file is accepted only within these bounds, so a
// tampered file cannot make login take hours or allocate gigabytes.
bool kdf_cost_acceptable(const KdfCost& cost);

inline constexpr std::size_t kSaltSize = 16;
inline constexpr std::size_t kDerivedKeySize = 32;

// Throws Error(CKR_HOST_MEMORY) when Argon2 cannot get its memory and
// Error(CKR_GENERAL_ERROR) on any other Argon2 failure.
SecureBytes derive_pin_key(ByteView pin, ByteView salt, const KdfCost& cost);

}  // namespace ecert::store
