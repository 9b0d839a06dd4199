// Small helpers shared by the crypto layer for talking to OpenSSL: failing
// with a precise CK_RV, creating contexts in the module's library context and
// moving big integers between PKCS#11 byte strings and BIGNUMs.
#pragma once

#include <cstddef>
#include <memory>

#include <openssl/crypto.h>
#include <openssl/types.h>

#include "common/bytes.h"
#include "common/ossl_ptr.h"
#include "ecert/pkcs11.h"

namespace ecert::crypto {

// Clears OpenSSL's thread error queue (so our failures do not leak into the
// application's own OpenSSL error handling) and throws Error(rv).
[[noreturn]] void ossl_fail(CK_RV rv, const char* why);
inline void ossl_check(bool ok, const char* why, CK_RV rv = CKR_FUNCTION_FAILED) {
  if (!ok) ossl_fail(rv, why);
}

// libctx(), or Error(CKR_CRYPTOKI_NOT_INITIALIZED): passing NULL to OpenSSL
// would fall back to its default context.
OSSL_LIB_CTX* started_libctx();

// The name to fetch a key type's key management by ("RSA" and "EC" given,
// their OIDs returned). OpenSSL 3.0's EVP_PKEY_CTX_new_from_name() looks a
// short name up among ENGINEs first: in a process that made an engine the
// default for all methods (`openssl s_client -engine pkcs11`, curl
// --engine), "RSA"/"EC" then resolve to that engine, outside our library
// context, and every key build fails. The OID is a name only providers know.
const char* provider_key_type(const char* type);

MdCtxPtr new_md_ctx();

// Big-endian unsigned bytes (leading zeros allowed) to a BIGNUM; `secret`
// puts it in OpenSSL's secure heap so it is wiped when freed.
BignumPtr bn_from_bytes(ByteView bytes, bool secret);
// A BIGNUM to big-endian bytes without leading zeros (PKCS#11 big integer).
SecureBytes bn_to_bytes(const BIGNUM* bn);
// A BIGNUM to exactly `len` big-endian bytes; CKR_FUNCTION_FAILED if it does
// not fit.
void bn_to_padded(const BIGNUM* bn, std::uint8_t* out, std::size_t len);
// A BIGNUM parameter of a key (OSSL_PKEY_PARAM_*); CKR_FUNCTION_FAILED if the
// key does not have it.
BignumPtr get_bn_param(const EVP_PKEY* pkey, const char* name);

// The DER of an OpenSSL object through its i2d function.
template <class T, class I2d>
Bytes i2d_bytes(const T* object, I2d i2d) {
  unsigned char* der = nullptr;
  int len = i2d(object, &der);
  OsslBytePtr owner(der);
  ossl_check(len > 0 && der != nullptr, "i2d");
  return Bytes(der, der + len);
}

}  // namespace ecert::crypto
