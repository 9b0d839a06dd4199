// The PIN lock (store/pin_lock.h): held, it excludes every other open of the
// lock file; released, it is free even while a child forked meanwhile (as a
// browser's zygote forks without exec) still has the descriptor open.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "store/pin_lock.h"

namespace ecert::store {
namespace {

class PinLockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ecert-pinlock-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    token_ = dir_ + "/token-0.sqlite";
  }
  void TearDown() override {
    unlink(PinLock::path_for(token_).c_str());
    rmdir(dir_.c_str());
  }
  // Whether another open file description can take the lock now.
  bool free_now() {
    int fd = open(PinLock::path_for(token_).c_str(), O_RDWR | O_CLOEXEC);
    EXPECT_GE(fd, 0);
    bool got = flock(fd, LOCK_EX | LOCK_NB) == 0;
    close(fd);
    return got;
  }
  std::string dir_, token_;
};

TEST_F(PinLockTest, HeldItExcludesOthersReleasedItIsFree) {
  {
    PinLock lock(token_);
    EXPECT_FALSE(free_now());
    struct stat st;
    ASSERT_EQ(stat(PinLock::path_for(token_).c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
  }
  EXPECT_TRUE(free_now());
}

TEST_F(PinLockTest, AChildForkedWhileHeldDoesNotKeepIt) {
  pid_t child = -1;
  {
    PinLock lock(token_);
    child = fork();
    if (child == 0) {
      pause();  // holds the inherited descriptor until killed
      _exit(0);
    }
    ASSERT_GT(child, 0);
  }
  EXPECT_TRUE(free_now()) << "the lock stayed held by the forked child";
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
}

TEST_F(PinLockTest, MovedTheLockIsReleasedOnce) {
  {
    PinLock first(token_);
    PinLock second(std::move(first));
    EXPECT_FALSE(free_now());
  }
  EXPECT_TRUE(free_now());
}

}  // namespace
}  // namespace ecert::store
