// RSAES-PKCS1-v1_5 decryption with implicit rejection, as OpenSSL 3.2 and NSS
// do it and draft-irtf-cfrg-rsa-guidance describes it. An explicit padding
// error is a Bleichenbacher oracle (a few ten thousand queries decrypt any
// ciphertext or forge a signature with the key), and Debian 12's OpenSSL 3.0
// still reports one. Here a ciphertext whose padding is wrong decrypts,
// without any error, to a synthetic message that only the holder of the
// private key can tell from a real one.
#pragma once

#include <cstddef>

#include <openssl/types.h>

#include "common/bytes.h"

namespace ecert::crypto {

class Pkcs1ImplicitRejection {
 public:
  // `pkey`: an RSA private key of the module's library context. Its private
  // exponent is read once, and only SHA-256 of it is kept. Throws
  // Error(CKR_KEY_SIZE_RANGE) for a modulus under 11 bytes (no PKCS#1 v1.5
  // message fits) or over 8191 bytes (the method's 16-bit bit counts), and
  // Error(CKR_FUNCTION_FAILED) if the key has no private exponent.
  explicit Pkcs1ImplicitRejection(EVP_PKEY* pkey);

  // Decrypts `ciphertext` with `ctx`, a context of the same key that the caller
  // has set up with EVP_PKEY_decrypt_init() and RSA_NO_PADDING (the padding is
  // removed here, not by OpenSSL).
  //
  // Returns the message when the block is 00 || 02 || at least 8 non-zero
  // bytes || 00 || message. Otherwise returns the synthetic message: a
  // deterministic function of the key and the ciphertext (the same ciphertext
  // always gives the same message), 0 to k-11 bytes long. Both cases take the
  // same code path with no branch or memory access depending on the padding;
  // only the length of the result, which the caller sees anyway, varies.
  //
  // Throws, for reasons visible without the private key only:
  // Error(CKR_ENCRYPTED_DATA_LEN_RANGE) if `ciphertext` is not k bytes,
  // Error(CKR_ENCRYPTED_DATA_INVALID) if its value is not below the modulus;
  // and Error(CKR_FUNCTION_FAILED) / Error(CKR_HOST_MEMORY) when OpenSSL fails.
  SecureBytes decrypt(EVP_PKEY_CTX* ctx, ByteView ciphertext) const;

  // k: the modulus length in bytes.
  std::size_t modulus_size() const { return k_; }

 private:
  std::size_t k_;
  SecureBytes exponent_hash_;  // SHA-256 of d as k big-endian bytes: the KDK's key
};

}  // namespace ecert::crypto
