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
// Error(CKR_DEVICE_ERROR) if it cannot, or if the directory there is not
// trusted (file_checks.h): a token is never made where another user could
// change or swap its files.
void ensure_token_directory(const std::string& dir);

// The token file of a slot: DIR/token-<slot>.sqlite
std::string token_path(const std::string& dir, CK_SLOT_ID slot);
// Slot IDs of the token files present, ascending. A missing directory is
// simply empty (a fresh user has no tokens, and loading the module must not
// create anything). Nothing (std::nullopt) when the directory is there but
// not trusted (file_checks.h): then it holds no token of ours, and no token
// may be made in it.
std::optional<std::vector<CK_SLOT_ID>> list_token_slots(const std::string& dir);

}  // namespace ecert::store
