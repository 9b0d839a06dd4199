// Message digests (C_Digest*): SHA-1 and SHA-2 on EVP_MD_CTX, with the
// algorithms fetched once (algorithms.h) rather than on every C_DigestInit.
// Also the table rows of the digest mechanisms, at the end.
#include "common/error.h"
#include "crypto/algorithms.h"
#include "crypto/families.h"
#include "crypto/mechanism_checks.h"
#include "crypto/ossl_util.h"

namespace ecert::crypto {
namespace {

class ShaDigestContext final : public DigestContext {
 public:
  explicit ShaDigestContext(Hash h) : ctx_(new_md_ctx()), size_(hash_size(h)) {
    ossl_check(EVP_DigestInit_ex2(ctx_.get(), md(h), nullptr) == 1, "EVP_DigestInit_ex2");
  }
  std::size_t size() const override { return size_; }
  void update(ByteView data) override {
    ossl_check(EVP_DigestUpdate(ctx_.get(), data.data(), data.size()) == 1, "EVP_DigestUpdate");
  }
  void final(std::uint8_t* out) override {
    unsigned len = 0;
    ossl_check(EVP_DigestFinal_ex(ctx_.get(), out, &len) == 1 && len == size_, "EVP_DigestFinal_ex");
  }

 private:
  MdCtxPtr ctx_;
  std::size_t size_;
};

}  // namespace

std::unique_ptr<DigestContext> make_digest(const CK_MECHANISM& m) {
  require_no_parameter(m);
  auto h = hash_for_mechanism(m.mechanism);
  require(h.has_value(), CKR_MECHANISM_INVALID, "not a digest mechanism");
  return std::make_unique<ShaDigestContext>(*h);
}

namespace {

// No key: CK_MECHANISM_INFO's key sizes are 0 and key_type says so.
constexpr Mechanism kRows[] = {
    {.type = CKM_SHA_1,
     .name = "CKM_SHA_1",
     .key_type = CK_UNAVAILABLE_INFORMATION,
     .min_key_bits = 0,
     .max_key_bits = 0,
     .flags = CKF_DIGEST,
     .multipart = true,
     .digest = make_digest},
    {.type = CKM_SHA224,
     .name = "CKM_SHA224",
     .key_type = CK_UNAVAILABLE_INFORMATION,
     .min_key_bits = 0,
     .max_key_bits = 0,
     .flags = CKF_DIGEST,
     .multipart = true,
     .digest = make_digest},
    {.type = CKM_SHA256,
     .name = "CKM_SHA256",
     .key_type = CK_UNAVAILABLE_INFORMATION,
     .min_key_bits = 0,
     .max_key_bits = 0,
     .flags = CKF_DIGEST,
     .multipart = true,
     .digest = make_digest},
    {.type = CKM_SHA384,
     .name = "CKM_SHA384",
     .key_type = CK_UNAVAILABLE_INFORMATION,
     .min_key_bits = 0,
     .max_key_bits = 0,
     .flags = CKF_DIGEST,
     .multipart = true,
     .digest = make_digest},
    {.type = CKM_SHA512,
     .name = "CKM_SHA512",
     .key_type = CK_UNAVAILABLE_INFORMATION,
     .min_key_bits = 0,
     .max_key_bits = 0,
     .flags = CKF_DIGEST,
     .multipart = true,
     .digest = make_digest},
};

}  // namespace

std::span<const Mechanism> digest_mechanisms() { return kRows; }

}  // namespace ecert::crypto
