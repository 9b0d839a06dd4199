// C_Digest mechanisms: known answers and agreement with EVP_Digest.
#include "crypto_test_support.h"

namespace ecert::crypto::test {
namespace {

Bytes our_digest(CK_MECHANISM_TYPE type, ByteView data, std::size_t pieces = 1) {
  CK_MECHANISM m = mech(type);
  auto ctx = row(type).digest(m);
  std::size_t step = pieces == 1 ? data.size() : data.size() / pieces + 1;
  for (std::size_t off = 0; off < data.size(); off += step) {
    ctx->update(data.subspan(off, std::min(step, data.size() - off)));
  }
  Bytes out(ctx->size());
  ctx->final(out.data());
  return out;
}

Bytes evp_digest(const char* name, ByteView data) {
  MdPtr md(EVP_MD_fetch(libctx(), name, nullptr));
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned len = 0;
  EXPECT_EQ(EVP_Digest(data.data(), data.size(), out.data(), &len, md.get(), nullptr), 1);
  out.resize(len);
  return out;
}

Bytes hex(std::string_view h) {
  Bytes out;
  for (std::size_t i = 0; i + 1 < h.size(); i += 2)
    out.push_back(static_cast<std::uint8_t>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
  return out;
}

TEST(Digest, KnownAnswersForAbc) {
  // FIPS 180 example "abc".
  EXPECT_EQ(our_digest(CKM_SHA_1, sv("abc")), hex("a9993e364706816aba3e25717850c26c9cd0d89d"));
  EXPECT_EQ(our_digest(CKM_SHA224, sv("abc")), hex("23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7"));
  EXPECT_EQ(our_digest(CKM_SHA256, sv("abc")), hex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
}

TEST(Digest, AgreesWithEvpDigestSingleAndMultiPart) {
  struct C {
    CK_MECHANISM_TYPE type;
    const char* name;
    std::size_t size;
  };
  const C cases[] = {{CKM_SHA_1, "SHA1", 20},
                     {CKM_SHA224, "SHA224", 28},
                     {CKM_SHA256, "SHA256", 32},
                     {CKM_SHA384, "SHA384", 48},
                     {CKM_SHA512, "SHA512", 64}};
  for (const C& c : cases) {
    SCOPED_TRACE(c.name);
    for (std::size_t len : {0u, 1u, 55u, 64u, 1000u, 100000u}) {
      Bytes data = pattern(len);
      Bytes expected = evp_digest(c.name, data);
      EXPECT_EQ(expected.size(), c.size);
      EXPECT_EQ(our_digest(c.type, data), expected);
      EXPECT_EQ(our_digest(c.type, data, 7), expected);
    }
  }
}

TEST(Digest, NoParameterAllowed) {
  CK_ULONG junk = 0;
  for (CK_MECHANISM_TYPE t : {CKM_SHA_1, CKM_SHA224, CKM_SHA256, CKM_SHA384, CKM_SHA512}) {
    CK_MECHANISM with = mech(t, junk);
    EXPECT_RV(CKR_MECHANISM_PARAM_INVALID, row(t).digest(with));
    CK_MECHANISM len_only{t, nullptr, 1};
    EXPECT_RV(CKR_MECHANISM_PARAM_INVALID, row(t).digest(len_only));
  }
}

}  // namespace
}  // namespace ecert::crypto::test
