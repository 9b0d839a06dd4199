// C_SignInit .. C_GenerateRandom. An operation ends on success and on any
// error except CKR_BUFFER_TOO_SMALL; a NULL-buffer length query leaves it
// active. Only the session's own lock is taken after *Init.
#include <cstring>

#include "common/error.h"
#include "crypto/library_context.h"
#include "token/attribute_rules.h"
#include "token/key_usage.h"
#include "token/library.h"
#include "token/services.h"

namespace ecert::token {
namespace {

SessionPtr crypto_session(CK_SESSION_HANDLE handle) { return Library::get().session(handle, false); }

// Runs `body` on an active operation held in `slot`; ends the operation as
// the specification requires.
template <class Op, class Body>
void with_operation(Session& session, std::unique_ptr<Op>& slot, Body body) {
  Lock lock(session.mutex());
  if (!slot) fail(CKR_OPERATION_NOT_INITIALIZED);
  try {
    if (body(*slot)) slot.reset();
  } catch (const Error& e) {
    if (e.rv() != CKR_BUFFER_TOO_SMALL) slot.reset();
    throw;
  } catch (...) {
    slot.reset();
    throw;
  }
}

template <class Op>
void install(Session& session, std::unique_ptr<Op>& slot, std::unique_ptr<Op> op) {
  Lock lock(session.mutex());
  if (slot) fail(CKR_OPERATION_ACTIVE);
  slot = std::move(op);
}

// Installs an operation on a key looked up at `generation`; false, nothing
// installed, if a logout came in between. The logout counts the generation
// up before it ends the sessions' operations under their locks, so an
// operation is either installed before that (and ended by it) or sees the
// new generation here: none survives the logout.
template <class Op>
bool install_if_current(Session& session, std::unique_ptr<Op>& slot, std::unique_ptr<Op> op, std::uint64_t generation) {
  Lock lock(session.mutex());
  if (slot) fail(CKR_OPERATION_ACTIVE);
  if (session.token().login_generation() != generation) return false;
  slot = std::move(op);
  return true;
}

// How often a start is tried again when a logout raced it: the second try
// already sees the logged-out token (a private key's handle is then
// invalid), so more than two means logouts without end.
constexpr int kStartTries = 3;

template <class Op>
void check_idle(Session& session, const std::unique_ptr<Op>& slot) {
  Lock lock(session.mutex());
  if (slot) fail(CKR_OPERATION_ACTIVE);
}

// Starts an operation of kind Op in `slot` on `key`; `make_context` makes
// its crypto context from the mechanism row and the decoded key.
template <class Op, class MakeContext>
void start_with_key(Session& session, std::unique_ptr<Op>& slot, const CK_MECHANISM& mechanism, CK_OBJECT_HANDLE key,
                    KeyUse use, MakeContext make_context) {
  check_idle(session, slot);
  for (int i = 0; i < kStartTries; ++i) {
    UsableKey k = usable_key(session, mechanism, key, use);
    auto op = std::make_unique<Op>();
    op->mechanism = k.mechanism;
    op->context = make_context(*k.mechanism, *k.key);
    op->key = std::move(k.key);
    if (install_if_current(session, slot, std::move(op), k.login_generation)) return;
  }
  fail(CKR_USER_NOT_LOGGED_IN, "logged out while starting");
}

void start_sign(CK_SESSION_HANDLE handle, const CK_MECHANISM& mechanism, CK_OBJECT_HANDLE key, bool signing) {
  SessionPtr session = crypto_session(handle);
  start_with_key(*session, signing ? session->sign : session->verify, mechanism, key,
                 signing ? KeyUse::sign : KeyUse::verify,
                 [&](const crypto::Mechanism& m, const crypto::Key& k) { return m.sign(mechanism, k, signing); });
}

void start_cipher(CK_SESSION_HANDLE handle, const CK_MECHANISM& mechanism, CK_OBJECT_HANDLE key, bool encrypting) {
  SessionPtr session = crypto_session(handle);
  start_with_key(*session, encrypting ? session->encrypt : session->decrypt, mechanism, key,
                 encrypting ? KeyUse::encrypt : KeyUse::decrypt,
                 [&](const crypto::Mechanism& m, const crypto::Key& k) { return m.cipher(mechanism, k, encrypting); });
}

// Multi-part steps of a mechanism that has none end the operation.
void require_multipart(const crypto::Mechanism& m) {
  if (!m.multipart) fail(CKR_MECHANISM_INVALID, "single-part mechanism");
}

void cipher_single(CK_SESSION_HANDLE handle, bool encrypting, ByteView input, const Output& out) {
  SessionPtr session = crypto_session(handle);
  with_operation(*session, encrypting ? session->encrypt : session->decrypt, [&](CipherOperation& op) {
    if (out.data == nullptr) {
      *out.length = op.context->max_output_size(input.size());
      return false;
    }
    SecureBytes result = op.context->process(input);
    deliver_bytes(out, view(result));
    return true;
  });
}

void cipher_multipart(CK_SESSION_HANDLE handle, bool encrypting) {
  SessionPtr session = crypto_session(handle);
  with_operation(*session, encrypting ? session->encrypt : session->decrypt, [&](CipherOperation& op) {
    require_multipart(*op.mechanism);
    return false;
  });
}

}  // namespace

void end_operation(CK_SESSION_HANDLE handle, OperationKind kind) noexcept {
  try {
    SessionPtr session = crypto_session(handle);
    Lock lock(session->mutex());
    switch (kind) {
      case OperationKind::sign:
        session->sign.reset();
        break;
      case OperationKind::verify:
        session->verify.reset();
        break;
      case OperationKind::encrypt:
        session->encrypt.reset();
        break;
      case OperationKind::decrypt:
        session->decrypt.reset();
        break;
      case OperationKind::digest:
        session->digest.reset();
        break;
    }
  } catch (...) {
    // No session, no operation: nothing to end.
  }
}

void sign_init(CK_SESSION_HANDLE h, const CK_MECHANISM& m, CK_OBJECT_HANDLE key) { start_sign(h, m, key, true); }
void verify_init(CK_SESSION_HANDLE h, const CK_MECHANISM& m, CK_OBJECT_HANDLE key) { start_sign(h, m, key, false); }

void sign(CK_SESSION_HANDLE handle, ByteView data, const Output& signature) {
  SessionPtr session = crypto_session(handle);
  with_operation(*session, session->sign, [&](SignOperation& op) {
    if (op.multipart_started) fail(CKR_OPERATION_ACTIVE, "C_Sign after C_SignUpdate");
    std::size_t size = op.context->signature_size();
    if (!deliver(signature, size)) return false;
    op.context->sign(data, signature.data);
    *signature.length = size;
    return true;
  });
}

void sign_update(CK_SESSION_HANDLE handle, ByteView part) {
  SessionPtr session = crypto_session(handle);
  with_operation(*session, session->sign, [&](SignOperation& op) {
    op.multipart_started = true;
    op.context->update(part);
    return false;
  });
}

void sign_final(CK_SESSION_HANDLE handle, const Output& signature) {
  SessionPtr session = crypto_session(handle);
  with_operation(*session, session->sign, [&](SignOperation& op) {
    std::size_t size = op.context->signature_size();
    if (!deliver(signature, size)) return false;
    op.context->sign_final(signature.data);
    *signature.length = size;
    return true;
  });
}

void verify(CK_SESSION_HANDLE handle, ByteView data, ByteView signature) {
  SessionPtr session = crypto_session(handle);
  with_operation(*session, session->verify, [&](SignOperation& op) {
    if (op.multipart_started) fail(CKR_OPERATION_ACTIVE, "C_Verify after C_VerifyUpdate");
    op.context->verify(data, signature);
    return true;
  });
}

void verify_update(CK_SESSION_HANDLE handle, ByteView part) {
  SessionPtr session = crypto_session(handle);
  with_operation(*session, session->verify, [&](SignOperation& op) {
    op.multipart_started = true;
    op.context->update(part);
    return false;
  });
}

void verify_final(CK_SESSION_HANDLE handle, ByteView signature) {
  SessionPtr session = crypto_session(handle);
  with_operation(*session, session->verify, [&](SignOperation& op) {
    op.context->verify_final(signature);
    return true;
  });
}

void encrypt_init(CK_SESSION_HANDLE h, const CK_MECHANISM& m, CK_OBJECT_HANDLE key) { start_cipher(h, m, key, true); }
void decrypt_init(CK_SESSION_HANDLE h, const CK_MECHANISM& m, CK_OBJECT_HANDLE key) { start_cipher(h, m, key, false); }
void encrypt(CK_SESSION_HANDLE h, ByteView data, const Output& out) { cipher_single(h, true, data, out); }
void decrypt(CK_SESSION_HANDLE h, ByteView data, const Output& out) { cipher_single(h, false, data, out); }
void encrypt_update(CK_SESSION_HANDLE h, ByteView, const Output&) { cipher_multipart(h, true); }
void encrypt_final(CK_SESSION_HANDLE h, const Output&) { cipher_multipart(h, true); }
void decrypt_update(CK_SESSION_HANDLE h, ByteView, const Output&) { cipher_multipart(h, false); }
void decrypt_final(CK_SESSION_HANDLE h, const Output&) { cipher_multipart(h, false); }

void digest_init(CK_SESSION_HANDLE handle, const CK_MECHANISM& mechanism) {
  SessionPtr session = crypto_session(handle);
  check_idle(*session, session->digest);
  const crypto::Mechanism* m = crypto::find_mechanism(mechanism.mechanism);
  if (m == nullptr || m->digest == nullptr) fail(CKR_MECHANISM_INVALID);
  auto op = std::make_unique<DigestOperation>();
  op->context = m->digest(mechanism);
  install(*session, session->digest, std::move(op));
}

void digest(CK_SESSION_HANDLE handle, ByteView data, const Output& out) {
  SessionPtr session = crypto_session(handle);
  with_operation(*session, session->digest, [&](DigestOperation& op) {
    if (op.multipart_started) fail(CKR_OPERATION_ACTIVE, "C_Digest after C_DigestUpdate");
    if (!deliver(out, op.context->size())) return false;
    op.context->update(data);
    op.context->final(out.data);
    *out.length = op.context->size();
    return true;
  });
}

void digest_update(CK_SESSION_HANDLE handle, ByteView part) {
  SessionPtr session = crypto_session(handle);
  with_operation(*session, session->digest, [&](DigestOperation& op) {
    op.multipart_started = true;
    op.context->update(part);
    return false;
  });
}

void digest_key(CK_SESSION_HANDLE handle, CK_OBJECT_HANDLE key) {
  SessionPtr session = crypto_session(handle);
  ObjectPtr object;
  {
    Lock lock(session->token().mutex());
    try {
      object = session->token().object(key);
    } catch (const Error& e) {
      if (e.rv() == CKR_OBJECT_HANDLE_INVALID) fail(CKR_KEY_HANDLE_INVALID);
      throw;
    }
  }
  with_operation(*session, session->digest, [&](DigestOperation& op) {
    const SecureBytes* value = object->attributes().find(CKA_VALUE);
    const CK_OBJECT_CLASS cls = object->object_class();
    // Not a key at all: CKR_KEY_HANDLE_INVALID (PKCS#11 3.0 5.1.6).
    if (cls != CKO_SECRET_KEY && cls != CKO_PUBLIC_KEY && cls != CKO_PRIVATE_KEY) fail(CKR_KEY_HANDLE_INVALID);
    if (cls != CKO_SECRET_KEY || value == nullptr) fail(CKR_KEY_INDIGESTIBLE);
    // A digest of a value the caller may not read is a way to test guesses
    // of it offline.
    if (object->attributes().bool_or(CKA_SENSITIVE, true) || !object->attributes().bool_or(CKA_EXTRACTABLE, false)) {
      fail(CKR_KEY_INDIGESTIBLE, "sensitive or unextractable key");
    }
    op.multipart_started = true;
    op.context->update(view(*value));
    return false;
  });
}

void digest_final(CK_SESSION_HANDLE handle, const Output& out) {
  SessionPtr session = crypto_session(handle);
  with_operation(*session, session->digest, [&](DigestOperation& op) {
    if (!deliver(out, op.context->size())) return false;
    op.context->final(out.data);
    *out.length = op.context->size();
    return true;
  });
}

std::pair<CK_OBJECT_HANDLE, CK_OBJECT_HANDLE> generate_key_pair(CK_SESSION_HANDLE handle, const CK_MECHANISM& mechanism,
                                                                const AttributeMap& public_template,
                                                                const AttributeMap& private_template) {
  SessionPtr session = Library::get().session(handle);
  const crypto::Mechanism* m = crypto::find_mechanism(mechanism.mechanism);
  if (m == nullptr || m->generate_key_pair == nullptr) fail(CKR_MECHANISM_INVALID);
  AttributeMap pub_tmpl = public_template, priv_tmpl = private_template;
  if (pub_tmpl.ulong_or(CKA_CLASS, CKO_PUBLIC_KEY) != CKO_PUBLIC_KEY ||
      priv_tmpl.ulong_or(CKA_CLASS, CKO_PRIVATE_KEY) != CKO_PRIVATE_KEY) {
    fail(CKR_TEMPLATE_INCONSISTENT, "key pair classes");
  }
  pub_tmpl.set_ulong(CKA_CLASS, CKO_PUBLIC_KEY);
  priv_tmpl.set_ulong(CKA_CLASS, CKO_PRIVATE_KEY);
  for (AttributeMap* t : {&pub_tmpl, &priv_tmpl}) {
    if (t->has(CKA_KEY_TYPE) && t->ulong_or(CKA_KEY_TYPE, 0) != m->key_type) fail(CKR_TEMPLATE_INCONSISTENT);
    t->erase(CKA_KEY_TYPE);
  }
  // The session rules are checked before the (slow) generation, with the
  // defaults attribute_rules will apply (private keys are private), so a
  // refused call fails fast; the token lock is not held while the key is made.
  {
    Lock lock(session->token().mutex());
    bool token_objects = pub_tmpl.bool_or(CKA_TOKEN, false) || priv_tmpl.bool_or(CKA_TOKEN, false);
    bool private_objects = pub_tmpl.bool_or(CKA_PRIVATE, false) || priv_tmpl.bool_or(CKA_PRIVATE, true);
    if (token_objects && !session->read_write()) fail(CKR_SESSION_READ_ONLY);
    if (private_objects && !session->token().user_logged_in()) fail(CKR_USER_NOT_LOGGED_IN);
  }
  crypto::GeneratedKeyPair pair = m->generate_key_pair(mechanism, pub_tmpl);
  AttributeMap pub = complete_new_object(pub_tmpl, Origin::generate, pair.public_key, m->type);
  AttributeMap priv = complete_new_object(priv_tmpl, Origin::generate, pair.private_key, m->type);
  Token& token = session->token();
  Lock lock(token.mutex());
  for (const AttributeMap* a : {&pub, &priv}) {
    if (a->bool_or(CKA_TOKEN, false) && !session->read_write()) fail(CKR_SESSION_READ_ONLY);
    if (a->bool_or(CKA_PRIVATE, false) && !token.user_logged_in()) fail(CKR_USER_NOT_LOGGED_IN);
  }
  CK_OBJECT_HANDLE pub_handle = token.add(std::move(pub), handle);
  try {
    return {pub_handle, token.add(std::move(priv), handle)};
  } catch (...) {
    token.destroy(pub_handle);
    throw;
  }
}

void generate_random(CK_SESSION_HANDLE handle, CK_BYTE_PTR out, CK_ULONG length) {
  crypto_session(handle);
  crypto::random_bytes(out, length);
}

void seed_random(CK_SESSION_HANDLE handle, ByteView) {
  crypto_session(handle);
  // The DRBG is seeded by OpenSSL from the operating system; caller-supplied
  // seed material is not mixed in.
  fail(CKR_RANDOM_SEED_NOT_SUPPORTED);
}

}  // namespace ecert::token
