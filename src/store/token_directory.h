// Where tokens live: $ECERT_TOKEN_DIR, else $XDG_DATA_HOME/ecert-token, else
// ~/.local/share/ecert-token. One file per token, named after its slot ID,
// so slot IDs survive restarts without any registry file.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ecert/pkcs11.h"

namespace ecert::store {

// The directory path (not created).
std::string token_directory();
// Creates the directory (and missing parents) 0700 if needed. Throws
// Error(CKR_DEVICE_ERROR) if it cannot.
void ensure_token_directory(const std::string& dir);

// The token file of a slot: DIR/token-<slot>.sqlite
std::string token_path(const std::string& dir, CK_SLOT_ID slot);
// Slot IDs of the token files present, ascending. A missing directory is
// simply empty (a fresh user has no tokens, and loading the module must not
// create anything).
std::vector<CK_SLOT_ID> list_token_slots(const std::string& dir);

}  // namespace ecert::store
