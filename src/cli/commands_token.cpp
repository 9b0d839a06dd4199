// Commands about the token as a whole: list, info, init, rename, wipe and
// the password policy.
#include <CLI/CLI.hpp>
#include <algorithm>

#include "cli/context.h"
#include "cli/exit_codes.h"
#include "cli/password_flow.h"
#include "cli/secrets.h"
#include "cli/token_text.h"
#include "manager/i18n.h"
#include "manager/pin_operations.h"
#include "manager/session.h"
#include "manager/token_certificates.h"
#include "policy/policy_fields.h"

namespace ecert::cli {
namespace {

using manager::tr;
using manager::tr_n;

SecretSource so_source(const std::optional<std::string>& file) { return {"ECERT_TOKEN_SO_PIN", file}; }

void add_list_and_info(CLI::App& app, Context& c) {
  auto* list = app.add_subcommand("list", tr("List the slots and tokens, with the state of each token password"));
  list->callback([&c] {
    c.action = [&c] {
      Json j = Json::array();
      std::string text;
      for (const auto& t : manager::list_tokens(c.module())) {
        j.push_back(token_json(t));
        text += token_text(t, false);
      }
      c.print(j, text);
      return kOk;
    };
  });
  auto* info = app.add_subcommand("info", tr("Show one token in full (the only one, or the one --slot/--token names)"));
  info->callback([&c] {
    c.action = [&c] {
      const auto t = manager::describe_token(c.module(), c.token());
      Json j = token_json(t);
      c.print(j, token_text(t, true));
      return kOk;
    };
  });
}

// What `init` on an initialised token destroys, as far as it can be seen
// without the token password, one line each.
std::string contents_text(Context& c, CK_SLOT_ID slot) {
  std::string out;
  manager::Session session(c.module(), slot, false);
  for (const auto& o : manager::list_objects(session)) {
    const char* kind = o.object_class == CKO_CERTIFICATE   ? tr("certificate")
                       : o.object_class == CKO_PUBLIC_KEY  ? tr("public key")
                       : o.object_class == CKO_PRIVATE_KEY ? tr("private key")
                                                           : tr("other object");
    out += "  " + format("%s \"%s\"", kind, o.label.c_str()) + "\n";
  }
  out += "  " + std::string(tr("every private key (they cannot be listed without the token password)")) + "\n";
  out += "  " + std::string(tr("the token password")) + "\n";
  return out;
}

// Making a token again over one that is in use destroys the owner's e-Cert
// for good (its key cannot be exported): a person sees what goes and types
// the label back; a script says --force.
bool erase_is_confirmed(Context& c, const manager::TokenSummary& t, bool force) {
  if (force) return true;
  c.say(format(tr("The token \"%s\" (serial number %s) is in use. Making it again destroys everything on it:"),
               t.label.c_str(), t.serial.c_str()) +
        "\n" + contents_text(c, t.slot) +
        tr("An e-Cert whose key is destroyed cannot be used again: it must be revoked and a new one issued."));
  if (!have_terminal()) {
    c.say(tr("Nothing was changed. To erase the token without a question, add --force."));
    return false;
  }
  const auto typed = ask_line(format(tr("To erase it, type the token's label (%s): "), t.label.c_str()));
  if (typed && *typed == t.label) return true;
  c.say(tr("The label does not match. Nothing was changed."));
  return false;
}

void add_init(CLI::App& app, Context& c) {
  auto* cmd = app.add_subcommand(
      "init", tr("Issuer: make a new token with a label and an administrator (SO) password, and set a random "
                 "8-digit initial token password (the PIN envelope)"));
  static std::string label;
  static std::optional<std::string> envelope, so_pin_file;
  static bool force = false;
  cmd->add_option("--label", label, tr("label of the new token (at most 32 letters, or 10 Chinese characters)"))
      ->type_name("LABEL")
      ->required();
  cmd->add_option("--envelope", envelope,
                  tr("write the initial password to this new file (mode 0600) instead of showing it"))
      ->type_name("FILE");
  cmd->add_option("--so-pin-file", so_pin_file, tr("read the new SO password from this file"))->type_name("FILE");
  cmd->add_flag("--force", force,
                tr("on a token that is already in use (--slot): erase it without asking to type its label"));
  cmd->callback([&c] {
    c.action = [&c] {
      const CK_SLOT_ID slot = c.uninitialised_token();
      const auto before = manager::describe_token(c.module(), slot);
      if (before.initialized && !erase_is_confirmed(c, before, force)) return kCancelled;
      std::optional<SecretFile> envelope_file;
      if (envelope) envelope_file.emplace(*envelope);
      SecureString so_pin;
      if (before.initialized) {
        // C_InitToken checks the token's own SO password.
        c.entering_pin(CKU_SO);
        so_pin = ask_current_password(c, slot, CKU_SO, so_source(so_pin_file), tr("Administrator (SO) password: "));
      } else {
        // The module checks the SO password against the default policy;
        // asking twice catches typing errors, as in every password dialog.
        so_pin = ask_new_password(c, slot, so_source(so_pin_file), tr("New administrator (SO) password: "),
                                  manager::PinRole::owner, /*check_policy=*/false);
      }
      const SecureString envelope_pin = manager::random_envelope_pin();
      manager::init_token(c.module(), slot, so_pin, label, envelope_pin);
      const auto t = manager::describe_token(c.module(), slot);
      Json j = token_json(t);
      if (envelope) {
        envelope_file->write(envelope_text(t.label, t.serial, envelope_pin));
        j["envelope_file"] = *envelope;
        c.print(j, format(tr("Token \"%s\" made in slot %lu; its initial password is in %s."), label.c_str(), slot,
                          envelope->c_str()) +
                       "\n");
      } else {
        j["envelope_pin"] = std::string(envelope_pin);
        c.print(j, format(tr("Token \"%s\" made in slot %lu."), label.c_str(), slot) + "\n" +
                       format(tr("Initial token password (PIN envelope): %s"), envelope_pin.c_str()) + "\n" +
                       tr("It is shown only this once. The owner must change it before the token can be used.") + "\n");
      }
      return kOk;
    };
  });
}

void add_rename_and_wipe(CLI::App& app, Context& c) {
  static std::string label;
  static std::optional<std::string> so_pin_file;
  static bool yes = false;
  auto* rename = app.add_subcommand("rename", tr("Administrator: change the token label"));
  rename->add_option("label", label, tr("the new label (at most 32 letters, or 10 Chinese characters)"))->required();
  rename->add_option("--so-pin-file", so_pin_file, tr("read the SO password from this file"))->type_name("FILE");
  rename->callback([&c] {
    c.action = [&c] {
      const CK_SLOT_ID slot = c.token();
      c.entering_pin(CKU_SO);
      const SecureString so_pin =
          ask_current_password(c, slot, CKU_SO, so_source(so_pin_file), tr("Administrator (SO) password: "));
      manager::rename_token(c.module(), slot, so_pin, label);
      c.print(token_json(manager::describe_token(c.module(), slot)),
              format(tr("The token is now called \"%s\"."), label.c_str()) + "\n");
      return kOk;
    };
  });
  auto* wipe = app.add_subcommand(
      "wipe", tr("Administrator: empty the token (every key and certificate, and the token password, are deleted)"));
  wipe->add_option("--so-pin-file", so_pin_file, tr("read the SO password from this file"))->type_name("FILE");
  wipe->add_flag("--yes", yes, tr("do not ask for confirmation"));
  wipe->callback([&c] {
    c.action = [&c] {
      const CK_SLOT_ID slot = c.token();
      const auto t = manager::describe_token(c.module(), slot);
      if (!yes &&
          !confirm(format(tr("Delete everything on the token \"%s\"? This cannot be undone. [y/N] "), t.label.c_str())))
        return c.say(tr("Nothing was changed.")), kCancelled;
      c.entering_pin(CKU_SO);
      const SecureString so_pin =
          ask_current_password(c, slot, CKU_SO, so_source(so_pin_file), tr("Administrator (SO) password: "));
      manager::wipe_token(c.module(), slot, so_pin);
      c.print(token_json(manager::describe_token(c.module(), slot)),
              std::string(tr("The token is empty. Set a new initial password with: ecert-token unblock")) + "\n");
      return kOk;
    };
  });
}

Json policy_json(const manager::TokenPolicy& p) {
  Json j;
  for (const policy::PolicyField& f : policy::policy_fields()) {
    if (!f.settable()) continue;
    std::string key = f.name;
    std::replace(key.begin(), key.end(), '-', '_');
    if (f.kind == policy::FieldKind::flag)
      j[key] = f.get(p.rules) != 0;
    else
      j[key] = f.get(p.rules);
  }
  j["tries_left"] = p.user_tries_left;
  j["so_tries_left"] = p.so_tries_left;
  return j;
}

std::string policy_text(const manager::TokenPolicy& p) {
  const auto& r = p.rules;
  auto yes_no = [](bool b) { return std::string(b ? tr("yes") : tr("no")); };
  std::string out;
  out += format(tr_n("Password length:            %u to %u character",
                     "Password length:            %u to %u characters", r.max_length),
                r.min_length, r.max_length) +
         "\n";
  out += format(tr("Upper-case letter required: %s"), yes_no(r.require_upper).c_str()) + "\n";
  out += format(tr("Lower-case letter required: %s"), yes_no(r.require_lower).c_str()) + "\n";
  out += format(tr("Digit required:             %s"), yes_no(r.require_digit).c_str()) + "\n";
  out += format(tr("Special character required: %s"), yes_no(r.require_special).c_str()) + "\n";
  out += format(tr("Longest run of one character: %u (0: no limit)"), r.max_repeat) + "\n";
  out += format(tr("Previous passwords refused: %u"), r.history_size) + "\n";
  out += format(tr_n("Wrong passwords before the token locks: %u (%u try left)",
                     "Wrong passwords before the token locks: %u (%u tries left)", p.user_tries_left),
                r.max_user_tries, p.user_tries_left) +
         "\n";
  out += format(tr_n("Wrong SO passwords before the SO password locks: %u (%u try left)",
                     "Wrong SO passwords before the SO password locks: %u (%u tries left)", p.so_tries_left),
                r.max_so_tries, p.so_tries_left) +
         "\n";
  out += format(tr_n("Initial (PIN envelope) password length: %u to %u character",
                     "Initial (PIN envelope) password length: %u to %u characters", r.issuer_max_length),
                r.issuer_min_length, r.issuer_max_length) +
         "\n";
  out += format(tr("Initial password must be changed: %s"), yes_no(r.must_change).c_str()) + "\n";
  // TRANSLATORS: the protected authentication path: the token shows its own
  // password dialog (a pinentry program) when a program gives no password.
  out += format(tr("Token asks for the password itself (pinentry): %s"), yes_no(r.protected_path).c_str()) + "\n";
  return out;
}

void add_policy(CLI::App& app, Context& c) {
  auto* policy = app.add_subcommand("policy", tr("Show or (administrator) set the token's password policy"));
  policy->require_subcommand(1);
  auto* show = policy->add_subcommand("show", tr("Show the password policy and the tries left"));
  show->callback([&c] {
    c.action = [&c] {
      const auto p = manager::read_policy(c.module(), c.token());
      if (!p) {
        const auto t = manager::describe_token(c.module(), *c.current_slot());
        Json j{{"min_length", t.min_pin}, {"max_length", t.max_pin}, {"user_pin", pin_state_json(t.user)}};
        c.print(j, format(tr("This token does not publish a password policy. Password length: %lu to %lu."), t.min_pin,
                          t.max_pin) +
                       "\n" + describe_pin_state(t));
        return kOk;
      }
      c.print(policy_json(*p), policy_text(*p));
      return kOk;
    };
  });
  auto* set = policy->add_subcommand("set", tr("Administrator: change fields of the password policy"));
  static std::map<std::string, std::string> values;
  static std::optional<std::string> so_pin_file;
  for (const policy::PolicyField& f : policy::policy_fields()) {
    if (!f.settable()) continue;
    const bool flag = f.kind == policy::FieldKind::flag;
    const std::string help =
        std::string(tr(f.help)) + ": " +
        (flag ? std::string(tr("yes or no")) : format(tr("a number from %u to %u"), f.minimum, f.maximum));
    auto* option = set->add_option(std::string("--") + f.name, values[f.name], help);
    if (flag)
      option->check(CLI::IsMember({"yes", "no"}));
    else
      option->check(CLI::Range(f.minimum, f.maximum));
  }
  set->add_option("--so-pin-file", so_pin_file, tr("read the SO password from this file"))->type_name("FILE");
  set->callback([&c] {
    c.action = [&c] {
      std::vector<manager::PolicyChange> changes;
      for (const auto& [name, text] : values) {
        if (text.empty()) continue;
        const policy::PolicyField* f = policy::find_field(name);
        std::uint32_t value = 0;
        if (f->kind == policy::FieldKind::flag) {
          if (text != "yes" && text != "no")
            throw manager::UsageError(manager::UsageError::Kind::bad_input,
                                      format(tr("--%s takes yes or no"), f->name));
          value = text == "yes";
        } else {
          char* end = nullptr;
          const unsigned long v = std::strtoul(text.c_str(), &end, 10);
          if (*end != '\0' || v < f->minimum || v > f->maximum)
            throw manager::UsageError(manager::UsageError::Kind::bad_input,
                                      format(tr("--%s takes a number from %u to %u"), f->name, f->minimum, f->maximum));
          value = static_cast<std::uint32_t>(v);
        }
        changes.emplace_back(f, value);
      }
      if (changes.empty())
        throw manager::UsageError(manager::UsageError::Kind::usage, tr("Nothing to change: name a policy field."));
      const CK_SLOT_ID slot = c.token();
      c.entering_pin(CKU_SO);
      const SecureString so_pin =
          ask_current_password(c, slot, CKU_SO, so_source(so_pin_file), tr("Administrator (SO) password: "));
      {
        manager::Session session(c.module(), slot, true);
        session.login(CKU_SO, so_pin);
        manager::write_policy(session, changes);
      }
      const auto p = manager::read_policy(c.module(), slot);
      c.print(policy_json(*p), policy_text(*p));
      return kOk;
    };
  });
}

}  // namespace

void add_token_commands(CLI::App& app, Context& context) {
  add_list_and_info(app, context);
  add_init(app, context);
  add_rename_and_wipe(app, context);
  add_policy(app, context);
}

}  // namespace ecert::cli
