// Fork detection without a system call per PKCS#11 call. Every entry point
// must know whether it runs in the process that called C_Initialize or in a
// fork() child that has not called it yet; getpid() is a real system call
// (glibc caches nothing) and costs as much as a small digest on a
// paravirtualised machine. A page marked MADV_WIPEONFORK reads as zero in a
// child, so one memory read answers. Kernels without MADV_WIPEONFORK (before
// Linux 4.14) fall back to comparing getpid().
#pragma once

#include <sys/types.h>

namespace ecert::token {

// Records the current process as the initialised one (C_Initialize).
void arm_fork_marker() noexcept;
// Forgets it (C_Finalize).
void disarm_fork_marker() noexcept;
// True in the armed process, false in a fork() child (or when disarmed).
bool in_armed_process() noexcept;

}  // namespace ecert::token
