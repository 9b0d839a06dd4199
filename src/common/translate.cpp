// One binding of the "ecert-token" text domain per process, shared by the
// manager and the module (see translate.h for why it must be one).
#include "common/translate.h"

#include <dlfcn.h>
#include <libintl.h>
#include <stdlib.h>

#include <mutex>
#include <string>

namespace ecert {
namespace {

// Whether the object holding this code (the module's .so or a program) was
// loaded from the build tree: tests and the demo run from there and must see
// the catalogues built beside them, not an older installed copy.
[[maybe_unused]] bool running_from_build_tree(const std::string& tree) {
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&bind_text_domain), &info) == 0 || info.dli_fname == nullptr) return false;
  return std::string(info.dli_fname).rfind(tree + "/", 0) == 0;
}

std::string catalogue_directory() {
  if (const char* env = secure_getenv("ECERT_LOCALEDIR"); env && *env) return env;
#if defined(ECERT_BUILD_TREE) && defined(ECERT_BUILD_LOCALEDIR)
  if (running_from_build_tree(ECERT_BUILD_TREE)) return ECERT_BUILD_LOCALEDIR;
#endif
#ifdef ECERT_LOCALEDIR
  return ECERT_LOCALEDIR;
#else
  return {};
#endif
}

}  // namespace

void bind_text_domain() {
  static std::once_flag once;
  std::call_once(once, [] {
    const std::string dir = catalogue_directory();
    if (!dir.empty()) bindtextdomain(kTextDomain, dir.c_str());
    bind_textdomain_codeset(kTextDomain, "UTF-8");
  });
}

const char* tr(const char* text) {
  bind_text_domain();
  return dgettext(kTextDomain, text);
}

const char* tr_n(const char* singular, const char* plural, unsigned long n) {
  bind_text_domain();
  return dngettext(kTextDomain, singular, plural, n);
}

}  // namespace ecert
