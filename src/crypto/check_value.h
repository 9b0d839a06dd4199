// CKA_CHECK_VALUE (PKCS#11 3.0, 4.6 and 4.10): the first 3 bytes of a value
// that lets a key or certificate be recognised without revealing it.
#pragma once

#include "common/bytes.h"

namespace ecert::crypto {

// A certificate's, or a generic secret key's: the first 3 bytes of the SHA-1
// of `value` (the DER certificate, the key value).
SecureBytes sha1_check_value(ByteView value);
// An AES key's: the first 3 bytes of one all-zero block encrypted under the
// key with AES-ECB. `key` is 16, 24 or 32 bytes.
SecureBytes aes_check_value(ByteView key);

}  // namespace ecert::crypto
