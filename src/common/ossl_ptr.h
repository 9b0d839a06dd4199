// Owning pointers for OpenSSL handles, shared by the module (src/crypto) and
// the manager: every OpenSSL object either creates is held by one of these, so
// no error path leaks or double-frees it. Header only: aliases, and inline
// deleters for what OpenSSL frees through a macro.
#pragma once

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>

#include <memory>

namespace ecert {

template <class T, void (*Free)(T*)>
struct OsslDeleter {
  void operator()(T* p) const noexcept { Free(p); }
};
template <class T, void (*Free)(T*)>
using OsslPtr = std::unique_ptr<T, OsslDeleter<T, Free>>;

inline void bn_clear_free(BIGNUM* b) { BN_clear_free(b); }

// OPENSSL_free and sk_X509_*free are macros, so they cannot be template
// arguments themselves.
template <class T>
void openssl_free(T* p) {
  OPENSSL_free(p);
}
// Frees the stack and every certificate in it.
inline void x509_stack_pop_free(STACK_OF(X509) * s) { sk_X509_pop_free(s, X509_free); }
// Frees the stack only: the certificates in it are owned elsewhere.
inline void x509_stack_free(STACK_OF(X509) * s) { sk_X509_free(s); }

using PkeyPtr = OsslPtr<EVP_PKEY, EVP_PKEY_free>;
using PkeyCtxPtr = OsslPtr<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using MdCtxPtr = OsslPtr<EVP_MD_CTX, EVP_MD_CTX_free>;
using MdPtr = OsslPtr<EVP_MD, EVP_MD_free>;
using CipherCtxPtr = OsslPtr<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free>;
using CipherPtr = OsslPtr<EVP_CIPHER, EVP_CIPHER_free>;
using BignumPtr = OsslPtr<BIGNUM, bn_clear_free>;
using ParamBldPtr = OsslPtr<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>;
using ParamPtr = OsslPtr<OSSL_PARAM, OSSL_PARAM_free>;
using X509Ptr = OsslPtr<X509, X509_free>;
using EcdsaSigPtr = OsslPtr<ECDSA_SIG, ECDSA_SIG_free>;
using EcGroupPtr = OsslPtr<EC_GROUP, EC_GROUP_free>;
using EcPointPtr = OsslPtr<EC_POINT, EC_POINT_free>;
using BioPtr = OsslPtr<BIO, BIO_free_all>;
using BitStringPtr = OsslPtr<ASN1_BIT_STRING, ASN1_BIT_STRING_free>;
// Memory OpenSSL allocated for the caller (i2d_* output, PEM fields, text).
using OsslBytePtr = OsslPtr<unsigned char, openssl_free<unsigned char>>;
using OsslCharPtr = OsslPtr<char, openssl_free<char>>;
// A stack that owns its certificates, and one that only lists certificates
// held by someone else.
using X509StackPtr = OsslPtr<STACK_OF(X509), x509_stack_pop_free>;
using X509BorrowedStackPtr = OsslPtr<STACK_OF(X509), x509_stack_free>;

}  // namespace ecert
