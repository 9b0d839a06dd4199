// The multi-part and single-part paths of HashedSignContext: hashing the
// parts with a cached EVP_MD, or collecting them for a raw mechanism, and
// handing the digest or the whole input to the subclass's sign_tbs() or
// verify_tbs().
#include "crypto/hashed_sign.h"

#include "common/error.h"
#include "crypto/ossl_util.h"

namespace ecert::crypto {

HashedSignContext::HashedSignContext(const EVP_MD* md) {
  if (md == nullptr) return;
  md_ctx_ = new_md_ctx();
  ossl_check(EVP_DigestInit_ex2(md_ctx_.get(), md, nullptr) == 1, "EVP_DigestInit_ex2");
}

HashedSignContext::Digest HashedSignContext::finish_digest() {
  Digest d;
  ossl_check(EVP_DigestFinal_ex(md_ctx_.get(), d.bytes, &d.len) == 1, "EVP_DigestFinal_ex");
  return d;
}

void HashedSignContext::update(ByteView data) {
  if (!hashing()) {
    collected_.insert(collected_.end(), data.begin(), data.end());
    return;
  }
  ossl_check(EVP_DigestUpdate(md_ctx_.get(), data.data(), data.size()) == 1, "EVP_DigestUpdate");
}

void HashedSignContext::sign(ByteView data, std::uint8_t* out) {
  if (!hashing()) return sign_tbs(data, out);
  update(data);
  sign_final(out);
}

void HashedSignContext::verify(ByteView data, ByteView signature) {
  if (!hashing()) return verify_tbs(data, signature);
  update(data);
  verify_final(signature);
}

void HashedSignContext::sign_final(std::uint8_t* out) {
  if (!hashing()) return sign_tbs(view(collected_), out);
  Digest d = finish_digest();
  sign_tbs(d.view(), out);
}

void HashedSignContext::verify_final(ByteView signature) {
  if (!hashing()) return verify_tbs(view(collected_), signature);
  Digest d = finish_digest();
  verify_tbs(d.view(), signature);
}

}  // namespace ecert::crypto
