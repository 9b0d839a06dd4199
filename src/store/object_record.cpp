// Encoding of object records and the object manifest (object_record.h).
#include "store/object_record.h"

namespace ecert::store {
namespace {

template <class Out>
void put_u64(Out& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

// Reads forward through a buffer; every read checks what is left, so a
// truncated or lying length ends decoding instead of reading past the end.
class Reader {
 public:
  explicit Reader(ByteView in) : in_(in) {}
  std::optional<std::uint64_t> u64() {
    if (in_.size() - pos_ < 8) return std::nullopt;
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= static_cast<std::uint64_t>(in_[pos_ + i]) << (8 * i);
    pos_ += 8;
    return v;
  }
  std::optional<ByteView> bytes(std::uint64_t n) {
    if (in_.size() - pos_ < n) return std::nullopt;
    ByteView out = in_.subspan(pos_, n);
    pos_ += n;
    return out;
  }
  bool at_end() const { return pos_ == in_.size(); }

 private:
  ByteView in_;
  std::size_t pos_ = 0;
};

}  // namespace

SecureBytes encode_object_record(const AttributeMap& attrs) {
  SecureBytes out;
  std::size_t size = 8;
  for (const auto& [type, value] : attrs.values()) size += 16 + value.size();
  out.reserve(size);  // one allocation: no copy of key material left behind by a regrowth
  put_u64(out, attrs.size());
  for (const auto& [type, value] : attrs.values()) {
    put_u64(out, type);
    put_u64(out, value.size());
    out.insert(out.end(), value.begin(), value.end());
  }
  return out;
}

std::optional<AttributeMap> decode_object_record(ByteView encoded) {
  Reader in(encoded);
  auto count = in.u64();
  if (!count) return std::nullopt;
  AttributeMap attrs;
  std::optional<std::uint64_t> previous;
  for (std::uint64_t i = 0; i < *count; ++i) {
    auto type = in.u64();
    auto length = in.u64();
    if (!type || !length || (previous && *type <= *previous)) return std::nullopt;
    auto value = in.bytes(*length);
    if (!value) return std::nullopt;
    attrs.set(static_cast<CK_ATTRIBUTE_TYPE>(*type), *value);
    previous = type;
  }
  if (!in.at_end()) return std::nullopt;
  return attrs;
}

Bytes encode_manifest(const ObjectManifest& manifest) {
  Bytes out;
  put_u64(out, manifest.size());
  for (const auto& [id, digest] : manifest) {
    put_u64(out, static_cast<std::uint64_t>(id));
    out.insert(out.end(), digest.begin(), digest.end());
  }
  return out;
}

std::optional<ObjectManifest> decode_manifest(ByteView encoded) {
  Reader in(encoded);
  auto count = in.u64();
  if (!count) return std::nullopt;
  ObjectManifest manifest;
  std::optional<std::uint64_t> previous;
  for (std::uint64_t i = 0; i < *count; ++i) {
    auto id = in.u64();
    if (!id || (previous && *id <= *previous)) return std::nullopt;
    auto digest = in.bytes(kRecordDigestSize);
    if (!digest) return std::nullopt;
    manifest[static_cast<std::int64_t>(*id)] = copy(*digest);
    previous = id;
  }
  if (!in.at_end()) return std::nullopt;
  return manifest;
}

}  // namespace ecert::store
