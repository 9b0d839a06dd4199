// CLI11's English in the user's language: a help formatter that replaces the
// headings in the finished help, translated labels and help flag, and parse
// errors re-worded by matching CLI11 2.1's fixed English messages (an unknown
// command, a missing or unexpected argument, a bad value); a message no
// pattern knows keeps CLI11's words after a translated lead-in.
#include "cli/parser_text.h"

#include <CLI/CLI.hpp>
#include <regex>

#include "cli/context.h"
#include "manager/i18n.h"

namespace ecert::cli {
namespace {

using manager::tr;

// CLI11 writes the headings as "<group>:" at the start of a line, with an
// ASCII colon; Chinese wants its own colon, so whole headings are replaced
// in the finished help (the groups keep their English names, which the man
// page check reads with LC_ALL=C).
// TRANSLATORS: "Usage: " is followed by the command line ("ecert-token
// [OPTIONS] COMMAND"); keep a blank at its end only if your language wants one.
const char* const kHeadings[] = {N_("Usage: "), N_("Positionals:"), N_("Options:"), N_("Subcommands:")};

class TranslatedFormatter : public CLI::Formatter {
 public:
  std::string make_help(const CLI::App* app, std::string name, CLI::AppFormatMode mode) const override {
    std::string help = "\n" + CLI::Formatter::make_help(app, std::move(name), mode);
    for (const char* heading : kHeadings) {
      const std::string english = std::string("\n") + heading;
      const std::string translated = std::string("\n") + tr(heading);
      for (auto at = help.find(english); at != std::string::npos; at = help.find(english, at + translated.size()))
        help.replace(at, english.size(), translated);
    }
    return help.substr(1);
  }
};

std::string text(const char* pattern, const std::string& a, const std::string& b = "", const std::string& c = "",
                 const std::string& d = "") {
  return format(pattern, a.c_str(), b.c_str(), c.c_str(), d.c_str());
}

// CLI11 (2.1) words each error from a fixed English pattern; the parts that
// vary (option, value) are taken from it. A message no pattern here knows
// keeps CLI11's words after a translated lead-in.
std::string validation_text(const std::string& what) {
  std::smatch m;
  static const std::regex missing(R"(^(.*): File does not exist: (.*)$)");
  static const std::regex directory(R"(^(.*): File is actually a directory: (.*)$)");
  static const std::regex member(R"(^(.*): (.*) not in \{(.*)\}$)");
  static const std::regex range(R"(^(.*): Value (.*) not in range (.*) to (.*)$)");
  if (std::regex_match(what, m, missing)) return text(tr("%s: the file %s does not exist."), m[1], m[2]);
  if (std::regex_match(what, m, directory)) return text(tr("%s: %s is a directory, not a file."), m[1], m[2]);
  if (std::regex_match(what, m, range))
    return text(tr("%s: %s is not allowed; give a number from %s to %s."), m[1], m[2], m[3], m[4]);
  if (std::regex_match(what, m, member)) return text(tr("%s: %s is not allowed; give one of: %s."), m[1], m[2], m[3]);
  return "";
}

}  // namespace

void translate_help(CLI::App& app) {
  app.formatter(std::make_shared<TranslatedFormatter>());
  app.get_formatter()->label("OPTIONS", tr("OPTIONS"));
  app.get_formatter()->label("SUBCOMMAND", tr("COMMAND"));
  app.get_formatter()->label("SUBCOMMANDS", tr("COMMAND"));
  app.get_formatter()->label("REQUIRED", tr("REQUIRED"));
  app.set_help_flag("-h,--help", tr("Print this help message and exit"));
}

std::string parse_error_text(const CLI::App& app, const CLI::ParseError& error) {
  const std::string what = error.what();
  // By type: get_name() is the command's name for some errors.
  auto is = [&error]<class T>(const T*) { return dynamic_cast<const T*>(&error) != nullptr; };
  std::smatch m;
  if (is(static_cast<const CLI::RequiredError*>(nullptr))) {
    if (what == "A subcommand is required") {
      // An unknown command is left over as an extra argument.
      const auto rest = app.remaining();
      if (!rest.empty() && !rest.front().empty() && rest.front()[0] != '-')
        return text(tr("There is no command \"%s\". See the commands with: ecert-token --help"), rest.front());
      return tr("A command is required. See the commands with: ecert-token --help");
    }
    static const std::regex required(R"(^(\S+) is required$)");
    if (std::regex_match(what, m, required)) return text(tr("%s is required."), m[1]);
  } else if (is(static_cast<const CLI::ExtrasError*>(nullptr))) {
    static const std::regex extras(R"(^The following arguments? (?:was|were) not expected: (.*)$)");
    if (std::regex_match(what, m, extras)) return text(tr("Not expected on the command line: %s"), m[1]);
  } else if (is(static_cast<const CLI::ConversionError*>(nullptr))) {
    static const std::regex convert(R"(^Could not convert: (\S+) = (.*)$)");
    if (std::regex_match(what, m, convert)) return text(tr("%s: %s is not a valid value."), m[1], m[2]);
  } else if (is(static_cast<const CLI::ValidationError*>(nullptr))) {
    if (std::string t = validation_text(what); !t.empty()) return t;
  } else if (is(static_cast<const CLI::ArgumentMismatch*>(nullptr))) {
    static const std::regex missing_value(R"(^(\S+): \d+ required \S+ missing$)");
    if (std::regex_match(what, m, missing_value)) return text(tr("%s needs a value."), m[1]);
  }
  return text(tr("The command line is not valid: %s"), what);
}

}  // namespace ecert::cli
