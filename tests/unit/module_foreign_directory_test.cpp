// A token directory or token file another local user can change is not
// trusted (issue 17, item 4): the directory gives no slot and no token is made
// in it; a token file, -wal, -shm or lock file that is not the user's own
// (0600, one link, no symbolic link) makes its slot's token unrecognised and
// is never written. "The other user" is uid/gid 65534 through setpriv
// (util-linux), so these tests need root: without it they are skipped, and
// fail under ECERT_REQUIRE_ALL_TESTS=1 (scripts/test.sh).
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "module_fixture.h"

namespace ecert::test {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<char>;

constexpr uid_t kOther = 65534;  // nobody

Bytes read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

bool have_setpriv() {
  for (const char* dir : {"/usr/bin", "/bin", "/usr/sbin", "/sbin"}) {
    if (::access((std::string(dir) + "/setpriv").c_str(), X_OK) == 0) return true;
  }
  return false;
}

// Runs `script` with sh as the other user, stdin from `input` (opened here,
// as root) or /dev/null; returns its exit status.
int as_other_user(const std::string& script, const std::string& input = "/dev/null") {
  pid_t pid = fork();
  if (pid == 0) {
    int in = ::open(input.c_str(), O_RDONLY);
    if (in < 0 || dup2(in, STDIN_FILENO) < 0) _exit(126);
    execlp("setpriv", "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "sh", "-c", script.c_str(),
           static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

mode_t mode_of(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0 ? st.st_mode & 07777 : 0;
}

class ForeignDirectoryTest : public ModuleTest {
 protected:
  void SetUp() override {
    ModuleTest::SetUp();
    std::string why;
    if (geteuid() != 0)
      why = "not root: cannot act as another user (setpriv needs root)";
    else if (!have_setpriv())
      why = "setpriv (util-linux) not found";
    if (!why.empty()) {
      const char* all = std::getenv("ECERT_REQUIRE_ALL_TESTS");
      if (all != nullptr && std::strcmp(all, "1") == 0) FAIL() << "cannot run: " << why;
      GTEST_SKIP() << why;
    }
    // The other user may pass through the test's directory, not list it.
    ASSERT_EQ(::chmod(dir().c_str(), 0711), 0);
  }

  // Points the module at `path` and starts it again.
  void use_directory(const std::string& path) {
    setenv("ECERT_TOKEN_DIR", path.c_str(), 1);
    restart();
  }

  // A directory the other user made for everyone: theirs, mode 0777.
  std::string foreign_directory(const std::string& name) {
    std::string path = dir() + "/" + name;
    EXPECT_EQ(as_other_user("true"), 0) << "setpriv does not run";
    EXPECT_EQ(::mkdir(path.c_str(), 0700), 0);
    EXPECT_EQ(::chown(path.c_str(), kOther, kOther), 0);
    EXPECT_EQ(as_other_user("chmod 0777 '" + path + "'"), 0);
    return path;
  }

  // Lets the other user write in our token directory `d` for `script` only,
  // as if the directory had been open to them at that moment.
  void other_user_writes_in(const std::string& d, const std::string& script, const std::string& input = "/dev/null") {
    ASSERT_EQ(::chmod(d.c_str(), 0777), 0);
    EXPECT_EQ(as_other_user(script, input), 0) << script;
    ASSERT_EQ(::chmod(d.c_str(), 0700), 0);
  }

  // The token directory's own names, sorted.
  static std::vector<std::string> names_in(const std::string& d) {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(d)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }

  CK_RV init_token_rv(CK_SLOT_ID slot) {
    CK_UTF8CHAR label[32];
    std::memset(label, ' ', sizeof label);
    return p11()->C_InitToken(slot, pin_ptr(kSoPin), pin_len(kSoPin), label);
  }

  // The slot's token is refused, and refuses what would write to it.
  void expect_refused(CK_SLOT_ID slot) {
    std::vector<CK_SLOT_ID> list = slots();
    EXPECT_NE(std::find(list.begin(), list.end(), slot), list.end()) << "the slot is still listed";
    CK_TOKEN_INFO info;
    EXPECT_EQ(p11()->C_GetTokenInfo(slot, &info), CKR_TOKEN_NOT_RECOGNIZED);
    CK_SESSION_HANDLE s;
    CK_RV rv = p11()->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr, &s);
    EXPECT_EQ(rv, CKR_TOKEN_NOT_RECOGNIZED);
    if (rv == CKR_OK) p11()->C_CloseSession(s);
    EXPECT_EQ(init_token_rv(slot), CKR_TOKEN_NOT_RECOGNIZED);
  }
};

// The report: a 0777 directory of another user, used without a word.
TEST_F(ForeignDirectoryTest, DirectoryOfAnotherUserGivesNoSlotAndNoToken) {
  std::string shared = foreign_directory("shared");
  use_directory(shared);
  EXPECT_TRUE(slots().empty()) << "a slot from another user's directory";
  EXPECT_EQ(init_token_rv(0), CKR_SLOT_ID_INVALID);
  // Not even for an issuer who asks for a spare slot.
  setenv("ECERT_TOKEN_SPARE_SLOT", "1", 1);
  restart();
  EXPECT_TRUE(slots().empty());
  EXPECT_EQ(init_token_rv(0), CKR_SLOT_ID_INVALID);
  EXPECT_TRUE(names_in(shared).empty()) << "something was made in another user's directory";
}

// The spare slot of a directory that did not exist yet: when another user
// makes the directory before C_InitToken, no token is made there.
TEST_F(ForeignDirectoryTest, SpareSlotMakesNoTokenInADirectoryAnotherUserMadeMeanwhile) {
  std::string later = dir() + "/later";
  use_directory(later);
  std::vector<CK_SLOT_ID> list = slots();
  ASSERT_EQ(list.size(), 1u);
  foreign_directory("later");
  EXPECT_NE(init_token_rv(list[0]), CKR_OK);
  EXPECT_TRUE(names_in(later).empty()) << "something was made in another user's directory";
  EXPECT_TRUE(slots().empty()) << "the spare slot stayed";
}

TEST_F(ForeignDirectoryTest, OwnDirectoryWritableByOthersOrSymlinkedGivesNoSlot) {
  std::string mine = dir() + "/mine";
  use_directory(mine);
  CK_SLOT_ID slot = ready_token("mine");
  p11()->C_Finalize(nullptr);
  for (mode_t mode : {0777, 0770, 0702}) {
    ASSERT_EQ(::chmod(mine.c_str(), mode), 0);
    ASSERT_EQ(p11()->C_Initialize(nullptr), CKR_OK);
    EXPECT_TRUE(slots().empty()) << "mode " << std::oct << mode;
    EXPECT_EQ(init_token_rv(slot), CKR_SLOT_ID_INVALID);
    p11()->C_Finalize(nullptr);
  }
  // Readable by others is no risk to the directory (the files are 0600).
  ASSERT_EQ(::chmod(mine.c_str(), 0755), 0);
  ASSERT_EQ(p11()->C_Initialize(nullptr), CKR_OK);
  EXPECT_EQ(slots(), std::vector<CK_SLOT_ID>{slot});
  EXPECT_EQ(token_info(slot).flags & CKF_TOKEN_INITIALIZED, CKF_TOKEN_INITIALIZED);
  // A symbolic link to it, also one with a trailing slash, is refused.
  std::string link = dir() + "/link";
  ASSERT_EQ(::symlink(mine.c_str(), link.c_str()), 0);
  use_directory(link);
  EXPECT_TRUE(slots().empty());
  use_directory(link + "/");
  EXPECT_TRUE(slots().empty());
  use_directory(mine);
  EXPECT_EQ(slots(), std::vector<CK_SLOT_ID>{slot});
}

// Token files the user does not alone control: the slot is there, its token
// refused, the file never written.
TEST_F(ForeignDirectoryTest, TokenFileNotTheUsersOwnIsRefusedAndNeverWritten) {
  CK_SLOT_ID good = ready_token("good");
  ASSERT_LT(good, 5u);
  std::string source = dir() + "/token-" + std::to_string(good) + ".sqlite";
  std::string copy = dir() + "/copy.sqlite";  // a good token, to plant
  p11()->C_Finalize(nullptr);
  fs::copy_file(source, copy);
  std::string planted = dir() + "/token-5.sqlite";
  auto check = [&](const char* what) {
    SCOPED_TRACE(what);
    Bytes before = read_all(planted);
    ASSERT_FALSE(before.empty());
    ASSERT_EQ(p11()->C_Initialize(nullptr), CKR_OK);
    expect_refused(5);
    EXPECT_EQ(token_info(good).flags & CKF_TOKEN_INITIALIZED, CKF_TOKEN_INITIALIZED) << "the good token";
    p11()->C_Finalize(nullptr);
    EXPECT_TRUE(read_all(planted) == before) << "the refused file was written";
    EXPECT_FALSE(fs::exists(planted + "-wal"));
    EXPECT_FALSE(fs::exists(planted + ".lock"));
    fs::remove(planted);
  };
  // Planted by the other user, 0666.
  other_user_writes_in(dir(), "umask 0; cat > '" + planted + "'", copy);
  ASSERT_EQ(mode_of(planted), 0666u);
  check("the other user's 0666 file");
  // Planted by the other user, 0600: still theirs to read and change.
  other_user_writes_in(dir(), "umask 077; cat > '" + planted + "'", copy);
  check("the other user's 0600 file");
  // Ours, but open to others.
  for (mode_t mode : {0666, 0620, 0644, 0400}) {
    fs::copy_file(copy, planted);
    ASSERT_EQ(::chmod(planted.c_str(), mode), 0);
    check(("our file, mode " + std::to_string(mode)).c_str());
  }
  // Ours, 0600, but with a second name.
  std::string other_name = dir() + "/elsewhere.sqlite";
  fs::copy_file(copy, other_name);
  ASSERT_EQ(::chmod(other_name.c_str(), 0600), 0);
  ASSERT_EQ(::link(other_name.c_str(), planted.c_str()), 0);
  check("a hard link");
  // A symbolic link to a good copy.
  ASSERT_EQ(::chmod(copy.c_str(), 0600), 0);
  ASSERT_EQ(::symlink(copy.c_str(), planted.c_str()), 0);
  {
    SCOPED_TRACE("a symbolic link");
    ASSERT_EQ(p11()->C_Initialize(nullptr), CKR_OK);
    expect_refused(5);
    p11()->C_Finalize(nullptr);
  }
  ASSERT_EQ(p11()->C_Initialize(nullptr), CKR_OK);
}

// The other user swaps in empty -wal and -shm files of their own while the
// token is idle, to collect what the SO writes next (the salt and wrapped key
// of the envelope PIN): the token is refused and nothing goes to them.
TEST_F(ForeignDirectoryTest, WalAndShmOfAnotherUserAreRefusedAndNeverWritten) {
  CK_SLOT_ID slot = init_token("e-Cert");
  p11()->C_Finalize(nullptr);
  std::string token = dir() + "/token-" + std::to_string(slot) + ".sqlite";
  ASSERT_FALSE(fs::exists(token + "-wal")) << "not idle";
  Bytes before = read_all(token);
  other_user_writes_in(dir(), "umask 0; : > '" + token + "-wal'; : > '" + token + "-shm'");
  ASSERT_EQ(mode_of(token + "-wal"), 0666u);
  // What the other user keeps open, to read later.
  int wal = ::open((token + "-wal").c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(wal, 0);
  auto wal_size = [wal] {
    struct stat st;
    return ::fstat(wal, &st) == 0 ? st.st_size : -1;
  };
  ASSERT_EQ(p11()->C_Initialize(nullptr), CKR_OK);
  expect_refused(slot);
  // The SO sets the envelope PIN, if the token lets them.
  CK_SESSION_HANDLE s;
  if (p11()->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr, &s) == CKR_OK) {
    if (login(s, CKU_SO, kSoPin) == CKR_OK) p11()->C_InitPIN(s, pin_ptr(kEnvelopePin), pin_len(kEnvelopePin));
    p11()->C_CloseSession(s);
  }
  p11()->C_Finalize(nullptr);
  EXPECT_EQ(wal_size(), 0) << "the token wrote into the other user's -wal";
  ::close(wal);
  EXPECT_TRUE(fs::exists(token + "-wal") && fs::file_size(token + "-wal") == 0);
  EXPECT_TRUE(fs::exists(token + "-shm") && fs::file_size(token + "-shm") == 0) << "the other user's -shm";
  EXPECT_TRUE(read_all(token) == before);
  // Gone again, the token is the user's as before.
  fs::remove(token + "-wal");
  fs::remove(token + "-shm");
  ASSERT_EQ(p11()->C_Initialize(nullptr), CKR_OK);
  set_envelope_pin(slot);
  EXPECT_EQ(token_info(slot).flags & CKF_USER_PIN_INITIALIZED, CKF_USER_PIN_INITIALIZED);
}

// The PIN lock file (token-N.sqlite.lock): one of the other user's, found
// when the token is opened, refuses the token; one swapped in while it is
// open refuses the PIN operation.
TEST_F(ForeignDirectoryTest, LockFileOfAnotherUserIsRefused) {
  CK_SLOT_ID slot = ready_token("e-Cert");
  std::string lock = dir() + "/token-" + std::to_string(slot) + ".sqlite.lock";
  ASSERT_TRUE(fs::exists(lock));
  // While the token is open.
  CK_SESSION_HANDLE s = open(slot);
  fs::remove(lock);
  other_user_writes_in(dir(), "umask 0; : > '" + lock + "'");
  EXPECT_EQ(login(s, CKU_USER, kUserPin), CKR_DEVICE_ERROR);
  EXPECT_EQ(p11()->C_CloseSession(s), CKR_OK);
  // When the token is opened.
  restart();
  expect_refused(slot);
  // Ours again: usable.
  fs::remove(lock);
  restart();
  s = open_user_session(slot);
  EXPECT_EQ(p11()->C_CloseSession(s), CKR_OK);
  EXPECT_EQ(mode_of(lock), 0600u);
}

}  // namespace
}  // namespace ecert::test
