// Helpers shared by module_return_codes_test.cpp, module_lifecycle_test.cpp,
// module_objects_test.cpp and module_crypto_test.cpp: exact CK_RV assertions
// that print names and hex, attribute templates, object lookups, key pair
// generation through the module, and independent checks with plain OpenSSL
// (the module's own crypto code is never used to judge its results).
//
// Header-only; everything lives in ecert::test::support so the names cannot
// collide with other module_*_test.cpp files linked into the same binary.
#pragma once

#include <gtest/gtest.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/ck_rv_name.h"
#include "module_fixture.h"

namespace ecert::test::support {

using Bytes = std::vector<unsigned char>;

// ---- CK_RV assertions ----

// A value no PKCS#11 function returns: a call table row returns it when a
// step that prepares the call under test failed.
inline constexpr CK_RV kPreconditionFailed = CKR_VENDOR_DEFINED | 0x0BAD0BADUL;

inline const char* rv_name(CK_RV rv) {
  if (rv == kPreconditionFailed) return "kPreconditionFailed";
  const char* name = ecert::ck_rv_name(rv);
  return name != nullptr ? name : "?";
}

inline std::string rv_text(CK_RV rv) {
  char hex[32];
  std::snprintf(hex, sizeof hex, "0x%08lX", static_cast<unsigned long>(rv));
  return std::string(rv_name(rv)) + " (" + hex + ")";
}

inline ::testing::AssertionResult rv_equal(const char* expected_expr, const char* actual_expr, CK_RV expected,
                                           CK_RV actual) {
  if (expected == actual) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << actual_expr << "\n  returned " << rv_text(actual) << "\n  expected "
                                       << rv_text(expected) << " (" << expected_expr << ")";
}

// The exact CK_RV, printed by name and in hex on failure.
#define EXPECT_CKR(expected, call) EXPECT_PRED_FORMAT2(::ecert::test::support::rv_equal, expected, call)
#define ASSERT_CKR(expected, call) ASSERT_PRED_FORMAT2(::ecert::test::support::rv_equal, expected, call)

// ---- the function lists ----

// The 2.40 functions in CK_FUNCTION_LIST order, then the 3.0 additions in
// CK_FUNCTION_LIST_3_0 order.
inline constexpr const char* kFunctions240[] = {"C_Initialize",
                                                "C_Finalize",
                                                "C_GetInfo",
                                                "C_GetFunctionList",
                                                "C_GetSlotList",
                                                "C_GetSlotInfo",
                                                "C_GetTokenInfo",
                                                "C_GetMechanismList",
                                                "C_GetMechanismInfo",
                                                "C_InitToken",
                                                "C_InitPIN",
                                                "C_SetPIN",
                                                "C_OpenSession",
                                                "C_CloseSession",
                                                "C_CloseAllSessions",
                                                "C_GetSessionInfo",
                                                "C_GetOperationState",
                                                "C_SetOperationState",
                                                "C_Login",
                                                "C_Logout",
                                                "C_CreateObject",
                                                "C_CopyObject",
                                                "C_DestroyObject",
                                                "C_GetObjectSize",
                                                "C_GetAttributeValue",
                                                "C_SetAttributeValue",
                                                "C_FindObjectsInit",
                                                "C_FindObjects",
                                                "C_FindObjectsFinal",
                                                "C_EncryptInit",
                                                "C_Encrypt",
                                                "C_EncryptUpdate",
                                                "C_EncryptFinal",
                                                "C_DecryptInit",
                                                "C_Decrypt",
                                                "C_DecryptUpdate",
                                                "C_DecryptFinal",
                                                "C_DigestInit",
                                                "C_Digest",
                                                "C_DigestUpdate",
                                                "C_DigestKey",
                                                "C_DigestFinal",
                                                "C_SignInit",
                                                "C_Sign",
                                                "C_SignUpdate",
                                                "C_SignFinal",
                                                "C_SignRecoverInit",
                                                "C_SignRecover",
                                                "C_VerifyInit",
                                                "C_Verify",
                                                "C_VerifyUpdate",
                                                "C_VerifyFinal",
                                                "C_VerifyRecoverInit",
                                                "C_VerifyRecover",
                                                "C_DigestEncryptUpdate",
                                                "C_DecryptDigestUpdate",
                                                "C_SignEncryptUpdate",
                                                "C_DecryptVerifyUpdate",
                                                "C_GenerateKey",
                                                "C_GenerateKeyPair",
                                                "C_WrapKey",
                                                "C_UnwrapKey",
                                                "C_DeriveKey",
                                                "C_SeedRandom",
                                                "C_GenerateRandom",
                                                "C_GetFunctionStatus",
                                                "C_CancelFunction",
                                                "C_WaitForSlotEvent"};
inline constexpr const char* kFunctions30[] = {
    "C_GetInterfaceList",    "C_GetInterface",        "C_LoginUser",           "C_SessionCancel",
    "C_MessageEncryptInit",  "C_EncryptMessage",      "C_EncryptMessageBegin", "C_EncryptMessageNext",
    "C_MessageEncryptFinal", "C_MessageDecryptInit",  "C_DecryptMessage",      "C_DecryptMessageBegin",
    "C_DecryptMessageNext",  "C_MessageDecryptFinal", "C_MessageSignInit",     "C_SignMessage",
    "C_SignMessageBegin",    "C_SignMessageNext",     "C_MessageSignFinal",    "C_MessageVerifyInit",
    "C_VerifyMessage",       "C_VerifyMessageBegin",  "C_VerifyMessageNext",   "C_MessageVerifyFinal"};
static_assert(sizeof kFunctions240 / sizeof kFunctions240[0] == 68);
static_assert(sizeof kFunctions30 / sizeof kFunctions30[0] == 24);

// ---- bytes ----

inline Bytes bytes_of(std::string_view s) { return Bytes(s.begin(), s.end()); }
inline std::string string_of(const Bytes& b) { return std::string(b.begin(), b.end()); }
inline std::string hex(const Bytes& b) {
  std::string out;
  char two[3];
  for (unsigned char c : b) {
    std::snprintf(two, sizeof two, "%02x", c);
    out += two;
  }
  return out;
}
inline Bytes pattern(std::size_t n, unsigned seed = 1) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<unsigned char>(seed + i * 13);
  return b;
}

// DER of the named curves (CKA_EC_PARAMS).
inline const Bytes kP256Params{0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
inline const Bytes kP384Params{0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22};
inline const Bytes kP521Params{0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23};
// secp256k1: a well-formed named curve the module does not support.
inline const Bytes kSecp256k1Params{0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x0a};

// NSS's vendor attribute with the public value of an imported private key.
inline constexpr CK_ATTRIBUTE_TYPE kCkaNssDb = 0xD5A0DB00UL;

// ---- templates ----

// An attribute template that owns its values.
class Template {
 public:
  Template() = default;
  Template(const Template& other) : values_(other.values_) {}
  Template& operator=(const Template& other) {
    values_ = other.values_;
    return *this;
  }

  Template& bytes(CK_ATTRIBUTE_TYPE t, const Bytes& v) {
    values_.emplace_back(t, v);
    return *this;
  }
  Template& str(CK_ATTRIBUTE_TYPE t, std::string_view v) { return bytes(t, bytes_of(v)); }
  Template& ulong(CK_ATTRIBUTE_TYPE t, CK_ULONG v) {
    Bytes b(sizeof v);
    std::memcpy(b.data(), &v, sizeof v);
    return bytes(t, b);
  }
  Template& boolean(CK_ATTRIBUTE_TYPE t, bool v) { return bytes(t, Bytes{static_cast<unsigned char>(v ? 1 : 0)}); }
  Template& cls(CK_OBJECT_CLASS c) { return ulong(CKA_CLASS, c); }
  Template& append(const Template& other) {
    values_.insert(values_.end(), other.values_.begin(), other.values_.end());
    return *this;
  }

  // Valid until the next change of this template.
  CK_ATTRIBUTE* data() {
    attrs_.clear();
    for (auto& [t, v] : values_) attrs_.push_back({t, v.empty() ? nullptr : v.data(), static_cast<CK_ULONG>(v.size())});
    return attrs_.empty() ? nullptr : attrs_.data();
  }
  CK_ULONG size() const { return static_cast<CK_ULONG>(values_.size()); }

 private:
  std::vector<std::pair<CK_ATTRIBUTE_TYPE, Bytes>> values_;
  std::vector<CK_ATTRIBUTE> attrs_;
};

// ---- object helpers (through the module) ----

// One attribute: {the CK_RV of C_GetAttributeValue, the value (empty on error)}.
inline std::pair<CK_RV, Bytes> attribute(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE t) {
  CK_ATTRIBUTE a{t, nullptr, 0};
  CK_RV rv = p11()->C_GetAttributeValue(s, o, &a, 1);
  if (rv != CKR_OK) return {rv, {}};
  Bytes value(a.ulValueLen);
  a.pValue = value.empty() ? nullptr : value.data();
  rv = p11()->C_GetAttributeValue(s, o, &a, 1);
  value.resize(rv == CKR_OK ? a.ulValueLen : 0);
  return {rv, value};
}

inline Bytes attr_bytes(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE t) {
  auto [rv, value] = attribute(s, o, t);
  EXPECT_CKR(CKR_OK, rv) << " reading attribute 0x" << std::hex << t;
  return value;
}

inline CK_ULONG attr_ulong(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE t) {
  Bytes v = attr_bytes(s, o, t);
  CK_ULONG out = CK_UNAVAILABLE_INFORMATION;
  EXPECT_EQ(v.size(), sizeof out) << "attribute 0x" << std::hex << t;
  if (v.size() == sizeof out) std::memcpy(&out, v.data(), sizeof out);
  return out;
}

inline bool attr_bool(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE t) {
  Bytes v = attr_bytes(s, o, t);
  EXPECT_EQ(v.size(), 1u) << "attribute 0x" << std::hex << t;
  return v.size() == 1 && v[0] != 0;
}

// Every object the session sees that matches `tmpl`.
inline std::vector<CK_OBJECT_HANDLE> find(CK_SESSION_HANDLE s, Template tmpl = {}) {
  std::vector<CK_OBJECT_HANDLE> out;
  EXPECT_CKR(CKR_OK, p11()->C_FindObjectsInit(s, tmpl.data(), tmpl.size()));
  CK_OBJECT_HANDLE batch[16];
  for (;;) {
    CK_ULONG n = 0;
    CK_RV rv = p11()->C_FindObjects(s, batch, 16, &n);
    EXPECT_CKR(CKR_OK, rv);
    if (rv != CKR_OK || n == 0) break;
    out.insert(out.end(), batch, batch + n);
  }
  EXPECT_CKR(CKR_OK, p11()->C_FindObjectsFinal(s));
  return out;
}

struct KeyPair {
  CK_OBJECT_HANDLE pub = CK_INVALID_HANDLE;
  CK_OBJECT_HANDLE priv = CK_INVALID_HANDLE;
};

inline CK_RV generate_rsa(CK_SESSION_HANDLE s, CK_ULONG bits, KeyPair& out, Template pub = {}, Template priv = {}) {
  CK_MECHANISM m{CKM_RSA_PKCS_KEY_PAIR_GEN, nullptr, 0};
  pub.ulong(CKA_MODULUS_BITS, bits);
  return p11()->C_GenerateKeyPair(s, &m, pub.data(), pub.size(), priv.data(), priv.size(), &out.pub, &out.priv);
}

inline CK_RV generate_ec(CK_SESSION_HANDLE s, const Bytes& params, KeyPair& out, Template pub = {},
                         Template priv = {}) {
  CK_MECHANISM m{CKM_EC_KEY_PAIR_GEN, nullptr, 0};
  pub.bytes(CKA_EC_PARAMS, params);
  return p11()->C_GenerateKeyPair(s, &m, pub.data(), pub.size(), priv.data(), priv.size(), &out.pub, &out.priv);
}

// C_SignInit + C_Sign with a length query; empty on failure (reported).
inline Bytes sign(CK_SESSION_HANDLE s, CK_MECHANISM mechanism, CK_OBJECT_HANDLE key, const Bytes& data) {
  CK_RV rv = p11()->C_SignInit(s, &mechanism, key);
  EXPECT_CKR(CKR_OK, rv) << " C_SignInit of mechanism 0x" << std::hex << mechanism.mechanism;
  if (rv != CKR_OK) return {};
  CK_ULONG len = 0;
  Bytes in = data;
  rv = p11()->C_Sign(s, in.data(), static_cast<CK_ULONG>(in.size()), nullptr, &len);
  EXPECT_CKR(CKR_OK, rv);
  Bytes sig(len);
  rv = p11()->C_Sign(s, in.data(), static_cast<CK_ULONG>(in.size()), sig.data(), &len);
  EXPECT_CKR(CKR_OK, rv) << " C_Sign of mechanism 0x" << std::hex << mechanism.mechanism;
  if (rv != CKR_OK) return {};
  sig.resize(len);
  return sig;
}

inline CK_RV verify(CK_SESSION_HANDLE s, CK_MECHANISM mechanism, CK_OBJECT_HANDLE key, Bytes data, Bytes sig) {
  CK_RV rv = p11()->C_VerifyInit(s, &mechanism, key);
  if (rv != CKR_OK) return rv;
  return p11()->C_Verify(s, data.data(), static_cast<CK_ULONG>(data.size()), sig.data(),
                         static_cast<CK_ULONG>(sig.size()));
}

// ---- plain OpenSSL ----

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;
struct MdCtxFree {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
struct BnFree {
  void operator()(BIGNUM* p) const { BN_free(p); }
};
using Bn = std::unique_ptr<BIGNUM, BnFree>;

inline Pkey openssl_generate(const char* type, int rsa_bits = 0, const char* group = nullptr) {
  PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* out = nullptr;
  if (ctx == nullptr || EVP_PKEY_keygen_init(ctx.get()) != 1) return nullptr;
  if (rsa_bits != 0 && EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), rsa_bits) != 1) return nullptr;
  if (group != nullptr && EVP_PKEY_CTX_set_group_name(ctx.get(), group) != 1) return nullptr;
  if (EVP_PKEY_generate(ctx.get(), &out) != 1) return nullptr;
  return Pkey(out);
}

// A BIGNUM parameter of a key as unsigned big-endian bytes (at least one byte).
inline Bytes bn_param(const EVP_PKEY* key, const char* name, std::size_t pad = 0) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &raw) != 1) return {};
  Bn bn(raw);
  std::size_t n = pad != 0 ? pad : std::max<std::size_t>(1, BN_num_bytes(bn.get()));
  Bytes out(n);
  BN_bn2binpad(bn.get(), out.data(), static_cast<int>(n));
  return out;
}

inline Pkey openssl_rsa_public(const Bytes& modulus, const Bytes& exponent) {
  Bn n(BN_bin2bn(modulus.data(), static_cast<int>(modulus.size()), nullptr));
  Bn e(BN_bin2bn(exponent.data(), static_cast<int>(exponent.size()), nullptr));
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n.get());
  OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e.get());
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
  PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* out = nullptr;
  if (ctx == nullptr || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &out, EVP_PKEY_PUBLIC_KEY, params) != 1)
    out = nullptr;
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  return Pkey(out);
}

inline const char* group_of(const Bytes& ec_params) {
  if (ec_params == kP256Params) return "P-256";
  if (ec_params == kP384Params) return "P-384";
  if (ec_params == kP521Params) return "P-521";
  return nullptr;
}

// The content of a DER OCTET STRING that is all of `der`, or empty.
inline Bytes der_octet_string_content(const Bytes& der) {
  if (der.size() < 2 || der[0] != 0x04) return {};
  std::size_t len = der[1], pos = 2;
  if (len & 0x80) {
    std::size_t n = len & 0x7f;
    if (n == 0 || n > 2 || der.size() < 2 + n) return {};
    len = 0;
    for (std::size_t i = 0; i < n; ++i) len = (len << 8) | der[2 + i];
    pos += n;
  }
  if (pos + len != der.size()) return {};
  return Bytes(der.begin() + static_cast<std::ptrdiff_t>(pos), der.end());
}

inline Pkey openssl_ec_public(const Bytes& ec_params, const Bytes& point) {
  const char* group = group_of(ec_params);
  if (group == nullptr) return nullptr;
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, const_cast<char*>(group), 0),
                         OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY,
                                                           const_cast<unsigned char*>(point.data()), point.size()),
                         OSSL_PARAM_construct_end()};
  PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* out = nullptr;
  if (ctx == nullptr || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &out, EVP_PKEY_PUBLIC_KEY, params) != 1)
    out = nullptr;
  return Pkey(out);
}

// The OpenSSL key of a public key object, from CKA_MODULUS/CKA_PUBLIC_EXPONENT
// or CKA_EC_PARAMS/CKA_EC_POINT (which must be a DER OCTET STRING).
inline Pkey openssl_public_key(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE pub) {
  CK_ULONG type = attr_ulong(s, pub, CKA_KEY_TYPE);
  if (type == CKK_RSA)
    return openssl_rsa_public(attr_bytes(s, pub, CKA_MODULUS), attr_bytes(s, pub, CKA_PUBLIC_EXPONENT));
  if (type == CKK_EC) {
    Bytes point = der_octet_string_content(attr_bytes(s, pub, CKA_EC_POINT));
    EXPECT_FALSE(point.empty()) << "CKA_EC_POINT is not a DER OCTET STRING";
    return openssl_ec_public(attr_bytes(s, pub, CKA_EC_PARAMS), point);
  }
  ADD_FAILURE() << "unexpected key type " << type;
  return nullptr;
}

// PKCS#11 raw r||s to DER ECDSA-Sig-Value.
inline Bytes ecdsa_der(const Bytes& raw) {
  if (raw.empty() || raw.size() % 2 != 0) return {};
  std::size_t n = raw.size() / 2;
  ECDSA_SIG* sig = ECDSA_SIG_new();
  BIGNUM* r = BN_bin2bn(raw.data(), static_cast<int>(n), nullptr);
  BIGNUM* s = BN_bin2bn(raw.data() + n, static_cast<int>(n), nullptr);
  ECDSA_SIG_set0(sig, r, s);
  int len = i2d_ECDSA_SIG(sig, nullptr);
  Bytes out(static_cast<std::size_t>(len > 0 ? len : 0));
  unsigned char* p = out.data();
  if (len > 0) i2d_ECDSA_SIG(sig, &p);
  ECDSA_SIG_free(sig);
  return out;
}

inline const EVP_MD* md_of(CK_MECHANISM_TYPE hash) {
  switch (hash) {
    case CKM_SHA_1:
      return EVP_sha1();
    case CKM_SHA224:
      return EVP_sha224();
    case CKM_SHA256:
      return EVP_sha256();
    case CKM_SHA384:
      return EVP_sha384();
    case CKM_SHA512:
      return EVP_sha512();
    default:
      return nullptr;
  }
}

inline Bytes openssl_digest(CK_MECHANISM_TYPE hash, const Bytes& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, md_of(hash), nullptr);
  return Bytes(out, out + len);
}

// How OpenSSL must check a signature: padding, the hash the signature covers
// (nullptr: `data` is signed as given), PSS salt and MGF1 hash.
struct Check {
  int padding = RSA_PKCS1_PADDING;    // ignored for EC keys
  const EVP_MD* hash = nullptr;       // EVP_DigestVerify over data
  const EVP_MD* prehashed = nullptr;  // data is already this hash (EVP_PKEY_verify)
  int salt = 0;
  const EVP_MD* mgf1 = nullptr;
};

// True if OpenSSL accepts `sig` (PKCS#11 format) over `data`.
inline bool openssl_verify(EVP_PKEY* key, const Check& c, const Bytes& data, const Bytes& sig) {
  if (key == nullptr) return false;
  const bool ec = EVP_PKEY_is_a(key, "EC");
  Bytes s = ec ? ecdsa_der(sig) : sig;
  if (c.hash != nullptr) {
    MdCtx md(EVP_MD_CTX_new());
    EVP_PKEY_CTX* pctx = nullptr;
    if (EVP_DigestVerifyInit(md.get(), &pctx, c.hash, nullptr, key) != 1) return false;
    if (!ec) {
      EVP_PKEY_CTX_set_rsa_padding(pctx, c.padding);
      if (c.padding == RSA_PKCS1_PSS_PADDING) {
        EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, c.salt);
        EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, c.mgf1 != nullptr ? c.mgf1 : c.hash);
      }
    }
    return EVP_DigestVerify(md.get(), s.data(), s.size(), data.data(), data.size()) == 1;
  }
  PkeyCtx ctx(EVP_PKEY_CTX_new(key, nullptr));
  if (ctx == nullptr) return false;
  if (!ec && c.padding == RSA_NO_PADDING) {
    // Raw RSA: recover the block and compare with the zero-padded input.
    if (EVP_PKEY_verify_recover_init(ctx.get()) != 1 || EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_NO_PADDING) != 1)
      return false;
    Bytes out(s.size());
    std::size_t len = out.size();
    if (EVP_PKEY_verify_recover(ctx.get(), out.data(), &len, s.data(), s.size()) != 1) return false;
    out.resize(len);
    Bytes expected(len - std::min(len, data.size()), 0);
    expected.insert(expected.end(), data.begin(), data.end());
    return out == expected;
  }
  if (EVP_PKEY_verify_init(ctx.get()) != 1) return false;
  if (!ec) {
    EVP_PKEY_CTX_set_rsa_padding(ctx.get(), c.padding);
    if (c.prehashed != nullptr) EVP_PKEY_CTX_set_signature_md(ctx.get(), c.prehashed);
    if (c.padding == RSA_PKCS1_PSS_PADDING) {
      EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx.get(), c.salt);
      EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), c.mgf1 != nullptr ? c.mgf1 : c.prehashed);
    }
  }
  return EVP_PKEY_verify(ctx.get(), s.data(), s.size(), data.data(), data.size()) == 1;
}

// DigestInfo prefix for CKM_RSA_PKCS over a SHA-256 hash.
inline Bytes sha256_digest_info(const Bytes& data) {
  Bytes out{0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
            0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};
  Bytes h = openssl_digest(CKM_SHA256, data);
  out.insert(out.end(), h.begin(), h.end());
  return out;
}

}  // namespace ecert::test::support
