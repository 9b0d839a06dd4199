// The mechanism table: what each supported mechanism is (key type, key sizes,
// the flags C_GetMechanismInfo reports) and how to make an operation for it.
// Each family file (families.h) holds its factories and its own rows;
// mechanism_table.cpp puts the families together in C_GetMechanismList order.
// Nothing here touches sessions, objects or the store.
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
