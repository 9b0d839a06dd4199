// Text from outside the program (token labels, certificate names, file
// names, a module's own strings) made safe to print: a label holding an
// escape sequence could otherwise recolour the terminal or move the cursor,
// and one holding a newline could forge a line of output.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace ecert::cli {

// `value` with every character that acts on a terminal shown as an escape
// instead: \n \r \t, \xHH for other C0 controls, DEL and bytes that are not
// UTF-8, \u0080-\u009f for C1 controls, and \u20xx for the invisible
// characters that reorder or break lines (U+2028/2029, bidi overrides and
// isolates). Printable text, Chinese included, is kept as it is.
std::string printable(std::string_view value);

// A whole message or block of output: like printable(), but its own line
// breaks are kept. The last guard before text reaches the terminal, for
// values no call to printable() covered.
std::string terminal_safe(std::string_view text);

// JSON text of `value`, indented: control characters escaped as JSON escapes
// them (\u001b), and DEL, C1 and the line-breaking and bidi characters too
// (valid JSON either way, but harmless when a script prints a string to a
// terminal); bytes that are not UTF-8 become U+FFFD instead of an exception.
std::string json_text(const nlohmann::ordered_json& value);

// `text` followed by blanks up to `columns` terminal columns (a CJK
// character takes two), so translated labels line up.
std::string pad_to_width(const std::string& text, int columns);

}  // namespace ecert::cli
