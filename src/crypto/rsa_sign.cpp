// RSA signatures: PKCS#1 v1.5 (raw and with a hash), raw X.509 and PSS, on
// OpenSSL's EVP_PKEY_sign/verify with the hashing of hashed_sign.h. Also the
// table rows of the signature-only RSA mechanisms, at the end; those of
// CKM_RSA_PKCS and CKM_RSA_X_509, which encrypt too, are in rsa_encrypt.cpp.
#include <openssl/rsa.h>

#include "common/error.h"
#include "crypto/algorithms.h"
#include "crypto/families.h"
#include "crypto/hashed_sign.h"
#include "crypto/mechanism_checks.h"
#include "crypto/ossl_util.h"
#include "crypto/rsa_raw.h"

namespace ecert::crypto {
namespace {

enum class Scheme { pkcs1_raw, x509_raw, pkcs1, pss };

struct Setup {
  Scheme scheme = Scheme::pkcs1_raw;
  const EVP_MD* hash = nullptr;    // multi-part hashing; nullptr for single-part
  const EVP_MD* sig_md = nullptr;  // the DigestInfo / PSS hash
  const EVP_MD* mgf_md = nullptr;
  int salt_len = 0;
  std::size_t raw_pss_len = 0;  // single-part PSS: the required input length
};

class RsaSignContext final : public HashedSignContext {
 public:
  RsaSignContext(const Key& key, bool signing, const Setup& s)
      : HashedSignContext(s.hash),
        pkey_(key.pkey()),
        ctx_(key.context()),
        scheme_(s.scheme),
        k_(rsa_modulus_size(key.pkey())),
        raw_pss_len_(s.raw_pss_len) {
    EVP_PKEY_CTX* c = ctx_.get();
    int (*init)(EVP_PKEY_CTX*) = signing ? EVP_PKEY_sign_init
                                 : raw() ? EVP_PKEY_verify_recover_init
                                         : EVP_PKEY_verify_init;
    ossl_check(init(c) == 1, "RSA sign init");
    ossl_check(EVP_PKEY_CTX_set_rsa_padding(c, padding()) == 1, "RSA padding");
    if (s.sig_md != nullptr) {
      ossl_check(EVP_PKEY_CTX_set_signature_md(c, s.sig_md) == 1, "RSA signature md");
    }
    if (scheme_ == Scheme::pss) {
      ossl_check(EVP_PKEY_CTX_set_rsa_mgf1_md(c, s.mgf_md) == 1, "PSS MGF1 md");
      ossl_check(EVP_PKEY_CTX_set_rsa_pss_saltlen(c, s.salt_len) == 1, "PSS salt length");
    }
  }

  std::size_t signature_size() const override { return k_; }

 protected:
  void sign_tbs(ByteView tbs, std::uint8_t* out) override {
    SecureBytes scratch;
    ByteView in = prepare(tbs, scratch);
    std::size_t len = k_;
    ossl_check(EVP_PKEY_sign(ctx_.get(), out, &len, nonnull_data(in), in.size()) == 1 && len == k_, "EVP_PKEY_sign");
  }

  void verify_tbs(ByteView tbs, ByteView signature) override {
    require(signature.size() == k_, CKR_SIGNATURE_LEN_RANGE, "RSA signature length");
    SecureBytes scratch;
    ByteView in = prepare(tbs, scratch);
    // OpenSSL reports a malformed signature as an error, not as 0, so any
    // failure here is an invalid signature.
    bool ok = raw() ? recovered_equals(signature, in)
                    : EVP_PKEY_verify(ctx_.get(), signature.data(), signature.size(), in.data(), in.size()) == 1;
    ossl_check(ok, "RSA verify", CKR_SIGNATURE_INVALID);
  }

 private:
  int padding() const {
    switch (scheme_) {
      case Scheme::x509_raw:
        return RSA_NO_PADDING;
      case Scheme::pss:
        return RSA_PKCS1_PSS_PADDING;
      default:
        return RSA_PKCS1_PADDING;
    }
  }

  bool raw() const { return scheme_ == Scheme::pkcs1_raw || scheme_ == Scheme::x509_raw; }

  // Raw mechanisms verify by recovering the signed block and comparing, since
  // EVP_PKEY_verify cannot express a valid signature of an empty input.
  bool recovered_equals(ByteView signature, ByteView expected) {
    SecureBytes recovered(k_);
    std::size_t len = recovered.size();
    return EVP_PKEY_verify_recover(ctx_.get(), recovered.data(), &len, signature.data(), signature.size()) == 1 &&
           constant_time_equal(ByteView(recovered.data(), len), expected);
  }

  // The single-part input checks; a digest from the hashing path always fits.
  ByteView prepare(ByteView tbs, SecureBytes& scratch) const {
    switch (scheme_) {
      case Scheme::pkcs1_raw:
        require(tbs.size() + 11 <= k_, CKR_DATA_LEN_RANGE, "input longer than k-11");
        return tbs;
      case Scheme::x509_raw:
        scratch = raw_rsa_block(pkey_, tbs);
        return view(scratch);
      case Scheme::pss:
        require(raw_pss_len_ == 0 || tbs.size() == raw_pss_len_, CKR_DATA_LEN_RANGE,
                "PSS input is not the hash length");
        return tbs;
      case Scheme::pkcs1:
        return tbs;
    }
    return tbs;
  }

  EVP_PKEY* pkey_;
  ContextPool::Lease ctx_;
  Scheme scheme_;
  std::size_t k_;
  std::size_t raw_pss_len_;
};

std::optional<Hash> pkcs1_hash(CK_MECHANISM_TYPE type) {
  switch (type) {
    case CKM_SHA1_RSA_PKCS:
      return Hash::sha1;
    case CKM_SHA224_RSA_PKCS:
      return Hash::sha224;
    case CKM_SHA256_RSA_PKCS:
      return Hash::sha256;
    case CKM_SHA384_RSA_PKCS:
      return Hash::sha384;
    case CKM_SHA512_RSA_PKCS:
      return Hash::sha512;
    default:
      return std::nullopt;
  }
}

std::optional<Hash> pss_hash(CK_MECHANISM_TYPE type) {
  switch (type) {
    case CKM_SHA1_RSA_PKCS_PSS:
      return Hash::sha1;
    case CKM_SHA224_RSA_PKCS_PSS:
      return Hash::sha224;
    case CKM_SHA256_RSA_PKCS_PSS:
      return Hash::sha256;
    case CKM_SHA384_RSA_PKCS_PSS:
      return Hash::sha384;
    case CKM_SHA512_RSA_PKCS_PSS:
      return Hash::sha512;
    default:
      return std::nullopt;
  }
}

// `mechanism_hash` is the hash of CKM_SHA*_RSA_PKCS_PSS, nullopt for the
// single-part CKM_RSA_PKCS_PSS.
Setup pss_setup(const CK_MECHANISM& m, std::optional<Hash> mechanism_hash, const Key& key) {
  const auto p = parameter_as<CK_RSA_PKCS_PSS_PARAMS>(m);
  const auto hash = hash_for_mechanism(p.hashAlg);
  const auto mgf = hash_for_mgf(p.mgf);
  require(hash.has_value() && mgf.has_value(), CKR_MECHANISM_PARAM_INVALID, "PSS hash or MGF");
  require(!mechanism_hash || *mechanism_hash == *hash, CKR_MECHANISM_PARAM_INVALID,
          "PSS hashAlg differs from the mechanism's hash");
  // EMSA-PSS needs emLen >= hLen + sLen + 2, emLen = ceil((modBits - 1) / 8);
  // that is k - hLen - 2 whenever the modulus bits are a multiple of 8.
  const std::size_t em_len = (key.bits() - 1 + 7) / 8;
  const std::size_t h_len = hash_size(*hash);
  require(em_len >= h_len + 2 && p.sLen <= em_len - h_len - 2, CKR_MECHANISM_PARAM_INVALID,
          "PSS salt too long for the key");
  Setup s;
  s.scheme = Scheme::pss;
  s.hash = mechanism_hash ? md(*hash) : nullptr;
  s.sig_md = md(*hash);
  s.mgf_md = md(*mgf);
  s.salt_len = static_cast<int>(p.sLen);
  s.raw_pss_len = mechanism_hash ? 0 : h_len;
  return s;
}

}  // namespace

std::unique_ptr<SignContext> make_rsa_sign(const CK_MECHANISM& m, const Key& key, bool signing) {
  check_key(m, key, signing);
  Setup s;
  if (m.mechanism == CKM_RSA_PKCS) {
    require_no_parameter(m);
    s.scheme = Scheme::pkcs1_raw;
  } else if (m.mechanism == CKM_RSA_X_509) {
    require_no_parameter(m);
    s.scheme = Scheme::x509_raw;
  } else if (m.mechanism == CKM_RSA_PKCS_PSS) {
    s = pss_setup(m, std::nullopt, key);
  } else if (auto h = pkcs1_hash(m.mechanism)) {
    require_no_parameter(m);
    s.scheme = Scheme::pkcs1;
    s.hash = md(*h);
    s.sig_md = s.hash;
  } else if (auto ph = pss_hash(m.mechanism)) {
    s = pss_setup(m, ph, key);
  } else {
    fail(CKR_MECHANISM_INVALID, "not an RSA signature mechanism");
  }
  return std::make_unique<RsaSignContext>(key, signing, s);
}

namespace {

// CKM_RSA_PKCS_PSS signs a hash the caller made, so it cannot take parts; the
// others hash as they go.
constexpr Mechanism kRows[] = {
    {.type = CKM_RSA_PKCS_PSS,
     .name = "CKM_RSA_PKCS_PSS",
     .key_type = CKK_RSA,
     .min_key_bits = kRsaMinBits,
     .max_key_bits = kRsaMaxBits,
     .flags = kSignVerify,
     .multipart = false,
     .sign = make_rsa_sign},
    {.type = CKM_SHA1_RSA_PKCS,
     .name = "CKM_SHA1_RSA_PKCS",
     .key_type = CKK_RSA,
     .min_key_bits = kRsaMinBits,
     .max_key_bits = kRsaMaxBits,
     .flags = kSignVerify,
     .multipart = true,
     .sign = make_rsa_sign},
    {.type = CKM_SHA224_RSA_PKCS,
     .name = "CKM_SHA224_RSA_PKCS",
     .key_type = CKK_RSA,
     .min_key_bits = kRsaMinBits,
     .max_key_bits = kRsaMaxBits,
     .flags = kSignVerify,
     .multipart = true,
     .sign = make_rsa_sign},
    {.type = CKM_SHA256_RSA_PKCS,
     .name = "CKM_SHA256_RSA_PKCS",
     .key_type = CKK_RSA,
     .min_key_bits = kRsaMinBits,
     .max_key_bits = kRsaMaxBits,
     .flags = kSignVerify,
     .multipart = true,
     .sign = make_rsa_sign},
    {.type = CKM_SHA384_RSA_PKCS,
     .name = "CKM_SHA384_RSA_PKCS",
     .key_type = CKK_RSA,
     .min_key_bits = kRsaMinBits,
     .max_key_bits = kRsaMaxBits,
     .flags = kSignVerify,
     .multipart = true,
     .sign = make_rsa_sign},
    {.type = CKM_SHA512_RSA_PKCS,
     .name = "CKM_SHA512_RSA_PKCS",
     .key_type = CKK_RSA,
     .min_key_bits = kRsaMinBits,
     .max_key_bits = kRsaMaxBits,
     .flags = kSignVerify,
     .multipart = true,
     .sign = make_rsa_sign},
    {.type = CKM_SHA1_RSA_PKCS_PSS,
     .name = "CKM_SHA1_RSA_PKCS_PSS",
     .key_type = CKK_RSA,
     .min_key_bits = kRsaMinBits,
     .max_key_bits = kRsaMaxBits,
     .flags = kSignVerify,
     .multipart = true,
     .sign = make_rsa_sign},
    {.type = CKM_SHA224_RSA_PKCS_PSS,
     .name = "CKM_SHA224_RSA_PKCS_PSS",
     .key_type = CKK_RSA,
     .min_key_bits = kRsaMinBits,
     .max_key_bits = kRsaMaxBits,
     .flags = kSignVerify,
     .multipart = true,
     .sign = make_rsa_sign},
    {.type = CKM_SHA256_RSA_PKCS_PSS,
     .name = "CKM_SHA256_RSA_PKCS_PSS",
     .key_type = CKK_RSA,
     .min_key_bits = kRsaMinBits,
     .max_key_bits = kRsaMaxBits,
     .flags = kSignVerify,
     .multipart = true,
     .sign = make_rsa_sign},
    {.type = CKM_SHA384_RSA_PKCS_PSS,
     .name = "CKM_SHA384_RSA_PKCS_PSS",
     .key_type = CKK_RSA,
     .min_key_bits = kRsaMinBits,
     .max_key_bits = kRsaMaxBits,
     .flags = kSignVerify,
     .multipart = true,
     .sign = make_rsa_sign},
    {.type = CKM_SHA512_RSA_PKCS_PSS,
     .name = "CKM_SHA512_RSA_PKCS_PSS",
     .key_type = CKK_RSA,
     .min_key_bits = kRsaMinBits,
     .max_key_bits = kRsaMaxBits,
     .flags = kSignVerify,
     .multipart = true,
     .sign = make_rsa_sign},
};

}  // namespace

std::span<const Mechanism> rsa_sign_mechanisms() { return kRows; }

}  // namespace ecert::crypto
