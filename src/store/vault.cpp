// The Vault's sealing: which associated data goes with which value, and the
// master key's life in memory. The formats themselves are in sealing.cpp.
#include "store/vault.h"

#include <openssl/evp.h>

#include "common/error.h"
#include "crypto/algorithms.h"
#include "crypto/library_context.h"
#include "store/sealing.h"

namespace ecert::store {
namespace {
constexpr const char* kHistoryName = "user-pin-history";
constexpr const char* kManifestName = "object-manifest";

Bytes random_bytes(std::size_t n) {
  Bytes out(n);
  crypto::random_bytes(out.data(), n);
  return out;
}
}  // namespace

void Vault::bind(const TokenRecord& token) {
  if (token.uuid != token_.uuid) forget();
  token_ = token;
}

SecureBytes Vault::new_master_key() {
  SecureBytes key(kMasterKeySize);
  crypto::random_bytes(key.data(), key.size());
  return key;
}

void Vault::forget() noexcept {
  secure_wipe(master_key_.data(), master_key_.size());
  master_key_.clear();
}

ByteView Vault::master_key() const {
  require(unlocked(), CKR_USER_NOT_LOGGED_IN, "sealing needs the master key");
  return view(master_key_);
}

PinRecord Vault::wrap_pin(CK_USER_TYPE who, ByteView pin, ByteView master_key, bool must_change) const {
  PinRecord rec;
  rec.initialized = true;
  rec.salt = random_bytes(kSaltSize);
  rec.wrapped_key =
      wrap_master_key(master_key, pin, view(rec.salt), token_.kdf, aad_master_key(view(token_.uuid), who));
  rec.must_change = must_change;
  return rec;
}

std::optional<SecureBytes> Vault::unwrap_pin(CK_USER_TYPE who, ByteView pin, const PinRecord& record) const {
  return unwrap_master_key(view(record.wrapped_key), pin, view(record.salt), token_.kdf,
                           aad_master_key(view(token_.uuid), who));
}

Bytes Vault::seal_history(ByteView encoded, ByteView master_key) const {
  return seal(master_key, aad_secret(view(token_.uuid), kHistoryName), encoded);
}

std::optional<SecureBytes> Vault::unseal_history(ByteView sealed, ByteView master_key) const {
  return unseal(master_key, aad_secret(view(token_.uuid), kHistoryName), sealed);
}

Bytes Vault::seal_object(std::int64_t object_id, const AttributeMap& attrs) const {
  return seal(master_key(), aad_object(view(token_.uuid), object_id), view(encode_object_record(attrs)));
}

std::optional<AttributeMap> Vault::unseal_object(std::int64_t object_id, ByteView record) const {
  if (!unlocked()) return std::nullopt;
  auto plain = unseal(view(master_key_), aad_object(view(token_.uuid), object_id), record);
  if (!plain) return std::nullopt;
  return decode_object_record(view(*plain));
}

Bytes Vault::record_digest(ByteView record) {
  Bytes digest(kRecordDigestSize);
  unsigned int length = 0;
  bool ok =
      EVP_Digest(record.data(), record.size(), digest.data(), &length, crypto::md(crypto::Hash::sha256), nullptr) == 1;
  require(ok && length == kRecordDigestSize, CKR_FUNCTION_FAILED, "SHA-256");
  return digest;
}

Bytes Vault::seal_manifest(const ObjectManifest& manifest) const {
  return seal(master_key(), aad_secret(view(token_.uuid), kManifestName), view(encode_manifest(manifest)));
}

std::optional<ObjectManifest> Vault::unseal_manifest(ByteView sealed) const {
  if (!unlocked()) return std::nullopt;
  auto plain = unseal(view(master_key_), aad_secret(view(token_.uuid), kManifestName), sealed);
  if (!plain) return std::nullopt;
  return decode_manifest(view(*plain));
}

std::optional<SecureBytes> Vault::unseal_legacy_attribute(std::int64_t object_id, CK_ATTRIBUTE_TYPE type,
                                                          ByteView sealed) const {
  if (!unlocked()) return std::nullopt;
  return unseal(view(master_key_), aad_attribute(view(token_.uuid), object_id, type), sealed);
}

}  // namespace ecert::store
