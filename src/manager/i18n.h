// The front ends' start of translation: the manager's user-facing text goes
// through ecert::tr() (common/translate.h, domain "ecert-token"): English in
// the source, Traditional Chinese (zh_HK, zh_TW) in po/. Front ends call
// init_translations() once; the library's messages (messages.h), the policy's
// rule texts and the CLI's own strings then follow the user's locale.
#pragma once

#include "common/translate.h"

namespace ecert::manager {

// setlocale(LC_ALL, "") and binds the text domain (bind_text_domain()).
void init_translations();

using ecert::tr;
using ecert::tr_n;

}  // namespace ecert::manager
