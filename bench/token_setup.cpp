#include "token_setup.h"

#include <unordered_set>
#include <vector>

#include "p11_util.h"
#include "token_keys.h"

namespace {

Status key_exists(CK_FUNCTION_LIST* f, CK_SESSION_HANDLE session, const std::string& label, bool& exists) {
  CK_OBJECT_HANDLE found = CK_INVALID_HANDLE;
  Status s = find_by_label(f, session, CKO_PRIVATE_KEY, label, found);
  exists = found != CK_INVALID_HANDLE;
  return s;
}

Status generate_pair(CK_FUNCTION_LIST* f, CK_SESSION_HANDLE session, CK_MECHANISM_TYPE type,
                     std::vector<CK_ATTRIBUTE> pub, std::vector<CK_ATTRIBUTE> priv) {
  CK_MECHANISM mechanism{type, nullptr, 0};
  CK_OBJECT_HANDLE pub_handle = CK_INVALID_HANDLE, priv_handle = CK_INVALID_HANDLE;
  CK_RV rv = f->C_GenerateKeyPair(session, &mechanism, pub.data(), pub.size(), priv.data(), priv.size(), &pub_handle,
                                  &priv_handle);
  return rv == CKR_OK ? Status::ok() : Status::ck("C_GenerateKeyPair", rv);
}

// Private, sensitive, never extractable: the token must do the work itself.
std::vector<CK_ATTRIBUTE> private_template(const std::string& label, bool decrypt) {
  std::vector<CK_ATTRIBUTE> t = {
      attr(CKA_TOKEN, kTrue), attr(CKA_PRIVATE, kTrue),    attr(CKA_SENSITIVE, kTrue), attr(CKA_EXTRACTABLE, kFalse),
      attr(CKA_SIGN, kTrue),  attr_text(CKA_LABEL, label), attr_text(CKA_ID, label),
  };
  if (decrypt) t.push_back(attr(CKA_DECRYPT, kTrue));
  return t;
}

// Labels of all data objects in one pass; 64 bytes is plenty for ours and
// an object with a longer label cannot be one of ours anyway.
Status existing_data_labels(CK_FUNCTION_LIST* f, CK_SESSION_HANDLE session, std::unordered_set<std::string>& labels) {
  const CK_OBJECT_CLASS data_class = CKO_DATA;
  std::vector<CK_OBJECT_HANDLE> objects;
  Status s = find_objects(f, session, {attr(CKA_CLASS, data_class)}, objects);
  if (!s.is_ok()) return s;
  for (CK_OBJECT_HANDLE object : objects) {
    char label[64];
    CK_ATTRIBUTE query = attr_bytes(CKA_LABEL, label, sizeof label);
    if (f->C_GetAttributeValue(session, object, &query, 1) == CKR_OK) labels.emplace(label, query.ulValueLen);
  }
  return Status::ok();
}

}  // namespace

Status ensure_rsa_key(CK_FUNCTION_LIST* f, CK_SESSION_HANDLE session, bool& created) {
  bool exists = false;
  created = false;
  if (Status s = key_exists(f, session, kRsaLabel, exists); !s.is_ok() || exists) return s;
  const CK_ULONG bits = 2048;
  const unsigned char exponent[] = {0x01, 0x00, 0x01};
  std::vector<CK_ATTRIBUTE> pub = {
      attr(CKA_TOKEN, kTrue),          attr(CKA_PRIVATE, kFalse),
      attr(CKA_VERIFY, kTrue),         attr(CKA_ENCRYPT, kTrue),
      attr(CKA_MODULUS_BITS, bits),    attr_bytes(CKA_PUBLIC_EXPONENT, exponent, sizeof exponent),
      attr_text(CKA_LABEL, kRsaLabel), attr_text(CKA_ID, kRsaLabel),
  };
  Status s = generate_pair(f, session, CKM_RSA_PKCS_KEY_PAIR_GEN, pub, private_template(kRsaLabel, true));
  created = s.is_ok();
  return s;
}

Status ensure_ec_key(CK_FUNCTION_LIST* f, CK_SESSION_HANDLE session, bool& created) {
  bool exists = false;
  created = false;
  if (Status s = key_exists(f, session, kEcLabel, exists); !s.is_ok() || exists) return s;
  // DER of OID 1.2.840.10045.3.1.7 (prime256v1 / P-256).
  const unsigned char p256[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
  std::vector<CK_ATTRIBUTE> pub = {
      attr(CKA_TOKEN, kTrue),         attr(CKA_PRIVATE, kFalse),
      attr(CKA_VERIFY, kTrue),        attr_bytes(CKA_EC_PARAMS, p256, sizeof p256),
      attr_text(CKA_LABEL, kEcLabel), attr_text(CKA_ID, kEcLabel),
  };
  // EC keys cannot decrypt, so CKA_DECRYPT is left out rather than refused.
  Status s = generate_pair(f, session, CKM_EC_KEY_PAIR_GEN, pub, private_template(kEcLabel, false));
  created = s.is_ok();
  return s;
}

Status ensure_data_objects(CK_FUNCTION_LIST* f, CK_SESSION_HANDLE session, unsigned count, unsigned& created) {
  created = 0;
  std::unordered_set<std::string> existing;
  if (Status s = existing_data_labels(f, session, existing); !s.is_ok()) return s;
  const CK_OBJECT_CLASS data_class = CKO_DATA;
  const std::string application = "ecert-bench";
  const std::string value = "ecert-bench find-test filler";
  for (unsigned i = 0; i < count; ++i) {
    const std::string label = data_label(i);
    if (existing.count(label)) continue;
    std::vector<CK_ATTRIBUTE> t = {
        attr(CKA_CLASS, data_class),
        attr(CKA_TOKEN, kTrue),
        attr(CKA_PRIVATE, kFalse),
        attr_text(CKA_LABEL, label),
        attr_text(CKA_APPLICATION, application),
        attr_text(CKA_VALUE, value),
    };
    CK_OBJECT_HANDLE object = CK_INVALID_HANDLE;
    CK_RV rv = f->C_CreateObject(session, t.data(), t.size(), &object);
    if (rv != CKR_OK) return Status::ck("C_CreateObject", rv);
    ++created;
  }
  return Status::ok();
}

Status change_user_pin(const Module& module, CK_SLOT_ID slot, const std::string& old_pin, const std::string& new_pin) {
  Session session;
  if (Status s = session.open(module, slot, true); !s.is_ok()) return s;
  auto* old_text = reinterpret_cast<CK_UTF8CHAR*>(const_cast<char*>(old_pin.data()));
  auto* new_text = reinterpret_cast<CK_UTF8CHAR*>(const_cast<char*>(new_pin.data()));
  CK_RV rv = module.f()->C_SetPIN(session.handle(), old_text, old_pin.size(), new_text, new_pin.size());
  return rv == CKR_OK ? Status::ok() : Status::ck("C_SetPIN", rv);
}
