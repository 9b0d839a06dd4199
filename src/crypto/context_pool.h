// A small pool of EVP_PKEY_CTX for one key. Making a context from a key costs
// as much as a fifth of a P-256 signature (provider look-ups, allocations);
// re-initialising a used one with EVP_PKEY_sign_init() does not. An operation
// leases a context and gives it back when it ends; each lease is used by one
// thread at a time, as OpenSSL requires.
#pragma once

#include <openssl/evp.h>

#include <memory>
#include <mutex>
#include <vector>

namespace ecert::crypto {

class ContextPool {
 public:
  explicit ContextPool(EVP_PKEY* pkey) : pkey_(pkey) { EVP_PKEY_up_ref(pkey_); }
  ~ContextPool();
  ContextPool(const ContextPool&) = delete;
  ContextPool& operator=(const ContextPool&) = delete;

  struct Return {
    std::shared_ptr<ContextPool> pool;
    void operator()(EVP_PKEY_CTX* ctx) const noexcept;
  };
  using Lease = std::unique_ptr<EVP_PKEY_CTX, Return>;

  // A context for the pool's key: a returned one, or a new one. Throws
  // Error(CKR_HOST_MEMORY) when OpenSSL cannot make one. The caller must
  // (re)initialise it (EVP_PKEY_sign_init, ...) before use.
  static Lease lease(const std::shared_ptr<ContextPool>& pool);

 private:
  static constexpr std::size_t kMaxIdle = 8;  // about one per concurrent thread
  EVP_PKEY* pkey_;                            // a reference of the pool's own: leases may outlive the Key
  std::mutex mutex_;
  std::vector<EVP_PKEY_CTX*> idle_;
};

}  // namespace ecert::crypto
