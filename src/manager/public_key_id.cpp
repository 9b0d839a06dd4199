// NSS's pairing id computed with OpenSSL: the SHA-1 of the RSA modulus
// (minimal big-endian) or of the uncompressed EC point, a compressed point
// from a certificate being re-encoded first; nothing for other key types.
#include "manager/public_key_id.h"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>

#include "common/ossl_ptr.h"
#include "manager/certificate.h"

namespace ecert::manager {
namespace {

Bytes sha1(ByteView data) {
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha1(), nullptr) != 1) return {};
  out.resize(len);
  return out;
}

Bytes rsa_modulus(const EVP_PKEY* key) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &raw) != 1) return {};
  BignumPtr n(raw);
  // BN_bn2bin writes the minimal big-endian form, which is what NSS hashes.
  Bytes out(static_cast<std::size_t>(BN_num_bytes(n.get())));
  BN_bn2bin(n.get(), out.data());
  return out;
}

int curve_nid(const EVP_PKEY* key) {
  char name[80];
  if (EVP_PKEY_get_group_name(key, name, sizeof name, nullptr) != 1) return NID_undef;
  int nid = OBJ_txt2nid(name);
  return nid != NID_undef ? nid : EC_curve_nist2nid(name);
}

// The key's point in whatever form it was decoded from (a certificate may
// carry a compressed point), re-encoded uncompressed as NSS keeps it.
Bytes ec_point_uncompressed(const EVP_PKEY* key) {
  std::size_t len = 0;
  if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, nullptr, 0, &len) != 1 || len == 0) return {};
  Bytes point(len);
  if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size(), &len) != 1) return {};
  point.resize(len);
  if (point[0] == POINT_CONVERSION_UNCOMPRESSED) return point;

  EcGroupPtr group(EC_GROUP_new_by_curve_name(curve_nid(key)));
  if (!group) return {};
  EcPointPtr p(EC_POINT_new(group.get()));
  if (!p || EC_POINT_oct2point(group.get(), p.get(), point.data(), point.size(), nullptr) != 1) return {};
  len = EC_POINT_point2oct(group.get(), p.get(), POINT_CONVERSION_UNCOMPRESSED, nullptr, 0, nullptr);
  Bytes out(len);
  if (len == 0 ||
      EC_POINT_point2oct(group.get(), p.get(), POINT_CONVERSION_UNCOMPRESSED, out.data(), out.size(), nullptr) != len)
    return {};
  return out;
}

}  // namespace

Bytes public_key_id(const EVP_PKEY* key) {
  if (key == nullptr) return {};
  // A failed parameter query leaves messages in the error queue that would be
  // blamed on the caller's next OpenSSL call.
  ERR_set_mark();
  Bytes value;
  if (EVP_PKEY_is_a(key, "RSA"))
    value = rsa_modulus(key);
  else if (EVP_PKEY_is_a(key, "EC"))
    value = ec_point_uncompressed(key);
  ERR_pop_to_mark();
  return value.empty() ? Bytes{} : sha1(value);
}

Bytes public_key_id_of_certificate(ByteView der) { return decode_certificate(der).key_id; }

}  // namespace ecert::manager
