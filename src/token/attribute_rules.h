// The attribute rules of the PKCS#11 specification, as data: for every object
// class (and key type) which attributes exist, which are required, their
// defaults, which may be given at creation, which may be changed afterwards and
// how (CKA_SENSITIVE only to TRUE, CKA_EXTRACTABLE only to FALSE, ...), and
// which are secret. One generic routine per question reads the tables; nothing
// else in the module decides these questions.
//
// All functions throw ecert::Error with the CK_RV the specification lists:
// CKR_TEMPLATE_INCOMPLETE, CKR_TEMPLATE_INCONSISTENT, CKR_ATTRIBUTE_READ_ONLY,
// CKR_ATTRIBUTE_TYPE_INVALID, CKR_ATTRIBUTE_VALUE_INVALID.
#pragma once

#include "common/attribute_map.h"
#include "ecert/pkcs11.h"

namespace ecert::token {

// How a new object comes to be; decides CKA_LOCAL, CKA_ALWAYS_SENSITIVE,
// CKA_NEVER_EXTRACTABLE, CKA_KEY_GEN_MECHANISM and which attributes the caller
// may supply.
enum class Origin {
  create,    // C_CreateObject: the caller supplies everything incl. key material
  generate,  // C_GenerateKeyPair / C_GenerateKey: key material from the token
};

// Completes and validates the attributes of a new object. `tmpl` is the
// caller's template; for Origin::generate, `generated` holds the key material
// and CKA_KEY_TYPE made by the mechanism (and CKA_CLASS, which the token layer
// adds there since generate templates often omit it), and `mechanism` is the
// generating mechanism. The caller may not supply the key material the
// mechanism makes (CKA_MODULUS, CKA_EC_POINT, private values:
// CKR_TEMPLATE_INCONSISTENT); CKA_CLASS, CKA_KEY_TYPE and the generation
// parameters (CKA_MODULUS_BITS, CKA_PUBLIC_EXPONENT, CKA_EC_PARAMS,
// CKA_VALUE_LEN) may be in the template but must agree with `generated`
// (else CKR_TEMPLATE_INCONSISTENT). Attributes only the token sets
// (CKA_UNIQUE_ID, CKA_LOCAL, CKA_KEY_GEN_MECHANISM, CKA_ALWAYS_SENSITIVE,
// CKA_NEVER_EXTRACTABLE): CKR_ATTRIBUTE_READ_ONLY; derived ones given to
// C_CreateObject (CKA_MODULUS_BITS, CKA_VALUE_LEN): CKR_TEMPLATE_INCONSISTENT.
// Vendor-defined attribute types (>= CKA_VENDOR_DEFINED, e.g. NSS's
// CKA_NSS_DB) are kept as opaque bytes. CKA_TRUSTED=TRUE is accepted here: the
// token layer must refuse it unless the session is the SO's. CKA_CHECK_VALUE
// (certificates, secret keys) is computed with the module's OpenSSL library
// context, which must be started. CKA_UNIQUE_ID is not set here. The
// result has every attribute of the class with its default filled in: common
// (CKA_TOKEN, CKA_PRIVATE, CKA_MODIFIABLE, CKA_COPYABLE, CKA_DESTROYABLE,
// CKA_LABEL, ...), key attributes (CKA_ID, CKA_START_DATE, CKA_END_DATE,
// CKA_DERIVE, CKA_LOCAL, CKA_KEY_GEN_MECHANISM, CKA_ALLOWED_MECHANISMS, ...),
// and class-specific ones. Certificates (CKC_X_509) get CKA_SUBJECT,
// CKA_ISSUER, CKA_SERIAL_NUMBER and CKA_PUBLIC_KEY_INFO from CKA_VALUE when
// absent (and CKA_CHECK_VALUE, SHA-1 of CKA_VALUE). Defaults chosen
// where the specification leaves them to the token: certificates, public keys
// and data objects CKA_PRIVATE=FALSE; private and secret keys CKA_PRIVATE=TRUE,
// CKA_SENSITIVE=TRUE, CKA_EXTRACTABLE=FALSE (a token that guards an e-Cert
// never lets a key out unless asked to at creation). Supported classes:
// CKO_DATA, CKO_CERTIFICATE (CKC_X_509 only, others
// CKR_ATTRIBUTE_VALUE_INVALID), CKO_PUBLIC_KEY and CKO_PRIVATE_KEY (CKK_RSA,
// CKK_EC), CKO_SECRET_KEY (CKK_GENERIC_SECRET, CKK_AES: CKA_VALUE required,
// CKA_VALUE_LEN derived). Other classes: CKR_ATTRIBUTE_VALUE_INVALID for
// CKA_CLASS; a missing CKA_CLASS: CKR_TEMPLATE_INCOMPLETE.
AttributeMap complete_new_object(const AttributeMap& tmpl, Origin origin, const AttributeMap& generated = {},
                                 CK_MECHANISM_TYPE mechanism = CK_UNAVAILABLE_INFORMATION);

// C_SetAttributeValue: returns `current` with `change` applied, or throws.
// CKA_MODIFIABLE=FALSE objects: CKR_ACTION_PROHIBITED. Attributes that are
// read-only after creation: CKR_ATTRIBUTE_READ_ONLY. CKA_SENSITIVE and
// CKA_WRAP_WITH_TRUSTED may only go FALSE->TRUE (spec footnote 11),
// CKA_EXTRACTABLE and CKA_COPYABLE only TRUE->FALSE (footnote 12) (otherwise
// CKR_ATTRIBUTE_READ_ONLY). CKA_TRUSTED may only be set by the SO
// (`so_session`; otherwise CKR_ATTRIBUTE_READ_ONLY). Setting an attribute to
// the value it already has is not a change and is accepted, except for secret
// key material. Unknown attribute types: CKR_ATTRIBUTE_TYPE_INVALID;
// vendor-defined types are stored as given.
AttributeMap apply_change(const AttributeMap& current, const AttributeMap& change, bool so_session);

// C_CopyObject: CKA_COPYABLE=FALSE: CKR_ACTION_PROHIBITED. The template may
// change what C_SetAttributeValue may change (same one-way rules) and also
// CKA_TOKEN, CKA_PRIVATE (FALSE->TRUE only for keys), CKA_MODIFIABLE and
// CKA_DESTROYABLE (TRUE->FALSE only), and CKA_COPYABLE (TRUE->FALSE only);
// anything else CKR_ATTRIBUTE_READ_ONLY (CKA_TRUSTED too: no SO check here).
// The result has no CKA_UNIQUE_ID: the token layer gives the copy its own.
AttributeMap apply_copy(const AttributeMap& current, const AttributeMap& change);

// What C_GetAttributeValue may reveal of attribute `type` of an object.
enum class Visibility { visible, sensitive, invalid };
// `sensitive` for private/secret key material when CKA_SENSITIVE is TRUE or
// CKA_EXTRACTABLE is FALSE (CKA_PRIVATE_EXPONENT, CKA_PRIME_1/2,
// CKA_EXPONENT_1/2, CKA_COEFFICIENT, CKA_VALUE of private/secret keys), even
// if the material is not in memory; `visible` for the other attributes of the
// class, held or not (the caller decides what a missing value means: an
// optional RSA CRT value, a CKA_UNIQUE_ID not yet assigned, sealed material of
// a non-sensitive key), and for attributes outside the class tables that the
// object holds (vendor-defined ones); `invalid` for the rest.
Visibility visibility(const AttributeMap& object, CK_ATTRIBUTE_TYPE type);

// Kinds of attribute values, for length checks of caller input.
enum class ValueKind { boolean, ulong, bytes, date };
ValueKind value_kind(CK_ATTRIBUTE_TYPE type);

// The class of an object's attributes; throws CKR_TEMPLATE_INCOMPLETE if absent.
CK_OBJECT_CLASS object_class(const AttributeMap& attrs);

}  // namespace ecert::token
