// `ecert-token`: the e-Cert token manager's command line. Options and
// commands are parsed by CLI11; each command group lives in its own
// commands_*.cpp and does its work through the manager library. This file
// turns what the library throws into a message and a documented exit code.
#include <sys/prctl.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/context.h"
#include "cli/exit_codes.h"
#include "cli/parser_text.h"
#include "cli/password_flow.h"
#include "cli/token_text.h"
#include "manager/certificate.h"
#include "manager/i18n.h"
#include "manager/messages.h"
#include "manager/module_messages.h"

namespace ecert::cli {
namespace {

using manager::tr;

int exit_code_of(CK_RV rv) {
  switch (rv) {
    case CKR_PIN_INCORRECT:
      return kWrongPassword;
    case CKR_PIN_LOCKED:
      return kLocked;
    case CKR_PIN_EXPIRED:
      return kMustChange;
    case CKR_PIN_INVALID:
    case CKR_PIN_LEN_RANGE:
    case CKR_PIN_TOO_WEAK:
      return kPolicy;
    default:
      return kFailed;
  }
}

int exit_code_of(manager::UsageError::Kind kind) {
  using Kind = manager::UsageError::Kind;
  switch (kind) {
    case Kind::no_token:
    case Kind::several_tokens:
    case Kind::not_found:
    case Kind::ambiguous:
      return kNotFound;
    case Kind::bad_password:
      return kWrongPassword;
    case Kind::bad_input:
    case Kind::not_supported:
      return kFailed;
    case Kind::usage:
      return kUsage;
  }
  return kFailed;
}

std::string usage_message(const manager::UsageError& e) {
  using Kind = manager::UsageError::Kind;
  switch (e.kind()) {
    case Kind::no_token:
      return tr("No matching token was found. See the tokens with: ecert-token list");
    case Kind::several_tokens:
      return tr("Several tokens match; choose one with --slot or --token.");
    case Kind::bad_password:
      return tr("The password of the file is wrong.");
    case Kind::ambiguous:
      return tr(
          "Several certificates or objects match: name one by its number in `ecert-token certs`, its label "
          "or its ID.");
    case Kind::not_found:
      return tr("Nothing on the token matches what was named. See what is there with: ecert-token certs");
    default:
      // The library's constant details are in the catalogue too (xgettext
      // collects UsageError's second argument); others stay as they are.
      return tr(e.what());
  }
}

int report(Context& context, int code, const std::string& message, const std::string& detail = "") {
  if (context.options.json) {
    Json j;
    j["error"] = {{"exit_code", code}, {"message", message}};
    if (!detail.empty()) j["error"]["detail"] = detail;
    std::cout << json_text(j) << '\n';
  }
  // Messages may quote a file name or what a module or library said.
  std::cerr << "ecert-token: " << terminal_safe(message) << '\n';
  if (!detail.empty() && context.options.verbose) std::cerr << "  (" << printable(detail) << ")\n";
  return code;
}

int report_p11(Context& context, const manager::P11Error& e) {
  std::string message = manager::describe_rv(e.rv());
  // After a wrong or refused password, say what is left of the tries.
  // (CKR_PIN_LOCKED needs no more words: the token was locked before.)
  if (e.rv() == CKR_PIN_INCORRECT && context.current_slot()) {
    try {
      const auto token = manager::describe_token(context.module(), *context.current_slot());
      const std::string tries = describe_tries_after_failure(token, context.pin_user());
      message = sentences(message, tries);
    } catch (const std::exception&) {
      // The first message is still right.
    }
  }
  return report(context, exit_code_of(e.rv()), message, std::string(e.function()) + ": " + manager::rv_name(e.rv()));
}

int run(int argc, char** argv) {
  Context context;
  CLI::App app{tr("ecert-token: look after an e-Cert Token (a PKCS#11 token): its certificates, its password, "
                  "and its use in browsers."),
               "ecert-token"};
  translate_help(app);
  app.require_subcommand(1);
  // Global options may also follow the command: `ecert-token info --json`.
  app.fallthrough();
  app.set_version_flag("--version", std::string("ecert-token ") + ECERT_VERSION,
                       tr("Display program version information and exit"));
  app.add_option("--module", context.options.module,
                 tr("PKCS#11 module to use (default: the e-Cert Token module; any vendor's module works)"));
  app.add_option("--slot", context.options.slot, tr("slot ID of the token"));
  app.add_option("--token", context.options.token_label, tr("label of the token"));
  app.add_flag("--json", context.options.json, tr("machine-readable output (JSON)"));
  app.add_flag("-v,--verbose", context.options.verbose, tr("also show the PKCS#11 function and return code of errors"));
  add_token_commands(app, context);
  add_pin_commands(app, context);
  add_certificate_commands(app, context);
  add_key_commands(app, context);
  add_browser_commands(app, context);
  app.footer(
      tr("Passwords are never taken from the command line: they are asked without echo, or read from a "
         "file (--pin-file and similar) or an environment variable for automation. See ecert-token(1)."));

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e) == 0 ? kOk : kUsage;  // --help, --version
  } catch (const CLI::ParseError& e) {
    // The parse stopped before it set the flags: --json is read here.
    context.options.json = app.get_option("--json")->count() > 0;
    const int code = report(context, kUsage, parse_error_text(app, e), e.what());
    if (!context.options.json) std::cerr << tr("Run with --help for more information.") << '\n';
    return code;
  }
  try {
    return context.action ? context.action() : kUsage;
  } catch (const manager::P11Error& e) {
    return report_p11(context, e);
  } catch (const PolicyRefusal& e) {
    return report(context, kPolicy, e.what());
  } catch (const CommandStopped& e) {
    return report(context, e.exit_code(), e.what());
  } catch (const manager::UsageError& e) {
    return report(context, exit_code_of(e.kind()), usage_message(e), e.what());
  } catch (const manager::ModuleLoadFailure& e) {
    const std::string rv = e.rv() == CKR_OK ? "" : ": " + manager::rv_name(e.rv());
    return report(context, kNoModule, manager::describe_module_failure(e), e.what() + rv);
  } catch (const manager::ModuleLoadError& e) {
    return report(context, kNoModule, tr("The PKCS#11 module could not be loaded."), e.what());
  } catch (const manager::CertificateError& e) {
    return report(context, kFailed, e.what());
  } catch (const std::exception& e) {
    return report(context, kFailed, e.what());
  }
}

}  // namespace
}  // namespace ecert::cli

int main(int argc, char** argv) {
  // Passwords pass through this process's memory: keep them out of core files.
  const rlimit no_core{0, 0};
  setrlimit(RLIMIT_CORE, &no_core);
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  ecert::manager::init_translations();
  return ecert::cli::run(argc, argv);
}
