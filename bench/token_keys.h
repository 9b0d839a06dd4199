// The benchmark's objects on the token: their labels, and looking up the two
// key pairs together with an OpenSSL copy of each public half.
#pragma once

#include <string>

#include "ossl_util.h"
#include "p11.h"
#include "status.h"

inline const std::string kRsaLabel = "bench-rsa2048";
inline const std::string kEcLabel = "bench-p256";
// "bench-data-00000", "bench-data-00001", ...
std::string data_label(unsigned index);

struct TokenKey {
  CK_OBJECT_HANDLE private_key = CK_INVALID_HANDLE;
  // Rebuilt from the token's public attributes, to verify what the token signs.
  EvpPkeyPtr public_key;
  // Why the key cannot be used; ok when it can.
  Status status;
};

struct TokenKeys {
  TokenKey rsa;
  TokenKey ec;
};

// Private keys are only visible to a logged-in session.
TokenKeys load_token_keys(CK_FUNCTION_LIST* f, CK_SESSION_HANDLE session);
