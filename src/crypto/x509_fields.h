// The attributes a token derives from a certificate's DER (CKA_SUBJECT,
// CKA_ISSUER, CKA_SERIAL_NUMBER, CKA_PUBLIC_KEY_INFO), so they always agree
// with CKA_VALUE.
#pragma once

#include "common/bytes.h"

namespace ecert::crypto {

struct CertificateFields {
  Bytes subject;          // DER Name, exactly as encoded in the certificate
  Bytes issuer;           // DER Name
  Bytes serial_number;    // DER INTEGER (tag and length included)
  Bytes public_key_info;  // DER SubjectPublicKeyInfo
};

// Throws Error(CKR_ATTRIBUTE_VALUE_INVALID) unless `der` is exactly one DER
// X.509 certificate (no trailing bytes).
CertificateFields parse_certificate(ByteView der);

}  // namespace ecert::crypto
