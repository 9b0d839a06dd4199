// The protected authentication path (policy option CKA_ECERT_PROTECTED_PATH):
// C_Login, C_SetPIN and C_InitPIN given no PIN ask through a pinentry
// program. The program here is tests/pinentry/test-pinentry.py, which speaks
// the pinentry side of Assuan, answers from a list and logs the commands it
// was sent (never a password).
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <clocale>
#include <fstream>
#include <functional>
#include <future>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "module_test_support.h"

#ifndef ECERT_TEST_PINENTRY
#error "ECERT_TEST_PINENTRY (tests/pinentry/test-pinentry.py) must be defined by the build"
#endif

namespace ecert::test {
namespace {

using namespace support;
using Clock = std::chrono::steady_clock;

constexpr const char* kNewPin = "Brand-New#2027";
constexpr const char* kWrongPin = "Wrong-Pin#1";
constexpr auto kMinimum = std::chrono::milliseconds(1000);

// An environment variable set for one test and restored after it.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = ::getenv(name)) old_ = old;
    if (value)
      ::setenv(name, value, 1);
    else
      ::unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_)
      ::setenv(name_, old_->c_str(), 1);
    else
      ::unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

class ProtectedPathTest : public ModuleTest {
 protected:
  void SetUp() override {
    ModuleTest::SetUp();
    files_ = std::make_unique<TempDir>();
    // A wrapper, so the test does not depend on the script's mode bits. The
    // system's python3 starts fastest (a pyenv shim in PATH takes seconds).
    wrapper_ = files_->path() + "/pinentry";
    const char* python = ::access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
    std::ofstream(wrapper_) << "#!/bin/sh\nexec " << python << " '" ECERT_TEST_PINENTRY "' \"$@\"\n";
    ASSERT_EQ(::chmod(wrapper_.c_str(), 0700), 0);
    answers_file_ = files_->path() + "/answers";
    log_file_ = files_->path() + "/log";
    pid_file_ = files_->path() + "/pids";
    env_.emplace_back(std::make_unique<ScopedEnv>("ECERT_PINENTRY", wrapper_.c_str()));
    env_.emplace_back(std::make_unique<ScopedEnv>("ECERT_TEST_PINENTRY_ANSWERS", answers_file_.c_str()));
    env_.emplace_back(std::make_unique<ScopedEnv>("ECERT_TEST_PINENTRY_LOG", log_file_.c_str()));
    env_.emplace_back(std::make_unique<ScopedEnv>("ECERT_TEST_PINENTRY_PID", pid_file_.c_str()));
    for (const char* name :
         {"ECERT_TEST_PINENTRY_NO_REPEAT", "ECERT_TEST_PINENTRY_IGNORE_TIMEOUT", "ECERT_TEST_PINENTRY_SILENT",
          "ECERT_TEST_PINENTRY_LINGER", "ECERT_PINENTRY_TIMEOUT", "GPG_TTY"}) {
      env_.emplace_back(std::make_unique<ScopedEnv>(name, nullptr));
    }
  }
  void TearDown() override {
    env_.clear();
    ModuleTest::TearDown();
    files_.reset();
  }

  // What the test pinentry will answer, one line per GETPIN.
  void answers(const std::vector<std::string>& lines) {
    std::ofstream out(answers_file_, std::ios::trunc);
    for (const std::string& l : lines) out << l << "\n";
  }
  // Answers not used yet.
  std::vector<std::string> answers_left() {
    std::ifstream in(answers_file_);
    std::vector<std::string> out;
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
  }
  // Everything the test pinentry was sent, and its GETPIN outcomes.
  std::string pinentry_log() {
    std::ifstream in(log_file_);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  void clear_log() { ::unlink(log_file_.c_str()); }
  static std::size_t count(const std::string& haystack, const std::string& needle) {
    std::size_t n = 0;
    for (std::size_t at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) ++n;
    return n;
  }

  CK_OBJECT_HANDLE policy(CK_SESSION_HANDLE s) {
    auto found = find(s, Template().cls(CKO_ECERT_POLICY));
    EXPECT_EQ(found.size(), 1u);
    return found.empty() ? CK_INVALID_HANDLE : found[0];
  }
  CK_RV set_option(CK_SESSION_HANDLE s, bool on) {
    Template t = Template().boolean(CKA_ECERT_PROTECTED_PATH, on);
    return p11()->C_SetAttributeValue(s, policy(s), t.data(), t.size());
  }
  // The SO turns the option on (or off).
  void so_sets_option(CK_SLOT_ID slot, bool on) {
    CK_SESSION_HANDLE s = open(slot);
    ASSERT_CKR(CKR_OK, login(s, CKU_SO, kSoPin));
    ASSERT_CKR(CKR_OK, set_option(s, on));
    ASSERT_CKR(CKR_OK, p11()->C_CloseSession(s));
  }
  // A token ready for the user, with the option on.
  CK_SLOT_ID protected_token(const char* label = "e-Cert") {
    CK_SLOT_ID slot = ready_token(label);
    so_sets_option(slot, true);
    return slot;
  }
  CK_ULONG user_tries_left(CK_SLOT_ID slot) {
    CK_SESSION_HANDLE s = open(slot);
    CK_ULONG v = attr_ulong(s, policy(s), CKA_ECERT_USER_TRIES_LEFT);
    p11()->C_CloseSession(s);
    return v;
  }
  CK_STATE state(CK_SESSION_HANDLE s) {
    CK_SESSION_INFO info{};
    EXPECT_CKR(CKR_OK, p11()->C_GetSessionInfo(s, &info));
    return info.state;
  }

  // C_Login(NULL_PTR, 0), timed.
  CK_RV login_without_pin(CK_SESSION_HANDLE s, CK_USER_TYPE who, std::chrono::milliseconds& took) {
    auto start = Clock::now();
    CK_RV rv = p11()->C_Login(s, who, nullptr, 0);
    took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
    return rv;
  }
  CK_RV set_pin_without_pins(CK_SESSION_HANDLE s) { return p11()->C_SetPIN(s, nullptr, 0, nullptr, 0); }

  // The process IDs of the test pinentries started so far.
  std::vector<pid_t> pinentry_pids() {
    std::ifstream in(pid_file_);
    std::vector<pid_t> out;
    for (long pid; in >> pid;) out.push_back(static_cast<pid_t>(pid));
    return out;
  }
  // Gone and reaped: a zombie would still accept signal 0.
  static bool gone(pid_t pid) { return ::kill(pid, 0) == -1 && errno == ESRCH; }

  // `call` on a thread, timed. Should it still be running after `bound`, the
  // test fails and every test pinentry is killed, which ends the call, so
  // that a module without a deadline fails the test instead of hanging it.
  std::future<CK_RV> start_bounded(std::function<CK_RV()> call, std::chrono::milliseconds& took) {
    return std::async(std::launch::async, [call = std::move(call), &took] {
      auto start = Clock::now();
      CK_RV rv = call();
      took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
      return rv;
    });
  }
  CK_RV finish_bounded(std::future<CK_RV>& call, std::chrono::seconds bound) {
    if (call.wait_for(bound) != std::future_status::ready) {
      ADD_FAILURE() << "still blocked after " << bound.count() << " s";
      for (pid_t pid : pinentry_pids()) ::kill(pid, SIGKILL);
    }
    return call.get();
  }
  CK_RV bounded(std::function<CK_RV()> call, std::chrono::seconds bound, std::chrono::milliseconds& took) {
    std::future<CK_RV> f = start_bounded(std::move(call), took);
    return finish_bounded(f, bound);
  }

  std::string wrapper_;
  std::string answers_file_;
  std::string log_file_;
  std::string pid_file_;

 private:
  std::unique_ptr<TempDir> files_;
  std::vector<std::unique_ptr<ScopedEnv>> env_;
};

// ---- the option ----

TEST_F(ProtectedPathTest, OffByDefaultAndNullPinsKeepTheirOldAnswers) {
  CK_SLOT_ID slot = ready_token();
  EXPECT_EQ(token_info(slot).flags & CKF_PROTECTED_AUTHENTICATION_PATH, 0u);
  CK_SESSION_HANDLE s = open(slot);
  EXPECT_FALSE(attr_bool(s, policy(s), CKA_ECERT_PROTECTED_PATH));
  answers({kUserPin});
  EXPECT_CKR(CKR_ARGUMENTS_BAD, p11()->C_Login(s, CKU_USER, nullptr, 0));
  EXPECT_CKR(CKR_ARGUMENTS_BAD, p11()->C_Login(s, CKU_USER, nullptr, 8));
  EXPECT_CKR(CKR_ARGUMENTS_BAD, p11()->C_LoginUser(s, CKU_USER, nullptr, 0, nullptr, 0));
  EXPECT_CKR(CKR_ARGUMENTS_BAD, set_pin_without_pins(s));
  EXPECT_CKR(CKR_ARGUMENTS_BAD, p11()->C_InitPIN(s, nullptr, 0));
  EXPECT_EQ(state(s), static_cast<CK_STATE>(CKS_RW_PUBLIC_SESSION));
  EXPECT_EQ(user_tries_left(slot), 15u);
  // No pinentry was run.
  EXPECT_EQ(pinentry_log(), "");
  EXPECT_EQ(answers_left().size(), 1u);
}

TEST_F(ProtectedPathTest, OnlyTheSoTurnsItOnAndTheTokenThenHasTheFlag) {
  CK_SLOT_ID slot = ready_token();
  CK_SESSION_HANDLE ro = open(slot, false);
  EXPECT_CKR(CKR_SESSION_READ_ONLY, set_option(ro, true));
  CK_SESSION_HANDLE user = open_user_session(slot);
  EXPECT_CKR(CKR_USER_NOT_LOGGED_IN, set_option(user, true));
  ASSERT_CKR(CKR_OK, p11()->C_CloseAllSessions(slot));
  EXPECT_EQ(token_info(slot).flags & CKF_PROTECTED_AUTHENTICATION_PATH, 0u);

  so_sets_option(slot, true);
  EXPECT_EQ(token_info(slot).flags & CKF_PROTECTED_AUTHENTICATION_PATH,
            static_cast<CK_FLAGS>(CKF_PROTECTED_AUTHENTICATION_PATH));
  // Stored in the token file.
  restart();
  EXPECT_NE(token_info(slot).flags & CKF_PROTECTED_AUTHENTICATION_PATH, 0u);
  CK_SESSION_HANDLE s = open(slot);
  EXPECT_TRUE(attr_bool(s, policy(s), CKA_ECERT_PROTECTED_PATH));
  ASSERT_CKR(CKR_OK, p11()->C_CloseSession(s));

  so_sets_option(slot, false);
  EXPECT_EQ(token_info(slot).flags & CKF_PROTECTED_AUTHENTICATION_PATH, 0u);
}

// ---- C_Login ----

TEST_F(ProtectedPathTest, LoginWithoutPinAsksPinentryAndTakesAtLeastASecond) {
  CK_SLOT_ID slot = protected_token("Alice e-Cert");
  CK_SESSION_HANDLE s = open(slot);
  answers({kUserPin});
  std::chrono::milliseconds took{};
  EXPECT_CKR(CKR_OK, login_without_pin(s, CKU_USER, took));
  EXPECT_GE(took, kMinimum);
  EXPECT_EQ(state(s), static_cast<CK_STATE>(CKS_RW_USER_FUNCTIONS));
  EXPECT_EQ(answers_left().size(), 0u);
  std::string log = pinentry_log();
  EXPECT_NE(log.find("SETTITLE e-Cert Token"), std::string::npos) << log;
  EXPECT_NE(log.find("SETDESC Enter the password of the token \"Alice e-Cert\"."), std::string::npos) << log;
  EXPECT_NE(log.find("%0A15 tries left."), std::string::npos) << log;
  EXPECT_NE(log.find("SETPROMPT Password:"), std::string::npos) << log;
  EXPECT_EQ(log.find("SETERROR"), std::string::npos) << log;
  EXPECT_EQ(log.find(kUserPin), std::string::npos) << "the PIN went to pinentry";
  EXPECT_EQ(user_tries_left(slot), 15u);
  // Logged in: C_Logout works, and every session shows it.
  CK_SESSION_HANDLE other = open(slot, false);
  EXPECT_EQ(state(other), static_cast<CK_STATE>(CKS_RO_USER_FUNCTIONS));
  EXPECT_CKR(CKR_OK, p11()->C_Logout(s));
}

TEST_F(ProtectedPathTest, WrongPinCountsATryAndTheNextDialogSaysSo) {
  CK_SLOT_ID slot = protected_token();
  CK_SESSION_HANDLE s = open(slot);
  answers({kWrongPin});
  std::chrono::milliseconds took{};
  EXPECT_CKR(CKR_PIN_INCORRECT, login_without_pin(s, CKU_USER, took));
  EXPECT_GE(took, kMinimum);
  EXPECT_EQ(user_tries_left(slot), 14u);
  EXPECT_NE(token_info(slot).flags & CKF_USER_PIN_COUNT_LOW, 0u);
  EXPECT_EQ(state(s), static_cast<CK_STATE>(CKS_RW_PUBLIC_SESSION));

  clear_log();
  answers({kUserPin});
  EXPECT_CKR(CKR_OK, login_without_pin(s, CKU_USER, took));
  std::string log = pinentry_log();
  EXPECT_NE(log.find("14 tries left."), std::string::npos) << log;
  EXPECT_NE(log.find("SETERROR Wrong password."), std::string::npos) << log;
  EXPECT_EQ(user_tries_left(slot), 15u);
}

TEST_F(ProtectedPathTest, CancelCountsNoTryAndStillTakesASecond) {
  CK_SLOT_ID slot = protected_token();
  CK_SESSION_HANDLE s = open(slot);
  answers({"cancel"});
  std::chrono::milliseconds took{};
  EXPECT_CKR(CKR_FUNCTION_CANCELED, login_without_pin(s, CKU_USER, took));
  EXPECT_GE(took, kMinimum);
  EXPECT_EQ(user_tries_left(slot), 15u);
  EXPECT_EQ(token_info(slot).flags & CKF_USER_PIN_COUNT_LOW, 0u);
  EXPECT_EQ(state(s), static_cast<CK_STATE>(CKS_RW_PUBLIC_SESSION));
}

TEST_F(ProtectedPathTest, EmptyAnswersAreAskedAgainWithoutCostingATry) {
  CK_SLOT_ID slot = protected_token();
  CK_SESSION_HANDLE s = open(slot);
  answers({"", kUserPin});
  std::chrono::milliseconds took{};
  EXPECT_CKR(CKR_OK, login_without_pin(s, CKU_USER, took));
  EXPECT_NE(pinentry_log().find("SETERROR No password was entered."), std::string::npos);
  ASSERT_CKR(CKR_OK, p11()->C_Logout(s));
  answers({"", "", ""});
  EXPECT_CKR(CKR_FUNCTION_CANCELED, login_without_pin(s, CKU_USER, took));
  EXPECT_EQ(user_tries_left(slot), 15u);
}

TEST_F(ProtectedPathTest, MissingOrBrokenPinentryFailsWithoutCountingATry) {
  CK_SLOT_ID slot = protected_token();
  CK_SESSION_HANDLE s = open(slot);
  std::chrono::milliseconds took{};
  {
    ScopedEnv missing("ECERT_PINENTRY", "/nonexistent/pinentry");
    EXPECT_CKR(CKR_FUNCTION_FAILED, login_without_pin(s, CKU_USER, took));
    EXPECT_GE(took, kMinimum);
  }
  {
    // No $ECERT_PINENTRY and no `pinentry` in PATH.
    ScopedEnv unset("ECERT_PINENTRY", nullptr);
    TempDir empty;
    ScopedEnv path("PATH", empty.path().c_str());
    EXPECT_CKR(CKR_FUNCTION_FAILED, login_without_pin(s, CKU_USER, took));
  }
  {
    // A program that is not a pinentry: exits at once.
    ScopedEnv not_pinentry("ECERT_PINENTRY", "/bin/true");
    EXPECT_CKR(CKR_FUNCTION_FAILED, login_without_pin(s, CKU_USER, took));
  }
  // A pinentry that dies in the middle of GETPIN: the process survives the
  // write to the closed pipe even with SIGPIPE's default action (libassuan
  // sets SIG_IGN only once per process, and applications may reset it).
  struct sigaction default_action {
  }, old_action{};
  default_action.sa_handler = SIG_DFL;
  sigemptyset(&default_action.sa_mask);
  ASSERT_EQ(::sigaction(SIGPIPE, &default_action, &old_action), 0);
  answers({"exit"});
  EXPECT_CKR(CKR_FUNCTION_FAILED, login_without_pin(s, CKU_USER, took));
  answers({"exit"});
  EXPECT_CKR(CKR_FUNCTION_FAILED, set_pin_without_pins(s));
  {
    // Greets, but has closed its end of the pipe: the next command written
    // raises SIGPIPE.
    std::string deaf = wrapper_ + "-deaf";
    std::ofstream(deaf) << "#!/bin/sh\nexec 0<&-\necho 'OK Pleased to meet you'\nsleep 1\n";
    ASSERT_EQ(::chmod(deaf.c_str(), 0700), 0);
    ScopedEnv env("ECERT_PINENTRY", deaf.c_str());
    EXPECT_CKR(CKR_FUNCTION_FAILED, login_without_pin(s, CKU_USER, took));
  }
  ::sigaction(SIGPIPE, &old_action, nullptr);
  EXPECT_GE(took, kMinimum);
  EXPECT_EQ(user_tries_left(slot), 15u);
  EXPECT_EQ(state(s), static_cast<CK_STATE>(CKS_RW_PUBLIC_SESSION));
}

TEST_F(ProtectedPathTest, PinentryFoundInPathWhenNotConfigured) {
  CK_SLOT_ID slot = protected_token();
  CK_SESSION_HANDLE s = open(slot);
  ScopedEnv unset("ECERT_PINENTRY", nullptr);
  std::string dir = wrapper_.substr(0, wrapper_.rfind('/'));
  std::string path = dir + ":" + (::getenv("PATH") ? ::getenv("PATH") : "/usr/bin:/bin");
  ScopedEnv path_env("PATH", path.c_str());
  answers({kUserPin});
  std::chrono::milliseconds took{};
  EXPECT_CKR(CKR_OK, login_without_pin(s, CKU_USER, took));
  EXPECT_NE(pinentry_log().find("GETPIN -> pin"), std::string::npos);
}

TEST_F(ProtectedPathTest, PinGivenByTheCallerStillWorksWithoutDialog) {
  CK_SLOT_ID slot = protected_token();
  CK_SESSION_HANDLE s = open(slot);
  EXPECT_CKR(CKR_PIN_INCORRECT, login(s, CKU_USER, kWrongPin));
  EXPECT_EQ(user_tries_left(slot), 14u);
  auto start = Clock::now();
  EXPECT_CKR(CKR_OK, login(s, CKU_USER, kUserPin));
  EXPECT_LT(Clock::now() - start, kMinimum) << "no minimum delay for a given PIN";
  EXPECT_CKR(CKR_OK, p11()->C_Logout(s));
  EXPECT_CKR(CKR_OK, p11()->C_SetPIN(s, pin_ptr(kUserPin), pin_len(kUserPin), pin_ptr(kNewPin), pin_len(kNewPin)));
  EXPECT_CKR(CKR_OK, login(s, CKU_USER, kNewPin));
  EXPECT_EQ(pinentry_log(), "");
}

TEST_F(ProtectedPathTest, NoDialogWhenLoggedInLockedOrUninitialisedButStillASecond) {
  CK_SLOT_ID slot = protected_token();
  CK_SESSION_HANDLE s = open(slot);
  std::chrono::milliseconds took{};
  ASSERT_CKR(CKR_OK, login(s, CKU_USER, kUserPin));
  EXPECT_CKR(CKR_USER_ALREADY_LOGGED_IN, login_without_pin(s, CKU_USER, took));
  EXPECT_GE(took, kMinimum);
  EXPECT_CKR(CKR_USER_ANOTHER_ALREADY_LOGGED_IN, login_without_pin(s, CKU_SO, took));
  ASSERT_CKR(CKR_OK, p11()->C_Logout(s));
  EXPECT_CKR(CKR_OPERATION_NOT_INITIALIZED, login_without_pin(s, CKU_CONTEXT_SPECIFIC, took));
  EXPECT_CKR(CKR_USER_TYPE_INVALID, login_without_pin(s, 7, took));
  // The SO with a read-only session open.
  CK_SESSION_HANDLE ro = open(slot, false);
  EXPECT_CKR(CKR_SESSION_READ_ONLY_EXISTS, login_without_pin(s, CKU_SO, took));
  ASSERT_CKR(CKR_OK, p11()->C_CloseSession(ro));
  // Locked: no dialog.
  for (int i = 0; i < 15; ++i) ASSERT_CKR(CKR_PIN_INCORRECT, login(s, CKU_USER, kWrongPin));
  EXPECT_CKR(CKR_PIN_LOCKED, login_without_pin(s, CKU_USER, took));
  EXPECT_GE(took, kMinimum);
  EXPECT_EQ(pinentry_log(), "");
  // An invalid session.
  EXPECT_CKR(CKR_SESSION_HANDLE_INVALID, login_without_pin(0xBAD, CKU_USER, took));
  EXPECT_GE(took, kMinimum);
}

TEST_F(ProtectedPathTest, SoLogsInThroughPinentry) {
  CK_SLOT_ID slot = protected_token();
  CK_SESSION_HANDLE s = open(slot);
  answers({kWrongPin, kSoPin});
  std::chrono::milliseconds took{};
  EXPECT_CKR(CKR_PIN_INCORRECT, login_without_pin(s, CKU_SO, took));
  EXPECT_CKR(CKR_OK, login_without_pin(s, CKU_SO, took));
  EXPECT_EQ(state(s), static_cast<CK_STATE>(CKS_RW_SO_FUNCTIONS));
  std::string log = pinentry_log();
  EXPECT_NE(log.find("SETDESC Enter the administrator (SO) password of the token \"e-Cert\"."), std::string::npos)
      << log;
  EXPECT_NE(log.find("SETPROMPT SO password:"), std::string::npos) << log;
  EXPECT_NE(log.find("14 tries left."), std::string::npos) << log;
}

TEST_F(ProtectedPathTest, EnvelopePinAtLoginIsExpiredAndTheDialogSaysIt) {
  CK_SLOT_ID slot = init_token();
  set_envelope_pin(slot);
  so_sets_option(slot, true);
  CK_SESSION_HANDLE s = open(slot);
  answers({kEnvelopePin});
  std::chrono::milliseconds took{};
  EXPECT_CKR(CKR_PIN_EXPIRED, login_without_pin(s, CKU_USER, took));
  EXPECT_NE(pinentry_log().find("initial password from the PIN envelope"), std::string::npos);
  EXPECT_EQ(state(s), static_cast<CK_STATE>(CKS_RW_PUBLIC_SESSION));
}

// The token's lock is not held while the person types: another thread's
// calls on the same token go on meanwhile.
TEST_F(ProtectedPathTest, OtherCallsGoOnWhileTheDialogIsOpen) {
  CK_SLOT_ID slot = protected_token();
  CK_SESSION_HANDLE s = open(slot);
  CK_SESSION_HANDLE other = open(slot);
  answers({std::string("slow:") + kUserPin});  // the "person" takes one second
  std::atomic<CK_RV> rv{kPreconditionFailed};
  std::thread t([&] { rv = p11()->C_Login(s, CKU_USER, nullptr, 0); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto start = Clock::now();
  CK_TOKEN_INFO info{};
  EXPECT_CKR(CKR_OK, p11()->C_GetTokenInfo(slot, &info));
  EXPECT_EQ(state(other), static_cast<CK_STATE>(CKS_RW_PUBLIC_SESSION));
  auto found = find(other, Template().cls(CKO_ECERT_POLICY));
  EXPECT_EQ(found.size(), 1u);
  EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(500)) << "blocked behind the dialog";
  t.join();
  EXPECT_CKR(CKR_OK, rv.load());
  EXPECT_EQ(state(other), static_cast<CK_STATE>(CKS_RW_USER_FUNCTIONS));
}

TEST_F(ProtectedPathTest, SessionClosedDuringTheDialogCountsNoTry) {
  CK_SLOT_ID slot = protected_token();
  CK_SESSION_HANDLE s = open(slot);
  answers({std::string("slow:") + kWrongPin});
  std::atomic<CK_RV> rv{kPreconditionFailed};
  std::thread t([&] { rv = p11()->C_Login(s, CKU_USER, nullptr, 0); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_CKR(CKR_OK, p11()->C_CloseSession(s));
  t.join();
  EXPECT_CKR(CKR_SESSION_HANDLE_INVALID, rv.load());
  EXPECT_EQ(user_tries_left(slot), 15u);
}

// ---- the deadline: a pinentry that never answers ----

// What the module waits for one answer with ECERT_PINENTRY_TIMEOUT=1: the
// timeout it gives pinentry and its own 2 s grace (pinentry.h).
constexpr auto kShortDeadline = std::chrono::milliseconds(3000);
// Generous: the machine may be busy, and python takes a while to start.
constexpr auto kSlack = std::chrono::milliseconds(4000);
constexpr auto kBound = std::chrono::seconds(30);

TEST_F(ProtectedPathTest, NeverAnsweringPinentryIsEndedAtTheDeadlineAndTheNextCallerProceeds) {
  CK_SLOT_ID slot = protected_token();
  CK_SESSION_HANDLE first = open(slot);
  CK_SESSION_HANDLE second = open(slot);
  ScopedEnv timeout("ECERT_PINENTRY_TIMEOUT", "1");
  ScopedEnv ignores("ECERT_TEST_PINENTRY_IGNORE_TIMEOUT", "1");  // only the module's deadline helps
  answers({"never", kUserPin});
  std::chrono::milliseconds took_first{}, took_second{};
  std::future<CK_RV> a = start_bounded([&] { return p11()->C_Login(first, CKU_USER, nullptr, 0); }, took_first);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  // Waits on the token's prompt lock behind the first dialog.
  std::future<CK_RV> b = start_bounded([&] { return p11()->C_Login(second, CKU_USER, nullptr, 0); }, took_second);
  EXPECT_CKR(CKR_FUNCTION_CANCELED, finish_bounded(a, kBound));
  EXPECT_CKR(CKR_OK, finish_bounded(b, kBound));
  EXPECT_GE(took_first, kShortDeadline);
  EXPECT_LT(took_first, kShortDeadline + kSlack);
  EXPECT_LT(took_second, took_first + kSlack) << "the second caller waited for more than the first dialog";
  // The cancelled dialog counted no try.
  EXPECT_EQ(token_info(slot).flags & (CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY | CKF_USER_PIN_LOCKED), 0u);
  EXPECT_EQ(user_tries_left(slot), 15u);
  std::string log = pinentry_log();
  EXPECT_NE(log.find("SETTIMEOUT 1\n"), std::string::npos) << log;
  EXPECT_NE(log.find("GETPIN -> never"), std::string::npos) << log;
  // Both programs are gone, reaped (no zombie).
  std::vector<pid_t> pids = pinentry_pids();
  ASSERT_EQ(pids.size(), 2u);
  for (pid_t pid : pids) EXPECT_TRUE(gone(pid)) << "pinentry " << pid << " still there";
}

TEST_F(ProtectedPathTest, PinentryHonouringSettimeoutEndsTheDialogItself) {
  CK_SLOT_ID slot = protected_token();
  CK_SESSION_HANDLE s = open(slot);
  ScopedEnv timeout("ECERT_PINENTRY_TIMEOUT", "1");
  answers({"never"});
  std::chrono::milliseconds took{};
  EXPECT_CKR(CKR_FUNCTION_CANCELED, bounded([&] { return set_pin_without_pins(s); }, kBound, took));
  // Its own timeout (1 s), before the module's deadline.
  EXPECT_LT(took, kShortDeadline);
  EXPECT_NE(pinentry_log().find("SETTIMEOUT 1\n"), std::string::npos) << pinentry_log();
  EXPECT_EQ(user_tries_left(slot), 15u);
  for (pid_t pid : pinentry_pids()) EXPECT_TRUE(gone(pid)) << "pinentry " << pid << " still there";
}

TEST_F(ProtectedPathTest, PinentryHangingBeforeItsGreetingIsEndedAtTheDeadline) {
  CK_SLOT_ID slot = protected_token();
  CK_SESSION_HANDLE s = open(slot);
  ScopedEnv timeout("ECERT_PINENTRY_TIMEOUT", "1");
  ScopedEnv silent("ECERT_TEST_PINENTRY_SILENT", "1");
  answers({kUserPin});
  std::chrono::milliseconds took{};
  EXPECT_CKR(CKR_FUNCTION_CANCELED, bounded([&] { return p11()->C_Login(s, CKU_USER, nullptr, 0); }, kBound, took));
  EXPECT_GE(took, kShortDeadline);
  EXPECT_LT(took, kShortDeadline + kSlack);
  EXPECT_EQ(answers_left().size(), 1u);
  EXPECT_EQ(user_tries_left(slot), 15u);
  EXPECT_EQ(state(s), static_cast<CK_STATE>(CKS_RW_PUBLIC_SESSION));
  std::vector<pid_t> pids = pinentry_pids();
  ASSERT_EQ(pids.size(), 1u);
  EXPECT_TRUE(gone(pids[0]));
}

TEST_F(ProtectedPathTest, PinentryThatDoesNotExitIsKilledAfterTheDialog) {
  CK_SLOT_ID slot = protected_token();
  CK_SESSION_HANDLE s = open(slot);
  ScopedEnv linger("ECERT_TEST_PINENTRY_LINGER", "1");
  answers({kUserPin});
  std::chrono::milliseconds took{};
  EXPECT_CKR(CKR_OK, bounded([&] { return p11()->C_Login(s, CKU_USER, nullptr, 0); }, kBound, took));
  // The answer counts; the program gets 3 s to exit before it is killed.
  EXPECT_EQ(state(s), static_cast<CK_STATE>(CKS_RW_USER_FUNCTIONS));
  EXPECT_LT(took, std::chrono::milliseconds(3000) + kSlack);
  std::vector<pid_t> pids = pinentry_pids();
  ASSERT_EQ(pids.size(), 1u);
  EXPECT_TRUE(gone(pids[0]));
}

TEST_F(ProtectedPathTest, TimeoutSettingOutOfBoundsOrMalformedGivesTheDefault) {
  CK_SLOT_ID slot = protected_token();
  CK_SESSION_HANDLE s = open(slot);
  const std::pair<const char*, const char*> cases[] = {
      {nullptr, "120"}, {"45", "45"}, {"1", "1"},     {"3600", "3600"}, {"0", "120"},   {"3601", "120"},
      {"-5", "120"},    {"", "120"},  {" 45", "120"}, {"45s", "120"},   {"+45", "120"}, {"99999999999999999999", "120"},
  };
  for (const auto& [value, sent] : cases) {
    ScopedEnv timeout("ECERT_PINENTRY_TIMEOUT", value);
    clear_log();
    answers({"cancel"});
    EXPECT_CKR(CKR_FUNCTION_CANCELED, set_pin_without_pins(s));
    EXPECT_NE(pinentry_log().find(std::string("SETTIMEOUT ") + sent + "\n"), std::string::npos)
        << (value ? value : "(unset)") << ": " << pinentry_log();
  }
}

// ---- where the program is found ----

TEST_F(ProtectedPathTest, OnlyAbsoluteDirectoriesOfPathAreSearched) {
  CK_SLOT_ID slot = protected_token();
  CK_SESSION_HANDLE s = open(slot);
  // files/rel/ecert-test-pinentry, reachable from files/ as "rel".
  std::string files = wrapper_.substr(0, wrapper_.rfind('/'));
  std::string rel = files + "/rel";
  ASSERT_EQ(::mkdir(rel.c_str(), 0700), 0);
  std::string program = rel + "/ecert-test-pinentry";
  ASSERT_EQ(::link(wrapper_.c_str(), program.c_str()), 0);
  char saved_cwd[4096];
  ASSERT_NE(::getcwd(saved_cwd, sizeof saved_cwd), nullptr);
  ScopedEnv name("ECERT_PINENTRY", "ecert-test-pinentry");
  // Run: the dialog is cancelled. Not run: no pinentry.
  auto outcome = [&](const char* path, const std::string& cwd) {
    ScopedEnv path_env("PATH", path);
    EXPECT_EQ(::chdir(cwd.c_str()), 0);
    answers({"cancel"});
    CK_RV rv = set_pin_without_pins(s);
    EXPECT_EQ(::chdir(saved_cwd), 0);
    return rv;
  };
  EXPECT_CKR(CKR_FUNCTION_FAILED, outcome("rel", files)) << "relative entry";
  EXPECT_CKR(CKR_FUNCTION_FAILED, outcome("/nonexistent:rel:/nonexistent", files)) << "relative entry";
  EXPECT_CKR(CKR_FUNCTION_FAILED, outcome(".", rel)) << "the current directory";
  EXPECT_CKR(CKR_FUNCTION_FAILED, outcome("", rel)) << "empty PATH";
  EXPECT_CKR(CKR_FUNCTION_FAILED, outcome("/nonexistent::/nonexistent", rel)) << "empty entry";
  EXPECT_CKR(CKR_FUNCTION_FAILED, outcome("/nonexistent:", rel)) << "empty last entry";
  EXPECT_EQ(pinentry_log(), "") << "a pinentry in a relative directory was run";
  EXPECT_CKR(CKR_FUNCTION_CANCELED, outcome(("/nonexistent:" + rel).c_str(), files)) << "absolute entry";
  EXPECT_NE(pinentry_log().find("GETPIN -> cancel"), std::string::npos);
  // $ECERT_PINENTRY as a path: absolute only.
  clear_log();
  {
    ScopedEnv relative("ECERT_PINENTRY", "rel/ecert-test-pinentry");
    EXPECT_CKR(CKR_FUNCTION_FAILED, outcome("/usr/bin:/bin", files)) << "relative $ECERT_PINENTRY";
    EXPECT_EQ(pinentry_log(), "");
  }
  {
    ScopedEnv absolute("ECERT_PINENTRY", program.c_str());
    EXPECT_CKR(CKR_FUNCTION_CANCELED, outcome("/usr/bin:/bin", files)) << "absolute $ECERT_PINENTRY";
  }
  EXPECT_EQ(user_tries_left(slot), 15u);
}

// ---- terminal and display options, as gpg-agent passes them ----

TEST_F(ProtectedPathTest, TerminalOfStdinIsPassedAsTtyname) {
  CK_SLOT_ID slot = protected_token();
  CK_SESSION_HANDLE s = open(slot);
  int master = ::posix_openpt(O_RDWR | O_NOCTTY);
  ASSERT_GE(master, 0);
  ASSERT_EQ(::grantpt(master), 0);
  ASSERT_EQ(::unlockpt(master), 0);
  std::string name = ::ptsname(master);
  int slave = ::open(name.c_str(), O_RDWR | O_NOCTTY);
  ASSERT_GE(slave, 0);
  int saved_stdin = ::dup(STDIN_FILENO);
  ASSERT_GE(saved_stdin, 0);
  ASSERT_EQ(::dup2(slave, STDIN_FILENO), STDIN_FILENO);
  ScopedEnv term("TERM", "xterm-256color");
  ScopedEnv display("DISPLAY", ":42");
  ScopedEnv lc_all("LC_ALL", nullptr);
  ScopedEnv lc_ctype("LC_CTYPE", "zh_HK.UTF-8");
  answers({kUserPin});
  std::chrono::milliseconds took{};
  CK_RV rv = login_without_pin(s, CKU_USER, took);
  ::dup2(saved_stdin, STDIN_FILENO);
  ::close(saved_stdin);
  ::close(slave);
  ::close(master);
  EXPECT_CKR(CKR_OK, rv);
  std::string log = pinentry_log();
  EXPECT_NE(log.find("OPTION ttyname=" + name), std::string::npos) << log;
  EXPECT_NE(log.find("OPTION ttytype=xterm-256color"), std::string::npos) << log;
  EXPECT_NE(log.find("OPTION display=:42"), std::string::npos) << log;
  EXPECT_NE(log.find("OPTION lc-ctype=zh_HK.UTF-8"), std::string::npos) << log;
}

TEST_F(ProtectedPathTest, GpgTtyWinsOverTheProcessTerminal) {
  CK_SLOT_ID slot = protected_token();
  CK_SESSION_HANDLE s = open(slot);
  ScopedEnv tty("GPG_TTY", "/dev/pts/77");
  answers({kUserPin});
  std::chrono::milliseconds took{};
  EXPECT_CKR(CKR_OK, login_without_pin(s, CKU_USER, took));
  EXPECT_NE(pinentry_log().find("OPTION ttyname=/dev/pts/77"), std::string::npos) << pinentry_log();
}

// The dialogs speak the host program's language: its LC_MESSAGES picks the
// "ecert-token" catalogue (built beside the module from po/zh_HK.po), and the
// rule texts are the ones the manager shows.
TEST_F(ProtectedPathTest, DialogsFollowTheHostProgramsLcMessages) {
  ScopedEnv language("LANGUAGE", nullptr);
  const std::string before = std::setlocale(LC_MESSAGES, nullptr);
  ASSERT_NE(std::setlocale(LC_MESSAGES, "zh_HK.UTF-8"), nullptr) << "zh_HK.UTF-8 is not installed (scripts/deps.sh)";
  CK_SLOT_ID slot = protected_token("Alice e-Cert");
  CK_SESSION_HANDLE s = open(slot);
  std::chrono::milliseconds took{};
  answers({kWrongPin});
  EXPECT_CKR(CKR_PIN_INCORRECT, login_without_pin(s, CKU_USER, took));
  clear_log();
  answers({kUserPin});
  EXPECT_CKR(CKR_OK, login_without_pin(s, CKU_USER, took));
  const std::string login_log = pinentry_log();
  clear_log();
  answers({kUserPin, "alllowercase#1", kNewPin});
  EXPECT_CKR(CKR_OK, set_pin_without_pins(s));
  const std::string change_log = pinentry_log();
  std::setlocale(LC_MESSAGES, before.c_str());

  EXPECT_NE(login_log.find("SETDESC 請輸入 Token \"Alice e-Cert\" 的權杖密碼。%0A尚餘 14 次機會。"), std::string::npos)
      << login_log;
  EXPECT_NE(login_log.find("SETPROMPT 密碼："), std::string::npos) << login_log;
  EXPECT_NE(login_log.find("SETERROR 密碼錯誤。"), std::string::npos) << login_log;
  EXPECT_NE(change_log.find("SETDESC 正在變更 Token \"Alice e-Cert\" 的權杖密碼。"), std::string::npos) << change_log;
  EXPECT_NE(change_log.find("SETPROMPT 新密碼："), std::string::npos) << change_log;
  EXPECT_NE(change_log.find("SETERROR 密碼必須包含大寫字母（A-Z）。"), std::string::npos) << change_log;
  EXPECT_EQ(change_log.find("password"), std::string::npos) << "English left in a zh_HK dialog:\n" << change_log;
}

// ---- C_SetPIN ----

TEST_F(ProtectedPathTest, SetPinAsksOldNewAndConfirmation) {
  CK_SLOT_ID slot = protected_token();
  CK_SESSION_HANDLE s = open(slot);
  answers({kUserPin, kNewPin});  // the new PIN's dialog has both fields (SETREPEAT)
  EXPECT_CKR(CKR_OK, set_pin_without_pins(s));
  std::string log = pinentry_log();
  EXPECT_NE(log.find("SETPROMPT Current password:"), std::string::npos) << log;
  EXPECT_NE(log.find("SETPROMPT New password:"), std::string::npos) << log;
  EXPECT_NE(log.find("SETREPEAT Confirm password:"), std::string::npos) << log;
  EXPECT_NE(log.find("Changing the password of the token \"e-Cert\"."), std::string::npos) << log;
  EXPECT_EQ(log.find(kNewPin), std::string::npos);
  EXPECT_CKR(CKR_PIN_INCORRECT, login(s, CKU_USER, kUserPin));
  EXPECT_CKR(CKR_OK, login(s, CKU_USER, kNewPin));
}

TEST_F(ProtectedPathTest, SetPinAsksTwiceWhenPinentryCannotRepeat) {
  CK_SLOT_ID slot = protected_token();
  CK_SESSION_HANDLE s = open(slot);
  ScopedEnv old_pinentry("ECERT_TEST_PINENTRY_NO_REPEAT", "1");
  // Round 1: confirmation differs; round 2: confirmed.
  answers({kUserPin, kNewPin, "Brand-New#2028", kNewPin, kNewPin});
  EXPECT_CKR(CKR_OK, set_pin_without_pins(s));
  std::string log = pinentry_log();
  EXPECT_NE(log.find("SETPROMPT Confirm password:"), std::string::npos) << log;
  EXPECT_NE(log.find("SETERROR The two passwords are not the same."), std::string::npos) << log;
  EXPECT_EQ(answers_left().size(), 0u);
  EXPECT_CKR(CKR_OK, login(s, CKU_USER, kNewPin));
}

TEST_F(ProtectedPathTest, ConfirmationMismatchThreeTimesIsRefused) {
  CK_SLOT_ID slot = protected_token();
  CK_SESSION_HANDLE s = open(slot);
  ScopedEnv old_pinentry("ECERT_TEST_PINENTRY_NO_REPEAT", "1");
  answers({kUserPin, kNewPin, "x1", kNewPin, "x2", kNewPin, "x3"});
  EXPECT_CKR(CKR_PIN_INVALID, set_pin_without_pins(s));
  EXPECT_EQ(answers_left().size(), 0u);
  // Nothing changed, no try counted (the old PIN was never checked).
  EXPECT_EQ(user_tries_left(slot), 15u);
  EXPECT_CKR(CKR_OK, login(s, CKU_USER, kUserPin));
}

TEST_F(ProtectedPathTest, NewPinBreakingTheRuleIsAskedAgainThenRefused) {
  CK_SLOT_ID slot = protected_token();
  CK_SESSION_HANDLE s = open(slot);
  // A rule broken, then a good PIN: accepted.
  answers({kUserPin, "alllowercase#1", kNewPin});
  EXPECT_CKR(CKR_OK, set_pin_without_pins(s));
  std::string log = pinentry_log();
  EXPECT_NE(log.find("SETERROR The password must contain an upper-case letter (A-Z)."), std::string::npos) << log;
  EXPECT_NE(log.find("The new password must:%0A  - have 8 to 64 characters%0A  - contain an upper-case letter"),
            std::string::npos)
      << log;

  // Three refused: CKR_PIN_LEN_RANGE for the last one (too short), nothing changed.
  clear_log();
  answers({kNewPin, "NoDigits#", "no-upper#1", "Sh#1"});
  EXPECT_CKR(CKR_PIN_LEN_RANGE, set_pin_without_pins(s));
  log = pinentry_log();
  EXPECT_NE(log.find("SETERROR The password must contain a digit (0-9)."), std::string::npos) << log;
  EXPECT_EQ(user_tries_left(slot), 15u);
  // Reuse is found by the token (the history is sealed): CKR_PIN_INVALID.
  answers({kNewPin, kUserPin});
  EXPECT_CKR(CKR_PIN_INVALID, set_pin_without_pins(s));
  EXPECT_CKR(CKR_OK, login(s, CKU_USER, kNewPin));
}

TEST_F(ProtectedPathTest, SetPinWithAWrongOldPinCountsATry) {
  CK_SLOT_ID slot = protected_token();
  CK_SESSION_HANDLE s = open(slot);
  answers({kWrongPin, kNewPin});
  EXPECT_CKR(CKR_PIN_INCORRECT, set_pin_without_pins(s));
  EXPECT_EQ(user_tries_left(slot), 14u);
  answers({"cancel"});
  EXPECT_CKR(CKR_FUNCTION_CANCELED, set_pin_without_pins(s));
  EXPECT_EQ(user_tries_left(slot), 14u);
  CK_SESSION_HANDLE ro = open(slot, false);
  EXPECT_CKR(CKR_SESSION_READ_ONLY, set_pin_without_pins(ro));
  // One PIN given, the other not.
  EXPECT_CKR(CKR_ARGUMENTS_BAD, p11()->C_SetPIN(s, nullptr, 0, pin_ptr(kNewPin), pin_len(kNewPin)));
  EXPECT_CKR(CKR_ARGUMENTS_BAD, p11()->C_SetPIN(s, pin_ptr(kUserPin), pin_len(kUserPin), nullptr, 0));
}

TEST_F(ProtectedPathTest, EnvelopePinIsChangedThroughPinentry) {
  CK_SLOT_ID slot = init_token();
  set_envelope_pin(slot);
  so_sets_option(slot, true);
  EXPECT_NE(token_info(slot).flags & CKF_USER_PIN_TO_BE_CHANGED, 0u);
  CK_SESSION_HANDLE s = open(slot);
  answers({kEnvelopePin, kUserPin});
  EXPECT_CKR(CKR_OK, set_pin_without_pins(s));
  EXPECT_NE(pinentry_log().find("(the initial password from the PIN envelope)"), std::string::npos);
  EXPECT_EQ(token_info(slot).flags & CKF_USER_PIN_TO_BE_CHANGED, 0u);
  answers({kUserPin});
  std::chrono::milliseconds took{};
  EXPECT_CKR(CKR_OK, login_without_pin(s, CKU_USER, took));
}

TEST_F(ProtectedPathTest, SoChangesTheSoPinThroughPinentry) {
  CK_SLOT_ID slot = protected_token();
  CK_SESSION_HANDLE s = open(slot);
  ASSERT_CKR(CKR_OK, login(s, CKU_SO, kSoPin));
  answers({kSoPin, "New-So-Pin#2027"});
  EXPECT_CKR(CKR_OK, set_pin_without_pins(s));
  EXPECT_NE(pinentry_log().find("Changing the administrator (SO) password"), std::string::npos);
  ASSERT_CKR(CKR_OK, p11()->C_Logout(s));
  EXPECT_CKR(CKR_OK, login(s, CKU_SO, "New-So-Pin#2027"));
}

// ---- C_InitPIN ----

TEST_F(ProtectedPathTest, SoSetsTheEnvelopePinThroughPinentry) {
  CK_SLOT_ID slot = init_token();
  so_sets_option(slot, true);
  CK_SESSION_HANDLE s = open(slot);
  EXPECT_CKR(CKR_USER_NOT_LOGGED_IN, p11()->C_InitPIN(s, nullptr, 0));
  ASSERT_CKR(CKR_OK, login(s, CKU_SO, kSoPin));
  // Too short for the issuer's rule, then good.
  answers({"1234", "87654321"});
  EXPECT_CKR(CKR_OK, p11()->C_InitPIN(s, nullptr, 0));
  std::string log = pinentry_log();
  EXPECT_NE(log.find("Setting a new initial password for the token \"e-Cert\"."), std::string::npos) << log;
  EXPECT_NE(log.find("SETERROR The password must have at least 8 characters."), std::string::npos) << log;
  ASSERT_CKR(CKR_OK, p11()->C_Logout(s));
  CK_FLAGS flags = token_info(slot).flags;
  EXPECT_NE(flags & CKF_USER_PIN_INITIALIZED, 0u);
  EXPECT_NE(flags & CKF_USER_PIN_TO_BE_CHANGED, 0u);
  EXPECT_CKR(CKR_PIN_EXPIRED, login(s, CKU_USER, "87654321"));
  answers({"cancel"});
  ASSERT_CKR(CKR_OK, login(s, CKU_SO, kSoPin));
  EXPECT_CKR(CKR_FUNCTION_CANCELED, p11()->C_InitPIN(s, nullptr, 0));
}

}  // namespace
}  // namespace ecert::test
