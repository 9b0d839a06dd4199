// decode_certificate, read_certificates, to_pem, chain_of and public_key_id on
// certificates the `openssl` CLI makes at test time (root CA, intermediate,
// e-Cert-like leaves with Chinese names as UTF8String and as BMPString); every
// field is compared with what `openssl x509` prints for the same file, and the
// key IDs with what NSS's pk12util/certutil assign.
#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/ossl_ptr.h"
#include "manager/certificate.h"
#include "manager/public_key_id.h"

namespace ecert::manager::test {
namespace {

namespace fs = std::filesystem;

std::string quote(const fs::path& p) {
  std::string out = "'";
  for (char c : p.string()) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Runs a shell command, returns its stdout; a failing command fails the test
// that needed it (by exception, so nothing runs on a missing file).
std::string run(const std::string& command) {
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("popen failed: " + command);
  std::string out;
  char buffer[4096];
  for (std::size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
  int status = pclose(pipe);
  if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw std::runtime_error("command failed: " + command + "\n" + out);
  return out;
}

bool have_program(const char* name) {
  return std::system((std::string("command -v ") + name + " >/dev/null 2>&1").c_str()) == 0;
}

Bytes read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_file(const fs::path& p, std::string_view text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  std::size_t start = s.find_first_not_of(' ');
  return start == std::string::npos ? std::string() : s.substr(start);
}

// "prefix=value" from `openssl x509 -noout -<option>`.
std::string openssl_value(const fs::path& cert, const std::string& options, const std::string& prefix) {
  std::string out = trim(run("openssl x509 -in " + quote(cert) + " -noout " + options));
  EXPECT_EQ(out.rfind(prefix, 0), 0u) << out;
  return out.substr(prefix.size());
}

// The line after `heading` in `openssl x509 -text` output ("" if none).
std::string text_after(const std::string& text, const std::string& heading) {
  std::size_t at = text.find(heading);
  if (at == std::string::npos) return {};
  std::size_t start = text.find('\n', at) + 1;
  return trim(text.substr(start, text.find('\n', start) - start));
}

std::string hex_string(const Bytes& bytes) {
  std::string out;
  char two[3];
  for (std::uint8_t b : bytes) {
    std::snprintf(two, sizeof two, "%02x", b);
    out += two;
  }
  return out;
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

std::int64_t iso_time(const std::string& s) {
  std::tm tm{};
  EXPECT_EQ(std::sscanf(s.c_str(), "%d-%d-%d %d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
                        &tm.tm_sec),
            6)
      << s;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return timegm(&tm);
}

constexpr const char* kConfig = R"([req]
distinguished_name = dn
prompt = no
string_mask = MASK
[dn]
CN = unused
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[leaf]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation, keyEncipherment
extendedKeyUsage = clientAuth, emailProtection
certificatePolicies = 1.3.6.1.4.1.16030.1.1.6
subjectAltName = email:EMAIL, DNS:ecert.example.hk
)";

// A throwaway PKI: root (RSA-2048) -> intermediate (P-384) -> two leaves, and
// a forged intermediate (same name, another key, self-signed).
struct Pki {
  fs::path dir;

  fs::path path(const std::string& name) const { return dir / name; }

  explicit Pki(fs::path d) : dir(std::move(d)) {
    write_file(path("ca.cnf"), config("utf8only", "ca@example.hk"));
    run("openssl req -x509 -config " + quote(path("ca.cnf")) + " -extensions ca -newkey rsa:2048 -nodes -keyout " +
        quote(path("root.key")) + " -out " + quote(path("root.pem")) +
        " -subj '/CN=ecert-token Test Root CA' -days 3650 -set_serial 1");
    run("openssl req -new -config " + quote(path("ca.cnf")) +
        " -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes -keyout " + quote(path("int.key")) + " -out " +
        quote(path("int.csr")) + " -subj '/O=ecert-token/CN=ecert-token Test Intermediate CA'");
    run("openssl x509 -req -in " + quote(path("int.csr")) + " -CA " + quote(path("root.pem")) + " -CAkey " +
        quote(path("root.key")) + " -set_serial 2 -days 3650 -extfile " + quote(path("ca.cnf")) +
        " -extensions ca -out " + quote(path("int.pem")));
    run("openssl req -x509 -config " + quote(path("ca.cnf")) +
        " -extensions ca -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes -keyout " + quote(path("forged.key")) +
        " -out " + quote(path("forged.pem")) + " -subj '/O=ecert-token/CN=ecert-token Test Intermediate CA' -days 30");
    leaf("rsa", "utf8only", "rsa:2048", "/C=HK/O=香港郵政/CN=陳大文/emailAddress=chan@example.hk", "chan@example.hk",
         "0x8a112233445566778899aabbccddeeff01020304");
    leaf("ec", "pkix", "ec -pkeyopt ec_paramgen_curve:P-256", "/C=HK/O=香港郵政/CN=李小明/emailAddress=lee@example.hk",
         "lee@example.hk", "0x0123456789abcdef0123456789abcdef");
    // The EC key again with its point compressed in the certificate.
    run("openssl ec -in " + quote(path("ec.key")) + " -conv_form compressed -out " + quote(path("ec-compressed.key")));
    run("openssl req -x509 -config " + quote(path("ca.cnf")) + " -extensions ca -key " +
        quote(path("ec-compressed.key")) + " -out " + quote(path("ec-compressed.pem")) + " -subj /CN=c -days 3");
    for (const char* name : {"root", "int", "forged", "rsa", "ec", "ec-compressed"})
      run("openssl x509 -in " + quote(path(std::string(name) + ".pem")) + " -outform DER -out " +
          quote(path(std::string(name) + ".der")));
  }

  static std::string config(const std::string& mask, const std::string& email) {
    std::string c = kConfig;
    c.replace(c.find("MASK"), 4, mask);
    c.replace(c.find("EMAIL"), 5, email);
    return c;
  }

  void leaf(const std::string& name, const std::string& mask, const std::string& newkey, const std::string& subject,
            const std::string& email, const std::string& serial) {
    fs::path cnf = path(name + ".cnf");
    write_file(cnf, config(mask, email));
    run("openssl req -new -utf8 -config " + quote(cnf) + " -newkey " + newkey + " -nodes -keyout " +
        quote(path(name + ".key")) + " -out " + quote(path(name + ".csr")) + " -subj '" + subject + "'");
    run("openssl x509 -req -in " + quote(path(name + ".csr")) + " -CA " + quote(path("int.pem")) + " -CAkey " +
        quote(path("int.key")) + " -set_serial " + serial + " -days 730 -extfile " + quote(cnf) +
        " -extensions leaf -out " + quote(path(name + ".pem")));
  }

  Bytes der(const std::string& name) const { return read_file(path(name + ".der")); }
  CertificateDetails details(const std::string& name) const { return decode_certificate(der(name)); }
};

class CertificateTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char dir_template[] = "/tmp/ecert-cert-test-XXXXXX";
    ASSERT_NE(mkdtemp(dir_template), nullptr);
    pki_ = new Pki(dir_template);
  }
  static void TearDownTestSuite() {
    fs::remove_all(pki_->dir);
    delete pki_;
    pki_ = nullptr;
  }

  // Every field that `openssl x509` prints, compared with ours.
  static void expect_matches_openssl(const std::string& name) {
    SCOPED_TRACE(name);
    fs::path pem = pki_->path(name + ".pem");
    CertificateDetails d = pki_->details(name);
    const std::string nameopt = " -nameopt RFC2253,-esc_msb";
    EXPECT_EQ(d.subject, openssl_value(pem, "-subject" + nameopt, "subject="));
    EXPECT_EQ(d.issuer, openssl_value(pem, "-issuer" + nameopt, "issuer="));
    EXPECT_EQ(d.serial_plain, openssl_value(pem, "-serial", "serial="));
    EXPECT_EQ(d.sha1_fingerprint, openssl_value(pem, "-fingerprint -sha1", "sha1 Fingerprint="));
    EXPECT_EQ(d.sha256_fingerprint, openssl_value(pem, "-fingerprint -sha256", "sha256 Fingerprint="));
    EXPECT_EQ(d.not_before, iso_time(openssl_value(pem, "-startdate -dateopt iso_8601", "notBefore=")));
    EXPECT_EQ(d.not_after, iso_time(openssl_value(pem, "-enddate -dateopt iso_8601", "notAfter=")));
    EXPECT_EQ(d.der, read_file(pki_->path(name + ".der")));

    std::string text = run("openssl x509 -in " + quote(pem) + " -noout -text" + nameopt);
    EXPECT_NE(text.find("Public-Key: (" + std::to_string(d.key_bits) + " bit)"), std::string::npos);
    EXPECT_EQ(joined(d.key_usage), text_after(text, "X509v3 Key Usage:"));
    EXPECT_EQ(joined(d.extended_key_usage), text_after(text, "X509v3 Extended Key Usage:"));
    std::string policies = text_after(text, "X509v3 Certificate Policies:");
    EXPECT_EQ(d.policies.empty() ? "" : "Policy: " + joined(d.policies), policies);
    std::string san;
    for (const std::string& e : d.email_addresses) san += (san.empty() ? "" : ", ") + ("email:" + e);
    for (const std::string& n : d.dns_names) san += (san.empty() ? "" : ", ") + ("DNS:" + n);
    EXPECT_EQ(san, text_after(text, "X509v3 Subject Alternative Name:"));
    EXPECT_EQ(d.is_ca, text_after(text, "X509v3 Basic Constraints:") == "CA:TRUE");
    // -text prints serials that fit a long as "2 (0x2)" on the same line,
    // longer ones as we do, on the next.
    std::size_t at = text.find("Serial Number:");
    ASSERT_NE(at, std::string::npos);
    std::string same_line = trim(text.substr(at + 14, text.find('\n', at) - at - 14));
    if (same_line.empty()) {
      EXPECT_EQ(d.serial_hex, text_after(text, "Serial Number:"));
    } else {
      std::string digits = d.serial_hex;
      std::erase(digits, ':');
      digits.erase(0, std::min(digits.find_first_not_of('0'), digits.size() - 1));
      EXPECT_TRUE(same_line.ends_with("(0x" + digits + ")")) << same_line;
    }
  }

  static Pki* pki_;
};

Pki* CertificateTest::pki_ = nullptr;

TEST_F(CertificateTest, TestInputsHaveTheIntendedStringTypes) {
  std::string utf8 = run("openssl asn1parse -in " + quote(pki_->path("rsa.pem")));
  std::string bmp = run("openssl asn1parse -in " + quote(pki_->path("ec.pem")));
  EXPECT_EQ(utf8.find("BMPSTRING"), std::string::npos);
  EXPECT_NE(utf8.find("UTF8STRING        :陳大文"), std::string::npos) << utf8;
  EXPECT_NE(bmp.find("BMPSTRING"), std::string::npos) << bmp;
  EXPECT_EQ(bmp.find("李小明"), std::string::npos) << "the Chinese text should not be UTF-8 in the BMPString file";
}

TEST_F(CertificateTest, Utf8StringLeafMatchesOpenssl) {
  expect_matches_openssl("rsa");
  CertificateDetails d = pki_->details("rsa");
  EXPECT_EQ(d.subject, "emailAddress=chan@example.hk,CN=陳大文,O=香港郵政,C=HK");
  EXPECT_EQ(d.issuer, "CN=ecert-token Test Intermediate CA,O=ecert-token");
  EXPECT_EQ(d.subject_common_name, "陳大文");
  EXPECT_EQ(d.subject_email, "chan@example.hk");
  EXPECT_EQ(d.serial_hex, "8a:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:01:02:03:04");
  EXPECT_EQ(d.serial_plain, "8A112233445566778899AABBCCDDEEFF01020304");
  // DER keeps the sign byte that the text forms leave out.
  ASSERT_GE(d.serial_der.size(), 3u);
  EXPECT_EQ((Bytes{d.serial_der[0], d.serial_der[1], d.serial_der[2]}), (Bytes{0x02, 21, 0x00}));
  EXPECT_EQ(d.key_type, "RSA");
  EXPECT_EQ(d.key_bits, 2048);
  EXPECT_EQ(d.curve, "");
  EXPECT_EQ(d.key_usage, (std::vector<std::string>{"Digital Signature", "Non Repudiation", "Key Encipherment"}));
  EXPECT_EQ(d.extended_key_usage, (std::vector<std::string>{"TLS Web Client Authentication", "E-mail Protection"}));
  EXPECT_EQ(d.policies, std::vector<std::string>{"1.3.6.1.4.1.16030.1.1.6"});
  EXPECT_EQ(d.email_addresses, std::vector<std::string>{"chan@example.hk"});
  EXPECT_EQ(d.dns_names, std::vector<std::string>{"ecert.example.hk"});
  EXPECT_FALSE(d.is_ca);
  EXPECT_EQ(d.days_left(d.not_before), 730);
  EXPECT_FALSE(d.expired(std::time(nullptr)));
}

TEST_F(CertificateTest, BmpStringLeafMatchesOpenssl) {
  expect_matches_openssl("ec");
  CertificateDetails d = pki_->details("ec");
  EXPECT_EQ(d.subject, "emailAddress=lee@example.hk,CN=李小明,O=香港郵政,C=HK");
  EXPECT_EQ(d.subject_common_name, "李小明");
  EXPECT_EQ(d.subject_email, "lee@example.hk");
  EXPECT_EQ(d.serial_plain, "0123456789ABCDEF0123456789ABCDEF");
  EXPECT_EQ(d.key_type, "EC");
  EXPECT_EQ(d.key_bits, 256);
  EXPECT_EQ(d.curve, "P-256");
}

TEST_F(CertificateTest, CaCertificatesMatchOpenssl) {
  expect_matches_openssl("root");
  expect_matches_openssl("int");
  CertificateDetails root = pki_->details("root");
  CertificateDetails in = pki_->details("int");
  EXPECT_TRUE(root.is_ca);
  EXPECT_TRUE(in.is_ca);
  EXPECT_EQ(root.subject_common_name, "ecert-token Test Root CA");
  EXPECT_EQ(root.subject_email, "");
  EXPECT_EQ(root.key_usage, (std::vector<std::string>{"Certificate Sign", "CRL Sign"}));
  EXPECT_TRUE(root.extended_key_usage.empty());
  EXPECT_EQ(in.curve, "P-384");
  EXPECT_EQ(in.key_bits, 384);
  // A one-byte serial: openssl -text says "2 (0x2)", we say hex.
  EXPECT_EQ(in.serial_hex, "02");
  EXPECT_EQ(in.serial_plain, "02");
  EXPECT_EQ(in.serial_der, (Bytes{0x02, 0x01, 0x02}));
  EXPECT_EQ(in.issuer_der, root.subject_der);
  // The DER names are the bytes inside the certificate.
  auto contains = [](const Bytes& hay, const Bytes& needle) {
    return std::search(hay.begin(), hay.end(), needle.begin(), needle.end()) != hay.end();
  };
  EXPECT_TRUE(contains(in.der, in.subject_der));
  EXPECT_TRUE(contains(in.der, in.issuer_der));
  EXPECT_EQ(in.subject_der.at(0), 0x30);
}

TEST_F(CertificateTest, ChainRunsFromIssuerToRoot) {
  std::vector<CertificateDetails> all{pki_->details("forged"), pki_->details("rsa"), pki_->details("root"),
                                      pki_->details("int"), pki_->details("ec")};
  EXPECT_EQ(chain_of(all[1], all), (std::vector<std::size_t>{3, 2}));
  EXPECT_EQ(chain_of(all[4], all), (std::vector<std::size_t>{3, 2}));
  EXPECT_EQ(chain_of(all[3], all), std::vector<std::size_t>{2});
  EXPECT_TRUE(chain_of(all[2], all).empty()) << "a root has no chain";
  // A missing link ends the chain where it is.
  EXPECT_TRUE(chain_of(all[1], {all[2]}).empty());
  EXPECT_EQ(chain_of(all[1], {all[3]}), std::vector<std::size_t>{0});
  // A copy of the same CA is used once.
  EXPECT_EQ(chain_of(all[1], {all[3], all[3], all[2], all[2]}), (std::vector<std::size_t>{0, 2}));
}

TEST_F(CertificateTest, ChainRefusesAnIssuerWithTheRightNameButAnotherKey) {
  CertificateDetails forged = pki_->details("forged");
  CertificateDetails real = pki_->details("int");
  CertificateDetails leaf = pki_->details("rsa");
  ASSERT_EQ(forged.subject_der, leaf.issuer_der);
  EXPECT_TRUE(chain_of(leaf, {forged}).empty());
  EXPECT_EQ(chain_of(leaf, {forged, real}), std::vector<std::size_t>{1});
}

TEST_F(CertificateTest, KeyIdIsTheHashOfThePublicKey) {
  // SHA-1 of the modulus / of the uncompressed point, worked out by the CLI.
  auto hex_of_sha1 = [](const std::string& command) {
    std::string out = trim(run(command + " | openssl sha1 -r"));
    return out.substr(0, out.find(' '));
  };
  EXPECT_EQ(hex_string(pki_->details("rsa").key_id), hex_of_sha1("openssl x509 -in " + quote(pki_->path("rsa.pem")) +
                                                                 " -noout -modulus | cut -d= -f2 | xxd -r -p"));
  // The last 65 bytes of a P-256 SubjectPublicKeyInfo are the point.
  EXPECT_EQ(hex_string(pki_->details("ec").key_id),
            hex_of_sha1("openssl x509 -in " + quote(pki_->path("ec.pem")) +
                        " -noout -pubkey | openssl pkey -pubin -outform DER | tail -c 65"));

  // The same key, whether from the private key or the certificate, and
  // whether the certificate carries the point compressed or not.
  for (const char* name : {"rsa", "ec"}) {
    std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(pki_->path(std::string(name) + ".key").c_str(), "r"), fclose);
    ASSERT_TRUE(f);
    PkeyPtr key(PEM_read_PrivateKey(f.get(), nullptr, nullptr, nullptr));
    ASSERT_TRUE(key);
    EXPECT_EQ(public_key_id(key.get()), public_key_id_of_certificate(pki_->der(name))) << name;
    EXPECT_EQ(public_key_id(key.get()).size(), 20u);
  }
  std::string point =
      text_after(run("openssl x509 -noout -text -in " + quote(pki_->path("ec-compressed.pem"))), "pub:");
  ASSERT_TRUE(point.starts_with("02:") || point.starts_with("03:"))
      << "the test certificate should carry a compressed point";
  EXPECT_EQ(public_key_id_of_certificate(pki_->der("ec-compressed")), pki_->details("ec").key_id);
  EXPECT_TRUE(public_key_id(nullptr).empty());
}

// The IDs that NSS itself gives the keys when it imports a PKCS#12 file.
TEST_F(CertificateTest, KeyIdIsWhatNssAssigns) {
  if (!have_program("pk12util") || !have_program("certutil")) GTEST_SKIP() << "NSS tools (libnss3-tools) not installed";
  fs::path db = pki_->path("nssdb");
  fs::create_directory(db);
  run("certutil -N -d sql:" + quote(db) + " --empty-password");
  for (const char* name : {"rsa", "ec"}) {
    std::string p12 = quote(pki_->path(std::string(name) + ".p12"));
    run("openssl pkcs12 -export -inkey " + quote(pki_->path(std::string(name) + ".key")) + " -in " +
        quote(pki_->path(std::string(name) + ".pem")) + " -name nss-" + name + " -passout pass:secret -out " + p12);
    run("pk12util -i " + p12 + " -d sql:" + quote(db) + " -W secret");
  }
  // Lines such as "< 0> rsa      f1a3e1...ae   nss-rsa".
  std::istringstream listing(run("certutil -K -d sql:" + quote(db)));
  int found = 0;
  for (std::string line; std::getline(listing, line);) {
    if (line.rfind("<", 0) != 0) continue;
    std::istringstream fields(line.substr(line.find('>') + 1));
    std::string type, id, nickname;
    fields >> type >> id >> nickname;
    std::string name = nickname.substr(nickname.find('-') + 1);
    EXPECT_EQ(hex_string(pki_->details(name).key_id), id) << line;
    ++found;
  }
  EXPECT_EQ(found, 2);
}

TEST_F(CertificateTest, ReadsPemBundlesAndDer) {
  Bytes root = pki_->der("root"), in = pki_->der("int");
  EXPECT_EQ(read_certificates(root), std::vector<Bytes>{root});
  // Keys and text around the blocks are skipped, the order is kept.
  Bytes key_pem = read_file(pki_->path("int.key"));
  std::string bundle = "A bundle\n" + std::string(key_pem.begin(), key_pem.end());
  Bytes int_pem = read_file(pki_->path("int.pem")), root_pem = read_file(pki_->path("root.pem"));
  bundle.append(int_pem.begin(), int_pem.end());
  bundle.append(root_pem.begin(), root_pem.end());
  EXPECT_EQ(read_certificates(view(bundle)), (std::vector<Bytes>{in, root}));
  // to_pem is what OpenSSL writes, and reads back.
  EXPECT_EQ(to_pem(root), std::string(root_pem.begin(), root_pem.end()));
  EXPECT_EQ(read_certificates(view(to_pem(in))), std::vector<Bytes>{in});
}

TEST_F(CertificateTest, DaysLeftRoundsDown) {
  CertificateDetails d;
  d.not_after = 1000 * 86400;
  EXPECT_EQ(d.days_left(d.not_after - 2 * 86400), 2);
  EXPECT_EQ(d.days_left(d.not_after - 1), 0);
  EXPECT_EQ(d.days_left(d.not_after), 0);
  EXPECT_FALSE(d.expired(d.not_after));
  EXPECT_EQ(d.days_left(d.not_after + 1), -1);
  EXPECT_TRUE(d.expired(d.not_after + 1));
  EXPECT_EQ(d.days_left(d.not_after + 86400), -1);
  EXPECT_EQ(d.days_left(d.not_after + 86401), -2);
}

TEST_F(CertificateTest, ValidityIsNotYetValidValidOrExpired) {
  CertificateDetails d;
  d.not_before = 100 * 86400;
  d.not_after = 200 * 86400;
  using V = CertificateDetails::Validity;
  EXPECT_EQ(d.validity(d.not_before - 1), V::not_yet_valid);
  EXPECT_EQ(d.validity(d.not_before), V::valid);
  EXPECT_EQ(d.validity(d.not_after), V::valid);
  EXPECT_EQ(d.validity(d.not_after + 1), V::expired);
}

TEST_F(CertificateTest, ChainVerifiesUpToACaGiven) {
  const CertificateDetails root = pki_->details("root"), in = pki_->details("int"), rsa = pki_->details("rsa"),
                           forged = pki_->details("forged");
  const std::int64_t now = std::time(nullptr);
  ChainVerification v = verify_chain(rsa, {&root, &in}, now);
  EXPECT_TRUE(v.verified) << v.error_text;
  EXPECT_EQ(v.anchor, root.subject);
  // An intermediate CA on the token ends the chain as well.
  v = verify_chain(rsa, {&in}, now);
  EXPECT_TRUE(v.verified) << v.error_text;
  EXPECT_EQ(v.anchor, in.subject);
  // The issuer missing, or only a certificate with its name and another key.
  for (const auto& cas : {std::vector<const CertificateDetails*>{&root},
                          std::vector<const CertificateDetails*>{&forged}, std::vector<const CertificateDetails*>{}}) {
    v = verify_chain(rsa, cas, now);
    EXPECT_FALSE(v.verified);
    EXPECT_EQ(v.error, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY) << v.error_text;
    EXPECT_FALSE(v.error_text.empty());
  }
  // The e-Cert's own dates are not the chain's business (730 days), the
  // CAs' are (3650 days).
  EXPECT_TRUE(verify_chain(rsa, {&root, &in}, rsa.not_after + 86400).verified);
  v = verify_chain(rsa, {&root, &in}, in.not_after + 86400);
  EXPECT_FALSE(v.verified);
  EXPECT_EQ(v.error, X509_V_ERR_CERT_HAS_EXPIRED);
  EXPECT_GE(v.error_depth, 1);
  // A CA certificate on the token verifies as itself.
  EXPECT_TRUE(verify_chain(in, {&root, &in}, now).verified);
}

TEST_F(CertificateTest, RefusesWhatIsNotACertificate) {
  Bytes der = pki_->der("rsa");
  EXPECT_THROW(decode_certificate({}), CertificateError);
  EXPECT_THROW(decode_certificate(view(std::string_view("garbage bytes, not DER"))), CertificateError);
  EXPECT_THROW(decode_certificate(ByteView(der).first(der.size() - 1)), CertificateError);
  Bytes trailing = der;
  trailing.push_back(0);
  EXPECT_THROW(decode_certificate(trailing), CertificateError);
  Bytes flipped = der;
  flipped[1] ^= 0x01;  // a wrong length
  EXPECT_THROW(decode_certificate(flipped), CertificateError);
  EXPECT_THROW(decode_certificate(read_file(pki_->path("rsa.key"))), CertificateError);
  EXPECT_THROW(public_key_id_of_certificate(view(std::string_view("x"))), CertificateError);

  EXPECT_THROW(read_certificates({}), CertificateError);
  EXPECT_THROW(read_certificates(view(std::string_view("hello"))), CertificateError);
  EXPECT_THROW(read_certificates(view(std::string_view("0 not DER"))), CertificateError);
  EXPECT_THROW(read_certificates(read_file(pki_->path("rsa.key"))), CertificateError) << "a key alone";
  EXPECT_THROW(
      read_certificates(view(std::string_view("-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n"))),
      CertificateError);
  // A well-formed PEM block whose content is not a certificate.
  EXPECT_THROW(read_certificates(view(to_pem(view(std::string_view("not a certificate"))))), CertificateError);
  try {
    decode_certificate(view(std::string_view("garbage")));
  } catch (const CertificateError& e) {
    EXPECT_STREQ(e.what(), "The data is not an X.509 certificate.");
  }
}

}  // namespace
}  // namespace ecert::manager::test
