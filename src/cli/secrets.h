// Where the CLI gets passwords from: never the command line. In order:
// a file named by an option (first line), an environment variable (for
// automation; documented in the man page), else the terminal without echo.
#pragma once

#include <optional>
#include <string>

#include "manager/pin_operations.h"

namespace ecert::cli {

using manager::SecureString;

struct SecretSource {
  const char* env;                  // environment variable that may hold it
  std::optional<std::string> file;  // --...-file option value
};

// The secret from `source`, else asked at the terminal with `prompt` (already
// translated). Throws UsageError(bad_input) when there is neither a file or
// variable nor a terminal.
SecureString read_secret(const SecretSource& source, const std::string& prompt);
// True when a password would come from a file or environment variable, so the
// CLI must not loop asking again.
bool secret_is_automatic(const SecretSource& source);
// A new file of mode 0600 for a secret (the PIN envelope), created when
// constructed — before the token is changed, so a name that is taken or a
// directory that cannot be written stops the command while nothing has
// happened — and written once the secret exists. An existing file is never
// overwritten; a file that was never written is removed again.
class SecretFile {
 public:
  explicit SecretFile(const std::string& path);
  ~SecretFile();
  SecretFile(const SecretFile&) = delete;
  SecretFile& operator=(const SecretFile&) = delete;
  // Writes `secret` and a newline, and closes the file.
  void write(const SecureString& secret);

 private:
  std::string path_;
  int fd_ = -1;
  bool written_ = false;
};
// A yes/no question at the terminal; false without a terminal.
bool confirm(const std::string& question);

}  // namespace ecert::cli
