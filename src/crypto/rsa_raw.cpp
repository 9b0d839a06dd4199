// The raw-RSA (CKM_RSA_X_509) input block shared by signing and encryption:
// the input left-padded with zeros to the modulus length, refused with
// CKR_DATA_LEN_RANGE when longer and CKR_DATA_INVALID when its value is not
// below the modulus.
#include "crypto/rsa_raw.h"

#include <algorithm>

#include <openssl/core_names.h>

#include "common/error.h"
#include "crypto/ossl_util.h"

namespace ecert::crypto {

SecureBytes raw_rsa_block(EVP_PKEY* pkey, ByteView input) {
  const std::size_t k = rsa_modulus_size(pkey);
  require(input.size() <= k, CKR_DATA_LEN_RANGE, "longer than the modulus");
  SecureBytes block(k, 0);
  std::ranges::copy(input, block.end() - static_cast<std::ptrdiff_t>(input.size()));
  BignumPtr n = get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N);
  BignumPtr value = bn_from_bytes(view(block), true);
  require(BN_cmp(value.get(), n.get()) < 0, CKR_DATA_INVALID, "not below the modulus");
  return block;
}

}  // namespace ecert::crypto
