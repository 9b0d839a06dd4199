// Vault: the one owner of a token's key hierarchy (docs/DESIGN.md, "Key
// hierarchy and encryption at rest"). It holds the unwrapped master key while
// someone is logged in, composes the associated data of every sealed value,
// seals and unseals, and wraps the master key under each PIN. Nothing else in
// the module builds an associated data or calls seal()/unseal(): the token
// layer says *what* to seal (an attribute of object N, the PIN history), the
// vault decides *how*.
//
//   PIN --Argon2id(salt, token cost)--> PIN key --wraps--> master key (random)
//   master key --seals--> private objects and keys (whole), the object
//                         manifest, the PIN history
//
// Not thread-safe on its own: the Token that owns it is used under its lock.
#pragma once

#include <cstdint>
#include <optional>

#include "common/attribute_map.h"
#include "common/bytes.h"
#include "ecert/pkcs11.h"
#include "store/object_record.h"
#include "store/token_store.h"

namespace ecert::store {

class Vault {
 public:
  Vault() = default;
  ~Vault() { forget(); }
  Vault(const Vault&) = delete;
  Vault& operator=(const Vault&) = delete;

  // The token whose values this vault seals (its uuid goes into every
  // associated data, its cost into every PIN derivation). Forgets a held key
  // when the token changed (re-initialised).
  void bind(const TokenRecord& token);
  const TokenRecord& token() const { return token_; }

  // A fresh random master key, for a token being made.
  static SecureBytes new_master_key();

  // ---- the master key while someone is logged in ----
  bool unlocked() const { return !master_key_.empty(); }
  void hold(SecureBytes master_key) { master_key_ = std::move(master_key); }
  // Wipes the held key.
  void forget() noexcept;
  // The held key; throws CKR_USER_NOT_LOGGED_IN when there is none.
  ByteView master_key() const;

  // ---- PINs ----
  // The PIN record of `who`: `master_key` wrapped under `pin` with a fresh
  // salt and the token's cost; failures 0.
  PinRecord wrap_pin(CK_USER_TYPE who, ByteView pin, ByteView master_key, bool must_change) const;
  // The master key from `record` with `pin`; nullopt for a wrong PIN (or a
  // tampered record: GCM's tag check is the PIN check).
  std::optional<SecureBytes> unwrap_pin(CK_USER_TYPE who, ByteView pin, const PinRecord& record) const;

  // ---- the user PIN history, sealed under the master key ----
  // The history's encoding is the PIN policy's business; the vault seals it.
  Bytes seal_history(ByteView encoded, ByteView master_key) const;
  // nullopt when it fails authentication.
  std::optional<SecureBytes> unseal_history(ByteView sealed, ByteView master_key) const;

  // ---- objects, under the held master key ----
  // A private object or key is sealed whole: one record over all its
  // attributes, bound to its id, so no attribute can be changed, dropped,
  // added or swapped alone (docs/DESIGN.md, "What a writer of the file can
  // do"). Throws CKR_USER_NOT_LOGGED_IN when no key is held.
  Bytes seal_object(std::int64_t object_id, const AttributeMap& attrs) const;
  // nullopt when the record fails authentication (moved, altered) or does
  // not decode, or when no key is held.
  std::optional<AttributeMap> unseal_object(std::int64_t object_id, ByteView record) const;
  // What the manifest keeps of a record: its SHA-256.
  static Bytes record_digest(ByteView record);
  // The manifest names the one record each private object may have now, so
  // an older record of the same object put back is refused too.
  Bytes seal_manifest(const ObjectManifest& manifest) const;
  std::optional<ObjectManifest> unseal_manifest(ByteView sealed) const;

  // One attribute as schema 1 sealed it; only read, to upgrade such objects.
  std::optional<SecureBytes> unseal_legacy_attribute(std::int64_t object_id, CK_ATTRIBUTE_TYPE type,
                                                     ByteView sealed) const;

 private:
  TokenRecord token_;
  SecureBytes master_key_;
};

}  // namespace ecert::store
