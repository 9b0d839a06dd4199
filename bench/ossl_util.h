// OpenSSL 3 helpers: owning handles, public keys rebuilt from token
// attributes, and the checks that prove the module's outputs are genuine.
#pragma once

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <memory>
#include <string>

#include "common/ossl_ptr.h"
#include "p11_util.h"
#include "status.h"

// The owning pointers are the module's and the manager's (src/common/ossl_ptr.h),
// under the bench's names.
using EvpPkeyPtr = ecert::PkeyPtr;
using EvpPkeyCtxPtr = ecert::PkeyCtxPtr;
using EvpMdCtxPtr = ecert::MdCtxPtr;
using EvpMdPtr = ecert::MdPtr;
using BignumPtr = ecert::BignumPtr;
using ParamBldPtr = ecert::ParamBldPtr;
using ParamPtr = ecert::ParamPtr;
using EcdsaSigPtr = ecert::EcdsaSigPtr;

// From CKA_MODULUS / CKA_PUBLIC_EXPONENT (big-endian unsigned integers).
Status rsa_public_key(const Bytes& modulus, const Bytes& exponent, EvpPkeyPtr& key);
// From CKA_EC_PARAMS (DER OID of a named curve) and CKA_EC_POINT (DER OCTET
// STRING around 04||X||Y; a bare point is accepted too, some tokens send it).
Status ec_public_key(const Bytes& params, const Bytes& point, EvpPkeyPtr& key);

// A fresh key for the baseline; "RSA" gets 2048 bits, "EC" gets P-256.
Status generate_key(const char* type, EvpPkeyPtr& key);

Status sha256(const Bytes& data, Bytes& digest);
// The DER DigestInfo a TLS or ssh client feeds to a raw CKM_RSA_PKCS signer.
Bytes sha256_digest_info(const Bytes& digest);

// OAEP with SHA-256 and MGF1-SHA-256, the parameters the benchmark asks for.
Status set_oaep_sha256(EVP_PKEY_CTX* ctx);
Status oaep_encrypt(EVP_PKEY* key, const Bytes& plain, Bytes& cipher);

// Each returns ok only if the signature verifies.
Status verify_sha256_rsa_pkcs(EVP_PKEY* key, const Bytes& data, const Bytes& sig);
Status verify_rsa_pkcs_digest(EVP_PKEY* key, const Bytes& digest, const Bytes& sig);
// raw_sig is PKCS#11's r||s, not DER.
Status verify_ecdsa_digest(EVP_PKEY* key, const Bytes& digest, const Bytes& raw_sig);
Status verify_ecdsa_sha256(EVP_PKEY* key, const Bytes& data, const Bytes& raw_sig);
