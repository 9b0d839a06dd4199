// The names of PKCS#11 constants other than return values (those are in
// ck_rv_name.h): attribute types, mechanisms, object classes, key and
// certificate types, user types, session states and MGFs. For the module's
// call trace and anything else that prints them.
#pragma once

#include "ecert/pkcs11.h"

namespace ecert {

// "CKA_MODULUS_BITS" for CKA_MODULUS_BITS, and so on; nullptr for a value
// the headers do not name (a 3.0 constant p11-kit's header lacks, a vendor's).
// Vendor-defined names known here: NSS's (CKO_NSS_TRUST, CKA_TRUST_*, ...)
// and ecert-token's own (CKO_ECERT_POLICY, CKA_ECERT_*).
const char* ck_attribute_name(CK_ATTRIBUTE_TYPE type) noexcept;
const char* ck_mechanism_name(CK_MECHANISM_TYPE type) noexcept;
const char* ck_object_class_name(CK_OBJECT_CLASS cls) noexcept;
const char* ck_key_type_name(CK_KEY_TYPE type) noexcept;
const char* ck_certificate_type_name(CK_CERTIFICATE_TYPE type) noexcept;
const char* ck_user_type_name(CK_USER_TYPE type) noexcept;
const char* ck_state_name(CK_STATE state) noexcept;
const char* ck_mgf_name(CK_RSA_PKCS_MGF_TYPE mgf) noexcept;

}  // namespace ecert
