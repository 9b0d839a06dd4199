// Two processes on one token: the child is this test binary again (fork +
// exec), running only MultiProcessHelper.Run, which does nothing unless
// ECERT_MP_HELPER names what to do. Checked: one shared PIN try count, a try
// counted before a killed C_Login, old sessions invalid after a wipe by the
// other process, parallel signing, objects seen across processes, a rename by
// the other process.
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "module_fixture.h"

namespace ecert::test {
namespace {

using Clock = std::chrono::steady_clock;

// ---- shared by the parent and the helper ----

CK_OBJECT_HANDLE find_one(CK_SESSION_HANDLE s, CK_OBJECT_CLASS cls, const std::string& label, CK_ULONG* count,
                          CK_RV* rv) {
  CK_ATTRIBUTE tmpl[] = {{CKA_CLASS, &cls, sizeof cls}, {CKA_LABEL, const_cast<char*>(label.data()), label.size()}};
  *count = 0;
  *rv = p11()->C_FindObjectsInit(s, tmpl, 2);
  if (*rv != CKR_OK) return CK_INVALID_HANDLE;
  CK_OBJECT_HANDLE found[16];
  *rv = p11()->C_FindObjects(s, found, 16, count);
  CK_RV final_rv = p11()->C_FindObjectsFinal(s);
  if (*rv == CKR_OK) *rv = final_rv;
  return *count > 0 ? found[0] : CK_INVALID_HANDLE;
}

CK_RV create_data(CK_SESSION_HANDLE s, const std::string& label, bool is_private, const std::string& value,
                  CK_OBJECT_HANDLE* out) {
  CK_OBJECT_CLASS cls = CKO_DATA;
  CK_BBOOL yes = CK_TRUE, priv = is_private ? CK_TRUE : CK_FALSE;
  CK_ATTRIBUTE tmpl[] = {{CKA_CLASS, &cls, sizeof cls},
                         {CKA_TOKEN, &yes, sizeof yes},
                         {CKA_PRIVATE, &priv, sizeof priv},
                         {CKA_LABEL, const_cast<char*>(label.data()), label.size()},
                         {CKA_VALUE, const_cast<char*>(value.data()), value.size()}};
  return p11()->C_CreateObject(s, tmpl, 5, out);
}

// Signs with the private key labelled `label` for `seconds`, logging out and
// in, finding objects and writing objects on the way, so that the other
// process keeps seeing this one's commits. 0 when every call succeeded;
// otherwise prints what failed.
int sign_loop(CK_SLOT_ID slot, const char* pin, const std::string& label, double seconds, const char* who) {
  auto report = [&](const char* what, CK_RV rv, int i) {
    std::fprintf(stderr, "%s: %s failed with 0x%lx at iteration %d\n", who, what, rv, i);
    return 1;
  };
  CK_SESSION_HANDLE s;
  CK_RV rv = p11()->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr, &s);
  if (rv != CKR_OK) return report("C_OpenSession", rv, -1);
  rv = p11()->C_Login(s, CKU_USER, pin_ptr(pin), pin_len(pin));
  if (rv != CKR_OK) return report("C_Login", rv, -1);
  auto end = Clock::now() + std::chrono::duration<double>(seconds);
  int i = 0;
  for (; Clock::now() < end; ++i) {
    CK_ULONG n = 0;
    CK_OBJECT_HANDLE key = find_one(s, CKO_PRIVATE_KEY, label, &n, &rv);
    if (rv != CKR_OK) return report("find", rv, i);
    if (n != 1) return report("find (count)", n, i);
    CK_MECHANISM mech = {CKM_ECDSA_SHA256, nullptr, 0};
    if ((rv = p11()->C_SignInit(s, &mech, key)) != CKR_OK) return report("C_SignInit", rv, i);
    CK_BYTE data[] = "parallel";
    CK_BYTE sig[256];
    CK_ULONG len = sizeof sig;
    if ((rv = p11()->C_Sign(s, data, sizeof data, sig, &len)) != CKR_OK) return report("C_Sign", rv, i);
    if (i % 10 == 9) {
      if ((rv = p11()->C_Logout(s)) != CKR_OK) return report("C_Logout", rv, i);
      if ((rv = p11()->C_Login(s, CKU_USER, pin_ptr(pin), pin_len(pin))) != CKR_OK) return report("C_Login", rv, i);
    }
    if (i % 7 == 3) {
      CK_OBJECT_HANDLE h;
      std::string tag = std::string(who) + "-" + std::to_string(i);
      if ((rv = create_data(s, tag, true, "payload " + tag, &h)) != CKR_OK) return report("C_CreateObject", rv, i);
      if ((rv = p11()->C_DestroyObject(s, h)) != CKR_OK) return report("C_DestroyObject", rv, i);
    }
  }
  p11()->C_CloseSession(s);
  std::fprintf(stderr, "%s: %d signatures\n", who, i);
  return i > 0 ? 0 : 2;
}

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// The helper's work. Exit codes: 0 success; others name the failing step.
int run_helper(const std::string& mode) {
  if (p11()->C_Initialize(nullptr) != CKR_OK) return 3;
  CK_SLOT_ID slot = std::stoul(env("ECERT_MP_SLOT"));
  std::string pin = env("ECERT_MP_PIN");
  int count = env("ECERT_MP_COUNT").empty() ? 1 : std::stoi(env("ECERT_MP_COUNT"));
  int fd = env("ECERT_MP_FD").empty() ? -1 : std::stoi(env("ECERT_MP_FD"));
  CK_SESSION_HANDLE s = CK_INVALID_HANDLE;
  if (mode != "init_token" &&
      p11()->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr, &s) != CKR_OK)
    return 4;
  if (mode == "wrong") {
    for (int i = 0; i < count; ++i)
      if (p11()->C_Login(s, CKU_USER, pin_ptr(pin.c_str()), pin_len(pin.c_str())) != CKR_PIN_INCORRECT) return 20;
    return 0;
  }
  if (mode == "login") {
    if (write(fd, "L", 1) != 1) return 30;
    CK_RV rv = p11()->C_Login(s, CKU_USER, pin_ptr(pin.c_str()), pin_len(pin.c_str()));
    if (write(fd, "D", 1) != 1) return 31;
    return rv == CKR_OK || rv == CKR_PIN_EXPIRED ? 0 : 32;
  }
  if (mode == "init_token") {
    CK_UTF8CHAR label[32];
    std::memset(label, ' ', sizeof label);
    std::memcpy(label, "wiped", 5);
    return p11()->C_InitToken(slot, pin_ptr(pin.c_str()), pin_len(pin.c_str()), label) == CKR_OK ? 0 : 40;
  }
  if (mode == "rename") {
    if (p11()->C_Login(s, CKU_SO, pin_ptr(pin.c_str()), pin_len(pin.c_str())) != CKR_OK) return 70;
    CK_OBJECT_CLASS cls = CKO_ECERT_POLICY;
    CK_ATTRIBUTE tmpl[] = {{CKA_CLASS, &cls, sizeof cls}};
    CK_OBJECT_HANDLE policy = CK_INVALID_HANDLE;
    CK_ULONG n = 0;
    if (p11()->C_FindObjectsInit(s, tmpl, 1) != CKR_OK || p11()->C_FindObjects(s, &policy, 1, &n) != CKR_OK ||
        p11()->C_FindObjectsFinal(s) != CKR_OK || n != 1)
      return 71;
    std::string label = env("ECERT_MP_LABEL");
    CK_ATTRIBUTE a = {CKA_ECERT_TOKEN_LABEL, label.data(), label.size()};
    return p11()->C_SetAttributeValue(s, policy, &a, 1) == CKR_OK ? 0 : 72;
  }
  if (mode == "sign") return sign_loop(slot, pin.c_str(), env("ECERT_MP_LABEL"), count / 1000.0, "child") ? 50 : 0;
  if (mode == "create") {
    if (p11()->C_Login(s, CKU_USER, pin_ptr(pin.c_str()), pin_len(pin.c_str())) != CKR_OK) return 60;
    CK_OBJECT_HANDLE h;
    if (create_data(s, "child-public", false, "public value", &h) != CKR_OK) return 61;
    if (create_data(s, "child-private", true, "private value", &h) != CKR_OK) return 62;
    // The parent's object, made after this process started, is visible here.
    CK_ULONG n = 0;
    CK_RV rv;
    CK_OBJECT_HANDLE theirs = find_one(s, CKO_DATA, "parent-private", &n, &rv);
    if (rv != CKR_OK || n != 1) return 63;
    if (p11()->C_DestroyObject(s, theirs) != CKR_OK) return 64;
    return 0;
  }
  return 99;
}

TEST(MultiProcessHelper, Run) {
  std::string mode = env("ECERT_MP_HELPER");
  if (mode.empty()) GTEST_SKIP() << "only runs as the child of a multi-process test";
  int code = run_helper(mode);
  std::fflush(stderr);
  _exit(code);
}

// ---- the parent ----

struct Child {
  pid_t pid = -1;
  int read_fd = -1;  // the helper's sync pipe, when asked for
};

// Starts the helper in `mode` with the given extra environment.
Child spawn(const std::string& mode, std::map<std::string, std::string> vars, bool with_pipe = false) {
  Child c;
  int fds[2] = {-1, -1};
  if (with_pipe && pipe(fds) != 0) ADD_FAILURE() << "pipe";
  vars["ECERT_MP_HELPER"] = mode;
  if (with_pipe) vars["ECERT_MP_FD"] = std::to_string(fds[1]);
  c.pid = spawn_this_test("MultiProcessHelper.Run", vars, [&] {
    if (with_pipe) close(fds[0]);
  });
  if (with_pipe) {
    close(fds[1]);
    c.read_fd = fds[0];
  }
  return c;
}

// Waits for the child; its exit code, or -signal.
int wait_for(const Child& c) {
  int status = 0;
  if (waitpid(c.pid, &status, 0) != c.pid) return -1000;
  if (c.read_fd >= 0) close(c.read_fd);
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return WIFSIGNALED(status) ? -WTERMSIG(status) : -1001;
}

int run(const std::string& mode, std::map<std::string, std::string> vars) { return wait_for(spawn(mode, vars)); }

class MultiProcessTest : public ModuleTest {
 protected:
  CK_FLAGS user_flags(CK_SLOT_ID slot) {
    return token_info(slot).flags & (CKF_USER_PIN_INITIALIZED | CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY |
                                     CKF_USER_PIN_LOCKED | CKF_USER_PIN_TO_BE_CHANGED);
  }
  CK_ULONG user_tries_left(CK_SESSION_HANDLE s) {
    CK_OBJECT_CLASS cls = CKO_ECERT_POLICY;
    CK_ATTRIBUTE tmpl[] = {{CKA_CLASS, &cls, sizeof cls}};
    EXPECT_EQ(p11()->C_FindObjectsInit(s, tmpl, 1), CKR_OK);
    CK_OBJECT_HANDLE policy = CK_INVALID_HANDLE;
    CK_ULONG n = 0;
    EXPECT_EQ(p11()->C_FindObjects(s, &policy, 1, &n), CKR_OK);
    EXPECT_EQ(p11()->C_FindObjectsFinal(s), CKR_OK);
    CK_ULONG left = 0xDEAD;
    CK_ATTRIBUTE a = {CKA_ECERT_USER_TRIES_LEFT, &left, sizeof left};
    EXPECT_EQ(p11()->C_GetAttributeValue(s, policy, &a, 1), CKR_OK);
    return left;
  }
  static std::map<std::string, std::string> vars(CK_SLOT_ID slot, const std::string& pin, int count = 1) {
    return {{"ECERT_MP_SLOT", std::to_string(slot)}, {"ECERT_MP_PIN", pin}, {"ECERT_MP_COUNT", std::to_string(count)}};
  }
};

TEST_F(MultiProcessTest, TwoProcessesShareOneTryCount) {
  CK_SLOT_ID slot = ready_token();
  CK_SESSION_HANDLE s = open(slot, false);  // opened before the other process's tries
  EXPECT_EQ(user_tries_left(s), 15u);
  ASSERT_EQ(run("wrong", vars(slot, "Wrong-Pin#1", 3)), 0);
  EXPECT_EQ(user_flags(slot), CKF_USER_PIN_INITIALIZED | CKF_USER_PIN_COUNT_LOW);
  EXPECT_EQ(user_tries_left(s), 12u);
  ASSERT_EQ(login(s, CKU_USER, "Wrong-Pin#1"), CKR_PIN_INCORRECT);
  EXPECT_EQ(user_tries_left(s), 11u);
  ASSERT_EQ(run("wrong", vars(slot, "Wrong-Pin#1", 10)), 0);
  EXPECT_EQ(user_flags(slot), CKF_USER_PIN_INITIALIZED | CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY);
  EXPECT_EQ(user_tries_left(s), 1u);
  ASSERT_EQ(run("wrong", vars(slot, "Wrong-Pin#1", 1)), 0);
  EXPECT_EQ(user_flags(slot), CKF_USER_PIN_INITIALIZED | CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_LOCKED);
  EXPECT_EQ(user_tries_left(s), 0u);
  EXPECT_EQ(login(s, CKU_USER, kUserPin), CKR_PIN_LOCKED);
}

TEST_F(MultiProcessTest, KilledDuringLoginTheTryStaysCounted) {
  // A token with the real Argon2 cost, so C_Login takes a while.
  unsetenv("ECERT_TOKEN_KDF");
  CK_SLOT_ID slot = init_token();
  set_envelope_pin(slot);  // the user PIN: kEnvelopePin, to be changed
  setenv("ECERT_TOKEN_KDF", "test", 1);
  CK_SESSION_HANDLE s = open(slot, false);
  EXPECT_EQ(user_tries_left(s), 15u);
  EXPECT_EQ(user_flags(slot), CKF_USER_PIN_INITIALIZED | CKF_USER_PIN_TO_BE_CHANGED);

  // The right PIN: had the login finished, the count would be back to 0.
  Child c = spawn("login", vars(slot, kEnvelopePin), true);
  char byte = 0;
  ASSERT_EQ(read(c.read_fd, &byte, 1), 1);
  ASSERT_EQ(byte, 'L');
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  // On a loaded machine the commit of the count may take longer than 50 ms:
  // wait for it (C_Login itself takes ~0.2 s more for the Argon2 check).
  for (auto give_up = Clock::now() + std::chrono::seconds(2);
       (user_flags(slot) & CKF_USER_PIN_COUNT_LOW) == 0 && Clock::now() < give_up;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ASSERT_EQ(kill(c.pid, SIGKILL), 0);
  EXPECT_EQ(read(c.read_fd, &byte, 1), 0) << "C_Login finished before the kill: no test";
  EXPECT_EQ(wait_for(c), -SIGKILL);

  EXPECT_EQ(user_flags(slot), CKF_USER_PIN_INITIALIZED | CKF_USER_PIN_TO_BE_CHANGED | CKF_USER_PIN_COUNT_LOW);
  EXPECT_EQ(user_tries_left(s), 14u);
  // The right PIN resets it (and still says the PIN must be changed).
  EXPECT_EQ(login(s, CKU_USER, kEnvelopePin), CKR_PIN_EXPIRED);
  EXPECT_EQ(user_flags(slot), CKF_USER_PIN_INITIALIZED | CKF_USER_PIN_TO_BE_CHANGED);
  EXPECT_EQ(user_tries_left(s), 15u);
}

TEST_F(MultiProcessTest, WipeByAnotherProcessInvalidatesOldSessions) {
  CK_SLOT_ID slot = ready_token();
  CK_SESSION_HANDLE user = open_user_session(slot);
  CK_SESSION_HANDLE ro = open(slot, false);
  CK_SESSION_HANDLE rw = open(slot);
  CK_MECHANISM gen = {CKM_EC_KEY_PAIR_GEN, nullptr, 0};
  const CK_BYTE p256[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
  CK_BBOOL yes = CK_TRUE;
  CK_ATTRIBUTE pub_tmpl[] = {{CKA_TOKEN, &yes, sizeof yes}, {CKA_EC_PARAMS, const_cast<CK_BYTE*>(p256), sizeof p256}};
  CK_ATTRIBUTE priv_tmpl[] = {{CKA_TOKEN, &yes, sizeof yes}, {CKA_SIGN, &yes, sizeof yes}};
  CK_OBJECT_HANDLE pub, priv;
  ASSERT_EQ(p11()->C_GenerateKeyPair(user, &gen, pub_tmpl, 2, priv_tmpl, 2, &pub, &priv), CKR_OK);

  ASSERT_EQ(run("init_token", vars(slot, kSoPin)), 0);

  // The first call after the wipe is a crypto call. Starting an operation
  // looks at the file at most every Token::kCryptoRefreshInterval (100 ms),
  // so once that has passed it must not sign with the key of the wiped token.
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  CK_MECHANISM sign = {CKM_ECDSA_SHA256, nullptr, 0};
  EXPECT_EQ(p11()->C_SignInit(user, &sign, priv), CKR_SESSION_HANDLE_INVALID);
  CK_SESSION_INFO info;
  EXPECT_EQ(p11()->C_GetSessionInfo(user, &info), CKR_SESSION_HANDLE_INVALID);
  EXPECT_EQ(p11()->C_FindObjectsInit(ro, nullptr, 0), CKR_SESSION_HANDLE_INVALID);
  EXPECT_EQ(p11()->C_GetSessionInfo(rw, &info), CKR_SESSION_HANDLE_INVALID);
  EXPECT_EQ(p11()->C_CloseSession(rw), CKR_SESSION_HANDLE_INVALID);

  // The new token as this process now sees it.
  CK_TOKEN_INFO t = token_info(slot);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(t.label), 5), "wiped");
  EXPECT_EQ(t.flags & CKF_USER_PIN_INITIALIZED, 0u);
  EXPECT_EQ(t.ulSessionCount, 0u);
  CK_SESSION_HANDLE fresh = open(slot);
  EXPECT_EQ(login(fresh, CKU_USER, kUserPin), CKR_USER_PIN_NOT_INITIALIZED);
  CK_ULONG n = 0;
  ASSERT_EQ(p11()->C_FindObjectsInit(fresh, nullptr, 0), CKR_OK);
  CK_OBJECT_HANDLE found[16];
  ASSERT_EQ(p11()->C_FindObjects(fresh, found, 16, &n), CKR_OK);
  ASSERT_EQ(p11()->C_FindObjectsFinal(fresh), CKR_OK);
  for (CK_ULONG i = 0; i < n; ++i) EXPECT_NE(found[i], pub) << "the wiped token's public key is still listed";
  EXPECT_EQ(login(fresh, CKU_SO, kSoPin), CKR_OK);
}

TEST_F(MultiProcessTest, TwoProcessesSignInParallel) {
  CK_SLOT_ID slot = ready_token();
  CK_SESSION_HANDLE s = open_user_session(slot);
  CK_MECHANISM gen = {CKM_EC_KEY_PAIR_GEN, nullptr, 0};
  const CK_BYTE p256[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
  CK_BBOOL yes = CK_TRUE;
  std::string label = "shared-key";
  CK_ATTRIBUTE pub_tmpl[] = {{CKA_TOKEN, &yes, sizeof yes}, {CKA_EC_PARAMS, const_cast<CK_BYTE*>(p256), sizeof p256}};
  CK_ATTRIBUTE priv_tmpl[] = {
      {CKA_TOKEN, &yes, sizeof yes}, {CKA_SIGN, &yes, sizeof yes}, {CKA_LABEL, label.data(), label.size()}};
  CK_OBJECT_HANDLE pub, priv;
  ASSERT_EQ(p11()->C_GenerateKeyPair(s, &gen, pub_tmpl, 2, priv_tmpl, 3, &pub, &priv), CKR_OK);
  ASSERT_EQ(p11()->C_CloseSession(s), CKR_OK);

  auto v = vars(slot, kUserPin, 1500);  // milliseconds
  v["ECERT_MP_LABEL"] = label;
  Child c = spawn("sign", v);
  EXPECT_EQ(sign_loop(slot, kUserPin, label, 1.5, "parent"), 0);
  EXPECT_EQ(wait_for(c), 0);
  // The count was never left behind by the interleaved logins.
  EXPECT_EQ(user_flags(slot), CKF_USER_PIN_INITIALIZED);
}

TEST_F(MultiProcessTest, ObjectsOfOneProcessAppearInTheOtherWithoutRestart) {
  CK_SLOT_ID slot = ready_token();
  CK_SESSION_HANDLE s = open_user_session(slot);
  CK_OBJECT_HANDLE mine;
  ASSERT_EQ(create_data(s, "parent-private", true, "parent value", &mine), CKR_OK);
  CK_ULONG n = 0;
  CK_RV rv;
  find_one(s, CKO_DATA, "child-public", &n, &rv);
  ASSERT_EQ(n, 0u);

  ASSERT_EQ(run("create", vars(slot, kUserPin)), 0);

  CK_OBJECT_HANDLE pub = find_one(s, CKO_DATA, "child-public", &n, &rv);
  EXPECT_EQ(rv, CKR_OK);
  EXPECT_EQ(n, 1u);
  CK_OBJECT_HANDLE priv = find_one(s, CKO_DATA, "child-private", &n, &rv);
  EXPECT_EQ(rv, CKR_OK);
  EXPECT_EQ(n, 1u);
  char value[32] = {};
  CK_ATTRIBUTE a = {CKA_VALUE, value, sizeof value};
  EXPECT_EQ(p11()->C_GetAttributeValue(s, priv, &a, 1), CKR_OK);
  EXPECT_EQ(std::string(value, a.ulValueLen), "private value");
  a.ulValueLen = sizeof value;
  EXPECT_EQ(p11()->C_GetAttributeValue(s, pub, &a, 1), CKR_OK);
  EXPECT_EQ(std::string(value, a.ulValueLen), "public value");
  // The object the child destroyed is gone here too.
  find_one(s, CKO_DATA, "parent-private", &n, &rv);
  EXPECT_EQ(n, 0u);
  a.ulValueLen = sizeof value;
  EXPECT_EQ(p11()->C_GetAttributeValue(s, mine, &a, 1), CKR_OBJECT_HANDLE_INVALID);
  // A public session sees the public one only.
  CK_SESSION_HANDLE ro = open(slot, false);
  ASSERT_EQ(p11()->C_Logout(s), CKR_OK);
  find_one(ro, CKO_DATA, "child-public", &n, &rv);
  EXPECT_EQ(n, 1u);
  find_one(ro, CKO_DATA, "child-private", &n, &rv);
  EXPECT_EQ(n, 0u);
}

TEST_F(MultiProcessTest, RenameByAnotherProcessShowsWithoutRestart) {
  CK_SLOT_ID slot = ready_token("before");
  CK_SESSION_HANDLE s = open(slot, false);  // opened before the rename
  auto label_of = [](const CK_TOKEN_INFO& t) { return std::string(reinterpret_cast<const char*>(t.label), 32); };
  auto padded = [](std::string l) { return l + std::string(32 - l.size(), ' '); };
  ASSERT_EQ(label_of(token_info(slot)), padded("before"));

  auto v = vars(slot, kSoPin);
  v["ECERT_MP_LABEL"] = "renamed elsewhere";
  // The SO logs in there while this process has an R/O session: allowed, the
  // rule about R/O sessions is per process.
  ASSERT_EQ(run("rename", v), 0);

  EXPECT_EQ(label_of(token_info(slot)), padded("renamed elsewhere"));
  CK_OBJECT_CLASS cls = CKO_ECERT_POLICY;
  CK_ATTRIBUTE tmpl[] = {{CKA_CLASS, &cls, sizeof cls}};
  CK_OBJECT_HANDLE policy = CK_INVALID_HANDLE;
  CK_ULONG n = 0;
  ASSERT_EQ(p11()->C_FindObjectsInit(s, tmpl, 1), CKR_OK);
  ASSERT_EQ(p11()->C_FindObjects(s, &policy, 1, &n), CKR_OK);
  ASSERT_EQ(p11()->C_FindObjectsFinal(s), CKR_OK);
  char value[64] = {};
  CK_ATTRIBUTE a = {CKA_ECERT_TOKEN_LABEL, value, sizeof value};
  EXPECT_EQ(p11()->C_GetAttributeValue(s, policy, &a, 1), CKR_OK);
  EXPECT_EQ(std::string(value, a.ulValueLen), "renamed elsewhere");
  // The session and the token are the same ones: nothing was re-initialised.
  CK_SESSION_INFO info;
  EXPECT_EQ(p11()->C_GetSessionInfo(s, &info), CKR_OK);
  EXPECT_EQ(login(s, CKU_USER, kUserPin), CKR_OK);
}

}  // namespace
}  // namespace ecert::test
