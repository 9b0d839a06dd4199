// The certificates and other objects on a token, as the manager lists them,
// and choosing one by what a person would type.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "manager/certificate.h"
#include "manager/session.h"

namespace ecert::manager {

struct CertificateEntry {
  CK_OBJECT_HANDLE handle = CK_INVALID_HANDLE;
  std::string label;
  Bytes id;                                   // CKA_ID
  CK_ULONG category = 0;                      // CKA_CERTIFICATE_CATEGORY (0 unspecified, 1 user, 2 authority)
  bool trusted = false;                       // CKA_TRUSTED
  std::optional<bool> has_private_key;        // nullopt: private objects not visible (not logged in)
  std::optional<CertificateDetails> details;  // nullopt: the value is no certificate OpenSSL can read
  Bytes value;                                // CKA_VALUE
  std::vector<std::size_t> chain;             // indices of its CA chain in the same list
};

// Every X.509 certificate the session can see, with its chain among them.
// `logged_in` says whether private key presence can be known.
std::vector<CertificateEntry> list_certificates(Session& session, bool logged_in);

// The entry `which` names: a 1-based position in the list, a label, a CKA_ID
// in hex, or the start (>= 8 hex digits, colons optional) of a SHA-1 or
// SHA-256 fingerprint. Empty `which`: the only user certificate (category
// "token user" or one with its private key), else the only certificate.
// Throws UsageError(not_found / ambiguous).
const CertificateEntry& select_certificate(const std::vector<CertificateEntry>& entries, const std::string& which);

// Whether `entry`'s chain verifies up to a CA certificate among `entries`
// (basicConstraints cA, or stored as an authority certificate) at `now`.
// Throws CertificateError when `entry` is no readable certificate.
ChainVerification verify_on_token(const std::vector<CertificateEntry>& entries, const CertificateEntry& entry,
                                  std::int64_t now);

// Any object on the token, for `delete` (keys, certificates, data objects).
struct ObjectEntry {
  CK_OBJECT_HANDLE handle = CK_INVALID_HANDLE;
  CK_OBJECT_CLASS object_class = 0;
  std::optional<CK_KEY_TYPE> key_type;
  std::string label;
  Bytes id;
};
// The objects the session can see that a person can delete (the module's own
// profile and policy objects are left out).
std::vector<ObjectEntry> list_objects(Session& session);

// Hex, lowercase, no separators.
std::string to_hex(ByteView bytes);

}  // namespace ecert::manager
