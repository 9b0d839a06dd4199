// The rows C_GetMechanismList / C_GetMechanismInfo report, in that order.
#include <algorithm>
#include <array>

#include "crypto/families.h"
#include "crypto/mechanism.h"

namespace ecert::crypto {
namespace {

constexpr CK_ULONG kRsaMin = 1024;
constexpr CK_ULONG kRsaMax = 4096;
constexpr CK_ULONG kEcMin = 256;
constexpr CK_ULONG kEcMax = 521;

constexpr CK_FLAGS kSignVerify = CKF_SIGN | CKF_VERIFY;
constexpr CK_FLAGS kEncryptDecrypt = CKF_ENCRYPT | CKF_DECRYPT;
constexpr CK_FLAGS kEcCurves = CKF_EC_F_P | CKF_EC_NAMEDCURVE | CKF_EC_UNCOMPRESS;

constexpr Mechanism rsa_sign(CK_MECHANISM_TYPE type, const char* name, bool multipart) {
  return {type, name, CKK_RSA, kRsaMin, kRsaMax, kSignVerify, multipart, make_rsa_sign, nullptr, nullptr, nullptr};
}
constexpr Mechanism rsa_both(CK_MECHANISM_TYPE type, const char* name) {
  return {type,  name,          CKK_RSA,         kRsaMin, kRsaMax, kSignVerify | kEncryptDecrypt,
          false, make_rsa_sign, make_rsa_cipher, nullptr, nullptr};
}
constexpr Mechanism ecdsa(CK_MECHANISM_TYPE type, const char* name, bool multipart) {
  return {type, name, CKK_EC, kEcMin, kEcMax, kSignVerify | kEcCurves, multipart, make_ecdsa, nullptr, nullptr, nullptr};
}
constexpr Mechanism digest(CK_MECHANISM_TYPE type, const char* name) {
  return {type, name, CK_UNAVAILABLE_INFORMATION, 0, 0, CKF_DIGEST, true, nullptr, nullptr, make_digest, nullptr};
}

#define ROW(f, m, ...) f(m, #m __VA_OPT__(, ) __VA_ARGS__)

const std::array kMechanisms{
    Mechanism{CKM_RSA_PKCS_KEY_PAIR_GEN, "CKM_RSA_PKCS_KEY_PAIR_GEN", CKK_RSA, kRsaMin, kRsaMax,
              CKF_GENERATE_KEY_PAIR, false, nullptr, nullptr, nullptr, generate_rsa_key_pair},
    ROW(rsa_both, CKM_RSA_PKCS),
    ROW(rsa_both, CKM_RSA_X_509),
    Mechanism{CKM_RSA_PKCS_OAEP, "CKM_RSA_PKCS_OAEP", CKK_RSA, kRsaMin, kRsaMax, kEncryptDecrypt, false,
              nullptr, make_rsa_cipher, nullptr, nullptr},
    ROW(rsa_sign, CKM_RSA_PKCS_PSS, false),
    ROW(rsa_sign, CKM_SHA1_RSA_PKCS, true),
    ROW(rsa_sign, CKM_SHA224_RSA_PKCS, true),
    ROW(rsa_sign, CKM_SHA256_RSA_PKCS, true),
    ROW(rsa_sign, CKM_SHA384_RSA_PKCS, true),
    ROW(rsa_sign, CKM_SHA512_RSA_PKCS, true),
    ROW(rsa_sign, CKM_SHA1_RSA_PKCS_PSS, true),
    ROW(rsa_sign, CKM_SHA224_RSA_PKCS_PSS, true),
    ROW(rsa_sign, CKM_SHA256_RSA_PKCS_PSS, true),
    ROW(rsa_sign, CKM_SHA384_RSA_PKCS_PSS, true),
    ROW(rsa_sign, CKM_SHA512_RSA_PKCS_PSS, true),
    Mechanism{CKM_EC_KEY_PAIR_GEN, "CKM_EC_KEY_PAIR_GEN", CKK_EC, kEcMin, kEcMax,
              CKF_GENERATE_KEY_PAIR | kEcCurves, false, nullptr, nullptr, nullptr, generate_ec_key_pair},
    ROW(ecdsa, CKM_ECDSA, false),
    ROW(ecdsa, CKM_ECDSA_SHA1, true),
    ROW(ecdsa, CKM_ECDSA_SHA224, true),
    ROW(ecdsa, CKM_ECDSA_SHA256, true),
    ROW(ecdsa, CKM_ECDSA_SHA384, true),
    ROW(ecdsa, CKM_ECDSA_SHA512, true),
    ROW(digest, CKM_SHA_1),
    ROW(digest, CKM_SHA224),
    ROW(digest, CKM_SHA256),
    ROW(digest, CKM_SHA384),
    ROW(digest, CKM_SHA512),
};

#undef ROW

}  // namespace

std::span<const Mechanism> all_mechanisms() { return kMechanisms; }

const Mechanism* find_mechanism(CK_MECHANISM_TYPE type) {
  auto it = std::ranges::find(kMechanisms, type, &Mechanism::type);
  return it == kMechanisms.end() ? nullptr : &*it;
}

}  // namespace ecert::crypto
