// Pinentry: one conversation with a pinentry program (pinentry-gnome3,
// pinentry-qt, pinentry-curses, ...) over the Assuan protocol (libassuan),
// for the protected authentication path: the token asks the person for its
// password itself when the caller gives no PIN.
//
// The program is $ECERT_PINENTRY if set (an absolute path, or a name looked
// up in the absolute directories of PATH), else `pinentry` in PATH (Debian's
// alternatives link to the desktop's flavour). It is started when the object
// is made and ends with it. What the person types lives in SecureBytes;
// libassuan's own buffers are allocated through malloc hooks that wipe them
// when freed, the conversation is marked confidential and libassuan's logging
// is off for it, so a PIN is never logged.
//
// Blocks for as long as the person takes, up to timeout() per answer awaited
// (plus kAnswerGrace): callers must not hold a lock others need meanwhile
// (see protected_path.cpp).
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>

#include "common/bytes.h"

struct assuan_context_s;

namespace ecert::token {

// How long a person has for one dialog when $ECERT_PINENTRY_TIMEOUT is unset
// or not a whole number of seconds within the bounds below.
inline constexpr std::chrono::seconds kDefaultPinentryTimeout{120};
inline constexpr std::chrono::seconds kMinPinentryTimeout{1};
inline constexpr std::chrono::seconds kMaxPinentryTimeout{3600};
// The module waits this much longer than the timeout it gave the program, so
// that a pinentry honouring SETTIMEOUT closes its own window first.
inline constexpr std::chrono::seconds kAnswerGrace{2};
// How long the program may take to exit once its pipes are closed before it
// is killed.
inline constexpr std::chrono::seconds kExitGrace{3};

class Pinentry {
 public:
  // Starts the program and tells it the window title, the dialog timeout
  // (SETTIMEOUT, seconds: timeout()) and, as gpg-agent does, the terminal
  // (OPTION ttyname / ttytype: $GPG_TTY or the tty of stdin, stdout or
  // stderr; $TERM), the X display ($DISPLAY) and the locale (lc-ctype,
  // lc-messages from LC_ALL / LC_CTYPE / LC_MESSAGES / LANG).
  // CKR_FUNCTION_FAILED when there is no such program or it fails;
  // CKR_FUNCTION_CANCELED when it does not answer within the deadline.
  //
  // The deadline: every answer awaited from the program (its greeting, each
  // command's reply, each GETPIN) must come within timeout() + kAnswerGrace
  // of the request, whether or not the program honours SETTIMEOUT. At the
  // deadline the program is killed (SIGKILL) and reaped, and this call or
  // the pending get_pin()/get_new_pin() fails with CKR_FUNCTION_CANCELED;
  // nothing else is asked of it after that.
  explicit Pinentry(const std::string& title);
  // Ends the program: closes its pipes and reaps it, killed if it has not
  // exited kExitGrace later, so that no program outlives the call.
  ~Pinentry();
  Pinentry(const Pinentry&) = delete;
  Pinentry& operator=(const Pinentry&) = delete;

  // Asks for one password. `error` (shown in the dialog, e.g. "Wrong
  // password") may be empty. An empty answer is returned as it is.
  // CKR_FUNCTION_CANCELED when the person cancels, the dialog times out or
  // the deadline passes; CKR_FUNCTION_FAILED when the program fails.
  SecureBytes get_pin(const std::string& description, const std::string& prompt, const std::string& error = {});

  // Asks for a new password and its confirmation: in one dialog when the
  // program can compare them itself (SETREPEAT, pinentry >= 0.8.2), otherwise
  // with a second GETPIN. nullopt when the two differ.
  std::optional<SecureBytes> get_new_pin(const std::string& description, const std::string& prompt,
                                         const std::string& confirm_prompt, const std::string& error = {});

  // The program that would be run: $ECERT_PINENTRY or `pinentry`, resolved in
  // PATH; empty when there is none. Only absolute paths are taken: a relative
  // $ECERT_PINENTRY and relative or empty PATH entries (empty means the
  // current directory) are ignored, so the program that receives a password
  // never depends on the application's current directory.
  static std::string program();

  // The dialog timeout: $ECERT_PINENTRY_TIMEOUT (read with secure_getenv),
  // whole seconds from kMinPinentryTimeout to kMaxPinentryTimeout; anything
  // else, or unset: kDefaultPinentryTimeout.
  static std::chrono::seconds timeout();

 private:
  friend struct PinentryIo;

  // Sends one command; the Assuan error code (0 = OK).
  unsigned transact(const std::string& command);
  SecureBytes getpin(bool* repeated);
  // The next answer awaited is due by timeout() + kAnswerGrace from now.
  void arm();
  // Waits until `fd` can be read or the deadline passes; at the deadline,
  // ends the program and returns false.
  bool wait_readable(int fd);
  // Throws for an Assuan error: CKR_FUNCTION_CANCELED after the deadline
  // passed, otherwise as the error says.
  [[noreturn]] void fail_for(unsigned rc);

  // SIGPIPE blocked in this thread for the object's lifetime (pinentry.cpp).
  struct SigpipeBlock {
    SigpipeBlock();
    ~SigpipeBlock();
    sigset_t old_mask;
    bool was_pending = false;
  };
  SigpipeBlock sigpipe_;  // first: released last, after the program is gone
  assuan_context_s* ctx_ = nullptr;
  bool repeat_supported_ = true;
  std::chrono::seconds timeout_;
  std::chrono::steady_clock::time_point deadline_;
  bool timed_out_ = false;
};

// The Assuan escaping of a command argument: %, CR, LF and other control
// characters as %XX.
std::string assuan_escape(const std::string& text);

}  // namespace ecert::token
