// Pure tests of src/token/padded_text.h: the space-padded text fields of
// CK_INFO/CK_SLOT_INFO/CK_TOKEN_INFO, UTF-8 cuts and UTF-8 validation.
#include "common/padded_text.h"

#include <gtest/gtest.h>

#include <string>

namespace ecert::token {
namespace {

std::string padded(std::size_t width, std::string_view text, unsigned char fill = 0xAA) {
  std::string field(width + 2, static_cast<char>(fill));  // guard bytes on both sides
  write_padded(reinterpret_cast<unsigned char*>(field.data() + 1), width, text);
  EXPECT_EQ(static_cast<unsigned char>(field.front()), fill) << "wrote before the field";
  EXPECT_EQ(static_cast<unsigned char>(field.back()), fill) << "wrote past the field";
  return field.substr(1, width);
}

TEST(WritePadded, PadsWithSpacesNeverNuls) {
  EXPECT_EQ(padded(8, "abc"), "abc     ");
  EXPECT_EQ(padded(4, ""), "    ");
  EXPECT_EQ(padded(3, "abc"), "abc");
  EXPECT_EQ(padded(32, "e-Cert").find('\0'), std::string::npos);
}

TEST(WritePadded, CutsAsciiAtTheWidth) { EXPECT_EQ(padded(4, "abcdef"), "abcd"); }

TEST(WritePadded, NeverCutsInsideACharacter) {
  const std::string zhong = "\xE4\xB8\xAD";  // U+4E2D, 3 bytes
  EXPECT_EQ(padded(5, "ab" + zhong), "ab" + zhong);
  EXPECT_EQ(padded(4, "ab" + zhong), "ab  ");
  EXPECT_EQ(padded(3, "ab" + zhong), "ab ");
  EXPECT_EQ(padded(2, "ab" + zhong), "ab");
  // 11 CJK characters (33 bytes) in the 32-byte label: 10 fit, 2 spaces.
  std::string label;
  for (int i = 0; i < 11; ++i) label += zhong;
  std::string out = padded(32, label);
  EXPECT_EQ(out.substr(0, 30), label.substr(0, 30));
  EXPECT_EQ(out.substr(30), "  ");
  EXPECT_TRUE(is_valid_utf8(out));
}

TEST(Utf8Prefix, StopsAtCharacterBoundaries) {
  const std::string emoji = "\xF0\x9F\x94\x91";  // U+1F511, 4 bytes
  std::string s = "x" + emoji + "y";
  EXPECT_EQ(utf8_prefix(s, 100), s);
  EXPECT_EQ(utf8_prefix(s, 6), s);
  EXPECT_EQ(utf8_prefix(s, 5), "x" + emoji);
  for (std::size_t n = 1; n <= 4; ++n) EXPECT_EQ(utf8_prefix(s, n), "x") << n;
  EXPECT_EQ(utf8_prefix(s, 0), "");
  EXPECT_EQ(utf8_prefix("\xC3\xA9\xC3\xA9", 3), "\xC3\xA9");
  EXPECT_EQ(utf8_prefix("\xC3\xA9\xC3\xA9", 1), "");
}

TEST(LabelFromField, StripsTrailingSpacesAndNuls) {
  const unsigned char field[8] = {'a', ' ', 'b', ' ', ' ', '\0', ' ', ' '};
  EXPECT_EQ(label_from_field(field, 8), "a b");
  const unsigned char blank[4] = {' ', ' ', ' ', ' '};
  EXPECT_EQ(label_from_field(blank, 4), "");
  const unsigned char full[3] = {'x', 'y', 'z'};
  EXPECT_EQ(label_from_field(full, 3), "xyz");
  const unsigned char lead[4] = {' ', 'x', ' ', ' '};
  EXPECT_EQ(label_from_field(lead, 4), " x");
}

TEST(IsValidUtf8, AcceptsWellFormedText) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain ASCII ~"));
  EXPECT_TRUE(is_valid_utf8("\xC2\x80"));  // U+0080, smallest 2-byte
  EXPECT_TRUE(is_valid_utf8("\xE4\xB8\xAD\xE6\x96\x87"));
  EXPECT_TRUE(is_valid_utf8("\xE0\xA0\x80"));      // U+0800, smallest 3-byte
  EXPECT_TRUE(is_valid_utf8("\xED\x9F\xBF"));      // U+D7FF, just below the surrogates
  EXPECT_TRUE(is_valid_utf8("\xEE\x80\x80"));      // U+E000, just above
  EXPECT_TRUE(is_valid_utf8("\xF0\x90\x80\x80"));  // U+10000
  EXPECT_TRUE(is_valid_utf8("\xF4\x8F\xBF\xBF"));  // U+10FFFF
}

TEST(IsValidUtf8, RejectsMalformedText) {
  EXPECT_FALSE(is_valid_utf8("\x80"));  // lone continuation
  EXPECT_FALSE(is_valid_utf8("a\xBF"));
  EXPECT_FALSE(is_valid_utf8("\xC3"));  // truncated
  EXPECT_FALSE(is_valid_utf8("\xE4\xB8"));
  EXPECT_FALSE(is_valid_utf8("\xF0\x9F\x94"));
  EXPECT_FALSE(is_valid_utf8("\xC3\x28"));  // bad continuation
  EXPECT_FALSE(is_valid_utf8("\xE4\x28\xAD"));
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));  // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xC1\xBF"));
  EXPECT_FALSE(is_valid_utf8("\xE0\x80\xAF"));          // overlong 3-byte
  EXPECT_FALSE(is_valid_utf8("\xF0\x80\x80\xAF"));      // overlong 4-byte
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));          // U+D800 surrogate
  EXPECT_FALSE(is_valid_utf8("\xED\xBF\xBF"));          // U+DFFF surrogate
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));      // U+110000
  EXPECT_FALSE(is_valid_utf8("\xF8\x88\x80\x80\x80"));  // 5-byte form
  EXPECT_FALSE(is_valid_utf8("\xFF"));
  EXPECT_FALSE(is_valid_utf8("\xFE"));
}

}  // namespace
}  // namespace ecert::token
