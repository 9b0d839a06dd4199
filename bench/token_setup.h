// --setup and --change-pin-from-file: the only code that writes to the token.
#pragma once

#include <string>

#include "module_loader.h"
#include "p11.h"
#include "status.h"

// Each creates what is missing and leaves what exists alone, so --setup can
// be passed on every run. `session` must be R/W and logged in as the user.
Status ensure_rsa_key(CK_FUNCTION_LIST* f, CK_SESSION_HANDLE session, bool& created);
Status ensure_ec_key(CK_FUNCTION_LIST* f, CK_SESSION_HANDLE session, bool& created);
Status ensure_data_objects(CK_FUNCTION_LIST* f, CK_SESSION_HANDLE session, unsigned count, unsigned& created);

// C_SetPIN(old, new) from an R/W session that is not logged in: the one way
// to replace a PIN the token flags as expired, since C_Login refuses it.
Status change_user_pin(const Module& module, CK_SLOT_ID slot, const std::string& old_pin, const std::string& new_pin);
