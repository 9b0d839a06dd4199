#include "openssl_baseline.h"

#include <openssl/rsa.h>

#include <memory>
#include <utility>

Status make_baseline_keys(BaselineKeys& keys) {
  if (Status s = generate_key("RSA", keys.rsa); !s.is_ok()) return s;
  return generate_key("EC", keys.ec);
}

namespace {

// Per-thread state, shared_ptr-held only because std::function must be
// copyable; it is created and destroyed inside its worker thread.
struct PkeyWork {
  EvpPkeyCtxPtr ctx;
  Bytes out;
};

struct DigestWork {
  EvpMdPtr md;
  EvpMdCtxPtr ctx;
  Bytes out;
};

// Fetched once per thread: EVP_sha256() would look it up on every call.
Status new_digest_work(std::shared_ptr<DigestWork>& work, size_t out_size) {
  work = std::make_shared<DigestWork>();
  work->md.reset(EVP_MD_fetch(nullptr, "SHA256", nullptr));
  work->ctx.reset(EVP_MD_CTX_new());
  if (!work->md || !work->ctx) return Status::ssl("EVP_MD_fetch");
  work->out.resize(out_size);
  return Status::ok();
}

Status new_pkey_work(EVP_PKEY* key, std::shared_ptr<PkeyWork>& work) {
  work = std::make_shared<PkeyWork>();
  work->ctx.reset(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
  if (!work->ctx) return Status::ssl("EVP_PKEY_CTX_new_from_pkey");
  work->out.resize(EVP_PKEY_get_size(key));
  return Status::ok();
}

}  // namespace

PrepareFn limit_pkey_sign(EVP_PKEY* key, Bytes input) {
  return [key, input = std::move(input)](OpFn& op) {
    std::shared_ptr<PkeyWork> work;
    if (Status s = new_pkey_work(key, work); !s.is_ok()) return s;
    if (EVP_PKEY_sign_init(work->ctx.get()) <= 0) return Status::ssl("EVP_PKEY_sign_init");
    if (EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA &&
        EVP_PKEY_CTX_set_rsa_padding(work->ctx.get(), RSA_PKCS1_PADDING) <= 0)
      return Status::ssl("EVP_PKEY_CTX_set_rsa_padding");
    op = [work, input] {
      size_t len = work->out.size();
      if (EVP_PKEY_sign(work->ctx.get(), work->out.data(), &len, input.data(), input.size()) <= 0)
        return Status::ssl("EVP_PKEY_sign");
      return Status::ok();
    };
    return Status::ok();
  };
}

PrepareFn limit_digest_sign_sha256(EVP_PKEY* key, Bytes data) {
  return [key, data = std::move(data)](OpFn& op) {
    std::shared_ptr<DigestWork> work;
    if (Status s = new_digest_work(work, EVP_PKEY_get_size(key)); !s.is_ok()) return s;
    op = [key, data, work] {
      size_t len = work->out.size();
      if (EVP_DigestSignInit(work->ctx.get(), nullptr, work->md.get(), nullptr, key) <= 0)
        return Status::ssl("EVP_DigestSignInit");
      if (EVP_DigestSign(work->ctx.get(), work->out.data(), &len, data.data(), data.size()) <= 0)
        return Status::ssl("EVP_DigestSign");
      return Status::ok();
    };
    return Status::ok();
  };
}

PrepareFn limit_oaep_decrypt(EVP_PKEY* key, Bytes cipher) {
  return [key, cipher = std::move(cipher)](OpFn& op) {
    std::shared_ptr<PkeyWork> work;
    if (Status s = new_pkey_work(key, work); !s.is_ok()) return s;
    if (EVP_PKEY_decrypt_init(work->ctx.get()) <= 0) return Status::ssl("EVP_PKEY_decrypt_init");
    if (Status s = set_oaep_sha256(work->ctx.get()); !s.is_ok()) return s;
    op = [work, cipher] {
      size_t len = work->out.size();
      if (EVP_PKEY_decrypt(work->ctx.get(), work->out.data(), &len, cipher.data(), cipher.size()) <= 0)
        return Status::ssl("EVP_PKEY_decrypt");
      return Status::ok();
    };
    return Status::ok();
  };
}

PrepareFn limit_sha256(Bytes data) {
  auto shared_data = std::make_shared<const Bytes>(std::move(data));
  return [shared_data](OpFn& op) {
    std::shared_ptr<DigestWork> work;
    if (Status s = new_digest_work(work, EVP_MAX_MD_SIZE); !s.is_ok()) return s;
    op = [shared_data, work] {
      unsigned int len = 0;
      if (!EVP_Digest(shared_data->data(), shared_data->size(), work->out.data(), &len, work->md.get(), nullptr))
        return Status::ssl("EVP_Digest");
      return Status::ok();
    };
    return Status::ok();
  };
}
