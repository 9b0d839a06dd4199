// Decoding X.509 certificates for the token manager: the fields it shows, the
// attributes it writes (CKA_SUBJECT, CKA_ISSUER, CKA_SERIAL_NUMBER, CKA_ID),
// and the CA chain it stores next to an e-Cert. OpenSSL does all the X.509
// work; the text forms are the ones the `openssl` CLI prints, so what the
// manager shows can be checked against `openssl x509`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/bytes.h"

namespace ecert::manager {

// Bytes that are not what was promised (a certificate, PEM with one). what()
// is plain English, fit to show the user.
class CertificateError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct CertificateDetails {
  // RFC 2253 with UTF-8 kept: what `openssl x509 -noout -subject -nameopt
  // RFC2253,-esc_msb` prints after "subject=" (most specific RDN first).
  std::string subject;
  std::string issuer;               // same form
  std::string subject_common_name;  // UTF-8, whatever string type encodes it; the last CN if several; empty if none
  std::string subject_email;        // the emailAddress RDN (the last if several); empty if none
  // Serial as lowercase colon-separated hex ("01:23:ab"), always: `openssl x509
  // -text` prints serials that fit a long in decimal instead, which the
  // manager does not copy. A negative serial (invalid, but seen) gets a "-".
  std::string serial_hex;
  std::string serial_plain;  // uppercase hex without colons, as `openssl x509 -noout -serial` prints it
  std::int64_t not_before = 0, not_after = 0;  // seconds since the epoch (UTC)
  std::string key_type;                        // "RSA", "EC", or OpenSSL's name of the key type
  int key_bits = 0;                            // RSA modulus bits, EC field bits, else OpenSSL's bits
  std::string curve;                           // EC: NIST name ("P-256") if it has one, else OpenSSL's short name
  // Key usage bits by the names `openssl x509 -text` prints ("Digital
  // Signature", "Non Repudiation", ...), in its order; empty without the
  // extension.
  std::vector<std::string> key_usage;
  // OpenSSL's long names ("TLS Web Client Authentication"), dotted OID when unknown.
  std::vector<std::string> extended_key_usage;
  std::vector<std::string> policies;         // certificatePolicies OIDs, always dotted
  std::vector<std::string> email_addresses;  // subjectAltName rfc822Name entries
  std::vector<std::string> dns_names;        // subjectAltName dNSName entries
  bool is_ca = false;                        // basicConstraints cA
  // "AB:CD:..." uppercase, as `openssl x509 -noout -fingerprint [-sha256]` prints.
  std::string sha1_fingerprint, sha256_fingerprint;
  Bytes der;                      // the certificate as given
  Bytes subject_der, issuer_der;  // DER Names, as encoded in the certificate
  Bytes serial_der;               // DER INTEGER of the serial, tag and length included
  Bytes key_id;                   // public_key_id() of the subject key (empty for key types NSS has no rule for)

  // Whole days from `now` to not_after, rounded down (towards minus
  // infinity); negative once expired.
  long days_left(std::int64_t now) const;
  // True once `now` is past not_after (the last second of validity is still valid).
  bool expired(std::int64_t now) const;
  // Where `now` falls in [not_before, not_after] (both ends valid).
  enum class Validity { not_yet_valid, valid, expired };
  Validity validity(std::int64_t now) const;
};

// Whether a certificate's chain verifies (OpenSSL's X509_verify_cert) up to
// a CA certificate the caller trusts, at a given time.
struct ChainVerification {
  bool verified = false;
  int error = 0;           // X509_V_ERR_* when not verified
  int error_depth = 0;     // 0 the certificate itself, 1 its issuer, ...
  std::string error_text;  // OpenSSL's English words for `error`
  std::string anchor;      // the subject of the CA it verified up to (as `subject`)
};

// Verifies `cert` against the CA certificates `cas` (each trusted as an end
// of the chain, self-signed or not) at `now`: names, signatures, CA
// constraints and the CAs' validity periods. The certificate's own validity
// period is not part of it (CertificateDetails::validity() reports that), so
// an expired e-Cert with a sound chain still says its chain verifies.
ChainVerification verify_chain(const CertificateDetails& cert, const std::vector<const CertificateDetails*>& cas,
                               std::int64_t now);

// Decodes one DER certificate; trailing bytes are refused. Throws
// CertificateError for anything else, including an empty buffer.
CertificateDetails decode_certificate(ByteView der);

// The certificates in a file: PEM ("CERTIFICATE" blocks, other blocks such as
// keys skipped; several allowed) or a single DER certificate. Each is returned
// as the DER bytes found, unchanged. Throws CertificateError if there is none
// or if a certificate block is damaged.
std::vector<Bytes> read_certificates(ByteView pem_or_der);

// PEM "CERTIFICATE" block of `der` (encoded as given, not checked).
std::string to_pem(ByteView der);

// The CA chain of `leaf` among `candidates`, as indices into `candidates`: the
// leaf's issuer first, then its issuer, and so on. A link needs both the name
// (issuer name == subject name, as DER) and the signature (verified with the
// candidate's key), so a certificate that merely carries the CA's name is not
// taken. Stops at a self-signed certificate (not included after itself), at
// a missing link, or where the chain would loop; the leaf itself, or another
// copy of a certificate already in the chain, is never added.
std::vector<std::size_t> chain_of(const CertificateDetails& leaf, const std::vector<CertificateDetails>& candidates);

}  // namespace ecert::manager
