// Making outside text safe to print: malformed UTF-8 bytes, C0 and C1 controls
// and the invisible characters that reorder text or break lines shown as \x
// and \u escapes, JSON output escaped the same way, and padding to a column
// width counted in terminal cells (wcswidth()), as a Chinese character takes
// two.
#include "cli/terminal_text.h"

#include <cstdio>
#include <cstdlib>
#include <cwchar>
#include <optional>

namespace ecert::cli {
namespace {

// The code point starting at text[i] and its length in bytes, or nullopt if
// the bytes there are not well-formed UTF-8 (overlong forms, surrogates and
// values above U+10FFFF included).
std::optional<std::pair<char32_t, std::size_t>> decode(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  if (lead < 0x80) return std::pair<char32_t, std::size_t>{lead, 1};
  std::size_t length;
  char32_t cp, minimum;
  if ((lead & 0xE0) == 0xC0)
    length = 2, cp = lead & 0x1F, minimum = 0x80;
  else if ((lead & 0xF0) == 0xE0)
    length = 3, cp = lead & 0x0F, minimum = 0x800;
  else if ((lead & 0xF8) == 0xF0)
    length = 4, cp = lead & 0x07, minimum = 0x10000;
  else
    return std::nullopt;
  if (i + length > text.size()) return std::nullopt;
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return std::nullopt;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  if (cp < minimum || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
  return std::pair<char32_t, std::size_t>{cp, length};
}

// Characters that are not shown but act: they reorder the text after them
// (bidi embeddings, overrides, isolates, marks) or break the line.
bool invisible_control(char32_t cp) {
  return (cp >= 0x80 && cp <= 0x9F) || cp == 0x200E || cp == 0x200F || cp == 0x2028 || cp == 0x2029 ||
         (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

std::string hex_escape(const char* pattern, unsigned value) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, pattern, value);
  return buffer;
}

std::string escaped(std::string_view text, bool keep_newlines) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const auto decoded = decode(text, i);
    if (!decoded) {
      out += hex_escape("\\x%02x", static_cast<unsigned char>(text[i]));
      ++i;
      continue;
    }
    const auto [cp, length] = *decoded;
    if (cp == '\n' && keep_newlines)
      out += '\n';
    else if (cp == '\n')
      out += "\\n";
    else if (cp == '\r')
      out += "\\r";
    else if (cp == '\t')
      out += "\\t";
    else if (cp < 0x20 || cp == 0x7F)
      out += hex_escape("\\x%02x", static_cast<unsigned>(cp));
    else if (invisible_control(cp))
      out += hex_escape("\\u%04x", static_cast<unsigned>(cp));
    else
      out.append(text.substr(i, length));
    i += length;
  }
  return out;
}

}  // namespace

std::string printable(std::string_view value) { return escaped(value, false); }

std::string terminal_safe(std::string_view text) { return escaped(text, true); }

std::string json_text(const nlohmann::ordered_json& value) {
  const std::string dumped = value.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  // dump() escapes C0 controls only; the rest can only occur inside strings,
  // where a \u escape means the same character.
  std::string out;
  out.reserve(dumped.size());
  for (std::size_t i = 0; i < dumped.size();) {
    const auto decoded = decode(dumped, i);
    const std::size_t length = decoded ? decoded->second : 1;
    if (decoded && (decoded->first == 0x7F || invisible_control(decoded->first)))
      out += hex_escape("\\u%04x", static_cast<unsigned>(decoded->first));
    else
      out.append(dumped, i, length);
    i += length;
  }
  return out;
}

std::string pad_to_width(const std::string& text, int columns) {
  std::wstring wide(text.size() + 1, L'\0');
  const std::size_t n = std::mbstowcs(wide.data(), text.c_str(), wide.size());
  int width = n == static_cast<std::size_t>(-1) ? static_cast<int>(text.size()) : wcswidth(wide.c_str(), n);
  if (width < 0) width = static_cast<int>(text.size());
  return text + std::string(width < columns ? static_cast<std::size_t>(columns - width) : 0, ' ');
}

}  // namespace ecert::cli
