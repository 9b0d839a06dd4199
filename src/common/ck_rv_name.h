// The CKR_ name of a PKCS#11 return value.
#pragma once

#include <string>

#include "ecert/pkcs11.h"

namespace ecert {

// "CKR_PIN_INCORRECT" for CKR_PIN_INCORRECT; nullptr for a value PKCS#11 3.0
// does not name.
const char* ck_rv_name(CK_RV rv) noexcept;
// The name, or for an unnamed value its hex ("0x00000123",
// "CKR_VENDOR_DEFINED+0x00000001").
std::string ck_rv_text(CK_RV rv);

}  // namespace ecert
