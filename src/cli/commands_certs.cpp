// Commands about what is stored on the token: certs, show (the user guide's
// "view the e-Cert"), export-cert and delete.
#include <CLI/CLI.hpp>
#include <ctime>
#include <fstream>
#include <iostream>

#include "cli/context.h"
#include "cli/exit_codes.h"
#include "cli/secrets.h"
#include "cli/token_text.h"
#include "manager/i18n.h"
#include "manager/token_certificates.h"

namespace ecert::cli {
namespace {

using manager::CertificateEntry;
using manager::tr;

struct LoginOptions {
  bool login = false;
  std::optional<std::string> pin_file;
};

// A session on the chosen token, logged in as the user when asked (private
// keys are only visible then).
std::unique_ptr<manager::Session> open_session(Context& c, bool read_write, bool login,
                                               const std::optional<std::string>& pin_file) {
  const CK_SLOT_ID slot = c.token();
  auto session = std::make_unique<manager::Session>(c.module(), slot, read_write);
  if (login) {
    c.entering_pin(CKU_USER);
    const SecureString pin = read_secret({"ECERT_TOKEN_PIN", pin_file}, tr("Token password: "));
    session->login(CKU_USER, pin);
  }
  return session;
}

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

std::string joined(const std::vector<std::string>& v) {
  if (v.empty()) return tr("(none)");
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

std::string entry_text(const std::vector<CertificateEntry>& all, const CertificateEntry& e) {
  std::string out;
  auto line = [&out](const char* name, const std::string& value) { out += pad_to_width(name, 26) + " " + value + "\n"; };
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
    for (std::size_t i : e.chain) out += "  " + (all[i].details ? all[i].details->subject : all[i].label) + "\n";
  } else if (!d.is_ca) {
    out += std::string(tr("CA chain on the token: (not on the token)")) + "\n";
  }
  return out;
}

void add_certs_and_show(CLI::App& app, Context& c) {
  static LoginOptions login;
  auto* certs = app.add_subcommand("certs", tr("List the certificates on the token"));
  certs->add_flag("--login", login.login, tr("log in first, to show which certificates have their private key"));
  certs->add_option("--pin-file", login.pin_file, tr("read the token password from this file"))->type_name("FILE");
  certs->callback([&c] {
    c.action = [&c] {
      auto session = open_session(c, false, login.login, login.pin_file);
      const auto entries = manager::list_certificates(*session, login.login);
      Json j = Json::array();
      std::string text;
      for (std::size_t i = 0; i < entries.size(); ++i) {
        const auto& e = entries[i];
        j.push_back(entry_json(entries, e, false));
        text += format("%zu. %s [%s]\n", i + 1, e.label.c_str(), category_text(e).c_str());
        if (e.details) {
          text += "   " + e.details->subject + "\n";
          text += "   " + format(tr("valid until %s (%s)"), date_text(e.details->not_after).c_str(),
                               validity_text(*e.details).c_str()) +
                  "\n";
        }
        if (e.has_private_key && *e.has_private_key) text += "   " + std::string(tr("private key on the token")) + "\n";
      }
      if (entries.empty()) text = std::string(tr("There are no certificates on the token.")) + "\n";
      c.print(j, text);
      return kOk;
    };
  });
  static std::string which;
  auto* show = app.add_subcommand("show", tr("Show a certificate in full (the e-Cert by default)"));
  show->add_option("certificate", which, tr("number in `certs`, label, ID or fingerprint"));
  show->add_flag("--login", login.login, tr("log in first, to show whether its private key is on the token"));
  show->add_option("--pin-file", login.pin_file, tr("read the token password from this file"))->type_name("FILE");
  show->callback([&c] {
    c.action = [&c] {
      auto session = open_session(c, false, login.login, login.pin_file);
      const auto entries = manager::list_certificates(*session, login.login);
      const CertificateEntry& e = manager::select_certificate(entries, which);
      c.print(entry_json(entries, e, true), entry_text(entries, e));
      return kOk;
    };
  });
}

void add_export(CLI::App& app, Context& c) {
  static std::string which, format_name = "pem";
  static std::optional<std::string> output;
  auto* cmd = app.add_subcommand("export-cert", tr("Write a certificate from the token to a file (PEM or DER)"));
  cmd->add_option("certificate", which, tr("number in `certs`, label, ID or fingerprint"));
  cmd->add_option("--format", format_name, tr("pem or der"))->check(CLI::IsMember({"pem", "der"}));
  cmd->add_option("-o,--output", output, tr("file to write (default: standard output, PEM only)"))->type_name("FILE");
  cmd->callback([&c] {
    c.action = [&c] {
      auto session = open_session(c, false, false, std::nullopt);
      const auto entries = manager::list_certificates(*session, false);
      const CertificateEntry& e = manager::select_certificate(entries, which);
      const std::string pem = manager::to_pem(e.value);
      if (!output) {
        if (format_name == "der")
          throw manager::UsageError(manager::UsageError::Kind::usage, tr("DER output needs --output FILE."));
        std::cout << pem;
        return kOk;
      }
      std::ofstream out(*output, std::ios::binary | std::ios::trunc);
      if (format_name == "der") out.write(reinterpret_cast<const char*>(e.value.data()), e.value.size());
      else out << pem;
      out.close();
      if (!out) throw std::runtime_error(format(tr("Cannot write %s"), output->c_str()));
      c.say(format(tr("Certificate \"%s\" written to %s."), e.label.c_str(), output->c_str()));
      return kOk;
    };
  });
}

const char* class_name(CK_OBJECT_CLASS cls) {
  switch (cls) {
    case CKO_CERTIFICATE:
      return "certificate";
    case CKO_PUBLIC_KEY:
      return "public-key";
    case CKO_PRIVATE_KEY:
      return "private-key";
    case CKO_SECRET_KEY:
      return "secret-key";
    case CKO_DATA:
      return "data";
    default:
      return "other";
  }
}

void add_delete(CLI::App& app, Context& c) {
  static std::string which;
  static std::optional<std::string> object_class, pin_file;
  static bool yes = false;
  auto* cmd = app.add_subcommand(
      "delete", tr("Delete objects from the token: every object (certificate, keys) with this label or ID"));
  cmd->add_option("object", which, tr("label or ID (hex) of the objects"))->required();
  cmd->add_option("--type", object_class, tr("only objects of this kind"))
      ->check(CLI::IsMember({"certificate", "public-key", "private-key", "secret-key", "data"}));
  cmd->add_option("--pin-file", pin_file, tr("read the token password from this file"))->type_name("FILE");
  cmd->add_flag("--yes", yes, tr("do not ask for confirmation"));
  cmd->callback([&c] {
    c.action = [&c] {
      auto session = open_session(c, true, true, pin_file);
      std::vector<manager::ObjectEntry> chosen;
      for (const auto& o : manager::list_objects(*session)) {
        if (object_class && *object_class != class_name(o.object_class)) continue;
        if (o.label == which || (!o.id.empty() && manager::to_hex(o.id) == which)) chosen.push_back(o);
      }
      if (chosen.empty())
        throw manager::UsageError(manager::UsageError::Kind::not_found, "no object with this label or ID");
      std::string list;
      for (const auto& o : chosen) list += format("  %s \"%s\" (%s)\n", class_name(o.object_class), o.label.c_str(),
                                                  manager::to_hex(o.id).c_str());
      if (!yes && !confirm(std::string(tr("Delete these objects?")) + "\n" + list + tr("[y/N] ")))
        return c.say(tr("Nothing was changed.")), kCancelled;
      Json j = Json::array();
      for (const auto& o : chosen) {
        session->destroy(o.handle);
        j.push_back({{"class", class_name(o.object_class)}, {"label", o.label}, {"id", manager::to_hex(o.id)}});
      }
      c.print(Json{{"deleted", j}}, std::string(tr("Deleted:")) + "\n" + list);
      return kOk;
    };
  });
}

}  // namespace

void add_certificate_commands(CLI::App& app, Context& context) {
  add_certs_and_show(app, context);
  add_export(app, context);
  add_delete(app, context);
}

}  // namespace ecert::cli
