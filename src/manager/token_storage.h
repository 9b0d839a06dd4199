// Why the e-Cert Token module would refuse its token directory or a token
// file, in words a person can act on. The module only answers "no slot" or
// CKR_TOKEN_NOT_RECOGNIZED (PKCS#11 has no way to say why), and the manager
// speaks only PKCS#11 to it; so the manager looks at the same places itself,
// by the module's rules (docs/DESIGN.md, "Slots and token files"): the
// directory must be the user's own and writable by nobody else, each token
// file (and its -wal, -shm, -journal and .lock) the user's own, a regular
// file, mode 0600 and one link.
#pragma once

#include <optional>
#include <string>

namespace ecert::manager {

enum class StorageFault {
  symlink,             // a symbolic link
  wrong_type,          // the directory is no directory, a file no regular file
  other_owner,         // owned by another user
  writable_by_others,  // group or other may write it
  readable_by_others,  // a file that group or other may read
  wrong_mode,          // a file whose mode is otherwise not 0600 (mode holds it)
  hard_links,          // a file with another name as well
};

struct StorageProblem {
  std::string path;
  bool directory = false;  // the token directory itself, else a token file in it
  StorageFault fault = StorageFault::symlink;
  unsigned mode = 0;  // the permission bits found
};

// The token directory the module uses in this environment: $ECERT_TOKEN_DIR,
// else $XDG_DATA_HOME/ecert-token, else ~/.local/share/ecert-token.
std::string token_directory();

// The first thing in the token directory that the module refuses: the
// directory, else a token file (in name order). Nothing when all may be used,
// or when there is no directory yet.
std::optional<StorageProblem> find_storage_problem();

// Sentences for a person: the path and the fault, then what the module does
// about it. Translated.
std::string describe_storage_problem(const StorageProblem& problem);

}  // namespace ecert::manager
