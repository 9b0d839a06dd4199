// RSA signatures against plain OpenSSL: what we sign OpenSSL verifies, what
// OpenSSL signs we verify, and every documented error has its exact CK_RV.
#include "crypto_test_support.h"

namespace ecert::crypto::test {
namespace {

struct DigestVerifyOptions {
  int padding = RSA_PKCS1_PADDING;
  const char* mgf = nullptr;
  int salt = 0;
};

void apply(EVP_PKEY_CTX* pctx, const DigestVerifyOptions& o) {
  ASSERT_EQ(EVP_PKEY_CTX_set_rsa_padding(pctx, o.padding), 1);
  if (o.padding == RSA_PKCS1_PSS_PADDING) {
    ASSERT_EQ(EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, o.mgf, nullptr), 1);
    ASSERT_EQ(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, o.salt), 1);
  }
}

bool ossl_digest_verify(EVP_PKEY* pkey, const char* md, ByteView data, ByteView sig, DigestVerifyOptions o = {}) {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  if (EVP_DigestVerifyInit_ex(ctx.get(), &pctx, md, libctx(), nullptr, pkey, nullptr) != 1) return false;
  apply(pctx, o);
  return EVP_DigestVerify(ctx.get(), sig.data(), sig.size(), data.data(), data.size()) == 1;
}

Bytes ossl_digest_sign(EVP_PKEY* pkey, const char* md, ByteView data, DigestVerifyOptions o = {}) {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  EXPECT_EQ(EVP_DigestSignInit_ex(ctx.get(), &pctx, md, libctx(), nullptr, pkey, nullptr), 1);
  apply(pctx, o);
  std::size_t len = 0;
  EXPECT_EQ(EVP_DigestSign(ctx.get(), nullptr, &len, data.data(), data.size()), 1);
  Bytes sig(len);
  EXPECT_EQ(EVP_DigestSign(ctx.get(), sig.data(), &len, data.data(), data.size()), 1);
  return sig;
}

// EVP_PKEY_verify on a prepared input (raw mechanisms, PSS on a hash).
bool ossl_raw_verify(EVP_PKEY* pkey, ByteView tbs, ByteView sig, int padding, const char* md = nullptr,
                     const char* mgf = nullptr, int salt = 0) {
  auto ctx = ossl_ctx(pkey, EVP_PKEY_verify_init, [&](EVP_PKEY_CTX* c) {
    EVP_PKEY_CTX_set_rsa_padding(c, padding);
    if (md) EVP_PKEY_CTX_set_signature_md(c, EVP_get_digestbyname(md));
    if (mgf) EVP_PKEY_CTX_set_rsa_mgf1_md_name(c, mgf, nullptr);
    if (padding == RSA_PKCS1_PSS_PADDING) EVP_PKEY_CTX_set_rsa_pss_saltlen(c, salt);
  });
  return EVP_PKEY_verify(ctx.get(), sig.data(), sig.size(), tbs.data(), tbs.size()) == 1;
}

Bytes sha(const char* md, ByteView data) {
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned len = 0;
  MdPtr m(EVP_MD_fetch(libctx(), md, nullptr));
  EXPECT_EQ(EVP_Digest(data.data(), data.size(), out.data(), &len, m.get(), nullptr), 1);
  out.resize(len);
  return out;
}

// DER DigestInfo prefix of SHA-256 (RFC 8017, section 9.2 note 1).
const Bytes kSha256DigestInfoPrefix{0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                    0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};

struct HashCase {
  CK_MECHANISM_TYPE pkcs, pss, hash;
  CK_RSA_PKCS_MGF_TYPE mgf;
  const char* name;
  int len;
};
const HashCase kHashes[] = {
    {CKM_SHA1_RSA_PKCS, CKM_SHA1_RSA_PKCS_PSS, CKM_SHA_1, CKG_MGF1_SHA1, "SHA1", 20},
    {CKM_SHA224_RSA_PKCS, CKM_SHA224_RSA_PKCS_PSS, CKM_SHA224, CKG_MGF1_SHA224, "SHA224", 28},
    {CKM_SHA256_RSA_PKCS, CKM_SHA256_RSA_PKCS_PSS, CKM_SHA256, CKG_MGF1_SHA256, "SHA256", 32},
    {CKM_SHA384_RSA_PKCS, CKM_SHA384_RSA_PKCS_PSS, CKM_SHA384, CKG_MGF1_SHA384, "SHA384", 48},
    {CKM_SHA512_RSA_PKCS, CKM_SHA512_RSA_PKCS_PSS, CKM_SHA512, CKG_MGF1_SHA512, "SHA512", 64},
};

TEST(RsaSign, HashedPkcs1MatchesOpenSslBothWays) {
  const TestKey& k = rsa_key(2048);
  const Bytes msg = pattern(1000);
  for (const HashCase& h : kHashes) {
    SCOPED_TRACE(h.name);
    CK_MECHANISM m = mech(h.pkcs);
    Bytes ours = our_sign(m, *k.priv, msg, true);
    ASSERT_EQ(ours.size(), 256u);
    EXPECT_TRUE(ossl_digest_verify(k.ossl.get(), h.name, msg, ours));
    // PKCS#1 v1.5 is deterministic: both must produce the same bytes.
    Bytes theirs = ossl_digest_sign(k.ossl.get(), h.name, msg);
    EXPECT_EQ(ours, theirs);
    EXPECT_NO_THROW(our_verify(m, *k.pub, msg, theirs, true));
    EXPECT_NO_THROW(our_verify(m, *k.pub, msg, theirs, false));
    EXPECT_EQ(our_sign(m, *k.priv, msg, false), ours);
  }
}

TEST(RsaSign, RawPkcs1SignsADigestInfo) {
  const TestKey& k = rsa_key(2048);
  const Bytes msg = bytes_of("raw pkcs");
  Bytes info = kSha256DigestInfoPrefix;
  Bytes digest = sha("SHA256", msg);
  info.insert(info.end(), digest.begin(), digest.end());
  CK_MECHANISM m = mech(CKM_RSA_PKCS);
  Bytes sig = our_sign(m, *k.priv, info);
  EXPECT_TRUE(ossl_digest_verify(k.ossl.get(), "SHA256", msg, sig));
  EXPECT_TRUE(ossl_raw_verify(k.ossl.get(), info, sig, RSA_PKCS1_PADDING));
  EXPECT_NO_THROW(our_verify(m, *k.pub, info, ossl_digest_sign(k.ossl.get(), "SHA256", msg)));
}

TEST(RsaSign, RawPkcs1InputLength) {
  const TestKey& k = rsa_key(2048);
  CK_MECHANISM m = mech(CKM_RSA_PKCS);
  Bytes longest = pattern(256 - 11);
  Bytes sig = our_sign(m, *k.priv, longest);
  EXPECT_TRUE(ossl_raw_verify(k.ossl.get(), longest, sig, RSA_PKCS1_PADDING));
  EXPECT_NO_THROW(our_verify(m, *k.pub, longest, sig));
  EXPECT_RV(CKR_DATA_LEN_RANGE, our_sign(m, *k.priv, pattern(256 - 10)));
  EXPECT_RV(CKR_DATA_LEN_RANGE, our_verify(m, *k.pub, pattern(256 - 10), sig));
  Bytes empty_sig = our_sign(m, *k.priv, Bytes{});
  EXPECT_NO_THROW(our_verify(m, *k.pub, Bytes{}, empty_sig));
}

TEST(RsaSign, RawX509IsTheBarePrivateOperation) {
  const TestKey& k = rsa_key(2048);
  CK_MECHANISM m = mech(CKM_RSA_X_509);
  Bytes block = pattern(256, 3);
  block[0] = 0x01;  // below any 2048-bit modulus
  Bytes sig = our_sign(m, *k.priv, block);
  // Raising the signature to e recovers the block: OpenSSL's raw public op.
  auto ctx = ossl_ctx(k.ossl.get(), EVP_PKEY_verify_recover_init,
                      [](EVP_PKEY_CTX* c) { EVP_PKEY_CTX_set_rsa_padding(c, RSA_NO_PADDING); });
  Bytes recovered(256);
  std::size_t len = recovered.size();
  ASSERT_EQ(EVP_PKEY_verify_recover(ctx.get(), recovered.data(), &len, sig.data(), sig.size()), 1);
  EXPECT_EQ(recovered, block);
  EXPECT_NO_THROW(our_verify(m, *k.pub, block, sig));

  // A short input is the same number: zeros on the left.
  Bytes short_in = pattern(20);
  Bytes padded(256 - 20, 0);
  padded.insert(padded.end(), short_in.begin(), short_in.end());
  EXPECT_EQ(our_sign(m, *k.priv, short_in), our_sign(m, *k.priv, padded));
  EXPECT_NO_THROW(our_verify(m, *k.pub, short_in, our_sign(m, *k.priv, padded)));

  Bytes tampered = sig;
  tampered[100] ^= 1;
  EXPECT_RV(CKR_SIGNATURE_INVALID, our_verify(m, *k.pub, block, tampered));
}

TEST(RsaSign, RawX509InputMustBeBelowTheModulus) {
  const TestKey& k = rsa_key(2048);
  CK_MECHANISM m = mech(CKM_RSA_X_509);
  Bytes n = copy(view(k.public_attributes.at(CKA_MODULUS)));
  EXPECT_RV(CKR_DATA_INVALID, our_sign(m, *k.priv, n));
  EXPECT_RV(CKR_DATA_INVALID, our_sign(m, *k.priv, Bytes(256, 0xff)));
  EXPECT_RV(CKR_DATA_LEN_RANGE, our_sign(m, *k.priv, pattern(257)));
  Bytes below = n;
  below[255] -= 2;  // n is odd, so n-2 is still a valid block
  EXPECT_NO_THROW(our_sign(m, *k.priv, below));
}

TEST(RsaSign, PssSaltLengthsZeroHashAndMaximum) {
  const TestKey& k = rsa_key(2048);
  const Bytes msg = pattern(300);
  const Bytes digest = sha("SHA256", msg);
  for (CK_ULONG salt : {0UL, 32UL, 256UL - 32 - 2}) {
    SCOPED_TRACE(salt);
    CK_RSA_PKCS_PSS_PARAMS p{CKM_SHA256, CKG_MGF1_SHA256, salt};
    CK_MECHANISM m = mech(CKM_RSA_PKCS_PSS, p);
    Bytes sig = our_sign(m, *k.priv, digest);
    EXPECT_TRUE(
        ossl_raw_verify(k.ossl.get(), digest, sig, RSA_PKCS1_PSS_PADDING, "SHA256", "SHA256", static_cast<int>(salt)));
    EXPECT_TRUE(ossl_digest_verify(k.ossl.get(), "SHA256", msg, sig,
                                   {RSA_PKCS1_PSS_PADDING, "SHA256", static_cast<int>(salt)}));
    EXPECT_NO_THROW(our_verify(m, *k.pub, digest, sig));
    // The salt length is checked exactly on verify.
    CK_RSA_PKCS_PSS_PARAMS other = p;
    other.sLen = salt == 0 ? 1 : salt - 1;
    CK_MECHANISM mo = mech(CKM_RSA_PKCS_PSS, other);
    EXPECT_RV(CKR_SIGNATURE_INVALID, our_verify(mo, *k.pub, digest, sig));
    // And OpenSSL's signature verifies with us.
    Bytes theirs =
        ossl_digest_sign(k.ossl.get(), "SHA256", msg, {RSA_PKCS1_PSS_PADDING, "SHA256", static_cast<int>(salt)});
    EXPECT_NO_THROW(our_verify(m, *k.pub, digest, theirs));
  }
}

TEST(RsaSign, PssMgfHashMayDifferFromTheMessageHash) {
  const TestKey& k = rsa_key(2048);
  const Bytes digest = sha("SHA384", bytes_of("mixed"));
  CK_RSA_PKCS_PSS_PARAMS p{CKM_SHA384, CKG_MGF1_SHA1, 20};
  CK_MECHANISM m = mech(CKM_RSA_PKCS_PSS, p);
  Bytes sig = our_sign(m, *k.priv, digest);
  EXPECT_TRUE(ossl_raw_verify(k.ossl.get(), digest, sig, RSA_PKCS1_PSS_PADDING, "SHA384", "SHA1", 20));
  EXPECT_NO_THROW(our_verify(m, *k.pub, digest, sig));
}

TEST(RsaSign, PssMaximumSaltOnAnOddSizedModulus) {
  // 1025 bits: k = 129 but emLen = 128, so the largest salt is k - hLen - 3.
  const TestKey& k = rsa_key(1025);
  const Bytes digest = sha("SHA256", bytes_of("odd"));
  CK_RSA_PKCS_PSS_PARAMS p{CKM_SHA256, CKG_MGF1_SHA256, 128 - 32 - 2};
  CK_MECHANISM m = mech(CKM_RSA_PKCS_PSS, p);
  Bytes sig = our_sign(m, *k.priv, digest);
  EXPECT_EQ(sig.size(), 129u);
  EXPECT_TRUE(ossl_raw_verify(k.ossl.get(), digest, sig, RSA_PKCS1_PSS_PADDING, "SHA256", "SHA256", 94));
  p.sLen = 95;
  EXPECT_RV(CKR_MECHANISM_PARAM_INVALID, row(CKM_RSA_PKCS_PSS).sign(m, *k.priv, true));
}

TEST(RsaSign, PssParameterErrors) {
  const TestKey& k = rsa_key(2048);
  auto init = [&](CK_RSA_PKCS_PSS_PARAMS p, CK_MECHANISM_TYPE type = CKM_RSA_PKCS_PSS) {
    CK_MECHANISM m = mech(type, p);
    return rv_of([&] { row(type).sign(m, *k.priv, true); });
  };
  EXPECT_EQ(init({CKM_SHA256, CKG_MGF1_SHA256, 222}), CKR_OK);
  EXPECT_EQ(init({CKM_SHA256, CKG_MGF1_SHA256, 223}), CKR_MECHANISM_PARAM_INVALID);
  EXPECT_EQ(init({CKM_MD5, CKG_MGF1_SHA256, 16}), CKR_MECHANISM_PARAM_INVALID);
  EXPECT_EQ(init({CKM_SHA256_RSA_PKCS, CKG_MGF1_SHA256, 16}), CKR_MECHANISM_PARAM_INVALID);
  EXPECT_EQ(init({CKM_SHA256, 0, 16}), CKR_MECHANISM_PARAM_INVALID);
  EXPECT_EQ(init({CKM_SHA256, 6, 16}), CKR_MECHANISM_PARAM_INVALID);
  // Hashed PSS: the parameter's hash must be the mechanism's.
  EXPECT_EQ(init({CKM_SHA256, CKG_MGF1_SHA256, 32}, CKM_SHA256_RSA_PKCS_PSS), CKR_OK);
  EXPECT_EQ(init({CKM_SHA384, CKG_MGF1_SHA256, 32}, CKM_SHA256_RSA_PKCS_PSS), CKR_MECHANISM_PARAM_INVALID);
  EXPECT_EQ(init({CKM_SHA256, CKG_MGF1_SHA512, 32}, CKM_SHA256_RSA_PKCS_PSS), CKR_OK);

  CK_MECHANISM none = mech(CKM_RSA_PKCS_PSS);
  EXPECT_RV(CKR_MECHANISM_PARAM_INVALID, row(CKM_RSA_PKCS_PSS).sign(none, *k.priv, true));
  CK_RSA_PKCS_PSS_PARAMS p{CKM_SHA256, CKG_MGF1_SHA256, 32};
  CK_MECHANISM short_len{CKM_RSA_PKCS_PSS, &p, sizeof p - 1};
  EXPECT_RV(CKR_MECHANISM_PARAM_INVALID, row(CKM_RSA_PKCS_PSS).sign(short_len, *k.priv, true));
  CK_MECHANISM null_ptr{CKM_RSA_PKCS_PSS, nullptr, sizeof p};
  EXPECT_RV(CKR_MECHANISM_PARAM_INVALID, row(CKM_RSA_PKCS_PSS).sign(null_ptr, *k.priv, true));
}

TEST(RsaSign, PssInputMustBeTheHashLength) {
  const TestKey& k = rsa_key(2048);
  CK_RSA_PKCS_PSS_PARAMS p{CKM_SHA256, CKG_MGF1_SHA256, 32};
  CK_MECHANISM m = mech(CKM_RSA_PKCS_PSS, p);
  EXPECT_RV(CKR_DATA_LEN_RANGE, our_sign(m, *k.priv, pattern(31)));
  EXPECT_RV(CKR_DATA_LEN_RANGE, our_sign(m, *k.priv, pattern(33)));
  EXPECT_RV(CKR_DATA_LEN_RANGE, our_sign(m, *k.priv, Bytes{}));
  Bytes sig = our_sign(m, *k.priv, pattern(32));
  EXPECT_RV(CKR_DATA_LEN_RANGE, our_verify(m, *k.pub, pattern(20), sig));
}

TEST(RsaSign, HashedPssMatchesOpenSslBothWays) {
  const TestKey& k = rsa_key(3072);
  const Bytes msg = pattern(777);
  for (const HashCase& h : kHashes) {
    SCOPED_TRACE(h.name);
    CK_RSA_PKCS_PSS_PARAMS p{h.hash, h.mgf, static_cast<CK_ULONG>(h.len)};
    CK_MECHANISM m = mech(h.pss, p);
    Bytes ours = our_sign(m, *k.priv, msg, true);
    EXPECT_TRUE(ossl_digest_verify(k.ossl.get(), h.name, msg, ours, {RSA_PKCS1_PSS_PADDING, h.name, h.len}));
    Bytes theirs = ossl_digest_sign(k.ossl.get(), h.name, msg, {RSA_PKCS1_PSS_PADDING, h.name, h.len});
    EXPECT_NO_THROW(our_verify(m, *k.pub, msg, theirs, true));
    EXPECT_NO_THROW(our_verify(m, *k.pub, msg, theirs));
    Bytes other_msg = msg;
    other_msg[0] ^= 1;
    EXPECT_RV(CKR_SIGNATURE_INVALID, our_verify(m, *k.pub, other_msg, theirs, true));
  }
}

TEST(RsaSign, VerifyErrors) {
  const TestKey& k = rsa_key(2048);
  CK_MECHANISM m = mech(CKM_SHA256_RSA_PKCS);
  const Bytes msg = bytes_of("verify errors");
  Bytes sig = our_sign(m, *k.priv, msg);
  EXPECT_RV(CKR_SIGNATURE_LEN_RANGE, our_verify(m, *k.pub, msg, ByteView(sig).first(255)));
  Bytes longer = sig;
  longer.push_back(0);
  EXPECT_RV(CKR_SIGNATURE_LEN_RANGE, our_verify(m, *k.pub, msg, longer));
  EXPECT_RV(CKR_SIGNATURE_LEN_RANGE, our_verify(m, *k.pub, msg, Bytes{}));
  for (std::size_t i : {0u, 128u, 255u}) {
    Bytes bad = sig;
    bad[i] ^= 0x80;
    EXPECT_RV(CKR_SIGNATURE_INVALID, our_verify(m, *k.pub, msg, bad));
  }
  EXPECT_RV(CKR_SIGNATURE_INVALID, our_verify(m, *k.pub, msg, Bytes(256, 0xff)));
  EXPECT_RV(CKR_SIGNATURE_INVALID, our_verify(m, *k.pub, bytes_of("other"), sig));
  // Verifying with the private key object uses its public half.
  EXPECT_NO_THROW(our_verify(m, *k.priv, msg, sig));
}

TEST(RsaSign, KeyChecks) {
  const TestKey& k = rsa_key(2048);
  CK_MECHANISM m = mech(CKM_SHA256_RSA_PKCS);
  const Mechanism& r = row(CKM_SHA256_RSA_PKCS);
  EXPECT_RV(CKR_KEY_TYPE_INCONSISTENT, r.sign(m, *k.pub, true));  // signing needs the private key
  EXPECT_RV(CKR_KEY_TYPE_INCONSISTENT, r.sign(m, *ec_key("P-256").priv, true));
  const TestKey& small = rsa_key(512);
  EXPECT_RV(CKR_KEY_SIZE_RANGE, r.sign(m, *small.priv, true));
  EXPECT_RV(CKR_KEY_SIZE_RANGE, r.sign(m, *small.pub, false));
}

TEST(RsaSign, LargestAndSmallestKeys) {
  for (unsigned bits : {1024u, 4096u}) {
    const TestKey& k = rsa_key(bits);
    CK_MECHANISM m = mech(CKM_SHA512_RSA_PKCS);
    Bytes sig = our_sign(m, *k.priv, bytes_of("edge"));
    EXPECT_EQ(sig.size(), bits / 8);
    EXPECT_TRUE(ossl_digest_verify(k.ossl.get(), "SHA512", bytes_of("edge"), sig));
  }
}

TEST(RsaSign, MechanismsWithoutParameterRejectOne) {
  const TestKey& k = rsa_key(2048);
  CK_ULONG junk = 0;
  for (CK_MECHANISM_TYPE t :
       {CKM_RSA_PKCS, CKM_RSA_X_509, CKM_SHA1_RSA_PKCS, CKM_SHA256_RSA_PKCS, CKM_SHA512_RSA_PKCS}) {
    CK_MECHANISM with = mech(t, junk);
    EXPECT_RV(CKR_MECHANISM_PARAM_INVALID, row(t).sign(with, *k.priv, true));
    CK_MECHANISM len_only{t, nullptr, 4};
    EXPECT_RV(CKR_MECHANISM_PARAM_INVALID, row(t).sign(len_only, *k.priv, true));
    CK_MECHANISM ptr_only{t, &junk, 0};
    EXPECT_RV(CKR_MECHANISM_PARAM_INVALID, row(t).sign(ptr_only, *k.priv, true));
  }
}

// C_SignUpdate with a single-part mechanism: the context collects the parts
// and signs them whole (clients such as pkcs11-tool --test do this).
TEST(RsaSign, SinglePartMechanismsCollectTheParts) {
  const TestKey& k = rsa_key(2048);
  CK_MECHANISM m = mech(CKM_RSA_PKCS);
  auto whole = row(CKM_RSA_PKCS).sign(m, *k.priv, true);
  Bytes expected(whole->signature_size());
  whole->sign(sv("abcd"), expected.data());
  auto parts = row(CKM_RSA_PKCS).sign(m, *k.priv, true);
  parts->update(sv("ab"));
  parts->update(sv("cd"));
  Bytes got(parts->signature_size());
  parts->sign_final(got.data());
  EXPECT_EQ(got, expected);
  auto good = row(CKM_RSA_PKCS).sign(m, *k.pub, false);
  good->update(sv("abc"));
  good->update(sv("d"));
  EXPECT_RV(CKR_OK, good->verify_final(view(got)));
  auto bad = row(CKM_RSA_PKCS).sign(m, *k.pub, false);
  bad->update(sv("abc"));
  EXPECT_RV(CKR_SIGNATURE_INVALID, bad->verify_final(view(got)));
  // The single-part limit holds for the collected whole: at most k - 11 bytes.
  auto big = row(CKM_RSA_PKCS).sign(m, *k.priv, true);
  big->update(view(Bytes(200, 1)));
  big->update(view(Bytes(100, 2)));
  EXPECT_RV(CKR_DATA_LEN_RANGE, big->sign_final(got.data()));
}

}  // namespace
}  // namespace ecert::crypto::test
