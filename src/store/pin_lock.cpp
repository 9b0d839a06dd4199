// Taking and releasing a token's PIN lock (why there is one: pin_lock.h). The
// lock file is opened in the checked token directory and checked itself before
// it is locked; flock() is polled until kWait runs out, and released
// explicitly so that a forked child sharing the descriptor does not keep it
// held.
#include "store/pin_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

#include "common/error.h"
#include "store/file_checks.h"

namespace ecert::store {

PinLock::PinLock(const std::string& token_path) {
  // Opened in the checked directory and checked itself: a lock file another
  // user could open would let them hold every PIN operation up, or see when
  // one happens.
  std::size_t slash = token_path.find_last_of('/');
  std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : token_path.substr(0, slash);
  std::string name = path_for(slash == std::string::npos ? token_path : token_path.substr(slash + 1));
  Descriptor checked;
  if (open_trusted_directory(dir, checked) != FileFault::none) fail(CKR_DEVICE_ERROR, "token dir refused");
  fd_ = ::openat(checked.get(), name.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600);
  if (fd_ < 0) fail(CKR_DEVICE_ERROR, "open PIN lock file");
  if (check_file(fd_) != FileFault::none) {
    ::close(fd_);
    fd_ = -1;
    fail(CKR_DEVICE_ERROR, "PIN lock file not trusted");
  }
  // Polled rather than a blocking flock(), which no timeout can interrupt
  // without a signal handler of ours inside the host application.
  auto give_up = std::chrono::steady_clock::now() + kWait;
  while (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    if ((errno != EWOULDBLOCK && errno != EINTR) || std::chrono::steady_clock::now() >= give_up) {
      ::close(fd_);
      fd_ = -1;
      fail(CKR_DEVICE_ERROR, "PIN lock not had");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

PinLock::~PinLock() {
  if (fd_ < 0) return;
  // Unlocked explicitly, not only by the close: a child the host forked
  // meanwhile (a browser's zygote forks without exec) shares this open file,
  // and would otherwise keep the lock held until it exits.
  ::flock(fd_, LOCK_UN);
  ::close(fd_);
}

}  // namespace ecert::store
