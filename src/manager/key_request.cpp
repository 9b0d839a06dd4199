// Applying for an e-Cert with a key made on the token: the key pair generated
// with the e-Cert attributes and given NSS's CKA_ID, a PKCS#10 request built
// and checked with OpenSSL but signed by the token (the private key never
// leaves it), and the certificate the CA sends back matched to its key by
// CKA_ID and stored beside it with its CA chain.
#include "manager/key_request.h"

#include "manager/i18n.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <stdexcept>

#include "common/ossl_ptr.h"
#include "manager/certificate.h"
#include "manager/p11_error.h"
#include "manager/public_key_id.h"

namespace ecert::manager {
namespace {

using Kind = UsageError::Kind;
using ReqPtr = OsslPtr<X509_REQ, X509_REQ_free>;
using NamePtr = OsslPtr<X509_NAME, X509_NAME_free>;
using AlgorPtr = OsslPtr<X509_ALGOR, X509_ALGOR_free>;

[[noreturn]] void fail(Kind kind, const std::string& why) {
  ERR_clear_error();
  throw UsageError(kind, why);
}

struct SpecInfo {
  KeySpec spec;
  std::string_view name;
  bool rsa;
  CK_ULONG bits;  // RSA modulus bits
  int curve_nid;  // EC
};
constexpr SpecInfo kSpecs[] = {
    {KeySpec::rsa_2048, "rsa2048", true, 2048, NID_undef}, {KeySpec::rsa_3072, "rsa3072", true, 3072, NID_undef},
    {KeySpec::rsa_4096, "rsa4096", true, 4096, NID_undef}, {KeySpec::ec_p256, "p256", false, 0, NID_X9_62_prime256v1},
    {KeySpec::ec_p384, "p384", false, 0, NID_secp384r1},
};

const SpecInfo& info_of(KeySpec spec) {
  for (const SpecInfo& s : kSpecs)
    if (s.spec == spec) return s;
  throw std::invalid_argument("unknown KeySpec");
}

Bytes curve_params(int nid) {
  const ASN1_OBJECT* oid = OBJ_nid2obj(nid);
  const int len = oid ? i2d_ASN1_OBJECT(oid, nullptr) : 0;
  if (len <= 0) throw std::bad_alloc();
  Bytes out(static_cast<std::size_t>(len));
  unsigned char* p = out.data();
  i2d_ASN1_OBJECT(oid, &p);
  return out;
}

// The one private key with CKA_ID `id`.
CK_OBJECT_HANDLE private_key_with_id(Session& session, ByteView id) {
  const auto keys = find_by_id(session, CKO_PRIVATE_KEY, id);
  if (keys.empty()) fail(Kind::not_found, "no private key with this id on the token");
  if (keys.size() > 1) fail(Kind::ambiguous, "several private keys on the token have this id");
  return keys.front();
}

// ---- Request ----

void add_name_entry(X509_NAME* name, int nid, const std::string& value) {
  if (value.empty()) return;
  if (value.size() > INT_MAX) fail(Kind::bad_input, N_("a field of the certificate request is too long"));
  // MBSTRING_UTF8 lets OpenSSL check the UTF-8 and the field's length limits
  // and pick the string type from its table: UTF8String for names (OpenSSL
  // 3's default "utf8only" mask), PrintableString for C, IA5String for email.
  if (X509_NAME_add_entry_by_NID(name, nid, MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(value.data()),
                                 static_cast<int>(value.size()), -1, 0) != 1)
    fail(Kind::bad_input,
         N_("a field of the certificate request is not allowed there (the country must be two letters, the e-mail "
            "address plain ASCII)"));
}

NamePtr subject_name(const RequestSubject& subject) {
  if (subject.common_name.empty()) fail(Kind::bad_input, "a certificate request needs a common name");
  NamePtr name(X509_NAME_new());
  if (!name) throw std::bad_alloc();
  add_name_entry(name.get(), NID_countryName, subject.country);
  add_name_entry(name.get(), NID_organizationName, subject.organization);
  add_name_entry(name.get(), NID_organizationalUnitName, subject.organizational_unit);
  add_name_entry(name.get(), NID_commonName, subject.common_name);
  add_name_entry(name.get(), NID_pkcs9_emailAddress, subject.email);
  return name;
}

struct SignatureScheme {
  CK_MECHANISM_TYPE mechanism;
  int algorithm_nid;
  bool ecdsa;
};

SignatureScheme scheme_for(const EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "RSA")) return {CKM_SHA256_RSA_PKCS, NID_sha256WithRSAEncryption, false};
  if (EVP_PKEY_is_a(key, "EC")) {
    const int bits = EVP_PKEY_get_bits(key);
    if (bits <= 256) return {CKM_ECDSA_SHA256, NID_ecdsa_with_SHA256, true};
    if (bits <= 384) return {CKM_ECDSA_SHA384, NID_ecdsa_with_SHA384, true};
    return {CKM_ECDSA_SHA512, NID_ecdsa_with_SHA512, true};
  }
  fail(Kind::not_supported, "certificate requests can be made for RSA and EC keys only");
}

// PKCS#11 gives ECDSA signatures as r||s, each half the length; X.509 wants
// the DER ECDSA-Sig-Value (RFC 3279).
Bytes ecdsa_der(const Bytes& raw) {
  if (raw.empty() || raw.size() % 2 != 0 || raw.size() > INT_MAX)
    throw std::runtime_error("the token returned a malformed ECDSA signature");
  const int half = static_cast<int>(raw.size() / 2);
  EcdsaSigPtr sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(raw.data(), half, nullptr);
  BIGNUM* s = BN_bin2bn(raw.data() + half, half, nullptr);
  if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    throw std::bad_alloc();
  }
  const int len = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (len <= 0) throw std::bad_alloc();
  Bytes out(static_cast<std::size_t>(len));
  unsigned char* p = out.data();
  i2d_ECDSA_SIG(sig.get(), &p);
  return out;
}

Bytes tbs_of(X509_REQ* req) {
  unsigned char* raw = nullptr;
  const int len = i2d_re_X509_REQ_tbs(req, &raw);
  OsslBytePtr owned(raw);
  if (len <= 0) throw std::runtime_error("the certificate request cannot be encoded");
  return Bytes(raw, raw + len);
}

void set_signature(X509_REQ* req, const Bytes& signature) {
  BitStringPtr bits(ASN1_BIT_STRING_new());
  if (!bits || ASN1_BIT_STRING_set(bits.get(), const_cast<unsigned char*>(signature.data()),
                                   static_cast<int>(signature.size())) != 1)
    throw std::bad_alloc();
  // Whole bytes, no unused bits: without the flag OpenSSL would drop
  // trailing zero bytes of the signature when encoding it.
  bits->flags &= ~(ASN1_STRING_FLAG_BITS_LEFT | 0x07);
  bits->flags |= ASN1_STRING_FLAG_BITS_LEFT;
  X509_REQ_set0_signature(req, bits.release());
}

std::string to_pem(X509_REQ* req) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509_REQ(bio.get(), req) != 1) throw std::bad_alloc();
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

// ---- Certificate import ----

std::vector<CertificateDetails> decode_all(ByteView data) {
  std::vector<CertificateDetails> out;
  try {
    for (const Bytes& der : read_certificates(data)) out.push_back(decode_certificate(der));
  } catch (const CertificateError& e) {
    fail(Kind::bad_input, e.what());
  }
  return out;
}

}  // namespace

std::optional<KeySpec> parse_key_spec(std::string_view name) {
  std::string lower(name);
  std::ranges::transform(lower, lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const SpecInfo& s : kSpecs)
    if (s.name == lower) return s.spec;
  return std::nullopt;
}

std::string_view key_spec_name(KeySpec spec) { return info_of(spec).name; }

GeneratedKey generate_key_pair(Session& user_session, KeySpec spec, std::string label) {
  const SpecInfo& info = info_of(spec);
  AttributeTemplate pub;
  pub.add_bool(CKA_TOKEN, true).add_bool(CKA_PRIVATE, false).add_text(CKA_LABEL, label);
  pub.add_bool(CKA_VERIFY, true).add_bool(CKA_ENCRYPT, info.rsa);
  AttributeTemplate priv;
  priv.add_bool(CKA_TOKEN, true).add_bool(CKA_PRIVATE, true).add_text(CKA_LABEL, label);
  priv.add_bool(CKA_SENSITIVE, true).add_bool(CKA_EXTRACTABLE, false);
  priv.add_bool(CKA_SIGN, true).add_bool(CKA_DECRYPT, info.rsa);
  CK_MECHANISM mechanism{info.rsa ? CKM_RSA_PKCS_KEY_PAIR_GEN : CKM_EC_KEY_PAIR_GEN, nullptr, 0};
  if (info.rsa) {
    static constexpr std::uint8_t kF4[] = {0x01, 0x00, 0x01};
    pub.add_ulong(CKA_MODULUS_BITS, info.bits).add_bytes(CKA_PUBLIC_EXPONENT, kF4);
  } else {
    pub.add_bytes(CKA_EC_PARAMS, curve_params(info.curve_nid));
  }

  GeneratedKey out;
  out.label = std::move(label);
  check(user_session.p11()->C_GenerateKeyPair(user_session.handle(), &mechanism, pub.data(), pub.size(), priv.data(),
                                              priv.size(), &out.public_key, &out.private_key),
        "C_GenerateKeyPair");
  // Until both carry their CKA_ID the pair is unusable by NSS and by
  // make_certificate_request, so it is not left behind half-done.
  CreatedObjects created(user_session);
  created.adopt(out.private_key);
  created.adopt(out.public_key);
  const PkeyPtr key = public_key_of_object(user_session, out.public_key);
  out.id = public_key_id(key.get());
  if (out.id.empty()) fail(Kind::not_supported, "the token made a key whose id cannot be computed");
  for (CK_OBJECT_HANDLE object : {out.private_key, out.public_key}) {
    AttributeTemplate id;
    id.add_bytes(CKA_ID, out.id);
    user_session.set_attributes(object, std::move(id));
  }
  created.keep();
  return out;
}

std::string make_certificate_request(Session& user_session, const Bytes& key_id, const RequestSubject& subject) {
  const NamePtr name = subject_name(subject);
  const CK_OBJECT_HANDLE private_key = private_key_with_id(user_session, key_id);
  const auto public_keys = find_by_id(user_session, CKO_PUBLIC_KEY, key_id);
  const PkeyPtr key = public_key_of_object(user_session, public_keys.size() == 1 ? public_keys.front() : private_key);
  const SignatureScheme scheme = scheme_for(key.get());

  ReqPtr req(X509_REQ_new());
  AlgorPtr algorithm(X509_ALGOR_new());
  if (!req || !algorithm) throw std::bad_alloc();
  // RFC 5754: the RSA algorithm identifiers carry NULL parameters, the
  // ECDSA ones none at all.
  if (X509_REQ_set_version(req.get(), 0) != 1 || X509_REQ_set_subject_name(req.get(), name.get()) != 1 ||
      X509_REQ_set_pubkey(req.get(), key.get()) != 1 ||
      X509_ALGOR_set0(algorithm.get(), OBJ_nid2obj(scheme.algorithm_nid), scheme.ecdsa ? V_ASN1_UNDEF : V_ASN1_NULL,
                      nullptr) != 1 ||
      X509_REQ_set1_signature_algo(req.get(), algorithm.get()) != 1)
    fail(Kind::not_supported, "the certificate request cannot be built for this key");

  const Bytes tbs = tbs_of(req.get());
  Bytes signature = user_session.sign(scheme.mechanism, private_key, tbs);
  if (scheme.ecdsa) signature = ecdsa_der(signature);
  set_signature(req.get(), signature);

  // The token signed what it was given; checking here catches a key object
  // whose public half does not belong to the private key before a CA does.
  ERR_set_mark();
  const bool verified = X509_REQ_verify(req.get(), key.get()) == 1;
  ERR_pop_to_mark();
  if (!verified) throw std::runtime_error("the token's signature on the certificate request does not verify");
  return to_pem(req.get());
}

ImportResult import_certificate(Session& user_session, ByteView cert_der_or_pem, std::optional<std::string> label) {
  std::vector<CertificateDetails> certs = decode_all(cert_der_or_pem);

  std::optional<std::size_t> leaf;
  CK_OBJECT_HANDLE key = CK_INVALID_HANDLE;
  for (std::size_t i = 0; i < certs.size(); ++i) {
    if (certs[i].key_id.empty()) continue;
    const auto keys = find_by_id(user_session, CKO_PRIVATE_KEY, certs[i].key_id);
    if (keys.empty()) continue;
    if (leaf && certs[*leaf].der != certs[i].der)
      fail(Kind::ambiguous, "several certificates in the file belong to keys on the token");
    if (keys.size() > 1) fail(Kind::ambiguous, "several private keys on the token have this certificate's id");
    leaf = i;
    key = keys.front();
  }
  if (!leaf) fail(Kind::not_found, "the token has no private key for this certificate");
  const CertificateDetails& cert = certs[*leaf];

  ImportResult result;
  result.id = cert.key_id;
  if (!find_by_id(user_session, CKO_CERTIFICATE, result.id).empty())
    fail(Kind::bad_input, "a certificate for this key is already on the token");
  result.label = label && !label->empty() ? *label : default_label(label_of(user_session, key), cert);

  std::vector<CertificateDetails> others;
  for (std::size_t i = 0; i < certs.size(); ++i)
    if (certs[i].der != cert.der) others.push_back(certs[i]);
  std::vector<CertificateDetails> chain;
  for (std::size_t i : chain_of(cert, others)) chain.push_back(others[i]);

  CreatedObjects created(user_session);
  created.create(certificate_template(cert, result.id, result.label, CertificateCategory::token_user));
  result.certificate_stored = true;
  store_authority_certificates(user_session, created, chain, result);
  created.keep();
  return result;
}

}  // namespace ecert::manager
