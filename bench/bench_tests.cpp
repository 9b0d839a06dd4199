#include "bench_tests.h"

#include <utility>

#include "module_ops.h"

const std::vector<TestInfo>& all_tests() {
  static const std::vector<TestInfo> tests = {
      {"rsa-sha256-pkcs", "RSA-2048 SHA256_RSA_PKCS sign"},
      {"rsa-pkcs-digestinfo", "RSA-2048 RSA_PKCS sign DigestInfo"},
      {"ecdsa", "P-256 ECDSA sign (hash)"},
      {"ecdsa-sha256", "P-256 ECDSA_SHA256 sign"},
      {"rsa-oaep-decrypt", "RSA-2048 OAEP-SHA256 decrypt"},
      {"sha256-1k", "SHA-256 digest 1 KiB"},
      {"sha256-1m", "SHA-256 digest 1 MiB"},
      {"find", "find 1 label among N objects"},
      {"login-cycle", "open+login+logout+close session"},
  };
  return tests;
}

namespace {

const TestInfo& info(const std::string& id) {
  for (const auto& test : all_tests()) {
    if (test.id == id) return test;
  }
  // Only reachable through a typo in this file.
  static const TestInfo unknown{"unknown", "unknown"};
  return unknown;
}

struct Inputs {
  Bytes message;      // 32 bytes, what the *_SHA256 mechanisms hash
  Bytes digest;       // SHA-256 of message, what raw ECDSA signs
  Bytes digest_info;  // DER DigestInfo around digest, what raw RSA_PKCS signs
  Bytes plain;        // what the OAEP ciphertexts decrypt to
  Bytes kib, mib;
};

Inputs make_inputs() {
  Inputs in;
  in.message = Bytes(32);
  for (size_t i = 0; i < in.message.size(); ++i) in.message[i] = static_cast<unsigned char>(i * 7 + 1);
  sha256(in.message, in.digest);
  in.digest_info = sha256_digest_info(in.digest);
  in.plain = in.message;
  in.kib = Bytes(1024, 0xa5);
  in.mib = Bytes(1024 * 1024, 0x5a);
  return in;
}

using Verifier = std::function<Status(EVP_PKEY*, const Bytes& signature)>;

// Signs once in a fresh session and checks the result against the public key
// read from the token.
std::function<Status()> sign_check(const BenchContext& ctx, const TokenKey& key, MechanismSpec mech, Bytes input,
                                   Verifier verify) {
  return [&ctx, &key, mech, input = std::move(input), verify = std::move(verify)] {
    if (!key.status.is_ok()) return key.status;
    Session session;
    if (Status s = session.open(*ctx.module, ctx.slot, false); !s.is_ok()) return s;
    Bytes signature;
    if (Status s = p11_sign(session, mech, key.private_key, input, signature); !s.is_ok()) return s;
    return verify(key.public_key.get(), signature);
  };
}

TestCase sign_test(const BenchContext& ctx, const std::string& id, const TokenKey& key, MechanismSpec mech,
                   const Bytes& input, Verifier verify, PrepareFn limit) {
  TestCase t;
  t.info = info(id);
  t.check = sign_check(ctx, key, mech, input, std::move(verify));
  t.module = module_sign(*ctx.module, ctx.slot, mech, key.private_key, input);
  t.limit = std::move(limit);
  return t;
}

void add_sign_tests(const BenchContext& ctx, const Inputs& in, std::vector<TestCase>& tests) {
  const TokenKey& rsa = ctx.token_keys->rsa;
  const TokenKey& ec = ctx.token_keys->ec;
  EVP_PKEY* own_rsa = ctx.baseline_keys->rsa.get();
  EVP_PKEY* own_ec = ctx.baseline_keys->ec.get();
  const Bytes message = in.message, digest = in.digest;
  tests.push_back(sign_test(
      ctx, "rsa-sha256-pkcs", rsa, {CKM_SHA256_RSA_PKCS}, in.message,
      [message](EVP_PKEY* k, const Bytes& sig) { return verify_sha256_rsa_pkcs(k, message, sig); },
      limit_digest_sign_sha256(own_rsa, in.message)));
  tests.push_back(sign_test(
      ctx, "rsa-pkcs-digestinfo", rsa, {CKM_RSA_PKCS}, in.digest_info,
      [digest](EVP_PKEY* k, const Bytes& sig) { return verify_rsa_pkcs_digest(k, digest, sig); },
      limit_pkey_sign(own_rsa, in.digest_info)));
  tests.push_back(sign_test(
      ctx, "ecdsa", ec, {CKM_ECDSA}, in.digest,
      [digest](EVP_PKEY* k, const Bytes& sig) { return verify_ecdsa_digest(k, digest, sig); },
      limit_pkey_sign(own_ec, in.digest)));
  tests.push_back(sign_test(
      ctx, "ecdsa-sha256", ec, {CKM_ECDSA_SHA256}, in.message,
      [message](EVP_PKEY* k, const Bytes& sig) { return verify_ecdsa_sha256(k, message, sig); },
      limit_digest_sign_sha256(own_ec, in.message)));
}

// The token's ciphertext comes from its own public key; the baseline needs
// one for its own key. Both decrypt to the same plaintext.
TestCase decrypt_test(const BenchContext& ctx, const Inputs& in) {
  const TokenKey& key = ctx.token_keys->rsa;
  const MechanismSpec mech{CKM_RSA_PKCS_OAEP, true};
  Bytes token_cipher, own_cipher;
  Status encrypted = key.status;
  if (encrypted.is_ok()) encrypted = oaep_encrypt(key.public_key.get(), in.plain, token_cipher);
  Status own_encrypted = oaep_encrypt(ctx.baseline_keys->rsa.get(), in.plain, own_cipher);

  TestCase t;
  t.info = info("rsa-oaep-decrypt");
  t.check = [&ctx, &key, mech, encrypted, token_cipher, plain = in.plain] {
    if (!encrypted.is_ok()) return encrypted;
    Session session;
    if (Status s = session.open(*ctx.module, ctx.slot, false); !s.is_ok()) return s;
    Bytes out;
    if (Status s = p11_decrypt(session, mech, key.private_key, token_cipher, out); !s.is_ok()) return s;
    return out == plain ? Status::ok() : Status::fail("OAEP decryption returned wrong plaintext");
  };
  t.module = module_decrypt(*ctx.module, ctx.slot, mech, key.private_key, token_cipher);
  if (own_encrypted.is_ok()) {
    t.limit = limit_oaep_decrypt(ctx.baseline_keys->rsa.get(), own_cipher);
  } else {
    t.limit = [own_encrypted](OpFn&) { return own_encrypted; };
  }
  return t;
}

TestCase digest_test(const BenchContext& ctx, const std::string& id, const Bytes& input) {
  TestCase t;
  t.info = info(id);
  t.check = [&ctx, input] {
    Session session;
    if (Status s = session.open(*ctx.module, ctx.slot, false); !s.is_ok()) return s;
    Bytes got, want;
    if (Status s = p11_sha256(session, input, got); !s.is_ok()) return s;
    if (Status s = sha256(input, want); !s.is_ok()) return s;
    return got == want ? Status::ok() : Status::fail("C_Digest returned a wrong SHA-256");
  };
  t.module = module_sha256(*ctx.module, ctx.slot, input);
  t.limit = limit_sha256(input);
  return t;
}

TestCase find_test(const BenchContext& ctx) {
  // The middle object: with the default 10000 that is "bench-data-05000".
  const std::string label = data_label(ctx.objects / 2);
  TestCase t;
  t.info = info("find");
  t.info.title = "find 1 label among " + std::to_string(ctx.token_objects) + " objs";
  t.module = module_find_label(*ctx.module, ctx.slot, label);
  // The measured op already insists on exactly one hit; one run of it is the check.
  t.check = [op_factory = t.module] {
    OpFn op;
    if (Status s = op_factory(op); !s.is_ok()) return s;
    return op();
  };
  return t;
}

TestCase login_test(const BenchContext& ctx) {
  TestCase t;
  t.info = info("login-cycle");
  t.single_thread_only = true;
  t.needs_logged_out = true;
  const std::optional<std::string> pin = ctx.pin;
  t.check = [&ctx, pin] {
    if (!pin) return Status::fail("no PIN given (--pin-file or ECERT_BENCH_PIN)");
    return p11_login_cycle(*ctx.module, ctx.slot, *pin);
  };
  t.module = module_login_cycle(*ctx.module, ctx.slot, pin.value_or(""));
  return t;
}

}  // namespace

std::vector<TestCase> make_tests(const BenchContext& ctx) {
  const Inputs in = make_inputs();
  std::vector<TestCase> tests;
  add_sign_tests(ctx, in, tests);
  tests.push_back(decrypt_test(ctx, in));
  tests.push_back(digest_test(ctx, "sha256-1k", in.kib));
  tests.push_back(digest_test(ctx, "sha256-1m", in.mib));
  tests.push_back(find_test(ctx));
  tests.push_back(login_test(ctx));
  return tests;
}
