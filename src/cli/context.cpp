// The Context every command works through: the module loaded on first use
// (and, for our module, the token directory or file it would refuse named on
// stderr, the one place a person can learn why a token is missing), the token
// chosen by the global options, output as text or JSON with outside text made
// safe for the terminal, and the printf-style format() of the commands'
// messages.
#include "cli/context.h"

#include <cstdarg>
#include <cstdio>
#include <iostream>

#include "manager/token_storage.h"

namespace ecert::cli {

manager::Module& Context::module() {
  if (!module_) {
    const std::string path = options.module.empty() ? manager::default_module_path() : options.module;
    module_ = std::make_unique<manager::Module>(path);
    // The module shows no token from a directory it refuses, and a token
    // file it refuses as unrecognised; only here can the person learn why.
    if (module_->is_ecert()) {
      if (const auto problem = manager::find_storage_problem())
        std::cerr << "ecert-token: " << terminal_safe(manager::describe_storage_problem(*problem)) << '\n';
    }
  }
  return *module_;
}

manager::TokenChoice Context::choice() const {
  manager::TokenChoice c;
  if (options.slot) c.slot = *options.slot;
  c.label = options.token_label;
  return c;
}

CK_SLOT_ID Context::token() {
  slot_ = manager::choose_token(module(), choice());
  return *slot_;
}

CK_SLOT_ID Context::uninitialised_token() {
  slot_ = manager::choose_uninitialised_token(module(), choice());
  return *slot_;
}

void Context::print(const Json& json, const std::string& text) const {
  if (options.json)
    std::cout << json_text(json) << '\n';
  else
    std::cout << terminal_safe(text) << std::flush;
}

void Context::say(const std::string& text) const {
  (options.json ? std::cerr : std::cout) << terminal_safe(text) << '\n' << std::flush;
}

std::string format(const char* pattern, ...) {
  va_list args;
  va_start(args, pattern);
  char buffer[1024];
  std::vsnprintf(buffer, sizeof buffer, pattern, args);
  va_end(args);
  return buffer;
}

}  // namespace ecert::cli
