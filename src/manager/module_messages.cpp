// The wording of describe_module_failure(): one translated sentence per
// ModuleProblem, naming the module file and, where there is one, the system's
// reason or the PKCS#11 function that failed and what its CK_RV means.
#include "manager/module_messages.h"

#include <cstdio>

#include "manager/i18n.h"
#include "manager/messages.h"

namespace ecert::manager {
namespace {

// Unused trailing arguments are allowed by printf, so one helper serves
// patterns with one to three %s.
std::string format_text(const char* pattern, const std::string& a, const std::string& b = "",
                        const std::string& c = "") {
  const int n = std::snprintf(nullptr, 0, pattern, a.c_str(), b.c_str(), c.c_str());
  std::string out(n > 0 ? static_cast<std::size_t>(n) : 0, '\0');
  std::snprintf(out.data(), out.size() + 1, pattern, a.c_str(), b.c_str(), c.c_str());
  return out;
}

}  // namespace

std::string describe_module_failure(const ModuleLoadFailure& f) {
  const std::string& path = f.path();
  switch (f.problem()) {
    case ModuleProblem::missing_file:
      return format_text(tr("The PKCS#11 module %s could not be loaded: the file does not exist."), path);
    case ModuleProblem::directory:
      return format_text(tr("The PKCS#11 module %s could not be loaded: it is a directory, not a file."), path);
    case ModuleProblem::unreadable:
      return format_text(tr("The PKCS#11 module %s could not be loaded: the file may not be read (permissions)."),
                         path);
    case ModuleProblem::not_loadable:
      // TRANSLATORS: the second %s is the system's own reason, in English.
      return format_text(tr("The PKCS#11 module %s could not be loaded: it is not a library that this computer can "
                            "load (%s)."),
                         path, f.detail());
    case ModuleProblem::no_entry_point:
      return format_text(tr("The PKCS#11 module %s could not be loaded: it is not a PKCS#11 module (it has neither "
                            "C_GetInterface nor C_GetFunctionList)."),
                         path);
    case ModuleProblem::function_list_failed:
    case ModuleProblem::initialize_failed:
      // TRANSLATORS: the module file, the PKCS#11 function (such as C_Initialize), what its error means.
      return format_text(tr("The PKCS#11 module %s could not be loaded: %s failed: %s"), path, f.detail(),
                         describe_rv(f.rv()));
  }
  return format_text(tr("The PKCS#11 module %s could not be loaded."), path);
}

}  // namespace ecert::manager
