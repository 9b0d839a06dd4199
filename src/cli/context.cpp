#include "cli/context.h"

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cwchar>
#include <iostream>

namespace ecert::cli {

manager::Module& Context::module() {
  if (!module_) {
    const std::string path = options.module.empty() ? manager::default_module_path() : options.module;
    module_ = std::make_unique<manager::Module>(path);
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
  if (options.json) std::cout << json.dump(2) << '\n';
  else std::cout << text << std::flush;
}

void Context::say(const std::string& text) const {
  (options.json ? std::cerr : std::cout) << text << '\n' << std::flush;
}

std::string pad_to_width(const std::string& text, int columns) {
  std::wstring wide(text.size() + 1, L'\0');
  const std::size_t n = std::mbstowcs(wide.data(), text.c_str(), wide.size());
  int width = n == static_cast<std::size_t>(-1) ? static_cast<int>(text.size()) : wcswidth(wide.c_str(), n);
  if (width < 0) width = static_cast<int>(text.size());
  return text + std::string(width < columns ? static_cast<std::size_t>(columns - width) : 0, ' ');
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
