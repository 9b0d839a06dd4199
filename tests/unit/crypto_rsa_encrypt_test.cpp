// RSA encryption against plain OpenSSL in both directions, with the exact
// CK_RV for every length, padding and parameter error.
#include "crypto_test_support.h"

namespace ecert::crypto::test {
namespace {

struct OaepOptions {
  const char* md = nullptr;
  const char* mgf = nullptr;
  Bytes label;
};

void configure(EVP_PKEY_CTX* c, int padding, const OaepOptions& o) {
  ASSERT_EQ(EVP_PKEY_CTX_set_rsa_padding(c, padding), 1);
  if (padding != RSA_PKCS1_OAEP_PADDING) return;
  ASSERT_EQ(EVP_PKEY_CTX_set_rsa_oaep_md_name(c, o.md, nullptr), 1);
  ASSERT_EQ(EVP_PKEY_CTX_set_rsa_mgf1_md_name(c, o.mgf, nullptr), 1);
  if (!o.label.empty()) {
    auto* l = static_cast<unsigned char*>(OPENSSL_memdup(o.label.data(), o.label.size()));
    ASSERT_EQ(EVP_PKEY_CTX_set0_rsa_oaep_label(c, l, static_cast<int>(o.label.size())), 1);
  }
}

Bytes ossl_encrypt(EVP_PKEY* pkey, ByteView in, int padding, const OaepOptions& o = {}) {
  auto ctx = ossl_ctx(pkey, EVP_PKEY_encrypt_init, [&](EVP_PKEY_CTX* c) { configure(c, padding, o); });
  Bytes out(EVP_PKEY_get_size(pkey));
  std::size_t len = out.size();
  EXPECT_EQ(EVP_PKEY_encrypt(ctx.get(), out.data(), &len, in.data(), in.size()), 1);
  out.resize(len);
  return out;
}

std::optional<Bytes> ossl_decrypt(EVP_PKEY* pkey, ByteView in, int padding, const OaepOptions& o = {}) {
  auto ctx = ossl_ctx(pkey, EVP_PKEY_decrypt_init, [&](EVP_PKEY_CTX* c) { configure(c, padding, o); });
  Bytes out(EVP_PKEY_get_size(pkey));
  std::size_t len = out.size();
  if (EVP_PKEY_decrypt(ctx.get(), out.data(), &len, in.data(), in.size()) != 1) return std::nullopt;
  out.resize(len);
  return out;
}

Bytes plain(const SecureBytes& s) { return Bytes(s.begin(), s.end()); }

TEST(RsaEncrypt, Pkcs1MatchesOpenSslBothWays) {
  const TestKey& k = rsa_key(2048);
  CK_MECHANISM m = mech(CKM_RSA_PKCS);
  for (std::size_t len : {0u, 1u, 100u, 245u}) {
    SCOPED_TRACE(len);
    const Bytes msg = pattern(len);
    SecureBytes ct = our_cipher(m, *k.pub, true, msg);
    ASSERT_EQ(ct.size(), 256u);
    EXPECT_EQ(ossl_decrypt(k.ossl.get(), view(ct), RSA_PKCS1_PADDING), msg);
    Bytes theirs = ossl_encrypt(k.ossl.get(), msg, RSA_PKCS1_PADDING);
    EXPECT_EQ(plain(our_cipher(m, *k.priv, false, theirs)), msg);
  }
}

TEST(RsaEncrypt, Pkcs1Lengths) {
  const TestKey& k = rsa_key(2048);
  CK_MECHANISM m = mech(CKM_RSA_PKCS);
  EXPECT_RV(CKR_DATA_LEN_RANGE, our_cipher(m, *k.pub, true, pattern(246)));
  SecureBytes ct = our_cipher(m, *k.pub, true, pattern(10));
  EXPECT_RV(CKR_ENCRYPTED_DATA_LEN_RANGE, our_cipher(m, *k.priv, false, ByteView(ct).first(255)));
  Bytes longer(ct.begin(), ct.end());
  longer.push_back(0);
  EXPECT_RV(CKR_ENCRYPTED_DATA_LEN_RANGE, our_cipher(m, *k.priv, false, longer));
  EXPECT_RV(CKR_ENCRYPTED_DATA_LEN_RANGE, our_cipher(m, *k.priv, false, Bytes{}));

  auto enc = row(CKM_RSA_PKCS).cipher(m, *k.pub, true);
  EXPECT_EQ(enc->max_output_size(10), 256u);
  auto dec = row(CKM_RSA_PKCS).cipher(m, *k.priv, false);
  EXPECT_EQ(dec->max_output_size(256), 245u);
}

// Bad padding is not reported (implicit rejection: see
// crypto_rsa_implicit_rejection_test.cpp); what anyone can see from the
// public key is.
TEST(RsaEncrypt, Pkcs1CiphertextNotBelowTheModulusIsEncryptedDataInvalid) {
  const TestKey& k = rsa_key(2048);
  CK_MECHANISM m = mech(CKM_RSA_PKCS);
  EXPECT_RV(CKR_ENCRYPTED_DATA_INVALID, our_cipher(m, *k.priv, false, Bytes(256, 0xff)));
}

struct OaepCase {
  CK_MECHANISM_TYPE hash;
  CK_RSA_PKCS_MGF_TYPE mgf;
  const char* md;
  const char* mgf_md;
  std::size_t h_len;
};
const OaepCase kOaep[] = {
    {CKM_SHA_1, CKG_MGF1_SHA1, "SHA1", "SHA1", 20},
    {CKM_SHA224, CKG_MGF1_SHA224, "SHA224", "SHA224", 28},
    {CKM_SHA256, CKG_MGF1_SHA256, "SHA256", "SHA256", 32},
    {CKM_SHA384, CKG_MGF1_SHA384, "SHA384", "SHA384", 48},
    {CKM_SHA512, CKG_MGF1_SHA512, "SHA512", "SHA512", 64},
    {CKM_SHA256, CKG_MGF1_SHA1, "SHA256", "SHA1", 32},  // MGF hash may differ
};

TEST(RsaEncrypt, OaepMatchesOpenSslWithAndWithoutLabel) {
  const TestKey& k = rsa_key(2048);
  for (const OaepCase& c : kOaep) {
    for (bool with_label : {false, true}) {
      SCOPED_TRACE(std::string(c.md) + "/" + c.mgf_md + (with_label ? " label" : ""));
      Bytes label = with_label ? bytes_of("the label") : Bytes{};
      CK_RSA_PKCS_OAEP_PARAMS p{c.hash, c.mgf, CKZ_DATA_SPECIFIED, with_label ? label.data() : nullptr, label.size()};
      CK_MECHANISM m = mech(CKM_RSA_PKCS_OAEP, p);
      OaepOptions o{c.md, c.mgf_md, label};
      const Bytes msg = pattern(256 - 2 * c.h_len - 2);  // the longest allowed
      SecureBytes ct = our_cipher(m, *k.pub, true, msg);
      EXPECT_EQ(ossl_decrypt(k.ossl.get(), view(ct), RSA_PKCS1_OAEP_PADDING, o), msg);
      Bytes theirs = ossl_encrypt(k.ossl.get(), msg, RSA_PKCS1_OAEP_PADDING, o);
      EXPECT_EQ(plain(our_cipher(m, *k.priv, false, theirs)), msg);
      EXPECT_RV(CKR_DATA_LEN_RANGE, our_cipher(m, *k.pub, true, pattern(msg.size() + 1)));
      EXPECT_EQ(row(CKM_RSA_PKCS_OAEP).cipher(m, *k.priv, false)->max_output_size(256), msg.size());
    }
  }
}

TEST(RsaEncrypt, OaepLabelMismatchFails) {
  const TestKey& k = rsa_key(2048);
  Bytes label = bytes_of("label A");
  Bytes other = bytes_of("label B");
  CK_RSA_PKCS_OAEP_PARAMS p{CKM_SHA256, CKG_MGF1_SHA256, CKZ_DATA_SPECIFIED, label.data(), label.size()};
  CK_MECHANISM m = mech(CKM_RSA_PKCS_OAEP, p);
  SecureBytes ct = our_cipher(m, *k.pub, true, bytes_of("secret"));
  CK_RSA_PKCS_OAEP_PARAMS q{CKM_SHA256, CKG_MGF1_SHA256, CKZ_DATA_SPECIFIED, other.data(), other.size()};
  CK_MECHANISM mq = mech(CKM_RSA_PKCS_OAEP, q);
  EXPECT_RV(CKR_ENCRYPTED_DATA_INVALID, our_cipher(mq, *k.priv, false, view(ct)));
  CK_RSA_PKCS_OAEP_PARAMS none{CKM_SHA256, CKG_MGF1_SHA256, CKZ_DATA_SPECIFIED, nullptr, 0};
  CK_MECHANISM mn = mech(CKM_RSA_PKCS_OAEP, none);
  EXPECT_RV(CKR_ENCRYPTED_DATA_INVALID, our_cipher(mn, *k.priv, false, view(ct)));
  // Wrong hash is also just a failed decryption.
  CK_RSA_PKCS_OAEP_PARAMS h{CKM_SHA384, CKG_MGF1_SHA256, CKZ_DATA_SPECIFIED, label.data(), label.size()};
  CK_MECHANISM mh = mech(CKM_RSA_PKCS_OAEP, h);
  EXPECT_RV(CKR_ENCRYPTED_DATA_INVALID, our_cipher(mh, *k.priv, false, view(ct)));
  EXPECT_EQ(plain(our_cipher(m, *k.priv, false, view(ct))), bytes_of("secret"));
}

TEST(RsaEncrypt, OaepLabelIsCopiedAtInit) {
  const TestKey& k = rsa_key(2048);
  Bytes label = bytes_of("copied");
  CK_RSA_PKCS_OAEP_PARAMS p{CKM_SHA256, CKG_MGF1_SHA256, CKZ_DATA_SPECIFIED, label.data(), label.size()};
  CK_MECHANISM m = mech(CKM_RSA_PKCS_OAEP, p);
  auto enc = row(CKM_RSA_PKCS_OAEP).cipher(m, *k.pub, true);
  label.assign(label.size(), 'x');
  SecureBytes ct = enc->process(bytes_of("msg"));
  EXPECT_EQ(ossl_decrypt(k.ossl.get(), view(ct), RSA_PKCS1_OAEP_PADDING, {"SHA256", "SHA256", bytes_of("copied")}),
            bytes_of("msg"));
}

TEST(RsaEncrypt, OaepSourceZeroMeansNoLabel) {
  const TestKey& k = rsa_key(2048);
  CK_RSA_PKCS_OAEP_PARAMS p{CKM_SHA_1, CKG_MGF1_SHA1, 0, nullptr, 0};
  CK_MECHANISM m = mech(CKM_RSA_PKCS_OAEP, p);
  SecureBytes ct = our_cipher(m, *k.pub, true, bytes_of("x"));
  EXPECT_EQ(ossl_decrypt(k.ossl.get(), view(ct), RSA_PKCS1_OAEP_PADDING, {"SHA1", "SHA1", {}}), bytes_of("x"));
}

TEST(RsaEncrypt, OaepParameterErrors) {
  const TestKey& k = rsa_key(2048);
  Bytes label = bytes_of("l");
  auto init = [&](CK_RSA_PKCS_OAEP_PARAMS p) {
    CK_MECHANISM m = mech(CKM_RSA_PKCS_OAEP, p);
    return rv_of([&] { row(CKM_RSA_PKCS_OAEP).cipher(m, *k.pub, true); });
  };
  EXPECT_EQ(init({CKM_SHA256, CKG_MGF1_SHA256, CKZ_DATA_SPECIFIED, label.data(), 1}), CKR_OK);
  EXPECT_EQ(init({CKM_MD5, CKG_MGF1_SHA256, CKZ_DATA_SPECIFIED, nullptr, 0}), CKR_MECHANISM_PARAM_INVALID);
  EXPECT_EQ(init({CKM_SHA256, 0, CKZ_DATA_SPECIFIED, nullptr, 0}), CKR_MECHANISM_PARAM_INVALID);
  EXPECT_EQ(init({CKM_SHA256, 7, CKZ_DATA_SPECIFIED, nullptr, 0}), CKR_MECHANISM_PARAM_INVALID);
  EXPECT_EQ(init({CKM_SHA256, CKG_MGF1_SHA256, 2, nullptr, 0}), CKR_MECHANISM_PARAM_INVALID);
  EXPECT_EQ(init({CKM_SHA256, CKG_MGF1_SHA256, 0, label.data(), 1}), CKR_MECHANISM_PARAM_INVALID);
  EXPECT_EQ(init({CKM_SHA256, CKG_MGF1_SHA256, CKZ_DATA_SPECIFIED, nullptr, 5}), CKR_MECHANISM_PARAM_INVALID);

  CK_MECHANISM none = mech(CKM_RSA_PKCS_OAEP);
  EXPECT_RV(CKR_MECHANISM_PARAM_INVALID, row(CKM_RSA_PKCS_OAEP).cipher(none, *k.pub, true));
  CK_RSA_PKCS_OAEP_PARAMS p{CKM_SHA256, CKG_MGF1_SHA256, CKZ_DATA_SPECIFIED, nullptr, 0};
  CK_MECHANISM bad_len{CKM_RSA_PKCS_OAEP, &p, sizeof p + 1};
  EXPECT_RV(CKR_MECHANISM_PARAM_INVALID, row(CKM_RSA_PKCS_OAEP).cipher(bad_len, *k.pub, true));

  // 1024-bit key and SHA-512: k - 2*64 - 2 < 0, nothing could be encrypted.
  CK_RSA_PKCS_OAEP_PARAMS big{CKM_SHA512, CKG_MGF1_SHA512, CKZ_DATA_SPECIFIED, nullptr, 0};
  CK_MECHANISM mb = mech(CKM_RSA_PKCS_OAEP, big);
  EXPECT_RV(CKR_KEY_SIZE_RANGE, row(CKM_RSA_PKCS_OAEP).cipher(mb, *rsa_key(1024).pub, true));
}

TEST(RsaEncrypt, RawX509IsTheBarePublicOperation) {
  const TestKey& k = rsa_key(2048);
  CK_MECHANISM m = mech(CKM_RSA_X_509);
  Bytes msg = pattern(40);
  SecureBytes ct = our_cipher(m, *k.pub, true, msg);
  Bytes padded(256 - 40, 0);
  padded.insert(padded.end(), msg.begin(), msg.end());
  EXPECT_EQ(plain(ct), ossl_encrypt(k.ossl.get(), padded, RSA_NO_PADDING));
  // Decryption returns all k bytes, leading zeros included.
  EXPECT_EQ(plain(our_cipher(m, *k.priv, false, view(ct))), padded);
  EXPECT_EQ(row(CKM_RSA_X_509).cipher(m, *k.priv, false)->max_output_size(256), 256u);

  Bytes n = copy(view(k.public_attributes.at(CKA_MODULUS)));
  EXPECT_RV(CKR_DATA_INVALID, our_cipher(m, *k.pub, true, n));
  EXPECT_RV(CKR_DATA_LEN_RANGE, our_cipher(m, *k.pub, true, pattern(257)));
  EXPECT_RV(CKR_ENCRYPTED_DATA_INVALID, our_cipher(m, *k.priv, false, n));
  EXPECT_RV(CKR_ENCRYPTED_DATA_LEN_RANGE, our_cipher(m, *k.priv, false, pattern(255)));
}

TEST(RsaEncrypt, KeyChecks) {
  const TestKey& k = rsa_key(2048);
  CK_MECHANISM m = mech(CKM_RSA_PKCS);
  const Mechanism& r = row(CKM_RSA_PKCS);
  EXPECT_RV(CKR_KEY_TYPE_INCONSISTENT, r.cipher(m, *k.pub, false));  // decrypting needs the private key
  EXPECT_RV(CKR_KEY_TYPE_INCONSISTENT, r.cipher(m, *ec_key("P-256").pub, true));
  EXPECT_RV(CKR_KEY_SIZE_RANGE, r.cipher(m, *rsa_key(512).pub, true));
  // Encrypting with the private key object uses its public half.
  SecureBytes ct = our_cipher(m, *k.priv, true, bytes_of("via private"));
  EXPECT_EQ(ossl_decrypt(k.ossl.get(), view(ct), RSA_PKCS1_PADDING), bytes_of("via private"));
  CK_ULONG junk = 0;
  CK_MECHANISM with = mech(CKM_RSA_PKCS, junk);
  EXPECT_RV(CKR_MECHANISM_PARAM_INVALID, r.cipher(with, *k.pub, true));
  CK_MECHANISM with_x = mech(CKM_RSA_X_509, junk);
  EXPECT_RV(CKR_MECHANISM_PARAM_INVALID, row(CKM_RSA_X_509).cipher(with_x, *k.pub, true));
}

}  // namespace
}  // namespace ecert::crypto::test
