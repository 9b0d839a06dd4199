// The module's own OpenSSL library context. The module never uses OpenSSL's
// default context, so an application's openssl.cnf, engines or providers (an
// application may itself load a PKCS#11 provider) cannot change what the module
// computes or recurse into it.
#pragma once

#include <cstddef>

#include <openssl/types.h>

namespace ecert::crypto {

// Creates the context with the default provider. Throws Error(CKR_GENERAL_ERROR)
// if OpenSSL cannot. Called from C_Initialize; not thread-safe against itself.
void start_library_context();
// Frees it. Every key and context made from it must be gone already.
void stop_library_context() noexcept;
// The context; valid between start and stop.
OSSL_LIB_CTX* libctx() noexcept;

// Fills `out` with `n` random bytes from the context's DRBG; throws
// Error(CKR_FUNCTION_FAILED) on failure.
void random_bytes(unsigned char* out, std::size_t n);

}  // namespace ecert::crypto
