#include "cli/certificate_text.h"

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

std::string validity_text(const manager::CertificateDetails& d) {
  const std::int64_t now = std::time(nullptr);
  if (d.expired(now)) return tr("expired");
  const long days = d.days_left(now);
  return format(manager::tr_n("%ld day left", "%ld days left", static_cast<unsigned long>(days)), days);
}

std::string key_text(const manager::CertificateDetails& d) {
  if (d.key_type == "EC") return format("EC %s (%d bits)", d.curve.c_str(), d.key_bits);
  return format("%s %d bits", d.key_type.c_str(), d.key_bits);
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
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
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
  if (!full) return j;
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
  line(tr("Valid until:"), date_text(d.not_after) + " (" + validity_text(d) + ")");
  line(tr("Key:"), key_text(d));
  line(tr("Key usage:"), joined(d.key_usage));
  line(tr("Extended key usage:"), joined(d.extended_key_usage));
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
      text += "   " + format(tr("valid until %s (%s)"), date_text(e.details->not_after).c_str(),
                           validity_text(*e.details).c_str()) +
              "\n";
    }
    if (e.has_private_key && *e.has_private_key) text += "   " + std::string(tr("private key on the token")) + "\n";
  }
  return text;
}

}  // namespace ecert::cli
