// NssModuleDb as runs of NSS's tools on "sql:<dir>": certutil -N to create a
// database, modutil -list, -add and -delete, with modutil's output read for
// the library path and its exit status for "no such module"; a missing tool or
// a failed run becomes an NssToolError carrying the tool's own message.
#include "manager/nss_module_db.h"

#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "manager/subprocess.h"

namespace ecert::manager {
namespace {

// modutil's exit status for "no module of that name" (NO_SUCH_MODULE_ERR in
// NSS's cmd/modutil/error.h, whose values are declared immutable).
constexpr int kModutilNoSuchModule = 29;

// "Library file: <path>" in `modutil -list <name>`; the path runs to the end
// of the line and may contain spaces.
constexpr std::string_view kLibraryFileLabel = "Library file: ";

std::string trimmed(const std::string& text) {
  const char* space = " \t\r\n";
  auto first = text.find_first_not_of(space);
  if (first == std::string::npos) return {};
  return text.substr(first, text.find_last_not_of(space) - first + 1);
}

ProcessOutput run_tool(const std::vector<std::string>& argv) {
  try {
    // The sql: prefix is given on every call; the variable also covers any
    // database a loaded module opens on its own.
    return run_program(argv, {{"NSS_DEFAULT_DB_TYPE", "sql"}});
  } catch (const std::system_error& e) {
    if (e.code() == std::errc::no_such_file_or_directory)
      throw NssToolError(NssToolError::Reason::tool_missing, argv[0] + ": not found");
    throw NssToolError(NssToolError::Reason::failed, e.what());
  }
}

[[noreturn]] void throw_failure(const ProcessOutput& result) {
  std::string message = trimmed(result.err);
  if (message.empty()) message = trimmed(result.out);
  if (message.empty()) message = "exit status " + std::to_string(result.exit_code);
  throw NssToolError(NssToolError::Reason::failed, message);
}

std::string db_argument(const std::filesystem::path& dir) { return "sql:" + dir.string(); }

}  // namespace

NssModuleDb::NssModuleDb(std::filesystem::path dir, std::string modutil, std::string certutil)
    : dir_(std::move(dir)), modutil_(std::move(modutil)), certutil_(std::move(certutil)) {}

bool NssModuleDb::exists() const {
  std::error_code ec;
  return std::filesystem::exists(dir_ / "cert9.db", ec) || std::filesystem::exists(dir_ / "pkcs11.txt", ec);
}

void NssModuleDb::create() const {
  ProcessOutput result = run_tool({certutil_, "-N", "-d", db_argument(dir_), "--empty-password"});
  if (result.exit_code != 0) throw_failure(result);
}

std::optional<std::filesystem::path> NssModuleDb::library_of(const std::string& name) const {
  // Without a database modutil fails with "bad database" and creates nothing.
  if (!exists()) return std::nullopt;
  ProcessOutput result = run_tool({modutil_, "-dbdir", db_argument(dir_), "-list", name});
  if (result.exit_code == kModutilNoSuchModule) return std::nullopt;
  if (result.exit_code != 0) throw_failure(result);
  std::string_view out = result.out;
  for (std::size_t pos = 0; pos < out.size();) {
    std::size_t end = out.find('\n', pos);
    if (end == std::string_view::npos) end = out.size();
    std::string_view line = out.substr(pos, end - pos);
    if (line.substr(0, kLibraryFileLabel.size()) == kLibraryFileLabel)
      return std::filesystem::path(std::string(line.substr(kLibraryFileLabel.size())));
    pos = end + 1;
  }
  // Registered, but modutil did not say where: report an empty path rather
  // than nothing, so the entry is not taken for absent.
  return std::filesystem::path();
}

void NssModuleDb::add(const std::string& name, const std::filesystem::path& library) const {
  // -force: no "is the browser running?" prompt; whether it is, is our check.
  ProcessOutput result =
      run_tool({modutil_, "-dbdir", db_argument(dir_), "-add", name, "-libfile", library.string(), "-force"});
  if (result.exit_code != 0) throw_failure(result);
}

void NssModuleDb::remove(const std::string& name) const {
  ProcessOutput result = run_tool({modutil_, "-dbdir", db_argument(dir_), "-delete", name, "-force"});
  if (result.exit_code != 0) throw_failure(result);
}

}  // namespace ecert::manager
