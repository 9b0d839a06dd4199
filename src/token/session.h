// Session: one PKCS#11 session and the operations active in it. A session
// belongs to one token; its login state is the token's.
//
// Threading: the operation members are guarded by mutex(); the crypto hot path
// (C_Sign, C_Decrypt, ...) takes only this lock.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "crypto/mechanism.h"
#include "ecert/pkcs11.h"
#include "token/mutex.h"
#include "token/object.h"
#include "token/token.h"

namespace ecert::token {

// A sign or verify in progress.
struct SignOperation {
  const crypto::Mechanism* mechanism;
  std::unique_ptr<crypto::SignContext> context;
  std::shared_ptr<const crypto::Key> key;  // kept alive for the operation
  bool multipart_started = false;
};

struct CipherOperation {
  const crypto::Mechanism* mechanism;
  std::unique_ptr<crypto::CipherContext> context;
  std::shared_ptr<const crypto::Key> key;
};

struct DigestOperation {
  std::unique_ptr<crypto::DigestContext> context;
  bool multipart_started = false;
};

struct FindOperation {
  std::vector<CK_OBJECT_HANDLE> results;
  std::size_t next = 0;
};

class Session {
 public:
  Session(CK_SESSION_HANDLE handle, std::shared_ptr<Token> token, CK_FLAGS flags)
      : handle_(handle), token_(std::move(token)), flags_(flags), epoch_(token_->epoch()) {}

  CK_SESSION_HANDLE handle() const { return handle_; }
  Token& token() const { return *token_; }
  const std::shared_ptr<Token>& token_ptr() const { return token_; }
  bool read_write() const { return (flags_ & CKF_RW_SESSION) != 0; }
  CK_FLAGS flags() const { return flags_; }
  // False once the token was re-initialised (by any process) after this
  // session was opened.
  bool current() const { return epoch_ == token_->epoch(); }
  Mutex& mutex() { return mutex_; }

  // Ends every active operation (logout, close).
  void cancel_operations();

  std::unique_ptr<FindOperation> find;
  std::unique_ptr<SignOperation> sign;
  std::unique_ptr<SignOperation> verify;
  std::unique_ptr<CipherOperation> encrypt;
  std::unique_ptr<CipherOperation> decrypt;
  std::unique_ptr<DigestOperation> digest;

 private:
  const CK_SESSION_HANDLE handle_;
  const std::shared_ptr<Token> token_;
  const CK_FLAGS flags_;
  const std::uint64_t epoch_;
  Mutex mutex_;
};

using SessionPtr = std::shared_ptr<Session>;

// The session state C_GetSessionInfo reports, from the token's login state.
CK_STATE session_state(const Session& session);

}  // namespace ecert::token
