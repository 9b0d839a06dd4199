// PinLock: one PIN operation at a time on a token, across every process that
// loads the module.
//
// Why a lock file and not SQLite's write lock: a PIN try is committed to the
// file *before* the PIN is checked (so killing the process during the check
// cannot undo the count), and the check ends with a second commit (reset the
// count, or replace the PIN). SQLite releases its write lock at each commit,
// so between the two another process could check the same old PIN, and two
// C_SetPIN calls from one old PIN would both succeed, the first change lost.
// Held around count -> check -> write, the lock makes every PIN operation of
// every process happen one after another, and the try counter exact.
//
// The lock is flock(2) on DIR/token-N.sqlite.lock (0600, made on first use).
// It is never held while a person types (pinentry asks before it is taken),
// only across the Argon2 derivations of one operation, so waiting is bounded
// by the other processes' derivations; after kWait the operation fails with
// CKR_DEVICE_ERROR rather than hanging its caller for good behind a process
// that was stopped while holding the lock.
#pragma once

#include <chrono>
#include <string>

namespace ecert::store {

class PinLock {
 public:
  static constexpr std::chrono::seconds kWait{60};

  // Blocks until this process holds the lock of the token file `token_path`.
  // The token's directory must exist. Throws Error(CKR_DEVICE_ERROR) when the
  // lock file cannot be opened or the lock is not had within kWait.
  explicit PinLock(const std::string& token_path);
  ~PinLock();
  PinLock(PinLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  PinLock(const PinLock&) = delete;
  PinLock& operator=(const PinLock&) = delete;
  PinLock& operator=(PinLock&&) = delete;

  // The lock file of a token file.
  static std::string path_for(const std::string& token_path) { return token_path + ".lock"; }

 private:
  int fd_ = -1;
};

}  // namespace ecert::store
