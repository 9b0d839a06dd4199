// Argon2id key derivation from a PIN (Debian's libargon2, single lane: the
// module creates no threads). The cost is fixed per token when it is made and
// stored with it; login always uses the stored cost.
#pragma once

#include <cstdint>

#include "common/bytes.h"

namespace ecert::store {

struct KdfCost {
  std::uint32_t memory_kib;
  std::uint32_t iterations;
};

// About 0.2 s on the reference machine (2 cores, see docs/DESIGN.md).
inline constexpr KdfCost kDefaultKdfCost{32768, 3};
// For test tokens only: milliseconds. Chosen at creation with
// ECERT_TOKEN_KDF=test in the creating process's environment.
inline constexpr KdfCost kTestKdfCost{64, 1};

// The cost for a token being made now (reads ECERT_TOKEN_KDF).
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
