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
// Blocks for as long as the person takes: callers must not hold a lock others
// need meanwhile (see protected_path.cpp).
#pragma once

#include <signal.h>

#include <optional>
#include <string>

#include "common/bytes.h"

struct assuan_context_s;

namespace ecert::token {

class Pinentry {
 public:
  // Starts the program and tells it the window title and, as gpg-agent does,
  // the terminal (OPTION ttyname / ttytype: $GPG_TTY or the tty of stdin,
  // stdout or stderr; $TERM), the X display ($DISPLAY) and the locale
  // (lc-ctype, lc-messages from LC_ALL / LC_CTYPE / LC_MESSAGES / LANG).
  // CKR_FUNCTION_FAILED when there is no such program or it does not answer.
  explicit Pinentry(const std::string& title);
  ~Pinentry();
  Pinentry(const Pinentry&) = delete;
  Pinentry& operator=(const Pinentry&) = delete;

  // Asks for one password. `error` (shown in the dialog, e.g. "Wrong
  // password") may be empty. An empty answer is returned as it is.
  // CKR_FUNCTION_CANCELED when the person cancels (or the dialog times out),
  // CKR_FUNCTION_FAILED when the program fails.
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

 private:
  // Sends one command; the Assuan error code (0 = OK).
  unsigned transact(const std::string& command);
  SecureBytes getpin(bool* repeated);

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
};

// The Assuan escaping of a command argument: %, CR, LF and other control
// characters as %XX.
std::string assuan_escape(const std::string& text);

}  // namespace ecert::token
