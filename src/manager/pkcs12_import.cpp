// Opening a PKCS#12 file and storing what it holds: the password checked
// against the file's MAC so that a wrong password is told from a damaged file,
// OpenSSL's legacy provider loaded on first need for the RC2-encrypted files
// older tools write, the key checked against its certificate, then the private
// key, public key, certificate and CA certificates created under NSS's CKA_ID,
// and removed again if one of them fails.
#include "manager/pkcs12_import.h"

#include "manager/i18n.h"

#include <openssl/err.h>
#include <openssl/pkcs12.h>
#include <openssl/provider.h>

#include <climits>

#include "common/ossl_ptr.h"
#include "manager/certificate.h"
#include "manager/p11_error.h"
#include "manager/public_key_id.h"

namespace ecert::manager {
namespace {

using Pkcs12Ptr = OsslPtr<PKCS12, PKCS12_free>;

using Kind = UsageError::Kind;

[[noreturn]] void fail(Kind kind, const std::string& why) {
  ERR_clear_error();
  throw UsageError(kind, why);
}

// True when OpenSSL failed for want of an algorithm implementation (no
// provider has it), rather than because of the data.
bool failed_as_unsupported() {
  for (;;) {
    const unsigned long e = ERR_get_error();
    if (e == 0) return false;
    if (ERR_GET_REASON(e) == ERR_R_UNSUPPORTED) {
      ERR_clear_error();
      return true;
    }
  }
}

// Files written before OpenSSL 3 (its old default), by Windows' certificate
// export and by many CAs encrypt the certificate bag with RC2-40
// (pbeWithSHA1And40BitRC2-CBC), which OpenSSL 3 keeps in its "legacy"
// provider only. (3DES, the old default for the key bag, and OpenSSL 3's own
// AES-256 files need just the default provider.) It is loaded into the default
// library context on first need, with the default provider kept, and stays
// for the life of the process; the token module has its own library context
// and is not affected. Without the legacy provider installed such a file is
// reported as not_supported.
bool legacy_provider_loaded() {
  static OSSL_PROVIDER* const legacy = OSSL_PROVIDER_try_load(nullptr, "legacy", 1);
  return legacy != nullptr;
}

struct Contents {
  PkeyPtr key;
  X509Ptr certificate;
  X509StackPtr authorities;
};

bool parse(PKCS12* p12, const char* password, Contents& out) {
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;
  STACK_OF(X509)* ca = nullptr;
  const bool ok = PKCS12_parse(p12, password, &key, &cert, &ca) == 1;
  out.key.reset(key);
  out.certificate.reset(cert);
  out.authorities.reset(ca);
  return ok;
}

// Tells a wrong password from every other failure, which PKCS12_parse does
// not: the MAC is keyed by the password, so its check is the password check.
void check_password(PKCS12* p12, const SecureBytes& password) {
  if (!PKCS12_mac_present(p12)) return;
  const auto* pass = reinterpret_cast<const char*>(password.data());
  const int len = static_cast<int>(password.size() - 1);
  ERR_set_mark();
  bool ok = PKCS12_verify_mac(p12, pass, len) == 1;
  // An empty password has two encodings (none, or an empty BMPString); tools
  // differ in which they use, and PKCS12_parse accepts both.
  if (!ok && len == 0) ok = PKCS12_verify_mac(p12, nullptr, 0) == 1;
  if (ok) {
    ERR_pop_to_mark();
    return;
  }
  // A failing comparison leaves no error; a MAC that cannot be computed does.
  const bool mismatch =
      ERR_peek_last_error() == 0 || ERR_GET_REASON(ERR_peek_last_error()) == PKCS12_R_MAC_VERIFY_FAILURE;
  ERR_pop_to_mark();
  if (mismatch) fail(Kind::bad_password, "the password of the PKCS#12 file is wrong");
  fail(Kind::not_supported, "the PKCS#12 file's integrity check uses an algorithm that is not supported");
}

Contents open(ByteView der, std::string_view password) {
  // The checks below read OpenSSL's error queue; older entries are not ours.
  ERR_clear_error();
  if (der.size() > LONG_MAX || password.size() > INT_MAX - 1) fail(Kind::bad_input, "the file is too large");
  const unsigned char* p = der.data();
  Pkcs12Ptr p12(d2i_PKCS12(nullptr, &p, static_cast<long>(der.size())));
  if (!p12 || p != der.data() + der.size()) fail(Kind::bad_input, "the file is not a PKCS#12 file");

  SecureBytes pass(password.begin(), password.end());
  pass.push_back('\0');
  check_password(p12.get(), pass);
  const auto* c_pass = reinterpret_cast<const char*>(pass.data());

  Contents out;
  bool ok = parse(p12.get(), c_pass, out);
  bool unsupported = !ok && failed_as_unsupported();
  if (unsupported && legacy_provider_loaded()) {
    ok = parse(p12.get(), c_pass, out);
    unsupported = !ok && failed_as_unsupported();
  }
  if (!ok) {
    if (unsupported)
      fail(Kind::not_supported, "the PKCS#12 file is encrypted with an algorithm this system's OpenSSL cannot decrypt");
    // Without a MAC, a wrong password shows only as undecryptable contents.
    if (!PKCS12_mac_present(p12.get())) fail(Kind::bad_password, "the password of the PKCS#12 file is wrong");
    fail(Kind::bad_input, "the PKCS#12 file is damaged");
  }
  return out;
}

Bytes der_of(X509* cert) {
  const int len = i2d_X509(cert, nullptr);
  if (len <= 0) fail(Kind::bad_input, "a certificate in the PKCS#12 file cannot be encoded");
  Bytes out(static_cast<std::size_t>(len));
  unsigned char* p = out.data();
  i2d_X509(cert, &p);
  return out;
}

CertificateDetails decoded(X509* cert) {
  try {
    return decode_certificate(der_of(cert));
  } catch (const CertificateError&) {
    fail(Kind::bad_input, N_("a certificate in the PKCS#12 file is damaged"));
  }
}

// The friendlyName of the certificate bag, which PKCS12_parse has turned from
// a BMPString into UTF-8 and attached to the certificate as its alias.
std::string friendly_name(X509* cert) {
  int len = 0;
  const unsigned char* alias = X509_alias_get0(cert, &len);
  return alias && len > 0 ? std::string(reinterpret_cast<const char*>(alias), static_cast<std::size_t>(len))
                          : std::string();
}

}  // namespace

struct OpenedPkcs12::Parts {
  Contents contents;
  CertificateDetails certificate;
  std::vector<CertificateDetails> authorities;
  Bytes id;
  std::string friendly_name;
};

OpenedPkcs12::OpenedPkcs12(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}
OpenedPkcs12::OpenedPkcs12(OpenedPkcs12&&) noexcept = default;
OpenedPkcs12::~OpenedPkcs12() = default;

OpenedPkcs12 open_pkcs12(ByteView p12, std::string_view password) {
  auto parts = std::make_unique<OpenedPkcs12::Parts>();
  Contents& contents = parts->contents;
  contents = open(p12, password);
  if (!contents.key) fail(Kind::bad_input, "the PKCS#12 file holds no private key");
  if (!contents.certificate) {
    // PKCS12_parse picks the certificate that matches the key; any others
    // land among the authorities.
    if (contents.authorities && sk_X509_num(contents.authorities.get()) > 0)
      fail(Kind::bad_input, "no certificate in the PKCS#12 file matches its private key");
    fail(Kind::bad_input, "the PKCS#12 file holds no certificate");
  }
  ERR_set_mark();
  const bool matches = X509_check_private_key(contents.certificate.get(), contents.key.get()) == 1;
  ERR_pop_to_mark();
  if (!matches) fail(Kind::bad_input, "the certificate in the PKCS#12 file does not match its private key");

  parts->certificate = decoded(contents.certificate.get());
  if (contents.authorities)
    for (int i = 0; i < sk_X509_num(contents.authorities.get()); ++i)
      parts->authorities.push_back(decoded(sk_X509_value(contents.authorities.get(), i)));
  parts->id = public_key_id(contents.key.get());
  if (parts->id.empty()) fail(Kind::not_supported, "only RSA and EC keys can be stored");
  parts->friendly_name = friendly_name(contents.certificate.get());
  return OpenedPkcs12(std::move(parts));
}

ImportResult import_pkcs12(Session& user_session, ByteView p12, std::string_view password,
                           std::optional<std::string> label) {
  return import_pkcs12(user_session, open_pkcs12(p12, password), std::move(label));
}

ImportResult import_pkcs12(Session& user_session, const OpenedPkcs12& opened, std::optional<std::string> label) {
  const OpenedPkcs12::Parts& p = opened.parts();
  ImportResult result;
  result.id = p.id;
  result.label = label && !label->empty() ? *label : default_label(p.friendly_name, p.certificate);

  for (CK_OBJECT_CLASS cls : {CKO_PRIVATE_KEY, CKO_PUBLIC_KEY, CKO_CERTIFICATE})
    if (!find_by_id(user_session, cls, result.id).empty())
      fail(Kind::bad_input, "this key or certificate is already on the token");

  CreatedObjects created(user_session);
  const EVP_PKEY* key = p.contents.key.get();
  created.create(private_key_template(key, result.id, result.label, p.certificate.subject_der));
  created.create(public_key_template(key, result.id, result.label, p.certificate.subject_der));
  result.key_stored = true;
  created.create(certificate_template(p.certificate, result.id, result.label, CertificateCategory::token_user));
  result.certificate_stored = true;
  store_authority_certificates(user_session, created, p.authorities, result);
  created.keep();
  return result;
}

}  // namespace ecert::manager
