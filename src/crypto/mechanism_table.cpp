// The whole mechanism table, put together from the rows each family file
// holds (families.h), and the look-up by mechanism type. The order of the
// families here is the order of C_GetMechanismList, which the table tests
// check row by row: RSA key-pair generation; the RSA encryption mechanisms
// (CKM_RSA_PKCS, CKM_RSA_X_509, CKM_RSA_PKCS_OAEP); the signature-only RSA
// mechanisms; EC key-pair generation; ECDSA; digests. A new family goes after
// the others unless there is a reason to move what clients already see.
#include <algorithm>
#include <vector>

#include "crypto/families.h"
#include "crypto/mechanism.h"

namespace ecert::crypto {
namespace {

// Built on first use, not as a namespace-scope object: the family rows are
// other translation units' objects, and a global initialised from them could
// run before they are (they are constant-initialised today, but nothing here
// should depend on that). The function-local static is also thread-safe to
// build. An object, not a pointer to a heap copy: it is freed when the module
// is unloaded (dlclose), which LeakSanitizer checks in the manager's tests.
const std::vector<Mechanism>& table() {
  static const std::vector<Mechanism> rows = [] {
    using Family = std::span<const Mechanism> (*)();
    constexpr Family kFamilies[] = {
        rsa_keygen_mechanisms, rsa_encrypt_mechanisms, rsa_sign_mechanisms,
        ec_keygen_mechanisms,  ecdsa_mechanisms,       digest_mechanisms,
    };
    std::vector<Mechanism> all;
    for (Family family : kFamilies) {
      std::span<const Mechanism> part = family();
      all.insert(all.end(), part.begin(), part.end());
    }
    return all;
  }();
  return rows;
}

}  // namespace

std::span<const Mechanism> all_mechanisms() { return table(); }

const Mechanism* find_mechanism(CK_MECHANISM_TYPE type) {
  const std::vector<Mechanism>& rows = table();
  auto it = std::ranges::find(rows, type, &Mechanism::type);
  return it == rows.end() ? nullptr : &*it;
}

}  // namespace ecert::crypto
