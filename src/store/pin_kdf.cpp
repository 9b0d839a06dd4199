#include "store/pin_kdf.h"

#include <argon2.h>

#include <cstdlib>
#include <cstring>

#include "common/error.h"

namespace ecert::store {

KdfCost cost_for_new_token() {
  const char* choice = std::getenv("ECERT_TOKEN_KDF");
  if (choice != nullptr && std::strcmp(choice, "test") == 0) return kTestKdfCost;
  return kDefaultKdfCost;
}

bool kdf_cost_acceptable(const KdfCost& cost) {
  return cost.memory_kib >= 8 && cost.memory_kib <= 1024 * 1024 && cost.iterations >= 1 &&
         cost.iterations <= 64;
}

SecureBytes derive_pin_key(ByteView pin, ByteView salt, const KdfCost& cost) {
  SecureBytes out(kDerivedKeySize);
  int rc = argon2id_hash_raw(cost.iterations, cost.memory_kib, 1, pin.data(), pin.size(), salt.data(),
                             salt.size(), out.data(), out.size());
  if (rc == ARGON2_MEMORY_ALLOCATION_ERROR) fail(CKR_HOST_MEMORY, "argon2 memory");
  if (rc != ARGON2_OK) fail(CKR_GENERAL_ERROR, "argon2");
  return out;
}

}  // namespace ecert::store
