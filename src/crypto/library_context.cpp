// Creating and dropping the module's OSSL_LIB_CTX with only the default
// provider loaded, and random bytes drawn from that context's generator. The
// context and provider are plain pointers so no destructor runs at unload.
#include "crypto/library_context.h"

#include <openssl/provider.h>
#include <openssl/rand.h>

#include "common/error.h"
#include "crypto/algorithms.h"

namespace ecert::crypto {
namespace {
// Plain pointers, not objects with destructors: the module may be unloaded or
// finalised from atexit in any order.
OSSL_LIB_CTX* g_ctx = nullptr;
OSSL_PROVIDER* g_default = nullptr;
}  // namespace

void start_library_context() {
  if (g_ctx != nullptr) return;
  OSSL_LIB_CTX* ctx = OSSL_LIB_CTX_new();
  if (ctx == nullptr) fail(CKR_HOST_MEMORY, "OSSL_LIB_CTX_new");
  OSSL_PROVIDER* prov = OSSL_PROVIDER_load(ctx, "default");
  if (prov == nullptr) {
    OSSL_LIB_CTX_free(ctx);
    fail(CKR_GENERAL_ERROR, "default provider");
  }
  g_ctx = ctx;
  g_default = prov;
}

void stop_library_context() noexcept {
  // Cached algorithms hold references into the context: drop them first.
  reset_algorithm_cache();
  if (g_default != nullptr) OSSL_PROVIDER_unload(g_default);
  if (g_ctx != nullptr) OSSL_LIB_CTX_free(g_ctx);
  g_default = nullptr;
  g_ctx = nullptr;
}

OSSL_LIB_CTX* libctx() noexcept { return g_ctx; }

void random_bytes(unsigned char* out, std::size_t n) {
  if (n == 0) return;
  if (RAND_bytes_ex(g_ctx, out, n, 0) != 1) fail(CKR_FUNCTION_FAILED, "RAND_bytes_ex");
}

}  // namespace ecert::crypto
