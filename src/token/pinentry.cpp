// The pinentry conversation of pinentry.h: the program looked up in absolute
// directories only and started with the locale, terminal and options gpg-agent
// gives it, the GETPIN exchanges for a PIN and for a confirmed new PIN, and
// the guards around libassuan: allocators that wipe what a password passed
// through, no logging, SIGPIPE blocked on the talking thread, and a deadline
// on every read and on the final wait for the program.
#include "token/pinentry.h"

#include <assuan.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstddef>
#include <cstdio>
#include <cstring>
#include <string_view>

#include "common/error.h"
#include "common/translate.h"

namespace ecert::token {
namespace {

// The most a pinentry may send for one password (the token's PINs are at
// most 256 bytes; this only bounds a misbehaving program).
constexpr std::size_t kMaxAnswer = 4096;

// ---- libassuan's memory: every block is wiped when freed ----
// The context holds the lines read from the program, a password among them,
// so its allocations carry their size in front and are wiped on free.

constexpr std::size_t kHeader = alignof(std::max_align_t);

void* wiping_malloc(std::size_t n) {
  auto* base = static_cast<unsigned char*>(std::malloc(kHeader + n));
  if (base == nullptr) return nullptr;
  std::memcpy(base, &n, sizeof n);
  return base + kHeader;
}

void wiping_free(void* p) {
  if (p == nullptr) return;
  unsigned char* base = static_cast<unsigned char*>(p) - kHeader;
  std::size_t n = 0;
  std::memcpy(&n, base, sizeof n);
  secure_wipe(p, n);
  std::free(base);
}

void* wiping_realloc(void* p, std::size_t n) {
  if (p == nullptr) return wiping_malloc(n);
  std::size_t old = 0;
  std::memcpy(&old, static_cast<unsigned char*>(p) - kHeader, sizeof old);
  void* fresh = wiping_malloc(n);
  if (fresh == nullptr) return nullptr;
  std::memcpy(fresh, p, old < n ? old : n);
  wiping_free(p);
  return fresh;
}

assuan_malloc_hooks g_wiping_hooks = {wiping_malloc, wiping_realloc, wiping_free};

// libassuan's log: nothing, ever (ASSUAN_DEBUG in the environment would
// otherwise make the default handler log the conversation).
int no_log(assuan_context_t, void*, unsigned int, const char*) { return 0; }

// ---- callbacks of GETPIN ----

struct Answer {
  SecureBytes pin;
  bool too_long = false;
  bool repeated = false;
};

gpg_error_t on_data(void* opaque, const void* buffer, std::size_t length) {
  auto* answer = static_cast<Answer*>(opaque);
  if (answer->pin.size() + length > kMaxAnswer) {
    answer->too_long = true;
    return gpg_error(GPG_ERR_TOO_LARGE);
  }
  const auto* bytes = static_cast<const std::uint8_t*>(buffer);
  answer->pin.insert(answer->pin.end(), bytes, bytes + length);
  return 0;
}

gpg_error_t on_status(void* opaque, const char* line) {
  auto* answer = static_cast<Answer*>(opaque);
  std::string_view s(line);
  if (s == "PIN_REPEATED" || s.starts_with("PIN_REPEATED ")) answer->repeated = true;
  return 0;
}

[[noreturn]] void fail_with(gpg_error_t rc) {
  switch (gpg_err_code(rc)) {
    case GPG_ERR_CANCELED:
    case GPG_ERR_FULLY_CANCELED:
    case GPG_ERR_TIMEOUT:
      fail(CKR_FUNCTION_CANCELED, "pinentry: cancelled");
    default:
      fail(CKR_FUNCTION_FAILED, "pinentry failed");
  }
}

// In the child between fork and exec: the program starts with the
// application's signal mask, not with SIGPIPE blocked (sigprocmask is
// async-signal-safe).
void restore_child_mask(void* opaque, int) {
  ::pthread_sigmask(SIG_SETMASK, static_cast<const sigset_t*>(opaque), nullptr);
}

// A locale category's value as the C library would take it from the
// environment: LC_ALL, else the category's variable, else LANG.
std::string locale_of(const char* category) {
  for (const char* name : {"LC_ALL", category, "LANG"}) {
    if (const char* v = ::getenv(name); v != nullptr && *v != '\0') return v;
  }
  return {};
}

bool executable(const std::string& path) { return ::access(path.c_str(), X_OK) == 0; }

// The terminal pinentry-curses should use, as gpg-agent passes it: $GPG_TTY
// (GnuPG users set it), else the terminal of stdin, stdout or stderr.
std::string terminal_name() {
  if (const char* tty = ::secure_getenv("GPG_TTY"); tty != nullptr && *tty != '\0') return tty;
  char name[256];
  for (int fd : {STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO}) {
    if (::isatty(fd) && ::ttyname_r(fd, name, sizeof name) == 0) return name;
  }
  return {};
}

}  // namespace

std::string assuan_escape(const std::string& text) {
  std::string out;
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '%' || c < 0x20 || c == 0x7F) {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", c);
      out += hex;
    } else {
      out += ch;
    }
  }
  return out;
}

std::string Pinentry::program() {
  const char* configured = ::secure_getenv("ECERT_PINENTRY");
  std::string name = configured != nullptr && *configured != '\0' ? configured : "pinentry";
  // A relative path or PATH entry (an empty entry is the current directory)
  // would let whoever can write to the application's current directory (a
  // browser's download folder, say) choose the program that gets the password.
  if (name.find('/') != std::string::npos) {
    return name.front() == '/' && executable(name) ? name : std::string();
  }
  const char* path = ::secure_getenv("PATH");
  std::string_view dirs = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
  while (true) {
    std::size_t colon = dirs.find(':');
    std::string dir(dirs.substr(0, colon));
    if (!dir.empty() && dir.front() == '/') {
      std::string candidate = dir + "/" + name;
      if (executable(candidate)) return candidate;
    }
    if (colon == std::string_view::npos) break;
    dirs.remove_prefix(colon + 1);
  }
  return {};
}

std::chrono::seconds Pinentry::timeout() {
  const char* value = ::secure_getenv("ECERT_PINENTRY_TIMEOUT");
  if (value == nullptr) return kDefaultPinentryTimeout;
  // Digits only (strtol would take spaces, signs and trailing junk), and
  // few enough of them not to overflow.
  std::string_view text(value);
  if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string_view::npos) {
    return kDefaultPinentryTimeout;
  }
  std::chrono::seconds seconds(std::stol(std::string(text)));
  if (seconds < kMinPinentryTimeout || seconds > kMaxPinentryTimeout) return kDefaultPinentryTimeout;
  return seconds;
}

// libassuan reads without a time limit and waits for the program with a
// blocking waitpid(), so a pinentry that never answers, or never exits, would
// hold the calling thread (and, through the token's prompt lock, every later
// no-PIN call) for good. Its system hooks let the reads of this context wait
// only until the deadline and the final wait kill a program that lingers.
struct PinentryIo {
  static ssize_t read(assuan_context_t ctx, assuan_fd_t fd, void* buffer, std::size_t size) {
    auto* self = static_cast<Pinentry*>(assuan_get_pointer(ctx));
    if (self != nullptr && !self->wait_readable(fd)) {
      errno = ETIMEDOUT;
      return -1;
    }
    return __assuan_read(ctx, fd, buffer, size);
  }

  static pid_t waitpid(assuan_context_t ctx, pid_t pid, int nowait, int* status, int options) {
    if (nowait != 0 || pid <= 0) return __assuan_waitpid(ctx, pid, nowait, status, options);
    // The pipes are closed by now: a pinentry ends on EOF at once.
    const auto give_up = std::chrono::steady_clock::now() + kExitGrace;
    while (true) {
      pid_t done = ::waitpid(pid, status, options | WNOHANG);
      if (done != 0 && !(done < 0 && errno == EINTR)) return done;
      if (std::chrono::steady_clock::now() >= give_up) break;
      const timespec pause{0, 10 * 1000 * 1000};
      ::nanosleep(&pause, nullptr);
    }
    ::kill(pid, SIGKILL);
    pid_t done;
    do {
      done = ::waitpid(pid, status, options);
    } while (done < 0 && errno == EINTR);
    return done;
  }
};

void Pinentry::arm() { deadline_ = std::chrono::steady_clock::now() + timeout_ + kAnswerGrace; }

bool Pinentry::wait_readable(int fd) {
  if (timed_out_) return false;
  while (true) {
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline_ - std::chrono::steady_clock::now());
    if (left.count() > 0) {
      pollfd p{fd, POLLIN, 0};
      int n = ::poll(&p, 1, static_cast<int>(left.count()));
      // Readable, at EOF or in error: read() says which.
      if (n > 0 || (n < 0 && errno != EINTR)) return true;
      if (n < 0) continue;
    }
    if (std::chrono::steady_clock::now() < deadline_) continue;
    timed_out_ = true;
    // Killed here, reaped by the waitpid hook when the context is released.
    // Never kill() a pid that is not a child's: -1 would signal every process.
    if (pid_t pid = assuan_get_pid(ctx_); pid > 0) ::kill(pid, SIGKILL);
    return false;
  }
}

void Pinentry::fail_for(unsigned rc) {
  if (timed_out_) fail(CKR_FUNCTION_CANCELED, "pinentry: no answer before the deadline");
  fail_with(rc);
}

// Writing to a pinentry that died raises SIGPIPE, which by default kills the
// application. libassuan sets SIGPIPE to SIG_IGN for the whole process the
// first time it starts a program if it is SIG_DFL then; not to depend on
// that (or on nobody resetting it), the thread that talks to the program
// blocks SIGPIPE meanwhile and discards one it raised itself.
Pinentry::SigpipeBlock::SigpipeBlock() {
  sigset_t pipe;
  sigemptyset(&pipe);
  sigaddset(&pipe, SIGPIPE);
  ::pthread_sigmask(SIG_BLOCK, &pipe, &old_mask);
  sigset_t pending;
  sigemptyset(&pending);
  ::sigpending(&pending);
  was_pending = sigismember(&pending, SIGPIPE) == 1;
}

Pinentry::SigpipeBlock::~SigpipeBlock() {
  if (!was_pending && !sigismember(&old_mask, SIGPIPE)) {
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    const timespec zero{0, 0};
    while (::sigtimedwait(&pipe, nullptr, &zero) == SIGPIPE) {
    }
  }
  ::pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
}

Pinentry::Pinentry(const std::string& title) : timeout_(timeout()) {
  const std::string path = program();
  if (path.empty()) fail(CKR_FUNCTION_FAILED, "no pinentry program");
  assuan_context_t ctx = nullptr;
  if (assuan_new_ext(&ctx, GPG_ERR_SOURCE_DEFAULT, &g_wiping_hooks, no_log, nullptr) != 0) {
    fail(CKR_HOST_MEMORY, "assuan_new_ext");
  }
  ctx_ = ctx;
  assuan_set_pointer(ctx_, this);
  // The library's own functions but for reading and waiting (PinentryIo).
  assuan_system_hooks hooks = {ASSUAN_SYSTEM_HOOKS_VERSION,
                               __assuan_usleep,
                               __assuan_pipe,
                               __assuan_close,
                               PinentryIo::read,
                               __assuan_write,
                               __assuan_recvmsg,
                               __assuan_sendmsg,
                               __assuan_spawn,
                               PinentryIo::waitpid,
                               __assuan_socketpair,
                               __assuan_socket,
                               __assuan_connect};
  assuan_ctx_set_system_hooks(ctx_, &hooks);
  arm();  // for the greeting
  // The program keeps stdin/stdout (the Assuan pipes) and stderr (where a
  // pinentry says why it cannot show a dialog); every other descriptor of
  // the application is closed in the child before exec.
  const char* argv[] = {path.c_str(), nullptr};
  assuan_fd_t keep[] = {STDERR_FILENO, ASSUAN_INVALID_FD};
  if (assuan_pipe_connect(ctx_, path.c_str(), argv, keep, restore_child_mask, &sigpipe_.old_mask, 0) != 0) {
    assuan_release(ctx_);
    ctx_ = nullptr;
    if (timed_out_) fail(CKR_FUNCTION_CANCELED, "pinentry: no greeting before the deadline");
    fail(CKR_FUNCTION_FAILED, "pinentry did not start");
  }
  // Options a pinentry may not know are not errors (gpg-agent ignores them too).
  if (std::string tty = terminal_name(); !tty.empty()) {
    transact("OPTION ttyname=" + assuan_escape(tty));
    if (const char* term = ::getenv("TERM"); term != nullptr && *term != '\0') {
      transact("OPTION ttytype=" + assuan_escape(term));
    }
  }
  if (const char* display = ::getenv("DISPLAY"); display != nullptr && *display != '\0') {
    transact("OPTION display=" + assuan_escape(display));
  }
  // The character set pinentry-curses converts our UTF-8 text to.
  if (std::string ctype = locale_of("LC_CTYPE"); !ctype.empty()) transact("OPTION lc-ctype=" + assuan_escape(ctype));
  if (std::string messages = locale_of("LC_MESSAGES"); !messages.empty()) {
    transact("OPTION lc-messages=" + assuan_escape(messages));
  }
  // gpg-agent's way to bound a dialog; the deadline above covers a program
  // that ignores it. Older pinentries that do not know it answer ERR.
  transact("SETTIMEOUT " + std::to_string(timeout_.count()));
  if (unsigned rc = transact("SETTITLE " + assuan_escape(title)); rc != 0) {
    assuan_release(ctx_);
    ctx_ = nullptr;
    fail_for(rc);
  }
}

Pinentry::~Pinentry() {
  // Closes the pipes (the program ends on EOF) and waits for it
  // (PinentryIo::waitpid).
  if (ctx_ != nullptr) assuan_release(ctx_);
}

unsigned Pinentry::transact(const std::string& command) {
  // The program is gone after the deadline: nothing more is sent.
  if (timed_out_) return gpg_error(GPG_ERR_TIMEOUT);
  arm();
  return assuan_transact(ctx_, command.c_str(), nullptr, nullptr, nullptr, nullptr, nullptr, nullptr);
}

SecureBytes Pinentry::getpin(bool* repeated) {
  if (timed_out_) fail(CKR_FUNCTION_CANCELED, "pinentry: no answer before the deadline");
  Answer answer;
  arm();
  assuan_begin_confidential(ctx_);
  gpg_error_t rc = assuan_transact(ctx_, "GETPIN", on_data, &answer, nullptr, nullptr, on_status, &answer);
  assuan_end_confidential(ctx_);
  if (answer.too_long) fail(CKR_FUNCTION_FAILED, "pinentry sent too much");
  if (rc != 0) fail_for(rc);
  if (repeated != nullptr) *repeated = answer.repeated;
  return std::move(answer.pin);
}

SecureBytes Pinentry::get_pin(const std::string& description, const std::string& prompt, const std::string& error) {
  if (unsigned rc = transact("SETDESC " + assuan_escape(description)); rc != 0) fail_for(rc);
  if (unsigned rc = transact("SETPROMPT " + assuan_escape(prompt)); rc != 0) fail_for(rc);
  // The error applies to the next GETPIN only (pinentry forgets it after).
  if (!error.empty()) {
    if (unsigned rc = transact("SETERROR " + assuan_escape(error)); rc != 0) fail_for(rc);
  }
  return getpin(nullptr);
}

std::optional<SecureBytes> Pinentry::get_new_pin(const std::string& description, const std::string& prompt,
                                                 const std::string& confirm_prompt, const std::string& error) {
  bool asked_to_repeat = false;
  if (repeat_supported_) {
    // An older pinentry answers ERR: it is then asked twice.
    if (transact("SETREPEAT " + assuan_escape(confirm_prompt)) == 0) {
      asked_to_repeat = true;
      transact("SETREPEATERROR " + assuan_escape(tr("The two passwords are not the same.")));
    } else {
      repeat_supported_ = false;
    }
  }
  if (unsigned rc = transact("SETDESC " + assuan_escape(description)); rc != 0) fail_for(rc);
  if (unsigned rc = transact("SETPROMPT " + assuan_escape(prompt)); rc != 0) fail_for(rc);
  if (!error.empty()) {
    if (unsigned rc = transact("SETERROR " + assuan_escape(error)); rc != 0) fail_for(rc);
  }
  bool repeated = false;
  SecureBytes pin = getpin(&repeated);
  // Confirmed by the program, or empty (nothing to confirm: the rules refuse it).
  if ((asked_to_repeat && repeated) || pin.empty()) return pin;
  // The program did not compare (no SETREPEAT, or a flavour that accepts the
  // command without doing it): a second dialog.
  SecureBytes again = get_pin(description, confirm_prompt);
  if (!constant_time_equal(view(pin), view(again))) return std::nullopt;
  return pin;
}

}  // namespace ecert::token
