// What every command of the CLI shares: the global options, the module
// (loaded on first use), the chosen token, and output in text or JSON.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/terminal_text.h"
#include "manager/pkcs11_module.h"
#include "manager/tokens.h"

namespace CLI {
class App;
}

namespace ecert::cli {

using Json = nlohmann::ordered_json;

struct Options {
  std::string module;  // empty: manager::default_module_path()
  std::optional<unsigned long> slot;
  std::optional<std::string> token_label;
  bool json = false;
  bool verbose = false;
};

class Context {
 public:
  Options options;
  // The command chosen on the command line; returns the exit code.
  std::function<int()> action;

  manager::Module& module();
  manager::TokenChoice choice() const;
  // The initialised token the command is about (remembered for messages
  // about tries left after a wrong password).
  CK_SLOT_ID token();
  CK_SLOT_ID uninitialised_token();
  std::optional<CK_SLOT_ID> current_slot() const { return slot_; }
  // Which PIN the command is entering, for the message after a wrong one.
  void entering_pin(CK_USER_TYPE who) { pin_user_ = who; }
  CK_USER_TYPE pin_user() const { return pin_user_; }

  // Prints `json` (with --json) or `text` to stdout, through json_text() or
  // terminal_safe().
  void print(const Json& json, const std::string& text) const;
  // A line for the person (stderr in JSON mode, so stdout stays JSON),
  // through terminal_safe().
  void say(const std::string& text) const;

 private:
  std::unique_ptr<manager::Module> module_;
  std::optional<CK_SLOT_ID> slot_;
  CK_USER_TYPE pin_user_ = CKU_USER;
};

// printf-style formatting of a translated pattern.
std::string format(const char* pattern, ...) __attribute__((format(printf, 1, 2)));

// Registration of each command group (one file each).
void add_token_commands(CLI::App& app, Context& context);
void add_pin_commands(CLI::App& app, Context& context);
void add_certificate_commands(CLI::App& app, Context& context);
void add_key_commands(CLI::App& app, Context& context);
void add_browser_commands(CLI::App& app, Context& context);

}  // namespace ecert::cli
