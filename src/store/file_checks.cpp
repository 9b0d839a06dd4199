// The checks behind "the token directory and files are this user's alone"
// (file_checks.h): owner, type, mode and link count, each read with fstat()
// from a descriptor opened without following a symbolic link, and a failed
// open() turned into the fault a person is told (a symbolic link, another
// user's file, ...).
#include "store/file_checks.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace ecert::store {

const char* describe(FileFault fault) {
  switch (fault) {
    case FileFault::none:
      return "trusted";
    case FileFault::missing:
      return "does not exist";
    case FileFault::symlink:
      return "is a symbolic link";
    case FileFault::wrong_type:
      return "is not of the expected type";
    case FileFault::other_owner:
      return "belongs to another user";
    case FileFault::writable_by_others:
      return "is writable by other users";
    case FileFault::wrong_mode:
      return "does not have mode 0600";
    case FileFault::hard_links:
      return "has more than one link";
    case FileFault::unreadable:
      return "cannot be examined";
  }
  return "?";
}

Descriptor::~Descriptor() {
  if (fd_ >= 0) ::close(fd_);
}

Descriptor& Descriptor::operator=(Descriptor&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

namespace {
// Why an open() without following symbolic links failed. ELOOP is a symbolic
// link; ENOTDIR (O_DIRECTORY on something else) and EACCES (a file another
// user keeps to themselves) are told apart by a look at the name, since the
// fault is what a person is told.
FileFault open_fault(int error, int dir, const char* path) {
  if (error == ENOENT) return FileFault::missing;
  if (error == ELOOP) return FileFault::symlink;
  if (error != ENOTDIR && error != EACCES) return FileFault::unreadable;
  struct stat st;
  if (::fstatat(dir, path, &st, AT_SYMLINK_NOFOLLOW) != 0)
    return error == ENOTDIR ? FileFault::wrong_type : FileFault::unreadable;
  if (S_ISLNK(st.st_mode)) return FileFault::symlink;
  if (error == ENOTDIR) return FileFault::wrong_type;
  return st.st_uid != ::geteuid() ? FileFault::other_owner : FileFault::unreadable;
}
}  // namespace

FileFault open_trusted_directory(const std::string& path, Descriptor& out) {
  out = Descriptor();
  // A trailing slash would make open() follow a symbolic link after all.
  std::string name = path;
  while (name.size() > 1 && name.back() == '/') name.pop_back();
  int fd = ::open(name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return open_fault(errno, AT_FDCWD, name.c_str());
  Descriptor dir(fd);
  struct stat st;
  if (::fstat(fd, &st) != 0) return FileFault::unreadable;
  if (!S_ISDIR(st.st_mode)) return FileFault::wrong_type;
  if (st.st_uid != ::geteuid()) return FileFault::other_owner;
  // Reading is harmless (the files are 0600); writing lets others swap entries.
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) return FileFault::writable_by_others;
  out = std::move(dir);
  return FileFault::none;
}

FileFault check_file(int fd) {
  struct stat st;
  if (::fstat(fd, &st) != 0) return FileFault::unreadable;
  if (!S_ISREG(st.st_mode)) return FileFault::wrong_type;
  if (st.st_uid != ::geteuid()) return FileFault::other_owner;
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) return FileFault::writable_by_others;
  if ((st.st_mode & 07777) != 0600) return FileFault::wrong_mode;
  // Another name (made while the file was reachable) would let whoever owns
  // the directory holding that name see the file change.
  if (st.st_nlink != 1) return FileFault::hard_links;
  return FileFault::none;
}

FileFault check_file_at(int dir, const std::string& name) {
  // O_NONBLOCK: a FIFO planted under the name must not hang the open.
  int fd = ::openat(dir, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return open_fault(errno, dir, name.c_str());
  Descriptor file(fd);
  return check_file(fd);
}

}  // namespace ecert::store
