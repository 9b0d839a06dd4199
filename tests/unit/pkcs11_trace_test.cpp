// The call trace (src/pkcs11/trace.cpp) through the real module: with
// ECERT_TOKEN_TRACE naming a file, a token's life (made, PINs set, an RSA key
// made by OpenSSL imported with C_CreateObject and used to sign, a PKCS#12
// e-Cert imported through the manager library, a PIN change, wrong calls) is
// traced with the expected functions, return values, mechanisms, attribute
// names and reasons, and the file holds no 8-byte piece of any PIN, of the
// token's master key, of the signed data or signature, of any key component,
// nor the holder's name, raw or as hex text, in either byte order. Also:
// no trace without the variable (nothing written, not even to stderr), the
// variable read only at C_Initialize, stderr as the trace, and a trace that
// cannot be opened or written (no directory, a symbolic link, /dev/full, a
// pipe with no reader) never making a call fail.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "common/ossl_ptr.h"
#include "manager/pkcs12_import.h"
#include "manager_test_support.h"
#include "token_file_sql.h"

namespace ecert::manager::test {
namespace {

using namespace support;

constexpr const char* kP12Password = "p12 Pass#word";
constexpr const char* kHolder = "Chan Tai Man";
constexpr const char* kNewUserPin = "Changed-Pin#2027";
constexpr const char* kWrongPin = "Wrong-Pin#9999";

// ---- what must never be in a trace ----

std::string hex(ByteView b, bool upper) {
  static const char* const kDigits[] = {"0123456789abcdef", "0123456789ABCDEF"};
  std::string out;
  for (std::uint8_t c : b) {
    out += kDigits[upper][c >> 4];
    out += kDigits[upper][c & 15];
  }
  return out;
}

// The first place where an 8-byte window of `secret` (the whole of a
// shorter one), in either byte order, is in `trace` as raw bytes or as hex
// text in either case; empty if none is.
std::string leak_of(const std::string& trace, const Bytes& secret) {
  if (secret.empty()) return "";
  const Bytes reversed(secret.rbegin(), secret.rend());
  for (const Bytes* order : {&secret, &reversed}) {
    const std::size_t window = std::min<std::size_t>(8, order->size());
    for (std::size_t i = 0; i + window <= order->size(); ++i) {
      const ByteView w(order->data() + i, window);
      const std::string forms[] = {std::string(w.begin(), w.end()), hex(w, false), hex(w, true)};
      for (const std::string& form : forms) {
        const std::size_t at = trace.find(form);
        if (at != std::string::npos) {
          return "window at byte " + std::to_string(i) + (order == &reversed ? " (reversed)" : "") + " found at " +
                 std::to_string(at) + ": ..." + trace.substr(at > 40 ? at - 40 : 0, 100) + "...";
        }
      }
    }
  }
  return "";
}

Bytes bytes_of(std::string_view s) { return Bytes(s.begin(), s.end()); }

Bytes random_bytes(std::size_t n) {
  Bytes out(n);
  EXPECT_EQ(RAND_bytes(out.data(), static_cast<int>(n)), 1);
  return out;
}

// The check itself finds what it looks for.
TEST(TraceLeakCheck, FindsAWindowRawOrAsHexInEitherOrder) {
  const Bytes secret = {0x10, 0x32, 0x54, 0x76, 0x98, 0xba, 0xdc, 0xfe, 0x01, 0x23};
  EXPECT_EQ(leak_of("len=10 time=1ms", secret), "");
  EXPECT_NE(leak_of("x=" + std::string(secret.begin() + 1, secret.begin() + 9), secret), "");
  EXPECT_NE(leak_of("x=32547698BADCFE01", secret), "");  // bytes 1..8, upper case hex
  EXPECT_NE(leak_of("x=547698badcfe0123", secret), "");  // bytes 2..9, lower case hex
  EXPECT_NE(leak_of("x=FEDCBA9876543210", secret), "");  // reversed, upper case
  EXPECT_NE(leak_of("pin=12345678", bytes_of("12345678")), "");
  EXPECT_NE(leak_of("pin=87654321", bytes_of("12345678")), "");
  EXPECT_NE(leak_of("short=abc", bytes_of("abc")), "");
}

// ---- RSA keys made by the openssl CLI, read back with libcrypto ----

struct RsaKey {
  Bytes n, e, d, p, q, dp, dq, qinv;
  std::vector<const Bytes*> secret_parts() const { return {&d, &p, &q, &dp, &dq, &qinv}; }
};

Bytes bn_param(const EVP_PKEY* key, const char* name) {
  BIGNUM* bn = nullptr;
  EXPECT_EQ(EVP_PKEY_get_bn_param(key, name, &bn), 1) << name;
  Bytes out(static_cast<std::size_t>(BN_num_bytes(bn)));
  BN_bn2bin(bn, out.data());
  BN_clear_free(bn);
  return out;
}

RsaKey read_rsa_key(const fs::path& pem) {
  OsslPtr<BIO, BIO_free_all> bio(BIO_new_file(pem.c_str(), "r"));
  EVP_PKEY* raw = bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  OsslPtr<EVP_PKEY, EVP_PKEY_free> key(raw);
  RsaKey k;
  if (!key) {
    ADD_FAILURE() << "cannot read " << pem;
    return k;
  }
  k.n = bn_param(key.get(), OSSL_PKEY_PARAM_RSA_N);
  k.e = bn_param(key.get(), OSSL_PKEY_PARAM_RSA_E);
  k.d = bn_param(key.get(), OSSL_PKEY_PARAM_RSA_D);
  k.p = bn_param(key.get(), OSSL_PKEY_PARAM_RSA_FACTOR1);
  k.q = bn_param(key.get(), OSSL_PKEY_PARAM_RSA_FACTOR2);
  k.dp = bn_param(key.get(), OSSL_PKEY_PARAM_RSA_EXPONENT1);
  k.dq = bn_param(key.get(), OSSL_PKEY_PARAM_RSA_EXPONENT2);
  k.qinv = bn_param(key.get(), OSSL_PKEY_PARAM_RSA_COEFFICIENT1);
  return k;
}

// ---- the fixture ----

// The module loaded with ECERT_TOKEN_TRACE set (by SetUp, before
// C_Initialize) to a file in a directory of the test's own.
class TraceTest : public ManagerTest {
 protected:
  void SetUp() override {
    trace_dir_ = std::make_unique<TempDirectory>();
    trace_path_ = trace_dir_->path() / "trace.log";
    if (trace_on_) setenv("ECERT_TOKEN_TRACE", trace_path_.c_str(), 1);
    ManagerTest::SetUp();
  }
  void TearDown() override {
    ManagerTest::TearDown();
    unsetenv("ECERT_TOKEN_TRACE");
    trace_dir_.reset();
  }

  // C_Finalize (the module is unloaded): the trace is complete.
  void finish() { ManagerTest::TearDown(); }

  std::string trace() const { return fs::exists(trace_path_) ? read_text(trace_path_) : ""; }

  CK_FUNCTION_LIST* p11() { return module().p11(); }

  // C_CreateObject of an RSA private key with every component, as a token
  // object that may sign; returns its handle.
  CK_OBJECT_HANDLE create_rsa_key(Session& s, const RsaKey& k) {
    AttributeTemplate t;
    t.add_ulong(CKA_CLASS, CKO_PRIVATE_KEY)
        .add_ulong(CKA_KEY_TYPE, CKK_RSA)
        .add_bool(CKA_TOKEN, true)
        .add_bool(CKA_PRIVATE, true)
        .add_bool(CKA_SIGN, true)
        .add_text(CKA_LABEL, std::string(kHolder) + " signing key")
        .add_bytes(CKA_ID, bytes_of("key-id-of-the-holder"))
        .add_bytes(CKA_MODULUS, k.n)
        .add_bytes(CKA_PUBLIC_EXPONENT, k.e)
        .add_bytes(CKA_PRIVATE_EXPONENT, k.d)
        .add_bytes(CKA_PRIME_1, k.p)
        .add_bytes(CKA_PRIME_2, k.q)
        .add_bytes(CKA_EXPONENT_1, k.dp)
        .add_bytes(CKA_EXPONENT_2, k.dq)
        .add_bytes(CKA_COEFFICIENT, k.qinv);
    return s.create(std::move(t));
  }

  bool trace_on_ = true;
  std::unique_ptr<TempDirectory> trace_dir_;
  fs::path trace_path_;
};

// Every line of `text`.
std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// The lines of `text` that contain every one of `parts`.
std::vector<std::string> lines_with(const std::string& text, std::initializer_list<std::string> parts) {
  std::vector<std::string> out;
  for (const std::string& line : lines_of(text)) {
    const auto has = [&](const std::string& p) { return line.find(p) != std::string::npos; };
    if (std::all_of(parts.begin(), parts.end(), has)) out.push_back(line);
  }
  return out;
}

#define EXPECT_LINE(text, ...) EXPECT_FALSE(lines_with(text, {__VA_ARGS__}).empty()) << "no line with: " << #__VA_ARGS__

TEST_F(TraceTest, ATokensLifeIsTracedWithoutAnySecret) {
  // The issuer makes the token (SO PIN, envelope PIN), the owner changes the
  // envelope PIN to kUserPin.
  const CK_SLOT_ID slot = ready_token();

  // An RSA key made by OpenSSL, put on the token with C_CreateObject, used to
  // sign (length query, then the signature).
  TempDirectory work;
  const fs::path key_pem = work / "signing.key";
  openssl({"genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", key_pem.string()});
  const RsaKey created = read_rsa_key(key_pem);
  const Bytes data = random_bytes(64);
  Bytes signature;
  {
    auto s = user_session(slot);
    const CK_OBJECT_HANDLE key = create_rsa_key(*s, created);
    CK_MECHANISM mechanism{CKM_SHA256_RSA_PKCS, nullptr, 0};
    ASSERT_EQ(p11()->C_SignInit(s->handle(), &mechanism, key), CKR_OK);
    CK_ULONG length = 0;
    ASSERT_EQ(p11()->C_Sign(s->handle(), const_cast<CK_BYTE_PTR>(data.data()), static_cast<CK_ULONG>(data.size()),
                            nullptr, &length),
              CKR_OK);
    signature.resize(length);
    ASSERT_EQ(p11()->C_Sign(s->handle(), const_cast<CK_BYTE_PTR>(data.data()), static_cast<CK_ULONG>(data.size()),
                            signature.data(), &length),
              CKR_OK);
    signature.resize(length);

    // Deliberate mistakes: a NULL output length (the C layer's reason), a
    // sensitive attribute read back, a key pair whose public template claims
    // the private class (the services' reason).
    ASSERT_EQ(p11()->C_SignInit(s->handle(), &mechanism, key), CKR_OK);
    EXPECT_EQ(p11()->C_Sign(s->handle(), const_cast<CK_BYTE_PTR>(data.data()), static_cast<CK_ULONG>(data.size()),
                            signature.data(), nullptr),
              CKR_ARGUMENTS_BAD);
    CK_OBJECT_CLASS cls = 0;
    CK_KEY_TYPE type = 0;
    CK_BBOOL sign = CK_FALSE;
    std::uint8_t d[512];
    CK_ATTRIBUTE query[] = {{CKA_CLASS, &cls, sizeof cls},
                            {CKA_KEY_TYPE, &type, sizeof type},
                            {CKA_SIGN, &sign, sizeof sign},
                            {CKA_PRIVATE_EXPONENT, d, sizeof d}};
    EXPECT_EQ(p11()->C_GetAttributeValue(s->handle(), key, query, 4), CKR_ATTRIBUTE_SENSITIVE);

    CK_MECHANISM generate{CKM_RSA_PKCS_KEY_PAIR_GEN, nullptr, 0};
    AttributeTemplate wrong_public, private_template;
    wrong_public.add_ulong(CKA_CLASS, CKO_PRIVATE_KEY)
        .add_ulong(CKA_MODULUS_BITS, 2048)
        .add_bytes(CKA_PUBLIC_EXPONENT, Bytes{1, 0, 1});
    private_template.add_bool(CKA_TOKEN, true).add_bool(CKA_SIGN, true);
    CK_OBJECT_HANDLE public_key = 0, private_key = 0;
    EXPECT_EQ(p11()->C_GenerateKeyPair(s->handle(), &generate, wrong_public.data(), wrong_public.size(),
                                       private_template.data(), private_template.size(), &public_key, &private_key),
              CKR_TEMPLATE_INCONSISTENT);
  }
  EXPECT_NE(module().token_info(slot).flags & CKF_TOKEN_INITIALIZED, 0u);

  // A PKCS#12 e-Cert (its own RSA key, a certificate naming the holder)
  // through the manager library.
  TestCa ca(work.path(), "Trace Test CA");
  const fs::path p12_key = work / "ecert.key", csr = work / "ecert.csr", cert = work / "ecert.pem",
                 p12 = work / "ecert.p12";
  openssl({"genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", p12_key.string()});
  openssl({"req", "-new", "-key", p12_key.string(), "-subj", std::string("/CN=") + kHolder + "/O=Test", "-out",
           csr.string()});
  ca.issue(csr, cert, "1001");
  openssl(
      {"pkcs12", "-export", "-inkey", p12_key.string(), "-in", cert.string(), "-certfile", ca.certificate().string(),
       "-name", std::string(kHolder) + "'s e-Cert", "-passout", "env:P12_PASS", "-out", p12.string()},
      {{"P12_PASS", kP12Password}});
  const RsaKey imported = read_rsa_key(p12_key);
  {
    auto s = user_session(slot);
    const ImportResult r = import_pkcs12(*s, read_bytes(p12), kP12Password, std::nullopt);
    EXPECT_TRUE(r.key_stored);
  }

  // A wrong PIN, then the owner's PIN change.
  {
    Session s(module(), slot, true);
    EXPECT_EQ(rv_of([&] { s.login(CKU_USER, kWrongPin); }), CKR_PIN_INCORRECT);
  }
  change_user_pin(slot, kUserPin, kNewUserPin);

  // The master key, from the token file and the PIN now set.
  const auto master =
      ecert::test::master_key(ecert::test::token_file(token_dir().string(), slot), CKU_USER, kNewUserPin);
  ASSERT_TRUE(master.has_value());
  const Bytes master_key(master->begin(), master->end());

  finish();
  const std::string t = trace();
  ASSERT_FALSE(t.empty());

  // Every line: time, process and thread, direction, function.
  const std::regex shape(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z ecert-token\[\d+:\d+\] [<>-] .*)");
  for (const std::string& line : lines_of(t)) EXPECT_TRUE(std::regex_match(line, shape)) << line;
  EXPECT_LINE(t, "- trace opened: ecert-token ");
  EXPECT_LINE(t, "- trace closed");
  EXPECT_LINE(t, "> C_Initialize args=given flags=0x2");
  EXPECT_LINE(t, "< C_Initialize CKR_OK");
  EXPECT_LINE(t, "< C_Finalize CKR_OK");

  // Slots, token making, PINs as lengths.
  EXPECT_LINE(t, "< C_GetSlotList CKR_OK", "slots.count=");
  EXPECT_LINE(t, "< C_GetTokenInfo CKR_OK flags=0x", "CKF_LOGIN_REQUIRED", "CKF_USER_PIN_INITIALIZED",
              "CKF_TOKEN_INITIALIZED");
  EXPECT_LINE(t, "> C_InitToken slot=" + std::to_string(slot), "so_pin.len=" + std::to_string(strlen(kSoPin)),
              "label.len=32");
  EXPECT_LINE(t, "< C_InitToken CKR_OK");
  EXPECT_LINE(t, "> C_InitPIN session=", "pin.len=" + std::to_string(strlen(kEnvelopePin)));
  EXPECT_LINE(t, "> C_OpenSession slot=" + std::to_string(slot), "flags=0x6");
  EXPECT_LINE(t, "< C_OpenSession CKR_OK session=");
  EXPECT_LINE(t, "> C_Login session=", "user=CKU_SO", "pin.len=" + std::to_string(strlen(kSoPin)));
  EXPECT_LINE(t, "> C_Login session=", "user=CKU_USER", "pin.len=" + std::to_string(strlen(kUserPin)));
  EXPECT_LINE(t, "< C_Login CKR_OK");
  EXPECT_LINE(t, "> C_Login session=", "user=CKU_USER", "pin.len=" + std::to_string(strlen(kWrongPin)));
  EXPECT_LINE(t, "< C_Login CKR_PIN_INCORRECT reason=\"wrong PIN\"");
  EXPECT_LINE(t, "> C_SetPIN session=", "old_pin.len=" + std::to_string(strlen(kUserPin)),
              "new_pin.len=" + std::to_string(strlen(kNewUserPin)));
  EXPECT_LINE(t, "< C_SetPIN CKR_OK");

  // The key put on the token: ULONG and BBOOL values, byte strings as lengths.
  EXPECT_LINE(t, "> C_CreateObject session=", "CKA_CLASS=CKO_PRIVATE_KEY", "CKA_KEY_TYPE=CKK_RSA", "CKA_TOKEN=TRUE",
              "CKA_SIGN=TRUE", "CKA_LABEL.len=", "CKA_ID.len=20", "CKA_MODULUS.len=" + std::to_string(created.n.size()),
              "CKA_PRIVATE_EXPONENT.len=" + std::to_string(created.d.size()),
              "CKA_PRIME_1.len=" + std::to_string(created.p.size()), "CKA_COEFFICIENT.len=");
  EXPECT_LINE(t, "< C_CreateObject CKR_OK object=");
  EXPECT_LINE(t, "> C_SignInit session=", "mechanism=CKM_SHA256_RSA_PKCS", "key=");
  EXPECT_LINE(t, "< C_SignInit CKR_OK");
  EXPECT_LINE(t, "> C_Sign session=", "data.len=64", "signature=NULL");
  EXPECT_LINE(t, "> C_Sign session=", "data.len=64", "signature.size=256");
  EXPECT_LINE(t, "< C_Sign CKR_OK signature.len=256");
  // The error, with the reason only tests saw before.
  EXPECT_LINE(t, "> C_Sign session=", "signature.length=NULL");
  EXPECT_LINE(t, "< C_Sign CKR_ARGUMENTS_BAD reason=\"NULL output length pointer\"");
  EXPECT_LINE(t, "> C_GetAttributeValue session=",
              "template=[CKA_CLASS.size=8 CKA_KEY_TYPE.size=8 CKA_SIGN.size=1 "
              "CKA_PRIVATE_EXPONENT.size=512]");
  EXPECT_LINE(t,
              "< C_GetAttributeValue CKR_ATTRIBUTE_SENSITIVE values=[CKA_CLASS=CKO_PRIVATE_KEY CKA_KEY_TYPE=CKK_RSA "
              "CKA_SIGN=TRUE CKA_PRIVATE_EXPONENT=unavailable]");
  EXPECT_LINE(t, "> C_GenerateKeyPair session=", "mechanism=CKM_RSA_PKCS_KEY_PAIR_GEN",
              "public_template=[CKA_CLASS=CKO_PRIVATE_KEY CKA_MODULUS_BITS=2048 CKA_PUBLIC_EXPONENT.len=3]",
              "private_template=[CKA_TOKEN=TRUE CKA_SIGN=TRUE]");
  EXPECT_LINE(t, "< C_GenerateKeyPair CKR_TEMPLATE_INCONSISTENT reason=\"key pair classes\"");

  // The PKCS#12 import: the manager's calls, certificate and key objects.
  EXPECT_LINE(t, "> C_FindObjectsInit session=", "template=[CKA_CLASS=");
  EXPECT_LINE(t, "< C_FindObjects CKR_OK found.count=");
  EXPECT_LINE(t, "> C_CreateObject session=", "CKA_CLASS=CKO_CERTIFICATE", "CKA_CERTIFICATE_TYPE=CKC_X_509",
              "CKA_VALUE.len=");
  EXPECT_LINE(t, "> C_CreateObject session=", "CKA_CLASS=CKO_PRIVATE_KEY", "CKA_KEY_TYPE=CKK_RSA",
              "CKA_PRIVATE_EXPONENT.len=" + std::to_string(imported.d.size()));
  EXPECT_LINE(t, "> C_CreateObject session=", "CKA_CLASS=CKO_PUBLIC_KEY");
  EXPECT_LINE(t, "< C_Logout CKR_OK");
  EXPECT_LINE(t, "< C_CloseSession CKR_OK");

  // Nothing secret, nothing naming the holder.
  const std::vector<std::pair<std::string, Bytes>> secrets = {
      {"SO PIN", bytes_of(kSoPin)},
      {"envelope PIN", bytes_of(kEnvelopePin)},
      {"user PIN", bytes_of(kUserPin)},
      {"new user PIN", bytes_of(kNewUserPin)},
      {"wrong PIN", bytes_of(kWrongPin)},
      {"PKCS#12 password", bytes_of(kP12Password)},
      {"master key", master_key},
      {"signed data", data},
      {"signature", signature},
      {"holder's name", bytes_of(kHolder)},
      {"created key's modulus", created.n},
      {"imported key's modulus", imported.n},
  };
  for (const auto& [what, secret] : secrets) EXPECT_EQ(leak_of(t, secret), "") << what;
  for (const RsaKey* k : {&created, &imported}) {
    for (const Bytes* part : k->secret_parts())
      EXPECT_EQ(leak_of(t, *part), "") << (k == &created ? "created" : "imported") << " key, part of " << part->size()
                                       << " bytes";
  }
}

TEST_F(TraceTest, NewTraceFileIsTheUsersAloneAndAppendedTo) {
  finish();
  struct stat st {};
  ASSERT_EQ(stat(trace_path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  const std::string first = trace();
  ManagerTest::SetUp();  // a second C_Initialize .. C_Finalize: appended
  finish();
  const std::string both = trace();
  EXPECT_EQ(both.substr(0, first.size()), first);
  EXPECT_EQ(lines_with(both, {"- trace opened:"}).size(), 2u);
}

// Without the variable: no file, and nothing on stderr.
class UntracedTest : public TraceTest {
 protected:
  UntracedTest() { trace_on_ = false; }
};

TEST_F(UntracedTest, NothingIsWrittenAnywhere) {
  const fs::path err = trace_dir_->path() / "stderr.txt";
  fflush(stderr);
  const int saved = dup(STDERR_FILENO);
  const int file = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ASSERT_GE(file, 0);
  dup2(file, STDERR_FILENO);
  close(file);

  const CK_SLOT_ID slot = ready_token();
  {
    auto s = user_session(slot);
    CK_BYTE random[16];
    EXPECT_EQ(module().p11()->C_GenerateRandom(s->handle(), random, sizeof random), CKR_OK);
  }
  // Set after C_Initialize: not read until the next one.
  setenv("ECERT_TOKEN_TRACE", trace_path_.c_str(), 1);
  {
    Session s(module(), slot, true);
    EXPECT_EQ(rv_of([&] { s.login(CKU_USER, kWrongPin); }), CKR_PIN_INCORRECT);
  }
  finish();

  fflush(stderr);
  dup2(saved, STDERR_FILENO);
  close(saved);
  EXPECT_EQ(read_text(err), "");
  EXPECT_FALSE(fs::exists(trace_path_));
}

// ECERT_TOKEN_TRACE=stderr: the lines go where stderr was at C_Initialize.
class StderrTraceTest : public TraceTest {
 protected:
  StderrTraceTest() { trace_on_ = false; }
};

TEST_F(StderrTraceTest, LinesGoToStandardError) {
  ManagerTest::TearDown();  // started again below, with stderr redirected
  const fs::path err = trace_dir_->path() / "stderr.txt";
  fflush(stderr);
  const int saved = dup(STDERR_FILENO);
  const int file = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ASSERT_GE(file, 0);
  dup2(file, STDERR_FILENO);
  close(file);
  setenv("ECERT_TOKEN_TRACE", "stderr", 1);
  ManagerTest::SetUp();
  const CK_SLOT_ID slot = ready_token();
  finish();
  fflush(stderr);
  dup2(saved, STDERR_FILENO);
  close(saved);

  const std::string t = read_text(err);
  EXPECT_LINE(t, "- trace opened:");
  EXPECT_LINE(t, "< C_InitToken CKR_OK");
  EXPECT_LINE(t, "< C_Finalize CKR_OK");
  EXPECT_EQ(leak_of(t, bytes_of(kUserPin)), "");
  (void)slot;
}

// A trace that cannot be opened or written: every call works as without one.
class BrokenTraceTest : public TraceTest {
 protected:
  BrokenTraceTest() { trace_on_ = false; }

  // The module started with ECERT_TOKEN_TRACE=`where`: a token made, a key
  // created and used, a wrong PIN, a PIN change, all with their usual
  // results.
  void run_with(const std::string& where) {
    SCOPED_TRACE(where);
    ManagerTest::TearDown();
    setenv("ECERT_TOKEN_TRACE", where.c_str(), 1);
    ManagerTest::SetUp();
    const CK_SLOT_ID slot = ready_token();
    {
      auto s = user_session(slot);
      AttributeTemplate t;
      t.add_ulong(CKA_CLASS, CKO_DATA).add_bool(CKA_TOKEN, true).add_text(CKA_VALUE, "data");
      EXPECT_NE(s->create(std::move(t)), CK_INVALID_HANDLE);
      CK_BYTE random[16];
      EXPECT_EQ(module().p11()->C_GenerateRandom(s->handle(), random, sizeof random), CKR_OK);
    }
    {
      Session s(module(), slot, true);
      EXPECT_EQ(rv_of([&] { s.login(CKU_USER, kWrongPin); }), CKR_PIN_INCORRECT);
    }
    change_user_pin(slot, kUserPin, kNewUserPin);
    finish();
  }
};

TEST_F(BrokenTraceTest, NoDirectory) {
  const fs::path missing = trace_dir_->path() / "no-such-directory" / "trace.log";
  run_with(missing.string());
  EXPECT_FALSE(fs::exists(missing));
}

TEST_F(BrokenTraceTest, SymbolicLinkIsNotFollowed) {
  const fs::path target = trace_dir_->path() / "target.txt";
  write_bytes(target, bytes_of("unchanged\n"));
  const fs::path link = trace_dir_->path() / "link.log";
  fs::create_symlink(target, link);
  run_with(link.string());
  EXPECT_EQ(read_text(target), "unchanged\n");
}

TEST_F(BrokenTraceTest, EveryWriteFails) { run_with("/dev/full"); }

// stderr a pipe whose reader is gone: each write fails with EPIPE, and the
// SIGPIPE it raises must not kill the process (the test would die).
TEST_F(BrokenTraceTest, PipeWithoutReader) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  close(fds[0]);
  fflush(stderr);
  const int saved = dup(STDERR_FILENO);
  dup2(fds[1], STDERR_FILENO);
  close(fds[1]);
  run_with("stderr");
  dup2(saved, STDERR_FILENO);
  close(saved);
}

}  // namespace
}  // namespace ecert::manager::test
