#include "ossl_util.h"

#include <openssl/core_names.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>

#include <algorithm>

namespace {

using Asn1ObjectPtr = ecert::OsslPtr<ASN1_OBJECT, ASN1_OBJECT_free>;
using OctetStringPtr = ecert::OsslPtr<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free>;

Status key_from_params(const char* type, ParamBldPtr& builder, EvpPkeyPtr& key) {
  ParamPtr params(OSSL_PARAM_BLD_to_param(builder.get()));
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  if (!params || !ctx) return Status::ssl("OSSL_PARAM_BLD_to_param");
  if (EVP_PKEY_fromdata_init(ctx.get()) <= 0) return Status::ssl("EVP_PKEY_fromdata_init");
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) <= 0)
    return Status::ssl("EVP_PKEY_fromdata");
  key.reset(raw);
  return Status::ok();
}

// Unwraps CKA_EC_POINT; PKCS#11 says DER OCTET STRING, but a bare
// uncompressed point is common enough in the wild to accept.
Bytes ec_point_octets(const Bytes& point) {
  const unsigned char* p = point.data();
  OctetStringPtr octets(d2i_ASN1_OCTET_STRING(nullptr, &p, point.size()));
  if (!octets || p != point.data() + point.size()) return point;
  // A bare point can by chance parse as DER too; an uncompressed point inside
  // (0x04 and an odd length) tells the real wrapping apart.
  const unsigned char* data = ASN1_STRING_get0_data(octets.get());
  const int len = ASN1_STRING_length(octets.get());
  if (len < 1 || data[0] != 0x04 || len % 2 == 0) return point;
  return Bytes(data, data + len);
}

Status raw_to_der_ecdsa(const Bytes& raw_sig, Bytes& der) {
  if (raw_sig.empty() || raw_sig.size() % 2 != 0)
    return Status::fail("ECDSA signature has odd length " + std::to_string(raw_sig.size()));
  const int half = static_cast<int>(raw_sig.size() / 2);
  EcdsaSigPtr sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(raw_sig.data(), half, nullptr);
  BIGNUM* s = BN_bin2bn(raw_sig.data() + half, half, nullptr);
  if (!sig || !r || !s || !ECDSA_SIG_set0(sig.get(), r, s)) {
    BN_free(r);
    BN_free(s);
    return Status::ssl("ECDSA_SIG_set0");
  }
  const int len = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (len <= 0) return Status::ssl("i2d_ECDSA_SIG");
  der.resize(len);
  unsigned char* out = der.data();
  i2d_ECDSA_SIG(sig.get(), &out);
  return Status::ok();
}

Status digest_verify_sha256(EVP_PKEY* key, const Bytes& data, const Bytes& sig) {
  EvpMdCtxPtr md(EVP_MD_CTX_new());
  if (!md || EVP_DigestVerifyInit_ex(md.get(), nullptr, "SHA256", nullptr, nullptr, key, nullptr) <= 0)
    return Status::ssl("EVP_DigestVerifyInit_ex");
  if (EVP_DigestVerify(md.get(), sig.data(), sig.size(), data.data(), data.size()) != 1)
    return Status::fail("signature does not verify (EVP_DigestVerify)");
  return Status::ok();
}

Status pkey_verify(EVP_PKEY* key, bool rsa_pkcs1_sha256, const Bytes& digest, const Bytes& sig) {
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
  if (!ctx || EVP_PKEY_verify_init(ctx.get()) <= 0) return Status::ssl("EVP_PKEY_verify_init");
  // With the digest named, OpenSSL parses the DigestInfo itself instead of
  // comparing bytes, so a malformed DigestInfo from the module fails here.
  if (rsa_pkcs1_sha256 && (EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) <= 0 ||
                           EVP_PKEY_CTX_set_signature_md(ctx.get(), EVP_sha256()) <= 0))
    return Status::ssl("EVP_PKEY_CTX_set_signature_md");
  if (EVP_PKEY_verify(ctx.get(), sig.data(), sig.size(), digest.data(), digest.size()) != 1)
    return Status::fail("signature does not verify (EVP_PKEY_verify)");
  return Status::ok();
}

}  // namespace

Status rsa_public_key(const Bytes& modulus, const Bytes& exponent, EvpPkeyPtr& key) {
  BignumPtr n(BN_bin2bn(modulus.data(), static_cast<int>(modulus.size()), nullptr));
  BignumPtr e(BN_bin2bn(exponent.data(), static_cast<int>(exponent.size()), nullptr));
  ParamBldPtr builder(OSSL_PARAM_BLD_new());
  if (!n || !e || !builder || !OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) ||
      !OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, e.get()))
    return Status::ssl("OSSL_PARAM_BLD_push_BN");
  return key_from_params("RSA", builder, key);
}

Status ec_public_key(const Bytes& params, const Bytes& point, EvpPkeyPtr& key) {
  const unsigned char* p = params.data();
  Asn1ObjectPtr oid(d2i_ASN1_OBJECT(nullptr, &p, params.size()));
  const int nid = oid ? OBJ_obj2nid(oid.get()) : NID_undef;
  const char* curve = nid != NID_undef ? OBJ_nid2sn(nid) : nullptr;
  if (!curve) return Status::fail("CKA_EC_PARAMS is not a known named curve OID");
  const Bytes octets = ec_point_octets(point);
  ParamBldPtr builder(OSSL_PARAM_BLD_new());
  if (!builder || !OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, curve, 0) ||
      !OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, octets.data(), octets.size()))
    return Status::ssl("OSSL_PARAM_BLD_push");
  return key_from_params("EC", builder, key);
}

Status generate_key(const char* type, EvpPkeyPtr& key) {
  const bool rsa = std::string(type) == "RSA";
  EVP_PKEY* raw = rsa ? EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048})
                      : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  if (!raw) return Status::ssl("EVP_PKEY_Q_keygen");
  key.reset(raw);
  return Status::ok();
}

Status sha256(const Bytes& data, Bytes& digest) {
  digest.resize(32);
  unsigned int len = 0;
  if (!EVP_Digest(data.data(), data.size(), digest.data(), &len, EVP_sha256(), nullptr))
    return Status::ssl("EVP_Digest");
  return Status::ok();
}

Bytes sha256_digest_info(const Bytes& digest) {
  // SEQUENCE { SEQUENCE { OID 2.16.840.1.101.3.4.2.1, NULL }, OCTET STRING[32] }
  static const unsigned char prefix[] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                         0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};
  Bytes info(sizeof prefix + digest.size());
  std::copy(prefix, prefix + sizeof prefix, info.begin());
  std::copy(digest.begin(), digest.end(), info.begin() + sizeof prefix);
  return info;
}

Status set_oaep_sha256(EVP_PKEY_CTX* ctx) {
  if (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) <= 0 ||
      EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha256()) <= 0 || EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha256()) <= 0)
    return Status::ssl("EVP_PKEY_CTX_set_rsa_oaep_md");
  return Status::ok();
}

Status oaep_encrypt(EVP_PKEY* key, const Bytes& plain, Bytes& cipher) {
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
  if (!ctx || EVP_PKEY_encrypt_init(ctx.get()) <= 0) return Status::ssl("EVP_PKEY_encrypt_init");
  if (Status s = set_oaep_sha256(ctx.get()); !s.is_ok()) return s;
  size_t len = 0;
  if (EVP_PKEY_encrypt(ctx.get(), nullptr, &len, plain.data(), plain.size()) <= 0)
    return Status::ssl("EVP_PKEY_encrypt");
  cipher.resize(len);
  if (EVP_PKEY_encrypt(ctx.get(), cipher.data(), &len, plain.data(), plain.size()) <= 0)
    return Status::ssl("EVP_PKEY_encrypt");
  cipher.resize(len);
  return Status::ok();
}

Status verify_sha256_rsa_pkcs(EVP_PKEY* key, const Bytes& data, const Bytes& sig) {
  return digest_verify_sha256(key, data, sig);
}

Status verify_rsa_pkcs_digest(EVP_PKEY* key, const Bytes& digest, const Bytes& sig) {
  return pkey_verify(key, true, digest, sig);
}

Status verify_ecdsa_digest(EVP_PKEY* key, const Bytes& digest, const Bytes& raw_sig) {
  Bytes der;
  if (Status s = raw_to_der_ecdsa(raw_sig, der); !s.is_ok()) return s;
  return pkey_verify(key, false, digest, der);
}

Status verify_ecdsa_sha256(EVP_PKEY* key, const Bytes& data, const Bytes& raw_sig) {
  Bytes der;
  if (Status s = raw_to_der_ecdsa(raw_sig, der); !s.is_ok()) return s;
  return digest_verify_sha256(key, data, der);
}
