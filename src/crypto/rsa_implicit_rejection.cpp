// The implicit-rejection method of rsa_implicit_rejection.h: a
// key-derivation key, HMAC-SHA256 of the ciphertext under SHA-256 of d; a
// synthetic message and length drawn from it; and the padding check and the
// choice between real and synthetic message done with constant-time masks,
// so that no branch or memory index depends on the padding.
#include "crypto/rsa_implicit_rejection.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <string_view>

#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "common/error.h"
#include "common/ossl_ptr.h"
#include "crypto/ossl_util.h"
#include "crypto/rsa_raw.h"

namespace ecert::crypto {
namespace {

using MacPtr = OsslPtr<EVP_MAC, EVP_MAC_free>;
using MacCtxPtr = OsslPtr<EVP_MAC_CTX, EVP_MAC_CTX_free>;

// The method fixes SHA-256 whatever else the key is used with: were the hash
// to differ between versions or settings, a caller comparing the two answers
// to one ciphertext would learn which of them are synthetic.
constexpr std::size_t kHashSize = 32;
// 16-bit candidate lengths. Each one fits the key with a chance over 1/2, so
// the fallback length 0 is taken with a chance under 2^-128.
constexpr std::size_t kLengthCandidates = 128;
// 00 || 02 || at least 8 bytes of padding string: the separator's lowest index.
constexpr std::uint32_t kFirstSeparator = 10;

// Constant-time selection. A Mask is all ones (true) or all zeros (false);
// values are below 2^31. The padding verdict and everything derived from it
// only ever flow through these, never into a branch or an index.
using Mask = std::uint32_t;

// Hides a mask from the optimiser, which could otherwise turn the arithmetic
// below back into the branches it exists to avoid.
inline Mask opaque(Mask m) {
#if defined(__GNUC__) || defined(__clang__)
  __asm__("" : "+r"(m));
#endif
  return m;
}
inline Mask msb_mask(std::uint32_t a) { return Mask{0} - (a >> 31); }
inline Mask is_zero(std::uint32_t a) { return msb_mask(~a & (a - 1)); }
inline Mask equal(std::uint32_t a, std::uint32_t b) { return is_zero(a ^ b); }
inline Mask less(std::uint32_t a, std::uint32_t b) { return msb_mask(a ^ ((a ^ b) | ((a - b) ^ b))); }
inline std::uint32_t select(Mask m, std::uint32_t a, std::uint32_t b) {
  m = opaque(m);
  return (m & a) | (~m & b);
}

class HmacSha256 {
 public:
  HmacSha256() : mac_(EVP_MAC_fetch(started_libctx(), "HMAC", nullptr)) {
    ossl_check(mac_ != nullptr, "EVP_MAC_fetch HMAC");
    ctx_.reset(EVP_MAC_CTX_new(mac_.get()));
    ossl_check(ctx_ != nullptr, "EVP_MAC_CTX_new", CKR_HOST_MEMORY);
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end(),
    };
    ossl_check(EVP_MAC_CTX_set_params(ctx_.get(), params) == 1, "HMAC digest");
  }
  void start(ByteView key) {
    ossl_check(EVP_MAC_init(ctx_.get(), key.data(), key.size(), nullptr) == 1, "EVP_MAC_init");
  }
  void add(ByteView data) { ossl_check(EVP_MAC_update(ctx_.get(), data.data(), data.size()) == 1, "EVP_MAC_update"); }
  void finish(std::uint8_t* out) {
    std::size_t len = 0;
    ossl_check(EVP_MAC_final(ctx_.get(), out, &len, kHashSize) == 1 && len == kHashSize, "EVP_MAC_final");
  }

 private:
  MacPtr mac_;
  MacCtxPtr ctx_;
};

std::array<std::uint8_t, 2> big_endian16(std::size_t v) {
  return {static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
}

// The method's PRF: HMAC-SHA256(KDK, i || label || bits) for i = 0, 1, ...,
// with i and the output length in bits as 2-byte big-endian numbers, the
// blocks concatenated and cut to `bytes`.
SecureBytes prf(HmacSha256& hmac, ByteView kdk, std::string_view label, std::size_t bytes) {
  const auto bits = big_endian16(bytes * 8);
  SecureBytes out(bytes);
  SecureBytes block(kHashSize);
  for (std::size_t pos = 0, i = 0; pos < bytes; pos += kHashSize, ++i) {
    hmac.start(kdk);
    hmac.add(big_endian16(i));
    hmac.add(view(label));
    hmac.add(bits);
    hmac.finish(block.data());
    std::copy_n(block.begin(), std::min(kHashSize, bytes - pos), out.begin() + static_cast<std::ptrdiff_t>(pos));
  }
  return out;
}

}  // namespace

Pkcs1ImplicitRejection::Pkcs1ImplicitRejection(EVP_PKEY* pkey) : k_(rsa_modulus_size(pkey)) {
  require(k_ >= 11 && k_ * 8 <= 0xffff, CKR_KEY_SIZE_RANGE, "modulus size outside implicit rejection");
  BignumPtr d = get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_D);
  SecureBytes d_bytes(k_);
  bn_to_padded(d.get(), d_bytes.data(), k_);
  MdPtr sha256(EVP_MD_fetch(started_libctx(), "SHA256", nullptr));
  ossl_check(sha256 != nullptr, "EVP_MD_fetch SHA256");
  exponent_hash_.resize(kHashSize);
  unsigned int len = 0;
  ossl_check(
      EVP_Digest(d_bytes.data(), k_, exponent_hash_.data(), &len, sha256.get(), nullptr) == 1 && len == kHashSize,
      "SHA-256 of the private exponent");
}

SecureBytes Pkcs1ImplicitRejection::decrypt(EVP_PKEY_CTX* ctx, ByteView ciphertext) const {
  require(ciphertext.size() == k_, CKR_ENCRYPTED_DATA_LEN_RANGE, "ciphertext is not k bytes");
  SecureBytes em(k_);
  std::size_t em_len = em.size();
  // Without padding, OpenSSL refuses only a value not below the modulus, which
  // anyone can check with the public key: this error says nothing secret.
  ossl_check(EVP_PKEY_decrypt(ctx, em.data(), &em_len, ciphertext.data(), ciphertext.size()) == 1,
             "RSA decryption primitive", CKR_ENCRYPTED_DATA_INVALID);
  ossl_check(em_len == k_, "RSA decryption primitive: not k bytes");

  // The synthetic message and its length, made for every ciphertext so that
  // the work does not depend on the padding.
  HmacSha256 hmac;
  SecureBytes kdk(kHashSize);
  hmac.start(exponent_hash_);
  hmac.add(ciphertext);
  hmac.finish(kdk.data());
  const SecureBytes synthetic = prf(hmac, kdk, "message", k_);
  const SecureBytes candidates = prf(hmac, kdk, "length", 2 * kLengthCandidates);

  // Candidates are cut to the bits of the bound so that the accepted ones are
  // uniform in 0 .. k-11, as long as a real message can be.
  const auto bound = static_cast<std::uint32_t>(k_ - 10);
  std::uint32_t bits = bound;
  bits |= bits >> 1;
  bits |= bits >> 2;
  bits |= bits >> 4;
  bits |= bits >> 8;
  std::uint32_t synthetic_len = 0;
  for (std::size_t i = 0; i < kLengthCandidates; ++i) {
    const std::uint32_t candidate = ((std::uint32_t{candidates[2 * i]} << 8) | candidates[2 * i + 1]) & bits;
    synthetic_len = select(less(candidate, bound), candidate, synthetic_len);
  }

  // EME-PKCS1-v1_5 decoding, reading every byte whatever it finds.
  Mask good = is_zero(em[0]) & equal(em[1], 2);
  Mask found = 0;
  std::uint32_t separator = 0;
  for (std::size_t i = 2; i < k_; ++i) {
    const Mask zero = is_zero(em[i]);
    separator = select(~found & zero, static_cast<std::uint32_t>(i), separator);
    found |= zero;
  }
  // Also false when there is no separator (it stayed 0).
  good &= ~less(separator, kFirstSeparator);
  const auto real_len = static_cast<std::uint32_t>(k_ - 1) - separator;  // used only if good
  const std::size_t length = select(good, real_len, synthetic_len);

  // Both messages end at the last byte of their k-byte blocks, so a byte-wise
  // choice over the whole blocks picks one without an index that depends on
  // the padding. What is left, the length, is the caller's to see anyway.
  SecureBytes chosen(k_);
  for (std::size_t i = 0; i < k_; ++i) chosen[i] = static_cast<std::uint8_t>(select(good, em[i], synthetic[i]));
  return SecureBytes(chosen.end() - static_cast<std::ptrdiff_t>(length), chosen.end());
}

}  // namespace ecert::crypto
