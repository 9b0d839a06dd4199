// Where a user's token files live: $ECERT_TOKEN_DIR, else
// $XDG_DATA_HOME/ecert-token (an absolute XDG_DATA_HOME only, as the XDG
// specification says), else ~/.local/share/ecert-token. One rule for the
// module, which keeps its tokens there, and the manager, which explains
// what it finds there.
#pragma once

#include <string>

namespace ecert {

// The path (not created, not checked).
std::string token_directory_path();

}  // namespace ecert
