#include "cli/secrets.h"

#include "cli/context.h"

#include <bsd/readpassphrase.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "common/bytes.h"
#include "manager/i18n.h"
#include "manager/p11_error.h"

namespace ecert::cli {
namespace {

using manager::UsageError;

constexpr std::size_t kLongestSecret = 1024;

SecureString first_line(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError(UsageError::Kind::usage, format(manager::tr("Cannot read the password file %s."), path.c_str()));
  SecureString line;
  char c;
  while (line.size() <= kLongestSecret && in.get(c) && c != '\n') line.push_back(c);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

bool have_terminal() {
  const int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (fd < 0) return false;
  close(fd);
  return true;
}

}  // namespace

bool secret_is_automatic(const SecretSource& source) {
  return source.file.has_value() || (source.env && std::getenv(source.env));
}

SecureString read_secret(const SecretSource& source, const std::string& prompt) {
  if (source.file) return first_line(*source.file);
  if (source.env) {
    if (const char* value = std::getenv(source.env)) return SecureString(value);
  }
  if (!have_terminal())
    throw UsageError(UsageError::Kind::usage,
                     format(manager::tr("No terminal to ask for the password; give it in a file or in the "
                                        "environment variable %s."),
                            source.env ? source.env : ""));
  SecureString buffer(kLongestSecret + 2, '\0');
  // readpassphrase turns echo off on /dev/tty and restores it, also when a
  // signal arrives while it waits.
  if (readpassphrase(prompt.c_str(), buffer.data(), buffer.size(), RPP_REQUIRE_TTY) == nullptr)
    throw UsageError(UsageError::Kind::bad_input, manager::tr("The password could not be read."));
  buffer.resize(std::strlen(buffer.c_str()));
  return buffer;
}

SecretFile::SecretFile(const std::string& path) : path_(path) {
  fd_ = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd_ < 0) throw std::runtime_error(format(manager::tr("Cannot create %s: %s"), path.c_str(), std::strerror(errno)));
}

SecretFile::~SecretFile() {
  if (fd_ >= 0) close(fd_);
  if (!written_) unlink(path_.c_str());
}

void SecretFile::write(const SecureString& secret) {
  SecureString line = secret;
  line.push_back('\n');
  const bool ok = ::write(fd_, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  const bool closed = close(fd_) == 0;
  fd_ = -1;
  if (!ok || !closed) throw std::runtime_error(format(manager::tr("Cannot write %s"), path_.c_str()));
  written_ = true;
}

bool confirm(const std::string& question) {
  if (!have_terminal()) return false;
  char answer[16] = {};
  if (readpassphrase(question.c_str(), answer, sizeof answer, RPP_REQUIRE_TTY | RPP_ECHO_ON) == nullptr) return false;
  const std::string a(answer);
  return a == "y" || a == "Y" || a == "yes" || a == "YES" || a == manager::tr("yes");
}

}  // namespace ecert::cli
