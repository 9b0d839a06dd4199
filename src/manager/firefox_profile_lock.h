// Whether a running Firefox has a profile open. A running Firefox does not
// see a module added under it until it restarts, and it and modutil both
// rewrite the profile's module list (pkcs11.txt) without locking each other
// out; modutil itself warns that changing the database while the browser runs
// "could cause corruption".
#pragma once

#include <filesystem>

namespace ecert::manager {

// True when a Firefox process has `profile_dir` open, by Firefox's own two
// locks: the `lock` symlink (target "<address>:+<pid>") naming a process that
// is alive, or an fcntl() lock held on `.parentlock` by another process. A
// `lock` symlink whose target cannot be read as a pid counts as in use, since
// it cannot be shown to be stale. The pid is checked on this machine only:
// with a home directory shared over NFS, a Firefox on another machine is seen
// through `.parentlock` where the file system supports remote locks.
bool firefox_profile_in_use(const std::filesystem::path& profile_dir);

}  // namespace ecert::manager
