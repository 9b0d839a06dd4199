// Getting a certificate for a key made on the token: generate the key pair
// there, write a PKCS#10 request signed by the token (the private key never
// leaves it), and store the certificate the CA sends back beside the key.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "manager/key_objects.h"
#include "manager/session.h"

namespace ecert::manager {

enum class KeySpec { rsa_2048, rsa_3072, rsa_4096, ec_p256, ec_p384 };

// "rsa2048", "rsa3072", "rsa4096", "p256", "p384" (the names the CLI takes),
// case-insensitive; nullopt for anything else.
std::optional<KeySpec> parse_key_spec(std::string_view name);
std::string_view key_spec_name(KeySpec spec);

struct GeneratedKey {
  CK_OBJECT_HANDLE private_key = CK_INVALID_HANDLE;
  CK_OBJECT_HANDLE public_key = CK_INVALID_HANDLE;
  Bytes id;  // public_key_id() of the new key, set as CKA_ID on both objects
  std::string label;
};

// Generates a key pair on the token of `user_session` (read/write, user
// logged in): token objects labelled `label`; the private key private,
// sensitive, not extractable, signing (RSA: also decrypting); the public key
// verifying (RSA: also encrypting). RSA keys use the exponent 65537. The
// CKA_ID is computed from the public key the token made, as NSS would, and
// set on both objects afterwards; if that fails the pair is destroyed.
// Throws P11Error when the token refuses (CKR_MECHANISM_INVALID, ...).
GeneratedKey generate_key_pair(Session& user_session, KeySpec spec, std::string label);

// The subject of a request, field by field: the values are UTF-8 and are
// stored as given (no DN syntax is parsed, so commas or '=' in a name are just
// characters). Empty fields are left out; common_name is required and country
// must be two letters. The Name is written C, O, OU, CN, emailAddress, with
// C as PrintableString, emailAddress as IA5String and the rest as UTF8String,
// as RFC 5280 asks of new certificates.
struct RequestSubject {
  std::string common_name;
  std::string organization;
  std::string organizational_unit;
  std::string country;
  std::string email;
};

// A PEM PKCS#10 request ("CERTIFICATE REQUEST") for the key pair whose
// CKA_ID is `key_id`, signed on the token: sha256WithRSAEncryption for RSA
// keys, ecdsa-with-SHA256 for P-256 and ecdsa-with-SHA384 for P-384 (the hash
// that matches the curve's strength). The public key is read from the public
// key object (or the private key object when there is none). The request is
// verified with OpenSSL before it is returned.
// Throws UsageError: not_found (no private key with that id), ambiguous
// (several), bad_input (a subject field OpenSSL refuses, such as a country
// that is not two letters, or no common name), not_supported (a key type or
// curve the request cannot be made for); P11Error when the token refuses;
// std::runtime_error when the token's signature does not verify (a faulty
// token, or a public key object that does not belong to the private key).
std::string make_certificate_request(Session& user_session, const Bytes& key_id, const RequestSubject& subject);

// Stores an issued certificate (DER, or PEM with one or more certificates)
// beside its private key: the key whose CKA_ID is public_key_id() of the
// certificate. The certificate gets that CKA_ID, category "token user", and
// `label` if given, else the key's label (else its subject CN). Other
// certificates in a PEM file are stored as CA certificates when they are in
// the certificate's chain (chain_of), and ignored otherwise.
// Throws UsageError: bad_input (no certificate in the data, or a certificate
// for that key already on the token), not_found (no certificate has its key
// on the token), ambiguous (several have); P11Error when the token refuses.
ImportResult import_certificate(Session& user_session, ByteView cert_der_or_pem, std::optional<std::string> label);

}  // namespace ecert::manager
