// The two things a Session works out beyond its members: dropping every active
// operation (when it closes, or on logout), and its CK_STATE, which follows
// from the token's login state and the session's read/write flag.
#include "token/session.h"

namespace ecert::token {

void Session::cancel_operations() {
  find.reset();
  sign.reset();
  verify.reset();
  encrypt.reset();
  decrypt.reset();
  digest.reset();
}

CK_STATE session_state(const Session& session) {
  switch (session.token().logged_in()) {
    case CKU_USER:
      return session.read_write() ? CKS_RW_USER_FUNCTIONS : CKS_RO_USER_FUNCTIONS;
    case CKU_SO:
      return CKS_RW_SO_FUNCTIONS;
    default:
      return session.read_write() ? CKS_RW_PUBLIC_SESSION : CKS_RO_PUBLIC_SESSION;
  }
}

}  // namespace ecert::token
