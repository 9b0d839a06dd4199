// The byte formats of sealing: the associated data of each kind of sealed
// value ("ecert-token", the format version, then the kind, token uuid and ids
// as length-prefixed or fixed-width fields, so no two places give the same
// bytes), sealing through crypto::aead, and the master key wrapped under a key
// derived from a PIN. Which value gets which associated data is the Vault's
// business.
#include "store/sealing.h"

#include <cstring>

#include "crypto/aead.h"

namespace ecert::store {
namespace {

// Fixed-width little-endian fields after a tag string, so no two different
// (kind, ids) tuples can produce the same bytes.
void append_u64(Bytes& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

Bytes aad_prefix(std::string_view kind, ByteView token_uuid) {
  std::string_view magic = "ecert-token";
  Bytes out(magic.begin(), magic.end());
  out.reserve(out.size() + 24 + kind.size() + token_uuid.size() + 16);
  append_u64(out, kSealFormat);
  append_u64(out, kind.size());
  out.insert(out.end(), kind.begin(), kind.end());
  append_u64(out, token_uuid.size());
  out.insert(out.end(), token_uuid.begin(), token_uuid.end());
  return out;
}

}  // namespace

Bytes aad_attribute(ByteView token_uuid, std::int64_t object_id, CK_ATTRIBUTE_TYPE type) {
  Bytes out = aad_prefix("attribute", token_uuid);
  append_u64(out, static_cast<std::uint64_t>(object_id));
  append_u64(out, type);
  return out;
}

Bytes aad_object(ByteView token_uuid, std::int64_t object_id) {
  Bytes out = aad_prefix("object", token_uuid);
  append_u64(out, static_cast<std::uint64_t>(object_id));
  return out;
}

Bytes aad_master_key(ByteView token_uuid, CK_USER_TYPE who) {
  Bytes out = aad_prefix("master-key", token_uuid);
  append_u64(out, who);
  return out;
}

Bytes aad_secret(ByteView token_uuid, std::string_view name) {
  Bytes out = aad_prefix("secret", token_uuid);
  append_u64(out, name.size());
  out.insert(out.end(), name.begin(), name.end());
  return out;
}

Bytes seal(ByteView key, ByteView aad, ByteView plaintext) { return crypto::aead::seal(key, aad, plaintext); }

std::optional<SecureBytes> unseal(ByteView key, ByteView aad, ByteView sealed) {
  return crypto::aead::open(key, aad, sealed);
}

Bytes wrap_master_key(ByteView master_key, ByteView pin, ByteView salt, const KdfCost& cost, ByteView aad) {
  SecureBytes pin_key = derive_pin_key(pin, salt, cost);
  return seal(pin_key, aad, master_key);
}

std::optional<SecureBytes> unwrap_master_key(ByteView wrapped, ByteView pin, ByteView salt, const KdfCost& cost,
                                             ByteView aad) {
  SecureBytes pin_key = derive_pin_key(pin, salt, cost);
  return unseal(pin_key, aad, wrapped);
}

}  // namespace ecert::store
