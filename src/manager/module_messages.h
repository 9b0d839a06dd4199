// The sentence a person reads when a PKCS#11 module cannot be loaded: which
// file, and why, in the user's language.
#pragma once

#include <string>

#include "manager/pkcs11_module.h"

namespace ecert::manager {

std::string describe_module_failure(const ModuleLoadFailure& failure);

}  // namespace ecert::manager
