// The mechanism families, one source file each. A family file holds the
// factory (or factories) of its mechanisms, each switching on m.mechanism
// within the family, and the family's rows of the mechanism table, written
// next to the code they point at; mechanism_table.cpp only puts the families
// together. Below the declarations: what the rows of several families share.
#pragma once

#include <span>

#include "crypto/mechanism.h"

namespace ecert::crypto {

// rsa_keygen.cpp: CKM_RSA_PKCS_KEY_PAIR_GEN.
GeneratedKeyPair generate_rsa_key_pair(const CK_MECHANISM& m, const AttributeMap& public_template);
std::span<const Mechanism> rsa_keygen_mechanisms();

// rsa_encrypt.cpp: the factory of CKM_RSA_PKCS, CKM_RSA_X_509 and
// CKM_RSA_PKCS_OAEP encryption, and the rows of all three (those of
// CKM_RSA_PKCS and CKM_RSA_X_509 also point at make_rsa_sign).
std::unique_ptr<CipherContext> make_rsa_cipher(const CK_MECHANISM& m, const Key& key, bool encrypting);
std::span<const Mechanism> rsa_encrypt_mechanisms();

// rsa_sign.cpp: the factory of CKM_RSA_PKCS, CKM_RSA_X_509,
// CKM_SHA*_RSA_PKCS, CKM_RSA_PKCS_PSS and CKM_SHA*_RSA_PKCS_PSS signatures;
// the rows of all but the first two (see rsa_encrypt.cpp).
std::unique_ptr<SignContext> make_rsa_sign(const CK_MECHANISM& m, const Key& key, bool signing);
std::span<const Mechanism> rsa_sign_mechanisms();

// ec_keygen.cpp: CKM_EC_KEY_PAIR_GEN.
GeneratedKeyPair generate_ec_key_pair(const CK_MECHANISM& m, const AttributeMap& public_template);
std::span<const Mechanism> ec_keygen_mechanisms();

// ecdsa.cpp: CKM_ECDSA, CKM_ECDSA_SHA*.
std::unique_ptr<SignContext> make_ecdsa(const CK_MECHANISM& m, const Key& key, bool signing);
std::span<const Mechanism> ecdsa_mechanisms();

// digest.cpp: CKM_SHA_1, CKM_SHA224 .. CKM_SHA512.
std::unique_ptr<DigestContext> make_digest(const CK_MECHANISM& m);
std::span<const Mechanism> digest_mechanisms();

// ---- Shared by the rows ----

// Key sizes in the unit of Key::bits(): RSA modulus bits, EC order bits
// (P-256 .. P-521, ec_curves.h). Every RSA row has the RSA limits and every EC
// row the EC ones, so a key one mechanism takes, all of its key type take.
inline constexpr CK_ULONG kRsaMinBits = 1024;
inline constexpr CK_ULONG kRsaMaxBits = 4096;
inline constexpr CK_ULONG kEcMinBits = 256;
inline constexpr CK_ULONG kEcMaxBits = 521;

// Flag combinations of CK_MECHANISM_INFO. A factory does both directions of
// its operation, so the flags come in pairs.
inline constexpr CK_FLAGS kSignVerify = CKF_SIGN | CKF_VERIFY;
inline constexpr CK_FLAGS kEncryptDecrypt = CKF_ENCRYPT | CKF_DECRYPT;
// What every EC row reports about curves: prime fields, named curves only
// (curve_from_params), uncompressed points.
inline constexpr CK_FLAGS kEcCurves = CKF_EC_F_P | CKF_EC_NAMEDCURVE | CKF_EC_UNCOMPRESS;

}  // namespace ecert::crypto
