// Message digests (C_Digest*), with the algorithms fetched once per context.
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

}  // namespace ecert::crypto
