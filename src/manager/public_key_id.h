// The CKA_ID that NSS (pk12util, certutil, Firefox) gives a key pair and its
// certificate, so objects the manager writes are paired the way NSS pairs
// them and a certificate finds its private key whichever tool stored it.
#pragma once

#include <openssl/evp.h>

#include "common/bytes.h"

namespace ecert::manager {

// SHA-1 of the RSA modulus (big-endian, no leading zero bytes) or of the EC
// public point as uncompressed octets 04||X||Y (not DER-wrapped). A compressed
// point is expanded first, as NSS stores points uncompressed. Returns an empty
// buffer for other key types (NSS has no rule we can follow for them) and for
// a null key.
Bytes public_key_id(const EVP_PKEY* key);

// public_key_id of the subject key of a DER certificate. Throws
// CertificateError (certificate.h) if `der` is not a certificate.
Bytes public_key_id_of_certificate(ByteView der);

}  // namespace ecert::manager
