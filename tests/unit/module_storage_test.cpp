// Encryption at rest, through the real module: no key byte, master key or PIN
// in the token file or its -wal/-journal/-shm files in clear (also after a
// writer was killed), swapped ciphertexts detected, newer-schema, garbage and
// foreign files refused without being written, file modes.
#include <fcntl.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "crypto/library_context.h"
#include "module_fixture.h"
#include "store/pin_kdf.h"
#include "store/sealing.h"
#include "store/token_store.h"
#include "token_file_sql.h"

namespace ecert::test {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;

constexpr const char* kNewUserPin = "Second-Pin#2027";

// ---- a known RSA key, made by OpenSSL ----

struct RsaKey {
  Bytes n, e, d, p, q, dp, dq, qinv;
};

Bytes bn_param(EVP_PKEY* pkey, const char* name) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &bn) != 1) std::abort();
  Bytes out(BN_num_bytes(bn));
  BN_bn2bin(bn, out.data());
  BN_free(bn);
  return out;
}

const RsaKey& rsa_key() {
  static const RsaKey key = [] {
    EVP_PKEY* pkey = EVP_RSA_gen(2048);
    if (pkey == nullptr) std::abort();
    RsaKey k{bn_param(pkey, OSSL_PKEY_PARAM_RSA_N),         bn_param(pkey, OSSL_PKEY_PARAM_RSA_E),
             bn_param(pkey, OSSL_PKEY_PARAM_RSA_D),         bn_param(pkey, OSSL_PKEY_PARAM_RSA_FACTOR1),
             bn_param(pkey, OSSL_PKEY_PARAM_RSA_FACTOR2),   bn_param(pkey, OSSL_PKEY_PARAM_RSA_EXPONENT1),
             bn_param(pkey, OSSL_PKEY_PARAM_RSA_EXPONENT2), bn_param(pkey, OSSL_PKEY_PARAM_RSA_COEFFICIENT1)};
    EVP_PKEY_free(pkey);
    return k;
  }();
  return key;
}

CK_ATTRIBUTE attr(CK_ATTRIBUTE_TYPE type, const Bytes& v) {
  return {type, const_cast<std::uint8_t*>(v.data()), static_cast<CK_ULONG>(v.size())};
}
template <class T>
CK_ATTRIBUTE attr(CK_ATTRIBUTE_TYPE type, T& v) {
  return {type, &v, sizeof v};
}

CK_RV import_rsa(CK_SESSION_HANDLE s, const std::string& label, CK_OBJECT_HANDLE* out) {
  const RsaKey& k = rsa_key();
  CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
  CK_KEY_TYPE type = CKK_RSA;
  CK_BBOOL yes = CK_TRUE;
  Bytes lab(label.begin(), label.end());
  CK_ATTRIBUTE tmpl[] = {attr(CKA_CLASS, cls),           attr(CKA_KEY_TYPE, type),
                         attr(CKA_TOKEN, yes),           attr(CKA_SIGN, yes),
                         attr(CKA_LABEL, lab),           attr(CKA_MODULUS, k.n),
                         attr(CKA_PUBLIC_EXPONENT, k.e), attr(CKA_PRIVATE_EXPONENT, k.d),
                         attr(CKA_PRIME_1, k.p),         attr(CKA_PRIME_2, k.q),
                         attr(CKA_EXPONENT_1, k.dp),     attr(CKA_EXPONENT_2, k.dq),
                         attr(CKA_COEFFICIENT, k.qinv)};
  return p11()->C_CreateObject(s, tmpl, sizeof tmpl / sizeof tmpl[0], out);
}

const Bytes kP256{0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};

// An extractable EC key pair on the token, so the test can learn its private value.
CK_RV generate_ec(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE* pub, CK_OBJECT_HANDLE* priv) {
  CK_MECHANISM mech = {CKM_EC_KEY_PAIR_GEN, nullptr, 0};
  CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
  CK_ATTRIBUTE pub_tmpl[] = {attr(CKA_TOKEN, yes), attr(CKA_EC_PARAMS, kP256), attr(CKA_VERIFY, yes)};
  CK_ATTRIBUTE priv_tmpl[] = {attr(CKA_TOKEN, yes), attr(CKA_SIGN, yes), attr(CKA_SENSITIVE, no),
                              attr(CKA_EXTRACTABLE, yes)};
  return p11()->C_GenerateKeyPair(s, &mech, pub_tmpl, 3, priv_tmpl, 4, pub, priv);
}

Bytes get_bytes(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type) {
  CK_ATTRIBUTE a = {type, nullptr, 0};
  EXPECT_EQ(p11()->C_GetAttributeValue(s, o, &a, 1), CKR_OK) << std::hex << type;
  if (a.ulValueLen == CK_UNAVAILABLE_INFORMATION) return {};
  Bytes out(a.ulValueLen);
  a.pValue = out.data();
  EXPECT_EQ(p11()->C_GetAttributeValue(s, o, &a, 1), CKR_OK);
  return out;
}

CK_OBJECT_HANDLE create_private_data(CK_SESSION_HANDLE s, const Bytes& value) {
  CK_OBJECT_CLASS cls = CKO_DATA;
  CK_BBOOL yes = CK_TRUE;
  CK_ATTRIBUTE tmpl[] = {attr(CKA_CLASS, cls), attr(CKA_TOKEN, yes), attr(CKA_PRIVATE, yes), attr(CKA_VALUE, value)};
  CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;
  EXPECT_EQ(p11()->C_CreateObject(s, tmpl, 4, &h), CKR_OK);
  return h;
}

CK_RV sign(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE key, CK_MECHANISM_TYPE type) {
  CK_MECHANISM mech = {type, nullptr, 0};
  CK_RV rv = p11()->C_SignInit(s, &mech, key);
  if (rv != CKR_OK) return rv;
  CK_BYTE data[] = "to be signed";
  CK_BYTE sig[512];
  CK_ULONG len = sizeof sig;
  return p11()->C_Sign(s, data, sizeof data, sig, &len);
}

Bytes random_bytes(std::size_t n) {
  Bytes b(n);
  RAND_bytes(b.data(), static_cast<int>(n));
  return b;
}

// ---- files ----

Bytes read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void write_file(const std::string& path, const Bytes& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
}

// The bytes of every token-* file in `dir` (database, -wal, -journal, -shm).
// They are read by a child process: closing a descriptor of the database in
// this process would drop the module's POSIX locks on it.
std::map<std::string, Bytes> snapshot(const std::string& dir) {
  std::string copy_dir = dir + "/../" + fs::path(dir).filename().string() + "-snapshot";
  fs::remove_all(copy_dir);
  fs::create_directory(copy_dir);
  pid_t pid = fork();
  if (pid == 0) {
    for (const auto& e : fs::directory_iterator(dir)) {
      std::string name = e.path().filename().string();
      if (name.rfind("token-", 0) == 0) {
        std::error_code ec;
        fs::copy_file(e.path(), copy_dir + "/" + name, ec);
      }
    }
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  std::map<std::string, Bytes> out;
  for (const auto& e : fs::directory_iterator(copy_dir)) out[e.path().filename().string()] = read_file(e.path());
  fs::remove_all(copy_dir);
  return out;
}

// Finds any 16-byte window of any secret in a haystack: one pass, with the
// windows hashed by their first 8 bytes.
class WindowSearch {
 public:
  static constexpr std::size_t kWindow = 16;
  void add(const std::string& name, const Bytes& secret) {
    ASSERT_GE(secret.size(), kWindow) << name;
    secrets_.push_back({name, secret});
  }
  // Names of the secrets with a window in `hay`.
  std::vector<std::string> found_in(const Bytes& hay) const {
    std::unordered_multimap<std::uint64_t, std::pair<std::size_t, std::size_t>> index;
    for (std::size_t i = 0; i < secrets_.size(); ++i)
      for (std::size_t off = 0; off + kWindow <= secrets_[i].second.size(); ++off)
        index.emplace(prefix(secrets_[i].second.data() + off), std::make_pair(i, off));
    std::vector<bool> hit(secrets_.size(), false);
    for (std::size_t pos = 0; pos + kWindow <= hay.size(); ++pos) {
      auto range = index.equal_range(prefix(hay.data() + pos));
      for (auto it = range.first; it != range.second; ++it) {
        const Bytes& s = secrets_[it->second.first].second;
        if (std::memcmp(s.data() + it->second.second, hay.data() + pos, kWindow) == 0) hit[it->second.first] = true;
      }
    }
    std::vector<std::string> out;
    for (std::size_t i = 0; i < hit.size(); ++i)
      if (hit[i]) out.push_back(secrets_[i].first);
    return out;
  }

 private:
  static std::uint64_t prefix(const std::uint8_t* p) {
    std::uint64_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
  }
  std::vector<std::pair<std::string, Bytes>> secrets_;
};

bool contains(const Bytes& hay, const std::string& needle) {
  return std::search(hay.begin(), hay.end(), needle.begin(), needle.end()) != hay.end();
}

class StorageTest : public ModuleTest {
 protected:
  void finalize() { ASSERT_EQ(p11()->C_Finalize(nullptr), CKR_OK); }
  void initialize() { ASSERT_EQ(p11()->C_Initialize(nullptr), CKR_OK); }

  // Checks every token file of the snapshot against the secrets and PINs.
  void expect_nothing_in_clear(const std::map<std::string, Bytes>& files, const WindowSearch& secrets,
                               const std::vector<std::string>& pins) {
    for (const auto& [name, bytes] : files) {
      std::vector<std::string> found = secrets.found_in(bytes);
      EXPECT_TRUE(found.empty()) << name << " holds in clear: " << ::testing::PrintToString(found);
      for (const std::string& pin : pins) EXPECT_FALSE(contains(bytes, pin)) << name << " holds PIN " << pin;
    }
  }
};

TEST_F(StorageTest, NoKeyMasterKeyOrPinInTheFilesInClear) {
  CK_SLOT_ID slot = ready_token();
  CK_SESSION_HANDLE s = open_user_session(slot);
  CK_OBJECT_HANDLE rsa;
  ASSERT_EQ(import_rsa(s, "imported", &rsa), CKR_OK);
  CK_OBJECT_HANDLE ec_pub, ec_priv;
  ASSERT_EQ(generate_ec(s, &ec_pub, &ec_priv), CKR_OK);
  Bytes ec_value = get_bytes(s, ec_priv, CKA_VALUE);
  Bytes ec_point = get_bytes(s, ec_pub, CKA_EC_POINT);
  ASSERT_EQ(ec_value.size(), 32u);
  Bytes data_secret = random_bytes(48);
  create_private_data(s, data_secret);
  // The PIN changes while logged in: same master key, new wrapping.
  ASSERT_EQ(p11()->C_SetPIN(s, pin_ptr(kUserPin), pin_len(kUserPin), pin_ptr(kNewUserPin), pin_len(kNewUserPin)),
            CKR_OK);

  std::map<std::string, Bytes> open_files = snapshot(dir());
  std::string path = token_file(dir(), slot);
  ASSERT_EQ(open_files.count("token-" + std::to_string(slot) + ".sqlite"), 1u);
  ASSERT_EQ(open_files.count("token-" + std::to_string(slot) + ".sqlite-wal"), 1u) << "expected WAL mode";

  // The master key, from the SO's record and from the user's (new PIN).
  std::optional<SecureBytes> from_so = master_key(path, CKU_SO, kSoPin);
  std::optional<SecureBytes> from_user = master_key(path, CKU_USER, kNewUserPin);
  ASSERT_TRUE(from_so.has_value());
  ASSERT_TRUE(from_user.has_value());
  EXPECT_EQ(*from_so, *from_user);
  ASSERT_EQ(from_so->size(), store::kMasterKeySize);
  EXPECT_FALSE(master_key(path, CKU_USER, kUserPin).has_value());  // the old PIN no longer opens it

  const RsaKey& k = rsa_key();
  WindowSearch secrets;
  secrets.add("d", k.d);
  secrets.add("p", k.p);
  secrets.add("q", k.q);
  secrets.add("dp", k.dp);
  secrets.add("dq", k.dq);
  secrets.add("qinv", k.qinv);
  secrets.add("n of a private key object", k.n);  // a private object: every attribute sealed
  secrets.add("EC private value", ec_value);
  secrets.add("private data value", data_secret);
  secrets.add("master key", Bytes(from_so->begin(), from_so->end()));
  const std::vector<std::string> pins{kUserPin, kNewUserPin, kSoPin, kEnvelopePin};

  // The search does find what is stored in clear: the public EC point.
  WindowSearch public_part;
  public_part.add("EC point", ec_point);
  bool seen = false;
  for (const auto& [name, bytes] : open_files) seen |= !public_part.found_in(bytes).empty();
  EXPECT_TRUE(seen) << "the search cannot find even a public value";

  expect_nothing_in_clear(open_files, secrets, pins);
  // Once closed (WAL checkpointed into the database).
  ASSERT_EQ(p11()->C_CloseSession(s), CKR_OK);
  finalize();
  std::map<std::string, Bytes> closed_files = snapshot(dir());
  EXPECT_EQ(closed_files.count("token-" + std::to_string(slot) + ".sqlite-journal"), 0u);
  expect_nothing_in_clear(closed_files, secrets, pins);
  initialize();
}

TEST_F(StorageTest, NoKeyInClearAfterAWriterWasKilled) {
  CK_SLOT_ID slot = ready_token();
  rsa_key();  // made before the fork
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  pid_t child = fork();
  if (child == 0) {
    close(ready[0]);
    if (p11()->C_Initialize(nullptr) != CKR_OK) _exit(10);
    CK_SESSION_HANDLE s;
    if (p11()->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr, &s) != CKR_OK) _exit(11);
    if (p11()->C_Login(s, CKU_USER, pin_ptr(kUserPin), pin_len(kUserPin)) != CKR_OK) _exit(12);
    if (write(ready[1], "L", 1) != 1) _exit(13);
    for (int i = 0;; ++i) {
      CK_OBJECT_HANDLE h;
      if (import_rsa(s, "child-" + std::to_string(i), &h) != CKR_OK) _exit(14);
    }
  }
  close(ready[1]);
  char c = 0;
  ASSERT_EQ(read(ready[0], &c, 1), 1) << "the child did not log in";
  close(ready[0]);
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  ASSERT_EQ(kill(child, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);

  std::map<std::string, Bytes> files = snapshot(dir());
  std::string path = token_file(dir(), slot);
  std::optional<SecureBytes> mk = master_key(path, CKU_USER, kUserPin);
  ASSERT_TRUE(mk.has_value());
  const RsaKey& k = rsa_key();
  WindowSearch secrets;
  secrets.add("d", k.d);
  secrets.add("p", k.p);
  secrets.add("q", k.q);
  secrets.add("master key", Bytes(mk->begin(), mk->end()));
  expect_nothing_in_clear(files, secrets, {kUserPin, kSoPin, kEnvelopePin});

  // The child was writing, and what it committed is intact.
  CK_SESSION_HANDLE s = open_user_session(slot);
  CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
  CK_ATTRIBUTE tmpl[] = {attr(CKA_CLASS, cls)};
  ASSERT_EQ(p11()->C_FindObjectsInit(s, tmpl, 1), CKR_OK);
  CK_OBJECT_HANDLE found[1000];
  CK_ULONG n = 0;
  ASSERT_EQ(p11()->C_FindObjects(s, found, 1000, &n), CKR_OK);
  ASSERT_EQ(p11()->C_FindObjectsFinal(s), CKR_OK);
  EXPECT_GE(n, 1u) << "the child wrote nothing before it was killed";
  for (CK_ULONG i = 0; i < n; ++i) EXPECT_EQ(sign(s, found[i], CKM_SHA256_RSA_PKCS), CKR_OK) << i;
  // And after a restart, from the file alone.
  ASSERT_EQ(p11()->C_CloseSession(s), CKR_OK);
  restart();
  s = open_user_session(slot);
  ASSERT_EQ(p11()->C_FindObjectsInit(s, tmpl, 1), CKR_OK);
  CK_ULONG again = 0;
  ASSERT_EQ(p11()->C_FindObjects(s, found, 1000, &again), CKR_OK);
  ASSERT_EQ(p11()->C_FindObjectsFinal(s), CKR_OK);
  EXPECT_EQ(again, n);
}

TEST_F(StorageTest, SwappedCiphertextsAreDetectedForThatObjectOnly) {
  CK_SLOT_ID slot = ready_token();
  CK_SESSION_HANDLE s = open_user_session(slot);
  CK_OBJECT_HANDLE rsa, ec_pub, ec_priv;
  ASSERT_EQ(import_rsa(s, "imported", &rsa), CKR_OK);
  ASSERT_EQ(generate_ec(s, &ec_pub, &ec_priv), CKR_OK);
  Bytes secret = random_bytes(32);
  CK_OBJECT_HANDLE data = create_private_data(s, secret);
  ASSERT_EQ(sign(s, rsa, CKM_SHA256_RSA_PKCS), CKR_OK);
  ASSERT_EQ(p11()->C_CloseSession(s), CKR_OK);
  finalize();

  {
    // Two keys' sealed records swapped: each fails authentication where it
    // now is (its id is bound into it).
    Sql db(token_file(dir(), slot), true);
    const std::string get = "SELECT record FROM object WHERE id = ?";
    const std::string set = "UPDATE object SET record = ? WHERE id = ?";
    auto id = static_cast<std::int64_t>(rsa);
    ASSERT_EQ(db.integer("SELECT count(*) FROM attribute WHERE object_id = ?", {id}), 0) << "a key in rows";
    Bytes a = db.row(get, {id}).at(0);
    Bytes b = db.row("SELECT record FROM object WHERE id = ?", {static_cast<std::int64_t>(ec_priv)}).at(0);
    ASSERT_FALSE(a.empty());
    ASSERT_NE(a, b);
    db.set_blob(set, b, {id});
    db.set_blob(set, a, {static_cast<std::int64_t>(ec_priv)});
  }

  initialize();
  s = open_user_session(slot);
  CK_BYTE label[32];
  CK_ATTRIBUTE a = {CKA_LABEL, label, sizeof label};
  EXPECT_EQ(p11()->C_GetAttributeValue(s, rsa, &a, 1), CKR_DEVICE_ERROR);
  CK_ATTRIBUTE m = {CKA_MODULUS, nullptr, 0};
  EXPECT_EQ(p11()->C_GetAttributeValue(s, rsa, &m, 1), CKR_DEVICE_ERROR);
  CK_MECHANISM mech = {CKM_SHA256_RSA_PKCS, nullptr, 0};
  EXPECT_EQ(p11()->C_SignInit(s, &mech, rsa), CKR_DEVICE_ERROR);
  EXPECT_EQ(p11()->C_GetAttributeValue(s, ec_priv, &a, 1), CKR_DEVICE_ERROR);
  // Everything else still works.
  EXPECT_EQ(get_bytes(s, data, CKA_VALUE), secret);
  EXPECT_EQ(get_bytes(s, ec_pub, CKA_EC_PARAMS), kP256);
  // The damaged object can be removed.
  EXPECT_EQ(p11()->C_DestroyObject(s, rsa), CKR_OK);
  EXPECT_EQ(p11()->C_GetAttributeValue(s, rsa, &a, 1), CKR_OBJECT_HANDLE_INVALID);
}

TEST_F(StorageTest, SealedValuesAreBoundToTheirObjectAndToken) {
  CK_SLOT_ID one = ready_token("one");
  CK_SLOT_ID two = ready_token("two");
  CK_SESSION_HANDLE s = open_user_session(one);
  Bytes va = random_bytes(24), vb = random_bytes(24), vc = random_bytes(24);
  CK_OBJECT_HANDLE a = create_private_data(s, va);
  CK_OBJECT_HANDLE b = create_private_data(s, vb);
  CK_OBJECT_HANDLE c = create_private_data(s, vc);
  CK_SESSION_HANDLE s2 = open_user_session(two);
  Bytes vd = random_bytes(24);
  CK_OBJECT_HANDLE d = create_private_data(s2, vd);
  finalize();
  {
    const std::string get = "SELECT record FROM object WHERE id = ?";
    const std::string set = "UPDATE object SET record = ? WHERE id = ?";
    auto ia = static_cast<std::int64_t>(a), ib = static_cast<std::int64_t>(b), id = static_cast<std::int64_t>(d);
    Sql db1(token_file(dir(), one), true);
    Bytes sa = db1.row(get, {ia}).at(0);
    Bytes sb = db1.row(get, {ib}).at(0);
    Bytes sc = db1.row(get, {static_cast<std::int64_t>(c)}).at(0);
    // Swapped between two objects of one token.
    db1.set_blob(set, sb, {ia});
    db1.set_blob(set, sa, {ib});
    // Copied into another token, to an object with the same row id if possible.
    Sql db2(token_file(dir(), two), true);
    db2.set_blob(set, sc, {id});
  }
  initialize();
  s = open_user_session(one);
  CK_BYTE buf[64];
  CK_ATTRIBUTE v = {CKA_VALUE, buf, sizeof buf};
  EXPECT_EQ(p11()->C_GetAttributeValue(s, a, &v, 1), CKR_DEVICE_ERROR);
  v.ulValueLen = sizeof buf;
  EXPECT_EQ(p11()->C_GetAttributeValue(s, b, &v, 1), CKR_DEVICE_ERROR);
  EXPECT_EQ(get_bytes(s, c, CKA_VALUE), vc);
  s2 = open_user_session(two);
  v.ulValueLen = sizeof buf;
  EXPECT_EQ(p11()->C_GetAttributeValue(s2, d, &v, 1), CKR_DEVICE_ERROR);
}

TEST_F(StorageTest, SwappedPinRecordsOpenNothing) {
  CK_SLOT_ID slot = ready_token();
  finalize();
  {
    Sql db(token_file(dir(), slot), true);
    Bytes so = db.row("SELECT wrapped_key FROM pin WHERE user = ?", {CKU_SO}).at(0);
    Bytes so_salt = db.row("SELECT salt FROM pin WHERE user = ?", {CKU_SO}).at(0);
    // The SO's record under the user's row: the SO PIN must not log the user in.
    db.set_blob("UPDATE pin SET wrapped_key = ? WHERE user = ?", so, {CKU_USER});
    db.set_blob("UPDATE pin SET salt = ? WHERE user = ?", so_salt, {CKU_USER});
  }
  initialize();
  CK_SESSION_HANDLE s = open(slot);
  EXPECT_EQ(login(s, CKU_USER, kSoPin), CKR_PIN_INCORRECT);
  EXPECT_EQ(login(s, CKU_USER, kUserPin), CKR_PIN_INCORRECT);
  EXPECT_EQ(login(s, CKU_SO, kSoPin), CKR_OK);
}

// Writes a user_version newer than this module's (and, optionally, leaves
// WAL mode first).
void make_newer(const std::string& path, bool rollback_journal) {
  Sql db(path, true);
  if (rollback_journal) db.exec("PRAGMA journal_mode=DELETE");
  db.exec("PRAGMA user_version=" + std::to_string(store::kSchemaVersion + 1));
}

class NewerSchemaTest : public StorageTest, public ::testing::WithParamInterface<bool> {};

TEST_P(NewerSchemaTest, IsRefusedAndNeverWritten) {
  setenv("ECERT_TOKEN_SPARE_SLOT", "1", 1);  // two tokens
  CK_SLOT_ID good = ready_token("good");
  CK_SLOT_ID newer = ready_token("newer");
  ASSERT_NE(good, newer);
  finalize();
  std::string path = token_file(dir(), newer);
  make_newer(path, GetParam());
  ASSERT_FALSE(fs::exists(path + "-wal"));
  Bytes before = read_file(path);
  ASSERT_FALSE(before.empty());

  initialize();
  CK_TOKEN_INFO info;
  EXPECT_EQ(p11()->C_GetTokenInfo(newer, &info), CKR_TOKEN_NOT_RECOGNIZED);
  CK_SLOT_INFO slot_info;
  EXPECT_EQ(p11()->C_GetSlotInfo(newer, &slot_info), CKR_OK);
  CK_SESSION_HANDLE s;
  EXPECT_EQ(p11()->C_OpenSession(newer, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr, &s),
            CKR_TOKEN_NOT_RECOGNIZED);
  CK_UTF8CHAR label[32];
  std::memset(label, ' ', sizeof label);
  EXPECT_EQ(p11()->C_InitToken(newer, pin_ptr(kSoPin), pin_len(kSoPin), label), CKR_TOKEN_NOT_RECOGNIZED);
  // The other token is not affected.
  EXPECT_EQ(token_info(good).flags & CKF_TOKEN_INITIALIZED, CKF_TOKEN_INITIALIZED);
  s = open_user_session(good);
  CK_OBJECT_HANDLE pub, priv;
  EXPECT_EQ(generate_ec(s, &pub, &priv), CKR_OK);
  EXPECT_EQ(sign(s, priv, CKM_ECDSA_SHA256), CKR_OK);
  finalize();
  EXPECT_TRUE(read_file(path) == before) << "the newer token file was written";
  initialize();
}

INSTANTIATE_TEST_SUITE_P(Journal, NewerSchemaTest, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& i) { return i.param ? "Rollback" : "Wal"; });

// A token file that is not ours, in place of token-5.sqlite.
class BadFileTest : public StorageTest {
 protected:
  // Makes a good token, puts `bad` in place as token-5.sqlite, and checks
  // that slot 5 alone is refused and that the file is never written.
  void check(const std::function<void(const std::string&)>& make_bad) {
    CK_SLOT_ID good = ready_token("good");
    ASSERT_LT(good, 5u);
    finalize();
    std::string path = token_file(dir(), 5);
    make_bad(path);
    ASSERT_EQ(chmod(path.c_str(), 0600), 0);
    Bytes before = read_file(path);
    ASSERT_FALSE(before.empty());

    initialize();
    std::vector<CK_SLOT_ID> list = slots();
    EXPECT_NE(std::find(list.begin(), list.end(), 5u), list.end());
    CK_TOKEN_INFO info;
    EXPECT_EQ(p11()->C_GetTokenInfo(5, &info), CKR_TOKEN_NOT_RECOGNIZED);
    CK_SESSION_HANDLE s;
    EXPECT_EQ(p11()->C_OpenSession(5, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr, &s),
              CKR_TOKEN_NOT_RECOGNIZED);
    CK_UTF8CHAR label[32];
    std::memset(label, ' ', sizeof label);
    EXPECT_EQ(p11()->C_InitToken(5, pin_ptr(kSoPin), pin_len(kSoPin), label), CKR_TOKEN_NOT_RECOGNIZED);
    // The good token works.
    s = open_user_session(good);
    CK_OBJECT_HANDLE pub, priv;
    EXPECT_EQ(generate_ec(s, &pub, &priv), CKR_OK);
    EXPECT_EQ(sign(s, priv, CKM_ECDSA_SHA256), CKR_OK);
    ASSERT_EQ(p11()->C_CloseSession(s), CKR_OK);
    // A new token can still be made on a spare slot, when the issuer asks.
    setenv("ECERT_TOKEN_SPARE_SLOT", "1", 1);
    CK_SLOT_ID third = init_token("third");
    EXPECT_NE(third, 5u);
    EXPECT_EQ(token_info(third).flags & CKF_TOKEN_INITIALIZED, CKF_TOKEN_INITIALIZED);
    EXPECT_EQ(p11()->C_GetTokenInfo(5, &info), CKR_TOKEN_NOT_RECOGNIZED);
    finalize();
    EXPECT_TRUE(read_file(path) == before) << "the foreign file was written";
    initialize();
  }
};

TEST_F(BadFileTest, GarbageFile) {
  check([](const std::string& path) { write_file(path, random_bytes(8192)); });
}

TEST_F(BadFileTest, ForeignSqliteDatabase) {
  check([](const std::string& path) {
    Sql db(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    db.exec("CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes(body) VALUES ('hello')");
  });
}

TEST_F(BadFileTest, ForeignSqliteDatabaseInWalMode) {
  check([](const std::string& path) {
    Sql db(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    db.exec(
        "PRAGMA journal_mode=WAL; CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT);"
        "INSERT INTO notes(body) VALUES ('hello')");
  });
}

TEST_F(StorageTest, TokenFilesAre0600AndTheDirectory0700) {
  mode_t old_mask = umask(0);
  std::string nested = dir() + "/nested/tokens";
  setenv("ECERT_TOKEN_DIR", nested.c_str(), 1);
  restart();
  EXPECT_FALSE(fs::exists(nested)) << "loading the module must not create the directory";
  CK_SLOT_ID slot = ready_token();
  CK_SESSION_HANDLE s = open_user_session(slot);  // keeps -wal and -shm in place
  umask(old_mask);
  auto mode = [](const std::string& p) {
    struct stat st;
    EXPECT_EQ(stat(p.c_str(), &st), 0) << p;
    return st.st_mode & 07777;
  };
  EXPECT_EQ(mode(nested), 0700u);
  EXPECT_EQ(mode(dir() + "/nested"), 0700u);
  std::string path = token_file(nested, slot);
  EXPECT_EQ(mode(path), 0600u);
  int checked = 0;
  for (const char* suffix : {"-wal", "-shm", "-journal"}) {
    if (!fs::exists(path + suffix)) continue;
    EXPECT_EQ(mode(path + suffix), 0600u) << suffix;
    ++checked;
  }
  EXPECT_GE(checked, 1);
  ASSERT_EQ(p11()->C_CloseSession(s), CKR_OK);
}

}  // namespace
}  // namespace ecert::test
