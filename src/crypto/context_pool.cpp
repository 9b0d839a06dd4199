// Leasing and returning a key's EVP_PKEY_CTX: a returned context is kept for
// the next operation while the pool has room (kMaxIdle) and freed otherwise,
// and the pool frees its idle contexts and its key reference when the last
// lease and the Key are gone.
#include "crypto/context_pool.h"

#include "common/error.h"
#include "crypto/ossl_util.h"

namespace ecert::crypto {

ContextPool::~ContextPool() {
  for (EVP_PKEY_CTX* ctx : idle_) EVP_PKEY_CTX_free(ctx);
  EVP_PKEY_free(pkey_);
}

void ContextPool::Return::operator()(EVP_PKEY_CTX* ctx) const noexcept {
  if (ctx == nullptr) return;
  {
    std::lock_guard<std::mutex> lock(pool->mutex_);
    if (pool->idle_.size() < kMaxIdle) {
      pool->idle_.push_back(ctx);
      return;
    }
  }
  EVP_PKEY_CTX_free(ctx);
}

ContextPool::Lease ContextPool::lease(const std::shared_ptr<ContextPool>& pool) {
  EVP_PKEY_CTX* ctx = nullptr;
  {
    std::lock_guard<std::mutex> lock(pool->mutex_);
    if (!pool->idle_.empty()) {
      ctx = pool->idle_.back();
      pool->idle_.pop_back();
    }
  }
  if (ctx == nullptr) {
    ctx = EVP_PKEY_CTX_new_from_pkey(started_libctx(), pool->pkey_, nullptr);
    if (ctx == nullptr) fail(CKR_HOST_MEMORY, "EVP_PKEY_CTX_new_from_pkey");
  }
  return Lease(ctx, Return{pool});
}

}  // namespace ecert::crypto
