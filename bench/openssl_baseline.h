// "The limit": the same operations done in-process with OpenSSL 3, on keys
// of the same type and size generated here (the token's private keys cannot
// be extracted, and need not be: cost depends on size, not on the key).
#pragma once

#include "ossl_util.h"
#include "timing.h"

struct BaselineKeys {
  EvpPkeyPtr rsa;  // RSA-2048, e = 65537 like the token key
  EvpPkeyPtr ec;   // P-256
};

Status make_baseline_keys(BaselineKeys& keys);

// EVP_PKEY_sign over `input`; for RSA with PKCS#1 v1.5 padding and no digest,
// i.e. what CKM_RSA_PKCS does to a ready-made DigestInfo.
PrepareFn limit_pkey_sign(EVP_PKEY* key, Bytes input);
// EVP_DigestSign with SHA-256: the counterpart of CKM_SHA256_RSA_PKCS and
// CKM_ECDSA_SHA256, initialised per operation as C_SignInit is.
PrepareFn limit_digest_sign_sha256(EVP_PKEY* key, Bytes data);
PrepareFn limit_oaep_decrypt(EVP_PKEY* key, Bytes cipher);
PrepareFn limit_sha256(Bytes data);
