// Outcome of one step of the benchmark. Errors never abort the whole run:
// they travel up to the report, which shows them in place of a number.
#pragma once

#include <string>

#include "p11.h"

class Status {
 public:
  enum class Kind { ok, pkcs11, openssl, other };

  static Status ok() { return Status(); }
  static Status ck(const char* function, CK_RV rv);
  // Takes (and clears) the OpenSSL error queue of the calling thread.
  static Status ssl(const char* function);
  static Status fail(std::string message);

  bool is_ok() const { return kind_ == Kind::ok; }
  Kind kind() const { return kind_; }
  CK_RV rv() const { return code_; }

  // Short form for a table cell, e.g. "error 0x70".
  std::string cell() const;
  // Long form for the notes, e.g. "C_SignInit: 0x00000070 CKR_MECHANISM_INVALID".
  std::string describe() const;

 private:
  Kind kind_ = Kind::ok;
  std::string where_;
  unsigned long code_ = 0;
};
