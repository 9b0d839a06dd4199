// Whether the token directory and a token file may be trusted. Another local
// user who can write the directory can swap in files of their own (a -wal
// that collects what the owner writes, a planted token), and a file of theirs
// is theirs to read and change whatever we do: so the module uses only a
// directory that is this user's alone and files that are this user's alone.
//
// Each check is made with fstat() on a descriptor opened without following a
// symbolic link, so what was checked is what was opened. Once the directory
// is checked, nobody but this user (and root) can change its entries, so a
// name in it that was checked still names the same file when SQLite opens it.
#pragma once

#include <string>

namespace ecert::store {

// What is wrong with a directory or file; `none` when it may be used.
enum class FileFault {
  none,
  missing,             // it does not exist
  symlink,             // it is a symbolic link
  wrong_type,          // not a directory / not a regular file
  other_owner,         // not owned by the effective uid
  writable_by_others,  // group or other may write it
  wrong_mode,          // a file: not exactly 0600
  hard_links,          // a file: it has another name as well
  unreadable,          // it could not be opened or examined
};

// A short English phrase for logs and tests ("belongs to another user").
const char* describe(FileFault fault);

// An open descriptor, closed when the object dies.
class Descriptor {
 public:
  Descriptor() = default;
  explicit Descriptor(int fd) : fd_(fd) {}
  ~Descriptor();
  Descriptor(Descriptor&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  Descriptor& operator=(Descriptor&& other) noexcept;
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  int get() const { return fd_; }
  // Gives up ownership (to fdopendir(), which closes it).
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_ = -1;
};

// Opens the directory `path` (its last component not followed if it is a
// symbolic link) into `out` and checks it: a directory, owned by the
// effective uid, not writable by group or other. `out` is left closed unless
// the result is `none`.
FileFault open_trusted_directory(const std::string& path, Descriptor& out);

// Checks an open descriptor of a token file (or its -wal, -shm, lock file):
// a regular file, owned by the effective uid, mode 0600, one link.
FileFault check_file(int fd);

// Opens `name` in the checked directory `dir` without following a symbolic
// link and checks it with check_file(); `missing` when there is no such name.
FileFault check_file_at(int dir, const std::string& name);

}  // namespace ecert::store
