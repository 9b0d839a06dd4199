// The library context for the whole crypto_tests binary, and what happens
// when it stops and starts again (C_Finalize then C_Initialize).
#include "crypto/algorithms.h"
#include "crypto/mechanism.h"
#include "crypto_test_support.h"

namespace ecert::crypto::test {
namespace {

class CryptoEnvironment : public ::testing::Environment {
 public:
  void SetUp() override { start_library_context(); }
  void TearDown() override {
    clear_test_keys();
    stop_library_context();
  }
};

const auto* const kEnvironment = ::testing::AddGlobalTestEnvironment(new CryptoEnvironment);

Bytes sha256_through_table(ByteView data) {
  CK_MECHANISM m = mech(CKM_SHA256);
  auto ctx = row(CKM_SHA256).digest(m);
  ctx->update(data);
  Bytes out(ctx->size());
  ctx->final(out.data());
  return out;
}

TEST(LibraryContext, RestartRefetchesCachedAlgorithms) {
  const Bytes before = sha256_through_table(sv("abc"));
  ASSERT_NE(md(Hash::sha256), nullptr);  // cached now
  clear_test_keys();
  stop_library_context();
  // Without a context nothing may fall back to OpenSSL's default one.
  EXPECT_RV(CKR_CRYPTOKI_NOT_INITIALIZED, md(Hash::sha256));
  EXPECT_RV(CKR_CRYPTOKI_NOT_INITIALIZED, sha256_through_table(sv("abc")));
  start_library_context();
  // Under ASan a stale cache entry (freed with the old context) shows here.
  EXPECT_EQ(before, sha256_through_table(sv("abc")));
  // Keys made after the restart work.
  const TestKey& k = ec_key("P-256");
  CK_MECHANISM m = mech(CKM_ECDSA_SHA256);
  Bytes sig = our_sign(m, *k.priv, sv("after restart"));
  EXPECT_NO_THROW(our_verify(m, *k.pub, sv("after restart"), sig));
}

TEST(LibraryContext, CachedDigestIsStable) {
  EXPECT_EQ(md(Hash::sha384), md(Hash::sha384));
  EXPECT_EQ(EVP_MD_get_size(md(Hash::sha1)), 20);
  EXPECT_EQ(EVP_MD_get_size(md(Hash::sha224)), 28);
  EXPECT_EQ(EVP_MD_get_size(md(Hash::sha512)), 64);
  EXPECT_EQ(aes_256_gcm(), aes_256_gcm());
}

}  // namespace
}  // namespace ecert::crypto::test
