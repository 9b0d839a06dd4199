// The caches behind md() and aes_256_gcm(): each algorithm is fetched from
// the library context once and kept in a plain atomic (no destructor runs at
// unload; stop_library_context() empties them). Also the mapping from
// PKCS#11's hash and MGF constants to the module's Hash.
#include "crypto/algorithms.h"

#include <array>
#include <atomic>

#include "common/error.h"
#include "crypto/ossl_util.h"

namespace ecert::crypto {
namespace {

constexpr std::size_t kHashCount = 5;

struct HashInfo {
  const char* name;
  std::size_t size;
};
constexpr std::array<HashInfo, kHashCount> kHashes{{
    {"SHA1", 20},
    {"SHA224", 28},
    {"SHA256", 32},
    {"SHA384", 48},
    {"SHA512", 64},
}};

// Plain atomics, not objects with destructors: the module may be unloaded in
// any order. Lost fetch races just free their own copy.
std::array<std::atomic<EVP_MD*>, kHashCount> g_mds{};
std::atomic<EVP_CIPHER*> g_gcm{nullptr};

template <class T, class Fetch, class Free>
T* cached(std::atomic<T*>& slot, Fetch fetch, Free free_fn) {
  T* have = slot.load(std::memory_order_acquire);
  if (have != nullptr) return have;
  T* fetched = fetch(started_libctx());
  if (fetched == nullptr) fail(CKR_FUNCTION_FAILED, "algorithm fetch");
  if (slot.compare_exchange_strong(have, fetched, std::memory_order_acq_rel)) return fetched;
  free_fn(fetched);
  return have;
}

}  // namespace

std::size_t hash_size(Hash h) noexcept { return kHashes[static_cast<std::size_t>(h)].size; }

std::optional<Hash> hash_for_mechanism(CK_MECHANISM_TYPE type) noexcept {
  switch (type) {
    case CKM_SHA_1:
      return Hash::sha1;
    case CKM_SHA224:
      return Hash::sha224;
    case CKM_SHA256:
      return Hash::sha256;
    case CKM_SHA384:
      return Hash::sha384;
    case CKM_SHA512:
      return Hash::sha512;
    default:
      return std::nullopt;
  }
}

std::optional<Hash> hash_for_mgf(CK_RSA_PKCS_MGF_TYPE mgf) noexcept {
  switch (mgf) {
    case CKG_MGF1_SHA1:
      return Hash::sha1;
    case CKG_MGF1_SHA224:
      return Hash::sha224;
    case CKG_MGF1_SHA256:
      return Hash::sha256;
    case CKG_MGF1_SHA384:
      return Hash::sha384;
    case CKG_MGF1_SHA512:
      return Hash::sha512;
    default:
      return std::nullopt;
  }
}

const EVP_MD* md(Hash h) {
  const char* name = kHashes[static_cast<std::size_t>(h)].name;
  return cached(
      g_mds[static_cast<std::size_t>(h)], [name](OSSL_LIB_CTX* ctx) { return EVP_MD_fetch(ctx, name, nullptr); },
      EVP_MD_free);
}

const EVP_CIPHER* aes_256_gcm() {
  return cached(
      g_gcm, [](OSSL_LIB_CTX* ctx) { return EVP_CIPHER_fetch(ctx, "AES-256-GCM", nullptr); }, EVP_CIPHER_free);
}

void reset_algorithm_cache() noexcept {
  for (auto& slot : g_mds) EVP_MD_free(slot.exchange(nullptr));
  EVP_CIPHER_free(g_gcm.exchange(nullptr));
}

void abandon_algorithm_cache() noexcept {
  for (auto& slot : g_mds) slot.store(nullptr);
  g_gcm.store(nullptr);
}

}  // namespace ecert::crypto
