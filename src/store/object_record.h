// The plaintext layouts of what the Vault seals for objects: a whole object
// (all its attributes in one record) and the object manifest (which record
// each private object must have). Pure encoding: no key, no file.
//
//   object record:   count(u64) then, by ascending type, type(u64) len(u64) value
//   object manifest: count(u64) then, by ascending id, id(u64) digest(32)
//
// All integers little-endian and fixed-width, so one byte string has exactly
// one meaning; decoding refuses trailing bytes, lengths past the end, a
// repeated or unordered type or id.
#pragma once

#include <cstdint>
#include <map>
#include <optional>

#include "common/attribute_map.h"
#include "common/bytes.h"

namespace ecert::store {

// Object id -> SHA-256 of the sealed record the object must have now.
using ObjectManifest = std::map<std::int64_t, Bytes>;
inline constexpr std::size_t kRecordDigestSize = 32;

SecureBytes encode_object_record(const AttributeMap& attrs);
std::optional<AttributeMap> decode_object_record(ByteView encoded);

Bytes encode_manifest(const ObjectManifest& manifest);
std::optional<ObjectManifest> decode_manifest(ByteView encoded);

}  // namespace ecert::store
