// TokenStore: one token's SQLite file. It stores and reads records; it knows
// the schema but not the PKCS#11 rules, and holds no key: values arrive sealed
// by the Vault (vault.h), and the token layer decides what to seal.
//
// Schema (version kSchemaVersion, in PRAGMA user_version; PRAGMA
// application_id marks the file as ours):
//   token(id=1, uuid, serial, label, generation, kdf_memory_kib, kdf_iterations)
//   pin(user: CKU_SO|CKU_USER, salt, wrapped_key, failures, must_change)
//   policy(name, value)          -- the PIN policy, integers
//   secret(name, sealed)         -- sealed blobs: user PIN history, object manifest
//   object(id AUTOINCREMENT, private, record)
//                                -- private=1: the whole object sealed in record
//   attribute(object_id, type, sealed, value)
//                                -- public objects' attributes, in clear
// Schema 1 had no record: private objects' attributes were sealed one by one
// (sealed=1). Such a file is upgraded when opened, its private objects at the
// first user login (upgrade_private_objects).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/attribute_map.h"
#include "common/bytes.h"
#include "ecert/pkcs11.h"
#include "store/object_record.h"
#include "store/pin_kdf.h"

namespace ecert::store {

class Database;
class Vault;

inline constexpr std::int64_t kSchemaVersion = 2;
inline constexpr std::int64_t kApplicationId = 0x45435454;  // "ECTT"

struct TokenRecord {
  Bytes uuid;                   // 16 random bytes, bound into every sealed value
  std::string serial;           // 16 hex digits, CK_TOKEN_INFO.serialNumber
  std::string label;            // UTF-8, not padded
  std::int64_t generation = 1;  // bumped when the token is re-initialised
  KdfCost kdf{};
};

struct PinRecord {
  bool initialized = false;
  Bytes salt;
  Bytes wrapped_key;
  std::uint32_t failures = 0;
  bool must_change = false;
};

// One object as read from the file.
struct LoadedObject {
  std::int64_t id = 0;
  bool is_private = false;  // stored sealed: only a user login shows it
  AttributeMap attributes;  // empty when corrupt
  // Failed authentication (altered, moved, rolled back, a row added or
  // dropped): the token answers CKR_DEVICE_ERROR for this object only.
  bool corrupt = false;
};

using PolicyValues = std::map<std::string, std::int64_t>;

// Every method that writes is one transaction (BEGIN IMMEDIATE ... COMMIT):
// another process never sees half of it, and a crash never leaves half of it.
// Those that take `token_uuid` first check, inside that transaction, that
// the file still holds that token: a process that has not yet seen a
// re-initialisation by another must not write into the new token
// (CKR_SESSION_HANDLE_INVALID).
class TokenStore {
 public:
  // Creates a new token file at `path` (which must not exist) holding `token`,
  // the SO PIN record and the policy, all in one transaction.
  static std::unique_ptr<TokenStore> create(const std::string& path, const TokenRecord& token, const PinRecord& so_pin,
                                            const PolicyValues& policy);
  // Opens an existing token file. CKR_TOKEN_NOT_RECOGNIZED for a file that is
  // not an ecert-token database or whose schema is newer than this module's
  // (such a file is never written to).
  static std::unique_ptr<TokenStore> open(const std::string& path);
  ~TokenStore();
  TokenStore(const TokenStore&) = delete;
  TokenStore& operator=(const TokenStore&) = delete;

  const std::string& path() const { return path_; }

  // Replaces everything in the file by a fresh token (C_InitToken on an
  // existing token): objects, PINs, secrets and policy; bumps the generation.
  void reinitialize(const TokenRecord& token, const PinRecord& so_pin, const PolicyValues& policy);

  TokenRecord read_token();
  PinRecord read_pin(CK_USER_TYPE who);

  // Counts one PIN try before the PIN is checked, in its own committed
  // transaction: returns the failure count after counting, or nullopt when
  // the count had already reached `max_failures` (locked: nothing counted).
  std::optional<std::uint32_t> count_try(CK_USER_TYPE who, std::uint32_t max_failures);
  // The PIN was right: its count back to 0.
  void reset_failures(CK_USER_TYPE who);
  // Stores a new PIN record for `who` and, when given, the sealed user PIN
  // history with it.
  void replace_pin(CK_USER_TYPE who, const PinRecord& pin, const std::optional<Bytes>& sealed_history);
  // The sealed user PIN history, if one was stored.
  std::optional<Bytes> read_pin_history();

  PolicyValues read_policy();
  // The policy and, when given, a new label (the label only: uuid, serial and
  // generation stay, so sealed values and open sessions are unaffected).
  void write_policy(ByteView token_uuid, const PolicyValues& policy, const std::optional<std::string>& label);

  // Changes whenever another connection commits (see Database::data_version).
  std::int64_t data_version();
  // Forgets the connection without closing it (in a child after fork()).
  void abandon() noexcept;

  // ---- objects (token_store_objects.cpp) ----
  // Public objects are stored attribute by attribute in clear; a private
  // object (`is_private`: the token layer decides which, keys always) is
  // one record sealed by `vault`, named with its digest in the sealed object
  // manifest. Writing a private object needs the vault's master key.

  // The public objects and, when `vault` holds the master key, the private
  // ones (`only_private`: only those, which is all a login adds).
  std::vector<LoadedObject> read_objects(const Vault* vault, bool only_private = false);
  // Adds an object: reserves its id, then stores what `attributes(id)`
  // returns (so a value can name the id). Returns the id.
  std::int64_t add_object(const Vault& vault, bool is_private,
                          const std::function<AttributeMap(std::int64_t id)>& attributes);
  // Replaces all attributes of an object; false if it no longer exists.
  bool rewrite_object(const Vault& vault, std::int64_t id, bool is_private, const AttributeMap& attributes);
  // False if it did not exist.
  bool delete_object(const Vault& vault, std::int64_t id);
  // Seals whole, once, the private objects a schema-1 module stored
  // attribute by attribute (an object with any value in clear stays as it
  // is, and is then read as corrupt). Called at user login; does nothing on
  // a file that has an object manifest.
  void upgrade_private_objects(const Vault& vault);

 private:
  TokenStore(std::string path, std::unique_ptr<Database> db);
  void write_token(const TokenRecord& token);
  void write_pin(CK_USER_TYPE who, const PinRecord& pin);
  void write_policy_values(const PolicyValues& policy);
  void write_object(const Vault& vault, std::int64_t id, bool is_private, const AttributeMap& attributes);
  void write_manifest(const Vault& vault, const ObjectManifest& manifest);
  // Absent: empty. nullopt: present but failing authentication.
  std::optional<ObjectManifest> read_manifest(const Vault& vault);
  void upgrade_schema_1();
  void check_token(ByteView token_uuid);
  std::string path_;
  std::unique_ptr<Database> db_;
};

}  // namespace ecert::store
