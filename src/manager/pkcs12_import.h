// Importing an e-Cert delivered as a PKCS#12 file (.p12/.pfx): the private
// key, its public key, the certificate and the CA certificates in the file
// become token objects, paired by one CKA_ID as NSS's pk12util pairs them.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "manager/key_objects.h"
#include "manager/session.h"

namespace ecert::manager {

// Stores the key and certificates of the DER PKCS#12 `p12` on the token of
// `user_session`, which must be a read/write session with the user logged in.
//
// Label of the key pair and certificate: `label` if given (and not empty),
// else the file's friendlyName, else the certificate's subject CN. CKA_ID:
// public_key_id() of the key. The private key is sensitive and not
// extractable from then on. CA certificates get category "authority",
// CKA_TRUSTED false, their own key's id and their CN as label; those already
// on the token (same DER) are skipped.
//
// OpenSSL 3's own files (AES-256-CBC, PBKDF2) and 3DES need only OpenSSL's
// default provider. Older files (RC2-40 certificate bags: OpenSSL 1.x,
// Windows) need its legacy provider, which is then loaded into the default
// library context of this process and kept; where it is not installed such
// files fail with not_supported.
//
// All or nothing: if any object cannot be created, those created before it
// are destroyed and the error is rethrown.
//
// Throws UsageError:
//   bad_password   the password does not open the file
//   bad_input      not a PKCS#12 file; no private key or no certificate for
//                  it; key and certificate do not match; a key or
//                  certificate with that CKA_ID is already on the token
//   not_supported  a key type the token cannot hold, or an encryption
//                  algorithm this OpenSSL cannot decrypt
// and P11Error when the token refuses a call.
ImportResult import_pkcs12(Session& user_session, ByteView p12, std::string_view password,
                           std::optional<std::string> label);

// The same in two steps, so that a front end knows the file is a PKCS#12
// file with a key and its certificate, and that its password is right,
// before it asks for the token password: open_pkcs12() throws the
// UsageErrors above that do not depend on the token; import_pkcs12() stores
// what it opened.
class OpenedPkcs12 {
 public:
  struct Parts;
  explicit OpenedPkcs12(std::unique_ptr<Parts> parts);
  OpenedPkcs12(OpenedPkcs12&&) noexcept;
  ~OpenedPkcs12();
  const Parts& parts() const { return *parts_; }

 private:
  std::unique_ptr<Parts> parts_;
};
OpenedPkcs12 open_pkcs12(ByteView p12, std::string_view password);
ImportResult import_pkcs12(Session& user_session, const OpenedPkcs12& opened, std::optional<std::string> label);

}  // namespace ecert::manager
