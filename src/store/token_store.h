// TokenStore: one token's SQLite file. It stores and reads records; it knows
// the schema but not the PKCS#11 rules, and holds no key: values arrive sealed
// where they must be (see sealing.h), and the token layer decides what to seal.
//
// Schema (version kSchemaVersion, in PRAGMA user_version; PRAGMA
// application_id marks the file as ours):
//   token(id=1, uuid, serial, label, generation, kdf_memory_kib, kdf_iterations)
//   pin(user: CKU_SO|CKU_USER, salt, wrapped_key, failures, must_change)
//   policy(name, value)          -- the PIN policy, integers
//   secret(name, sealed)         -- sealed blobs, e.g. the user PIN history
//   object(id AUTOINCREMENT, private)
//   attribute(object_id, type, sealed, value)  -- value sealed iff sealed=1
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "ecert/pkcs11.h"
#include "store/database.h"
#include "store/pin_kdf.h"

namespace ecert::store {

inline constexpr std::int64_t kSchemaVersion = 1;
inline constexpr std::int64_t kApplicationId = 0x45435454;  // "ECTT"

struct TokenRecord {
  Bytes uuid;           // 16 random bytes, bound into every sealed value
  std::string serial;   // 16 hex digits, CK_TOKEN_INFO.serialNumber
  std::string label;    // UTF-8, not padded
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

struct StoredAttribute {
  CK_ATTRIBUTE_TYPE type;
  bool sealed;
  Bytes value;
};

struct StoredObject {
  std::int64_t id;
  bool is_private;
  std::vector<StoredAttribute> attributes;
};

using PolicyValues = std::map<std::string, std::int64_t>;

class TokenStore {
 public:
  // Creates a new token file at `path` (which must not exist) holding `token`,
  // the SO PIN record and the policy, all in one transaction.
  static std::unique_ptr<TokenStore> create(const std::string& path, const TokenRecord& token,
                                            const PinRecord& so_pin, const PolicyValues& policy);
  // Opens an existing token file. CKR_TOKEN_NOT_RECOGNIZED for a file that is
  // not an ecert-token database or whose schema is newer than this module's
  // (such a file is never written to).
  static std::unique_ptr<TokenStore> open(const std::string& path);

  Database& db() { return *db_; }
  const std::string& path() const { return path_; }

  // Replaces everything in the file by a fresh token (C_InitToken on an
  // existing token): objects, PINs, secrets and policy; bumps the generation.
  void reinitialize(const TokenRecord& token, const PinRecord& so_pin, const PolicyValues& policy);

  TokenRecord read_token();
  // Renames the token (the label only: uuid, serial and generation stay, so
  // sealed values and open sessions are unaffected). One statement, hence
  // atomic on its own; inside a caller's Transaction it commits with the rest.
  void write_label(const std::string& label);
  PinRecord read_pin(CK_USER_TYPE who);
  void write_pin(CK_USER_TYPE who, const PinRecord& pin);

  // Counts one PIN try before the PIN is checked, in its own committed
  // transaction: returns the failure count after counting, or nullopt when
  // the count had already reached `max_failures` (locked: nothing counted).
  std::optional<std::uint32_t> count_try(CK_USER_TYPE who, std::uint32_t max_failures);
  void reset_failures(CK_USER_TYPE who);

  PolicyValues read_policy();
  void write_policy(const PolicyValues& policy);

  std::optional<Bytes> read_secret(const std::string& name);
  void write_secret(const std::string& name, ByteView sealed);

  // Every object, or (`sealed_only`) only those stored as private (private
  // objects and keys: all that holds sealed values), which is all a login
  // has to add to what is in memory.
  std::vector<StoredObject> read_objects(bool sealed_only = false);
  // Reserves an object id (so the caller can seal attributes bound to it);
  // call inside a Transaction together with write_attributes.
  std::int64_t insert_object(bool is_private);
  void write_attributes(std::int64_t id, const std::vector<StoredAttribute>& attributes);
  // Replaces all attributes of an object; false if it no longer exists.
  bool replace_attributes(std::int64_t id, bool is_private, const std::vector<StoredAttribute>& attributes);
  // False if it did not exist.
  bool delete_object(std::int64_t id);

  std::int64_t data_version() { return db_->data_version(); }

 private:
  TokenStore(std::string path, std::unique_ptr<Database> db) : path_(std::move(path)), db_(std::move(db)) {}
  void write_token(const TokenRecord& token);
  std::string path_;
  std::unique_ptr<Database> db_;
};

}  // namespace ecert::store
