// CLI11's own words (help headings, the errors of the command line) in the
// user's language: CLI11 writes them in English, so its help formatter is
// given translated headings, and its parse errors are caught and re-worded.
#pragma once

#include <string>

namespace CLI {
class App;
class ParseError;
}  // namespace CLI

namespace ecert::cli {

// Installs on `app` (before its commands are added, so they inherit it) a
// help formatter with translated headings, and a translated description of
// the help flag.
void translate_help(CLI::App& app);

// What went wrong on the command line, in one translated sentence, with the
// option and value concerned. `app` is the parser that threw `error`.
std::string parse_error_text(const CLI::App& app, const CLI::ParseError& error);

}  // namespace ecert::cli
