// Shared by the crypto_*_test.cpp files: the library-context environment,
// test keys made by OpenSSL directly (so they do not depend on our key
// generation) and helpers to drive contexts and compare with plain OpenSSL.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <string>

#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/rsa.h>

#include "common/error.h"
#include "common/ossl_ptr.h"
#include "crypto/key.h"
#include "crypto/library_context.h"
#include "crypto/mechanism.h"
#include "rv_of.h"

namespace ecert::crypto::test {

using ecert::test::rv_of;
#define EXPECT_RV(expected, ...) \
  EXPECT_EQ(static_cast<CK_RV>(expected), ::ecert::crypto::test::rv_of([&] { __VA_ARGS__; }))

inline CK_MECHANISM mech(CK_MECHANISM_TYPE type) { return {type, nullptr, 0}; }
template <class P>
CK_MECHANISM mech(CK_MECHANISM_TYPE type, P& param) {
  return {type, &param, sizeof param};
}

inline Bytes bytes_of(std::string_view s) { return copy(view(s)); }
// view("literal") would pick bytes.h's container template; this is the string one.
inline ByteView sv(std::string_view s) { return view(s); }
inline Bytes pattern(std::size_t n, std::uint8_t seed = 1) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(seed + i * 7);
  return b;
}

// DER of the named curves (PKCS#11 CKA_EC_PARAMS).
inline const Bytes kP256Params{0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
inline const Bytes kP384Params{0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22};
inline const Bytes kP521Params{0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23};
inline const Bytes kP224Params{0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x21};

inline Bytes bn_bytes(const EVP_PKEY* pkey, const char* name, std::size_t pad = 0) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &bn) != 1) throw std::runtime_error(name);
  BignumPtr owner(bn);
  Bytes out(pad != 0 ? pad : static_cast<std::size_t>(BN_num_bytes(bn)));
  BN_bn2binpad(bn, out.data(), static_cast<int>(out.size()));
  return out;
}

// PKCS#11 attributes of an OpenSSL RSA key.
inline AttributeMap rsa_attributes(const EVP_PKEY* pkey, bool with_private, bool with_crt = true) {
  AttributeMap a;
  a.set_ulong(CKA_KEY_TYPE, CKK_RSA);
  a.set(CKA_MODULUS, view(bn_bytes(pkey, OSSL_PKEY_PARAM_RSA_N)));
  a.set(CKA_PUBLIC_EXPONENT, view(bn_bytes(pkey, OSSL_PKEY_PARAM_RSA_E)));
  if (with_private) {
    a.set(CKA_PRIVATE_EXPONENT, view(bn_bytes(pkey, OSSL_PKEY_PARAM_RSA_D)));
    if (with_crt) {
      a.set(CKA_PRIME_1, view(bn_bytes(pkey, OSSL_PKEY_PARAM_RSA_FACTOR1)));
      a.set(CKA_PRIME_2, view(bn_bytes(pkey, OSSL_PKEY_PARAM_RSA_FACTOR2)));
      a.set(CKA_EXPONENT_1, view(bn_bytes(pkey, OSSL_PKEY_PARAM_RSA_EXPONENT1)));
      a.set(CKA_EXPONENT_2, view(bn_bytes(pkey, OSSL_PKEY_PARAM_RSA_EXPONENT2)));
      a.set(CKA_COEFFICIENT, view(bn_bytes(pkey, OSSL_PKEY_PARAM_RSA_COEFFICIENT1)));
    }
  }
  return a;
}

inline Bytes ec_point(const EVP_PKEY* pkey) {
  Bytes point(200);
  std::size_t len = 0;
  if (EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size(), &len) != 1)
    throw std::runtime_error("pub");
  point.resize(len);
  return point;
}

inline Bytes der_octet_string(const Bytes& content) {
  Bytes out{0x04};
  if (content.size() >= 0x80) out.push_back(0x81);
  out.push_back(static_cast<std::uint8_t>(content.size()));
  out.insert(out.end(), content.begin(), content.end());
  return out;
}

// PKCS#11 attributes of an OpenSSL EC key; the public point as DER.
inline AttributeMap ec_attributes(const EVP_PKEY* pkey, const Bytes& params, bool with_private) {
  AttributeMap a;
  a.set_ulong(CKA_KEY_TYPE, CKK_EC);
  a.set(CKA_EC_PARAMS, view(params));
  if (with_private) {
    const std::size_t order_bytes = (static_cast<std::size_t>(EVP_PKEY_get_bits(pkey)) + 7) / 8;
    a.set(CKA_VALUE, view(bn_bytes(pkey, OSSL_PKEY_PARAM_PRIV_KEY, order_bytes)));
  } else {
    a.set(CKA_EC_POINT, view(der_octet_string(ec_point(pkey))));
  }
  return a;
}

struct TestKey {
  PkeyPtr ossl;  // the key as OpenSSL generated it
  AttributeMap private_attributes, public_attributes;
  std::shared_ptr<const Key> priv, pub;  // decoded by our decode_key
};

inline std::map<std::string, TestKey>& test_keys() {
  static std::map<std::string, TestKey> keys;
  return keys;
}
// Keys belong to the library context: drop them before it stops.
inline void clear_test_keys() { test_keys().clear(); }

inline const TestKey& rsa_key(unsigned bits) {
  auto& keys = test_keys();
  const std::string name = "RSA" + std::to_string(bits);
  if (auto it = keys.find(name); it != keys.end()) return it->second;
  TestKey k;
  k.ossl.reset(EVP_PKEY_Q_keygen(libctx(), nullptr, "RSA", static_cast<size_t>(bits)));
  if (!k.ossl) throw std::runtime_error("RSA keygen");
  k.private_attributes = rsa_attributes(k.ossl.get(), true);
  k.public_attributes = rsa_attributes(k.ossl.get(), false);
  k.priv = decode_key(CKO_PRIVATE_KEY, k.private_attributes);
  k.pub = decode_key(CKO_PUBLIC_KEY, k.public_attributes);
  return keys.emplace(name, std::move(k)).first->second;
}

inline const Bytes& params_of(const std::string& group) {
  if (group == "P-256") return kP256Params;
  if (group == "P-384") return kP384Params;
  if (group == "P-521") return kP521Params;
  return kP224Params;
}

// `group` is "P-256", "P-384", "P-521" or "P-224" (unsupported: public
// attributes only, no decoded keys).
inline const TestKey& ec_key(const std::string& group) {
  auto& keys = test_keys();
  if (auto it = keys.find(group); it != keys.end()) return it->second;
  TestKey k;
  k.ossl.reset(EVP_PKEY_Q_keygen(libctx(), nullptr, "EC", group.c_str()));
  if (!k.ossl) throw std::runtime_error("EC keygen");
  k.private_attributes = ec_attributes(k.ossl.get(), params_of(group), true);
  k.public_attributes = ec_attributes(k.ossl.get(), params_of(group), false);
  if (group != "P-224") {
    k.priv = decode_key(CKO_PRIVATE_KEY, k.private_attributes);
    k.pub = decode_key(CKO_PUBLIC_KEY, k.public_attributes);
  }
  return keys.emplace(group, std::move(k)).first->second;
}

inline const Mechanism& row(CK_MECHANISM_TYPE type) {
  const Mechanism* m = find_mechanism(type);
  if (m == nullptr) throw std::runtime_error("no such mechanism");
  return *m;
}

// Signs through our context; multi-part feeds `data` in three pieces.
inline Bytes our_sign(const CK_MECHANISM& m, const Key& key, ByteView data, bool multipart = false) {
  auto ctx = row(m.mechanism).sign(m, key, true);
  Bytes sig(ctx->signature_size());
  if (multipart) {
    std::size_t third = data.size() / 3;
    ctx->update(data.first(third));
    ctx->update(data.subspan(third, third));
    ctx->update(data.subspan(2 * third));
    ctx->sign_final(sig.data());
  } else {
    ctx->sign(data, sig.data());
  }
  return sig;
}

inline void our_verify(const CK_MECHANISM& m, const Key& key, ByteView data, ByteView sig, bool multipart = false) {
  auto ctx = row(m.mechanism).sign(m, key, false);
  if (multipart) {
    std::size_t half = data.size() / 2;
    ctx->update(data.first(half));
    ctx->update(data.subspan(half));
    ctx->verify_final(sig);
  } else {
    ctx->verify(data, sig);
  }
}

inline SecureBytes our_cipher(const CK_MECHANISM& m, const Key& key, bool encrypting, ByteView input) {
  return row(m.mechanism).cipher(m, key, encrypting)->process(input);
}

// Plain OpenSSL, as the reference: an EVP_PKEY_CTX for `pkey` in the module's
// library context, with `setup` applied after init.
template <class Setup>
PkeyCtxPtr ossl_ctx(EVP_PKEY* pkey, int (*init)(EVP_PKEY_CTX*), Setup setup) {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(libctx(), pkey, nullptr));
  if (!ctx || init(ctx.get()) != 1) throw std::runtime_error("ossl ctx");
  setup(ctx.get());
  return ctx;
}

// ECDSA r||s <-> DER.
inline Bytes ecdsa_raw_to_der(ByteView raw) {
  EcdsaSigPtr sig(ECDSA_SIG_new());
  const std::size_t n = raw.size() / 2;
  BIGNUM* r = BN_bin2bn(raw.data(), static_cast<int>(n), nullptr);
  BIGNUM* s = BN_bin2bn(raw.data() + n, static_cast<int>(n), nullptr);
  ECDSA_SIG_set0(sig.get(), r, s);
  unsigned char* der = nullptr;
  int len = i2d_ECDSA_SIG(sig.get(), &der);
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

inline Bytes ecdsa_der_to_raw(ByteView der, std::size_t n) {
  const unsigned char* p = der.data();
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  Bytes out(2 * n);
  BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), out.data(), static_cast<int>(n));
  BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), out.data() + n, static_cast<int>(n));
  return out;
}

}  // namespace ecert::crypto::test
