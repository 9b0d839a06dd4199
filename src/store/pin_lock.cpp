#include "store/pin_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

#include "common/error.h"

namespace ecert::store {

PinLock::PinLock(const std::string& token_path) {
  std::string path = path_for(token_path);
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd_ < 0) fail(CKR_DEVICE_ERROR, "open PIN lock file");
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
