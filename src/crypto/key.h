// Key: an OpenSSL key decoded once from an object's attributes and shared by
// every operation that uses it, so an operation never re-decodes (SoftHSMv2's
// per-operation rebuild is what makes it slow). Holds the EVP_PKEY of the
// module's library context.
#pragma once

#include <cstddef>
#include <memory>

#include <openssl/evp.h>

#include "common/attribute_map.h"
#include "common/bytes.h"
#include "crypto/context_pool.h"
#include "ecert/pkcs11.h"

namespace ecert::crypto {

class Key {
 public:
  Key(CK_KEY_TYPE type, bool is_private, std::shared_ptr<EVP_PKEY> pkey, std::size_t bits)
      : type_(type),
        private_(is_private),
        pkey_(std::move(pkey)),
        bits_(bits),
        contexts_(std::make_shared<ContextPool>(pkey_.get())) {}
  CK_KEY_TYPE type() const { return type_; }
  bool is_private() const { return private_; }
  EVP_PKEY* pkey() const { return pkey_.get(); }
  // RSA: modulus bits; EC: bits of the curve order (256, 384, 521).
  std::size_t bits() const { return bits_; }
  // An EVP_PKEY_CTX for this key, from the key's pool; it keeps the pool (and
  // so the EVP_PKEY) alive until it is given back.
  ContextPool::Lease context() const { return ContextPool::lease(contexts_); }

 private:
  CK_KEY_TYPE type_;
  bool private_;
  std::shared_ptr<EVP_PKEY> pkey_;
  std::size_t bits_;
  std::shared_ptr<ContextPool> contexts_;
};

// Decodes a key object's attributes (CKA_KEY_TYPE must be there). Private RSA
// needs CKA_MODULUS, CKA_PUBLIC_EXPONENT and CKA_PRIVATE_EXPONENT (CRT values
// used when present); private EC needs CKA_EC_PARAMS and CKA_VALUE; public keys
// need CKA_MODULUS + CKA_PUBLIC_EXPONENT or CKA_EC_PARAMS + CKA_EC_POINT (the
// point as DER OCTET STRING; a bare 04||X||Y is accepted too). Throws
// CKR_TEMPLATE_INCOMPLETE, CKR_ATTRIBUTE_VALUE_INVALID, CKR_CURVE_NOT_SUPPORTED,
// CKR_KEY_TYPE_INCONSISTENT (a key type other than RSA or EC).
std::shared_ptr<const Key> decode_key(CK_OBJECT_CLASS cls, const AttributeMap& attrs);

// Validates a private key's material on import and derives the public values
// the token stores beside it: for RSA CKA_MODULUS_BITS(on public keys only),
// for EC nothing. Returns the DER SubjectPublicKeyInfo (CKA_PUBLIC_KEY_INFO).
Bytes public_key_info(const Key& key);

// For RSA keys: CKA_MODULUS_BITS; for EC: the order bits. Used for key-size
// checks of the mechanism table.
std::size_t key_bits(const Key& key);

}  // namespace ecert::crypto
