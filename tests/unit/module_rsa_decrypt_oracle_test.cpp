// C_Decrypt with CKM_RSA_PKCS is no padding oracle (issue 17, item 2): through
// the module's C interface, ciphertexts with bad PKCS#1 v1.5 padding return
// CKR_OK with the same (synthetic) message every time, and the length query
// answers the same for good and bad ones. The synthetic messages themselves
// are checked against published known answers in
// crypto_rsa_implicit_rejection_test.cpp.
#include "module_test_support.h"

namespace ecert::test {
namespace {

using namespace support;

constexpr std::size_t kK = 256;  // 2048-bit keys
constexpr CK_ULONG kMaxMessage = kK - 11;

class ModuleRsaDecryptOracle : public ModuleTest {
 protected:
  void SetUp() override {
    ModuleTest::SetUp();
    slot_ = ready_token();
    s_ = open_user_session(slot_);
    ASSERT_CKR(CKR_OK, generate_rsa(s_, 2048, key_));
    pub_ = openssl_public_key(s_, key_.pub);
    ASSERT_NE(pub_, nullptr);
  }

  CK_RV decrypt_init() {
    CK_MECHANISM m{CKM_RSA_PKCS, nullptr, 0};
    return p11()->C_DecryptInit(s_, &m, key_.priv);
  }

  // C_DecryptInit and a C_Decrypt into a buffer that fits any message.
  std::pair<CK_RV, Bytes> decrypt(Bytes ciphertext) {
    CK_RV rv = decrypt_init();
    if (rv != CKR_OK) return {rv, {}};
    Bytes out(kK);
    CK_ULONG len = kK;
    rv = p11()->C_Decrypt(s_, ciphertext.data(), static_cast<CK_ULONG>(ciphertext.size()), out.data(), &len);
    out.resize(rv == CKR_OK ? len : 0);
    return {rv, out};
  }

  Bytes encrypt(const Bytes& input, int padding) {
    PkeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pub_.get(), nullptr));
    Bytes out(kK);
    std::size_t len = out.size();
    if (ctx == nullptr || EVP_PKEY_encrypt_init(ctx.get()) != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(ctx.get(), padding) != 1 ||
        EVP_PKEY_encrypt(ctx.get(), out.data(), &len, input.data(), input.size()) != 1 || len != kK) {
      ADD_FAILURE() << "OpenSSL encryption";
      return {};
    }
    return out;
  }
  // What an attacker with the public key sends: chosen blocks, raw-encrypted.
  Bytes raw_encrypt(const Bytes& block) { return encrypt(block, RSA_NO_PADDING); }

  CK_SLOT_ID slot_ = 0;
  CK_SESSION_HANDLE s_ = CK_INVALID_HANDLE;
  KeyPair key_;
  Pkey pub_;
};

// 00 || bt || PS (ps_len non-zero bytes) || 00 || message filling the rest.
Bytes block(std::uint8_t first, std::uint8_t bt, std::size_t ps_len) {
  Bytes b(kK);
  b[0] = first;
  b[1] = bt;
  for (std::size_t i = 0; i < ps_len; ++i) b[2 + i] = static_cast<unsigned char>(0x21 + i % 100);
  std::size_t pos = 2 + ps_len;
  b[pos++] = 0x00;
  for (; pos < kK; ++pos) b[pos] = static_cast<unsigned char>('m');
  return b;
}

struct Case {
  const char* what;
  Bytes block;
};

std::vector<Case> malformed() {
  Bytes no_separator(kK, 0x77);
  no_separator[0] = 0x00;
  no_separator[1] = 0x02;
  return {
      {"block type 01", block(0x00, 0x01, 40)},
      {"no zero separator", no_separator},
      {"padding string of 5 bytes", block(0x00, 0x02, 5)},
      {"first byte not 0", block(0x01, 0x02, 40)},
  };
}

TEST_F(ModuleRsaDecryptOracle, BadPaddingIsCkrOkWithRepeatableOutput) {
  for (const Case& c : malformed()) {
    SCOPED_TRACE(c.what);
    const Bytes ciphertext = raw_encrypt(c.block);
    auto [rv, first] = decrypt(ciphertext);
    ASSERT_CKR(CKR_OK, rv);
    EXPECT_LE(first.size(), kMaxMessage);
    auto [rv2, second] = decrypt(ciphertext);
    ASSERT_CKR(CKR_OK, rv2);
    EXPECT_EQ(first, second);
  }
  // Random ciphertexts (below the modulus) are all accepted too.
  for (int i = 0; i < 50; ++i) {
    Bytes ciphertext(kK);
    ASSERT_CKR(CKR_OK, p11()->C_GenerateRandom(s_, ciphertext.data(), kK));
    ciphertext[0] = 0;
    auto [rv, out] = decrypt(ciphertext);
    ASSERT_CKR(CKR_OK, rv) << i;
    EXPECT_EQ(decrypt(ciphertext).second, out) << i;
  }
  // A good ciphertext still gives its message.
  const Bytes message = bytes_of("a session key for S/MIME");
  auto [rv, out] = decrypt(encrypt(message, RSA_PKCS1_PADDING));
  ASSERT_CKR(CKR_OK, rv);
  EXPECT_EQ(out, message);
}

TEST_F(ModuleRsaDecryptOracle, LengthQueryAndShortBufferDoNotTellGoodFromBad) {
  std::vector<Case> cases = malformed();
  cases.push_back({"good", {}});
  const Bytes message = bytes_of("twenty-one bytes long");
  for (Case& c : cases) {
    SCOPED_TRACE(c.what);
    Bytes ciphertext = c.block.empty() ? encrypt(message, RSA_PKCS1_PADDING) : raw_encrypt(c.block);
    auto [rv, expected] = decrypt(ciphertext);
    ASSERT_CKR(CKR_OK, rv);
    if (c.block.empty()) {
      EXPECT_EQ(expected, message);
    }

    // The length query answers before decrypting: k-11 for every ciphertext.
    ASSERT_CKR(CKR_OK, decrypt_init());
    CK_ULONG len = 0;
    ASSERT_CKR(CKR_OK, p11()->C_Decrypt(s_, ciphertext.data(), kK, nullptr, &len));
    EXPECT_EQ(len, kMaxMessage);
    // A buffer too small for this message: CKR_BUFFER_TOO_SMALL with its
    // length, as for any message, and the operation goes on.
    if (!expected.empty()) {
      Bytes small(expected.size() - 1);
      len = static_cast<CK_ULONG>(small.size());
      EXPECT_CKR(CKR_BUFFER_TOO_SMALL, p11()->C_Decrypt(s_, ciphertext.data(), kK, small.data(), &len));
      EXPECT_EQ(len, expected.size());
    }
    Bytes out(expected.size() + 1);  // never a NULL buffer, even for an empty message
    len = static_cast<CK_ULONG>(expected.size());
    ASSERT_CKR(CKR_OK, p11()->C_Decrypt(s_, ciphertext.data(), kK, out.data(), &len));
    out.resize(len);
    EXPECT_EQ(out, expected);
  }
}

TEST_F(ModuleRsaDecryptOracle, PublicErrorsStay) {
  // A value not below the modulus, or not k bytes: anyone can see these.
  EXPECT_CKR(CKR_ENCRYPTED_DATA_INVALID, decrypt(Bytes(kK, 0xff)).first);
  EXPECT_CKR(CKR_ENCRYPTED_DATA_LEN_RANGE, decrypt(Bytes(kK - 1, 0x01)).first);
}

}  // namespace
}  // namespace ecert::test
