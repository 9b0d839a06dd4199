// Just enough DER to handle the PKCS#11 attributes that carry DER values
// (CKA_EC_PARAMS, CKA_EC_POINT). Certificates are parsed by OpenSSL instead.
#pragma once

#include <cstdint>
#include <optional>

#include "common/bytes.h"

namespace ecert::crypto::der {

inline constexpr std::uint8_t kOctetString = 0x04;

struct Tlv {
  std::uint8_t tag;
  ByteView content;
  std::size_t encoded_size;  // tag + length + content
};

// Reads the TLV at the start of `in`: single-byte tag, definite length in its
// shortest form. nullopt if malformed or truncated; bytes after it are ignored.
std::optional<Tlv> read_tlv(ByteView in) noexcept;

// The DER OCTET STRING around `content`.
Bytes octet_string(ByteView content);

}  // namespace ecert::crypto::der
