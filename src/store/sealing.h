// Encryption at rest. Every secret in a token file is sealed with AES-256-GCM;
// the associated data names exactly what the ciphertext is (format version,
// token, object, attribute), so a value copied or swapped to another place in
// the file, or into another token, fails authentication instead of decrypting.
//
// Key hierarchy (docs/DESIGN.md):
//   PIN --Argon2id(salt, token cost)--> PIN key --seals--> master key (random)
//   master key --seals--> private objects and keys (whole), the object
//                         manifest, the PIN history
#pragma once

#include <optional>
#include <string_view>

#include "common/bytes.h"
#include "ecert/pkcs11.h"
#include "store/pin_kdf.h"

namespace ecert::store {

inline constexpr std::size_t kMasterKeySize = 32;
inline constexpr std::uint32_t kSealFormat = 1;

// The associated data for each kind of sealed value.
// One attribute, as schema 1 sealed private objects (read only, to upgrade).
Bytes aad_attribute(ByteView token_uuid, std::int64_t object_id, CK_ATTRIBUTE_TYPE type);
// A whole object (object_record.h), bound to its id.
Bytes aad_object(ByteView token_uuid, std::int64_t object_id);
Bytes aad_master_key(ByteView token_uuid, CK_USER_TYPE who);
Bytes aad_secret(ByteView token_uuid, std::string_view name);

Bytes seal(ByteView key, ByteView aad, ByteView plaintext);
// nullopt when the value was not sealed with this key and AAD.
std::optional<SecureBytes> unseal(ByteView key, ByteView aad, ByteView sealed);

// The master key wrapped under a PIN: derive the PIN key, seal.
Bytes wrap_master_key(ByteView master_key, ByteView pin, ByteView salt, const KdfCost& cost, ByteView aad);
// nullopt when the PIN is wrong (or the record was tampered with): GCM's tag
// check is the PIN check, done in constant time by OpenSSL; no PIN hash exists.
std::optional<SecureBytes> unwrap_master_key(ByteView wrapped, ByteView pin, ByteView salt, const KdfCost& cost,
                                             ByteView aad);

}  // namespace ecert::store
