#include "token_keys.h"

#include <cstdio>

#include "p11_util.h"

std::string data_label(unsigned index) {
  char label[32];
  std::snprintf(label, sizeof label, "bench-data-%05u", index);
  return label;
}

namespace {

Status find_pair(CK_FUNCTION_LIST* f, CK_SESSION_HANDLE session, const std::string& label,
                 CK_OBJECT_HANDLE& private_key, CK_OBJECT_HANDLE& public_key) {
  if (Status s = find_by_label(f, session, CKO_PRIVATE_KEY, label, private_key); !s.is_ok()) return s;
  if (Status s = find_by_label(f, session, CKO_PUBLIC_KEY, label, public_key); !s.is_ok()) return s;
  if (private_key == CK_INVALID_HANDLE || public_key == CK_INVALID_HANDLE)
    return Status::fail("key pair '" + label + "' not on the token (run with --setup, and give the PIN)");
  return Status::ok();
}

TokenKey load_rsa(CK_FUNCTION_LIST* f, CK_SESSION_HANDLE session) {
  TokenKey key;
  CK_OBJECT_HANDLE pub = CK_INVALID_HANDLE;
  key.status = find_pair(f, session, kRsaLabel, key.private_key, pub);
  Bytes modulus, exponent;
  if (key.status.is_ok()) key.status = get_attribute(f, session, pub, CKA_MODULUS, modulus);
  if (key.status.is_ok()) key.status = get_attribute(f, session, pub, CKA_PUBLIC_EXPONENT, exponent);
  if (key.status.is_ok()) key.status = rsa_public_key(modulus, exponent, key.public_key);
  return key;
}

TokenKey load_ec(CK_FUNCTION_LIST* f, CK_SESSION_HANDLE session) {
  TokenKey key;
  CK_OBJECT_HANDLE pub = CK_INVALID_HANDLE;
  key.status = find_pair(f, session, kEcLabel, key.private_key, pub);
  Bytes params, point;
  if (key.status.is_ok()) key.status = get_attribute(f, session, pub, CKA_EC_PARAMS, params);
  if (key.status.is_ok()) key.status = get_attribute(f, session, pub, CKA_EC_POINT, point);
  if (key.status.is_ok()) key.status = ec_public_key(params, point, key.public_key);
  return key;
}

}  // namespace

TokenKeys load_token_keys(CK_FUNCTION_LIST* f, CK_SESSION_HANDLE session) {
  TokenKeys keys;
  keys.rsa = load_rsa(f, session);
  keys.ec = load_ec(f, session);
  return keys;
}
