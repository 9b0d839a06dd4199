// Commands that put keys and certificates on the token: import (an e-Cert
// issued as PKCS#12), keygen + csr (to apply for an e-Cert), import-cert (the
// issued certificate, beside its key).
#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <iterator>

#include "cli/context.h"
#include "cli/exit_codes.h"
#include "cli/password_flow.h"
#include "cli/secrets.h"
#include "manager/i18n.h"
#include "manager/key_request.h"
#include "manager/pkcs12_import.h"
#include "manager/token_certificates.h"

namespace ecert::cli {
namespace {

using manager::tr;

Bytes read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw manager::UsageError(manager::UsageError::Kind::bad_input, format(tr("Cannot read %s"), path.c_str()));
  return Bytes(std::istreambuf_iterator<char>(in), {});
}

// A user session on the chosen token, logged in.
std::unique_ptr<manager::Session> user_session(Context& c, const std::optional<std::string>& pin_file) {
  const CK_SLOT_ID slot = c.token();
  auto session = std::make_unique<manager::Session>(c.module(), slot, true);
  c.entering_pin(CKU_USER);
  const SecureString pin =
      ask_current_password(c, slot, CKU_USER, {"ECERT_TOKEN_PIN", pin_file}, tr("Token password: "));
  session->login(CKU_USER, pin);
  return session;
}

Json import_json(const manager::ImportResult& r) {
  return Json{{"label", r.label},           {"id", manager::to_hex(r.id)},
              {"key_stored", r.key_stored}, {"certificate_stored", r.certificate_stored},
              {"ca_added", r.ca_added},     {"ca_skipped", r.ca_skipped}};
}

std::string import_text(const manager::ImportResult& r) {
  std::string out = format(tr("Stored \"%s\" on the token (ID %s):"), r.label.c_str(), manager::to_hex(r.id).c_str());
  out += "\n";
  if (r.key_stored) out += std::string("  ") + tr("private key (cannot be exported) and public key") + "\n";
  if (r.certificate_stored) out += std::string("  ") + tr("certificate") + "\n";
  if (r.ca_added) out += "  " + format(tr("CA certificates added: %zu"), r.ca_added) + "\n";
  if (r.ca_skipped) out += "  " + format(tr("CA certificates already on the token: %zu"), r.ca_skipped) + "\n";
  return out;
}

// The PKCS#12 file opened with its password before the token password is
// asked: a file that is no e-Cert or a wrong file password costs nothing on
// the token. A typed wrong password is asked again.
manager::OpenedPkcs12 open_file(const Bytes& p12, const SecretSource& source) {
  for (;;) {
    const SecureString password = read_secret(source, tr("Password of the PKCS#12 file: "));
    try {
      return manager::open_pkcs12(p12, password);
    } catch (const manager::UsageError& e) {
      if (e.kind() != manager::UsageError::Kind::bad_password || secret_is_automatic(source)) throw;
      std::cerr << tr("The password of the file is wrong.") << '\n';
    }
  }
}

struct KeyOptions {
  std::optional<std::string> pin_file, password_file, label, output;
  std::string file, key, type = "rsa2048";
  manager::RequestSubject subject;
};

void add_import(CLI::App& app, Context& c) {
  static KeyOptions o;
  auto* cmd = app.add_subcommand(
      "import",
      tr("Put an e-Cert issued as a PKCS#12 file (.p12/.pfx: key, certificate, CA certificates) on the token"));
  cmd->add_option("file", o.file, tr("the PKCS#12 file"))->required()->check(CLI::ExistingFile);
  cmd->add_option("--label", o.label,
                  tr("label for the key and certificate (default: the file's name for them, "
                     "else the certificate's common name)"));
  cmd->add_option("--pin-file", o.pin_file, tr("read the token password from this file"))->type_name("FILE");
  cmd->add_option("--password-file", o.password_file, tr("read the PKCS#12 file's password from this file"))
      ->type_name("FILE");
  cmd->callback([&c] {
    c.action = [&c] {
      const manager::OpenedPkcs12 opened = open_file(read_file(o.file), {"ECERT_TOKEN_P12_PASSWORD", o.password_file});
      auto session = user_session(c, o.pin_file);
      const manager::ImportResult r = manager::import_pkcs12(*session, opened, o.label);
      c.print(import_json(r), import_text(r));
      return kOk;
    };
  });
}

void add_keygen(CLI::App& app, Context& c) {
  static KeyOptions o;
  auto* cmd = app.add_subcommand("keygen", tr("Make a key pair on the token (then `csr` to apply for a certificate)"));
  cmd->add_option("--type", o.type, tr("rsa2048, rsa3072, rsa4096, p256 or p384"))
      ->check(CLI::IsMember({"rsa2048", "rsa3072", "rsa4096", "p256", "p384"}));
  cmd->add_option("--label", o.label, tr("label of the new keys"))->type_name("LABEL")->required();
  cmd->add_option("--pin-file", o.pin_file, tr("read the token password from this file"))->type_name("FILE");
  cmd->callback([&c] {
    c.action = [&c] {
      const auto spec = manager::parse_key_spec(o.type);
      auto session = user_session(c, o.pin_file);
      const manager::GeneratedKey key = manager::generate_key_pair(*session, *spec, *o.label);
      c.print(Json{{"label", key.label}, {"id", manager::to_hex(key.id)}, {"type", o.type}},
              format(tr("Key pair \"%s\" (%s) made on the token, ID %s."), key.label.c_str(), o.type.c_str(),
                     manager::to_hex(key.id).c_str()) +
                  "\n");
      return kOk;
    };
  });
}

// The CKA_ID of the private key that `which` names (label or hex ID).
Bytes private_key_id(manager::Session& session, const std::string& which) {
  std::vector<Bytes> ids;
  for (const auto& o : manager::list_objects(session)) {
    if (o.object_class != CKO_PRIVATE_KEY) continue;
    if (o.label == which || manager::to_hex(o.id) == which) ids.push_back(o.id);
  }
  using Kind = manager::UsageError::Kind;
  if (ids.empty()) throw manager::UsageError(Kind::not_found, "no private key with this label or ID");
  if (ids.size() > 1) throw manager::UsageError(Kind::ambiguous, "several private keys with this label or ID");
  return ids.front();
}

void add_csr(CLI::App& app, Context& c) {
  static KeyOptions o;
  auto* cmd =
      app.add_subcommand("csr", tr("Make a certificate request (PKCS#10) signed on the token by one of its keys"));
  cmd->add_option("key", o.key, tr("label or ID of the private key"))->required();
  cmd->add_option("--common-name", o.subject.common_name, tr("your name as on the certificate (UTF-8)"))->required();
  cmd->add_option("--organization", o.subject.organization, tr("organisation"));
  cmd->add_option("--organizational-unit", o.subject.organizational_unit, tr("department"));
  cmd->add_option("--country", o.subject.country, tr("two-letter country code, e.g. HK"));
  cmd->add_option("--email", o.subject.email, tr("e-mail address"));
  cmd->add_option("-o,--output", o.output, tr("file to write (default: standard output)"))->type_name("FILE");
  cmd->add_option("--pin-file", o.pin_file, tr("read the token password from this file"))->type_name("FILE");
  cmd->callback([&c] {
    c.action = [&c] {
      auto session = user_session(c, o.pin_file);
      const Bytes id = private_key_id(*session, o.key);
      const std::string pem = manager::make_certificate_request(*session, id, o.subject);
      if (o.output) {
        std::ofstream out(*o.output, std::ios::trunc);
        out << pem;
        out.close();
        if (!out) throw std::runtime_error(format(tr("Cannot write %s"), o.output->c_str()));
        c.print(Json{{"file", *o.output}, {"id", manager::to_hex(id)}},
                format(tr("Certificate request written to %s."), o.output->c_str()) + "\n");
      } else {
        c.print(Json{{"request", pem}, {"id", manager::to_hex(id)}}, pem);
      }
      return kOk;
    };
  });
}

void add_import_cert(CLI::App& app, Context& c) {
  static KeyOptions o;
  auto* cmd = app.add_subcommand(
      "import-cert", tr("Store an issued certificate (PEM or DER; a PEM file may add its CA chain) beside its key"));
  cmd->add_option("file", o.file, tr("the certificate file"))->required()->check(CLI::ExistingFile);
  cmd->add_option("--label", o.label, tr("label (default: the key's)"))->type_name("LABEL");
  cmd->add_option("--pin-file", o.pin_file, tr("read the token password from this file"))->type_name("FILE");
  cmd->callback([&c] {
    c.action = [&c] {
      const Bytes file = read_file(o.file);
      auto session = user_session(c, o.pin_file);
      const manager::ImportResult r = manager::import_certificate(*session, file, o.label);
      c.print(import_json(r), import_text(r));
      return kOk;
    };
  });
}

}  // namespace

void add_key_commands(CLI::App& app, Context& context) {
  add_import(app, context);
  add_keygen(app, context);
  add_csr(app, context);
  add_import_cert(app, context);
}

}  // namespace ecert::cli
