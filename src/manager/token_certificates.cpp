// What is on a token, for the manager: every X.509 certificate with its
// decoded details (an unreadable one listed all the same), whether the user's
// private key is beside it and its CA chain among the others, and the other
// objects (without the module's profile and policy objects); choosing a
// certificate by position, label, CKA_ID or fingerprint prefix, and verifying
// one up to the CA certificates on the token.
#include "manager/token_certificates.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "manager/p11_error.h"

namespace ecert::manager {
namespace {

std::string text_of(const std::optional<Bytes>& v) { return v ? std::string(v->begin(), v->end()) : std::string(); }

std::string normalised_hex(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == ':' || c == ' ') continue;
    if (!std::isxdigit(static_cast<unsigned char>(c))) return {};
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
}

bool private_key_with_id(Session& session, const Bytes& id) {
  if (id.empty()) return false;
  AttributeTemplate match;
  match.add_ulong(CKA_CLASS, CKO_PRIVATE_KEY).add_bytes(CKA_ID, id);
  return !session.find(std::move(match)).empty();
}

}  // namespace

std::string to_hex(ByteView bytes) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (std::uint8_t b : bytes) {
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 15]);
  }
  return out;
}

std::vector<CertificateEntry> list_certificates(Session& session, bool logged_in) {
  AttributeTemplate match;
  match.add_ulong(CKA_CLASS, CKO_CERTIFICATE).add_ulong(CKA_CERTIFICATE_TYPE, CKC_X_509);
  std::vector<CertificateEntry> entries;
  for (CK_OBJECT_HANDLE h : session.find(std::move(match))) {
    CertificateEntry e;
    e.handle = h;
    e.label = text_of(session.attribute(h, CKA_LABEL));
    e.id = session.attribute(h, CKA_ID).value_or(Bytes{});
    e.category = session.ulong_attribute(h, CKA_CERTIFICATE_CATEGORY).value_or(0);
    e.trusted = session.bool_attribute(h, CKA_TRUSTED).value_or(false);
    e.value = session.attribute(h, CKA_VALUE).value_or(Bytes{});
    try {
      e.details = decode_certificate(e.value);
    } catch (const CertificateError&) {
      // Listed anyway: the user may want to see or delete it.
    }
    if (logged_in) e.has_private_key = private_key_with_id(session, e.id);
    entries.push_back(std::move(e));
  }
  std::vector<CertificateDetails> decoded;
  std::vector<std::size_t> index_of_decoded;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].details) {
      decoded.push_back(*entries[i].details);
      index_of_decoded.push_back(i);
    }
  }
  for (CertificateEntry& e : entries) {
    if (!e.details) continue;
    for (std::size_t k : chain_of(*e.details, decoded)) e.chain.push_back(index_of_decoded[k]);
  }
  return entries;
}

const CertificateEntry& select_certificate(const std::vector<CertificateEntry>& entries, const std::string& which) {
  std::vector<const CertificateEntry*> found;
  if (which.empty()) {
    for (const CertificateEntry& e : entries) {
      if (e.category == 1 || e.has_private_key.value_or(false)) found.push_back(&e);
    }
    if (found.empty() && entries.size() == 1) found.push_back(&entries.front());
    if (found.empty()) throw UsageError(UsageError::Kind::not_found, "no user certificate on the token");
  } else {
    std::size_t position = 0;
    const auto [end, ec] = std::from_chars(which.data(), which.data() + which.size(), position);
    if (ec == std::errc() && end == which.data() + which.size() && position >= 1 && position <= entries.size() &&
        which.size() <= 4)
      return entries[position - 1];
    const std::string hex = normalised_hex(which);
    for (const CertificateEntry& e : entries) {
      bool match = e.label == which || (!hex.empty() && to_hex(e.id) == hex);
      if (!match && e.details && hex.size() >= 8) {
        match = normalised_hex(e.details->sha1_fingerprint).rfind(hex, 0) == 0 ||
                normalised_hex(e.details->sha256_fingerprint).rfind(hex, 0) == 0;
      }
      if (match) found.push_back(&e);
    }
    if (found.empty()) throw UsageError(UsageError::Kind::not_found, "no certificate matches the name given");
  }
  if (found.size() > 1) throw UsageError(UsageError::Kind::ambiguous, "several certificates match");
  return *found.front();
}

ChainVerification verify_on_token(const std::vector<CertificateEntry>& entries, const CertificateEntry& entry,
                                  std::int64_t now) {
  if (!entry.details) throw CertificateError("The certificate cannot be read.");
  std::vector<const CertificateDetails*> cas;
  for (const CertificateEntry& e : entries)
    if (e.details && (e.details->is_ca || e.category == 2)) cas.push_back(&*e.details);
  return verify_chain(*entry.details, cas, now);
}

std::vector<ObjectEntry> list_objects(Session& session) {
  std::vector<ObjectEntry> out;
  for (CK_OBJECT_HANDLE h : session.find(AttributeTemplate{})) {
    ObjectEntry e;
    e.handle = h;
    e.object_class = session.ulong_attribute(h, CKA_CLASS).value_or(CKO_DATA);
    if (e.object_class == CKO_PROFILE || e.object_class == CKO_ECERT_POLICY) continue;
    if (e.object_class == CKO_PRIVATE_KEY || e.object_class == CKO_PUBLIC_KEY || e.object_class == CKO_SECRET_KEY)
      e.key_type = session.ulong_attribute(h, CKA_KEY_TYPE);
    e.label = text_of(session.attribute(h, CKA_LABEL));
    e.id = session.attribute(h, CKA_ID).value_or(Bytes{});
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace ecert::manager
