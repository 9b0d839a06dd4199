// Issue 17, item 3: a value the caller may not read cannot be tested either.
// C_DigestKey of a sensitive or unextractable key, and templates naming a
// sensitive attribute in C_FindObjectsInit, would each let a caller check
// guesses of the value (offline for the digest). Control cases show both
// still work where the value may be read.
#include <openssl/evp.h>

#include <string>

#include "module_fixture.h"
#include "module_test_support.h"

namespace ecert::test {
namespace {

using support::Bytes;
using support::Template;

class GuessingOracleTest : public ModuleTest {
 protected:
  void SetUp() override {
    ModuleTest::SetUp();
    session_ = open_user_session(ready_token());
  }

  CK_OBJECT_HANDLE secret_key(const Bytes& value, bool sensitive, bool extractable) {
    Template t;
    t.cls(CKO_SECRET_KEY).ulong(CKA_KEY_TYPE, CKK_GENERIC_SECRET).bytes(CKA_VALUE, value);
    t.boolean(CKA_SENSITIVE, sensitive).boolean(CKA_EXTRACTABLE, extractable);
    CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;
    EXPECT_CKR(CKR_OK, p11()->C_CreateObject(session_, t.data(), t.size(), &h));
    return h;
  }

  CK_RV digest_key(CK_OBJECT_HANDLE key, Bytes* out = nullptr) {
    CK_MECHANISM m{CKM_SHA256, nullptr, 0};
    EXPECT_CKR(CKR_OK, p11()->C_DigestInit(session_, &m));
    CK_RV rv = p11()->C_DigestKey(session_, key);
    if (rv != CKR_OK) {
      // Whatever the error left behind, the next test starts clean.
      CK_BYTE buf[32];
      CK_ULONG len = sizeof buf;
      p11()->C_DigestFinal(session_, buf, &len);
      return rv;
    }
    Bytes digest(32);
    CK_ULONG len = digest.size();
    EXPECT_CKR(CKR_OK, p11()->C_DigestFinal(session_, digest.data(), &len));
    if (out != nullptr) *out = digest;
    return rv;
  }

  CK_SESSION_HANDLE session_ = CK_INVALID_HANDLE;
};

Bytes sha256(const Bytes& in) {
  Bytes out(32);
  unsigned int len = 0;
  EVP_Digest(in.data(), in.size(), out.data(), &len, EVP_sha256(), nullptr);
  return out;
}

TEST_F(GuessingOracleTest, DigestKeyRefusesWhatCannotBeRead) {
  Bytes short_value = support::bytes_of("1234");
  EXPECT_CKR(CKR_KEY_INDIGESTIBLE, digest_key(secret_key(short_value, true, false)));
  EXPECT_CKR(CKR_KEY_INDIGESTIBLE, digest_key(secret_key(short_value, true, true)));
  EXPECT_CKR(CKR_KEY_INDIGESTIBLE, digest_key(secret_key(short_value, false, false)));
  // A value the caller could read anyway may be digested.
  Bytes digest;
  EXPECT_CKR(CKR_OK, digest_key(secret_key(short_value, false, true), &digest));
  EXPECT_EQ(digest, sha256(short_value));
}

TEST_F(GuessingOracleTest, TemplatesNeverMatchOnHiddenValues) {
  Bytes value = support::bytes_of("0042");
  CK_OBJECT_HANDLE hidden = secret_key(value, true, false);
  Template right;
  right.cls(CKO_SECRET_KEY).bytes(CKA_VALUE, value);
  Template wrong;
  wrong.cls(CKO_SECRET_KEY).bytes(CKA_VALUE, support::bytes_of("0043"));
  // The right guess and a wrong one give the same answer: nothing.
  EXPECT_TRUE(support::find(session_, right).empty());
  EXPECT_TRUE(support::find(session_, wrong).empty());
  Template by_class;
  by_class.cls(CKO_SECRET_KEY);
  EXPECT_EQ(support::find(session_, by_class), std::vector<CK_OBJECT_HANDLE>{hidden});

  // A private key's sensitive parts likewise.
  support::KeyPair rsa;
  ASSERT_EQ(support::generate_rsa(session_, 2048, rsa), CKR_OK);
  Bytes modulus = support::attr_bytes(session_, rsa.priv, CKA_MODULUS);
  Template by_modulus;
  by_modulus.cls(CKO_PRIVATE_KEY).bytes(CKA_MODULUS, modulus);
  EXPECT_EQ(support::find(session_, by_modulus), std::vector<CK_OBJECT_HANDLE>{rsa.priv});
  Template by_exponent;
  by_exponent.cls(CKO_PRIVATE_KEY).bytes(CKA_PRIVATE_EXPONENT, Bytes(256, 1));
  EXPECT_TRUE(support::find(session_, by_exponent).empty());

  // Where the value may be read, it still matches.
  CK_OBJECT_HANDLE open = secret_key(support::bytes_of("open"), false, true);
  Template open_value;
  open_value.bytes(CKA_VALUE, support::bytes_of("open"));
  EXPECT_EQ(support::find(session_, open_value), std::vector<CK_OBJECT_HANDLE>{open});
}

}  // namespace
}  // namespace ecert::test
