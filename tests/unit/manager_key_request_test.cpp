// generate_key_pair, make_certificate_request and import_certificate against
// the real module: requests are checked by the `openssl` CLI (`req -verify`,
// `asn1parse` for the string types), signed by a throwaway CA with the CLI,
// and the issued certificates stored back beside their keys.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <memory>
#include <string>

#include "manager/key_request.h"
#include "manager/p11_error.h"
#include "manager_test_support.h"

namespace ecert::manager::test {
namespace {

using namespace support;

constexpr const char* kChineseName = "陳大文";

Bytes sha1(ByteView data) {
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned int len = 0;
  EXPECT_EQ(EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha1(), nullptr), 1);
  out.resize(len);
  return out;
}

std::string text(const std::optional<Bytes>& b) { return b ? std::string(b->begin(), b->end()) : "<absent>"; }

bool has_line_with(const std::string& output, const std::string& a, const std::string& b) {
  std::size_t start = 0;
  while (start < output.size()) {
    std::size_t end = output.find('\n', start);
    if (end == std::string::npos) end = output.size();
    const std::string line = output.substr(start, end - start);
    if (line.find(a) != std::string::npos && line.find(b) != std::string::npos) return true;
    start = end + 1;
  }
  return false;
}

RequestSubject chan_tai_man() {
  RequestSubject subject;
  subject.common_name = kChineseName;
  subject.organization = "Hongkong Post Test";
  subject.organizational_unit = "Personal e-Cert";
  subject.country = "HK";
  subject.email = "chan@example.hk";
  return subject;
}

class KeyRequestTest : public ManagerTest {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDirectory();
    ca_ = new TestCa(dir_->path(), "Test Issuing CA");
  }
  static void TearDownTestSuite() {
    delete ca_;
    delete dir_;
  }

  void SetUp() override {
    ManagerTest::SetUp();
    slot_ = ready_token();
  }

  // Writes the request to a file and has the CLI check its signature (a
  // failing check throws); returns the file.
  fs::path verified_request(const std::string& pem, const std::string& name) {
    const fs::path csr = *dir_ / (name + ".csr");
    write_bytes(csr, view(pem));
    openssl({"req", "-in", csr.string(), "-verify", "-noout"});
    return csr;
  }

  // A certificate for the request, issued by the test CA; returns its PEM.
  Bytes issued(const fs::path& csr, const std::string& serial) {
    const fs::path cert = *dir_ / (csr.stem().string() + ".pem");
    ca_->issue(csr, cert, serial);
    return read_bytes(cert);
  }

  CK_OBJECT_HANDLE only(Session& s, CK_OBJECT_CLASS cls, const Bytes& id) {
    const auto found = find_by_id(s, cls, id);
    EXPECT_EQ(found.size(), 1u) << "class " << cls;
    return found.empty() ? CK_INVALID_HANDLE : found.front();
  }

  void expect_usage_error(UsageError::Kind kind, const std::function<void()>& f) {
    try {
      f();
      ADD_FAILURE() << "no UsageError";
    } catch (const UsageError& e) {
      EXPECT_EQ(e.kind(), kind) << e.what();
    }
  }

  static TempDirectory* dir_;
  static TestCa* ca_;
  CK_SLOT_ID slot_ = 0;
};

TempDirectory* KeyRequestTest::dir_ = nullptr;
TestCa* KeyRequestTest::ca_ = nullptr;

TEST_F(KeyRequestTest, RsaKeyPairGetsItsIdOnBothHalves) {
  auto s = user_session(slot_);
  const GeneratedKey key = generate_key_pair(*s, KeySpec::rsa_2048, "New e-Cert");
  EXPECT_EQ(key.label, "New e-Cert");
  const auto modulus = s->attribute(key.public_key, CKA_MODULUS);
  ASSERT_TRUE(modulus);
  EXPECT_EQ(modulus->size(), 256u);
  EXPECT_EQ(key.id, sha1(*modulus));
  EXPECT_EQ(s->attribute(key.private_key, CKA_ID), key.id);
  EXPECT_EQ(s->attribute(key.public_key, CKA_ID), key.id);
  EXPECT_EQ(only(*s, CKO_PRIVATE_KEY, key.id), key.private_key);

  for (auto [attribute, expected] : {std::pair{CKA_TOKEN, true},
                                     {CKA_PRIVATE, true},
                                     {CKA_SENSITIVE, true},
                                     {CKA_EXTRACTABLE, false},
                                     {CKA_ALWAYS_SENSITIVE, true},
                                     {CKA_NEVER_EXTRACTABLE, true},
                                     {CKA_LOCAL, true},
                                     {CKA_SIGN, true},
                                     {CKA_DECRYPT, true}})
    EXPECT_EQ(s->bool_attribute(key.private_key, attribute), expected) << attribute;
  EXPECT_EQ(s->attribute(key.private_key, CKA_PRIVATE_EXPONENT), std::nullopt);
  EXPECT_EQ(text(s->attribute(key.private_key, CKA_LABEL)), "New e-Cert");
  EXPECT_EQ(s->bool_attribute(key.public_key, CKA_PRIVATE), false);
  EXPECT_EQ(s->bool_attribute(key.public_key, CKA_VERIFY), true);
  EXPECT_EQ(s->bool_attribute(key.public_key, CKA_ENCRYPT), true);
  EXPECT_EQ(s->ulong_attribute(key.public_key, CKA_MODULUS_BITS), 2048u);
  EXPECT_EQ(s->attribute(key.public_key, CKA_PUBLIC_EXPONENT), (Bytes{0x01, 0x00, 0x01}));
}

TEST_F(KeyRequestTest, EcKeyPairGetsItsIdOnBothHalves) {
  auto s = user_session(slot_);
  const GeneratedKey key = generate_key_pair(*s, KeySpec::ec_p256, "EC e-Cert");
  const auto point_der = s->attribute(key.public_key, CKA_EC_POINT);
  ASSERT_TRUE(point_der);
  ASSERT_EQ(point_der->size(), 67u);
  ASSERT_EQ((*point_der)[0], 0x04);  // OCTET STRING
  ASSERT_EQ((*point_der)[1], 65);
  EXPECT_EQ(key.id, sha1(ByteView(*point_der).subspan(2)));
  EXPECT_EQ(s->attribute(key.private_key, CKA_ID), key.id);
  EXPECT_EQ(s->attribute(key.public_key, CKA_EC_PARAMS),
            (Bytes{0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07}));
  EXPECT_EQ(s->bool_attribute(key.private_key, CKA_DECRYPT), false);
  EXPECT_EQ(s->bool_attribute(key.public_key, CKA_ENCRYPT), false);
  EXPECT_EQ(s->attribute(key.private_key, CKA_VALUE), std::nullopt);
}

TEST_F(KeyRequestTest, RsaRequestVerifiesAndItsCertificateIsStoredBesideTheKey) {
  auto s = user_session(slot_);
  const GeneratedKey key = generate_key_pair(*s, KeySpec::rsa_2048, std::string(kChineseName) + " e-Cert");
  const std::string pem = make_certificate_request(*s, key.id, chan_tai_man());
  EXPECT_EQ(pem.rfind("-----BEGIN CERTIFICATE REQUEST-----\n", 0), 0u) << pem;
  const fs::path csr = verified_request(pem, "rsa");

  const std::string parsed = openssl({"asn1parse", "-in", csr.string()});
  EXPECT_TRUE(has_line_with(parsed, "UTF8STRING", std::string(":") + kChineseName)) << parsed;
  EXPECT_TRUE(has_line_with(parsed, "UTF8STRING", ":Hongkong Post Test")) << parsed;
  EXPECT_TRUE(has_line_with(parsed, "PRINTABLESTRING", ":HK")) << parsed;
  EXPECT_TRUE(has_line_with(parsed, "IA5STRING", ":chan@example.hk")) << parsed;
  EXPECT_TRUE(has_line_with(parsed, "OBJECT", ":sha256WithRSAEncryption")) << parsed;
  const std::string subject =
      openssl({"req", "-in", csr.string(), "-noout", "-subject", "-nameopt", "RFC2253,-esc_msb"});
  EXPECT_NE(subject.find(std::string("CN=") + kChineseName + ",OU=Personal e-Cert,O=Hongkong Post Test,C=HK"),
            std::string::npos)
      << subject;

  const ImportResult r = import_certificate(*s, issued(csr, "2001"), std::nullopt);
  EXPECT_EQ(r.id, key.id);
  EXPECT_EQ(r.label, key.label);  // the key's label
  EXPECT_TRUE(r.certificate_stored);
  EXPECT_FALSE(r.key_stored);
  EXPECT_EQ(r.ca_added, 0u);
  const CK_OBJECT_HANDLE cert = only(*s, CKO_CERTIFICATE, key.id);
  EXPECT_EQ(text(s->attribute(cert, CKA_LABEL)), key.label);
  EXPECT_EQ(s->ulong_attribute(cert, CKA_CERTIFICATE_CATEGORY), 1u);
  EXPECT_EQ(s->attribute(cert, CKA_SERIAL_NUMBER), (Bytes{0x02, 0x02, 0x20, 0x01}));
}

TEST_F(KeyRequestTest, EcRequestsUseTheCurvesHashAndChainCertificatesAreStored) {
  auto s = user_session(slot_);
  const GeneratedKey p256 = generate_key_pair(*s, KeySpec::ec_p256, "P-256 key");
  const GeneratedKey p384 = generate_key_pair(*s, KeySpec::ec_p384, "P-384 key");
  const fs::path csr256 = verified_request(make_certificate_request(*s, p256.id, chan_tai_man()), "p256");
  const fs::path csr384 = verified_request(make_certificate_request(*s, p384.id, chan_tai_man()), "p384");
  const std::string parsed = openssl({"asn1parse", "-in", csr256.string()});
  EXPECT_TRUE(has_line_with(parsed, "OBJECT", ":ecdsa-with-SHA256")) << parsed;
  EXPECT_TRUE(has_line_with(parsed, "UTF8STRING", std::string(":") + kChineseName)) << parsed;
  EXPECT_TRUE(has_line_with(openssl({"asn1parse", "-in", csr384.string()}), "OBJECT", ":ecdsa-with-SHA384"));

  // The CA's answer as a PEM chain: the certificate, then the CA's.
  Bytes chain = issued(csr256, "3001");
  const Bytes ca_pem = read_bytes(ca_->certificate());
  chain.insert(chain.end(), ca_pem.begin(), ca_pem.end());
  const ImportResult r = import_certificate(*s, chain, std::string("Given label"));
  EXPECT_EQ(r.id, p256.id);
  EXPECT_EQ(r.label, "Given label");
  EXPECT_EQ(r.ca_added, 1u);
  EXPECT_EQ(text(s->attribute(only(*s, CKO_CERTIFICATE, p256.id), CKA_LABEL)), "Given label");

  const ImportResult r384 = import_certificate(*s, issued(csr384, "3002"), std::nullopt);
  EXPECT_EQ(r384.id, p384.id);
  EXPECT_EQ(r384.label, "P-384 key");
}

TEST_F(KeyRequestTest, CertificateWithoutItsKeyIsNotFound) {
  auto s = user_session(slot_);
  generate_key_pair(*s, KeySpec::ec_p256, "unrelated key");
  const std::size_t before = s->find({}).size();
  expect_usage_error(UsageError::Kind::not_found,
                     [&] { import_certificate(*s, read_bytes(ca_->certificate()), std::nullopt); });

  // A certificate whose key was made outside the token.
  const fs::path key = *dir_ / "outside.key";
  const fs::path csr = *dir_ / "outside.csr";
  openssl({"req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key.string(),
           "-subj", "/CN=Outside", "-out", csr.string()});
  expect_usage_error(UsageError::Kind::not_found, [&] { import_certificate(*s, issued(csr, "4001"), std::nullopt); });
  EXPECT_EQ(s->find({}).size(), before);
}

TEST_F(KeyRequestTest, CertificateImportedTwiceIsRefused) {
  auto s = user_session(slot_);
  const GeneratedKey key = generate_key_pair(*s, KeySpec::ec_p256, "twice");
  const Bytes cert = issued(verified_request(make_certificate_request(*s, key.id, chan_tai_man()), "twice"), "5001");
  import_certificate(*s, cert, std::nullopt);
  const std::size_t before = s->find({}).size();
  expect_usage_error(UsageError::Kind::bad_input, [&] { import_certificate(*s, cert, std::string("again")); });
  EXPECT_EQ(s->find({}).size(), before);
}

TEST_F(KeyRequestTest, BadRequestInputsAreRefused) {
  auto s = user_session(slot_);
  const GeneratedKey key = generate_key_pair(*s, KeySpec::ec_p256, "inputs");
  RequestSubject no_name = chan_tai_man();
  no_name.common_name.clear();
  expect_usage_error(UsageError::Kind::bad_input, [&] { make_certificate_request(*s, key.id, no_name); });
  RequestSubject bad_country = chan_tai_man();
  bad_country.country = "HKG";
  expect_usage_error(UsageError::Kind::bad_input, [&] { make_certificate_request(*s, key.id, bad_country); });
  RequestSubject bad_utf8 = chan_tai_man();
  bad_utf8.common_name = "\xff\xfe";
  expect_usage_error(UsageError::Kind::bad_input, [&] { make_certificate_request(*s, key.id, bad_utf8); });
  expect_usage_error(UsageError::Kind::not_found, [&] {
    make_certificate_request(*s, Bytes{1, 2, 3}, chan_tai_man());
  });
  expect_usage_error(UsageError::Kind::bad_input,
                     [&] { import_certificate(*s, view(std::string_view("no certificate here")), std::nullopt); });
}

TEST_F(KeyRequestTest, KeySpecNames) {
  EXPECT_EQ(parse_key_spec("rsa2048"), KeySpec::rsa_2048);
  EXPECT_EQ(parse_key_spec("RSA4096"), KeySpec::rsa_4096);
  EXPECT_EQ(parse_key_spec("p384"), KeySpec::ec_p384);
  EXPECT_EQ(parse_key_spec("ed25519"), std::nullopt);
  for (KeySpec spec : {KeySpec::rsa_2048, KeySpec::rsa_3072, KeySpec::rsa_4096, KeySpec::ec_p256, KeySpec::ec_p384})
    EXPECT_EQ(parse_key_spec(key_spec_name(spec)), spec);
}

}  // namespace
}  // namespace ecert::manager::test
