// Reading passwords from the sources secrets.h lists: a password file's first
// line (or the PIN line of a PIN envelope), an environment variable, else
// /dev/tty without echo, with the terminal restored if a signal ends the
// program and Ctrl-D taken as cancelling. Also writes PIN envelopes (their
// text, in a 0600 file made with O_EXCL) and asks yes/no questions.
#include "cli/secrets.h"

#include <fcntl.h>
#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "cli/context.h"
#include "cli/exit_codes.h"
#include "common/bytes.h"
#include "manager/i18n.h"
#include "manager/p11_error.h"

namespace ecert::cli {
namespace {

using manager::UsageError;

constexpr std::size_t kLongestSecret = 1024;
// An envelope file is a few lines; anything longer is not one.
constexpr std::size_t kLongestSecretFile = 16 * 1024;
constexpr std::string_view kEnvelopePinLine = "PIN: ";

// The PIN of a PIN envelope's text (envelope_text()), when `text` is one:
// a line "PIN: ..." after the first. Old envelope files hold only
// the PIN, and password files the password on their first line.
std::optional<SecureString> envelope_pin(const SecureString& text) {
  // The first line is the envelope's title, or a password file's password.
  const std::size_t first_end = text.find('\n');
  if (first_end == SecureString::npos) return std::nullopt;
  for (std::size_t start = first_end + 1; start < text.size();) {
    std::size_t end = text.find('\n', start);
    if (end == SecureString::npos) end = text.size();
    std::string_view line(text.data() + start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.substr(0, kEnvelopePinLine.size()) == kEnvelopePinLine) {
      line.remove_prefix(kEnvelopePinLine.size());
      return SecureString(line.begin(), line.end());
    }
    start = end + 1;
  }
  return std::nullopt;
}

SecureString first_line(const SecureString& text) {
  SecureString line(text.substr(0, std::min(text.find('\n'), kLongestSecret + 1)));
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

SecureString secret_of_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw UsageError(UsageError::Kind::usage, format(manager::tr("Cannot read the password file %s."), path.c_str()));
  SecureString text;
  char c;
  while (text.size() < kLongestSecretFile && in.get(c)) text.push_back(c);
  if (auto pin = envelope_pin(text)) return *pin;
  return first_line(text);
}

// What the terminal was before echo was turned off, for the signal handler.
struct termios g_saved_terminal;
volatile sig_atomic_t g_terminal_fd = -1;

void restore_terminal_and_die(int sig) {
  if (g_terminal_fd >= 0) tcsetattr(g_terminal_fd, TCSAFLUSH, &g_saved_terminal);
  signal(sig, SIG_DFL);
  raise(sig);
}

constexpr int kFatalSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
constexpr int kStopSignals[] = {SIGTSTP, SIGTTIN, SIGTTOU};

// A line from /dev/tty after `prompt`; nothing at end of input (Ctrl-D),
// which readpassphrase() cannot tell from an empty line. Without echo the
// terminal is restored also when a signal ends the program.
std::optional<SecureString> read_terminal_line(const std::string& prompt, bool echo) {
  const int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct sigaction old_actions[std::size(kFatalSignals) + std::size(kStopSignals)];
  struct sigaction action {};
  sigemptyset(&action.sa_mask);
  std::size_t n = 0;
  action.sa_handler = restore_terminal_and_die;
  for (int sig : kFatalSignals) sigaction(sig, &action, &old_actions[n++]);
  // Stopping with echo off would leave the shell without echo.
  action.sa_handler = SIG_IGN;
  for (int sig : kStopSignals) sigaction(sig, &action, &old_actions[n++]);

  struct termios saved {};
  const bool have_termios = tcgetattr(fd, &saved) == 0;
  if (have_termios && !echo) {
    g_saved_terminal = saved;
    g_terminal_fd = fd;
    struct termios quiet = saved;
    quiet.c_lflag &= ~(ECHO | ECHONL);
    quiet.c_lflag |= ICANON;
    // Before the prompt: TCSAFLUSH drops only what was typed before it.
    tcsetattr(fd, TCSAFLUSH, &quiet);
  }
  [[maybe_unused]] ssize_t ignored = ::write(fd, prompt.data(), prompt.size());
  SecureString line;
  bool end_of_input = false;
  for (;;) {
    char c = 0;
    const ssize_t got = ::read(fd, &c, 1);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {
      end_of_input = true;
      break;
    }
    if (c == '\n' || c == '\r') break;
    // One byte more than the longest secret keeps "too long" detectable.
    if (line.size() <= kLongestSecret) line.push_back(c);
  }
  if (have_termios && !echo) {
    tcsetattr(fd, TCSAFLUSH, &saved);
    g_terminal_fd = -1;
  }
  if (!echo || end_of_input) ignored = ::write(fd, "\n", 1);
  n = 0;
  for (int sig : kFatalSignals) sigaction(sig, &old_actions[n++], nullptr);
  for (int sig : kStopSignals) sigaction(sig, &old_actions[n++], nullptr);
  close(fd);
  if (end_of_input) return std::nullopt;
  return line;
}

}  // namespace

bool have_terminal() {
  const int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (fd < 0) return false;
  close(fd);
  return true;
}

bool secret_is_automatic(const SecretSource& source) {
  return source.file.has_value() || (source.env && std::getenv(source.env));
}

void require_secret_source(const SecretSource& source) {
  if (secret_is_automatic(source) || have_terminal()) return;
  throw UsageError(UsageError::Kind::usage,
                   format(manager::tr("No terminal to ask for the password; give it in a file or in the "
                                      "environment variable %s."),
                          source.env ? source.env : ""));
}

SecureString read_secret(const SecretSource& source, const std::string& prompt) {
  if (source.file) return secret_of_file(*source.file);
  if (source.env) {
    if (const char* value = std::getenv(source.env)) {
      SecureString text(value);
      if (auto pin = envelope_pin(text)) return *pin;
      return text;
    }
  }
  require_secret_source(source);
  auto line = read_terminal_line(prompt, false);
  if (!line) throw CommandStopped(kCancelled, manager::tr("Cancelled: nothing was sent to the token."));
  return *line;
}

SecureString envelope_text(const std::string& label, const std::string& serial, const SecureString& pin) {
  using manager::tr;
  SecureString out;
  auto line = [&out](const std::string& text) {
    out.append(text.begin(), text.end());
    out.push_back('\n');
  };
  line(tr("e-Cert Token: PIN envelope"));
  line(format(tr("Token label:   %s"), label.c_str()));
  line(format(tr("Serial number: %s"), serial.c_str()));
  out.append(kEnvelopePinLine.begin(), kEnvelopePinLine.end());
  out.append(pin);
  out.push_back('\n');
  line("");
  line(tr("The PIN above is the initial password of this token, for its owner only."));
  line(
      tr("Before the token can be used, its owner must change it with: ecert-token change-pin (the current "
         "password is the PIN above; or give this file with --pin-file)."));
  line(tr("Keep this file secret, and delete it once the password has been changed."));
  return out;
}

SecretFile::SecretFile(const std::string& path) : path_(path) {
  fd_ = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd_ < 0)
    throw std::runtime_error(format(manager::tr("Cannot create %s: %s"), path.c_str(), std::strerror(errno)));
}

SecretFile::~SecretFile() {
  if (fd_ >= 0) close(fd_);
  if (!written_) unlink(path_.c_str());
}

void SecretFile::write(const SecureString& text) {
  const bool ok = ::write(fd_, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  const bool closed = close(fd_) == 0;
  fd_ = -1;
  if (!ok || !closed) throw std::runtime_error(format(manager::tr("Cannot write %s"), path_.c_str()));
  written_ = true;
}

std::optional<std::string> ask_line(const std::string& question) {
  auto line = read_terminal_line(question, true);
  if (!line) return std::nullopt;
  return std::string(line->begin(), line->end());
}

bool confirm(const std::string& question) {
  const auto answer = ask_line(question);
  if (!answer) return false;
  const std::string& a = *answer;
  return a == "y" || a == "Y" || a == "yes" || a == "YES" || a == manager::tr("yes");
}

}  // namespace ecert::cli
