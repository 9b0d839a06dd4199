// Commands about passwords: the owner's change-pin (the user guide's "Change
// Token Password"), the administrator's unblock and change-so-pin.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/context.h"
#include "cli/exit_codes.h"
#include "cli/password_flow.h"
#include "cli/secrets.h"
#include "cli/token_text.h"
#include "manager/i18n.h"
#include "manager/messages.h"
#include "manager/pin_operations.h"
#include "policy/rule_messages.h"

namespace ecert::cli {
namespace {

using manager::tr;

struct PinFiles {
  std::optional<std::string> pin, new_pin, so_pin, envelope;
};

// The token the command is about; nothing when the password of `who` is
// locked, so that the command refuses before any password is typed (the
// person has been told why).
std::optional<manager::TokenSummary> token_unless_locked(Context& c, CK_USER_TYPE who) {
  auto t = manager::describe_token(c.module(), c.token());
  const bool locked = who == CKU_SO ? t.so.locked : t.user.locked;
  if (!locked) return t;
  c.say(who == CKU_SO ? tr("The administrator (SO) password is locked.")
                      : tr("The token is locked: too many wrong passwords were entered. The issuer can unblock it "
                           "(ecert-token unblock)."));
  return std::nullopt;
}

// The owner's change of the token password, in the order of SafeNet's
// dialog: the current password is checked first, then a new one is asked
// until the token takes it; rules are checked before the token is called.
void add_change_pin(CLI::App& app, Context& c) {
  static PinFiles files;
  auto* cmd = app.add_subcommand("change-pin", tr("Change the token password (the first time: the password from the "
                                                  "PIN envelope)"));
  cmd->add_option("--pin-file", files.pin, tr("read the current token password from this file"))->type_name("FILE");
  cmd->add_option("--new-pin-file", files.new_pin, tr("read the new token password from this file"))->type_name("FILE");
  cmd->callback([&c] {
    c.action = [&c] {
      const auto t = token_unless_locked(c, CKU_USER);
      if (!t) return kLocked;
      const CK_SLOT_ID slot = t->slot;
      const SecretSource current{"ECERT_TOKEN_PIN", files.pin}, next{"ECERT_TOKEN_NEW_PIN", files.new_pin};
      // Nothing reaches the token while a password cannot be had at all, or
      // a new one from a file is refused by a rule anyway.
      std::optional<SecureString> old_pin, new_pin;
      if (secret_is_automatic(current))
        old_pin = ask_current_password(c, slot, CKU_USER, current, tr("Current token password: "));
      require_secret_source(current);
      require_secret_source(next);
      if (secret_is_automatic(next))
        new_pin = ask_new_password(c, slot, next, tr("New token password: "), manager::PinRole::owner);
      if (old_pin) {
        c.entering_pin(CKU_USER);
        manager::verify_pin(c.module(), slot, CKU_USER, *old_pin);
      } else {
        if (t->user.must_change)
          c.say(
              tr("The token still has its initial password: enter the 8-digit password from the PIN envelope as "
                 "the current password."));
        old_pin = verified_current_password(c, slot, CKU_USER, current, tr("Current token password: "));
      }
      for (bool first = true;; first = false) {
        if (!secret_is_automatic(next))
          new_pin = ask_new_password(c, slot, next, tr("New token password: "), manager::PinRole::owner, true, first);
        try {
          manager::change_user_pin(c.module(), slot, *old_pin, *new_pin);
          break;
        } catch (const manager::P11Error& e) {
          // Every rule but the history was checked above: a refusal now means
          // the password was used recently (the old one was right: no try).
          if (e.rv() != CKR_PIN_INVALID || !c.module().is_ecert()) throw;
          const std::string problem = policy::problem_message(policy::PinProblem::reused, {});
          if (secret_is_automatic(next)) throw PolicyRefusal(problem);
          std::cerr << problem << '\n';
        }
      }
      c.print(Json{{"changed", true}, {"token", token_json(manager::describe_token(c.module(), slot))}},
              std::string(tr("The token password has been changed.")) + "\n");
      return kOk;
    };
  });
}

void add_unblock(CLI::App& app, Context& c) {
  static PinFiles files;
  static bool owner_at_desk = false, yes = false;
  auto* cmd = app.add_subcommand(
      "unblock", tr("Administrator: set a new initial token password (a new PIN envelope, to be changed by the "
                    "owner), or with --owner let the owner at the desk choose the new password at once"));
  cmd->add_option("--so-pin-file", files.so_pin, tr("read the SO password from this file"))->type_name("FILE");
  cmd->add_option("--new-pin-file", files.new_pin, tr("with --owner: read the owner's new password from this file"))
      ->type_name("FILE");
  cmd->add_option("--envelope", files.envelope,
                  tr("write the new initial password to this new file (mode 0600) instead of showing it"))
      ->type_name("FILE");
  cmd->add_flag("--owner", owner_at_desk,
                tr("the owner is present: set a temporary password and replace it at once with the owner's new one"));
  cmd->add_flag("--yes", yes, tr("do not ask for confirmation when the token is not locked"));
  cmd->callback([&c] {
    c.action = [&c] {
      const auto t = token_unless_locked(c, CKU_SO);
      if (!t) return kLocked;
      const CK_SLOT_ID slot = t->slot;
      // A token that is not locked has an owner's password that still works:
      // a person at the terminal confirms; a script says --yes, as init's
      // --force (without either, nothing is changed).
      if (t->user.initialized && !t->user.locked && !yes) {
        if (!have_terminal())
          return c.say(tr("Nothing was changed: the token is not locked. To unblock it anyway without a question, "
                          "add --yes.")),
                 kCancelled;
        if (!confirm(format(tr("The token \"%s\" is not locked. Unblocking it replaces the owner's token password "
                               "with a new initial password; the owner's password stops working. Go on? [y/N] "),
                            t->label.c_str())))
          return c.say(tr("Nothing was changed.")), kCancelled;
      }
      std::optional<SecretFile> envelope_file;
      if (files.envelope && !owner_at_desk) envelope_file.emplace(*files.envelope);
      c.entering_pin(CKU_SO);
      const SecretSource so{"ECERT_TOKEN_SO_PIN", files.so_pin}, owner{"ECERT_TOKEN_NEW_PIN", files.new_pin};
      if (owner_at_desk) require_secret_source(owner);
      const SecureString so_pin = ask_current_password(c, slot, CKU_SO, so, tr("Administrator (SO) password: "));
      const SecureString envelope = manager::random_envelope_pin();
      if (owner_at_desk) {
        const SecureString owner_pin =
            ask_new_password(c, slot, owner, tr("New token password: "), manager::PinRole::owner);
        manager::unblock_user_pin(c.module(), slot, so_pin, envelope, std::string_view(owner_pin));
        c.print(Json{{"unblocked", true}, {"token", token_json(manager::describe_token(c.module(), slot))}},
                std::string(tr("The token is unblocked and has the owner's new password.")) + "\n");
        return kOk;
      }
      manager::unblock_user_pin(c.module(), slot, so_pin, envelope, std::nullopt);
      const auto after = manager::describe_token(c.module(), slot);
      if (files.envelope) {
        envelope_file->write(envelope_text(after.label, after.serial, envelope));
        c.print(
            Json{{"unblocked", true}, {"envelope_file", *files.envelope}, {"token", token_json(after)}},
            format(tr("The token is unblocked; its new initial password is in %s."), files.envelope->c_str()) + "\n");
        return kOk;
      }
      c.print(Json{{"unblocked", true}, {"envelope_pin", std::string(envelope)}, {"token", token_json(after)}},
              std::string(tr("The token is unblocked.")) + "\n" +
                  format(tr("New initial token password (PIN envelope): %s"), envelope.c_str()) + "\n" +
                  tr("It is shown only this once. The owner must change it before the token can be used.") + "\n");
      return kOk;
    };
  });
}

void add_change_so_pin(CLI::App& app, Context& c) {
  static PinFiles files;
  auto* cmd = app.add_subcommand("change-so-pin", tr("Administrator: change the administrator (SO) password"));
  cmd->add_option("--so-pin-file", files.so_pin, tr("read the current SO password from this file"))->type_name("FILE");
  cmd->add_option("--new-so-pin-file", files.new_pin, tr("read the new SO password from this file"))->type_name("FILE");
  cmd->callback([&c] {
    c.action = [&c] {
      const auto t = token_unless_locked(c, CKU_SO);
      if (!t) return kLocked;
      const CK_SLOT_ID slot = t->slot;
      const SecretSource current{"ECERT_TOKEN_SO_PIN", files.so_pin}, next{"ECERT_TOKEN_NEW_SO_PIN", files.new_pin};
      require_secret_source(current);
      require_secret_source(next);
      std::optional<SecureString> new_pin;
      if (secret_is_automatic(next))
        new_pin = ask_new_password(c, slot, next, tr("New administrator (SO) password: "), manager::PinRole::owner);
      const SecureString old_pin =
          verified_current_password(c, slot, CKU_SO, current, tr("Current administrator (SO) password: "));
      if (!new_pin)
        new_pin = ask_new_password(c, slot, next, tr("New administrator (SO) password: "), manager::PinRole::owner);
      manager::change_so_pin(c.module(), slot, old_pin, *new_pin);
      c.print(Json{{"changed", true}}, std::string(tr("The administrator (SO) password has been changed.")) + "\n");
      return kOk;
    };
  });
}

}  // namespace

void add_pin_commands(CLI::App& app, Context& context) {
  add_change_pin(app, context);
  add_unblock(app, context);
  add_change_so_pin(app, context);
}

}  // namespace ecert::cli
