// The one error type of the module: every layer throws ecert::Error carrying
// the CK_RV that the PKCS#11 caller must see; the C ABI layer turns it into the
// return value. Anything else that escapes becomes CKR_GENERAL_ERROR there.
#pragma once

#include <exception>

#include "ecert/pkcs11.h"

namespace ecert {

class Error : public std::exception {
 public:
  // `why` must be a string literal (it is not copied); it is for debugging and
  // tests, never shown with secrets in it.
  explicit Error(CK_RV rv, const char* why = "") noexcept : rv_(rv), why_(why) {}
  CK_RV rv() const noexcept { return rv_; }
  const char* what() const noexcept override { return why_; }

 private:
  CK_RV rv_;
  const char* why_;
};

[[noreturn]] inline void fail(CK_RV rv, const char* why = "") { throw Error(rv, why); }

// Throws Error(rv) unless `condition` holds.
inline void require(bool condition, CK_RV rv, const char* why = "") {
  if (!condition) fail(rv, why);
}

}  // namespace ecert
