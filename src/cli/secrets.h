// Where the CLI gets passwords from: never the command line. In order:
// a file named by an option (first line), an environment variable (for
// automation; documented in the man page), else the terminal without echo.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>

#include "manager/pin_operations.h"

namespace ecert::cli {

using manager::SecureString;

struct SecretSource {
  const char* env;                  // environment variable that may hold it
  std::optional<std::string> file;  // --...-file option value
};

// The command stops before doing anything more, with an exit code of
// exit_codes.h and a message (already translated): the person cancelled
// (Ctrl-D, or no to a question), or gave input the program refuses itself.
class CommandStopped : public std::runtime_error {
 public:
  CommandStopped(int exit_code, const std::string& message) : std::runtime_error(message), exit_code_(exit_code) {}
  int exit_code() const noexcept { return exit_code_; }

 private:
  int exit_code_;
};

// The secret from `source`, else asked at the terminal with `prompt` (already
// translated). A file or variable holding a PIN envelope (envelope_text())
// gives the PIN in it. Throws UsageError(usage) when there is neither a file
// or variable nor a terminal, and CommandStopped(kCancelled) when the person
// ends the input with Ctrl-D (never taken as an empty password).
SecureString read_secret(const SecretSource& source, const std::string& prompt);
// True when a password would come from a file or environment variable, so the
// CLI must not loop asking again.
bool secret_is_automatic(const SecretSource& source);
// Throws as read_secret() does when the secret could not be had at all, so a
// command stops before it calls the token.
void require_secret_source(const SecretSource& source);
// True when there is a terminal to ask at.
bool have_terminal();

// The text of a PIN envelope file: which token it belongs to, the PIN on a
// line of its own ("PIN: 12345678", never translated, so that read_secret()
// finds it in any language), and what to do with it, in the user's language.
SecureString envelope_text(const std::string& label, const std::string& serial, const SecureString& pin);

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
  // Writes `text` (ending in a newline), and closes the file.
  void write(const SecureString& text);

 private:
  std::string path_;
  int fd_ = -1;
  bool written_ = false;
};
// A yes/no question at the terminal; false without a terminal or at Ctrl-D.
bool confirm(const std::string& question);
// A line typed (and shown) at the terminal after `question`; nothing without
// a terminal or at Ctrl-D.
std::optional<std::string> ask_line(const std::string& question);

}  // namespace ecert::cli
