// The check values of certificates and keys, over OpenSSL's SHA-1 and AES.
#include "crypto/check_value.h"

#include <openssl/evp.h>

#include "common/ossl_ptr.h"
#include "crypto/algorithms.h"
#include "crypto/library_context.h"
#include "crypto/ossl_util.h"

namespace ecert::crypto {

SecureBytes sha1_check_value(ByteView value) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  ossl_check(EVP_Digest(value.data(), value.size(), digest, &len, md(Hash::sha1), nullptr) == 1, "SHA-1");
  return SecureBytes(digest, digest + 3);
}

SecureBytes aes_check_value(ByteView key) {
  const char* name = key.size() == 16 ? "AES-128-ECB" : key.size() == 24 ? "AES-192-ECB" : "AES-256-ECB";
  CipherPtr cipher(EVP_CIPHER_fetch(started_libctx(), name, nullptr));
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  ossl_check(cipher && ctx, "AES-ECB");
  const unsigned char zero[16] = {};
  unsigned char block[32];
  int len = 0;
  ossl_check(EVP_EncryptInit_ex2(ctx.get(), cipher.get(), key.data(), nullptr, nullptr) == 1 &&
                 EVP_CIPHER_CTX_set_padding(ctx.get(), 0) == 1 &&
                 EVP_EncryptUpdate(ctx.get(), block, &len, zero, sizeof zero) == 1 && len == 16,
             "AES-ECB");
  SecureBytes out(block, block + 3);
  secure_wipe(block, sizeof block);
  return out;
}

}  // namespace ecert::crypto
