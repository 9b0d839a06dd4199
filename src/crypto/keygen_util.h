// What the two key-pair generators share: running EVP_PKEY_generate in the
// module's context.
#pragma once

#include <functional>

#include "common/ossl_ptr.h"

namespace ecert::crypto {

// Generates a key of OpenSSL type `type` ("RSA", "EC"); `configure` sets the
// size or curve on the initialised EVP_PKEY_CTX.
PkeyPtr generate_pkey(const char* type, const std::function<void(EVP_PKEY_CTX*)>& configure);

}  // namespace ecert::crypto
