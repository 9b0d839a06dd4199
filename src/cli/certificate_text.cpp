// The words and JSON of `certs` and `show`: one numbered entry per
// certificate, or every field of one (dates in UTC, days left, key, usages,
// policies, fingerprints, the CA chain on the token and whether it verifies,
// OpenSSL's common verification errors in plain words), usage names translated
// in the text but kept as OpenSSL's in the JSON, and every value from a
// certificate or token escaped for the terminal.
#include "cli/certificate_text.h"

#include <openssl/x509_vfy.h>

#include <ctime>

#include "cli/token_text.h"
#include "manager/i18n.h"

namespace ecert::cli {

using manager::CertificateEntry;
using manager::tr;

namespace {

std::string date_text(std::int64_t t) {
  const std::time_t time = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&time, &tm);
  char buffer[64];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buffer;
}

using Validity = manager::CertificateDetails::Validity;

std::string validity_text(const manager::CertificateDetails& d) {
  const std::int64_t now = std::time(nullptr);
  switch (d.validity(now)) {
    case Validity::not_yet_valid:
      return tr("not yet valid");
    case Validity::expired:
      return tr("expired");
    case Validity::valid:
      break;
  }
  const long days = d.days_left(now);
  return format(manager::tr_n("%ld day left", "%ld days left", static_cast<unsigned long>(days)), days);
}

// Whether today is within the validity period, as a sentence with the dates.
std::string period_text(const manager::CertificateDetails& d) {
  const std::string from = date_text(d.not_before), until = date_text(d.not_after);
  switch (d.validity(std::time(nullptr))) {
    case Validity::not_yet_valid:
      return format(tr("not yet valid: valid from %s"), from.c_str());
    case Validity::expired:
      return format(tr("expired: valid until %s"), until.c_str());
    case Validity::valid:
      break;
  }
  return format(tr("valid: from %s until %s"), from.c_str(), until.c_str());
}

const char* validity_name(Validity v) {
  switch (v) {
    case Validity::not_yet_valid:
      return "not_yet_valid";
    case Validity::expired:
      return "expired";
    case Validity::valid:
      break;
  }
  return "valid";
}

// OpenSSL's verification errors a token's chain meets, in plain words; any
// other keeps OpenSSL's English.
std::string chain_problem(const manager::ChainVerification& v) {
  switch (v.error) {
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
      return tr("a CA certificate of its chain is not on the token");
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
      return tr("it is self-signed and not a CA certificate on the token");
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
    case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
      return tr("a signature in the chain is not valid");
    case X509_V_ERR_CERT_HAS_EXPIRED:
      return tr("a CA certificate of its chain has expired");
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return tr("a CA certificate of its chain is not yet valid");
    case X509_V_ERR_INVALID_CA:
    case X509_V_ERR_KEYUSAGE_NO_CERTSIGN:
      return tr("a certificate of its chain may not act as a CA");
    default:
      return v.error_text;
  }
}

std::string chain_text(const manager::ChainVerification& v) {
  if (v.verified) return format(tr("verified up to the CA certificate %s"), printable(v.anchor).c_str());
  return format(tr("not verified: %s"), chain_problem(v).c_str());
}

Json chain_json(const manager::ChainVerification& v) {
  Json j;
  j["verified"] = v.verified;
  j["anchor"] = v.verified ? Json(v.anchor) : Json(nullptr);
  j["error"] = v.verified ? Json(nullptr) : Json(v.error_text);
  return j;
}

std::string key_text(const manager::CertificateDetails& d) {
  if (d.key_type == "EC") return format(tr("EC %s (%d bits)"), d.curve.c_str(), d.key_bits);
  return format(tr("%s %d bits"), d.key_type.c_str(), d.key_bits);
}

// OpenSSL's names of key usages and extended key usages (what
// CertificateDetails and --json keep), translated for the text output; a
// name not listed, or a dotted OID, is shown as it is.
const char* const kUsageNames[] = {
    N_("Digital Signature"),
    N_("Non Repudiation"),
    N_("Key Encipherment"),
    N_("Data Encipherment"),
    N_("Key Agreement"),
    N_("Certificate Sign"),
    N_("CRL Sign"),
    N_("Encipher Only"),
    N_("Decipher Only"),
    N_("TLS Web Server Authentication"),
    N_("TLS Web Client Authentication"),
    N_("Code Signing"),
    N_("E-mail Protection"),
    N_("Time Stamping"),
    N_("OCSP Signing"),
    N_("Microsoft Smartcard Login"),
    N_("Any Extended Key Usage"),
    N_("IPSec End System"),
    N_("IPSec Tunnel"),
    N_("IPSec User"),
    N_("Microsoft Encrypted File System"),
};

std::vector<std::string> usage_names(const std::vector<std::string>& names) {
  std::vector<std::string> out;
  for (const std::string& name : names) {
    const char* shown = name.c_str();
    for (const char* known : kUsageNames)
      if (name == known) shown = tr(known);
    out.emplace_back(shown);
  }
  return out;
}

std::string category_text(const CertificateEntry& e) {
  switch (e.category) {
    case 1:
      return tr("your certificate");
    case 2:
      return tr("CA certificate");
    case 3:
      return tr("other person's certificate");
    default:
      return tr("certificate");
  }
}

std::string private_key_text(const CertificateEntry& e) {
  if (!e.has_private_key) return tr("unknown (log in with --login to see private keys)");
  return *e.has_private_key ? tr("yes, on the token") : tr("no");
}

Json list_json(const std::vector<std::string>& v) { return Json(v); }

std::string joined(const std::vector<std::string>& v) {
  if (v.empty()) return tr("(none)");
  std::string out;
  // TRANSLATORS: between the items of a list ("Digital Signature, Non Repudiation").
  const std::string separator = tr(", ");
  for (const auto& s : v) out += (out.empty() ? "" : separator) + s;
  return out;
}

}  // namespace

Json entry_json(const std::vector<CertificateEntry>& all, const CertificateEntry& e, bool full) {
  Json j;
  j["label"] = e.label;
  j["id"] = manager::to_hex(e.id);
  j["category"] = e.category;
  j["trusted"] = e.trusted;
  j["private_key_on_token"] = optional_json(e.has_private_key);
  if (!e.details) {
    j["error"] = "not a readable X.509 certificate";
    return j;
  }
  const auto& d = *e.details;
  const std::int64_t now = std::time(nullptr);
  j["subject"] = d.subject;
  j["issuer"] = d.issuer;
  j["common_name"] = d.subject_common_name;
  j["serial"] = d.serial_plain;
  j["not_before"] = date_text(d.not_before);
  j["not_after"] = date_text(d.not_after);
  j["days_left"] = d.days_left(now);
  j["expired"] = d.expired(now);
  j["validity"] = validity_name(d.validity(now));
  if (!full) return j;
  j["chain_verification"] = chain_json(manager::verify_on_token(all, e, now));
  j["key_type"] = d.key_type;
  j["key_bits"] = d.key_bits;
  if (!d.curve.empty()) j["curve"] = d.curve;
  j["key_usage"] = list_json(d.key_usage);
  j["extended_key_usage"] = list_json(d.extended_key_usage);
  j["policies"] = list_json(d.policies);
  j["emails"] = list_json(d.email_addresses);
  j["dns_names"] = list_json(d.dns_names);
  j["is_ca"] = d.is_ca;
  j["sha1_fingerprint"] = d.sha1_fingerprint;
  j["sha256_fingerprint"] = d.sha256_fingerprint;
  Json chain = Json::array();
  for (std::size_t i : e.chain) {
    const auto& ca = all[i];
    chain.push_back({{"label", ca.label}, {"subject", ca.details ? ca.details->subject : ""}});
  }
  j["chain"] = chain;
  return j;
}

std::string entry_text(const std::vector<CertificateEntry>& all, const CertificateEntry& e) {
  std::string out;
  // Every value may come from the certificate or the token: printable().
  auto line = [&out](const char* name, const std::string& value) {
    out += pad_to_width(name, 26) + " " + printable(value) + "\n";
  };
  line(tr("Label:"), e.label);
  line(tr("Kind:"), category_text(e));
  if (!e.details) {
    line(tr("Content:"), tr("not a readable X.509 certificate"));
    return out;
  }
  const auto& d = *e.details;
  line(tr("Subject:"), d.subject);
  line(tr("Issuer:"), d.issuer);
  line(tr("Serial number:"), d.serial_hex);
  line(tr("Valid from:"), date_text(d.not_before));
  // TRANSLATORS: a date and, in brackets, how long it is valid ("12 days left").
  line(tr("Valid until:"), format(tr("%s (%s)"), date_text(d.not_after).c_str(), validity_text(d).c_str()));
  line(tr("Validity period:"), period_text(d));
  line(tr("Certificate chain:"), chain_text(manager::verify_on_token(all, e, std::time(nullptr))));
  line(tr("Key:"), key_text(d));
  line(tr("Key usage:"), joined(usage_names(d.key_usage)));
  line(tr("Extended key usage:"), joined(usage_names(d.extended_key_usage)));
  line(tr("Certificate policies:"), joined(d.policies));
  line(tr("E-mail addresses:"), joined(d.email_addresses));
  line(tr("SHA-1 fingerprint:"), d.sha1_fingerprint);
  line(tr("SHA-256 fingerprint:"), d.sha256_fingerprint);
  line(tr("Private key:"), private_key_text(e));
  line(tr("ID:"), manager::to_hex(e.id));
  if (!e.chain.empty()) {
    out += std::string(tr("CA chain on the token:")) + "\n";
    for (std::size_t i : e.chain)
      out += "  " + printable(all[i].details ? all[i].details->subject : all[i].label) + "\n";
  } else if (!d.is_ca) {
    out += std::string(tr("CA chain on the token: (not on the token)")) + "\n";
  }
  return out;
}

Json certificates_json(const std::vector<CertificateEntry>& entries) {
  Json j = Json::array();
  for (const auto& e : entries) j.push_back(entry_json(entries, e, false));
  return j;
}

std::string certificates_text(const std::vector<CertificateEntry>& entries) {
  if (entries.empty()) return std::string(tr("There are no certificates on the token.")) + "\n";
  std::string text;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const auto& e = entries[i];
    text += format("%zu. %s [%s]\n", i + 1, printable(e.label).c_str(), category_text(e).c_str());
    if (e.details) {
      text += "   " + printable(e.details->subject) + "\n";
      text += "   " +
              format(tr("valid until %s (%s)"), date_text(e.details->not_after).c_str(),
                     validity_text(*e.details).c_str()) +
              "\n";
    }
    if (e.has_private_key && *e.has_private_key) text += "   " + std::string(tr("private key on the token")) + "\n";
  }
  return text;
}

}  // namespace ecert::cli
