#include "module_ops.h"

#include <memory>
#include <utility>

namespace {

// Owns what a CK_MECHANISM points to, so the struct stays valid while used.
class Mechanism {
 public:
  explicit Mechanism(const MechanismSpec& spec) : mech_{spec.type, nullptr, 0} {
    if (spec.oaep_sha256) {
      oaep_ = {CKM_SHA256, CKG_MGF1_SHA256, CKZ_DATA_SPECIFIED, nullptr, 0};
      mech_.pParameter = &oaep_;
      mech_.ulParameterLen = sizeof oaep_;
    }
  }
  Mechanism(const Mechanism&) = delete;
  CK_MECHANISM* get() { return &mech_; }

 private:
  CK_MECHANISM mech_;
  CK_RSA_PKCS_OAEP_PARAMS oaep_{};
};

// Big enough for RSA-4096 signatures and any digest; sized once per thread
// so the timed loop does not allocate.
constexpr size_t kOutputCapacity = 512;

using MakeOp = std::function<OpFn(std::shared_ptr<Session>)>;

// Each thread opens its own read-only session; the op keeps it alive and it
// closes when the worker drops the op.
PrepareFn with_session(const Module& module, CK_SLOT_ID slot, MakeOp make_op) {
  return [&module, slot, make_op = std::move(make_op)](OpFn& op) {
    auto session = std::make_shared<Session>();
    if (Status s = session->open(module, slot, false); !s.is_ok()) return s;
    op = make_op(session);
    return Status::ok();
  };
}

}  // namespace

Status p11_sign(const Session& session, const MechanismSpec& spec, CK_OBJECT_HANDLE key, const Bytes& input,
                Bytes& signature) {
  Mechanism mech(spec);
  CK_RV rv = session.f()->C_SignInit(session.handle(), mech.get(), key);
  if (rv != CKR_OK) return Status::ck("C_SignInit", rv);
  signature.resize(kOutputCapacity);
  CK_ULONG len = signature.size();
  rv = session.f()->C_Sign(session.handle(), const_cast<CK_BYTE*>(input.data()), input.size(), signature.data(), &len);
  if (rv != CKR_OK) return Status::ck("C_Sign", rv);
  signature.resize(len);
  return Status::ok();
}

Status p11_decrypt(const Session& session, const MechanismSpec& spec, CK_OBJECT_HANDLE key, const Bytes& cipher,
                   Bytes& plain) {
  Mechanism mech(spec);
  CK_RV rv = session.f()->C_DecryptInit(session.handle(), mech.get(), key);
  if (rv != CKR_OK) return Status::ck("C_DecryptInit", rv);
  plain.resize(kOutputCapacity);
  CK_ULONG len = plain.size();
  rv = session.f()->C_Decrypt(session.handle(), const_cast<CK_BYTE*>(cipher.data()), cipher.size(), plain.data(), &len);
  if (rv != CKR_OK) return Status::ck("C_Decrypt", rv);
  plain.resize(len);
  return Status::ok();
}

Status p11_sha256(const Session& session, const Bytes& input, Bytes& digest) {
  CK_MECHANISM mech{CKM_SHA256, nullptr, 0};
  CK_RV rv = session.f()->C_DigestInit(session.handle(), &mech);
  if (rv != CKR_OK) return Status::ck("C_DigestInit", rv);
  digest.resize(kOutputCapacity);
  CK_ULONG len = digest.size();
  rv = session.f()->C_Digest(session.handle(), const_cast<CK_BYTE*>(input.data()), input.size(), digest.data(), &len);
  if (rv != CKR_OK) return Status::ck("C_Digest", rv);
  digest.resize(len);
  return Status::ok();
}

Status p11_find_label(const Session& session, const std::string& label, CK_ULONG& found) {
  CK_ATTRIBUTE templ = attr_text(CKA_LABEL, label);
  CK_RV rv = session.f()->C_FindObjectsInit(session.handle(), &templ, 1);
  if (rv != CKR_OK) return Status::ck("C_FindObjectsInit", rv);
  // Room for more than one hit, so that duplicates show up in the check.
  CK_OBJECT_HANDLE objects[4];
  found = 0;
  rv = session.f()->C_FindObjects(session.handle(), objects, 4, &found);
  CK_RV final_rv = session.f()->C_FindObjectsFinal(session.handle());
  if (rv != CKR_OK) return Status::ck("C_FindObjects", rv);
  if (final_rv != CKR_OK) return Status::ck("C_FindObjectsFinal", final_rv);
  return Status::ok();
}

Status p11_login_cycle(const Module& module, CK_SLOT_ID slot, const std::string& pin) {
  Session session;
  if (Status s = session.open(module, slot, false); !s.is_ok()) return s;
  if (Status s = session.login(pin); !s.is_ok()) return s;
  if (Status s = session.logout(); !s.is_ok()) return s;
  return session.close();
}

PrepareFn module_sign(const Module& module, CK_SLOT_ID slot, MechanismSpec mech, CK_OBJECT_HANDLE key, Bytes input) {
  return with_session(module, slot, [=](std::shared_ptr<Session> session) -> OpFn {
    auto out = std::make_shared<Bytes>();
    return [=] { return p11_sign(*session, mech, key, input, *out); };
  });
}

PrepareFn module_decrypt(const Module& module, CK_SLOT_ID slot, MechanismSpec mech, CK_OBJECT_HANDLE key,
                         Bytes cipher) {
  return with_session(module, slot, [=](std::shared_ptr<Session> session) -> OpFn {
    auto out = std::make_shared<Bytes>();
    return [=] { return p11_decrypt(*session, mech, key, cipher, *out); };
  });
}

PrepareFn module_sha256(const Module& module, CK_SLOT_ID slot, Bytes input) {
  auto shared_input = std::make_shared<const Bytes>(std::move(input));
  return with_session(module, slot, [=](std::shared_ptr<Session> session) -> OpFn {
    auto out = std::make_shared<Bytes>();
    return [=] { return p11_sha256(*session, *shared_input, *out); };
  });
}

PrepareFn module_find_label(const Module& module, CK_SLOT_ID slot, std::string label) {
  return with_session(module, slot, [=](std::shared_ptr<Session> session) -> OpFn {
    return [=] {
      CK_ULONG found = 0;
      Status s = p11_find_label(*session, label, found);
      if (s.is_ok() && found != 1) return Status::fail("found " + std::to_string(found) + " objects labelled " + label);
      return s;
    };
  });
}

PrepareFn module_login_cycle(const Module& module, CK_SLOT_ID slot, std::string pin) {
  // No per-thread session here: opening and closing one is part of the op.
  return [&module, slot, pin = std::move(pin)](OpFn& op) {
    op = [&module, slot, pin] { return p11_login_cycle(module, slot, pin); };
    return Status::ok();
  };
}
