// The table rows are what C_GetMechanismInfo reports: flags, key sizes and
// factories must match the specification of the module exactly.
#include <algorithm>
#include <set>
#include <span>
#include <string_view>
#include <vector>

#include "crypto/families.h"
#include "crypto_test_support.h"

namespace ecert::crypto::test {
namespace {

constexpr CK_FLAGS kSV = CKF_SIGN | CKF_VERIFY;
constexpr CK_FLAGS kED = CKF_ENCRYPT | CKF_DECRYPT;
constexpr CK_FLAGS kEC = CKF_EC_F_P | CKF_EC_NAMEDCURVE | CKF_EC_UNCOMPRESS;
constexpr CK_ULONG kNA = CK_UNAVAILABLE_INFORMATION;

struct Expected {
  CK_MECHANISM_TYPE type;
  CK_KEY_TYPE key_type;
  CK_ULONG min, max;
  CK_FLAGS flags;
  bool multipart;
};

const Expected kExpected[] = {
    {CKM_RSA_PKCS_KEY_PAIR_GEN, CKK_RSA, 1024, 4096, CKF_GENERATE_KEY_PAIR, false},
    {CKM_RSA_PKCS, CKK_RSA, 1024, 4096, kSV | kED, false},
    {CKM_RSA_X_509, CKK_RSA, 1024, 4096, kSV | kED, false},
    {CKM_RSA_PKCS_OAEP, CKK_RSA, 1024, 4096, kED, false},
    {CKM_RSA_PKCS_PSS, CKK_RSA, 1024, 4096, kSV, false},
    {CKM_SHA1_RSA_PKCS, CKK_RSA, 1024, 4096, kSV, true},
    {CKM_SHA224_RSA_PKCS, CKK_RSA, 1024, 4096, kSV, true},
    {CKM_SHA256_RSA_PKCS, CKK_RSA, 1024, 4096, kSV, true},
    {CKM_SHA384_RSA_PKCS, CKK_RSA, 1024, 4096, kSV, true},
    {CKM_SHA512_RSA_PKCS, CKK_RSA, 1024, 4096, kSV, true},
    {CKM_SHA1_RSA_PKCS_PSS, CKK_RSA, 1024, 4096, kSV, true},
    {CKM_SHA224_RSA_PKCS_PSS, CKK_RSA, 1024, 4096, kSV, true},
    {CKM_SHA256_RSA_PKCS_PSS, CKK_RSA, 1024, 4096, kSV, true},
    {CKM_SHA384_RSA_PKCS_PSS, CKK_RSA, 1024, 4096, kSV, true},
    {CKM_SHA512_RSA_PKCS_PSS, CKK_RSA, 1024, 4096, kSV, true},
    {CKM_EC_KEY_PAIR_GEN, CKK_EC, 256, 521, CKF_GENERATE_KEY_PAIR | kEC, false},
    {CKM_ECDSA, CKK_EC, 256, 521, kSV | kEC, false},
    {CKM_ECDSA_SHA1, CKK_EC, 256, 521, kSV | kEC, true},
    {CKM_ECDSA_SHA224, CKK_EC, 256, 521, kSV | kEC, true},
    {CKM_ECDSA_SHA256, CKK_EC, 256, 521, kSV | kEC, true},
    {CKM_ECDSA_SHA384, CKK_EC, 256, 521, kSV | kEC, true},
    {CKM_ECDSA_SHA512, CKK_EC, 256, 521, kSV | kEC, true},
    {CKM_SHA_1, kNA, 0, 0, CKF_DIGEST, true},
    {CKM_SHA224, kNA, 0, 0, CKF_DIGEST, true},
    {CKM_SHA256, kNA, 0, 0, CKF_DIGEST, true},
    {CKM_SHA384, kNA, 0, 0, CKF_DIGEST, true},
    {CKM_SHA512, kNA, 0, 0, CKF_DIGEST, true},
};

TEST(MechanismTable, RowsMatchTheSpecificationInOrder) {
  auto rows = all_mechanisms();
  ASSERT_EQ(rows.size(), std::size(kExpected));
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Mechanism& m = rows[i];
    const Expected& e = kExpected[i];
    SCOPED_TRACE(m.name);
    EXPECT_EQ(m.type, e.type);
    EXPECT_EQ(m.key_type, e.key_type);
    EXPECT_EQ(m.min_key_bits, e.min);
    EXPECT_EQ(m.max_key_bits, e.max);
    EXPECT_EQ(m.flags, e.flags);
    EXPECT_EQ(m.multipart, e.multipart);
    EXPECT_EQ(m.flags & CKF_HW, 0u);
  }
}

TEST(MechanismTable, FactoriesMatchFlags) {
  for (const Mechanism& m : all_mechanisms()) {
    SCOPED_TRACE(m.name);
    // A factory makes both directions of its operation.
    EXPECT_EQ(m.sign != nullptr, (m.flags & CKF_SIGN) != 0);
    EXPECT_EQ(m.sign != nullptr, (m.flags & CKF_VERIFY) != 0);
    EXPECT_EQ(m.cipher != nullptr, (m.flags & CKF_ENCRYPT) != 0);
    EXPECT_EQ(m.cipher != nullptr, (m.flags & CKF_DECRYPT) != 0);
    EXPECT_EQ(m.digest != nullptr, (m.flags & CKF_DIGEST) != 0);
    EXPECT_EQ(m.generate_key_pair != nullptr, (m.flags & CKF_GENERATE_KEY_PAIR) != 0);
    EXPECT_EQ(m.flags & (CKF_SIGN_RECOVER | CKF_VERIFY_RECOVER | CKF_WRAP | CKF_UNWRAP | CKF_DERIVE), 0u);
    EXPECT_EQ(std::string(m.name).rfind("CKM_", 0), 0u);
  }
}

// Every row's name, as the preprocessor spells the constant; a row written
// by hand with a name that does not match its type shows up here.
struct Spelling {
  CK_MECHANISM_TYPE type;
  std::string_view name;
};
#define SPELLING(m) \
  Spelling { m, #m }
constexpr Spelling kSpellings[] = {
    SPELLING(CKM_RSA_PKCS_KEY_PAIR_GEN),
    SPELLING(CKM_RSA_PKCS),
    SPELLING(CKM_RSA_X_509),
    SPELLING(CKM_RSA_PKCS_OAEP),
    SPELLING(CKM_RSA_PKCS_PSS),
    SPELLING(CKM_SHA1_RSA_PKCS),
    SPELLING(CKM_SHA224_RSA_PKCS),
    SPELLING(CKM_SHA256_RSA_PKCS),
    SPELLING(CKM_SHA384_RSA_PKCS),
    SPELLING(CKM_SHA512_RSA_PKCS),
    SPELLING(CKM_SHA1_RSA_PKCS_PSS),
    SPELLING(CKM_SHA224_RSA_PKCS_PSS),
    SPELLING(CKM_SHA256_RSA_PKCS_PSS),
    SPELLING(CKM_SHA384_RSA_PKCS_PSS),
    SPELLING(CKM_SHA512_RSA_PKCS_PSS),
    SPELLING(CKM_EC_KEY_PAIR_GEN),
    SPELLING(CKM_ECDSA),
    SPELLING(CKM_ECDSA_SHA1),
    SPELLING(CKM_ECDSA_SHA224),
    SPELLING(CKM_ECDSA_SHA256),
    SPELLING(CKM_ECDSA_SHA384),
    SPELLING(CKM_ECDSA_SHA512),
    SPELLING(CKM_SHA_1),
    SPELLING(CKM_SHA224),
    SPELLING(CKM_SHA256),
    SPELLING(CKM_SHA384),
    SPELLING(CKM_SHA512),
};
#undef SPELLING

TEST(MechanismTable, NamesAreTheConstantsSpelling) {
  std::set<std::string_view> names;
  for (const Mechanism& m : all_mechanisms()) {
    SCOPED_TRACE(m.name);
    auto it = std::ranges::find(kSpellings, m.type, &Spelling::type);
    ASSERT_NE(it, std::end(kSpellings)) << "add the row's constant to kSpellings";
    EXPECT_EQ(std::string_view(m.name), it->name);
    EXPECT_TRUE(names.insert(m.name).second) << "name used twice";
  }
}

// The families, in the order mechanism_table.cpp puts them together, each
// with the factories its rows may name.
struct FamilyRows {
  const char* family;
  std::span<const Mechanism> rows;
  decltype(Mechanism::sign) sign;
  decltype(Mechanism::cipher) cipher;
  decltype(Mechanism::digest) digest;
  decltype(Mechanism::generate_key_pair) generate_key_pair;
};

std::vector<FamilyRows> families() {
  return {
      {"rsa_keygen", rsa_keygen_mechanisms(), nullptr, nullptr, nullptr, generate_rsa_key_pair},
      {"rsa_encrypt", rsa_encrypt_mechanisms(), make_rsa_sign, make_rsa_cipher, nullptr, nullptr},
      {"rsa_sign", rsa_sign_mechanisms(), make_rsa_sign, nullptr, nullptr, nullptr},
      {"ec_keygen", ec_keygen_mechanisms(), nullptr, nullptr, nullptr, generate_ec_key_pair},
      {"ecdsa", ecdsa_mechanisms(), make_ecdsa, nullptr, nullptr, nullptr},
      {"digest", digest_mechanisms(), nullptr, nullptr, make_digest, nullptr},
  };
}

TEST(MechanismTable, IsTheFamiliesInOrder) {
  auto all = all_mechanisms();
  std::size_t i = 0;
  for (const FamilyRows& f : families()) {
    SCOPED_TRACE(f.family);
    EXPECT_FALSE(f.rows.empty());
    for (const Mechanism& row : f.rows) {
      SCOPED_TRACE(row.name);
      ASSERT_LT(i, all.size());
      const Mechanism& m = all[i++];
      EXPECT_EQ(m.type, row.type);
      EXPECT_STREQ(m.name, row.name);
      EXPECT_EQ(m.key_type, row.key_type);
      EXPECT_EQ(m.min_key_bits, row.min_key_bits);
      EXPECT_EQ(m.max_key_bits, row.max_key_bits);
      EXPECT_EQ(m.flags, row.flags);
      EXPECT_EQ(m.multipart, row.multipart);
      EXPECT_EQ(m.sign, row.sign);
      EXPECT_EQ(m.cipher, row.cipher);
      EXPECT_EQ(m.digest, row.digest);
      EXPECT_EQ(m.generate_key_pair, row.generate_key_pair);
    }
  }
  EXPECT_EQ(i, all.size());
}

// A row names its own family's factories, so that the factory it names
// knows its mechanism type.
TEST(MechanismTable, RowsNameTheirFamilysFactories) {
  for (const FamilyRows& f : families()) {
    for (const Mechanism& m : f.rows) {
      SCOPED_TRACE(m.name);
      EXPECT_TRUE(m.sign == nullptr || m.sign == f.sign);
      EXPECT_TRUE(m.cipher == nullptr || m.cipher == f.cipher);
      EXPECT_TRUE(m.digest == nullptr || m.digest == f.digest);
      EXPECT_TRUE(m.generate_key_pair == nullptr || m.generate_key_pair == f.generate_key_pair);
    }
  }
}

TEST(MechanismTable, FindMechanism) {
  std::set<CK_MECHANISM_TYPE> seen;
  for (const Mechanism& m : all_mechanisms()) {
    EXPECT_TRUE(seen.insert(m.type).second) << m.name;
    EXPECT_EQ(find_mechanism(m.type), &m);
  }
  EXPECT_EQ(find_mechanism(CKM_MD5), nullptr);
  EXPECT_EQ(find_mechanism(CKM_AES_GCM), nullptr);
  EXPECT_EQ(find_mechanism(CKM_VENDOR_DEFINED), nullptr);
}

// Every signing row, with default parameters, signs and verifies with the
// kind of key it names, single-part and (where allowed) multi-part.
TEST(MechanismTable, EverySignRowRoundTrips) {
  CK_RSA_PKCS_PSS_PARAMS pss{CKM_SHA256, CKG_MGF1_SHA256, 32};
  for (const Mechanism& r : all_mechanisms()) {
    if (r.sign == nullptr) continue;
    SCOPED_TRACE(r.name);
    const TestKey& k = r.key_type == CKK_RSA ? rsa_key(2048) : ec_key("P-384");
    CK_MECHANISM m = mech(r.type);
    Bytes data = bytes_of("every row");
    switch (r.type) {
      case CKM_RSA_PKCS_PSS:
        m = mech(r.type, pss);
        data = pattern(32);
        break;
      case CKM_SHA1_RSA_PKCS_PSS:
        pss = {CKM_SHA_1, CKG_MGF1_SHA1, 20};
        m = mech(r.type, pss);
        break;
      case CKM_SHA224_RSA_PKCS_PSS:
        pss = {CKM_SHA224, CKG_MGF1_SHA224, 28};
        m = mech(r.type, pss);
        break;
      case CKM_SHA256_RSA_PKCS_PSS:
        pss = {CKM_SHA256, CKG_MGF1_SHA256, 32};
        m = mech(r.type, pss);
        break;
      case CKM_SHA384_RSA_PKCS_PSS:
        pss = {CKM_SHA384, CKG_MGF1_SHA384, 48};
        m = mech(r.type, pss);
        break;
      case CKM_SHA512_RSA_PKCS_PSS:
        pss = {CKM_SHA512, CKG_MGF1_SHA512, 64};
        m = mech(r.type, pss);
        break;
      case CKM_ECDSA:
        data = pattern(48);
        break;
      default:
        break;
    }
    Bytes sig = our_sign(m, *k.priv, data);
    EXPECT_NO_THROW(our_verify(m, *k.pub, data, sig));
    if (r.multipart) {
      Bytes sig2 = our_sign(m, *k.priv, data, true);
      EXPECT_NO_THROW(our_verify(m, *k.pub, data, sig2, true));
      EXPECT_NO_THROW(our_verify(m, *k.pub, data, sig, true));
    }
  }
}

TEST(MechanismTable, EveryCipherRowRoundTrips) {
  CK_RSA_PKCS_OAEP_PARAMS oaep{CKM_SHA256, CKG_MGF1_SHA256, CKZ_DATA_SPECIFIED, nullptr, 0};
  const TestKey& k = rsa_key(2048);
  for (const Mechanism& r : all_mechanisms()) {
    if (r.cipher == nullptr) continue;
    SCOPED_TRACE(r.name);
    CK_MECHANISM m = r.type == CKM_RSA_PKCS_OAEP ? mech(r.type, oaep) : mech(r.type);
    Bytes plain = r.type == CKM_RSA_X_509 ? pattern(255) : bytes_of("secret");
    SecureBytes ct = our_cipher(m, *k.pub, true, plain);
    EXPECT_EQ(ct.size(), 256u);
    SecureBytes back = our_cipher(m, *k.priv, false, view(ct));
    if (r.type == CKM_RSA_X_509) {
      ASSERT_EQ(back.size(), 256u);
      EXPECT_EQ(back[0], 0);
      EXPECT_TRUE(std::equal(plain.begin(), plain.end(), back.begin() + 1));
    } else {
      EXPECT_EQ(Bytes(back.begin(), back.end()), plain);
    }
  }
}

TEST(MechanismTable, SingleKeyMechanismsRejectTheOtherKeyType) {
  for (const Mechanism& r : all_mechanisms()) {
    if (r.sign == nullptr) continue;
    SCOPED_TRACE(r.name);
    CK_MECHANISM m = mech(r.type);
    const TestKey& wrong = r.key_type == CKK_RSA ? ec_key("P-256") : rsa_key(2048);
    EXPECT_RV(CKR_KEY_TYPE_INCONSISTENT, r.sign(m, *wrong.priv, true));
    EXPECT_RV(CKR_KEY_TYPE_INCONSISTENT, r.sign(m, *wrong.pub, false));
  }
}

}  // namespace
}  // namespace ecert::crypto::test
