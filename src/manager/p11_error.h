// The errors the manager library throws. The front ends (CLI, GUI) turn them
// into plain-language messages (messages.h) and exit codes; no CKR_ name is
// meant to reach a user.
#pragma once

#include <stdexcept>
#include <string>

#include "ecert/pkcs11.h"

namespace ecert::manager {

// A PKCS#11 call failed. `function` is the C_* name, for --verbose and logs.
class P11Error : public std::runtime_error {
 public:
  P11Error(CK_RV rv, const char* function)
      : std::runtime_error(std::string(function) + " failed"), rv_(rv), function_(function) {}
  CK_RV rv() const noexcept { return rv_; }
  const char* function() const noexcept { return function_; }

 private:
  CK_RV rv_;
  const char* function_;
};

// Throws P11Error unless rv is CKR_OK.
inline void check(CK_RV rv, const char* function) {
  if (rv != CKR_OK) throw P11Error(rv, function);
}

// The module file could not be loaded or is no PKCS#11 module.
class ModuleLoadError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What the user asked for does not fit the token or the input: no such token
// or object, an ambiguous choice, a file that is no PKCS#12... `kind` lets a
// front end pick its message and exit code; what() is English detail.
class UsageError : public std::runtime_error {
 public:
  enum class Kind {
    no_token,        // no token (in that slot / with that label)
    several_tokens,  // a choice is needed
    not_found,       // no such object / certificate
    ambiguous,       // the name matches several objects
    bad_input,       // a file or value that cannot be used
    bad_password,    // a file's password (PKCS#12) is wrong
    not_supported,   // the token or module cannot do it
    usage,           // the command line asks for something impossible (front ends: a usage error)
  };
  UsageError(Kind kind, const std::string& detail) : std::runtime_error(detail), kind_(kind) {}
  Kind kind() const noexcept { return kind_; }

 private:
  Kind kind_;
};

}  // namespace ecert::manager
