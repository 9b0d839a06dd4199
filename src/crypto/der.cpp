// Reading one DER element (tag, definite length, content) strictly enough to
// refuse BER's indefinite and non-minimal lengths, and writing the OCTET
// STRING that wraps a CKA_EC_POINT.
#include "crypto/der.h"

namespace ecert::crypto::der {

std::optional<Tlv> read_tlv(ByteView in) noexcept {
  // Multi-byte (high-number) tags never occur in the attributes we read.
  if (in.size() < 2 || (in[0] & 0x1f) == 0x1f) return std::nullopt;
  std::size_t pos = 2;
  std::size_t len = in[1];
  if (len & 0x80) {
    std::size_t n = len & 0x7f;
    // 0x80 is BER's indefinite length; more than 4 length bytes is absurd here.
    if (n == 0 || n > 4 || in.size() < 2 + n || in[2] == 0) return std::nullopt;
    len = 0;
    for (std::size_t i = 0; i < n; ++i) len = (len << 8) | in[2 + i];
    if (len < 0x80) return std::nullopt;  // DER wants the short form here
    pos += n;
  }
  if (in.size() - pos < len) return std::nullopt;
  return Tlv{in[0], in.subspan(pos, len), pos + len};
}

Bytes octet_string(ByteView content) {
  Bytes out;
  out.reserve(content.size() + 6);
  out.push_back(kOctetString);
  std::size_t len = content.size();
  if (len < 0x80) {
    out.push_back(static_cast<std::uint8_t>(len));
  } else {
    std::uint8_t digits[sizeof(std::size_t)];
    std::size_t n = 0;
    for (std::size_t v = len; v != 0; v >>= 8) digits[n++] = static_cast<std::uint8_t>(v);
    out.push_back(static_cast<std::uint8_t>(0x80 | n));
    while (n != 0) out.push_back(digits[--n]);
  }
  out.insert(out.end(), content.begin(), content.end());
  return out;
}

}  // namespace ecert::crypto::der
