// Helpers the RSA families share: the modulus length and the input block of
// the raw (CKM_RSA_X_509) mechanism.
#pragma once

#include <cstddef>

#include <openssl/evp.h>

#include "common/bytes.h"
#include "ecert/pkcs11.h"

namespace ecert::crypto {

// k: the modulus length in bytes.
inline std::size_t rsa_modulus_size(EVP_PKEY* pkey) { return static_cast<std::size_t>(EVP_PKEY_get_size(pkey)); }

// `input` as a k-byte big-endian block (zeros on the left), as CKM_RSA_X_509
// treats its input. CKR_DATA_LEN_RANGE if longer than k, CKR_DATA_INVALID if
// its value is not below the modulus.
SecureBytes raw_rsa_block(EVP_PKEY* pkey, ByteView input);

// OpenSSL's one-shot functions want a readable pointer even for 0 bytes.
inline const std::uint8_t* nonnull_data(ByteView v) {
  static const std::uint8_t kNothing = 0;
  return v.empty() ? &kNothing : v.data();
}

}  // namespace ecert::crypto
