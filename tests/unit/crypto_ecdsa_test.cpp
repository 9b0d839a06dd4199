// ECDSA in PKCS#11's r||s format, checked against OpenSSL's DER signatures.
#include "crypto_test_support.h"

namespace ecert::crypto::test {
namespace {

struct CurveCase {
  const char* group;
  std::size_t sig_len;
};
const CurveCase kCurves[] = {{"P-256", 64}, {"P-384", 96}, {"P-521", 132}};

bool ossl_verify_hash(EVP_PKEY* pkey, ByteView hash, ByteView raw_sig) {
  Bytes der = ecdsa_raw_to_der(raw_sig);
  auto ctx = ossl_ctx(pkey, EVP_PKEY_verify_init, [](EVP_PKEY_CTX*) {});
  return EVP_PKEY_verify(ctx.get(), der.data(), der.size(), hash.data(), hash.size()) == 1;
}

Bytes ossl_sign_hash(EVP_PKEY* pkey, ByteView hash) {
  auto ctx = ossl_ctx(pkey, EVP_PKEY_sign_init, [](EVP_PKEY_CTX*) {});
  Bytes der(256);
  std::size_t len = der.size();
  EXPECT_EQ(EVP_PKEY_sign(ctx.get(), der.data(), &len, hash.data(), hash.size()), 1);
  der.resize(len);
  return der;
}

bool ossl_digest_verify(EVP_PKEY* pkey, const char* md, ByteView data, ByteView raw_sig) {
  Bytes der = ecdsa_raw_to_der(raw_sig);
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (EVP_DigestVerifyInit_ex(ctx.get(), nullptr, md, libctx(), nullptr, pkey, nullptr) != 1) return false;
  return EVP_DigestVerify(ctx.get(), der.data(), der.size(), data.data(), data.size()) == 1;
}

Bytes ossl_digest_sign(EVP_PKEY* pkey, const char* md, ByteView data) {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  EXPECT_EQ(EVP_DigestSignInit_ex(ctx.get(), nullptr, md, libctx(), nullptr, pkey, nullptr), 1);
  std::size_t len = 0;
  EXPECT_EQ(EVP_DigestSign(ctx.get(), nullptr, &len, data.data(), data.size()), 1);
  Bytes der(len);
  EXPECT_EQ(EVP_DigestSign(ctx.get(), der.data(), &len, data.data(), data.size()), 1);
  der.resize(len);
  return der;
}

TEST(Ecdsa, RawSignatureLengthPerCurve) {
  for (const CurveCase& c : kCurves) {
    SCOPED_TRACE(c.group);
    const TestKey& k = ec_key(c.group);
    CK_MECHANISM m = mech(CKM_ECDSA);
    auto ctx = row(CKM_ECDSA).sign(m, *k.priv, true);
    EXPECT_EQ(ctx->signature_size(), c.sig_len);
    // Many signatures, so short r or s values (leading zero bytes) occur.
    for (int i = 0; i < 40; ++i) {
      Bytes hash = pattern(32, static_cast<std::uint8_t>(i));
      Bytes sig = our_sign(m, *k.priv, hash);
      ASSERT_EQ(sig.size(), c.sig_len);
      EXPECT_TRUE(ossl_verify_hash(k.ossl.get(), hash, sig));
      EXPECT_NO_THROW(our_verify(m, *k.pub, hash, sig));
    }
  }
}

TEST(Ecdsa, OpenSslSignaturesVerify) {
  for (const CurveCase& c : kCurves) {
    SCOPED_TRACE(c.group);
    const TestKey& k = ec_key(c.group);
    CK_MECHANISM m = mech(CKM_ECDSA);
    for (std::size_t len : {1u, 20u, 32u, 48u, 64u}) {
      Bytes hash = pattern(len);
      Bytes raw = ecdsa_der_to_raw(ossl_sign_hash(k.ossl.get(), hash), c.sig_len / 2);
      EXPECT_NO_THROW(our_verify(m, *k.pub, hash, raw)) << len;
      EXPECT_NO_THROW(our_verify(m, *k.priv, hash, raw)) << len;
    }
  }
}

TEST(Ecdsa, HashedMechanismsMatchOpenSsl) {
  struct H {
    CK_MECHANISM_TYPE type;
    const char* md;
  };
  const H hashes[] = {{CKM_ECDSA_SHA1, "SHA1"},
                      {CKM_ECDSA_SHA224, "SHA224"},
                      {CKM_ECDSA_SHA256, "SHA256"},
                      {CKM_ECDSA_SHA384, "SHA384"},
                      {CKM_ECDSA_SHA512, "SHA512"}};
  const Bytes msg = pattern(500);
  for (const CurveCase& c : kCurves) {
    const TestKey& k = ec_key(c.group);
    for (const H& h : hashes) {
      SCOPED_TRACE(std::string(c.group) + " " + h.md);
      CK_MECHANISM m = mech(h.type);
      Bytes sig = our_sign(m, *k.priv, msg, true);
      EXPECT_EQ(sig.size(), c.sig_len);
      EXPECT_TRUE(ossl_digest_verify(k.ossl.get(), h.md, msg, sig));
      Bytes theirs = ecdsa_der_to_raw(ossl_digest_sign(k.ossl.get(), h.md, msg), c.sig_len / 2);
      EXPECT_NO_THROW(our_verify(m, *k.pub, msg, theirs, true));
      EXPECT_NO_THROW(our_verify(m, *k.pub, msg, theirs));
      Bytes other = msg;
      other[499] ^= 1;
      EXPECT_RV(CKR_SIGNATURE_INVALID, our_verify(m, *k.pub, other, theirs, true));
    }
  }
}

TEST(Ecdsa, RawInputLength) {
  const TestKey& k = ec_key("P-256");
  CK_MECHANISM m = mech(CKM_ECDSA);
  EXPECT_RV(CKR_DATA_LEN_RANGE, our_sign(m, *k.priv, Bytes{}));
  EXPECT_RV(CKR_DATA_LEN_RANGE, our_sign(m, *k.priv, pattern(1025)));
  // Longer than the order: both sides keep the leftmost 256 bits.
  for (std::size_t n : {20u, 64u, 65u, 100u}) {
    Bytes sig = our_sign(m, *k.priv, pattern(n));
    EXPECT_TRUE(ossl_verify_hash(k.ossl.get(), pattern(n), sig)) << n;
    EXPECT_NO_THROW(our_verify(m, *k.pub, pattern(n), sig)) << n;
  }
  Bytes sig = our_sign(m, *k.priv, pattern(64));
  EXPECT_RV(CKR_DATA_LEN_RANGE, our_verify(m, *k.pub, Bytes{}, sig));
}

TEST(Ecdsa, VerifyErrors) {
  const TestKey& k = ec_key("P-384");
  CK_MECHANISM m = mech(CKM_ECDSA_SHA384);
  const Bytes msg = bytes_of("ecdsa errors");
  Bytes sig = our_sign(m, *k.priv, msg);
  EXPECT_RV(CKR_SIGNATURE_LEN_RANGE, our_verify(m, *k.pub, msg, ByteView(sig).first(95)));
  EXPECT_RV(CKR_SIGNATURE_LEN_RANGE, our_verify(m, *k.pub, msg, Bytes(97, 1)));
  EXPECT_RV(CKR_SIGNATURE_LEN_RANGE, our_verify(m, *k.pub, msg, Bytes{}));
  // A DER signature is the wrong format for PKCS#11.
  EXPECT_RV(CKR_SIGNATURE_LEN_RANGE, our_verify(m, *k.pub, msg, ecdsa_raw_to_der(sig)));
  for (std::size_t i : {0u, 47u, 48u, 95u}) {
    Bytes bad = sig;
    bad[i] ^= 0x01;
    EXPECT_RV(CKR_SIGNATURE_INVALID, our_verify(m, *k.pub, msg, bad));
  }
  Bytes zero_r = sig;
  std::fill(zero_r.begin(), zero_r.begin() + 48, 0);
  EXPECT_RV(CKR_SIGNATURE_INVALID, our_verify(m, *k.pub, msg, zero_r));
  EXPECT_RV(CKR_SIGNATURE_INVALID, our_verify(m, *k.pub, msg, Bytes(96, 0xff)));  // r, s >= n
  EXPECT_RV(CKR_SIGNATURE_INVALID, our_verify(m, *k.pub, msg, Bytes(96, 0)));
}

TEST(Ecdsa, KeyAndParameterChecks) {
  const TestKey& k = ec_key("P-256");
  CK_MECHANISM m = mech(CKM_ECDSA_SHA256);
  const Mechanism& r = row(CKM_ECDSA_SHA256);
  EXPECT_RV(CKR_KEY_TYPE_INCONSISTENT, r.sign(m, *k.pub, true));
  EXPECT_RV(CKR_KEY_TYPE_INCONSISTENT, r.sign(m, *rsa_key(2048).priv, true));
  CK_ULONG junk = 0;
  CK_MECHANISM with = mech(CKM_ECDSA_SHA256, junk);
  EXPECT_RV(CKR_MECHANISM_PARAM_INVALID, r.sign(with, *k.priv, true));
  CK_MECHANISM raw_with = mech(CKM_ECDSA, junk);
  EXPECT_RV(CKR_MECHANISM_PARAM_INVALID, row(CKM_ECDSA).sign(raw_with, *k.priv, true));
}

// C_SignUpdate with raw CKM_ECDSA: the parts are collected and signed whole.
TEST(Ecdsa, RawMechanismCollectsTheParts) {
  const TestKey& k = ec_key("P-256");
  Bytes hash(32, 0x5A);
  auto parts = row(CKM_ECDSA).sign(mech(CKM_ECDSA), *k.priv, true);
  parts->update(ByteView(hash).first(10));
  parts->update(ByteView(hash).subspan(10));
  Bytes sig(parts->signature_size());
  parts->sign_final(sig.data());
  auto whole = row(CKM_ECDSA).sign(mech(CKM_ECDSA), *k.pub, false);
  EXPECT_RV(CKR_OK, whole->verify(view(hash), view(sig)));
  auto short_parts = row(CKM_ECDSA).sign(mech(CKM_ECDSA), *k.pub, false);
  short_parts->update(ByteView(hash).first(31));
  EXPECT_RV(CKR_SIGNATURE_INVALID, short_parts->verify_final(view(sig)));
}

}  // namespace
}  // namespace ecert::crypto::test
