// The two byte operations that must not be left to the compiler: wiping memory
// (OPENSSL_cleanse, which the optimiser cannot drop as a dead store), behind
// SecureBytes and every key or PIN buffer, and comparing secrets in constant
// time (CRYPTO_memcmp), for PINs and padding checks.
#include "common/bytes.h"

#include <openssl/crypto.h>

namespace ecert {

void secure_wipe(void* p, std::size_t n) noexcept {
  if (p != nullptr && n != 0) OPENSSL_cleanse(p, n);
}

bool constant_time_equal(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) noexcept {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace ecert
