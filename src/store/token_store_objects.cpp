// TokenStore: the object tables. Public objects are rows of clear values;
// a private object or key is one record sealed whole by the Vault, and the
// sealed object manifest names the record each must have, so that someone
// who can write the file can neither change, add, drop nor swap a single
// attribute of one, nor put back an older record of it (docs/DESIGN.md,
// "What a writer of the file can do").
#include <string>

#include "common/error.h"
#include "store/database.h"
#include "store/token_store.h"
#include "store/vault.h"

namespace ecert::store {
namespace {

constexpr const char* kManifestName = "object-manifest";

struct Row {
  CK_ATTRIBUTE_TYPE type;
  bool sealed;
  Bytes value;
};

struct RawObject {
  std::int64_t id;
  bool is_private;
  std::optional<Bytes> record;
  std::vector<Row> rows;
};

// Both SELECTs of a read in one read transaction (a savepoint also nests in
// a caller's transaction): otherwise an object another process deletes
// between them is read as an object without attributes.
class ReadSnapshot {
 public:
  explicit ReadSnapshot(Database& db) : db_(db) { db_.exec("SAVEPOINT read_objects"); }
  ~ReadSnapshot() { sqlite3_exec(db_.handle(), "RELEASE read_objects", nullptr, nullptr, nullptr); }
  ReadSnapshot(const ReadSnapshot&) = delete;
  ReadSnapshot& operator=(const ReadSnapshot&) = delete;

 private:
  Database& db_;
};

// `where` filters the object table (a fixed string, never input).
std::vector<RawObject> read_raw(Database& db, const std::string& where) {
  ReadSnapshot snapshot(db);
  std::vector<RawObject> out;
  Statement objects = db.prepare(("SELECT id, private, record FROM object" + where + " ORDER BY id").c_str());
  while (objects.step()) {
    RawObject o{objects.column_int(0), objects.column_int(1) != 0, std::nullopt, {}};
    if (!objects.column_is_null(2)) o.record = objects.column_blob(2);
    out.push_back(std::move(o));
  }
  std::string sql = "SELECT object_id, type, sealed, value FROM attribute";
  if (!where.empty()) sql += " WHERE object_id IN (SELECT id FROM object" + where + ")";
  sql += " ORDER BY object_id";
  Statement attrs = db.prepare(sql.c_str());
  std::size_t i = 0;
  while (attrs.step()) {
    std::int64_t id = attrs.column_int(0);
    while (i < out.size() && out[i].id < id) ++i;
    if (i == out.size() || out[i].id != id) continue;  // orphan row: belongs to nothing
    out[i].rows.push_back(
        Row{static_cast<CK_ATTRIBUTE_TYPE>(attrs.column_int(1)), attrs.column_int(2) != 0, attrs.column_blob(3)});
  }
  return out;
}

// A public object is nothing but clear rows; a record or a sealed value on
// one means the file was tampered with (or a private object's flag flipped).
LoadedObject load_public(const RawObject& raw) {
  LoadedObject out{raw.id, false, {}, false};
  out.corrupt = raw.record.has_value();
  for (const Row& r : raw.rows) {
    if (r.sealed) out.corrupt = true;
    out.attributes.set(r.type, view(r.value));
  }
  if (out.corrupt) out.attributes = AttributeMap{};
  return out;
}

LoadedObject load_private(const RawObject& raw, const Vault& vault, const std::optional<ObjectManifest>& manifest) {
  LoadedObject out{raw.id, true, {}, true};
  if (!raw.record || !raw.rows.empty() || !manifest) return out;
  auto entry = manifest->find(raw.id);
  if (entry == manifest->end() || entry->second != Vault::record_digest(view(*raw.record))) return out;
  auto attrs = vault.unseal_object(raw.id, view(*raw.record));
  if (!attrs) return out;
  out.attributes = std::move(*attrs);
  out.corrupt = false;
  return out;
}

}  // namespace

std::optional<ObjectManifest> TokenStore::read_manifest(const Vault& vault) {
  Statement s = db_->prepare("SELECT sealed FROM secret WHERE name = ?");
  s.bind_text(1, kManifestName);
  if (!s.step()) return ObjectManifest{};
  Bytes sealed = s.column_blob(0);
  s.run();
  return vault.unseal_manifest(view(sealed));
}

void TokenStore::write_manifest(const Vault& vault, const ObjectManifest& manifest) {
  db_->prepare("INSERT OR REPLACE INTO secret(name, sealed) VALUES (?, ?)")
      .bind_text(1, kManifestName)
      .bind(2, view(vault.seal_manifest(manifest)))
      .run();
}

std::vector<LoadedObject> TokenStore::read_objects(const Vault* vault, bool only_private) {
  bool with_private = vault != nullptr && vault->unlocked();
  std::vector<LoadedObject> out;
  if (only_private && !with_private) return out;
  ReadSnapshot snapshot(*db_);  // the manifest and the objects from one moment
  std::vector<RawObject> raw = read_raw(*db_, only_private ? " WHERE private = 1" : "");
  std::optional<ObjectManifest> manifest;
  if (with_private) manifest = read_manifest(*vault);
  for (const RawObject& o : raw) {
    if (!o.is_private)
      out.push_back(load_public(o));
    else if (with_private)
      out.push_back(load_private(o, *vault, manifest));
  }
  return out;
}

// Within the caller's transaction. Writing a private object also re-seals
// the manifest, so it needs the master key; a manifest that fails
// authentication is never overwritten (that would bless whatever was done).
void TokenStore::write_object(const Vault& vault, std::int64_t id, bool is_private, const AttributeMap& attributes) {
  db_->prepare("DELETE FROM attribute WHERE object_id = ?").bind(1, id).run();
  std::optional<ObjectManifest> manifest;
  if (is_private || vault.unlocked()) {
    manifest = read_manifest(vault);
    if (!manifest && is_private) fail(CKR_DEVICE_ERROR, "object manifest failed authentication");
  }
  if (is_private) {
    Bytes record = vault.seal_object(id, attributes);
    manifest->insert_or_assign(id, Vault::record_digest(view(record)));
    db_->prepare("UPDATE object SET private = 1, record = ? WHERE id = ?").bind(1, view(record)).bind(2, id).run();
    write_manifest(vault, *manifest);
    return;
  }
  db_->prepare("UPDATE object SET private = 0, record = NULL WHERE id = ?").bind(1, id).run();
  Statement s = db_->prepare("INSERT INTO attribute(object_id, type, sealed, value) VALUES (?, ?, 0, ?)");
  for (const auto& [type, value] : attributes.values()) {
    s.bind(1, id).bind(2, static_cast<std::int64_t>(type)).bind(3, view(value));
    s.run();
  }
  if (manifest && manifest->erase(id) != 0) write_manifest(vault, *manifest);
}

std::int64_t TokenStore::add_object(const Vault& vault, bool is_private,
                                    const std::function<AttributeMap(std::int64_t)>& attributes) {
  Transaction tx(*db_);
  check_token(view(vault.token().uuid));
  db_->prepare("INSERT INTO object(private) VALUES (?)").bind(1, is_private ? 1 : 0).run();
  std::int64_t id = db_->last_insert_rowid();
  write_object(vault, id, is_private, attributes(id));
  tx.commit();
  return id;
}

bool TokenStore::rewrite_object(const Vault& vault, std::int64_t id, bool is_private, const AttributeMap& attributes) {
  Transaction tx(*db_);
  check_token(view(vault.token().uuid));
  Statement s = db_->prepare("SELECT 1 FROM object WHERE id = ?");
  s.bind(1, id);
  if (!s.step()) return false;
  s.run();
  write_object(vault, id, is_private, attributes);
  tx.commit();
  return true;
}

bool TokenStore::delete_object(const Vault& vault, std::int64_t id) {
  Transaction tx(*db_);
  db_->prepare("DELETE FROM object WHERE id = ?").bind(1, id).run();
  if (sqlite3_changes(db_->handle()) == 0) return false;
  // A stale manifest entry would do no harm (ids are never reused), but
  // the manifest is kept exact when the key is at hand.
  if (vault.unlocked()) {
    std::optional<ObjectManifest> manifest = read_manifest(vault);
    if (manifest && manifest->erase(id) != 0) write_manifest(vault, *manifest);
  }
  tx.commit();
  return true;
}

void TokenStore::upgrade_private_objects(const Vault& vault) {
  if (!vault.unlocked()) return;
  Transaction tx(*db_);
  check_token(view(vault.token().uuid));
  Statement has = db_->prepare("SELECT 1 FROM secret WHERE name = ?");
  has.bind_text(1, kManifestName);
  if (has.step()) return;  // upgraded (or made by this schema) already
  ObjectManifest manifest;
  for (const RawObject& o : read_raw(*db_, " WHERE private = 1 AND record IS NULL")) {
    AttributeMap attrs;
    bool whole = true;
    for (const Row& r : o.rows) {
      auto plain = r.sealed ? vault.unseal_legacy_attribute(o.id, r.type, view(r.value)) : std::nullopt;
      if (!plain) {
        whole = false;
        break;
      }
      attrs.set(r.type, std::move(*plain));
    }
    if (!whole || o.rows.empty()) continue;
    Bytes record = vault.seal_object(o.id, attrs);
    manifest[o.id] = Vault::record_digest(view(record));
    db_->prepare("UPDATE object SET record = ? WHERE id = ?").bind(1, view(record)).bind(2, o.id).run();
    db_->prepare("DELETE FROM attribute WHERE object_id = ?").bind(1, o.id).run();
  }
  write_manifest(vault, manifest);
  tx.commit();
}

}  // namespace ecert::store
