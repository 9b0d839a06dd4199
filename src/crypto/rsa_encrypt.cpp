// RSA encryption: PKCS#1 v1.5, OAEP and raw X.509, single-part. PKCS#1 v1.5
// decryption never reports bad padding (rsa_implicit_rejection.h). Also the
// table rows of these three mechanisms, at the end, including the two that
// sign as well.
#include <memory>

#include <openssl/core_names.h>
#include <openssl/rsa.h>

#include "common/error.h"
#include "crypto/algorithms.h"
#include "crypto/families.h"
#include "crypto/mechanism_checks.h"
#include "crypto/ossl_util.h"
#include "crypto/rsa_implicit_rejection.h"
#include "crypto/rsa_raw.h"

namespace ecert::crypto {
namespace {

enum class Scheme { pkcs1, oaep, x509_raw };

struct Oaep {
  const EVP_MD* hash = nullptr;
  const EVP_MD* mgf = nullptr;
  std::size_t hash_len = 0;
  Bytes label;
};

class RsaCipherContext final : public CipherContext {
 public:
  RsaCipherContext(const Key& key, bool encrypting, Scheme scheme, const Oaep& oaep)
      : pkey_(key.pkey()),
        ctx_(key.context()),
        scheme_(scheme),
        encrypting_(encrypting),
        k_(rsa_modulus_size(key.pkey())) {
    EVP_PKEY_CTX* c = ctx_.get();
    ossl_check((encrypting ? EVP_PKEY_encrypt_init(c) : EVP_PKEY_decrypt_init(c)) == 1, "RSA cipher init");
    switch (scheme) {
      case Scheme::pkcs1:
        if (encrypting) {
          ossl_check(EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING) == 1, "RSA padding");
        } else {
          // OpenSSL 3.0 reports bad padding as an error, a Bleichenbacher
          // oracle; the padding is removed with implicit rejection instead.
          ossl_check(EVP_PKEY_CTX_set_rsa_padding(c, RSA_NO_PADDING) == 1, "RSA padding");
          implicit_rejection_ = std::make_unique<Pkcs1ImplicitRejection>(key.pkey());
        }
        // Also the answer to a length query when decrypting, asked before any
        // decryption so that it cannot depend on the padding.
        max_plain_ = k_ - 11;
        break;
      case Scheme::x509_raw:
        ossl_check(EVP_PKEY_CTX_set_rsa_padding(c, RSA_NO_PADDING) == 1, "RSA padding");
        max_plain_ = k_;
        break;
      case Scheme::oaep:
        // A key too small for the hash could not encrypt even an empty message.
        require(k_ >= 2 * oaep.hash_len + 2, CKR_KEY_SIZE_RANGE, "key too small for the OAEP hash");
        max_plain_ = k_ - 2 * oaep.hash_len - 2;
        configure_oaep(oaep);
        break;
    }
  }

  std::size_t max_output_size(std::size_t) const override { return encrypting_ ? k_ : max_plain_; }

  SecureBytes process(ByteView input) override { return encrypting_ ? encrypt(input) : decrypt(input); }

 private:
  void configure_oaep(const Oaep& oaep) {
    EVP_PKEY_CTX* c = ctx_.get();
    ossl_check(EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_OAEP_PADDING) == 1, "RSA padding");
    ossl_check(EVP_PKEY_CTX_set_rsa_oaep_md(c, oaep.hash) == 1, "OAEP md");
    ossl_check(EVP_PKEY_CTX_set_rsa_mgf1_md(c, oaep.mgf) == 1, "OAEP MGF1 md");
    if (oaep.label.empty()) return;  // the empty label is the default
    // Set as a parameter, which OpenSSL copies, instead of the set0 call that
    // takes ownership only when it succeeds.
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(OSSL_ASYM_CIPHER_PARAM_OAEP_LABEL,
                                          const_cast<std::uint8_t*>(oaep.label.data()), oaep.label.size()),
        OSSL_PARAM_construct_end(),
    };
    ossl_check(EVP_PKEY_CTX_set_params(c, params) == 1, "OAEP label");
  }

  SecureBytes encrypt(ByteView input) {
    SecureBytes block;
    if (scheme_ == Scheme::x509_raw) {
      block = raw_rsa_block(pkey_, input);
      input = view(block);
    }
    require(input.size() <= max_plain_, CKR_DATA_LEN_RANGE, "plaintext too long");
    SecureBytes out(k_);
    std::size_t len = out.size();
    ossl_check(EVP_PKEY_encrypt(ctx_.get(), out.data(), &len, nonnull_data(input), input.size()) == 1 && len == k_,
               "EVP_PKEY_encrypt");
    return out;
  }

  SecureBytes decrypt(ByteView input) {
    require(input.size() == k_, CKR_ENCRYPTED_DATA_LEN_RANGE, "ciphertext is not k bytes");
    if (implicit_rejection_) return implicit_rejection_->decrypt(ctx_.get(), input);
    SecureBytes out(k_);
    std::size_t len = out.size();
    // OAEP's bad encoding, a wrong label and (OAEP or raw) a value not below
    // the modulus all land here; OpenSSL does not tell them apart and neither
    // may we. OAEP's check is constant time in OpenSSL 3.0 already.
    ossl_check(EVP_PKEY_decrypt(ctx_.get(), out.data(), &len, input.data(), input.size()) == 1, "EVP_PKEY_decrypt",
               CKR_ENCRYPTED_DATA_INVALID);
    out.resize(len);
    return out;
  }

  EVP_PKEY* pkey_;
  ContextPool::Lease ctx_;
  Scheme scheme_;
  bool encrypting_;
  std::size_t k_;
  std::size_t max_plain_ = 0;
  std::unique_ptr<Pkcs1ImplicitRejection> implicit_rejection_;  // PKCS#1 v1.5 decryption only
};

Oaep oaep_parameters(const CK_MECHANISM& m) {
  const auto p = parameter_as<CK_RSA_PKCS_OAEP_PARAMS>(m);
  const auto hash = hash_for_mechanism(p.hashAlg);
  const auto mgf = hash_for_mgf(p.mgf);
  require(hash.has_value() && mgf.has_value(), CKR_MECHANISM_PARAM_INVALID, "OAEP hash or MGF");
  const bool has_data = p.pSourceData != nullptr && p.ulSourceDataLen != 0;
  require(p.pSourceData != nullptr || p.ulSourceDataLen == 0, CKR_MECHANISM_PARAM_INVALID,
          "OAEP label length without data");
  // Source 0 (no source) is accepted as "empty label" as many callers pass it.
  require(p.source == CKZ_DATA_SPECIFIED || (p.source == 0 && !has_data), CKR_MECHANISM_PARAM_INVALID, "OAEP source");
  Oaep o;
  o.hash = md(*hash);
  o.mgf = md(*mgf);
  o.hash_len = hash_size(*hash);
  // Copied: the caller's buffer need not outlive C_EncryptInit.
  if (has_data) o.label = copy(view(p.pSourceData, p.ulSourceDataLen));
  return o;
}

}  // namespace

std::unique_ptr<CipherContext> make_rsa_cipher(const CK_MECHANISM& m, const Key& key, bool encrypting) {
  check_key(m, key, !encrypting);
  Oaep oaep;
  Scheme scheme;
  switch (m.mechanism) {
    case CKM_RSA_PKCS:
      require_no_parameter(m);
      scheme = Scheme::pkcs1;
      break;
    case CKM_RSA_X_509:
      require_no_parameter(m);
      scheme = Scheme::x509_raw;
      break;
    case CKM_RSA_PKCS_OAEP:
      oaep = oaep_parameters(m);
      scheme = Scheme::oaep;
      break;
    default:
      fail(CKR_MECHANISM_INVALID, "not an RSA cipher mechanism");
  }
  return std::make_unique<RsaCipherContext>(key, encrypting, scheme, oaep);
}

namespace {

// CKM_RSA_PKCS and CKM_RSA_X_509 both encrypt and sign, so their rows name
// make_rsa_cipher and make_rsa_sign. They live here rather than in
// rsa_sign.cpp so that concatenating the families keeps the order
// C_GetMechanismList has always reported (key-pair generation, the two, OAEP,
// then the signature-only mechanisms): a family contributes one contiguous
// run of rows. Both are single-part in either role.
constexpr Mechanism kRows[] = {
    {.type = CKM_RSA_PKCS,
     .name = "CKM_RSA_PKCS",
     .key_type = CKK_RSA,
     .min_key_bits = kRsaMinBits,
     .max_key_bits = kRsaMaxBits,
     .flags = kSignVerify | kEncryptDecrypt,
     .multipart = false,
     .sign = make_rsa_sign,
     .cipher = make_rsa_cipher},
    {.type = CKM_RSA_X_509,
     .name = "CKM_RSA_X_509",
     .key_type = CKK_RSA,
     .min_key_bits = kRsaMinBits,
     .max_key_bits = kRsaMaxBits,
     .flags = kSignVerify | kEncryptDecrypt,
     .multipart = false,
     .sign = make_rsa_sign,
     .cipher = make_rsa_cipher},
    {.type = CKM_RSA_PKCS_OAEP,
     .name = "CKM_RSA_PKCS_OAEP",
     .key_type = CKK_RSA,
     .min_key_bits = kRsaMinBits,
     .max_key_bits = kRsaMaxBits,
     .flags = kEncryptDecrypt,
     .multipart = false,
     .cipher = make_rsa_cipher},
};

}  // namespace

std::span<const Mechanism> rsa_encrypt_mechanisms() { return kRows; }

}  // namespace ecert::crypto
