// Cryptography through the module, judged by plain OpenSSL: the mechanism
// table, signatures with generated RSA and EC keys verified from the public
// key attributes, PSS salt lengths, OAEP decryption of OpenSSL ciphertexts,
// multi-part operations, the output-length convention, operation lifetimes,
// digests, random numbers and key sizes.
#include <algorithm>
#include <set>

#include "module_test_support.h"

namespace ecert::test {
namespace {

using namespace support;

class ModuleCrypto : public ModuleTest {
 protected:
  void SetUp() override {
    ModuleTest::SetUp();
    slot_ = ready_token();
    s_ = open_user_session(slot_);
  }
  CK_SLOT_ID slot_ = 0;
  CK_SESSION_HANDLE s_ = CK_INVALID_HANDLE;
};

CK_MECHANISM mech(CK_MECHANISM_TYPE type) { return {type, nullptr, 0}; }
template <class P>
CK_MECHANISM mech(CK_MECHANISM_TYPE type, P& param) {
  return {type, &param, sizeof param};
}

std::size_t hash_len(CK_MECHANISM_TYPE h) { return static_cast<std::size_t>(EVP_MD_get_size(md_of(h))); }

CK_RSA_PKCS_MGF_TYPE mgf_of(CK_MECHANISM_TYPE h) {
  switch (h) {
    case CKM_SHA_1:
      return CKG_MGF1_SHA1;
    case CKM_SHA224:
      return CKG_MGF1_SHA224;
    case CKM_SHA256:
      return CKG_MGF1_SHA256;
    case CKM_SHA384:
      return CKG_MGF1_SHA384;
    default:
      return CKG_MGF1_SHA512;
  }
}

Bytes flipped(Bytes b) {
  b[b.size() / 2] ^= 0x01;
  return b;
}

// ---- the mechanism table ----

struct MechanismRow {
  CK_MECHANISM_TYPE type;
  CK_ULONG min, max;
  CK_FLAGS flags;
};

TEST_F(ModuleCrypto, MechanismInfoIsExactlyTheTable) {
  constexpr CK_FLAGS kSV = CKF_SIGN | CKF_VERIFY, kED = CKF_ENCRYPT | CKF_DECRYPT;
  constexpr CK_FLAGS kEc = CKF_EC_F_P | CKF_EC_NAMEDCURVE | CKF_EC_UNCOMPRESS;
  const MechanismRow kTable[] = {
      {CKM_RSA_PKCS_KEY_PAIR_GEN, 1024, 4096, CKF_GENERATE_KEY_PAIR},
      {CKM_RSA_PKCS, 1024, 4096, kSV | kED},
      {CKM_RSA_X_509, 1024, 4096, kSV | kED},
      {CKM_RSA_PKCS_OAEP, 1024, 4096, kED},
      {CKM_RSA_PKCS_PSS, 1024, 4096, kSV},
      {CKM_SHA1_RSA_PKCS, 1024, 4096, kSV},
      {CKM_SHA224_RSA_PKCS, 1024, 4096, kSV},
      {CKM_SHA256_RSA_PKCS, 1024, 4096, kSV},
      {CKM_SHA384_RSA_PKCS, 1024, 4096, kSV},
      {CKM_SHA512_RSA_PKCS, 1024, 4096, kSV},
      {CKM_SHA1_RSA_PKCS_PSS, 1024, 4096, kSV},
      {CKM_SHA224_RSA_PKCS_PSS, 1024, 4096, kSV},
      {CKM_SHA256_RSA_PKCS_PSS, 1024, 4096, kSV},
      {CKM_SHA384_RSA_PKCS_PSS, 1024, 4096, kSV},
      {CKM_SHA512_RSA_PKCS_PSS, 1024, 4096, kSV},
      {CKM_EC_KEY_PAIR_GEN, 256, 521, CKF_GENERATE_KEY_PAIR | kEc},
      {CKM_ECDSA, 256, 521, kSV | kEc},
      {CKM_ECDSA_SHA1, 256, 521, kSV | kEc},
      {CKM_ECDSA_SHA224, 256, 521, kSV | kEc},
      {CKM_ECDSA_SHA256, 256, 521, kSV | kEc},
      {CKM_ECDSA_SHA384, 256, 521, kSV | kEc},
      {CKM_ECDSA_SHA512, 256, 521, kSV | kEc},
      {CKM_SHA_1, 0, 0, CKF_DIGEST},
      {CKM_SHA224, 0, 0, CKF_DIGEST},
      {CKM_SHA256, 0, 0, CKF_DIGEST},
      {CKM_SHA384, 0, 0, CKF_DIGEST},
      {CKM_SHA512, 0, 0, CKF_DIGEST},
  };
  CK_ULONG n = 0;
  ASSERT_CKR(CKR_OK, p11()->C_GetMechanismList(slot_, nullptr, &n));
  std::vector<CK_MECHANISM_TYPE> list(n);
  ASSERT_CKR(CKR_OK, p11()->C_GetMechanismList(slot_, list.data(), &n));
  std::set<CK_MECHANISM_TYPE> listed(list.begin(), list.end());
  EXPECT_EQ(listed.size(), list.size()) << "a mechanism is listed twice";
  std::set<CK_MECHANISM_TYPE> expected;
  for (const MechanismRow& r : kTable) expected.insert(r.type);
  EXPECT_EQ(listed, expected);
  // NSS offers RSA-PSS in TLS 1.3 only if the token lists it; pkcs11-provider refuses tokens without it.
  EXPECT_EQ(listed.count(CKM_RSA_PKCS_PSS), 1u);

  for (const MechanismRow& r : kTable) {
    SCOPED_TRACE(testing::Message() << "mechanism 0x" << std::hex << r.type);
    CK_MECHANISM_INFO info{};
    ASSERT_CKR(CKR_OK, p11()->C_GetMechanismInfo(slot_, r.type, &info));
    EXPECT_EQ(info.ulMinKeySize, r.min);
    EXPECT_EQ(info.ulMaxKeySize, r.max);
    EXPECT_EQ(info.flags, r.flags) << std::hex << "got 0x" << info.flags << ", want 0x" << r.flags;
  }
  // The spare slot (an uninitialised token) reports the same mechanisms.
  CK_ULONG spare_n = 0;
  ASSERT_CKR(CKR_OK, p11()->C_GetMechanismList(slots().back(), nullptr, &spare_n));
  EXPECT_EQ(spare_n, n);
}

// ---- signatures ----

struct SignCase {
  const char* name;
  CK_MECHANISM_TYPE type;
  CK_MECHANISM_TYPE pss_hash;  // 0: no PSS parameter
  CK_MECHANISM_TYPE prehash;   // 0: the mechanism hashes (or raw input)
  Check check;
};

// Signs `data` (or its hash) with every case; checks each signature with
// OpenSSL and with the module, and that a changed signature fails both.
void sign_cases(CK_SESSION_HANDLE s, const KeyPair& k, const std::vector<SignCase>& cases, std::size_t sig_len) {
  Pkey pub = openssl_public_key(s, k.pub);
  ASSERT_NE(pub, nullptr);
  const Bytes data = bytes_of("The quick brown fox signs with the module");
  for (const SignCase& c : cases) {
    SCOPED_TRACE(c.name);
    CK_RSA_PKCS_PSS_PARAMS pss{c.pss_hash, mgf_of(c.pss_hash), c.pss_hash ? hash_len(c.pss_hash) : 0};
    CK_MECHANISM m = c.pss_hash ? mech(c.type, pss) : mech(c.type);
    const Bytes input = c.prehash ? openssl_digest(c.prehash, data) : data;
    const Bytes sig = sign(s, m, k.priv, input);
    ASSERT_EQ(sig.size(), sig_len);
    EXPECT_TRUE(openssl_verify(pub.get(), c.check, c.check.hash ? data : input, sig)) << "OpenSSL rejects it";
    EXPECT_FALSE(openssl_verify(pub.get(), c.check, c.check.hash ? data : input, flipped(sig)));
    EXPECT_CKR(CKR_OK, verify(s, m, k.pub, input, sig));
    EXPECT_CKR(CKR_SIGNATURE_INVALID, verify(s, m, k.pub, input, flipped(sig)));
  }
}

TEST_F(ModuleCrypto, Rsa2048SignaturesVerifyWithOpenSsl) {
  KeyPair k;
  ASSERT_CKR(CKR_OK, generate_rsa(s_, 2048, k));
  EXPECT_EQ(attr_ulong(s_, k.pub, CKA_MODULUS_BITS), 2048u);
  EXPECT_EQ(attr_bytes(s_, k.pub, CKA_MODULUS).size(), 256u);
  EXPECT_EQ(attr_bytes(s_, k.pub, CKA_PUBLIC_EXPONENT), (Bytes{0x01, 0x00, 0x01}));
  EXPECT_TRUE(attr_bool(s_, k.priv, CKA_LOCAL));
  EXPECT_TRUE(attr_bool(s_, k.priv, CKA_ALWAYS_SENSITIVE));
  EXPECT_EQ(attr_ulong(s_, k.priv, CKA_KEY_GEN_MECHANISM), static_cast<CK_ULONG>(CKM_RSA_PKCS_KEY_PAIR_GEN));
  const auto pss = [](const EVP_MD* md, bool prehashed) {
    Check c{.padding = RSA_PKCS1_PSS_PADDING, .salt = EVP_MD_get_size(md), .mgf1 = md};
    (prehashed ? c.prehashed : c.hash) = md;
    return c;
  };
  std::vector<SignCase> cases = {
      {"RSA_X_509", CKM_RSA_X_509, 0, 0, Check{.padding = RSA_NO_PADDING}},
      {"SHA1_RSA_PKCS", CKM_SHA1_RSA_PKCS, 0, 0, Check{.hash = EVP_sha1()}},
      {"SHA224_RSA_PKCS", CKM_SHA224_RSA_PKCS, 0, 0, Check{.hash = EVP_sha224()}},
      {"SHA256_RSA_PKCS", CKM_SHA256_RSA_PKCS, 0, 0, Check{.hash = EVP_sha256()}},
      {"SHA384_RSA_PKCS", CKM_SHA384_RSA_PKCS, 0, 0, Check{.hash = EVP_sha384()}},
      {"SHA512_RSA_PKCS", CKM_SHA512_RSA_PKCS, 0, 0, Check{.hash = EVP_sha512()}},
      {"RSA_PKCS_PSS over SHA-256", CKM_RSA_PKCS_PSS, CKM_SHA256, CKM_SHA256, pss(EVP_sha256(), true)},
      {"RSA_PKCS_PSS over SHA-384", CKM_RSA_PKCS_PSS, CKM_SHA384, CKM_SHA384, pss(EVP_sha384(), true)},
      {"SHA1_RSA_PKCS_PSS", CKM_SHA1_RSA_PKCS_PSS, CKM_SHA_1, 0, pss(EVP_sha1(), false)},
      {"SHA224_RSA_PKCS_PSS", CKM_SHA224_RSA_PKCS_PSS, CKM_SHA224, 0, pss(EVP_sha224(), false)},
      {"SHA256_RSA_PKCS_PSS", CKM_SHA256_RSA_PKCS_PSS, CKM_SHA256, 0, pss(EVP_sha256(), false)},
      {"SHA384_RSA_PKCS_PSS", CKM_SHA384_RSA_PKCS_PSS, CKM_SHA384, 0, pss(EVP_sha384(), false)},
      {"SHA512_RSA_PKCS_PSS", CKM_SHA512_RSA_PKCS_PSS, CKM_SHA512, 0, pss(EVP_sha512(), false)},
  };
  // CKM_RSA_PKCS signs what it is given: here the DigestInfo OpenSSH and NSS build.
  {
    SCOPED_TRACE("RSA_PKCS input");
    Pkey pub = openssl_public_key(s_, k.pub);
    const Bytes data = bytes_of("The quick brown fox signs with the module");
    Bytes sig = sign(s_, mech(CKM_RSA_PKCS), k.priv, sha256_digest_info(data));
    EXPECT_TRUE(openssl_verify(pub.get(), Check{.hash = EVP_sha256()}, data, sig));
  }
  sign_cases(s_, k, cases, 256);
}

TEST_F(ModuleCrypto, EcdsaSignaturesOnAllCurvesVerifyWithOpenSsl) {
  struct Curve {
    const Bytes* params;
    std::size_t point_len, order_bytes;
  };
  for (const Curve& c : {Curve{&kP256Params, 65, 32}, Curve{&kP384Params, 97, 48}, Curve{&kP521Params, 133, 66}}) {
    SCOPED_TRACE(testing::Message() << c.order_bytes * 8 << "-ish bit curve");
    KeyPair k;
    ASSERT_CKR(CKR_OK, generate_ec(s_, *c.params, k));
    EXPECT_EQ(attr_bytes(s_, k.pub, CKA_EC_PARAMS), *c.params);
    Bytes point = der_octet_string_content(attr_bytes(s_, k.pub, CKA_EC_POINT));
    ASSERT_EQ(point.size(), c.point_len) << "CKA_EC_POINT must be a DER OCTET STRING around 04||X||Y";
    EXPECT_EQ(point[0], 0x04);
    CK_MECHANISM_TYPE raw_hash = c.order_bytes == 32 ? CKM_SHA256 : c.order_bytes == 48 ? CKM_SHA384 : CKM_SHA512;
    sign_cases(s_, k,
               {{"ECDSA over a hash", CKM_ECDSA, 0, raw_hash, Check{}},
                {"ECDSA over SHA-1", CKM_ECDSA, 0, CKM_SHA_1, Check{}},
                {"ECDSA_SHA1", CKM_ECDSA_SHA1, 0, 0, Check{.hash = EVP_sha1()}},
                {"ECDSA_SHA224", CKM_ECDSA_SHA224, 0, 0, Check{.hash = EVP_sha224()}},
                {"ECDSA_SHA256", CKM_ECDSA_SHA256, 0, 0, Check{.hash = EVP_sha256()}},
                {"ECDSA_SHA384", CKM_ECDSA_SHA384, 0, 0, Check{.hash = EVP_sha384()}},
                {"ECDSA_SHA512", CKM_ECDSA_SHA512, 0, 0, Check{.hash = EVP_sha512()}}},
               2 * c.order_bytes);
  }
}

// PSS salt lengths 0, the hash length and the maximum (emLen - hLen - 2); one
// more is refused. NSS uses the hash length, pkcs11-tool any of the three.
TEST_F(ModuleCrypto, PssSaltLengthsZeroHashAndMaximum) {
  KeyPair k;
  ASSERT_CKR(CKR_OK, generate_rsa(s_, 2048, k));
  Pkey pub = openssl_public_key(s_, k.pub);
  const Bytes data = bytes_of("salted");
  const Bytes hash = openssl_digest(CKM_SHA256, data);
  const CK_ULONG max = 256 - 32 - 2;
  for (CK_ULONG salt : {CK_ULONG{0}, CK_ULONG{32}, max}) {
    SCOPED_TRACE(testing::Message() << "sLen " << salt);
    CK_RSA_PKCS_PSS_PARAMS p{CKM_SHA256, CKG_MGF1_SHA256, salt};
    Check check{.padding = RSA_PKCS1_PSS_PADDING, .salt = static_cast<int>(salt), .mgf1 = EVP_sha256()};
    Check hashing = check;
    hashing.hash = EVP_sha256();
    Bytes sig = sign(s_, mech(CKM_SHA256_RSA_PKCS_PSS, p), k.priv, data);
    EXPECT_TRUE(openssl_verify(pub.get(), hashing, data, sig));
    EXPECT_CKR(CKR_OK, verify(s_, mech(CKM_SHA256_RSA_PKCS_PSS, p), k.pub, data, sig));
    check.prehashed = EVP_sha256();
    sig = sign(s_, mech(CKM_RSA_PKCS_PSS, p), k.priv, hash);
    EXPECT_TRUE(openssl_verify(pub.get(), check, hash, sig));
    Check wrong_salt = check;
    wrong_salt.salt = static_cast<int>(salt == 0 ? 1 : salt - 1);
    EXPECT_FALSE(openssl_verify(pub.get(), wrong_salt, hash, sig)) << "the salt length is not what was asked";
  }
  CK_RSA_PKCS_PSS_PARAMS too_long{CKM_SHA256, CKG_MGF1_SHA256, max + 1};
  CK_MECHANISM m = mech(CKM_RSA_PKCS_PSS, too_long);
  EXPECT_CKR(CKR_MECHANISM_PARAM_INVALID, p11()->C_SignInit(s_, &m, k.priv));

  // MGF1 with another hash than the message hash.
  CK_RSA_PKCS_PSS_PARAMS mixed{CKM_SHA256, CKG_MGF1_SHA1, 20};
  Bytes sig = sign(s_, mech(CKM_RSA_PKCS_PSS, mixed), k.priv, hash);
  EXPECT_TRUE(openssl_verify(
      pub.get(), Check{.padding = RSA_PKCS1_PSS_PADDING, .prehashed = EVP_sha256(), .salt = 20, .mgf1 = EVP_sha1()},
      hash, sig));
  // CKM_RSA_PKCS_PSS takes exactly the hash.
  CK_RSA_PKCS_PSS_PARAMS p{CKM_SHA256, CKG_MGF1_SHA256, 32};
  m = mech(CKM_RSA_PKCS_PSS, p);
  ASSERT_CKR(CKR_OK, p11()->C_SignInit(s_, &m, k.priv));
  CK_BYTE out[256];
  CK_ULONG len = sizeof out;
  Bytes short_hash(31, 0x11);
  EXPECT_CKR(CKR_DATA_LEN_RANGE, p11()->C_Sign(s_, short_hash.data(), 31, out, &len));
}

// ---- OAEP ----

Bytes openssl_oaep_encrypt(EVP_PKEY* pub, const EVP_MD* md, const Bytes& label, const Bytes& plain) {
  PkeyCtx ctx(EVP_PKEY_CTX_new(pub, nullptr));
  if (ctx == nullptr || EVP_PKEY_encrypt_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) != 1 ||
      EVP_PKEY_CTX_set_rsa_oaep_md(ctx.get(), md) != 1 || EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), md) != 1)
    return {};
  if (!label.empty()) {
    unsigned char* copy = static_cast<unsigned char*>(OPENSSL_memdup(label.data(), label.size()));
    if (EVP_PKEY_CTX_set0_rsa_oaep_label(ctx.get(), copy, static_cast<int>(label.size())) != 1) return {};
  }
  std::size_t len = 0;
  if (EVP_PKEY_encrypt(ctx.get(), nullptr, &len, plain.data(), plain.size()) != 1) return {};
  Bytes out(len);
  if (EVP_PKEY_encrypt(ctx.get(), out.data(), &len, plain.data(), plain.size()) != 1) return {};
  out.resize(len);
  return out;
}

TEST_F(ModuleCrypto, OaepDecryptsOpenSslCiphertexts) {
  KeyPair k;
  ASSERT_CKR(CKR_OK, generate_rsa(s_, 2048, k));
  Pkey pub = openssl_public_key(s_, k.pub);
  const Bytes plain = bytes_of("session key material");
  for (CK_MECHANISM_TYPE hash : {CKM_SHA_1, CKM_SHA256}) {
    for (const Bytes& label : {Bytes{}, bytes_of("ABC")}) {
      SCOPED_TRACE(testing::Message() << "hash 0x" << std::hex << hash << ", label '" << string_of(label) << "'");
      Bytes cipher = openssl_oaep_encrypt(pub.get(), md_of(hash), label, plain);
      ASSERT_EQ(cipher.size(), 256u);
      Bytes source = label;
      CK_RSA_PKCS_OAEP_PARAMS p{hash, mgf_of(hash), CKZ_DATA_SPECIFIED, source.empty() ? nullptr : source.data(),
                                static_cast<CK_ULONG>(source.size())};
      CK_MECHANISM m = mech(CKM_RSA_PKCS_OAEP, p);
      ASSERT_CKR(CKR_OK, p11()->C_DecryptInit(s_, &m, k.priv));
      CK_ULONG len = 0;
      ASSERT_CKR(CKR_OK, p11()->C_Decrypt(s_, cipher.data(), 256, nullptr, &len));
      EXPECT_GE(len, plain.size());
      Bytes out(len);
      ASSERT_CKR(CKR_OK, p11()->C_Decrypt(s_, cipher.data(), 256, out.data(), &len));
      out.resize(len);
      EXPECT_EQ(out, plain);

      // The wrong label: CKR_ENCRYPTED_DATA_INVALID.
      Bytes wrong = bytes_of("XYZ");
      CK_RSA_PKCS_OAEP_PARAMS q{hash, mgf_of(hash), CKZ_DATA_SPECIFIED, wrong.data(), 3};
      CK_MECHANISM mq = mech(CKM_RSA_PKCS_OAEP, q);
      ASSERT_CKR(CKR_OK, p11()->C_DecryptInit(s_, &mq, k.priv));
      Bytes buf(256);
      len = 256;
      EXPECT_CKR(CKR_ENCRYPTED_DATA_INVALID, p11()->C_Decrypt(s_, cipher.data(), 256, buf.data(), &len));
    }
  }
  // The module's own OAEP encryption decrypts too.
  CK_RSA_PKCS_OAEP_PARAMS p{CKM_SHA256, CKG_MGF1_SHA256, CKZ_DATA_SPECIFIED, nullptr, 0};
  CK_MECHANISM m = mech(CKM_RSA_PKCS_OAEP, p);
  ASSERT_CKR(CKR_OK, p11()->C_EncryptInit(s_, &m, k.pub));
  Bytes in = plain, cipher(256), out(256);
  CK_ULONG len = 256;
  ASSERT_CKR(CKR_OK, p11()->C_Encrypt(s_, in.data(), static_cast<CK_ULONG>(in.size()), cipher.data(), &len));
  ASSERT_EQ(len, 256u);
  ASSERT_CKR(CKR_OK, p11()->C_DecryptInit(s_, &m, k.priv));
  len = 256;
  ASSERT_CKR(CKR_OK, p11()->C_Decrypt(s_, cipher.data(), 256, out.data(), &len));
  EXPECT_EQ(Bytes(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(len)), plain);
}

// ---- multi-part and the operation lifecycle ----

TEST_F(ModuleCrypto, MultiPartSignEqualsSinglePart) {
  KeyPair rsa, ec;
  ASSERT_CKR(CKR_OK, generate_rsa(s_, 1024, rsa));
  ASSERT_CKR(CKR_OK, generate_ec(s_, kP256Params, ec));
  const Bytes data = pattern(1000);
  auto multi = [&](CK_MECHANISM m, CK_OBJECT_HANDLE key, const Bytes& in) {
    Bytes sig(512);
    CK_ULONG len = static_cast<CK_ULONG>(sig.size());
    EXPECT_CKR(CKR_OK, p11()->C_SignInit(s_, &m, key));
    Bytes copy = in;
    std::size_t pos = 0;
    for (std::size_t part : {std::size_t{0}, std::size_t{1}, std::size_t{100}, std::size_t{499}}) {
      part = std::min(part, copy.size() - pos);
      EXPECT_CKR(CKR_OK, p11()->C_SignUpdate(s_, copy.data() + pos, static_cast<CK_ULONG>(part)));
      pos += part;
    }
    EXPECT_CKR(CKR_OK, p11()->C_SignUpdate(s_, copy.data() + pos, static_cast<CK_ULONG>(copy.size() - pos)));
    EXPECT_CKR(CKR_OK, p11()->C_SignFinal(s_, sig.data(), &len));
    sig.resize(len);
    return sig;
  };
  // PKCS#1 v1.5 is deterministic: the bytes must be equal.
  for (CK_MECHANISM_TYPE t : {CKM_SHA1_RSA_PKCS, CKM_SHA256_RSA_PKCS, CKM_SHA512_RSA_PKCS}) {
    SCOPED_TRACE(testing::Message() << "mechanism 0x" << std::hex << t);
    EXPECT_EQ(multi(mech(t), rsa.priv, data), sign(s_, mech(t), rsa.priv, data));
  }
  // CKM_RSA_PKCS through C_SignUpdate (pkcs11-tool --test does this).
  Bytes info = sha256_digest_info(data);
  EXPECT_EQ(multi(mech(CKM_RSA_PKCS), rsa.priv, info), sign(s_, mech(CKM_RSA_PKCS), rsa.priv, info));
  // ECDSA is randomised: both verify, in OpenSSL and multi-part in the module.
  Pkey pub = openssl_public_key(s_, ec.pub);
  Bytes sig = multi(mech(CKM_ECDSA_SHA256), ec.priv, data);
  EXPECT_TRUE(openssl_verify(pub.get(), Check{.hash = EVP_sha256()}, data, sig));
  CK_MECHANISM m = mech(CKM_ECDSA_SHA256);
  Bytes copy = data;
  ASSERT_CKR(CKR_OK, p11()->C_VerifyInit(s_, &m, ec.pub));
  ASSERT_CKR(CKR_OK, p11()->C_VerifyUpdate(s_, copy.data(), 300));
  ASSERT_CKR(CKR_OK, p11()->C_VerifyUpdate(s_, copy.data() + 300, 700));
  EXPECT_CKR(CKR_OK, p11()->C_VerifyFinal(s_, sig.data(), static_cast<CK_ULONG>(sig.size())));
}

// C_Sign(NULL) gives the length and CKR_OK; a short buffer gives
// CKR_BUFFER_TOO_SMALL and the length; both leave the operation active
// (GnuTLS, pkcs11-tool --test). Success ends it.
TEST_F(ModuleCrypto, LengthQueryAndShortBufferKeepTheOperation) {
  KeyPair ec;
  ASSERT_CKR(CKR_OK, generate_ec(s_, kP256Params, ec));
  CK_MECHANISM m = mech(CKM_ECDSA_SHA256);
  Bytes data = bytes_of("length");
  CK_ULONG len = 0;
  ASSERT_CKR(CKR_OK, p11()->C_SignInit(s_, &m, ec.priv));
  ASSERT_CKR(CKR_OK, p11()->C_Sign(s_, data.data(), 6, nullptr, &len));
  EXPECT_EQ(len, 64u);
  EXPECT_CKR(CKR_OPERATION_ACTIVE, p11()->C_SignInit(s_, &m, ec.priv)) << "the length query ended the operation";
  Bytes sig(64);
  len = 10;
  EXPECT_CKR(CKR_BUFFER_TOO_SMALL, p11()->C_Sign(s_, data.data(), 6, sig.data(), &len));
  EXPECT_EQ(len, 64u);
  len = 64;
  ASSERT_CKR(CKR_OK, p11()->C_Sign(s_, data.data(), 6, sig.data(), &len)) << "a short buffer ended the operation";
  EXPECT_EQ(len, 64u);
  EXPECT_CKR(CKR_OPERATION_NOT_INITIALIZED, p11()->C_Sign(s_, data.data(), 6, sig.data(), &len));
  EXPECT_CKR(CKR_OK, verify(s_, m, ec.pub, data, sig));

  // The same at C_SignFinal.
  ASSERT_CKR(CKR_OK, p11()->C_SignInit(s_, &m, ec.priv));
  ASSERT_CKR(CKR_OK, p11()->C_SignUpdate(s_, data.data(), 6));
  len = 0;
  ASSERT_CKR(CKR_OK, p11()->C_SignFinal(s_, nullptr, &len));
  EXPECT_EQ(len, 64u);
  len = 63;
  EXPECT_CKR(CKR_BUFFER_TOO_SMALL, p11()->C_SignFinal(s_, sig.data(), &len));
  EXPECT_EQ(len, 64u);
  ASSERT_CKR(CKR_OK, p11()->C_SignFinal(s_, sig.data(), &len));
  EXPECT_CKR(CKR_OK, verify(s_, m, ec.pub, data, sig));

  // And at C_Digest.
  CK_MECHANISM sha = mech(CKM_SHA384);
  ASSERT_CKR(CKR_OK, p11()->C_DigestInit(s_, &sha));
  len = 0;
  ASSERT_CKR(CKR_OK, p11()->C_Digest(s_, data.data(), 6, nullptr, &len));
  EXPECT_EQ(len, 48u);
  Bytes digest(48);
  len = 47;
  EXPECT_CKR(CKR_BUFFER_TOO_SMALL, p11()->C_Digest(s_, data.data(), 6, digest.data(), &len));
  len = 48;
  ASSERT_CKR(CKR_OK, p11()->C_Digest(s_, data.data(), 6, digest.data(), &len));
  EXPECT_EQ(digest, openssl_digest(CKM_SHA384, data));
}

TEST_F(ModuleCrypto, DecryptLengthQueryKeepsTheOperation) {
  KeyPair rsa;
  ASSERT_CKR(CKR_OK, generate_rsa(s_, 1024, rsa));
  CK_MECHANISM m = mech(CKM_RSA_PKCS);
  Bytes plain = bytes_of("pkcs1 v1.5"), cipher(128);
  CK_ULONG len = 0;
  ASSERT_CKR(CKR_OK, p11()->C_EncryptInit(s_, &m, rsa.pub));
  ASSERT_CKR(CKR_OK, p11()->C_Encrypt(s_, plain.data(), 10, nullptr, &len));
  EXPECT_EQ(len, 128u);
  ASSERT_CKR(CKR_OK, p11()->C_Encrypt(s_, plain.data(), 10, cipher.data(), &len));
  ASSERT_CKR(CKR_OK, p11()->C_DecryptInit(s_, &m, rsa.priv));
  len = 0;
  ASSERT_CKR(CKR_OK, p11()->C_Decrypt(s_, cipher.data(), 128, nullptr, &len));
  EXPECT_GE(len, 10u);
  Bytes out(len);
  ASSERT_CKR(CKR_OK, p11()->C_Decrypt(s_, cipher.data(), 128, out.data(), &len)) << "the length query ended it";
  EXPECT_EQ(Bytes(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(len)), plain);
  EXPECT_CKR(CKR_OPERATION_NOT_INITIALIZED, p11()->C_Decrypt(s_, cipher.data(), 128, out.data(), &len));
}

TEST_F(ModuleCrypto, FailedVerificationEndsTheOperation) {
  KeyPair ec;
  ASSERT_CKR(CKR_OK, generate_ec(s_, kP256Params, ec));
  CK_MECHANISM m = mech(CKM_ECDSA_SHA256);
  Bytes data = bytes_of("verify me");
  Bytes sig = sign(s_, m, ec.priv, data);
  Bytes bad = flipped(sig);
  ASSERT_CKR(CKR_OK, p11()->C_VerifyInit(s_, &m, ec.pub));
  EXPECT_CKR(CKR_SIGNATURE_INVALID, p11()->C_Verify(s_, data.data(), 9, bad.data(), 64));
  EXPECT_CKR(CKR_OPERATION_NOT_INITIALIZED, p11()->C_Verify(s_, data.data(), 9, sig.data(), 64));

  ASSERT_CKR(CKR_OK, p11()->C_VerifyInit(s_, &m, ec.pub));
  ASSERT_CKR(CKR_OK, p11()->C_VerifyUpdate(s_, data.data(), 9));
  EXPECT_CKR(CKR_SIGNATURE_INVALID, p11()->C_VerifyFinal(s_, bad.data(), 64));
  EXPECT_CKR(CKR_OPERATION_NOT_INITIALIZED, p11()->C_VerifyUpdate(s_, data.data(), 9));

  ASSERT_CKR(CKR_OK, p11()->C_VerifyInit(s_, &m, ec.pub));
  EXPECT_CKR(CKR_SIGNATURE_LEN_RANGE, p11()->C_Verify(s_, data.data(), 9, sig.data(), 63));
  EXPECT_CKR(CKR_OPERATION_NOT_INITIALIZED, p11()->C_Verify(s_, data.data(), 9, sig.data(), 64));
  ASSERT_CKR(CKR_OK, p11()->C_VerifyInit(s_, &m, ec.pub)) << "a new operation can start";
  EXPECT_CKR(CKR_OK, p11()->C_Verify(s_, data.data(), 9, sig.data(), 64));
}

TEST_F(ModuleCrypto, LogoutEndsActiveSignOperations) {
  KeyPair k;
  Template token = Template().boolean(CKA_TOKEN, true).str(CKA_LABEL, "logout key");
  ASSERT_CKR(CKR_OK, generate_ec(s_, kP256Params, k, token, token));
  CK_SESSION_HANDLE other = open(slot_);
  CK_MECHANISM m = mech(CKM_ECDSA_SHA256);
  ASSERT_CKR(CKR_OK, p11()->C_SignInit(s_, &m, k.priv));
  ASSERT_CKR(CKR_OK, p11()->C_SignInit(other, &m, k.priv));
  ASSERT_CKR(CKR_OK, p11()->C_SignUpdate(other, pattern(10).data(), 10));
  ASSERT_CKR(CKR_OK, p11()->C_Logout(s_));
  Bytes data = bytes_of("after logout"), sig(64);
  CK_ULONG len = 64;
  EXPECT_CKR(CKR_OPERATION_NOT_INITIALIZED, p11()->C_Sign(s_, data.data(), 12, sig.data(), &len));
  EXPECT_CKR(CKR_OPERATION_NOT_INITIALIZED, p11()->C_SignFinal(other, sig.data(), &len));
  EXPECT_CKR(CKR_KEY_HANDLE_INVALID, p11()->C_SignInit(s_, &m, k.priv));
  ASSERT_CKR(CKR_OK, login(s_, CKU_USER, kUserPin));
  sig = sign(s_, m, k.priv, data);
  EXPECT_CKR(CKR_OK, verify(s_, m, k.pub, data, sig));
}

// ---- digests and random numbers ----

TEST_F(ModuleCrypto, DigestsEqualOpenSsl) {
  CK_SESSION_HANDLE pub = open(slot_, false);  // no login needed
  for (CK_MECHANISM_TYPE t : {CKM_SHA_1, CKM_SHA224, CKM_SHA256, CKM_SHA384, CKM_SHA512}) {
    for (std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{1000}}) {
      SCOPED_TRACE(testing::Message() << "mechanism 0x" << std::hex << t << std::dec << ", " << size << " bytes");
      Bytes data = pattern(size, static_cast<unsigned>(t));
      const Bytes want = openssl_digest(t, data);
      CK_MECHANISM m = mech(t);
      Bytes got(64);
      CK_ULONG len = 64;
      ASSERT_CKR(CKR_OK, p11()->C_DigestInit(pub, &m));
      ASSERT_CKR(CKR_OK, p11()->C_Digest(pub, data.data(), static_cast<CK_ULONG>(size), got.data(), &len));
      got.resize(len);
      EXPECT_EQ(got, want);
      ASSERT_CKR(CKR_OK, p11()->C_DigestInit(pub, &m));
      std::size_t half = size / 3;
      ASSERT_CKR(CKR_OK, p11()->C_DigestUpdate(pub, data.data(), static_cast<CK_ULONG>(half)));
      ASSERT_CKR(CKR_OK, p11()->C_DigestUpdate(pub, data.data() + half, static_cast<CK_ULONG>(size - half)));
      got.assign(64, 0);
      len = 64;
      ASSERT_CKR(CKR_OK, p11()->C_DigestFinal(pub, got.data(), &len));
      got.resize(len);
      EXPECT_EQ(got, want);
    }
  }
}

// C_Digest is single-part: after C_DigestUpdate it is refused and the
// operation ends (as C_Sign after C_SignUpdate).
TEST_F(ModuleCrypto, DigestAfterDigestUpdateIsRefusedAndEndsTheOperation) {
  CK_SESSION_HANDLE pub = open(slot_, false);
  CK_MECHANISM m = mech(CKM_SHA256);
  Bytes data = pattern(10, 1), got(32);
  CK_ULONG len = 32;
  ASSERT_CKR(CKR_OK, p11()->C_DigestInit(pub, &m));
  ASSERT_CKR(CKR_OK, p11()->C_DigestUpdate(pub, data.data(), 10));
  EXPECT_CKR(CKR_OPERATION_ACTIVE, p11()->C_Digest(pub, data.data(), 10, got.data(), &len));
  EXPECT_CKR(CKR_OPERATION_NOT_INITIALIZED, p11()->C_DigestFinal(pub, got.data(), &len));
}

// Every error but CKR_BUFFER_TOO_SMALL ends the operation, a
// CKR_ARGUMENTS_BAD found before the operation is touched included.
TEST_F(ModuleCrypto, ArgumentsBadEndsTheOperation) {
  CK_SESSION_HANDLE pub = open(slot_, false);
  CK_MECHANISM m = mech(CKM_SHA256);
  Bytes data = pattern(10, 1), got(32);
  CK_ULONG len = 32;
  ASSERT_CKR(CKR_OK, p11()->C_DigestInit(pub, &m));
  EXPECT_CKR(CKR_ARGUMENTS_BAD, p11()->C_Digest(pub, data.data(), 10, got.data(), nullptr));
  EXPECT_CKR(CKR_OPERATION_NOT_INITIALIZED, p11()->C_Digest(pub, data.data(), 10, got.data(), &len));
  ASSERT_CKR(CKR_OK, p11()->C_DigestInit(pub, &m));
  EXPECT_CKR(CKR_ARGUMENTS_BAD, p11()->C_DigestUpdate(pub, nullptr, 10));
  EXPECT_CKR(CKR_OPERATION_NOT_INITIALIZED, p11()->C_DigestFinal(pub, got.data(), &len));
  // A length query and a too small buffer still leave it active.
  ASSERT_CKR(CKR_OK, p11()->C_DigestInit(pub, &m));
  EXPECT_CKR(CKR_OK, p11()->C_Digest(pub, data.data(), 10, nullptr, &len));
  len = 31;
  EXPECT_CKR(CKR_BUFFER_TOO_SMALL, p11()->C_Digest(pub, data.data(), 10, got.data(), &len));
  EXPECT_CKR(CKR_OK, p11()->C_Digest(pub, data.data(), 10, got.data(), &len));
}

TEST_F(ModuleCrypto, GenerateRandom) {
  CK_SESSION_HANDLE pub = open(slot_, false);  // NSS asks before login
  EXPECT_CKR(CKR_OK, p11()->C_GenerateRandom(pub, nullptr, 0));
  Bytes a(32), b(32), big(100000);
  ASSERT_CKR(CKR_OK, p11()->C_GenerateRandom(pub, a.data(), 32));
  ASSERT_CKR(CKR_OK, p11()->C_GenerateRandom(pub, b.data(), 32));
  EXPECT_NE(a, b);
  EXPECT_NE(a, Bytes(32, 0));
  ASSERT_CKR(CKR_OK, p11()->C_GenerateRandom(s_, big.data(), static_cast<CK_ULONG>(big.size())));
  std::size_t counts[256] = {};
  for (unsigned char ch : big) ++counts[ch];
  EXPECT_GT(*std::min_element(std::begin(counts), std::end(counts)), 250u) << "not uniformly distributed";
  EXPECT_LT(*std::max_element(std::begin(counts), std::end(counts)), 550u) << "not uniformly distributed";
}

// ---- key sizes ----

TEST_F(ModuleCrypto, RsaKeySizes1024And4096AcceptedOthersRefused) {
  for (CK_ULONG bits : {CK_ULONG{512}, CK_ULONG{1023}, CK_ULONG{4097}, CK_ULONG{8192}}) {
    KeyPair k;
    EXPECT_CKR(CKR_KEY_SIZE_RANGE, generate_rsa(s_, bits, k)) << bits << " bits";
  }
  for (CK_ULONG bits : {CK_ULONG{1024}, CK_ULONG{4096}}) {
    SCOPED_TRACE(testing::Message() << bits << " bits");
    KeyPair k;
    ASSERT_CKR(CKR_OK, generate_rsa(s_, bits, k));
    EXPECT_EQ(attr_ulong(s_, k.pub, CKA_MODULUS_BITS), bits);
    EXPECT_EQ(attr_bytes(s_, k.pub, CKA_MODULUS).size(), bits / 8);
    Pkey pub = openssl_public_key(s_, k.pub);
    const Bytes data = bytes_of("key size");
    Bytes sig = sign(s_, mech(CKM_SHA256_RSA_PKCS), k.priv, data);
    EXPECT_EQ(sig.size(), bits / 8);
    EXPECT_TRUE(openssl_verify(pub.get(), Check{.hash = EVP_sha256()}, data, sig));
  }
}

}  // namespace
}  // namespace ecert::test
