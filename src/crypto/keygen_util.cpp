// EVP_PKEY_generate in the module's library context, with the provider's key
// type looked up by OID (provider_key_type) and the caller setting the size or
// curve in between; shared by rsa_keygen.cpp and ec_keygen.cpp.
#include "crypto/keygen_util.h"

#include "crypto/ossl_util.h"

namespace ecert::crypto {

PkeyPtr generate_pkey(const char* type, const std::function<void(EVP_PKEY_CTX*)>& configure) {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(started_libctx(), provider_key_type(type), nullptr));
  ossl_check(ctx != nullptr, "EVP_PKEY_CTX_new_from_name", CKR_HOST_MEMORY);
  ossl_check(EVP_PKEY_keygen_init(ctx.get()) == 1, "EVP_PKEY_keygen_init");
  configure(ctx.get());
  EVP_PKEY* raw = nullptr;
  ossl_check(EVP_PKEY_generate(ctx.get(), &raw) == 1, "EVP_PKEY_generate");
  return PkeyPtr(raw);
}

}  // namespace ecert::crypto
