// The fixed-width, space-padded text fields of CK_INFO, CK_SLOT_INFO and
// CK_TOKEN_INFO. p11-kit matches URIs by padding with spaces and comparing
// bytes, so the padding must be spaces, never NULs, and a UTF-8 label that is
// too long is cut at a character boundary, never inside a character.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace ecert {

// Writes `text` into `field` of `width` bytes, cut at a UTF-8 boundary and
// padded with spaces.
void write_padded(unsigned char* field, std::size_t width, std::string_view text);

// The longest prefix of `text` of at most `max_bytes` bytes that ends on a
// UTF-8 character boundary.
std::string_view utf8_prefix(std::string_view text, std::size_t max_bytes);

// A C_InitToken label (32 bytes, space padded) without its trailing spaces.
std::string label_from_field(const unsigned char* field, std::size_t width);

// True if `text` is well-formed UTF-8 (no overlongs, no surrogates).
bool is_valid_utf8(std::string_view text);

// A token label given as a variable-length value (CKA_ECERT_TOKEN_LABEL),
// without its trailing spaces; nullopt unless the value is 1..32 bytes of
// well-formed UTF-8 without control characters (C0, DEL, C1) and not only
// spaces. Never cut: a label that does not fit is refused, not shortened.
std::optional<std::string> token_label_from_value(std::string_view value);

}  // namespace ecert
