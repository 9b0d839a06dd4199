// The PKCS#11 objects the manager writes for a key pair and its certificates,
// built from OpenSSL keys and decoded certificates, and the bookkeeping the
// imports share: finding objects by CKA_ID, refusing duplicates, and undoing
// a half-done import. Every object is paired NSS's way: private key, public
// key and certificate carry one CKA_ID, public_key_id() of the key.
#pragma once

#include <openssl/evp.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "common/ossl_ptr.h"
#include "manager/attribute_template.h"
#include "manager/certificate.h"
#include "manager/session.h"

namespace ecert::manager {

// What an import (PKCS#12 or issued certificate) put on the token.
struct ImportResult {
  std::string label;                // CKA_LABEL of the key pair and its certificate (UTF-8)
  Bytes id;                         // their common CKA_ID
  bool key_stored = false;          // private and public key objects created
  bool certificate_stored = false;  // the owner's certificate created
  std::size_t ca_added = 0;         // CA certificates created
  std::size_t ca_skipped = 0;       // CA certificates already on the token (same DER)
};

// CKA_CERTIFICATE_CATEGORY values (PKCS#11 3.0, 4.6.2).
enum class CertificateCategory : CK_ULONG { unspecified = 0, token_user = 1, authority = 2, other_entity = 3 };

// CKA_EC_PARAMS of an EC key: the DER OBJECT IDENTIFIER of its named curve.
// Throws UsageError(not_supported) for a curve without an OID.
Bytes ec_params_der(const EVP_PKEY* key);
// CKA_EC_POINT: the uncompressed point 04||X||Y as a DER OCTET STRING.
Bytes ec_point_der(const EVP_PKEY* key);

// Templates for C_CreateObject. `subject` is the DER subject Name of the
// key's certificate (empty when there is none yet). The private key is a
// token object, private, sensitive and not extractable, so its components
// never come back out; RSA keys also decrypt (e-Cert encryption keys), EC keys
// only sign. The key material is copied into the template's wiped storage.
// Throws UsageError(not_supported) for key types other than RSA (two primes)
// and EC on a named curve.
AttributeTemplate private_key_template(const EVP_PKEY* key, ByteView id, std::string_view label, ByteView subject);
AttributeTemplate public_key_template(const EVP_PKEY* key, ByteView id, std::string_view label, ByteView subject);
// A public token object with the fields copied from the certificate. An
// authority certificate gets CKA_TRUSTED false: only the SO may mark a
// certificate trusted, and the manager does not.
AttributeTemplate certificate_template(const CertificateDetails& cert, ByteView id, std::string_view label,
                                       CertificateCategory category);

// The public key of a key object on the token (a public key, or a private key
// whose public components are readable: RSA modulus and exponent, EC point if
// the object has one), as an OpenSSL key in the default library context.
// Throws UsageError(not_supported) when the object does not give enough.
PkeyPtr public_key_of_object(Session& session, CK_OBJECT_HANDLE object);

// The objects of class `cls` whose CKA_ID is `id`.
std::vector<CK_OBJECT_HANDLE> find_by_id(Session& session, CK_OBJECT_CLASS cls, ByteView id);
// A CKA_LABEL value as text (empty when absent).
std::string label_of(Session& session, CK_OBJECT_HANDLE object);

// Objects an import has created, destroyed again (newest first) when the
// import fails part way: the token ends as it was or with everything. Call
// keep() once the last object is in.
class CreatedObjects {
 public:
  explicit CreatedObjects(Session& session) : session_(session) {}
  ~CreatedObjects();
  CreatedObjects(const CreatedObjects&) = delete;
  CreatedObjects& operator=(const CreatedObjects&) = delete;

  CK_OBJECT_HANDLE create(AttributeTemplate attributes);
  // An object made some other way (C_GenerateKeyPair) that is undone likewise.
  void adopt(CK_OBJECT_HANDLE object) { objects_.push_back(object); }
  void keep() { objects_.clear(); }

 private:
  Session& session_;
  std::vector<CK_OBJECT_HANDLE> objects_;
};

// Stores each authority certificate (label = its subject CN, CKA_ID = its
// key's id) unless the token has one with the same DER already, counting
// both in `result`.
void store_authority_certificates(Session& session, CreatedObjects& created,
                                  const std::vector<CertificateDetails>& authorities, ImportResult& result);

// The label a key pair gets when the caller gives none: `preferred` if not
// empty, else the certificate's subject CN, else its whole subject.
std::string default_label(std::string_view preferred, const CertificateDetails& cert);

}  // namespace ecert::manager
