// Parsing a certificate's DER in the module's own library context (d2i_X509
// would use the default one) and refusing anything that is not exactly DER,
// so that the derived CKA_SUBJECT, CKA_ISSUER, CKA_SERIAL_NUMBER and
// CKA_PUBLIC_KEY_INFO always match CKA_VALUE byte for byte.
#include "crypto/x509_fields.h"

#include <algorithm>
#include <climits>

#include <openssl/asn1.h>
#include <openssl/x509.h>

#include "common/error.h"
#include "crypto/ossl_util.h"

namespace ecert::crypto {

CertificateFields parse_certificate(ByteView der) {
  require(!der.empty() && der.size() <= LONG_MAX, CKR_ATTRIBUTE_VALUE_INVALID, "no certificate");
  const unsigned char* p = der.data();
  // d2i_X509 would decode the subject key in OpenSSL's default context, where
  // an application's configuration may load providers; decode in ours.
  X509Ptr cert(reinterpret_cast<X509*>(
      ASN1_item_d2i_ex(nullptr, &p, static_cast<long>(der.size()), ASN1_ITEM_rptr(X509), started_libctx(), nullptr)));
  ossl_check(cert != nullptr, "not a certificate", CKR_ATTRIBUTE_VALUE_INVALID);
  require(p == der.data() + der.size(), CKR_ATTRIBUTE_VALUE_INVALID, "bytes after the certificate");

  // OpenSSL's decoder also accepts some BER. The signed part is re-emitted
  // verbatim, so re-encoding catches BER in the outer layers.
  Bytes reencoded = i2d_bytes(cert.get(), i2d_X509);
  require(std::ranges::equal(reencoded, der), CKR_ATTRIBUTE_VALUE_INVALID, "certificate is not DER");

  CertificateFields out;
  out.subject = i2d_bytes(X509_get_subject_name(cert.get()), i2d_X509_NAME);
  out.issuer = i2d_bytes(X509_get_issuer_name(cert.get()), i2d_X509_NAME);
  out.serial_number = i2d_bytes(X509_get0_serialNumber(cert.get()), i2d_ASN1_INTEGER);
  out.public_key_info = i2d_bytes(X509_get_X509_PUBKEY(cert.get()), i2d_X509_PUBKEY);
  return out;
}

}  // namespace ecert::crypto
