// Authenticated encryption of stored secrets: AES-256-GCM with a random
// 96-bit nonce, laid out as nonce(12) || ciphertext || tag(16). The layout
// carries no version; the store versions its records itself.
#pragma once

#include <cstddef>
#include <optional>

#include "common/bytes.h"

namespace ecert::crypto::aead {

inline constexpr std::size_t kKeySize = 32;
inline constexpr std::size_t kNonceSize = 12;
inline constexpr std::size_t kTagSize = 16;
inline constexpr std::size_t kOverhead = kNonceSize + kTagSize;

// Throws Error(CKR_GENERAL_ERROR) for a key that is not 32 bytes (a caller
// bug) and Error(CKR_FUNCTION_FAILED) if OpenSSL fails.
Bytes seal(ByteView key32, ByteView aad, ByteView plaintext);

// nullopt if `sealed` is too short or was not sealed with this key and AAD;
// throws only for a bad key length or an OpenSSL failure.
std::optional<SecureBytes> open(ByteView key32, ByteView aad, ByteView sealed);

}  // namespace ecert::crypto::aead
