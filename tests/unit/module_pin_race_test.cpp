// PIN operations of several processes at the same moment (issue: two
// C_SetPIN calls from one old PIN both answered CKR_OK and the first new PIN
// was lost). The racers are this test binary again (fork + exec, running only
// PinRaceHelper.Run); each gets ready (module initialised, session open,
// logged in where its operation needs it), then all wait on one pipe, which
// the parent closes to start them together.
//
// What must hold, whatever order the lock gives them: the PIN operations
// happen one after another. Of N changes from the same old PIN exactly one
// succeeds, its new PIN is the one that logs in, and each other racer's old
// PIN was wrong when it was checked: one counted try each (docs/DESIGN.md,
// "Concurrent PIN operations").
//
// The token uses the real (calibrated) Argon2 cost: with the test cost the
// window between checking and storing a PIN is too short to show the race.
#include <fcntl.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "module_fixture.h"
#include "module_test_support.h"

namespace ecert::test {
namespace {

using support::attr_ulong;
using support::find;
using support::rv_name;

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// Exit codes of a racer: the index of its result here; kUnexpected for any
// other return code (printed to stderr), kSetupFailed before the start.
const CK_RV kResults[] = {CKR_OK,          CKR_PIN_INCORRECT,          CKR_PIN_LOCKED,
                          CKR_PIN_EXPIRED, CKR_SESSION_HANDLE_INVALID, CKR_USER_PIN_NOT_INITIALIZED};
constexpr int kUnexpected = 90;
constexpr int kSetupFailed = 91;

int exit_code_of(CK_RV rv) {
  for (std::size_t i = 0; i < std::size(kResults); ++i)
    if (kResults[i] == rv) return static_cast<int>(i);
  std::fprintf(stderr, "racer: unexpected %s\n", rv_name(rv));
  return kUnexpected;
}

CK_UTF8CHAR* utf8(std::string& s) { return reinterpret_cast<CK_UTF8CHAR*>(s.data()); }

// ---- the racer ----

int race_helper(const std::string& op) {
  CK_SLOT_ID slot = std::stoul(env("ECERT_RACE_SLOT"));
  std::string old_pin = env("ECERT_RACE_OLD"), new_pin = env("ECERT_RACE_NEW");
  int ready = std::stoi(env("ECERT_RACE_READY_FD")), go = std::stoi(env("ECERT_RACE_GO_FD"));
  if (p11()->C_Initialize(nullptr) != CKR_OK) return kSetupFailed;
  CK_SESSION_HANDLE s = CK_INVALID_HANDLE;
  if (op != "init_token") {
    if (p11()->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr, &s) != CKR_OK)
      return kSetupFailed;
  }
  // Operations of the SO need an SO session first; its PIN is in ECERT_RACE_SO.
  if (op == "set_so" || op == "init_pin") {
    std::string so = env("ECERT_RACE_SO");
    if (p11()->C_Login(s, CKU_SO, utf8(so), so.size()) != CKR_OK) return kSetupFailed;
  }
  char byte = 'R';
  if (write(ready, &byte, 1) != 1) return kSetupFailed;
  close(ready);
  (void)read(go, &byte, 1);  // returns 0 when the parent closes its end: the start
  CK_RV rv;
  if (op == "set_user" || op == "set_so") {
    rv = p11()->C_SetPIN(s, utf8(old_pin), old_pin.size(), utf8(new_pin), new_pin.size());
  } else if (op == "init_pin") {
    rv = p11()->C_InitPIN(s, utf8(new_pin), new_pin.size());
  } else if (op == "init_token") {
    CK_UTF8CHAR label[32];
    std::memset(label, ' ', sizeof label);
    std::memcpy(label, new_pin.data(), std::min(new_pin.size(), sizeof label));
    rv = p11()->C_InitToken(slot, utf8(old_pin), old_pin.size(), label);
  } else {
    return kSetupFailed;
  }
  return exit_code_of(rv);
}

TEST(PinRaceHelper, Run) {
  std::string op = env("ECERT_RACE_OP");
  if (op.empty()) GTEST_SKIP() << "only runs as a racer of a PIN race test";
  int code = race_helper(op);
  std::fflush(stderr);
  _exit(code);
}

// ---- the parent ----

struct Racer {
  std::string op;
  std::string old_pin;  // C_SetPIN's old PIN, C_InitToken's SO PIN
  std::string new_pin;  // C_SetPIN's / C_InitPIN's new PIN, C_InitToken's label
  std::string so_pin;   // for the SO's operations: the PIN of its login
};

// Starts every racer, waits until all are ready, starts them together, and
// returns each one's return code in order.
std::vector<CK_RV> race(CK_SLOT_ID slot, const std::vector<Racer>& racers) {
  int ready[2], go[2];
  EXPECT_EQ(pipe(ready), 0);
  EXPECT_EQ(pipe(go), 0);
  std::vector<pid_t> pids;
  for (const Racer& r : racers) {
    pids.push_back(spawn_this_test("PinRaceHelper.Run",
                                   {{"ECERT_RACE_OP", r.op},
                                    {"ECERT_RACE_SLOT", std::to_string(slot)},
                                    {"ECERT_RACE_OLD", r.old_pin},
                                    {"ECERT_RACE_NEW", r.new_pin},
                                    {"ECERT_RACE_SO", r.so_pin},
                                    {"ECERT_RACE_READY_FD", std::to_string(ready[1])},
                                    {"ECERT_RACE_GO_FD", std::to_string(go[0])}},
                                   [&] {
                                     close(ready[0]);
                                     close(go[1]);
                                   }));
  }
  close(ready[1]);
  close(go[0]);
  std::size_t got = 0;
  char byte;
  while (got < racers.size() && read(ready[0], &byte, 1) == 1) ++got;
  EXPECT_EQ(got, racers.size()) << "a racer failed before the start";
  close(go[1]);  // the start
  close(ready[0]);
  std::vector<CK_RV> out;
  for (pid_t pid : pids) {
    int status = 0;
    EXPECT_EQ(waitpid(pid, &status, 0), pid);
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 1000;
    EXPECT_LT(code, static_cast<int>(std::size(kResults))) << "racer exit code " << code;
    out.push_back(code < static_cast<int>(std::size(kResults)) ? kResults[code] : CKR_GENERAL_ERROR);
  }
  return out;
}

std::size_t count(const std::vector<CK_RV>& rvs, CK_RV rv) { return std::count(rvs.begin(), rvs.end(), rv); }

class PinRaceTest : public ModuleTest {
 protected:
  // A token with the real Argon2 cost, initialised and with kUserPin set.
  CK_SLOT_ID real_cost_token() {
    unsetenv("ECERT_TOKEN_KDF");
    CK_SLOT_ID slot = ready_token();
    setenv("ECERT_TOKEN_KDF", "test", 1);
    return slot;
  }

  CK_ULONG tries_left(CK_SLOT_ID slot, CK_ATTRIBUTE_TYPE which) {
    CK_SESSION_HANDLE s = open(slot, false);
    std::vector<CK_OBJECT_HANDLE> found = find(s, support::Template().ulong(CKA_CLASS, CKO_ECERT_POLICY));
    EXPECT_EQ(found.size(), 1u);
    CK_ULONG left = found.empty() ? 0xDEAD : attr_ulong(s, found[0], which);
    p11()->C_CloseSession(s);
    return left;
  }

  CK_RV login_once(CK_SLOT_ID slot, CK_USER_TYPE who, const std::string& pin) {
    CK_SESSION_HANDLE s = open(slot);
    CK_RV rv = login(s, who, pin.c_str());
    p11()->C_CloseSession(s);
    return rv;
  }

  // `n` owner password changes from `current` at once, `rounds` times.
  void user_changes(int n, int rounds) {
    CK_SLOT_ID slot = real_cost_token();
    std::string current = kUserPin;
    for (int round = 0; round < rounds; ++round) {
      std::vector<Racer> racers;
      for (int i = 0; i < n; ++i)
        racers.push_back({"set_user", current, "Round" + std::to_string(round) + "-Racer#" + std::to_string(i), ""});
      std::vector<CK_RV> rvs = race(slot, racers);
      ASSERT_EQ(count(rvs, CKR_OK), 1u) << "round " << round;
      ASSERT_EQ(count(rvs, CKR_PIN_INCORRECT), static_cast<std::size_t>(n - 1)) << "round " << round;
      std::size_t winner = std::find(rvs.begin(), rvs.end(), CKR_OK) - rvs.begin();
      // Each loser's old PIN was checked after the winner had replaced it.
      EXPECT_EQ(tries_left(slot, CKA_ECERT_USER_TRIES_LEFT), static_cast<CK_ULONG>(15 - (n - 1)));
      EXPECT_EQ(login_once(slot, CKU_USER, racers[(winner + 1) % n].new_pin), CKR_PIN_INCORRECT);
      EXPECT_EQ(login_once(slot, CKU_USER, current), CKR_PIN_INCORRECT);
      EXPECT_EQ(tries_left(slot, CKA_ECERT_USER_TRIES_LEFT), static_cast<CK_ULONG>(15 - (n - 1) - 2));
      current = racers[winner].new_pin;
      EXPECT_EQ(login_once(slot, CKU_USER, current), CKR_OK);
      EXPECT_EQ(tries_left(slot, CKA_ECERT_USER_TRIES_LEFT), 15u);
    }
  }
};

TEST_F(PinRaceTest, TwoOwnerChangesFromOnePinExactlyOneWins) { user_changes(2, 4); }

TEST_F(PinRaceTest, EightOwnerChangesFromOnePinExactlyOneWins) { user_changes(8, 2); }

TEST_F(PinRaceTest, SoChangesFromOnePinExactlyOneWins) {
  CK_SLOT_ID slot = real_cost_token();
  std::string current = kSoPin;
  for (int n : {2, 6}) {
    std::vector<Racer> racers;
    for (int i = 0; i < n; ++i) racers.push_back({"set_so", current, "So-Race#" + std::to_string(n * 10 + i), current});
    std::vector<CK_RV> rvs = race(slot, racers);
    ASSERT_EQ(count(rvs, CKR_OK), 1u);
    ASSERT_EQ(count(rvs, CKR_PIN_INCORRECT), static_cast<std::size_t>(n - 1));
    EXPECT_EQ(tries_left(slot, CKA_ECERT_SO_TRIES_LEFT), static_cast<CK_ULONG>(15 - (n - 1)));
    current = racers[std::find(rvs.begin(), rvs.end(), CKR_OK) - rvs.begin()].new_pin;
    EXPECT_EQ(login_once(slot, CKU_SO, current), CKR_OK);
    EXPECT_EQ(tries_left(slot, CKA_ECERT_SO_TRIES_LEFT), 15u);
  }
}

// The SO's reset (C_InitPIN: the unblock) and the owner's change, at once,
// on an unlocked and on a locked token. Either order is allowed; the result
// must be that of one of them run after the other.
TEST_F(PinRaceTest, UnblockRacingAnOwnerChangeEndsAsOneAfterTheOther) {
  CK_SLOT_ID slot = real_cost_token();
  std::string current = kUserPin;
  for (bool locked : {false, true}) {
    if (locked) {
      for (int i = 0; i < 15; ++i) ASSERT_EQ(login_once(slot, CKU_USER, "Wrong-Pin#1"), CKR_PIN_INCORRECT);
      ASSERT_EQ(login_once(slot, CKU_USER, current), CKR_PIN_LOCKED);
    }
    std::vector<CK_RV> rvs =
        race(slot, {{"init_pin", "", "87654321", kSoPin}, {"set_user", current, "Owner-Own#1", ""}});
    EXPECT_EQ(rvs[0], CKR_OK);
    // The owner first: it worked (unless locked), then the reset replaced it.
    // The reset first: the owner's old PIN was the envelope's by then.
    std::set<CK_RV> allowed =
        locked ? std::set<CK_RV>{CKR_PIN_LOCKED, CKR_PIN_INCORRECT} : std::set<CK_RV>{CKR_OK, CKR_PIN_INCORRECT};
    EXPECT_EQ(allowed.count(rvs[1]), 1u) << rv_name(rvs[1]);
    EXPECT_EQ(tries_left(slot, CKA_ECERT_USER_TRIES_LEFT), rvs[1] == CKR_PIN_INCORRECT ? 14u : 15u);
    EXPECT_EQ(login_once(slot, CKU_USER, "87654321"), CKR_PIN_EXPIRED);
    current = locked ? "Owner-Back#2" : "Owner-Back#1";
    ASSERT_EQ(change_pin(slot, "87654321", current.c_str()), CKR_OK);
  }
}

// C_InitToken on the spare slot by several processes, each with its own SO
// PIN: the first makes the token, every later one re-initialises what is then
// there, so needs that token's SO PIN: a wrong PIN, counted.
TEST_F(PinRaceTest, InitTokenOnTheSpareSlotMakesOneToken) {
  CK_SLOT_ID spare = slots().back();
  std::vector<Racer> racers;
  for (int i = 0; i < 4; ++i)
    racers.push_back({"init_token", "So-Maker#" + std::to_string(i), "maker " + std::to_string(i), ""});
  std::vector<CK_RV> rvs = race(spare, racers);
  ASSERT_EQ(count(rvs, CKR_OK), 1u);
  ASSERT_EQ(count(rvs, CKR_PIN_INCORRECT), 3u);
  std::size_t winner = std::find(rvs.begin(), rvs.end(), CKR_OK) - rvs.begin();
  CK_TOKEN_INFO info = token_info(spare);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(info.label), racers[winner].new_pin.size()), racers[winner].new_pin);
  EXPECT_EQ(tries_left(spare, CKA_ECERT_SO_TRIES_LEFT), 12u);
  EXPECT_EQ(login_once(spare, CKU_SO, racers[winner].old_pin), CKR_OK);
}

// C_InitToken racing an owner's change on an existing token: after both, the
// token is the fresh one (no user PIN), whatever the owner's call answered.
TEST_F(PinRaceTest, InitTokenRacingAnOwnerChangeLeavesTheFreshToken) {
  CK_SLOT_ID slot = real_cost_token();
  std::vector<CK_RV> rvs = race(slot, {{"init_token", kSoPin, "fresh", ""}, {"set_user", kUserPin, "Owner-Own#1", ""}});
  EXPECT_EQ(rvs[0], CKR_OK);
  std::set<CK_RV> allowed = {CKR_OK, CKR_SESSION_HANDLE_INVALID};
  EXPECT_EQ(allowed.count(rvs[1]), 1u) << rv_name(rvs[1]);
  CK_TOKEN_INFO info = token_info(slot);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(info.label), 5), "fresh");
  EXPECT_EQ(info.flags & CKF_USER_PIN_INITIALIZED, 0u);
  EXPECT_EQ(login_once(slot, CKU_SO, kSoPin), CKR_OK);
}

}  // namespace
}  // namespace ecert::test
