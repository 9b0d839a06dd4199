// run_program() with posix_spawnp(): stdin from /dev/null, stdout and stderr
// into two pipes read together with poll() (so a child filling one cannot
// deadlock us), the caller's environment with a few variables replaced, the
// child's signal mask and SIGPIPE reset, and the exit status (128 + signal for
// a killed child). The child is always waited for, also when reading fails.
#include "manager/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

extern char** environ;

namespace ecert::manager {
namespace {

[[noreturn]] void throw_errno(int error, const char* what) {
  throw std::system_error(error, std::generic_category(), what);
}

class Fd {
 public:
  Fd() = default;
  ~Fd() { reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void adopt(int fd) {
    reset();
    fd_ = fd;
  }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

// Close-on-exec on both ends: the child gets only the copies dup2()ed onto
// its standard output and error, so EOF arrives once the child is gone.
struct Pipe {
  Pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw_errno(errno, "pipe2");
    read_end.adopt(fds[0]);
    write_end.adopt(fds[1]);
  }
  Fd read_end, write_end;
};

class FileActions {
 public:
  FileActions() {
    if (int e = posix_spawn_file_actions_init(&actions_)) throw_errno(e, "posix_spawn_file_actions_init");
  }
  ~FileActions() { posix_spawn_file_actions_destroy(&actions_); }
  FileActions(const FileActions&) = delete;
  FileActions& operator=(const FileActions&) = delete;
  posix_spawn_file_actions_t* get() { return &actions_; }

 private:
  posix_spawn_file_actions_t actions_;
};

class SpawnAttributes {
 public:
  // The child starts with no blocked signals and SIGPIPE at its default, so a
  // caller that ignores SIGPIPE or blocks signals does not pass that on.
  SpawnAttributes() {
    if (int e = posix_spawnattr_init(&attr_)) throw_errno(e, "posix_spawnattr_init");
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    posix_spawnattr_setsigmask(&attr_, &none);
    posix_spawnattr_setsigdefault(&attr_, &defaults);
    posix_spawnattr_setflags(&attr_, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  }
  ~SpawnAttributes() { posix_spawnattr_destroy(&attr_); }
  SpawnAttributes(const SpawnAttributes&) = delete;
  SpawnAttributes& operator=(const SpawnAttributes&) = delete;
  posix_spawnattr_t* get() { return &attr_; }

 private:
  posix_spawnattr_t attr_;
};

std::vector<std::string> child_environment(const std::vector<std::pair<std::string, std::string>>& overrides) {
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string entry(*e);
    bool replaced = false;
    for (const auto& [name, value] : overrides) replaced = replaced || entry.rfind(name + "=", 0) == 0;
    if (!replaced) env.push_back(std::move(entry));
  }
  for (const auto& [name, value] : overrides) env.push_back(name + "=" + value);
  return env;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Reads both pipes until both reach EOF; reading them together keeps a child
// that fills one pipe while we wait on the other from blocking forever.
void drain(Fd& out_fd, Fd& err_fd, std::string& out, std::string& err) {
  char buf[4096];
  while (out_fd.get() >= 0 || err_fd.get() >= 0) {
    pollfd fds[2] = {{out_fd.get(), POLLIN, 0}, {err_fd.get(), POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      throw_errno(errno, "poll");
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        (i == 0 ? out_fd : err_fd).reset();
        continue;
      }
      (i == 0 ? out : err).append(buf, static_cast<std::size_t>(n));
    }
  }
}

int wait_for(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw_errno(errno, "waitpid");
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 255;
}

}  // namespace

ProcessOutput run_program(const std::vector<std::string>& argv,
                          const std::vector<std::pair<std::string, std::string>>& env_overrides) {
  if (argv.empty()) throw std::system_error(std::make_error_code(std::errc::invalid_argument), "run_program");
  Pipe out, err;

  FileActions actions;
  posix_spawn_file_actions_addopen(actions.get(), STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(actions.get(), out.write_end.get(), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(actions.get(), err.write_end.get(), STDERR_FILENO);
  SpawnAttributes attributes;

  std::vector<std::string> args = argv;
  std::vector<std::string> env = child_environment(env_overrides);
  std::vector<char*> c_args = c_strings(args);
  std::vector<char*> c_env = c_strings(env);

  pid_t pid = -1;
  if (int e = posix_spawnp(&pid, c_args[0], actions.get(), attributes.get(), c_args.data(), c_env.data()))
    throw_errno(e, argv[0].c_str());
  // Our copies of the write ends must go, or the reads below never see EOF.
  out.write_end.reset();
  err.write_end.reset();

  ProcessOutput result;
  try {
    drain(out.read_end, err.read_end, result.out, result.err);
  } catch (...) {
    // No zombie left behind; closing our ends first keeps a child that is
    // still writing from blocking on a full pipe.
    out.read_end.reset();
    err.read_end.reset();
    wait_for(pid);
    throw;
  }
  result.exit_code = wait_for(pid);
  return result;
}

}  // namespace ecert::manager
