// Commands about what is stored on the token: certs, show (the user guide's
// "view the e-Cert"), export-cert and delete.
#include <CLI/CLI.hpp>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/certificate_text.h"
#include "cli/context.h"
#include "cli/exit_codes.h"
#include "cli/password_flow.h"
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
    const SecureString pin =
        ask_current_password(c, slot, CKU_USER, {"ECERT_TOKEN_PIN", pin_file}, tr("Token password: "));
    session->login(CKU_USER, pin);
  }
  return session;
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
      c.print(certificates_json(entries), certificates_text(entries));
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
  static bool force = false;
  cmd->add_flag("--force", force, tr("replace the output file if it exists"));
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
      // A file that is there may be someone's only copy of something.
      if (!force && std::filesystem::symlink_status(*output).type() != std::filesystem::file_type::not_found)
        throw CommandStopped(kUsage, format(tr("%s exists; to replace it, add --force."), output->c_str()));
      std::ofstream out(*output, std::ios::binary | std::ios::trunc);
      if (format_name == "der")
        out.write(reinterpret_cast<const char*>(e.value.data()), e.value.size());
      else
        out << pem;
      out.close();
      if (!out) throw std::runtime_error(format(tr("Cannot write %s"), output->c_str()));
      c.say(format(tr("Certificate \"%s\" written to %s."), printable(e.label).c_str(), output->c_str()));
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
      for (const auto& o : chosen)
        list += format("  %s \"%s\" (%s)\n", class_name(o.object_class), printable(o.label).c_str(),
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
