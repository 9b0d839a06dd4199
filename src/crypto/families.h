// The factories of the mechanism families, one source file each; the rows of
// mechanism_table.cpp point at them. Each switches on m.mechanism within its
// family.
#pragma once

#include "crypto/mechanism.h"

namespace ecert::crypto {

// rsa_sign.cpp: CKM_RSA_PKCS, CKM_RSA_X_509, CKM_SHA*_RSA_PKCS,
// CKM_RSA_PKCS_PSS, CKM_SHA*_RSA_PKCS_PSS.
std::unique_ptr<SignContext> make_rsa_sign(const CK_MECHANISM& m, const Key& key, bool signing);
// rsa_encrypt.cpp: CKM_RSA_PKCS, CKM_RSA_X_509, CKM_RSA_PKCS_OAEP.
std::unique_ptr<CipherContext> make_rsa_cipher(const CK_MECHANISM& m, const Key& key, bool encrypting);
// ecdsa.cpp: CKM_ECDSA, CKM_ECDSA_SHA*.
std::unique_ptr<SignContext> make_ecdsa(const CK_MECHANISM& m, const Key& key, bool signing);
// digest.cpp: CKM_SHA_1, CKM_SHA224 .. CKM_SHA512.
std::unique_ptr<DigestContext> make_digest(const CK_MECHANISM& m);
// rsa_keygen.cpp, ec_keygen.cpp.
GeneratedKeyPair generate_rsa_key_pair(const CK_MECHANISM& m, const AttributeMap& public_template);
GeneratedKeyPair generate_ec_key_pair(const CK_MECHANISM& m, const AttributeMap& public_template);

}  // namespace ecert::crypto
