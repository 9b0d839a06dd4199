// The fixed-width text of PKCS#11 structures and the UTF-8 checks behind it:
// padding and cutting CK_*_INFO fields, reading a C_InitToken label back, and
// the well-formedness test that both labels and PIN rules rely on.
#include "common/padded_text.h"

#include <cstring>

namespace ecert {

std::string_view utf8_prefix(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  std::size_t end = max_bytes;
  // Step back over continuation bytes (10xxxxxx) to the start of a character.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

void write_padded(unsigned char* field, std::size_t width, std::string_view text) {
  std::string_view cut = utf8_prefix(text, width);
  std::memset(field, ' ', width);
  std::memcpy(field, cut.data(), cut.size());
}

std::string label_from_field(const unsigned char* field, std::size_t width) {
  std::size_t n = width;
  while (n > 0 && (field[n - 1] == ' ' || field[n - 1] == '\0')) --n;
  return std::string(reinterpret_cast<const char*>(field), n);
}

bool is_valid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    auto c = static_cast<unsigned char>(text[i]);
    std::size_t len;
    unsigned cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4, cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > text.size()) return false;
    for (std::size_t k = 1; k < len; ++k) {
      auto cc = static_cast<unsigned char>(text[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    static const unsigned kMin[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

namespace {
// C0 controls and DEL are single bytes; C1 controls (U+0080..U+009F) are
// 0xC2 0x80..0x9F in UTF-8. Only meaningful on well-formed UTF-8.
bool has_control_character(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7F) return true;
    if (c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) <= 0x9F) return true;
  }
  return false;
}
}  // namespace

std::optional<std::string> token_label_from_value(std::string_view value) {
  constexpr std::size_t kLabelWidth = 32;  // sizeof CK_TOKEN_INFO.label
  if (value.empty() || value.size() > kLabelWidth) return std::nullopt;
  if (!is_valid_utf8(value) || has_control_character(value)) return std::nullopt;
  std::size_t end = value.find_last_not_of(' ');
  if (end == std::string_view::npos) return std::nullopt;  // only spaces: an empty label
  return std::string(value.substr(0, end + 1));
}

}  // namespace ecert
