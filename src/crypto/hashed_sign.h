// The SignContext plumbing shared by RSA and ECDSA. A hashing mechanism
// (CKM_SHA256_RSA_PKCS, CKM_ECDSA_SHA384, ...) hashes with a cached EVP_MD and
// then signs the digest with EVP_PKEY_sign, which is what EVP_DigestSign does
// internally minus its per-call digest fetch. A raw mechanism (CKM_RSA_PKCS,
// CKM_ECDSA, ...) signs its input as given; given in parts, it collects them.
#pragma once

#include "common/ossl_ptr.h"
#include "crypto/mechanism.h"

namespace ecert::crypto {

class HashedSignContext : public SignContext {
 public:
  void sign(ByteView data, std::uint8_t* out) final;
  void verify(ByteView data, ByteView signature) final;
  void update(ByteView data) final;
  void sign_final(std::uint8_t* out) final;
  void verify_final(ByteView signature) final;

 protected:
  // `md` is nullptr for a raw (single-part) mechanism.
  explicit HashedSignContext(const EVP_MD* md);
  bool hashing() const { return md_ctx_ != nullptr; }
  // Sign or verify the to-be-signed value: the digest of a hashing mechanism,
  // the caller's input of a raw one (which the override validates).
  virtual void sign_tbs(ByteView tbs, std::uint8_t* out) = 0;
  virtual void verify_tbs(ByteView tbs, ByteView signature) = 0;

 private:
  struct Digest {
    std::uint8_t bytes[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    ByteView view() const { return ByteView(bytes, len); }
  };
  Digest finish_digest();

  MdCtxPtr md_ctx_;
  // A raw mechanism's parts of C_SignUpdate, signed whole at C_SignFinal:
  // the specification makes CKM_RSA_PKCS, CKM_ECDSA, ... single-part, but
  // pkcs11-tool --test and other clients use the multi-part calls with them,
  // as SoftHSMv2 and hardware tokens allow.
  SecureBytes collected_;
};

}  // namespace ecert::crypto
