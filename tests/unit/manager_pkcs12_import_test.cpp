// import_pkcs12 against the real module, with PKCS#12 files the `openssl` CLI
// makes at test time (RSA-2048 and P-256 e-Certs with their CA, OpenSSL 3's
// default AES-256 encryption and the legacy RC2/3DES one). The CKA_IDs are
// checked against SHA-1 of the modulus / point as the CLI prints them, and
// signatures made on the token against the certificate with OpenSSL.
#include <gtest/gtest.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cctype>
#include <cstdlib>
#include <memory>
#include <string>

#include "common/ossl_ptr.h"
#include "manager/p11_error.h"
#include "manager/pkcs12_import.h"
#include "manager_test_support.h"

namespace ecert::manager::test {
namespace {

using namespace support;

constexpr const char* kPassword = "p12 Pass#word";
constexpr const char* kChineseName = "陳大文";
constexpr const char* kLegacyName = "陳大文的 e-Cert";  // a BMPString friendlyName beyond Latin-1

// The suite's files, made once: a CA, an RSA and an EC e-Cert issued by it,
// and PKCS#12 files of them.
struct Files {
  TempDirectory dir;
  TestCa ca{dir.path(), "Test Root CA"};
  fs::path rsa_key = dir / "rsa.key", rsa_cert = dir / "rsa.pem", rsa_p12 = dir / "rsa.p12";
  fs::path ec_key = dir / "ec.key", ec_cert = dir / "ec.pem", ec_p12 = dir / "ec.p12";
  fs::path legacy_p12 = dir / "legacy.p12", key_only_p12 = dir / "key-only.p12";

  Files() {
    const std::vector<std::pair<std::string, std::string>> env{{"P12_PASS", kPassword}};
    openssl({"genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", rsa_key.string()});
    issue(rsa_key, std::string("/CN=Chan Tai Man/O=Test"), rsa_cert, "1001");
    openssl({"pkcs12", "-export", "-inkey", rsa_key.string(), "-in", rsa_cert.string(), "-certfile",
             ca.certificate().string(), "-name", "My e-Cert", "-passout", "env:P12_PASS", "-out", rsa_p12.string()},
            env);

    openssl({"genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", ec_key.string()});
    issue(ec_key, std::string("/CN=") + kChineseName + "/O=Test", ec_cert, "1002");
    // No -name: the label must come from the certificate's CN.
    openssl({"pkcs12", "-export", "-inkey", ec_key.string(), "-in", ec_cert.string(), "-certfile",
             ca.certificate().string(), "-passout", "env:P12_PASS", "-out", ec_p12.string()},
            env);

    // RC2-40 certificates and 3DES key, as OpenSSL 1.x and Windows wrote them.
    openssl({"pkcs12", "-export", "-legacy", "-inkey", rsa_key.string(), "-in", rsa_cert.string(), "-certfile",
             ca.certificate().string(), "-name", kLegacyName, "-passout", "env:P12_PASS", "-out", legacy_p12.string()},
            env);
    openssl({"pkcs12", "-export", "-nocerts", "-inkey", ec_key.string(), "-passout", "env:P12_PASS", "-out",
             key_only_p12.string()},
            env);
  }

  void issue(const fs::path& key, const std::string& subject, const fs::path& cert, const std::string& serial) {
    const fs::path csr = dir / (cert.stem().string() + ".csr");
    openssl({"req", "-new", "-utf8", "-key", key.string(), "-subj", subject, "-out", csr.string()});
    ca.issue(csr, cert, serial);
  }
};

Bytes from_hex(std::string_view hex) {
  Bytes out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  return out;
}

Bytes sha1(ByteView data) {
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned int len = 0;
  EXPECT_EQ(EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha1(), nullptr), 1);
  out.resize(len);
  return out;
}

// SHA-1 of the modulus as `openssl rsa -modulus` prints it.
Bytes rsa_id(const fs::path& key) {
  std::string out = openssl({"rsa", "-in", key.string(), "-noout", "-modulus"});
  out = out.substr(out.find('=') + 1);
  while (!out.empty() && std::isspace(static_cast<unsigned char>(out.back()))) out.pop_back();
  return sha1(from_hex(out));
}

// The uncompressed P-256 point: the last 65 bytes of the DER SubjectPublicKeyInfo.
Bytes p256_point(const TempDirectory& dir, const fs::path& key) {
  const fs::path spki = dir / "spki.der";
  openssl({"pkey", "-in", key.string(), "-pubout", "-outform", "DER", "-out", spki.string()});
  const Bytes der = read_bytes(spki);
  return Bytes(der.end() - 65, der.end());
}

Bytes cert_der(const TempDirectory& dir, const fs::path& pem) {
  const fs::path out = dir / "cert.der";
  openssl({"x509", "-in", pem.string(), "-outform", "DER", "-out", out.string()});
  return read_bytes(out);
}

std::string text(const std::optional<Bytes>& b) { return b ? std::string(b->begin(), b->end()) : "<absent>"; }

// Verifies `signature` (PKCS#11 form) over `data` with the certificate's key.
bool verifies_with_certificate(const fs::path& cert_pem, ByteView data, Bytes signature, bool ecdsa) {
  OsslPtr<BIO, BIO_free_all> bio(BIO_new_file(cert_pem.c_str(), "r"));
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) return false;
  EVP_PKEY* key = X509_get0_pubkey(cert.get());
  if (ecdsa) {
    const int half = static_cast<int>(signature.size() / 2);
    EcdsaSigPtr sig(ECDSA_SIG_new());
    ECDSA_SIG_set0(sig.get(), BN_bin2bn(signature.data(), half, nullptr),
                   BN_bin2bn(signature.data() + half, half, nullptr));
    unsigned char* der = nullptr;
    const int len = i2d_ECDSA_SIG(sig.get(), &der);
    signature.assign(der, der + len);
    OPENSSL_free(der);
  }
  MdCtxPtr ctx(EVP_MD_CTX_new());
  return EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) == 1 &&
         EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), data.data(), data.size()) == 1;
}

class Pkcs12ImportTest : public ManagerTest {
 protected:
  static void SetUpTestSuite() { files_ = new Files(); }
  static void TearDownTestSuite() {
    delete files_;
    files_ = nullptr;
  }

  void SetUp() override {
    ManagerTest::SetUp();
    slot_ = ready_token();
  }

  ImportResult import(Session& s, const fs::path& p12, std::string_view password = kPassword,
                      std::optional<std::string> label = std::nullopt) {
    return import_pkcs12(s, read_bytes(p12), password, std::move(label));
  }

  CK_OBJECT_HANDLE only(Session& s, CK_OBJECT_CLASS cls, const Bytes& id) {
    AttributeTemplate t;
    t.add_ulong(CKA_CLASS, cls).add_bytes(CKA_ID, id);
    const auto found = s.find(std::move(t));
    EXPECT_EQ(found.size(), 1u) << "class " << cls;
    return found.empty() ? CK_INVALID_HANDLE : found.front();
  }

  // The CA certificate the suite's files carry, found by its DER.
  CK_OBJECT_HANDLE ca_object(Session& s) {
    AttributeTemplate t;
    t.add_ulong(CKA_CLASS, CKO_CERTIFICATE).add_bytes(CKA_VALUE, cert_der(files_->dir, files_->ca.certificate()));
    const auto found = s.find(std::move(t));
    EXPECT_EQ(found.size(), 1u);
    return found.empty() ? CK_INVALID_HANDLE : found.front();
  }

  // The raw return value, to see CKR_ATTRIBUTE_SENSITIVE itself.
  CK_RV read_rv(Session& s, CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type) {
    CK_ATTRIBUTE a{type, nullptr, 0};
    return module().p11()->C_GetAttributeValue(s.handle(), object, &a, 1);
  }

  static Files* files_;
  CK_SLOT_ID slot_ = 0;
};

Files* Pkcs12ImportTest::files_ = nullptr;

TEST_F(Pkcs12ImportTest, RsaKeyCertificateAndCaAreStoredWithOneId) {
  auto s = user_session(slot_);
  const ImportResult r = import(*s, files_->rsa_p12);
  EXPECT_EQ(r.label, "My e-Cert");  // the friendlyName
  EXPECT_EQ(r.id, rsa_id(files_->rsa_key));
  EXPECT_TRUE(r.key_stored);
  EXPECT_TRUE(r.certificate_stored);
  EXPECT_EQ(r.ca_added, 1u);
  EXPECT_EQ(r.ca_skipped, 0u);

  const Bytes der = cert_der(files_->dir, files_->rsa_cert);
  const CK_OBJECT_HANDLE cert = only(*s, CKO_CERTIFICATE, r.id);
  EXPECT_EQ(s->attribute(cert, CKA_VALUE), der);
  EXPECT_EQ(s->ulong_attribute(cert, CKA_CERTIFICATE_TYPE), CKC_X_509);
  EXPECT_EQ(s->ulong_attribute(cert, CKA_CERTIFICATE_CATEGORY), 1u);
  EXPECT_EQ(text(s->attribute(cert, CKA_LABEL)), "My e-Cert");
  EXPECT_EQ(s->attribute(cert, CKA_SERIAL_NUMBER), (Bytes{0x02, 0x02, 0x10, 0x01}));
  const auto subject = s->attribute(cert, CKA_SUBJECT);
  ASSERT_TRUE(subject && !subject->empty());
  EXPECT_EQ(s->attribute(cert, CKA_ISSUER), s->attribute(ca_object(*s), CKA_SUBJECT));

  const CK_OBJECT_HANDLE key = only(*s, CKO_PRIVATE_KEY, r.id);
  EXPECT_EQ(s->ulong_attribute(key, CKA_KEY_TYPE), CKK_RSA);
  EXPECT_EQ(s->bool_attribute(key, CKA_TOKEN), true);
  EXPECT_EQ(s->bool_attribute(key, CKA_PRIVATE), true);
  EXPECT_EQ(s->bool_attribute(key, CKA_SENSITIVE), true);
  EXPECT_EQ(s->bool_attribute(key, CKA_EXTRACTABLE), false);
  EXPECT_EQ(s->bool_attribute(key, CKA_SIGN), true);
  EXPECT_EQ(s->bool_attribute(key, CKA_DECRYPT), true);
  EXPECT_EQ(s->attribute(key, CKA_SUBJECT), subject);
  EXPECT_EQ(text(s->attribute(key, CKA_LABEL)), "My e-Cert");
  for (CK_ATTRIBUTE_TYPE secret :
       {CKA_PRIVATE_EXPONENT, CKA_PRIME_1, CKA_PRIME_2, CKA_EXPONENT_1, CKA_EXPONENT_2, CKA_COEFFICIENT})
    EXPECT_EQ(read_rv(*s, key, secret), CKR_ATTRIBUTE_SENSITIVE) << secret;

  const CK_OBJECT_HANDLE pub = only(*s, CKO_PUBLIC_KEY, r.id);
  EXPECT_EQ(s->bool_attribute(pub, CKA_PRIVATE), false);
  EXPECT_EQ(s->bool_attribute(pub, CKA_VERIFY), true);
  EXPECT_EQ(s->bool_attribute(pub, CKA_ENCRYPT), true);
  EXPECT_EQ(s->attribute(pub, CKA_MODULUS), s->attribute(key, CKA_MODULUS));
  EXPECT_EQ(s->attribute(pub, CKA_PUBLIC_EXPONENT), (Bytes{0x01, 0x00, 0x01}));
  EXPECT_EQ(sha1(*s->attribute(pub, CKA_MODULUS)), r.id);

  const CK_OBJECT_HANDLE ca = ca_object(*s);
  EXPECT_EQ(s->ulong_attribute(ca, CKA_CERTIFICATE_CATEGORY), 2u);
  EXPECT_EQ(s->bool_attribute(ca, CKA_TRUSTED), false);
  EXPECT_EQ(text(s->attribute(ca, CKA_LABEL)), "Test Root CA");
  EXPECT_EQ(s->attribute(ca, CKA_ID), sha1(p256_point(files_->dir, files_->ca.key())));
}

TEST_F(Pkcs12ImportTest, EcKeyIsLabelledWithTheCommonName) {
  auto s = user_session(slot_);
  const ImportResult r = import(*s, files_->ec_p12);
  const Bytes point = p256_point(files_->dir, files_->ec_key);
  ASSERT_EQ(point[0], 0x04);
  EXPECT_EQ(r.id, sha1(point));
  EXPECT_EQ(r.label, kChineseName);
  EXPECT_EQ(r.ca_added, 1u);

  const Bytes p256_oid{0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
  Bytes point_der{0x04, 0x41};
  point_der.insert(point_der.end(), point.begin(), point.end());

  const CK_OBJECT_HANDLE key = only(*s, CKO_PRIVATE_KEY, r.id);
  EXPECT_EQ(s->ulong_attribute(key, CKA_KEY_TYPE), CKK_EC);
  EXPECT_EQ(s->attribute(key, CKA_EC_PARAMS), p256_oid);
  EXPECT_EQ(s->bool_attribute(key, CKA_SENSITIVE), true);
  EXPECT_EQ(s->bool_attribute(key, CKA_EXTRACTABLE), false);
  EXPECT_EQ(s->bool_attribute(key, CKA_SIGN), true);
  EXPECT_EQ(s->bool_attribute(key, CKA_DECRYPT), false);
  EXPECT_EQ(read_rv(*s, key, CKA_VALUE), CKR_ATTRIBUTE_SENSITIVE);
  EXPECT_EQ(text(s->attribute(key, CKA_LABEL)), kChineseName);

  const CK_OBJECT_HANDLE pub = only(*s, CKO_PUBLIC_KEY, r.id);
  EXPECT_EQ(s->attribute(pub, CKA_EC_PARAMS), p256_oid);
  EXPECT_EQ(s->attribute(pub, CKA_EC_POINT), point_der);
  EXPECT_EQ(s->bool_attribute(pub, CKA_ENCRYPT), false);

  const CK_OBJECT_HANDLE cert = only(*s, CKO_CERTIFICATE, r.id);
  EXPECT_EQ(s->attribute(cert, CKA_VALUE), cert_der(files_->dir, files_->ec_cert));
  EXPECT_EQ(text(s->attribute(cert, CKA_LABEL)), kChineseName);
}

TEST_F(Pkcs12ImportTest, SignaturesMadeOnTheTokenVerifyWithTheCertificate) {
  auto s = user_session(slot_);
  const Bytes data = copy(view(std::string_view("the e-Cert signs this")));
  const ImportResult rsa = import(*s, files_->rsa_p12);
  const Bytes rsa_sig = s->sign(CKM_SHA256_RSA_PKCS, only(*s, CKO_PRIVATE_KEY, rsa.id), data);
  EXPECT_TRUE(verifies_with_certificate(files_->rsa_cert, data, rsa_sig, false));

  const ImportResult ec = import(*s, files_->ec_p12);
  const Bytes ec_sig = s->sign(CKM_ECDSA_SHA256, only(*s, CKO_PRIVATE_KEY, ec.id), data);
  EXPECT_TRUE(verifies_with_certificate(files_->ec_cert, data, ec_sig, true));
  EXPECT_FALSE(verifies_with_certificate(files_->rsa_cert, data, ec_sig, true));
}

TEST_F(Pkcs12ImportTest, PrivateKeyIsHiddenWithoutLogin) {
  {
    auto s = user_session(slot_);
    import(*s, files_->rsa_p12);
  }
  Session public_session(module(), slot_, false);
  AttributeTemplate keys;
  keys.add_ulong(CKA_CLASS, CKO_PRIVATE_KEY);
  EXPECT_TRUE(public_session.find(std::move(keys)).empty());
  AttributeTemplate certs;
  certs.add_ulong(CKA_CLASS, CKO_CERTIFICATE);
  EXPECT_EQ(public_session.find(std::move(certs)).size(), 2u);
}

TEST_F(Pkcs12ImportTest, GivenLabelWins) {
  auto s = user_session(slot_);
  const ImportResult r = import(*s, files_->ec_p12, kPassword, std::string("Work e-Cert"));
  EXPECT_EQ(r.label, "Work e-Cert");
  for (CK_OBJECT_CLASS cls : {CKO_PRIVATE_KEY, CKO_PUBLIC_KEY, CKO_CERTIFICATE})
    EXPECT_EQ(text(s->attribute(only(*s, cls, r.id), CKA_LABEL)), "Work e-Cert");
}

TEST_F(Pkcs12ImportTest, WrongPasswordIsBadPasswordAndStoresNothing) {
  auto s = user_session(slot_);
  const std::size_t before = s->find({}).size();
  try {
    import(*s, files_->rsa_p12, "not the password");
    FAIL() << "imported with a wrong password";
  } catch (const UsageError& e) {
    EXPECT_EQ(e.kind(), UsageError::Kind::bad_password) << e.what();
  }
  try {
    import(*s, files_->rsa_p12, "");
    FAIL() << "imported with an empty password";
  } catch (const UsageError& e) {
    EXPECT_EQ(e.kind(), UsageError::Kind::bad_password) << e.what();
  }
  EXPECT_EQ(s->find({}).size(), before);
}

TEST_F(Pkcs12ImportTest, GarbageAndCertificatesAreBadInput) {
  auto s = user_session(slot_);
  const std::size_t before = s->find({}).size();
  const Bytes garbage = copy(view(std::string_view("this is not a PKCS#12 file at all")));
  for (const Bytes& input : {garbage, Bytes{}, read_bytes(files_->rsa_cert), cert_der(files_->dir, files_->rsa_cert)}) {
    try {
      import_pkcs12(*s, input, kPassword, std::nullopt);
      FAIL() << "imported garbage";
    } catch (const UsageError& e) {
      EXPECT_EQ(e.kind(), UsageError::Kind::bad_input) << e.what();
    }
  }
  EXPECT_EQ(s->find({}).size(), before);
}

TEST_F(Pkcs12ImportTest, FileWithoutCertificateIsBadInput) {
  auto s = user_session(slot_);
  try {
    import(*s, files_->key_only_p12);
    FAIL() << "imported a key without its certificate";
  } catch (const UsageError& e) {
    EXPECT_EQ(e.kind(), UsageError::Kind::bad_input) << e.what();
  }
  AttributeTemplate keys;
  keys.add_ulong(CKA_CLASS, CKO_PRIVATE_KEY);
  EXPECT_TRUE(s->find(std::move(keys)).empty());
}

TEST_F(Pkcs12ImportTest, SecondImportIsRefusedAndDuplicatesNothing) {
  auto s = user_session(slot_);
  import(*s, files_->rsa_p12);
  const std::size_t after_first = s->find({}).size();
  for (const fs::path* p12 : {&files_->rsa_p12, &files_->legacy_p12}) {  // the same key, another file
    try {
      import(*s, *p12, kPassword, std::string("Another label"));
      FAIL() << "imported the same key twice";
    } catch (const UsageError& e) {
      EXPECT_EQ(e.kind(), UsageError::Kind::bad_input) << e.what();
    }
  }
  EXPECT_EQ(s->find({}).size(), after_first);
}

TEST_F(Pkcs12ImportTest, CaAlreadyOnTheTokenIsSkipped) {
  auto s = user_session(slot_);
  EXPECT_EQ(import(*s, files_->rsa_p12).ca_added, 1u);
  const ImportResult r = import(*s, files_->ec_p12);
  EXPECT_EQ(r.ca_added, 0u);
  EXPECT_EQ(r.ca_skipped, 1u);
  ca_object(*s);  // still exactly one
}

TEST_F(Pkcs12ImportTest, LegacyRc2FileIsImported) {
  auto s = user_session(slot_);
  const ImportResult r = import(*s, files_->legacy_p12);
  EXPECT_EQ(r.label, kLegacyName);
  EXPECT_EQ(r.id, rsa_id(files_->rsa_key));
  EXPECT_EQ(r.ca_added, 1u);
  only(*s, CKO_PRIVATE_KEY, r.id);
}

// Runs in a fresh process (the "threadsafe" death test style re-executes the
// test binary), because the legacy provider, once loaded, stays loaded.
class Pkcs12ImportDeathTest : public Pkcs12ImportTest {};

TEST_F(Pkcs12ImportDeathTest, LegacyFileWithoutTheLegacyProviderIsNotSupported) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        setenv("OPENSSL_MODULES", (files_->dir / "no-providers-here").c_str(), 1);
        auto s = user_session(slot_);
        const std::size_t before = s->find({}).size();
        int code = 1;
        try {
          import(*s, files_->legacy_p12);
        } catch (const UsageError& e) {
          code = e.kind() == UsageError::Kind::not_supported && s->find({}).size() == before ? 0 : 2;
        }
        s.reset();
        std::exit(code);
      },
      ::testing::ExitedWithCode(0), "");
}

TEST_F(Pkcs12ImportTest, CreatedObjectsAreDestroyedUnlessKept) {
  auto s = user_session(slot_);
  const std::size_t before = s->find({}).size();
  auto data_object = [](const char* label) {
    AttributeTemplate t;
    t.add_ulong(CKA_CLASS, CKO_DATA).add_bool(CKA_TOKEN, true).add_text(CKA_LABEL, label);
    return t;
  };
  {
    CreatedObjects created(*s);
    created.create(data_object("one"));
    created.create(data_object("two"));
    EXPECT_EQ(s->find({}).size(), before + 2);
  }
  EXPECT_EQ(s->find({}).size(), before);
  {
    CreatedObjects created(*s);
    created.create(data_object("kept"));
    created.keep();
  }
  EXPECT_EQ(s->find({}).size(), before + 1);
}

TEST_F(Pkcs12ImportTest, ImportWithoutLoginFailsAndLeavesNothing) {
  // A public session cannot create private objects.
  Session s(module(), slot_, true);
  const std::size_t before = s.find({}).size();
  try {
    import(s, files_->rsa_p12);
    FAIL() << "imported without login";
  } catch (const P11Error& e) {
    EXPECT_EQ(e.rv(), CKR_USER_NOT_LOGGED_IN);
  }
  EXPECT_EQ(s.find({}).size(), before);
}

}  // namespace
}  // namespace ecert::manager::test
