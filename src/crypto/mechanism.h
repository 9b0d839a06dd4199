// The mechanism table: what each supported mechanism is (key type, key sizes,
// the flags C_GetMechanismInfo reports) and how to make an operation for it.
// Each family file (families.h) holds its factories and its own rows;
// mechanism_table.cpp puts the families together in C_GetMechanismList order.
// Nothing here touches sessions, objects or the store.
//
// Adding a mechanism:
//  1. The factory. In the family file of its operation and key type
//     (rsa_sign.cpp, rsa_encrypt.cpp, ecdsa.cpp, digest.cpp, rsa_keygen.cpp,
//     ec_keygen.cpp), teach make_rsa_sign, make_rsa_cipher, make_ecdsa,
//     make_digest, generate_rsa_key_pair or generate_ec_key_pair the new CKM_
//     value: check the key against the row with check_key() (a generator
//     reads the row's key sizes with row_of()) and the parameter with
//     require_no_parameter() or parameter_as<>() (mechanism_checks.h). A hash
//     the module lacks goes into algorithms.cpp (Hash, kHashes,
//     hash_for_mechanism). A new family instead is a new src/crypto file,
//     listed in src/crypto/CMakeLists.txt, whose factory and
//     `std::span<const Mechanism> <family>_mechanisms()` are declared in
//     families.h and whose function is added to kFamilies in
//     mechanism_table.cpp (where it goes there is where its rows appear in
//     C_GetMechanismList) and to families() in
//     tests/unit/crypto_mechanism_table_test.cpp.
//  2. The row, in that file's kRows, with designated initialisers: .name
//     spelled exactly as the CKM_ constant; .flags exactly what
//     C_GetMechanismInfo is to report (kSignVerify, kEncryptDecrypt, kEcCurves
//     and the key sizes kRsaMinBits.. are in families.h); a factory for every
//     operation flag (CKF_SIGN/CKF_VERIFY: .sign, CKF_ENCRYPT/CKF_DECRYPT:
//     .cipher, CKF_DIGEST: .digest, CKF_GENERATE_KEY_PAIR:
//     .generate_key_pair; the others stay nullptr); .multipart only when the
//     context hashes as it goes.
//  3. Tests: the row in kExpected (in list order) and its spelling in
//     kSpellings of tests/unit/crypto_mechanism_table_test.cpp, the family's
//     test (crypto_rsa_sign_test.cpp, crypto_rsa_encrypt_test.cpp,
//     crypto_ecdsa_test.cpp, crypto_digest_test.cpp, crypto_keygen_test.cpp),
//     and kTable of MechanismInfoIsExactlyTheTable in
//     tests/unit/module_crypto_test.cpp.
// No source outside src/crypto changes while the mechanism does what the token
// layer already runs on an RSA or EC key (sign/verify, single-part
// encrypt/decrypt, digest, key-pair generation): src/token reads only the row
// (slot_service.cpp for C_GetMechanismList/C_GetMechanismInfo, key_usage.cpp
// for the key checks, crypto_service.cpp for the operation). Multi-part
// encryption needs update/final in CipherContext and crypto_service.cpp's
// cipher_multipart; another kind of operation (wrap, derive, sign-recover) a
// new factory field here and its service in src/token.
//
// Adding a key type:
//  1. crypto/key.cpp: a case in decode_key()'s switch on CKA_KEY_TYPE, with a
//     decode_<type>() that builds the EVP_PKEY from the attributes
//     (pkey_from_params(); ossl_util.cpp's provider_key_type() for OpenSSL's
//     type name) and the Key with its type and bits(); say in key.h what
//     bits() counts for it, since the rows' key sizes are in that unit.
//     decode_key() runs at C_CreateObject (check_key_material() in
//     src/token/object_service.cpp) and at first use (Object::key() in
//     src/token/object.cpp).
//  2. src/token/attribute_rules.cpp: the key-material tables of its public
//     and private key (kRsaPublic and kRsaPrivate are the models: kReq what
//     C_CreateObject must give, kGenReq the inputs of generation, kNotGen what
//     the mechanism makes, kPrivateValue (kNotGen | kSens | kSecret) for
//     private values, which kSens keeps hidden while the key is sensitive or
//     unextractable), a kSubtypes row per class, both tables in value_kind()'s
//     kAll, derived attributes in derive_key() (as CKA_MODULUS_BITS), and the
//     type in the supported list of complete_new_object() in attribute_rules.h.
//  3. Its key-pair generation: a <type>_keygen.cpp with
//     generate_<type>_key_pair() (generate_pkey() of keygen_util.h) that sets
//     CKA_KEY_TYPE and the kNotGen attributes on both halves
//     (GeneratedKeyPair), and its CKF_GENERATE_KEY_PAIR row, added as a new
//     family above. token/crypto_service.cpp's generate_key_pair() needs
//     nothing: it takes the key type from the row.
//  4. Mechanisms for it, as above, with .key_type = its CKK_ value; check_key()
//     (mechanism_checks.cpp) and src/token/key_usage.cpp compare the row's key
//     type and sizes with the key's.
//  5. Tests: tests/unit/crypto_key_test.cpp (decoding and its errors),
//     crypto_keygen_test.cpp, token_attribute_rules_create_test.cpp and
//     token_attribute_rules_change_test.cpp, a test key beside rsa_key() and
//     ec_key() in crypto_test_support.h, and the table tests above.
// A secret key type (CKO_SECRET_KEY) is only step 2 today: a table like
// kSecretValue and kSubtypes rows, and in derive_key() its CKA_CHECK_VALUE
// from crypto/check_value.cpp (aes_check_value(), sha1_check_value(); another
// rule is a new function there). No mechanism can use a secret key yet:
// decode_key() and Object::key() take public and private keys only,
// key_usage.cpp refuses CKO_SECRET_KEY, and C_GenerateKey has no factory here
// (src/pkcs11/keys.cpp answers CKR_FUNCTION_NOT_SUPPORTED); a secret-key
// mechanism needs those first. For the e-Cert manager to import or request
// keys of a new type: src/manager/key_objects.cpp (the object templates) and
// key_request.cpp (KeySpec, scheme_for()).
#pragma once

#include <cstddef>
#include <memory>
#include <span>

#include "common/attribute_map.h"
#include "common/bytes.h"
#include "crypto/key.h"
#include "ecert/pkcs11.h"

namespace ecert::crypto {

// A signing or verifying operation on one key. Created by Mechanism::sign.
// All methods throw ecert::Error with the CK_RV the caller must see.
class SignContext {
 public:
  virtual ~SignContext() = default;
  // Exact length of a signature made with this key, in bytes.
  virtual std::size_t signature_size() const = 0;
  // Single-part: signs `data` into `out` (signature_size() bytes). Throws
  // CKR_DATA_LEN_RANGE if `data` does not fit the mechanism (for example an
  // RSA_PKCS input longer than k-11, a PSS input that is not the hash length).
  virtual void sign(ByteView data, std::uint8_t* out) = 0;
  // Single-part verify. Throws CKR_SIGNATURE_INVALID or CKR_SIGNATURE_LEN_RANGE.
  virtual void verify(ByteView data, ByteView signature) = 0;
  // Multi-part. A single-part mechanism collects the parts and signs or
  // verifies them whole at the final call, with the single-part limits.
  virtual void update(ByteView data) = 0;
  virtual void sign_final(std::uint8_t* out) = 0;
  virtual void verify_final(ByteView signature) = 0;
};

// An RSA encryption or decryption (single-part only for the RSA mechanisms).
class CipherContext {
 public:
  virtual ~CipherContext() = default;
  // An upper bound of the output length for an input of `input_len` bytes (the
  // answer to a NULL-buffer length query).
  virtual std::size_t max_output_size(std::size_t input_len) const = 0;
  // Throws CKR_DATA_LEN_RANGE / CKR_ENCRYPTED_DATA_LEN_RANGE for bad lengths and
  // CKR_ENCRYPTED_DATA_INVALID when decryption fails (a value not below the
  // modulus; OAEP's bad encoding). PKCS#1 v1.5's bad padding is not a
  // failure: it gives a synthetic message (rsa_implicit_rejection.h).
  virtual SecureBytes process(ByteView input) = 0;
};

class DigestContext {
 public:
  virtual ~DigestContext() = default;
  virtual std::size_t size() const = 0;
  virtual void update(ByteView data) = 0;
  // Writes size() bytes; the context cannot be used afterwards.
  virtual void final(std::uint8_t* out) = 0;
};

// The key material of a new key pair, as PKCS#11 attributes: for RSA
// CKA_MODULUS, CKA_PUBLIC_EXPONENT, CKA_MODULUS_BITS (public) and CKA_MODULUS,
// CKA_PUBLIC_EXPONENT, CKA_PRIVATE_EXPONENT, CKA_PRIME_1/2, CKA_EXPONENT_1/2,
// CKA_COEFFICIENT (private); for EC CKA_EC_PARAMS and CKA_EC_POINT (a DER OCTET
// STRING around the uncompressed point) on the public key and CKA_EC_PARAMS and
// CKA_VALUE on the private key. Both get CKA_KEY_TYPE. The token layer adds
// everything else (CKA_CLASS, CKA_LOCAL, CKA_ID, ...).
struct GeneratedKeyPair {
  AttributeMap public_key;
  AttributeMap private_key;
};

struct Mechanism {
  CK_MECHANISM_TYPE type;
  const char* name;  // "CKM_..." for logs and tests
  // CKK_RSA or CKK_EC; CK_UNAVAILABLE_INFORMATION for mechanisms without key.
  CK_KEY_TYPE key_type;
  CK_ULONG min_key_bits;
  CK_ULONG max_key_bits;
  CK_FLAGS flags;  // exactly what C_GetMechanismInfo reports
  // Hashes as it goes (the parts of C_SignUpdate need not be kept); false for
  // a mechanism whose input is signed as given (its parts are collected).
  bool multipart;
  // Factories; nullptr (a row leaves it out) where the mechanism does not do
  // that. They validate the mechanism parameters (CKR_MECHANISM_PARAM_INVALID)
  // and the key (CKR_KEY_TYPE_INCONSISTENT, CKR_KEY_SIZE_RANGE).
  std::unique_ptr<SignContext> (*sign)(const CK_MECHANISM& m, const Key& key, bool signing) = nullptr;
  std::unique_ptr<CipherContext> (*cipher)(const CK_MECHANISM& m, const Key& key, bool encrypting) = nullptr;
  std::unique_ptr<DigestContext> (*digest)(const CK_MECHANISM& m) = nullptr;
  // Reads CKA_MODULUS_BITS / CKA_PUBLIC_EXPONENT or CKA_EC_PARAMS from the
  // public template (CKR_TEMPLATE_INCOMPLETE, CKR_ATTRIBUTE_VALUE_INVALID,
  // CKR_CURVE_NOT_SUPPORTED, CKR_KEY_SIZE_RANGE).
  GeneratedKeyPair (*generate_key_pair)(const CK_MECHANISM& m, const AttributeMap& public_template) = nullptr;
};

// Every supported mechanism, in the order C_GetMechanismList reports them
// (the family order of mechanism_table.cpp). Built on the first call of
// either function; the rows stay put until the module is unloaded.
std::span<const Mechanism> all_mechanisms();
// The row for `type`, or nullptr.
const Mechanism* find_mechanism(CK_MECHANISM_TYPE type);

}  // namespace ecert::crypto
