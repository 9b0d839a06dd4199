// Browser registration against NSS's real modutil/certutil and the built
// module, in a scratch home directory: Firefox-style profiles, ~/.pki/nssdb,
// the p11-kit module file, running-Firefox locks and sandboxed browsers.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "manager/browser.h"
#include "manager/firefox_profiles.h"
#include "manager/subprocess.h"

namespace ecert::manager {
namespace {

namespace fs = std::filesystem;
using State = BrowserTarget::State;
using Action = BrowserTarget::Action;
using Kind = BrowserTarget::Kind;
using Problem = BrowserTarget::Problem;

bool in_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path != nullptr ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');)
    if (!dir.empty() && ::access((fs::path(dir) / program).c_str(), X_OK) == 0) return true;
  return false;
}

std::string read_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_file(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << text;
}

// Sets an environment variable for one test and puts the old value back.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_)
      ::setenv(name_, old_->c_str(), 1);
    else
      ::unsetenv(name_);
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// A child process holding Firefox's fcntl() lock on a profile's .parentlock
// until destroyed (a lock of our own process would not show in F_GETLK).
class ParentLockHolder {
 public:
  explicit ParentLockHolder(const fs::path& profile) {
    int ready[2], release[2];
    if (::pipe(ready) != 0 || ::pipe(release) != 0) return;
    const std::string file = (profile / ".parentlock").string();
    pid_ = ::fork();
    if (pid_ == 0) {
      ::close(ready[0]);
      ::close(release[1]);
      int fd = ::open(file.c_str(), O_RDWR | O_CREAT, 0644);
      struct flock lock = {};
      lock.l_type = F_WRLCK;
      lock.l_whence = SEEK_SET;
      char ok = (fd >= 0 && ::fcntl(fd, F_SETLK, &lock) == 0) ? '1' : '0';
      (void)!::write(ready[1], &ok, 1);
      char c;
      (void)!::read(release[0], &c, 1);
      ::_exit(0);
    }
    ::close(ready[1]);
    ::close(release[0]);
    release_ = release[1];
    char ok = '0';
    locked_ = ::read(ready[0], &ok, 1) == 1 && ok == '1';
    ::close(ready[0]);
  }
  ~ParentLockHolder() {
    if (release_ >= 0) ::close(release_);
    if (pid_ > 0) ::waitpid(pid_, nullptr, 0);
  }
  ParentLockHolder(const ParentLockHolder&) = delete;
  ParentLockHolder& operator=(const ParentLockHolder&) = delete;
  bool locked() const { return locked_; }

 private:
  pid_t pid_ = -1;
  int release_ = -1;
  bool locked_ = false;
};

// A pid that no process has: a child that has been reaped.
pid_t dead_pid() {
  pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
  ::waitpid(pid, nullptr, 0);
  return pid;
}

class BrowserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!in_path("modutil") || !in_path("certutil")) GTEST_SKIP() << "modutil/certutil (libnss3-tools) not installed";
    char tmpl[] = "/tmp/ecert-browser-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    // modutil loads the module; it must find its tokens here, made cheaply.
    token_dir_.emplace("ECERT_TOKEN_DIR", (root_ / "tokens").string());
    kdf_.emplace("ECERT_TOKEN_KDF", "test");
    // Sanitizer builds: modutil (not a sanitizer build) loads the module, so
    // it needs the runtime preloaded, without leak checks (it leaks by design).
    // Set here, the variables reach only the children.
#ifdef ECERT_PEER_PRELOAD_DEFAULT
    preload_.emplace("LD_PRELOAD", ECERT_PEER_PRELOAD_DEFAULT);
    asan_options_.emplace("ASAN_OPTIONS", "detect_leaks=0");
#endif

    env_.home = root_ / "home";
    env_.config_home = root_ / "home" / ".config";
    relative_profile_ = env_.home / ".mozilla" / "firefox" / "abcd1234.default-esr";
    absolute_profile_ = root_ / "elsewhere" / "work profile";
    write_file(env_.home / ".mozilla" / "firefox" / "profiles.ini",
               "[General]\nStartWithLastProfile=1\nVersion=2\n\n"
               "[Profile0]\nName=default-esr\nIsRelative=1\nPath=abcd1234.default-esr\nDefault=1\n\n"
               "[Profile1]\nName=work\nIsRelative=0\nPath=" +
                   absolute_profile_.string() + "\n\n[Install4F96D1932A9F858E]\nDefault=abcd1234.default-esr\n");
    // The relative one has a database already, as a profile Firefox has
    // opened; the absolute one is a fresh directory without one.
    fs::create_directories(relative_profile_);
    fs::create_directories(absolute_profile_);
    ASSERT_EQ(run_program({"certutil", "-N", "-d", "sql:" + relative_profile_.string(), "--empty-password"}).exit_code,
              0);
  }

  void TearDown() override {
    if (!root_.empty()) fs::remove_all(root_);
  }

  // What `modutil -list` says about the database in `dir`.
  static std::string modutil_list(const fs::path& dir) {
    return run_program({"modutil", "-dbdir", "sql:" + dir.string(), "-list"}).out;
  }

  static bool lists_module(const fs::path& dir, const fs::path& library) {
    std::string out = modutil_list(dir);
    return out.find(kSecurityDeviceName) != std::string::npos &&
           out.find("library name: " + library.string() + "\n") != std::string::npos;
  }

  static const BrowserTarget* find(const std::vector<BrowserTarget>& results, Kind kind, const fs::path& path) {
    for (const auto& t : results)
      if (t.kind == kind && t.path == path) return &t;
    return nullptr;
  }

  fs::path nssdb() const { return env_.home / ".pki" / "nssdb"; }
  fs::path p11kit_file() const { return env_.config_home / "pkcs11" / "modules" / "ecert-token.module"; }

  fs::path root_;
  std::optional<ScopedEnv> token_dir_, kdf_, preload_, asan_options_;
  BrowserEnvironment env_;
  fs::path relative_profile_, absolute_profile_;
  const fs::path module_ = ECERT_MODULE_PATH;
};

TEST_F(BrowserTest, ReadsRelativeAndAbsoluteProfilesInFileOrder) {
  auto files = firefox_profiles_ini_files(env_.home, env_.config_home);
  ASSERT_EQ(files.size(), 1u);
  auto profiles = read_firefox_profiles(files[0]);
  ASSERT_EQ(profiles.size(), 2u);
  EXPECT_EQ(profiles[0].name, "default-esr");
  EXPECT_EQ(profiles[0].directory, relative_profile_);
  EXPECT_EQ(profiles[1].name, "work");
  EXPECT_EQ(profiles[1].directory, absolute_profile_);
}

// Whether p11-kit reads the user's module file is p11-kit's rule, not ours:
// the flag must say what `p11-kit list-modules` (as this user, with this
// HOME) does, and only the p11-kit file gets it.
TEST_F(BrowserTest, P11KitFileIsFlaggedWhenP11KitIgnoresItForRoot) {
  env_.root = ::geteuid() == 0;
  auto installed = browser_install(env_, module_);
  const BrowserTarget* file = find(installed, Kind::p11kit_file, p11kit_file());
  ASSERT_NE(file, nullptr);
  ASSERT_EQ(file->state, State::registered);
  for (const auto& t : installed) {
    if (&t == file) continue;
    EXPECT_FALSE(t.ignored_as_root) << t.path;
  }
#ifdef ECERT_PEER_PRELOAD_DEFAULT
  // p11-kit deadlocks at exit with the sanitizer runtime preloaded (see
  // interop's p11tool); the plain build compares the flag with p11-kit.
  EXPECT_EQ(file->ignored_as_root, env_.root);
#else
  const std::string listed = run_program({"p11-kit", "list-modules"},
                                         {{"HOME", env_.home.string()}, {"XDG_CONFIG_HOME", env_.config_home.string()}})
                                 .out;
  const bool p11kit_reads_it = listed.find(module_.string()) != std::string::npos;
  EXPECT_EQ(file->ignored_as_root, !p11kit_reads_it) << listed;
#endif

  env_.root = !env_.root;  // the flag follows the environment, not the process
  EXPECT_EQ(find(browser_status(env_, module_), Kind::p11kit_file, p11kit_file())->ignored_as_root, env_.root);
}

TEST_F(BrowserTest, InstallRegistersEverywhereThenRemoveLeavesNothing) {
  auto installed = browser_install(env_, module_);
  ASSERT_EQ(installed.size(), 4u);  // two profiles, ~/.pki/nssdb, the p11-kit file
  for (const auto& t : installed) {
    EXPECT_EQ(t.action, Action::added) << t.path << ": " << t.detail;
    EXPECT_EQ(t.state, State::registered) << t.path;
    EXPECT_EQ(t.registered_library, module_) << t.path;
  }
  EXPECT_EQ(installed[0].name, "default-esr");
  EXPECT_EQ(installed[1].name, "work");
  for (const auto& dir : {relative_profile_, absolute_profile_, nssdb()})
    EXPECT_TRUE(lists_module(dir, module_)) << dir << "\n" << modutil_list(dir);

  struct stat st;
  ASSERT_EQ(::stat(nssdb().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  ASSERT_EQ(::stat((nssdb() / "key4.db").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  // The created databases have their (empty) password set, as Firefox's own:
  // certutil can open the key store without asking for one.
  EXPECT_EQ(run_program({"certutil", "-K", "-d", "sql:" + absolute_profile_.string()}).err.find("authenticate"),
            std::string::npos);

  EXPECT_EQ(read_file(p11kit_file()),
            "# Written by `ecert-token browser install`, removed by `ecert-token browser remove`.\n"
            "module: " +
                module_.string() +
                "\n"
                "critical: no\n"
                "disable-in: firefox firefox-esr firefox-bin chromium chrome\n");
  ASSERT_EQ(::stat(p11kit_file().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0644u);

  for (const auto& t : browser_status(env_, module_)) {
    EXPECT_EQ(t.state, State::registered) << t.path;
    EXPECT_EQ(t.action, Action::none) << t.path;
  }

  auto removed = browser_remove(env_, module_);
  ASSERT_EQ(removed.size(), 4u);
  for (const auto& t : removed) {
    EXPECT_EQ(t.action, Action::removed) << t.path << ": " << t.detail;
    EXPECT_EQ(t.state, State::not_registered) << t.path;
  }
  for (const auto& dir : {relative_profile_, absolute_profile_, nssdb()}) {
    std::string listing = modutil_list(dir);
    EXPECT_NE(listing.find("NSS Internal PKCS #11 Module"), std::string::npos) << dir;
    EXPECT_EQ(listing.find(kSecurityDeviceName), std::string::npos) << dir;
  }
  EXPECT_FALSE(fs::exists(p11kit_file()));
  for (const auto& t : browser_status(env_, module_)) EXPECT_EQ(t.state, State::not_registered) << t.path;

  for (const auto& t : browser_remove(env_, module_)) EXPECT_EQ(t.action, Action::none) << t.path;
}

TEST_F(BrowserTest, InstallTwiceChangesNothing) {
  browser_install(env_, module_);
  const std::string modules_before = read_file(relative_profile_ / "pkcs11.txt");
  const std::string file_before = read_file(p11kit_file());

  auto again = browser_install(env_, module_);
  ASSERT_EQ(again.size(), 4u);
  for (const auto& t : again) {
    EXPECT_EQ(t.action, Action::none) << t.path << ": " << t.detail;
    EXPECT_EQ(t.state, State::registered) << t.path;
  }
  EXPECT_EQ(read_file(relative_profile_ / "pkcs11.txt"), modules_before);
  EXPECT_EQ(read_file(p11kit_file()), file_before);
  std::string listing = modutil_list(relative_profile_);
  EXPECT_EQ(listing.find(kSecurityDeviceName), listing.rfind(kSecurityDeviceName)) << "registered twice";
}

TEST_F(BrowserTest, AnEntryWithAnotherLibraryIsReplaced) {
  // An older copy of the module registered under the same name, e.g. from a
  // build tree that has since moved.
  const fs::path old_copy = root_ / "old" / "libecert-pkcs11.so";
  fs::create_directories(old_copy.parent_path());
  fs::copy_file(module_, old_copy);
  ASSERT_EQ(run_program({"modutil", "-dbdir", "sql:" + relative_profile_.string(), "-add", kSecurityDeviceName,
                         "-libfile", old_copy.string(), "-force"})
                .exit_code,
            0);

  auto status = browser_status(env_, module_);
  const BrowserTarget* before = find(status, Kind::firefox_profile, relative_profile_);
  ASSERT_NE(before, nullptr);
  EXPECT_EQ(before->state, State::registered_other_path);
  EXPECT_EQ(before->registered_library, old_copy);

  auto installed = browser_install(env_, module_);
  const BrowserTarget* after = find(installed, Kind::firefox_profile, relative_profile_);
  ASSERT_NE(after, nullptr);
  EXPECT_EQ(after->action, Action::replaced) << after->detail;
  EXPECT_EQ(after->state, State::registered);
  EXPECT_TRUE(lists_module(relative_profile_, module_));
  EXPECT_EQ(modutil_list(relative_profile_).find(old_copy.string()), std::string::npos);
}

TEST_F(BrowserTest, AProfileOpenInFirefoxIsRefusedAndOthersAreDone) {
  // Firefox's lock symlink, naming a live process (this one).
  fs::create_symlink("127.0.1.1:+" + std::to_string(::getpid()), relative_profile_ / "lock");
  const std::string modules_before = read_file(relative_profile_ / "pkcs11.txt");

  auto installed = browser_install(env_, module_);
  const BrowserTarget* open = find(installed, Kind::firefox_profile, relative_profile_);
  const BrowserTarget* closed = find(installed, Kind::firefox_profile, absolute_profile_);
  ASSERT_NE(open, nullptr);
  ASSERT_NE(closed, nullptr);
  EXPECT_TRUE(open->in_use);
  EXPECT_EQ(open->action, Action::refused);
  EXPECT_EQ(open->state, State::not_registered);
  EXPECT_EQ(read_file(relative_profile_ / "pkcs11.txt"), modules_before);
  EXPECT_FALSE(closed->in_use);
  EXPECT_EQ(closed->action, Action::added) << closed->detail;
  EXPECT_TRUE(lists_module(absolute_profile_, module_));

  // Remove is refused there too, and the profile can be done once closed.
  fs::remove(relative_profile_ / "lock");
  browser_install(env_, module_);
  fs::create_symlink("127.0.1.1:+" + std::to_string(::getpid()), relative_profile_ / "lock");
  auto removed = browser_remove(env_, module_);
  EXPECT_EQ(find(removed, Kind::firefox_profile, relative_profile_)->action, Action::refused);
  EXPECT_EQ(find(removed, Kind::firefox_profile, relative_profile_)->state, State::registered);
  EXPECT_TRUE(lists_module(relative_profile_, module_));
  EXPECT_EQ(find(removed, Kind::firefox_profile, absolute_profile_)->action, Action::removed);
}

TEST_F(BrowserTest, ALockOfAProcessThatIsGoneIsStale) {
  fs::create_symlink("127.0.1.1:+" + std::to_string(dead_pid()), relative_profile_ / "lock");
  auto installed = browser_install(env_, module_);
  const BrowserTarget* t = find(installed, Kind::firefox_profile, relative_profile_);
  ASSERT_NE(t, nullptr);
  EXPECT_FALSE(t->in_use);
  EXPECT_EQ(t->action, Action::added) << t->detail;
}

TEST_F(BrowserTest, AHeldParentlockMeansInUse) {
  ParentLockHolder holder(absolute_profile_);
  ASSERT_TRUE(holder.locked());
  auto installed = browser_install(env_, module_);
  const BrowserTarget* t = find(installed, Kind::firefox_profile, absolute_profile_);
  ASSERT_NE(t, nullptr);
  EXPECT_TRUE(t->in_use);
  EXPECT_EQ(t->action, Action::refused);
  EXPECT_FALSE(fs::exists(absolute_profile_ / "cert9.db"));  // not even the database was made
}

TEST_F(BrowserTest, SnapAndFlatpakBrowsersAreReportedAsUnsupported) {
  fs::create_directories(env_.home / "snap" / "firefox" / "common");
  fs::create_directories(env_.home / ".var" / "app" / "org.chromium.Chromium");
  auto status = browser_status(env_, module_);
  const BrowserTarget* snap = find(status, Kind::snap, env_.home / "snap" / "firefox");
  const BrowserTarget* flatpak = find(status, Kind::flatpak, env_.home / ".var" / "app" / "org.chromium.Chromium");
  ASSERT_NE(snap, nullptr);
  ASSERT_NE(flatpak, nullptr);
  EXPECT_EQ(snap->name, "firefox");
  EXPECT_EQ(snap->state, State::unsupported);
  EXPECT_EQ(flatpak->name, "chromium");
  EXPECT_EQ(flatpak->state, State::unsupported);
  EXPECT_EQ(find(status, Kind::snap, env_.home / "snap" / "chromium"), nullptr);

  auto installed = browser_install(env_, module_);
  EXPECT_EQ(find(installed, Kind::snap, env_.home / "snap" / "firefox")->action, Action::skipped);
  EXPECT_EQ(find(installed, Kind::flatpak, env_.home / ".var" / "app" / "org.chromium.Chromium")->action,
            Action::skipped);
  EXPECT_FALSE(fs::exists(env_.home / "snap" / "firefox" / "common" / "cert9.db"));
}

TEST_F(BrowserTest, AModuleThatDoesNotExistFailsEveryTargetAndChangesNothing) {
  const fs::path missing = root_ / "no-such-module.so";
  auto installed = browser_install(env_, missing);
  ASSERT_EQ(installed.size(), 4u);
  for (const auto& t : installed) {
    EXPECT_EQ(t.action, Action::failed) << t.path;
    EXPECT_EQ(t.problem, Problem::module_missing) << t.path;
    EXPECT_EQ(t.state, State::not_registered) << t.path;
  }
  EXPECT_FALSE(fs::exists(nssdb()));
  EXPECT_FALSE(fs::exists(absolute_profile_ / "cert9.db"));
  EXPECT_FALSE(fs::exists(p11kit_file()));
}

TEST_F(BrowserTest, MissingNssToolsAreReportedPerTarget) {
  env_.modutil = (root_ / "no-modutil").string();
  auto installed = browser_install(env_, module_);
  const BrowserTarget* t = find(installed, Kind::firefox_profile, relative_profile_);
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->state, State::error);
  EXPECT_EQ(t->action, Action::failed);
  EXPECT_EQ(t->problem, Problem::nss_tools_missing);
  // Without a browser that has the module, the p11-kit file disables nothing.
  EXPECT_EQ(read_file(p11kit_file()).find("disable-in"), std::string::npos);
}

TEST_F(BrowserTest, AListedProfileWhoseDirectoryIsGoneIsSkipped) {
  fs::remove_all(absolute_profile_);
  auto installed = browser_install(env_, module_);
  const BrowserTarget* t = find(installed, Kind::firefox_profile, absolute_profile_);
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->action, Action::skipped);
  EXPECT_EQ(t->problem, Problem::profile_missing);
  EXPECT_FALSE(fs::exists(absolute_profile_));
  EXPECT_EQ(find(installed, Kind::firefox_profile, relative_profile_)->action, Action::added);
}

TEST_F(BrowserTest, ProfilesUnderXdgConfigHomeAreFound) {
  const fs::path xdg_profile = env_.config_home / "mozilla" / "firefox" / "xyz.default-release";
  fs::create_directories(xdg_profile);
  write_file(env_.config_home / "mozilla" / "firefox" / "profiles.ini",
             "[Profile0]\nName=default-release\nIsRelative=1\nPath=xyz.default-release\n");
  auto installed = browser_install(env_, module_);
  const BrowserTarget* t = find(installed, Kind::firefox_profile, xdg_profile);
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->name, "default-release");
  EXPECT_EQ(t->action, Action::added) << t->detail;
  EXPECT_TRUE(lists_module(xdg_profile, module_));
}

TEST_F(BrowserTest, ADamagedProfilesIniIsAnErrorNotAGuess) {
  write_file(env_.home / ".mozilla" / "firefox" / "profiles.ini", "[Profile0\nPath=abcd1234.default-esr\n");
  auto installed = browser_install(env_, module_);
  ASSERT_FALSE(installed.empty());
  EXPECT_EQ(installed[0].kind, Kind::firefox_profile);
  EXPECT_EQ(installed[0].problem, Problem::profiles_ini_unreadable);
  EXPECT_EQ(installed[0].action, Action::failed);
  EXPECT_FALSE(lists_module(relative_profile_, module_));
  EXPECT_EQ(find(installed, Kind::chromium_nssdb, nssdb())->action, Action::added);
}

}  // namespace
}  // namespace ecert::manager
