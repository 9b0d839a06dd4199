// Storage encryption: layout, round trips, and every kind of tampering
// yielding nullopt rather than an exception.
#include "crypto/aead.h"
#include "crypto_test_support.h"

namespace ecert::crypto::test {
namespace {

const Bytes kKey = pattern(32, 9);

Bytes plain(const SecureBytes& s) { return Bytes(s.begin(), s.end()); }

TEST(Aead, RoundTripAndLayout) {
  for (std::size_t len : {0u, 1u, 16u, 1000u}) {
    SCOPED_TRACE(len);
    Bytes pt = pattern(len);
    Bytes aad = bytes_of("record 7");
    Bytes sealed = aead::seal(kKey, aad, pt);
    ASSERT_EQ(sealed.size(), 12 + len + 16);
    auto opened = aead::open(kKey, aad, sealed);
    ASSERT_TRUE(opened.has_value());
    EXPECT_EQ(plain(*opened), pt);
  }
  auto empty_aad = aead::open(kKey, Bytes{}, aead::seal(kKey, Bytes{}, bytes_of("x")));
  ASSERT_TRUE(empty_aad.has_value());
  EXPECT_EQ(plain(*empty_aad), bytes_of("x"));
}

TEST(Aead, NoncesAreFresh) {
  Bytes a = aead::seal(kKey, Bytes{}, bytes_of("same"));
  Bytes b = aead::seal(kKey, Bytes{}, bytes_of("same"));
  EXPECT_NE(Bytes(a.begin(), a.begin() + 12), Bytes(b.begin(), b.begin() + 12));
  EXPECT_NE(a, b);
}

TEST(Aead, MatchesPlainAesGcm) {
  Bytes aad = bytes_of("aad");
  Bytes pt = pattern(50);
  Bytes sealed = aead::seal(kKey, aad, pt);
  CipherPtr gcm(EVP_CIPHER_fetch(libctx(), "AES-256-GCM", nullptr));
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  ASSERT_EQ(EVP_DecryptInit_ex2(ctx.get(), gcm.get(), kKey.data(), sealed.data(), nullptr), 1);
  int n = 0;
  ASSERT_EQ(EVP_DecryptUpdate(ctx.get(), nullptr, &n, aad.data(), static_cast<int>(aad.size())), 1);
  Bytes out(pt.size());
  ASSERT_EQ(EVP_DecryptUpdate(ctx.get(), out.data(), &n, sealed.data() + 12, static_cast<int>(pt.size())), 1);
  ASSERT_EQ(EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, 16, sealed.data() + 12 + pt.size()), 1);
  EXPECT_EQ(EVP_DecryptFinal_ex(ctx.get(), out.data() + n, &n), 1);
  EXPECT_EQ(out, pt);
}

TEST(Aead, EveryFlippedBitIsRejected) {
  Bytes aad = bytes_of("aad");
  Bytes sealed = aead::seal(kKey, aad, pattern(20));
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    Bytes bad = sealed;
    bad[i] ^= static_cast<std::uint8_t>(1u << (i % 8));
    EXPECT_FALSE(aead::open(kKey, aad, bad).has_value()) << i;
  }
}

TEST(Aead, WrongAadKeyOrLengthIsRejected) {
  Bytes sealed = aead::seal(kKey, bytes_of("aad"), bytes_of("secret"));
  EXPECT_FALSE(aead::open(kKey, bytes_of("aae"), sealed).has_value());
  EXPECT_FALSE(aead::open(kKey, Bytes{}, sealed).has_value());
  EXPECT_FALSE(aead::open(pattern(32, 10), bytes_of("aad"), sealed).has_value());
  EXPECT_FALSE(aead::open(kKey, bytes_of("aad"), ByteView(sealed).first(sealed.size() - 1)).has_value());
  EXPECT_FALSE(aead::open(kKey, bytes_of("aad"), Bytes(27, 0)).has_value());
  EXPECT_FALSE(aead::open(kKey, bytes_of("aad"), Bytes{}).has_value());
  Bytes empty_sealed = aead::seal(kKey, Bytes{}, Bytes{});
  EXPECT_EQ(empty_sealed.size(), 28u);
  EXPECT_TRUE(aead::open(kKey, Bytes{}, empty_sealed).has_value());
  EXPECT_FALSE(aead::open(kKey, Bytes{}, Bytes(28, 0)).has_value());
}

TEST(Aead, KeyMustBe32Bytes) {
  EXPECT_RV(CKR_GENERAL_ERROR, aead::seal(pattern(16), Bytes{}, Bytes{}));
  EXPECT_RV(CKR_GENERAL_ERROR, aead::open(pattern(33), Bytes{}, Bytes(40, 0)));
}

}  // namespace
}  // namespace ecert::crypto::test
