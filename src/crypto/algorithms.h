// The digests and the storage cipher the module uses, fetched from the
// module's library context once and then shared: EVP_MD_fetch takes a lock and
// a hash lookup, which is too slow to repeat on every C_SignInit.
#pragma once

#include <cstddef>
#include <optional>

#include <openssl/evp.h>

#include "ecert/pkcs11.h"

namespace ecert::crypto {

enum class Hash : unsigned char { sha1, sha224, sha256, sha384, sha512 };

std::size_t hash_size(Hash h) noexcept;
// CKM_SHA_1 .. CKM_SHA512 (also the hashAlg of PSS/OAEP parameters).
std::optional<Hash> hash_for_mechanism(CK_MECHANISM_TYPE type) noexcept;
// CKG_MGF1_SHA1 .. CKG_MGF1_SHA512.
std::optional<Hash> hash_for_mgf(CK_RSA_PKCS_MGF_TYPE mgf) noexcept;

// Owned by the cache until the library context stops; never freed by callers.
// Throws Error(CKR_CRYPTOKI_NOT_INITIALIZED) without a context and
// Error(CKR_FUNCTION_FAILED) if the provider lacks the algorithm.
const EVP_MD* md(Hash h);
const EVP_CIPHER* aes_256_gcm();

// Frees every cached algorithm; called by stop_library_context before the
// context goes, so nothing cached outlives the context it came from.
void reset_algorithm_cache() noexcept;
// Forgets the cached algorithms without freeing them (after fork()).
void abandon_algorithm_cache() noexcept;

}  // namespace ecert::crypto
