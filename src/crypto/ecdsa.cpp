// ECDSA with PKCS#11's signature format: r || s, each zero-padded to the
// length of the curve order, where OpenSSL speaks DER ECDSA-Sig-Value. Also
// the table rows of the ECDSA mechanisms, at the end.
#include <array>

#include <openssl/ecdsa.h>

#include "common/error.h"
#include "crypto/algorithms.h"
#include "crypto/families.h"
#include "crypto/hashed_sign.h"
#include "crypto/mechanism_checks.h"
#include "crypto/ossl_util.h"

namespace ecert::crypto {
namespace {

// Longest DER ECDSA-Sig-Value for P-521: two 67-byte INTEGERs with 2-byte
// headers inside a SEQUENCE with a 3-byte header.
constexpr std::size_t kMaxDer = 3 + 2 * (2 + 67);
// CKM_ECDSA signs a caller-supplied hash of any length: OpenSSL keeps its
// leftmost bits up to the order's length, as ECDSA specifies. The bound only
// refuses what cannot be a hash at all.
constexpr std::size_t kMaxRawInput = 1024;

class EcdsaContext final : public HashedSignContext {
 public:
  EcdsaContext(const Key& key, bool signing, const EVP_MD* hash)
      : HashedSignContext(hash), ctx_(key.context()), n_((key.bits() + 7) / 8) {
    // No md on the EVP_PKEY_CTX: the digest (or raw input) is signed as given.
    ossl_check((signing ? EVP_PKEY_sign_init(ctx_.get()) : EVP_PKEY_verify_init(ctx_.get())) == 1, "ECDSA init");
  }

  std::size_t signature_size() const override { return 2 * n_; }

 protected:
  void sign_tbs(ByteView tbs, std::uint8_t* out) override {
    check_input(tbs);
    std::array<std::uint8_t, kMaxDer> der;
    std::size_t der_len = der.size();
    ossl_check(EVP_PKEY_sign(ctx_.get(), der.data(), &der_len, tbs.data(), tbs.size()) == 1, "EVP_PKEY_sign");
    const unsigned char* p = der.data();
    EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der_len)));
    ossl_check(sig != nullptr, "d2i_ECDSA_SIG");
    bn_to_padded(ECDSA_SIG_get0_r(sig.get()), out, n_);
    bn_to_padded(ECDSA_SIG_get0_s(sig.get()), out + n_, n_);
  }

  void verify_tbs(ByteView tbs, ByteView signature) override {
    require(signature.size() == 2 * n_, CKR_SIGNATURE_LEN_RANGE, "ECDSA signature length");
    check_input(tbs);
    std::array<std::uint8_t, kMaxDer> der;
    std::size_t der_len = to_der(signature, der.data());
    // Out-of-range r or s come back as errors rather than 0: all invalid.
    ossl_check(EVP_PKEY_verify(ctx_.get(), der.data(), der_len, tbs.data(), tbs.size()) == 1, "EVP_PKEY_verify",
               CKR_SIGNATURE_INVALID);
  }

 private:
  void check_input(ByteView tbs) const {
    require(hashing() || (!tbs.empty() && tbs.size() <= kMaxRawInput), CKR_DATA_LEN_RANGE,
            "CKM_ECDSA input must be a hash");
  }

  std::size_t to_der(ByteView signature, std::uint8_t* der) const {
    EcdsaSigPtr sig(ECDSA_SIG_new());
    ossl_check(sig != nullptr, "ECDSA_SIG_new", CKR_HOST_MEMORY);
    BignumPtr r = bn_from_bytes(signature.first(n_), false);
    BignumPtr s = bn_from_bytes(signature.last(n_), false);
    ossl_check(ECDSA_SIG_set0(sig.get(), r.get(), s.get()) == 1, "ECDSA_SIG_set0");
    r.release();  // now owned by sig
    s.release();
    int len = i2d_ECDSA_SIG(sig.get(), nullptr);
    ossl_check(len > 0 && static_cast<std::size_t>(len) <= kMaxDer, "i2d_ECDSA_SIG");
    unsigned char* p = der;
    ossl_check(i2d_ECDSA_SIG(sig.get(), &p) == len, "i2d_ECDSA_SIG");
    return static_cast<std::size_t>(len);
  }

  ContextPool::Lease ctx_;
  std::size_t n_;  // order length in bytes
};

std::optional<Hash> ecdsa_hash(CK_MECHANISM_TYPE type) {
  switch (type) {
    case CKM_ECDSA_SHA1:
      return Hash::sha1;
    case CKM_ECDSA_SHA224:
      return Hash::sha224;
    case CKM_ECDSA_SHA256:
      return Hash::sha256;
    case CKM_ECDSA_SHA384:
      return Hash::sha384;
    case CKM_ECDSA_SHA512:
      return Hash::sha512;
    default:
      return std::nullopt;
  }
}

}  // namespace

std::unique_ptr<SignContext> make_ecdsa(const CK_MECHANISM& m, const Key& key, bool signing) {
  check_key(m, key, signing);
  require_no_parameter(m);
  const EVP_MD* hash = nullptr;
  if (m.mechanism != CKM_ECDSA) {
    auto h = ecdsa_hash(m.mechanism);
    require(h.has_value(), CKR_MECHANISM_INVALID, "not an ECDSA mechanism");
    hash = md(*h);
  }
  return std::make_unique<EcdsaContext>(key, signing, hash);
}

namespace {

// CKM_ECDSA signs a hash the caller made, so it cannot take parts; the others
// hash as they go.
constexpr Mechanism kRows[] = {
    {.type = CKM_ECDSA,
     .name = "CKM_ECDSA",
     .key_type = CKK_EC,
     .min_key_bits = kEcMinBits,
     .max_key_bits = kEcMaxBits,
     .flags = kSignVerify | kEcCurves,
     .multipart = false,
     .sign = make_ecdsa},
    {.type = CKM_ECDSA_SHA1,
     .name = "CKM_ECDSA_SHA1",
     .key_type = CKK_EC,
     .min_key_bits = kEcMinBits,
     .max_key_bits = kEcMaxBits,
     .flags = kSignVerify | kEcCurves,
     .multipart = true,
     .sign = make_ecdsa},
    {.type = CKM_ECDSA_SHA224,
     .name = "CKM_ECDSA_SHA224",
     .key_type = CKK_EC,
     .min_key_bits = kEcMinBits,
     .max_key_bits = kEcMaxBits,
     .flags = kSignVerify | kEcCurves,
     .multipart = true,
     .sign = make_ecdsa},
    {.type = CKM_ECDSA_SHA256,
     .name = "CKM_ECDSA_SHA256",
     .key_type = CKK_EC,
     .min_key_bits = kEcMinBits,
     .max_key_bits = kEcMaxBits,
     .flags = kSignVerify | kEcCurves,
     .multipart = true,
     .sign = make_ecdsa},
    {.type = CKM_ECDSA_SHA384,
     .name = "CKM_ECDSA_SHA384",
     .key_type = CKK_EC,
     .min_key_bits = kEcMinBits,
     .max_key_bits = kEcMaxBits,
     .flags = kSignVerify | kEcCurves,
     .multipart = true,
     .sign = make_ecdsa},
    {.type = CKM_ECDSA_SHA512,
     .name = "CKM_ECDSA_SHA512",
     .key_type = CKK_EC,
     .min_key_bits = kEcMinBits,
     .max_key_bits = kEcMaxBits,
     .flags = kSignVerify | kEcCurves,
     .multipart = true,
     .sign = make_ecdsa},
};

}  // namespace

std::span<const Mechanism> ecdsa_mechanisms() { return kRows; }

}  // namespace ecert::crypto
