// Where a front end's process takes its locale from the environment; the
// catalogue binding itself is shared with the module (common/translate.cpp).
#include "manager/i18n.h"

#include <clocale>

namespace ecert::manager {

void init_translations() {
  std::setlocale(LC_ALL, "");
  bind_text_domain();
}

}  // namespace ecert::manager
