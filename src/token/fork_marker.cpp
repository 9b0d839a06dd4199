// The fork marker (why: fork_marker.h): C_Initialize arms a private page
// marked MADV_WIPEONFORK, which reads as zero in a fork() child, so
// in_armed_process() costs one memory read; where the kernel refuses the
// advice, the pid remembered when arming is compared with getpid() instead.
#include "token/fork_marker.h"

#include <sys/mman.h>
#include <unistd.h>

namespace ecert::token {
namespace {
// Plain globals: trivially destructible, nothing runs at exit or dlclose.
volatile unsigned char* g_page = nullptr;
pid_t g_pid = 0;
long page_size() { return ::sysconf(_SC_PAGESIZE); }
}  // namespace

void arm_fork_marker() noexcept {
  g_pid = ::getpid();
  if (g_page == nullptr) {
    void* p = ::mmap(nullptr, page_size(), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return;
    if (::madvise(p, page_size(), MADV_WIPEONFORK) != 0) {
      ::munmap(p, page_size());
      return;
    }
    g_page = static_cast<volatile unsigned char*>(p);
  }
  *g_page = 1;
}

void disarm_fork_marker() noexcept {
  g_pid = 0;
  if (g_page != nullptr) *g_page = 0;
}

bool in_armed_process() noexcept {
  if (g_page != nullptr) return *g_page != 0;
  return g_pid != 0 && g_pid == ::getpid();
}

}  // namespace ecert::token
