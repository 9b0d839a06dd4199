// The OpenSSL side of certificate.h: a DER certificate decoded into
// CertificateDetails (names and serial as `openssl x509` prints them, the DER
// values the token stores, key, usages, policies, alternative names,
// fingerprints), the certificates of a PEM or DER file, a certificate's CA
// chain found among candidates by signature rather than by name, and the chain
// verified up to the CAs on the token with X509_verify_cert. OpenSSL's error
// queue is left as the caller had it.
#include "manager/certificate.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <climits>
#include <ctime>
#include <new>
#include <set>
#include <string_view>

#include "common/ossl_ptr.h"
#include "manager/public_key_id.h"

namespace ecert::manager {
namespace {

using EkuPtr = OsslPtr<EXTENDED_KEY_USAGE, EXTENDED_KEY_USAGE_free>;
using PoliciesPtr = OsslPtr<CERTIFICATEPOLICIES, CERTIFICATEPOLICIES_free>;
using GeneralNamesPtr = OsslPtr<GENERAL_NAMES, GENERAL_NAMES_free>;
using BasicConstraintsPtr = OsslPtr<BASIC_CONSTRAINTS, BASIC_CONSTRAINTS_free>;

// Keeps OpenSSL's error queue as the caller left it: a failed decode or
// lookup here is reported by our exception or return value, and stale queue
// entries would otherwise be blamed on the caller's next OpenSSL call.
class ErrorMark {
 public:
  ErrorMark() { ERR_set_mark(); }
  ~ErrorMark() { ERR_pop_to_mark(); }
  ErrorMark(const ErrorMark&) = delete;
  ErrorMark& operator=(const ErrorMark&) = delete;
};

template <class T, class I2d>
Bytes i2d_bytes(const T* object, I2d i2d) {
  unsigned char* der = nullptr;
  int len = i2d(object, &der);
  if (len <= 0) throw CertificateError("The certificate could not be encoded.");
  OsslBytePtr owner(der);
  return Bytes(der, der + len);
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return len > 0 ? std::string(data, static_cast<std::size_t>(len)) : std::string();
}

BioPtr memory_bio() {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio) throw std::bad_alloc();
  return bio;
}

std::string hex(ByteView bytes, bool upper, char separator) {
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i > 0 && separator != '\0') out += separator;
    out += digits[bytes[i] >> 4];
    out += digits[bytes[i] & 0x0f];
  }
  return out;
}

X509Ptr parse(ByteView der) {
  if (der.empty()) throw CertificateError("The certificate is empty.");
  if (der.size() > LONG_MAX) throw CertificateError("The data is too large to be a certificate.");
  ErrorMark mark;
  const unsigned char* p = der.data();
  X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert) throw CertificateError("The data is not an X.509 certificate.");
  if (p != der.data() + der.size()) throw CertificateError("There are extra bytes after the certificate.");
  // OpenSSL's decoder also accepts some BER; the signed part is kept as
  // given, so re-encoding shows BER in the outer layers. The token refuses
  // such a certificate, so refuse it here, where the message is clearer.
  if (!std::ranges::equal(i2d_bytes(cert.get(), i2d_X509), der))
    throw CertificateError("The certificate is not in DER form.");
  return cert;
}

std::string name_text(const X509_NAME* name) {
  // -esc_msb off: UTF-8 stays UTF-8 instead of becoming \E9\99\B3 escapes.
  BioPtr bio = memory_bio();
  if (X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) < 0)
    throw CertificateError("The certificate has a name that cannot be printed.");
  return bio_text(bio.get());
}

// The last entry of `nid`: in a DN the most specific RDN comes last.
std::string name_entry_utf8(const X509_NAME* name, int nid) {
  int found = -1;
  for (int i = X509_NAME_get_index_by_NID(name, nid, -1); i >= 0; i = X509_NAME_get_index_by_NID(name, nid, i))
    found = i;
  if (found < 0) return {};
  const ASN1_STRING* value = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, found));
  unsigned char* utf8 = nullptr;
  // Converts BMPString, UniversalString, T61String, ... to UTF-8.
  int len = ASN1_STRING_to_UTF8(&utf8, value);
  if (len < 0) return {};
  OsslBytePtr owner(utf8);
  return std::string(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(len));
}

std::string object_text(const ASN1_OBJECT* object, bool dotted) {
  char buffer[128];
  int len = OBJ_obj2txt(buffer, sizeof buffer, object, dotted ? 1 : 0);
  if (len < 0) return {};
  if (static_cast<std::size_t>(len) < sizeof buffer) return std::string(buffer, static_cast<std::size_t>(len));
  std::string out(static_cast<std::size_t>(len) + 1, '\0');
  OBJ_obj2txt(out.data(), len + 1, object, dotted ? 1 : 0);
  out.resize(static_cast<std::size_t>(len));
  return out;
}

std::string ia5_text(const ASN1_STRING* s) {
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<std::size_t>(ASN1_STRING_length(s)));
}

std::int64_t epoch_seconds(const ASN1_TIME* t) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) throw CertificateError("The certificate has an invalid date.");
  return static_cast<std::int64_t>(timegm(&tm));
}

// An extension decoded by OpenSSL; null when absent, repeated or undecodable.
template <class Ptr>
Ptr extension(const X509* cert, int nid) {
  using T = typename Ptr::element_type;
  return Ptr(static_cast<T*>(X509_get_ext_d2i(cert, nid, nullptr, nullptr)));
}

std::vector<std::string> key_usage_names(const X509* cert) {
  auto bits = extension<BitStringPtr>(cert, NID_key_usage);
  if (!bits) return {};
  // The table `openssl x509 -text` prints from, so the names and their order
  // are OpenSSL's own.
  const X509V3_EXT_METHOD* method = X509V3_EXT_get_nid(NID_key_usage);
  if (method == nullptr || method->usr_data == nullptr) return {};
  std::vector<std::string> names;
  for (auto* bit = static_cast<const BIT_STRING_BITNAME*>(method->usr_data); bit->lname != nullptr; ++bit)
    if (ASN1_BIT_STRING_get_bit(bits.get(), bit->bitnum)) names.emplace_back(bit->lname);
  return names;
}

void read_key(EVP_PKEY* key, CertificateDetails& out) {
  if (key == nullptr) return;  // an algorithm OpenSSL does not know
  out.key_bits = EVP_PKEY_get_bits(key);
  if (EVP_PKEY_is_a(key, "RSA")) {
    out.key_type = "RSA";
  } else if (EVP_PKEY_is_a(key, "EC")) {
    out.key_type = "EC";
    char group[80];
    if (EVP_PKEY_get_group_name(key, group, sizeof group, nullptr) == 1) {
      int nid = OBJ_txt2nid(group);
      const char* nist = nid != NID_undef ? EC_curve_nid2nist(nid) : nullptr;
      out.curve = nist != nullptr ? nist : group;
      // EVP_PKEY_get_bits gives the order's size; the curve is known by its
      // field's (they differ for a few curves, such as secp160r1).
      EcGroupPtr g(EC_GROUP_new_by_curve_name(nid));
      if (g) out.key_bits = EC_GROUP_get_degree(g.get());
    }
  } else {
    const char* name = EVP_PKEY_get0_type_name(key);
    out.key_type = name != nullptr ? name : "";
  }
  out.key_id = public_key_id(key);
}

std::string fingerprint(const X509* cert, const EVP_MD* md) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (X509_digest(cert, md, digest, &len) != 1) throw CertificateError("The certificate could not be hashed.");
  return hex(ByteView(digest, len), true, ':');
}

}  // namespace

long CertificateDetails::days_left(std::int64_t now) const {
  std::int64_t seconds = not_after - now;
  std::int64_t days = seconds / 86400;
  if (seconds % 86400 < 0) --days;
  return static_cast<long>(days);
}

bool CertificateDetails::expired(std::int64_t now) const { return now > not_after; }

CertificateDetails::Validity CertificateDetails::validity(std::int64_t now) const {
  if (now < not_before) return Validity::not_yet_valid;
  return expired(now) ? Validity::expired : Validity::valid;
}

CertificateDetails decode_certificate(ByteView der) {
  X509Ptr cert = parse(der);
  ErrorMark mark;
  const X509* x = cert.get();
  CertificateDetails out;
  out.der = copy(der);

  const X509_NAME* subject = X509_get_subject_name(x);
  const X509_NAME* issuer = X509_get_issuer_name(x);
  out.subject = name_text(subject);
  out.issuer = name_text(issuer);
  out.subject_common_name = name_entry_utf8(subject, NID_commonName);
  out.subject_email = name_entry_utf8(subject, NID_pkcs9_emailAddress);
  out.subject_der = i2d_bytes(subject, i2d_X509_NAME);
  out.issuer_der = i2d_bytes(issuer, i2d_X509_NAME);

  const ASN1_INTEGER* serial = X509_get0_serialNumber(x);
  ByteView magnitude(ASN1_STRING_get0_data(serial), static_cast<std::size_t>(ASN1_STRING_length(serial)));
  // i2a_ASN1_INTEGER (behind `openssl x509 -serial`) prints zero as "00".
  Bytes zero{0};
  if (magnitude.empty()) magnitude = zero;
  std::string sign = ASN1_STRING_type(serial) == V_ASN1_NEG_INTEGER ? "-" : "";
  out.serial_hex = sign + hex(magnitude, false, ':');
  out.serial_plain = sign + hex(magnitude, true, '\0');
  out.serial_der = i2d_bytes(serial, i2d_ASN1_INTEGER);

  out.not_before = epoch_seconds(X509_get0_notBefore(x));
  out.not_after = epoch_seconds(X509_get0_notAfter(x));

  read_key(X509_get0_pubkey(x), out);

  out.key_usage = key_usage_names(x);
  if (auto eku = extension<EkuPtr>(x, NID_ext_key_usage))
    for (int i = 0; i < sk_ASN1_OBJECT_num(eku.get()); ++i)
      out.extended_key_usage.push_back(object_text(sk_ASN1_OBJECT_value(eku.get(), i), false));
  if (auto policies = extension<PoliciesPtr>(x, NID_certificate_policies))
    for (int i = 0; i < sk_POLICYINFO_num(policies.get()); ++i)
      out.policies.push_back(object_text(sk_POLICYINFO_value(policies.get(), i)->policyid, true));
  if (auto names = extension<GeneralNamesPtr>(x, NID_subject_alt_name)) {
    for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
      const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
      if (name->type == GEN_EMAIL) out.email_addresses.push_back(ia5_text(name->d.rfc822Name));
      if (name->type == GEN_DNS) out.dns_names.push_back(ia5_text(name->d.dNSName));
    }
  }
  if (auto constraints = extension<BasicConstraintsPtr>(x, NID_basic_constraints)) out.is_ca = constraints->ca != 0;

  out.sha1_fingerprint = fingerprint(x, EVP_sha1());
  out.sha256_fingerprint = fingerprint(x, EVP_sha256());
  return out;
}

std::vector<Bytes> read_certificates(ByteView pem_or_der) {
  if (pem_or_der.empty()) throw CertificateError("The file is empty.");
  // A DER certificate starts with a SEQUENCE tag, 0x30, which is also the
  // character '0' that text may start with: it is DER only if it decodes.
  if (pem_or_der[0] == 0x30) {
    try {
      parse(pem_or_der);
      return {copy(pem_or_der)};
    } catch (const CertificateError&) {
      // Not DER: maybe PEM that happens to start with "0".
    }
  }
  if (pem_or_der.size() > INT_MAX) throw CertificateError("The file is too large.");
  ErrorMark mark;
  BioPtr bio(BIO_new_mem_buf(pem_or_der.data(), static_cast<int>(pem_or_der.size())));
  if (!bio) throw std::bad_alloc();
  std::vector<Bytes> out;
  for (;;) {
    char* name = nullptr;
    char* header = nullptr;
    unsigned char* data = nullptr;
    long len = 0;
    if (PEM_read_bio(bio.get(), &name, &header, &data, &len) != 1) {
      // PEM_R_NO_START_LINE just means no further block.
      if (ERR_GET_REASON(ERR_peek_last_error()) != PEM_R_NO_START_LINE)
        throw CertificateError("A PEM block in the file is damaged.");
      break;
    }
    OsslCharPtr name_owner(name), header_owner(header);
    OsslBytePtr data_owner(data);
    std::string_view label(name);
    if (label != PEM_STRING_X509 && label != PEM_STRING_X509_OLD) continue;  // keys, CRLs, ...
    ByteView der(data, static_cast<std::size_t>(len));
    try {
      parse(der);
    } catch (const CertificateError& e) {
      throw CertificateError(std::string("A CERTIFICATE block in the file is not valid: ") + e.what());
    }
    out.push_back(copy(der));
  }
  if (out.empty()) throw CertificateError("The file contains no certificate.");
  return out;
}

std::string to_pem(ByteView der) {
  if (der.size() > LONG_MAX) throw CertificateError("The data is too large to be a certificate.");
  BioPtr bio = memory_bio();
  if (PEM_write_bio(bio.get(), PEM_STRING_X509, "", der.data(), static_cast<long>(der.size())) <= 0)
    throw std::bad_alloc();
  return bio_text(bio.get());
}

std::vector<std::size_t> chain_of(const CertificateDetails& leaf, const std::vector<CertificateDetails>& candidates) {
  ErrorMark mark;
  // Decoded once: a candidate may be tried as the issuer of every link.
  std::vector<X509Ptr> decoded;
  decoded.reserve(candidates.size());
  for (const CertificateDetails& c : candidates) {
    try {
      decoded.push_back(parse(c.der));
    } catch (const CertificateError&) {
      decoded.emplace_back();
    }
  }
  X509Ptr leaf_cert;
  try {
    leaf_cert = parse(leaf.der);
  } catch (const CertificateError&) {
    return {};
  }

  // Checking the signature is what tells the real CA from a certificate that
  // only copies its name.
  auto issued_by = [](X509* subject, X509* issuer) {
    EVP_PKEY* key = X509_get0_pubkey(issuer);
    return X509_NAME_cmp(X509_get_issuer_name(subject), X509_get_subject_name(issuer)) == 0 && key != nullptr &&
           X509_verify(subject, key) == 1;
  };

  std::vector<std::size_t> chain;
  std::set<Bytes> seen{leaf.der};  // by content: the same CA may be listed twice
  X509* current = leaf_cert.get();
  while (!issued_by(current, current)) {
    std::size_t next = candidates.size();
    for (std::size_t i = 0; i < candidates.size() && next == candidates.size(); ++i)
      if (decoded[i] && !seen.contains(candidates[i].der) && issued_by(current, decoded[i].get())) next = i;
    if (next == candidates.size()) break;
    chain.push_back(next);
    seen.insert(candidates[next].der);
    current = decoded[next].get();
  }
  return chain;
}

namespace {

using StorePtr = OsslPtr<X509_STORE, X509_STORE_free>;
using StoreContextPtr = OsslPtr<X509_STORE_CTX, X509_STORE_CTX_free>;

// The certificate's own dates are reported apart (validity()): only they
// are let pass.
int ignore_leaf_dates(int ok, X509_STORE_CTX* context) {
  if (ok) return ok;
  const int error = X509_STORE_CTX_get_error(context);
  if (X509_STORE_CTX_get_error_depth(context) == 0 &&
      (error == X509_V_ERR_CERT_HAS_EXPIRED || error == X509_V_ERR_CERT_NOT_YET_VALID))
    return 1;
  return ok;
}

// One X509_verify_cert run: `trusted` are the ends the chain may reach,
// `intermediates` may be passed through.
ChainVerification verify_once(X509* leaf, const std::vector<X509*>& trusted, const std::vector<X509*>& intermediates,
                              bool partial, std::int64_t now) {
  StorePtr store(X509_STORE_new());
  StoreContextPtr context(X509_STORE_CTX_new());
  X509BorrowedStackPtr untrusted(sk_X509_new_null());  // the caller's certificates
  if (!store || !context || !untrusted) throw std::bad_alloc();
  for (X509* c : trusted) X509_STORE_add_cert(store.get(), c);  // its own reference; a duplicate is no error
  for (X509* c : intermediates) sk_X509_push(untrusted.get(), c);
  if (X509_STORE_CTX_init(context.get(), store.get(), leaf, untrusted.get()) != 1) throw std::bad_alloc();
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(context.get());
  X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(now));
  // CHECK_SS_SIGNATURE: a root's own signature is checked too.
  X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_CHECK_SS_SIGNATURE | (partial ? X509_V_FLAG_PARTIAL_CHAIN : 0));
  X509_STORE_CTX_set_verify_cb(context.get(), ignore_leaf_dates);
  ChainVerification out;
  out.verified = X509_verify_cert(context.get()) == 1;
  if (!out.verified) {
    out.error = X509_STORE_CTX_get_error(context.get());
    out.error_depth = X509_STORE_CTX_get_error_depth(context.get());
    out.error_text = X509_verify_cert_error_string(out.error);
    return out;
  }
  STACK_OF(X509)* chain = X509_STORE_CTX_get0_chain(context.get());
  if (chain != nullptr && sk_X509_num(chain) > 0)
    out.anchor = name_text(X509_get_subject_name(sk_X509_value(chain, sk_X509_num(chain) - 1)));
  return out;
}

}  // namespace

ChainVerification verify_chain(const CertificateDetails& cert, const std::vector<const CertificateDetails*>& cas,
                               std::int64_t now) {
  ErrorMark mark;
  X509Ptr leaf = parse(cert.der);
  std::vector<X509Ptr> owned;
  std::vector<X509*> all, roots;
  for (const CertificateDetails* ca : cas) {
    owned.push_back(parse(ca->der));
    all.push_back(owned.back().get());
    if (ca->subject_der == ca->issuer_der) roots.push_back(owned.back().get());
  }
  // Up to a root on the token when it is there; else up to the highest CA
  // on the token (an intermediate is then trusted as the end).
  ChainVerification full = verify_once(leaf.get(), roots, all, false, now);
  if (full.verified || (full.error != X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY &&
                        full.error != X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT))
    return full;
  return verify_once(leaf.get(), all, {}, true, now);
}

}  // namespace ecert::manager
