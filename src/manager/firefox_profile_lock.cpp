// Whether a Firefox profile is open (why it matters: firefox_profile_lock.h),
// from the two locks Firefox keeps in it: the `lock` symbolic link, which
// names the holder's process (still alive if kill(pid, 0) says so), and an
// fcntl() lock on .parentlock, asked about with F_GETLK. It only looks; it
// never takes or breaks a lock.
#include "manager/firefox_profile_lock.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <string>
#include <system_error>

namespace ecert::manager {
namespace {

// Firefox's `lock` symlink: "<address>:+<pid>". Not a symlink: no lock.
bool lock_symlink_names_live_process(const std::filesystem::path& lock) {
  std::error_code ec;
  if (!std::filesystem::is_symlink(lock, ec)) return false;
  std::string target = std::filesystem::read_symlink(lock, ec).string();
  if (ec) return true;
  auto plus = target.rfind(":+");
  if (plus == std::string::npos) return true;
  const char* first = target.data() + plus + 2;
  const char* last = target.data() + target.size();
  long pid = 0;
  auto [end, err] = std::from_chars(first, last, pid);
  if (err != std::errc() || end != last || pid <= 0) return true;
  // EPERM: the process exists but belongs to someone else.
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

// F_GETLK reports locks of other processes only, which is all we want.
bool parentlock_held(const std::filesystem::path& parentlock) {
  int fd = ::open(parentlock.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) return false;
  struct flock query = {};
  query.l_type = F_WRLCK;
  query.l_whence = SEEK_SET;
  query.l_start = 0;
  query.l_len = 0;
  bool held = ::fcntl(fd, F_GETLK, &query) == 0 && query.l_type != F_UNLCK;
  ::close(fd);
  return held;
}

}  // namespace

bool firefox_profile_in_use(const std::filesystem::path& profile_dir) {
  return lock_symlink_names_live_process(profile_dir / "lock") || parentlock_held(profile_dir / ".parentlock");
}

}  // namespace ecert::manager
