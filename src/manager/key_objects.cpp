// OpenSSL keys and decoded certificates turned into the templates of token
// objects, and back: the RSA and EC key parts as PKCS#11 encodes them (minimal
// big-endian integers, DER EC parameters and point), a public key rebuilt from
// the readable attributes of a key object, and the bookkeeping of
// key_objects.h that imports share (finding by CKA_ID, CreatedObjects
// destroying what a failed import made, the CA certificates stored beside a
// key).
#include "manager/key_objects.h"

#include "manager/i18n.h"

#include <openssl/asn1.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>

#include "manager/p11_error.h"

namespace ecert::manager {
namespace {

using Asn1ObjectPtr = OsslPtr<ASN1_OBJECT, ASN1_OBJECT_free>;
using OctetStringPtr = OsslPtr<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free>;

[[noreturn]] void unsupported(const std::string& why) {
  // What failed is said in `why`; OpenSSL's queue would only be blamed on the
  // caller's next OpenSSL call.
  ERR_clear_error();
  throw UsageError(UsageError::Kind::not_supported, why);
}

// A BIGNUM parameter of `key` as PKCS#11 wants big integers: big-endian,
// no leading zeros. Held in wiped memory throughout, as most are secret.
SecureBytes bn_param(const EVP_PKEY* key, const char* name) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &raw) != 1)
    unsupported(N_("the key lacks a part that the token needs to store it"));
  BignumPtr bn(raw);
  SecureBytes out(static_cast<std::size_t>(BN_num_bytes(bn.get())));
  BN_bn2bin(bn.get(), out.data());
  return out;
}

bool has_bn_param(const EVP_PKEY* key, const char* name) {
  BIGNUM* raw = nullptr;
  ERR_set_mark();
  const bool found = EVP_PKEY_get_bn_param(key, name, &raw) == 1;
  ERR_pop_to_mark();
  BignumPtr bn(raw);
  return found;
}

int curve_nid(const EVP_PKEY* key) {
  char name[80];
  if (EVP_PKEY_get_group_name(key, name, sizeof name, nullptr) != 1) return NID_undef;
  const int nid = OBJ_txt2nid(name);
  return nid != NID_undef ? nid : EC_curve_nist2nid(name);
}

Bytes uncompressed_point(const EVP_PKEY* key) {
  std::size_t len = 0;
  if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, nullptr, 0, &len) != 1 || len == 0)
    unsupported("the EC key has no public point");
  Bytes point(len);
  if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size(), &len) != 1)
    unsupported("the EC key has no public point");
  point.resize(len);
  if (point[0] == POINT_CONVERSION_UNCOMPRESSED) return point;
  // PKCS#11 (and NSS, whose CKA_ID we follow) keep points uncompressed.
  EcGroupPtr group(EC_GROUP_new_by_curve_name(curve_nid(key)));
  EcPointPtr p(group ? EC_POINT_new(group.get()) : nullptr);
  if (!p || EC_POINT_oct2point(group.get(), p.get(), point.data(), point.size(), nullptr) != 1)
    unsupported("the EC key's point cannot be decoded");
  len = EC_POINT_point2oct(group.get(), p.get(), POINT_CONVERSION_UNCOMPRESSED, nullptr, 0, nullptr);
  Bytes out(len);
  if (len == 0 ||
      EC_POINT_point2oct(group.get(), p.get(), POINT_CONVERSION_UNCOMPRESSED, out.data(), out.size(), nullptr) != len)
    unsupported("the EC key's point cannot be encoded");
  return out;
}

enum class KeyKind { rsa, ec };

KeyKind kind_of(const EVP_PKEY* key) {
  if (key != nullptr && EVP_PKEY_is_a(key, "RSA")) {
    // PKCS#11 RSA keys have two primes; a multi-prime key would lose its CRT.
    if (has_bn_param(key, OSSL_PKEY_PARAM_RSA_FACTOR3)) unsupported("multi-prime RSA keys are not supported");
    return KeyKind::rsa;
  }
  if (key != nullptr && EVP_PKEY_is_a(key, "EC")) return KeyKind::ec;
  unsupported("only RSA and EC keys can be stored");
}

void add_common(AttributeTemplate& t, CK_OBJECT_CLASS cls, CK_KEY_TYPE type, ByteView id, std::string_view label) {
  t.add_ulong(CKA_CLASS, cls).add_ulong(CKA_KEY_TYPE, type).add_bool(CKA_TOKEN, true);
  t.add_text(CKA_LABEL, label).add_bytes(CKA_ID, id);
}

Bytes der_octet_string(ByteView content) {
  OctetStringPtr os(ASN1_OCTET_STRING_new());
  if (!os || ASN1_OCTET_STRING_set(os.get(), content.data(), static_cast<int>(content.size())) != 1)
    throw std::bad_alloc();
  const int len = i2d_ASN1_OCTET_STRING(os.get(), nullptr);
  if (len <= 0) throw std::bad_alloc();
  Bytes out(static_cast<std::size_t>(len));
  unsigned char* p = out.data();
  i2d_ASN1_OCTET_STRING(os.get(), &p);
  return out;
}

// CKA_EC_POINT as found on tokens: normally the DER OCTET STRING the
// specification asks for, but some modules give the bare point.
Bytes point_from_attribute(const Bytes& value) {
  const unsigned char* p = value.data();
  OctetStringPtr os(d2i_ASN1_OCTET_STRING(nullptr, &p, static_cast<long>(value.size())));
  if (os && p == value.data() + value.size())
    return Bytes(ASN1_STRING_get0_data(os.get()), ASN1_STRING_get0_data(os.get()) + ASN1_STRING_length(os.get()));
  ERR_clear_error();
  return value;
}

std::string group_name_from_params(const Bytes& params) {
  const unsigned char* p = params.data();
  Asn1ObjectPtr oid(d2i_ASN1_OBJECT(nullptr, &p, static_cast<long>(params.size())));
  const int nid = oid ? OBJ_obj2nid(oid.get()) : NID_undef;
  if (nid == NID_undef) unsupported("the key's curve is not a named curve OpenSSL knows");
  return OBJ_nid2sn(nid);
}

PkeyPtr pkey_from_params(const char* type, OSSL_PARAM_BLD* bld) {
  ParamPtr params(OSSL_PARAM_BLD_to_param(bld));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1)
    unsupported("the token's public key cannot be used");
  return PkeyPtr(raw);
}

}  // namespace

Bytes ec_params_der(const EVP_PKEY* key) {
  const int nid = curve_nid(key);
  ASN1_OBJECT* oid = nid == NID_undef ? nullptr : OBJ_nid2obj(nid);
  const int len = oid ? i2d_ASN1_OBJECT(oid, nullptr) : 0;
  if (len <= 0) unsupported("the EC key is not on a named curve");
  Bytes out(static_cast<std::size_t>(len));
  unsigned char* p = out.data();
  i2d_ASN1_OBJECT(oid, &p);
  return out;
}

Bytes ec_point_der(const EVP_PKEY* key) { return der_octet_string(uncompressed_point(key)); }

AttributeTemplate private_key_template(const EVP_PKEY* key, ByteView id, std::string_view label, ByteView subject) {
  AttributeTemplate t;
  const KeyKind kind = kind_of(key);
  add_common(t, CKO_PRIVATE_KEY, kind == KeyKind::rsa ? CKK_RSA : CKK_EC, id, label);
  t.add_bool(CKA_PRIVATE, true).add_bool(CKA_SENSITIVE, true).add_bool(CKA_EXTRACTABLE, false);
  t.add_bool(CKA_SIGN, true).add_bool(CKA_DECRYPT, kind == KeyKind::rsa);
  if (!subject.empty()) t.add_bytes(CKA_SUBJECT, subject);
  if (kind == KeyKind::rsa) {
    const std::pair<CK_ATTRIBUTE_TYPE, const char*> parts[] = {
        {CKA_MODULUS, OSSL_PKEY_PARAM_RSA_N},
        {CKA_PUBLIC_EXPONENT, OSSL_PKEY_PARAM_RSA_E},
        {CKA_PRIVATE_EXPONENT, OSSL_PKEY_PARAM_RSA_D},
        {CKA_PRIME_1, OSSL_PKEY_PARAM_RSA_FACTOR1},
        {CKA_PRIME_2, OSSL_PKEY_PARAM_RSA_FACTOR2},
        {CKA_EXPONENT_1, OSSL_PKEY_PARAM_RSA_EXPONENT1},
        {CKA_EXPONENT_2, OSSL_PKEY_PARAM_RSA_EXPONENT2},
        {CKA_COEFFICIENT, OSSL_PKEY_PARAM_RSA_COEFFICIENT1},
    };
    for (const auto& [type, name] : parts) t.add_bytes(type, bn_param(key, name));
  } else {
    t.add_bytes(CKA_EC_PARAMS, ec_params_der(key));
    // Fixed width (the order's bytes), as NSS and most tokens store d.
    BIGNUM* raw = nullptr;
    if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PRIV_KEY, &raw) != 1) unsupported("the EC key has no private value");
    BignumPtr d(raw);
    SecureBytes value(static_cast<std::size_t>((EVP_PKEY_get_bits(key) + 7) / 8));
    if (BN_bn2binpad(d.get(), value.data(), static_cast<int>(value.size())) < 0)
      unsupported("the EC key's private value is out of range");
    t.add_bytes(CKA_VALUE, value);
    // No CKA_EC_POINT here although NSS stores one: it is not in the
    // specification's EC private key table and SoftHSMv2 refuses it
    // (CKR_ATTRIBUTE_TYPE_INVALID); the public key object carries the point.
  }
  return t;
}

AttributeTemplate public_key_template(const EVP_PKEY* key, ByteView id, std::string_view label, ByteView subject) {
  AttributeTemplate t;
  const KeyKind kind = kind_of(key);
  add_common(t, CKO_PUBLIC_KEY, kind == KeyKind::rsa ? CKK_RSA : CKK_EC, id, label);
  t.add_bool(CKA_PRIVATE, false).add_bool(CKA_VERIFY, true).add_bool(CKA_ENCRYPT, kind == KeyKind::rsa);
  if (!subject.empty()) t.add_bytes(CKA_SUBJECT, subject);
  if (kind == KeyKind::rsa) {
    t.add_bytes(CKA_MODULUS, bn_param(key, OSSL_PKEY_PARAM_RSA_N));
    t.add_bytes(CKA_PUBLIC_EXPONENT, bn_param(key, OSSL_PKEY_PARAM_RSA_E));
  } else {
    t.add_bytes(CKA_EC_PARAMS, ec_params_der(key));
    t.add_bytes(CKA_EC_POINT, ec_point_der(key));
  }
  return t;
}

AttributeTemplate certificate_template(const CertificateDetails& cert, ByteView id, std::string_view label,
                                       CertificateCategory category) {
  AttributeTemplate t;
  t.add_ulong(CKA_CLASS, CKO_CERTIFICATE).add_ulong(CKA_CERTIFICATE_TYPE, CKC_X_509);
  t.add_bool(CKA_TOKEN, true).add_bool(CKA_PRIVATE, false);
  t.add_text(CKA_LABEL, label).add_bytes(CKA_ID, id);
  t.add_bytes(CKA_VALUE, cert.der).add_bytes(CKA_SUBJECT, cert.subject_der);
  t.add_bytes(CKA_ISSUER, cert.issuer_der).add_bytes(CKA_SERIAL_NUMBER, cert.serial_der);
  t.add_ulong(CKA_CERTIFICATE_CATEGORY, static_cast<CK_ULONG>(category));
  if (category == CertificateCategory::authority) t.add_bool(CKA_TRUSTED, false);
  return t;
}

PkeyPtr public_key_of_object(Session& session, CK_OBJECT_HANDLE object) {
  const auto type = session.ulong_attribute(object, CKA_KEY_TYPE);
  if (type == CKK_RSA) {
    const auto n = session.attribute(object, CKA_MODULUS);
    const auto e = session.attribute(object, CKA_PUBLIC_EXPONENT);
    if (!n || !e || n->empty() || e->empty()) unsupported("the token does not give the key's RSA modulus and exponent");
    BignumPtr bn_n(BN_bin2bn(n->data(), static_cast<int>(n->size()), nullptr));
    BignumPtr bn_e(BN_bin2bn(e->data(), static_cast<int>(e->size()), nullptr));
    ParamBldPtr bld(OSSL_PARAM_BLD_new());
    if (!bn_n || !bn_e || !bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1)
      throw std::bad_alloc();
    return pkey_from_params("RSA", bld.get());
  }
  if (type == CKK_EC) {
    const auto params = session.attribute(object, CKA_EC_PARAMS);
    const auto point_attr = session.attribute(object, CKA_EC_POINT);
    if (!params || !point_attr || point_attr->empty()) unsupported("the token does not give the key's EC point");
    const std::string group = group_name_from_params(*params);
    const Bytes point = point_from_attribute(*point_attr);
    ParamBldPtr bld(OSSL_PARAM_BLD_new());
    if (!bld || OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group.c_str(), 0) != 1 ||
        OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) != 1)
      throw std::bad_alloc();
    return pkey_from_params("EC", bld.get());
  }
  unsupported("only RSA and EC keys are supported");
}

std::vector<CK_OBJECT_HANDLE> find_by_id(Session& session, CK_OBJECT_CLASS cls, ByteView id) {
  AttributeTemplate match;
  match.add_ulong(CKA_CLASS, cls).add_bytes(CKA_ID, id);
  return session.find(std::move(match));
}

std::string label_of(Session& session, CK_OBJECT_HANDLE object) {
  const auto value = session.attribute(object, CKA_LABEL);
  return value ? std::string(value->begin(), value->end()) : std::string();
}

CreatedObjects::~CreatedObjects() {
  // Best effort: the error that stopped the import is the one to report.
  for (auto it = objects_.rbegin(); it != objects_.rend(); ++it)
    session_.p11()->C_DestroyObject(session_.handle(), *it);
}

CK_OBJECT_HANDLE CreatedObjects::create(AttributeTemplate attributes) {
  objects_.reserve(objects_.size() + 1);  // so a created object is always recorded
  const CK_OBJECT_HANDLE object = session_.create(std::move(attributes));
  objects_.push_back(object);
  return object;
}

void store_authority_certificates(Session& session, CreatedObjects& created,
                                  const std::vector<CertificateDetails>& authorities, ImportResult& result) {
  for (const CertificateDetails& ca : authorities) {
    AttributeTemplate same;
    same.add_ulong(CKA_CLASS, CKO_CERTIFICATE).add_bytes(CKA_VALUE, ca.der);
    if (!session.find(std::move(same)).empty()) {
      ++result.ca_skipped;
      continue;
    }
    created.create(certificate_template(ca, ca.key_id, default_label({}, ca), CertificateCategory::authority));
    ++result.ca_added;
  }
}

std::string default_label(std::string_view preferred, const CertificateDetails& cert) {
  if (!preferred.empty()) return std::string(preferred);
  if (!cert.subject_common_name.empty()) return cert.subject_common_name;
  return cert.subject;
}

}  // namespace ecert::manager
