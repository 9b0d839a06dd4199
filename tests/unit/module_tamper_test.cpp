// Someone who can write the token file between uses (issue 17, item 1): what
// they do to a key or private object is refused as corruption of that object
// alone (CKR_DEVICE_ERROR), never obeyed. The file is changed with SQLite
// while the module is finalised, as such a person would. The same tests run
// on a schema-1 file (the format before objects were sealed whole, made
// here from a schema-2 one), whose rows the attacks below were first shown
// on, and which is upgraded at the first login.
#include <cstring>
#include <string>
#include <vector>

#include "module_fixture.h"
#include "module_test_support.h"
#include "store/token_store.h"
#include "store/vault.h"
#include "token_file_sql.h"

namespace ecert::test {
namespace {

using support::attribute;
using support::Template;

Bytes bool_value(bool v) { return Bytes{static_cast<std::uint8_t>(v ? 1 : 0)}; }
Bytes ulong_value(CK_ULONG v) {
  Bytes b(sizeof v);
  std::memcpy(b.data(), &v, sizeof v);
  return b;
}

class TamperTest : public ModuleTest {
 protected:
  void SetUp() override {
    ModuleTest::SetUp();
    slot_ = ready_token();
    CK_SESSION_HANDLE s = open_user_session(slot_);
    // A signing key limited to one mechanism, sensitive and unextractable.
    Template priv;
    priv.boolean(CKA_TOKEN, true).boolean(CKA_SENSITIVE, true).boolean(CKA_EXTRACTABLE, false);
    priv.str(CKA_LABEL, "limited");
    priv.bytes(CKA_ALLOWED_MECHANISMS, ulong_value(CKM_SHA256_RSA_PKCS));
    Template pub;
    pub.boolean(CKA_TOKEN, true);
    ASSERT_EQ(support::generate_rsa(s, 2048, rsa_, pub, priv), CKR_OK);
    Template ec_priv;
    ec_priv.boolean(CKA_TOKEN, true);
    ASSERT_EQ(support::generate_ec(s, support::kP256Params, ec_, pub, ec_priv), CKR_OK);
    ASSERT_EQ(p11()->C_CloseSession(s), CKR_OK);
  }

  std::string file() const { return token_file(dir(), slot_); }
  std::int64_t key_id() const { return static_cast<std::int64_t>(rsa_.priv); }

  void finalize() { ASSERT_EQ(p11()->C_Finalize(nullptr), CKR_OK); }
  void initialize() { ASSERT_EQ(p11()->C_Initialize(nullptr), CKR_OK); }

  // Schema 1 stored a private object as one sealed row per attribute. Made
  // from the current form with the master key, as the old module wrote it.
  void make_schema_1() {
    std::optional<SecureBytes> mk = master_key(file(), CKU_USER, kUserPin);
    ASSERT_TRUE(mk.has_value());
    Sql db(file(), true);
    Bytes uuid = db.row("SELECT uuid FROM token WHERE id = 1").at(0);
    store::TokenRecord token;
    token.uuid = uuid;
    store::Vault vault;
    vault.bind(token);
    vault.hold(SecureBytes(mk->begin(), mk->end()));
    std::vector<std::int64_t> ids;
    for (std::int64_t id = 1; id < 100; ++id) {
      if (db.integer("SELECT private FROM object WHERE id = ?", {id}) == 1) ids.push_back(id);
    }
    ASSERT_FALSE(ids.empty());
    for (std::int64_t id : ids) {
      Bytes record = db.row("SELECT record FROM object WHERE id = ?", {id}).at(0);
      std::optional<AttributeMap> attrs = vault.unseal_object(id, view(record));
      ASSERT_TRUE(attrs.has_value()) << id;
      for (const auto& [type, value] : attrs->values()) {
        Bytes sealed = store::seal(view(*mk), store::aad_attribute(view(uuid), id, type), view(value));
        insert_row(db, id, type, true, sealed);
      }
    }
    db.exec("DELETE FROM secret WHERE name = 'object-manifest'");
    db.exec("ALTER TABLE object DROP COLUMN record");
    db.exec("PRAGMA user_version=1");
  }

  static void insert_row(Sql& db, std::int64_t id, CK_ATTRIBUTE_TYPE type, bool sealed, const Bytes& value) {
    db.set_blob("INSERT OR REPLACE INTO attribute(object_id, type, sealed, value) VALUES (?2, ?3, ?4, ?1)", value,
                {id, static_cast<std::int64_t>(type), sealed ? 1 : 0});
  }

  static bool has_records(Sql& db) {
    return db.integer("SELECT count(*) FROM pragma_table_info('object') WHERE name = 'record'") == 1;
  }

  // After the change: the key answers CKR_DEVICE_ERROR, the EC key still signs.
  void expect_key_refused() {
    initialize();
    CK_SESSION_HANDLE s = open_user_session(slot_);
    auto [rv, d] = attribute(s, rsa_.priv, CKA_PRIVATE_EXPONENT);
    EXPECT_CKR(CKR_DEVICE_ERROR, rv) << " read " << d.size() << " bytes of the private exponent";
    EXPECT_CKR(CKR_DEVICE_ERROR, attribute(s, rsa_.priv, CKA_PRIME_1).first);
    CK_MECHANISM raw{CKM_RSA_X_509, nullptr, 0};
    EXPECT_CKR(CKR_DEVICE_ERROR, p11()->C_SignInit(s, &raw, rsa_.priv));
    CK_MECHANISM allowed{CKM_SHA256_RSA_PKCS, nullptr, 0};
    EXPECT_CKR(CKR_DEVICE_ERROR, p11()->C_SignInit(s, &allowed, rsa_.priv));
    EXPECT_FALSE(support::sign(s, {CKM_ECDSA_SHA256, nullptr, 0}, ec_.priv, support::pattern(32)).empty());
  }

  CK_SLOT_ID slot_ = 0;
  support::KeyPair rsa_, ec_;
};

class TamperBothSchemas : public TamperTest, public ::testing::WithParamInterface<bool> {
 protected:
  void SetUp() override {
    TamperTest::SetUp();
    finalize();
    if (GetParam()) make_schema_1();
  }
};

TEST_P(TamperBothSchemas, SensitiveAndExtractableRewrittenInClear) {
  {
    Sql db(file(), true);
    // The published attack: CKA_SENSITIVE FALSE and CKA_EXTRACTABLE TRUE as
    // clear rows of the key, over (schema 1) or beside (schema 2) its sealed form.
    insert_row(db, key_id(), CKA_SENSITIVE, false, bool_value(false));
    insert_row(db, key_id(), CKA_EXTRACTABLE, false, bool_value(true));
  }
  expect_key_refused();
}

// On the file as this module writes it: a schema-1 file tampered with
// before its upgrade cannot be told from a good one when a sealed row was
// dropped or an older one put back (docs/DESIGN.md says so).
TEST_F(TamperTest, AllowedMechanismsDropped) {
  finalize();
  {
    Sql db(file(), true);
    if (has_records(db)) {
      db.exec("UPDATE object SET record = NULL WHERE id = " + std::to_string(key_id()));
    } else {
      db.exec("DELETE FROM attribute WHERE object_id = " + std::to_string(key_id()) +
              " AND type = " + std::to_string(CKA_ALLOWED_MECHANISMS));
    }
  }
  expect_key_refused();
}

TEST_P(TamperBothSchemas, PrivateFlagCleared) {
  {
    Sql db(file(), true);
    db.exec("UPDATE object SET private = 0 WHERE id = " + std::to_string(key_id()));
  }
  expect_key_refused();
}

INSTANTIATE_TEST_SUITE_P(Schema, TamperBothSchemas, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& i) { return i.param ? "One" : "Two"; });

// The owner turned signing off; the stored form from before is put back
// (the key's record, or on a file of the old module its CKA_SIGN row).
TEST_F(TamperTest, AnOlderRecordPutBack) {
  finalize();
  Bytes before;
  bool records = false;
  const std::string sign_row = "SELECT value FROM attribute WHERE object_id = ? AND type = ?";
  {
    Sql db(file(), false);
    records = has_records(db);
    before = records ? db.row("SELECT record FROM object WHERE id = ?", {key_id()}).at(0)
                     : db.row(sign_row, {key_id(), CKA_SIGN}).at(0);
    ASSERT_FALSE(before.empty());
  }
  initialize();
  CK_SESSION_HANDLE s = open_user_session(slot_);
  CK_BBOOL no = CK_FALSE;
  CK_ATTRIBUTE off{CKA_SIGN, &no, sizeof no};
  ASSERT_EQ(p11()->C_SetAttributeValue(s, rsa_.priv, &off, 1), CKR_OK);
  CK_MECHANISM allowed{CKM_SHA256_RSA_PKCS, nullptr, 0};
  ASSERT_EQ(p11()->C_SignInit(s, &allowed, rsa_.priv), CKR_KEY_FUNCTION_NOT_PERMITTED);
  finalize();
  {
    Sql db(file(), true);
    if (records)
      db.set_blob("UPDATE object SET record = ? WHERE id = ?", before, {key_id()});
    else
      db.set_blob("UPDATE attribute SET value = ? WHERE object_id = ? AND type = ?", before, {key_id(), CKA_SIGN});
  }
  expect_key_refused();
}

// A key planted in clear by the writer of the file, whose value they know,
// must never be used: a key is only ever stored sealed.
TEST_F(TamperTest, AKeyPlantedInClear) {
  finalize();
  std::int64_t id = 0;
  {
    Sql db(file(), true);
    db.exec("INSERT INTO object(private) VALUES (0)");
    id = db.integer("SELECT max(id) FROM object");
    insert_row(db, id, CKA_CLASS, false, ulong_value(CKO_SECRET_KEY));
    insert_row(db, id, CKA_KEY_TYPE, false, ulong_value(CKK_GENERIC_SECRET));
    insert_row(db, id, CKA_TOKEN, false, bool_value(true));
    insert_row(db, id, CKA_PRIVATE, false, bool_value(false));
    insert_row(db, id, CKA_VALUE, false, support::pattern(32));
    insert_row(db, id, CKA_LABEL, false, support::bytes_of("planted"));
  }
  initialize();
  CK_SESSION_HANDLE s = open_user_session(slot_);
  auto [rv, value] = attribute(s, static_cast<CK_OBJECT_HANDLE>(id), CKA_LABEL);
  EXPECT_CKR(CKR_DEVICE_ERROR, rv);
  Template by_label;
  by_label.str(CKA_LABEL, "planted");
  EXPECT_TRUE(support::find(s, by_label).empty());
}

// A schema-1 token keeps its keys: sealed whole at the first login.
TEST_F(TamperTest, ASchema1TokenIsUpgradedAtLogin) {
  Bytes modulus;
  {
    CK_SESSION_HANDLE s = open_user_session(slot_);
    modulus = support::attr_bytes(s, rsa_.priv, CKA_MODULUS);
  }
  finalize();
  make_schema_1();
  initialize();
  CK_SESSION_HANDLE s = open_user_session(slot_);
  EXPECT_EQ(support::attr_bytes(s, rsa_.priv, CKA_MODULUS), modulus);
  EXPECT_FALSE(support::sign(s, {CKM_SHA256_RSA_PKCS, nullptr, 0}, rsa_.priv, support::pattern(32)).empty());
  EXPECT_FALSE(support::sign(s, {CKM_ECDSA_SHA256, nullptr, 0}, ec_.priv, support::pattern(32)).empty());
  finalize();
  {
    Sql db(file(), false);
    EXPECT_EQ(db.integer("PRAGMA user_version"), store::kSchemaVersion);
    EXPECT_EQ(db.integer("SELECT count(*) FROM attribute WHERE object_id = ?", {key_id()}), 0);
    EXPECT_EQ(db.integer("SELECT count(*) FROM object WHERE private = 1 AND record IS NULL"), 0);
  }
  initialize();
}

}  // namespace
}  // namespace ecert::test
