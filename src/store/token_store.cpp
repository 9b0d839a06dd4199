// TokenStore's file and its token, pin, policy and PIN-history rows: a new
// token file built whole under a temporary name and linked into place, an
// existing one opened only if it is ours and of a known schema (WAL switched
// on only then, a schema-1 file upgraded), and the try counter committed
// before a PIN is checked. The object tables are in token_store_objects.cpp.
#include "store/token_store.h"

#include <unistd.h>

#include <string>

#include "common/error.h"
#include "store/database.h"

namespace ecert::store {
namespace {

constexpr const char* kHistoryName = "user-pin-history";

const char* const kSchema = R"sql(
CREATE TABLE token(
  id INTEGER PRIMARY KEY CHECK (id = 1),
  uuid BLOB NOT NULL, serial TEXT NOT NULL, label BLOB NOT NULL,
  generation INTEGER NOT NULL, kdf_memory_kib INTEGER NOT NULL, kdf_iterations INTEGER NOT NULL);
CREATE TABLE pin(
  user INTEGER PRIMARY KEY, salt BLOB NOT NULL, wrapped_key BLOB NOT NULL,
  failures INTEGER NOT NULL DEFAULT 0, must_change INTEGER NOT NULL DEFAULT 0);
CREATE TABLE policy(name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE secret(name TEXT PRIMARY KEY, sealed BLOB NOT NULL);
CREATE TABLE object(id INTEGER PRIMARY KEY AUTOINCREMENT, private INTEGER NOT NULL, record BLOB);
CREATE INDEX object_private ON object(private);
CREATE TABLE attribute(
  object_id INTEGER NOT NULL REFERENCES object(id) ON DELETE CASCADE,
  type INTEGER NOT NULL, sealed INTEGER NOT NULL, value BLOB NOT NULL,
  PRIMARY KEY (object_id, type)) WITHOUT ROWID;
)sql";

std::int64_t pragma_int(Database& db, const char* sql) {
  Statement s = db.prepare(sql);
  if (!s.step()) fail(CKR_TOKEN_NOT_RECOGNIZED, "pragma");
  return s.column_int(0);
}

}  // namespace

TokenStore::TokenStore(std::string path, std::unique_ptr<Database> db) : path_(std::move(path)), db_(std::move(db)) {}
TokenStore::~TokenStore() = default;

std::int64_t TokenStore::data_version() { return db_->data_version(); }

void TokenStore::abandon() noexcept { db_->abandon(); }

void TokenStore::check_token(ByteView token_uuid) {
  Statement s = db_->prepare("SELECT uuid FROM token WHERE id = 1");
  bool same = s.step() && s.column_blob(0) == Bytes(token_uuid.begin(), token_uuid.end());
  s.run();
  if (!same) fail(CKR_SESSION_HANDLE_INVALID, "token re-initialised");
}

std::unique_ptr<TokenStore> TokenStore::create(const std::string& path, const TokenRecord& token,
                                               const PinRecord& so_pin, const PolicyValues& policy) {
  // Built complete under a temporary name, then linked into place: a process
  // killed half-way leaves no half-made token-N.sqlite behind (which would
  // make that slot unusable), and link() refuses to replace a token another
  // process made at the same moment.
  std::string temporary = path + ".creating-" + std::to_string(::getpid());
  ::unlink(temporary.c_str());
  {
    std::unique_ptr<TokenStore> store(new TokenStore(temporary, Database::open(temporary, true)));
    Database& db = *store->db_;
    Transaction tx(db);
    db.exec(kSchema);
    db.exec(("PRAGMA application_id=" + std::to_string(kApplicationId)).c_str());
    db.exec(("PRAGMA user_version=" + std::to_string(kSchemaVersion)).c_str());
    store->write_token(token);
    store->write_pin(CKU_SO, so_pin);
    store->write_policy_values(policy);
    tx.commit();
  }
  int linked = ::link(temporary.c_str(), path.c_str());
  ::unlink(temporary.c_str());
  if (linked != 0) fail(CKR_DEVICE_ERROR, "token file exists or cannot be linked");
  return open(path);
}

std::unique_ptr<TokenStore> TokenStore::open(const std::string& path) {
  std::unique_ptr<TokenStore> store(new TokenStore(path, Database::open(path, false)));
  Database& db = *store->db_;
  if (pragma_int(db, "PRAGMA application_id") != kApplicationId) fail(CKR_TOKEN_NOT_RECOGNIZED, "foreign db");
  std::int64_t version = pragma_int(db, "PRAGMA user_version");
  if (version != kSchemaVersion && version != 1) fail(CKR_TOKEN_NOT_RECOGNIZED, "schema version");
  store->read_token();                 // a file without its token row is not a token
  db.exec("PRAGMA journal_mode=WAL");  // only now: see Database::open
  if (version == 1) store->upgrade_schema_1();
  return store;
}

void TokenStore::upgrade_schema_1() {
  Transaction tx(*db_);
  // Another process may have upgraded it since we looked.
  if (pragma_int(*db_, "PRAGMA user_version") != 1) return;
  db_->exec("ALTER TABLE object ADD COLUMN record BLOB");
  db_->exec(("PRAGMA user_version=" + std::to_string(kSchemaVersion)).c_str());
  tx.commit();
}

void TokenStore::write_token(const TokenRecord& t) {
  db_->prepare(
         "INSERT OR REPLACE INTO token(id, uuid, serial, label, generation, kdf_memory_kib, kdf_iterations) "
         "VALUES (1, ?, ?, ?, ?, ?, ?)")
      .bind(1, view(t.uuid))
      .bind_text(2, t.serial)
      .bind(3, view(t.label))
      .bind(4, t.generation)
      .bind(5, t.kdf.memory_kib)
      .bind(6, t.kdf.iterations)
      .run();
}

void TokenStore::reinitialize(const TokenRecord& token, const PinRecord& so_pin, const PolicyValues& policy) {
  Transaction tx(*db_);
  db_->exec("DELETE FROM attribute; DELETE FROM object; DELETE FROM pin; DELETE FROM secret; DELETE FROM policy;");
  write_token(token);
  write_pin(CKU_SO, so_pin);
  write_policy_values(policy);
  tx.commit();
}

TokenRecord TokenStore::read_token() {
  Statement s =
      db_->prepare("SELECT uuid, serial, label, generation, kdf_memory_kib, kdf_iterations FROM token WHERE id = 1");
  if (!s.step()) fail(CKR_TOKEN_NOT_RECOGNIZED, "no token row");
  TokenRecord t;
  t.uuid = s.column_blob(0);
  t.serial = s.column_text(1);
  Bytes label = s.column_blob(2);
  t.label.assign(label.begin(), label.end());
  t.generation = s.column_int(3);
  t.kdf.memory_kib = static_cast<std::uint32_t>(s.column_int(4));
  t.kdf.iterations = static_cast<std::uint32_t>(s.column_int(5));
  s.run();
  if (t.uuid.size() != 16 || !kdf_cost_acceptable(t.kdf)) fail(CKR_TOKEN_NOT_RECOGNIZED, "bad token row");
  return t;
}

PinRecord TokenStore::read_pin(CK_USER_TYPE who) {
  Statement s = db_->prepare("SELECT salt, wrapped_key, failures, must_change FROM pin WHERE user = ?");
  s.bind(1, static_cast<std::int64_t>(who));
  PinRecord p;
  if (s.step()) {
    p.initialized = true;
    p.salt = s.column_blob(0);
    p.wrapped_key = s.column_blob(1);
    p.failures = static_cast<std::uint32_t>(s.column_int(2));
    p.must_change = s.column_int(3) != 0;
    s.run();
  }
  return p;
}

void TokenStore::write_pin(CK_USER_TYPE who, const PinRecord& p) {
  db_->prepare("INSERT OR REPLACE INTO pin(user, salt, wrapped_key, failures, must_change) VALUES (?, ?, ?, ?, ?)")
      .bind(1, static_cast<std::int64_t>(who))
      .bind(2, view(p.salt))
      .bind(3, view(p.wrapped_key))
      .bind(4, p.failures)
      .bind(5, p.must_change ? 1 : 0)
      .run();
}

std::optional<std::uint32_t> TokenStore::count_try(CK_USER_TYPE who, std::uint32_t max_failures) {
  Transaction tx(*db_);
  Statement s = db_->prepare("SELECT failures FROM pin WHERE user = ?");
  s.bind(1, static_cast<std::int64_t>(who));
  if (!s.step()) fail(CKR_USER_PIN_NOT_INITIALIZED, "no pin");
  auto failures = static_cast<std::uint32_t>(s.column_int(0));
  s.run();
  if (failures >= max_failures) return std::nullopt;
  ++failures;
  db_->prepare("UPDATE pin SET failures = ? WHERE user = ?")
      .bind(1, failures)
      .bind(2, static_cast<std::int64_t>(who))
      .run();
  tx.commit();
  return failures;
}

void TokenStore::reset_failures(CK_USER_TYPE who) {
  db_->prepare("UPDATE pin SET failures = 0 WHERE user = ?").bind(1, static_cast<std::int64_t>(who)).run();
}

void TokenStore::replace_pin(CK_USER_TYPE who, const PinRecord& pin, const std::optional<Bytes>& sealed_history) {
  Transaction tx(*db_);
  write_pin(who, pin);
  if (sealed_history) {
    db_->prepare("INSERT OR REPLACE INTO secret(name, sealed) VALUES (?, ?)")
        .bind_text(1, kHistoryName)
        .bind(2, view(*sealed_history))
        .run();
  }
  tx.commit();
}

std::optional<Bytes> TokenStore::read_pin_history() {
  Statement s = db_->prepare("SELECT sealed FROM secret WHERE name = ?");
  s.bind_text(1, kHistoryName);
  if (!s.step()) return std::nullopt;
  Bytes out = s.column_blob(0);
  s.run();
  return out;
}

PolicyValues TokenStore::read_policy() {
  PolicyValues out;
  Statement s = db_->prepare("SELECT name, value FROM policy");
  while (s.step()) out[s.column_text(0)] = s.column_int(1);
  return out;
}

void TokenStore::write_policy_values(const PolicyValues& policy) {
  for (const auto& [name, value] : policy) {
    db_->prepare("INSERT OR REPLACE INTO policy(name, value) VALUES (?, ?)").bind_text(1, name).bind(2, value).run();
  }
}

void TokenStore::write_policy(ByteView token_uuid, const PolicyValues& policy,
                              const std::optional<std::string>& label) {
  Transaction tx(*db_);
  check_token(token_uuid);
  write_policy_values(policy);
  if (label) {
    db_->prepare("UPDATE token SET label = ? WHERE id = 1").bind(1, view(*label)).run();
    if (sqlite3_changes(db_->handle()) != 1) fail(CKR_DEVICE_ERROR, "no token row");
  }
  tx.commit();
}

}  // namespace ecert::store
