// The OpenSSL glue the crypto layer shares: turning a failed call into an
// ecert::Error (clearing the thread's OpenSSL error queue, which the
// application shares), the started-context check, BIGNUM conversions to and
// from PKCS#11's big-endian byte strings, and the provider key type names.
#include "crypto/ossl_util.h"

#include <climits>
#include <string_view>

#include <openssl/err.h>

#include "common/error.h"
#include "crypto/library_context.h"

namespace ecert::crypto {

void ossl_fail(CK_RV rv, const char* why) {
  ERR_clear_error();
  throw Error(rv, why);
}

OSSL_LIB_CTX* started_libctx() {
  OSSL_LIB_CTX* ctx = libctx();
  require(ctx != nullptr, CKR_CRYPTOKI_NOT_INITIALIZED, "library context not started");
  return ctx;
}

MdCtxPtr new_md_ctx() {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  ossl_check(ctx != nullptr, "EVP_MD_CTX_new", CKR_HOST_MEMORY);
  return ctx;
}

BignumPtr bn_from_bytes(ByteView bytes, bool secret) {
  require(bytes.size() <= INT_MAX, CKR_ATTRIBUTE_VALUE_INVALID, "big integer too long");
  BignumPtr bn(secret ? BN_secure_new() : BN_new());
  ossl_check(bn != nullptr, "BN_new", CKR_HOST_MEMORY);
  ossl_check(BN_bin2bn(bytes.data(), static_cast<int>(bytes.size()), bn.get()) != nullptr, "BN_bin2bn",
             CKR_HOST_MEMORY);
  return bn;
}

SecureBytes bn_to_bytes(const BIGNUM* bn) {
  SecureBytes out(static_cast<std::size_t>(BN_num_bytes(bn)));
  if (!out.empty()) BN_bn2bin(bn, out.data());
  return out;
}

void bn_to_padded(const BIGNUM* bn, std::uint8_t* out, std::size_t len) {
  ossl_check(len <= INT_MAX && BN_bn2binpad(bn, out, static_cast<int>(len)) >= 0, "BN_bn2binpad");
}

BignumPtr get_bn_param(const EVP_PKEY* pkey, const char* name) {
  BIGNUM* raw = nullptr;
  ossl_check(EVP_PKEY_get_bn_param(pkey, name, &raw) == 1, "EVP_PKEY_get_bn_param");
  return BignumPtr(raw);
}

const char* provider_key_type(const char* type) {
  if (std::string_view(type) == "RSA") return "1.2.840.113549.1.1.1";  // rsaEncryption
  if (std::string_view(type) == "EC") return "1.2.840.10045.2.1";      // id-ecPublicKey
  return type;
}

}  // namespace ecert::crypto
