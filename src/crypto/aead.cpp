// Sealing and opening stored secrets with AES-256-GCM on OpenSSL's
// EVP_CIPHER interface: seal() draws a fresh nonce for every value and
// appends the tag; open() answers a wrong tag (a changed record, the wrong
// key) with nullopt, an outcome its caller expects, not an error.
#include "crypto/aead.h"

#include <climits>
#include <cstring>

#include <openssl/err.h>

#include "common/error.h"
#include "crypto/algorithms.h"
#include "crypto/library_context.h"
#include "crypto/ossl_util.h"

namespace ecert::crypto::aead {
namespace {

CipherCtxPtr new_cipher_ctx(ByteView key32) {
  require(key32.size() == kKeySize, CKR_GENERAL_ERROR, "AEAD key must be 32 bytes");
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  ossl_check(ctx != nullptr, "EVP_CIPHER_CTX_new", CKR_HOST_MEMORY);
  return ctx;
}

// EVP's update functions take int lengths.
int int_len(std::size_t n) {
  require(n <= INT_MAX - 64, CKR_DATA_LEN_RANGE, "AEAD input too long");
  return static_cast<int>(n);
}

}  // namespace

Bytes seal(ByteView key32, ByteView aad, ByteView plaintext) {
  CipherCtxPtr ctx = new_cipher_ctx(key32);
  const int aad_len = int_len(aad.size());
  const int pt_len = int_len(plaintext.size());
  Bytes out(kNonceSize + plaintext.size() + kTagSize);
  std::uint8_t* nonce = out.data();
  std::uint8_t* ct = nonce + kNonceSize;
  std::uint8_t* tag = ct + plaintext.size();
  random_bytes(nonce, kNonceSize);

  ossl_check(EVP_EncryptInit_ex2(ctx.get(), aes_256_gcm(), key32.data(), nonce, nullptr) == 1, "EVP_EncryptInit_ex2");
  int n = 0;
  if (aad_len > 0) {
    ossl_check(EVP_EncryptUpdate(ctx.get(), nullptr, &n, aad.data(), aad_len) == 1, "GCM AAD");
  }
  if (pt_len > 0) {
    ossl_check(EVP_EncryptUpdate(ctx.get(), ct, &n, plaintext.data(), pt_len) == 1 && n == pt_len, "GCM encrypt");
  }
  ossl_check(EVP_EncryptFinal_ex(ctx.get(), ct + pt_len, &n) == 1 && n == 0, "GCM final");
  ossl_check(EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, kTagSize, tag) == 1, "GCM tag");
  return out;
}

std::optional<SecureBytes> open(ByteView key32, ByteView aad, ByteView sealed) {
  CipherCtxPtr ctx = new_cipher_ctx(key32);
  if (sealed.size() < kOverhead) return std::nullopt;
  const int aad_len = int_len(aad.size());
  const int ct_len = int_len(sealed.size() - kOverhead);
  const std::uint8_t* nonce = sealed.data();
  const std::uint8_t* ct = nonce + kNonceSize;
  // The tag control takes a non-const pointer.
  std::uint8_t tag[kTagSize];
  std::memcpy(tag, ct + ct_len, kTagSize);

  ossl_check(EVP_DecryptInit_ex2(ctx.get(), aes_256_gcm(), key32.data(), nonce, nullptr) == 1, "EVP_DecryptInit_ex2");
  int n = 0;
  if (aad_len > 0) {
    ossl_check(EVP_DecryptUpdate(ctx.get(), nullptr, &n, aad.data(), aad_len) == 1, "GCM AAD");
  }
  SecureBytes plaintext(static_cast<std::size_t>(ct_len));
  if (ct_len > 0) {
    ossl_check(EVP_DecryptUpdate(ctx.get(), plaintext.data(), &n, ct, ct_len) == 1 && n == ct_len, "GCM decrypt");
  }
  ossl_check(EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, kTagSize, tag) == 1, "GCM tag");
  if (EVP_DecryptFinal_ex(ctx.get(), plaintext.data() + ct_len, &n) != 1) {
    // A wrong tag is an expected outcome (tampering, wrong key), not an error.
    ERR_clear_error();
    return std::nullopt;
  }
  return plaintext;
}

}  // namespace ecert::crypto::aead
