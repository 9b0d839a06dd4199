#include "manager/i18n.h"

#include <libintl.h>
#include <unistd.h>

#include <climits>
#include <clocale>
#include <cstdlib>
#include <string>

namespace ecert::manager {

void init_translations() {
  std::setlocale(LC_ALL, "");
  std::string dir;
  if (const char* env = std::getenv("ECERT_LOCALEDIR"); env && *env) {
    dir = env;
  } else {
#if defined(ECERT_BUILD_TREE) && defined(ECERT_BUILD_LOCALEDIR)
    char self[PATH_MAX];
    const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0 && std::string(self, static_cast<std::size_t>(n)).rfind(std::string(ECERT_BUILD_TREE) + "/", 0) == 0)
      dir = ECERT_BUILD_LOCALEDIR;
#endif
#ifdef ECERT_LOCALEDIR
    if (dir.empty()) dir = ECERT_LOCALEDIR;
#endif
  }
  if (!dir.empty()) bindtextdomain(kTextDomain, dir.c_str());
  bind_textdomain_codeset(kTextDomain, "UTF-8");
}

const char* tr(const char* text) { return dgettext(kTextDomain, text); }

const char* tr_n(const char* singular, const char* plural, unsigned long n) {
  return dngettext(kTextDomain, singular, plural, n);
}

}  // namespace ecert::manager
