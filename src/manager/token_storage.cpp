// The manager's own look at the token directory and files (why:
// token_storage.h): lstat() on the directory and fstatat() without following
// links on each name the module would open in it, judged by the module's
// rules, and a translated explanation of the first fault found, with what the
// user must change.
#include "manager/token_storage.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <regex>
#include <vector>

#include "common/token_location.h"
#include "manager/i18n.h"

namespace ecert::manager {
namespace {

// The names the module opens in the directory (src/store/token_directory.cpp
// and the files SQLite and the PIN lock put beside a token).
bool is_token_file(const std::string& name) {
  static const std::regex pattern(R"(token-(0|[1-9][0-9]{0,8})\.sqlite(-wal|-shm|-journal|\.lock)?)");
  return std::regex_match(name, pattern);
}

std::optional<StorageFault> file_fault(const struct stat& st) {
  if (S_ISLNK(st.st_mode)) return StorageFault::symlink;
  if (!S_ISREG(st.st_mode)) return StorageFault::wrong_type;
  if (st.st_uid != geteuid()) return StorageFault::other_owner;
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) return StorageFault::writable_by_others;
  if ((st.st_mode & (S_IRGRP | S_IROTH)) != 0) return StorageFault::readable_by_others;
  if ((st.st_mode & 07777) != 0600) return StorageFault::wrong_mode;
  if (st.st_nlink != 1) return StorageFault::hard_links;
  return std::nullopt;
}

std::string format_path(const char* pattern, const std::string& path, unsigned mode = 0) {
  const int n = std::snprintf(nullptr, 0, pattern, path.c_str(), mode);
  std::string out(n > 0 ? static_cast<std::size_t>(n) : 0, '\0');
  std::snprintf(out.data(), out.size() + 1, pattern, path.c_str(), mode);
  return out;
}

// Two sentences in a row: Chinese puts no blank after 。
std::string sentences(const std::string& first, const char* second) {
  const char* pattern = tr("%s %s");
  const int n = std::snprintf(nullptr, 0, pattern, first.c_str(), second);
  std::string out(n > 0 ? static_cast<std::size_t>(n) : 0, '\0');
  std::snprintf(out.data(), out.size() + 1, pattern, first.c_str(), second);
  return out;
}

}  // namespace

std::string token_directory() { return token_directory_path(); }

std::optional<StorageProblem> find_storage_problem() {
  std::string dir = token_directory();
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  StorageProblem problem{dir, true};
  struct stat st;
  if (lstat(dir.c_str(), &st) != 0) return std::nullopt;  // none yet, or nothing we can say
  problem.mode = st.st_mode & 07777;
  if (S_ISLNK(st.st_mode)) return problem.fault = StorageFault::symlink, problem;
  if (!S_ISDIR(st.st_mode)) return problem.fault = StorageFault::wrong_type, problem;
  if (st.st_uid != geteuid()) return problem.fault = StorageFault::other_owner, problem;
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) return problem.fault = StorageFault::writable_by_others, problem;

  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return std::nullopt;
  std::vector<std::string> names;
  while (const dirent* e = readdir(d)) {
    if (is_token_file(e->d_name)) names.emplace_back(e->d_name);
  }
  std::sort(names.begin(), names.end());
  std::optional<StorageProblem> found;
  for (const std::string& name : names) {
    if (fstatat(dirfd(d), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    if (auto fault = file_fault(st)) {
      found = StorageProblem{dir + "/" + name, false, *fault, static_cast<unsigned>(st.st_mode & 07777)};
      break;
    }
  }
  closedir(d);
  return found;
}

std::string describe_storage_problem(const StorageProblem& p) {
  const char* what = nullptr;
  if (p.directory) {
    switch (p.fault) {
      case StorageFault::symlink:
        what = tr("The token directory %s is a symbolic link.");
        break;
      case StorageFault::wrong_type:
        what = tr("The token directory %s is not a directory.");
        break;
      case StorageFault::other_owner:
        what = tr("The token directory %s belongs to another user.");
        break;
      default:
        what = tr("The token directory %s is writable by other users.");
        break;
    }
    return sentences(format_path(what, p.path),
                     tr("For safety, the e-Cert Token module neither uses nor makes tokens there until the directory "
                        "belongs to you and only you may change it (for example mode 0700)."));
  }
  switch (p.fault) {
    case StorageFault::symlink:
      what = tr("The token file %s is a symbolic link.");
      break;
    case StorageFault::wrong_type:
      what = tr("The token file %s is not a regular file.");
      break;
    case StorageFault::other_owner:
      what = tr("The token file %s belongs to another user.");
      break;
    case StorageFault::writable_by_others:
      what = tr("The token file %s is writable by other users.");
      break;
    case StorageFault::readable_by_others:
      what = tr("The token file %s is readable by other users.");
      break;
    case StorageFault::wrong_mode:
      // TRANSLATORS: %04o is the file's permissions in octal, such as 0400.
      what = tr("The token file %s has the permissions %04o, not 0600.");
      break;
    case StorageFault::hard_links:
      what = tr("The token file %s has another name as well (a hard link).");
      break;
  }
  return sentences(
      format_path(what, p.path, p.mode),
      tr("For safety, the e-Cert Token module does not use that token until the file belongs to you, has the "
         "permissions 0600 and has no other name."));
}

}  // namespace ecert::manager
