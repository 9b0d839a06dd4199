// The rule of token_location.h in code: the first of $ECERT_TOKEN_DIR, an
// absolute $XDG_DATA_HOME and the home directory ($HOME, else the password
// database) that is set. It only reads the environment; nothing is created or
// checked here.
#include "common/token_location.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>

namespace ecert {
namespace {

std::string home_directory() {
  const char* home = std::getenv("HOME");
  if (home != nullptr && *home != '\0') return home;
  struct passwd pw;
  struct passwd* found = nullptr;
  char buf[4096];
  if (getpwuid_r(getuid(), &pw, buf, sizeof buf, &found) == 0 && found != nullptr) return found->pw_dir;
  return "/";
}

}  // namespace

std::string token_directory_path() {
  const char* dir = std::getenv("ECERT_TOKEN_DIR");
  if (dir != nullptr && *dir != '\0') return dir;
  const char* xdg = std::getenv("XDG_DATA_HOME");
  if (xdg != nullptr && *xdg == '/') return std::string(xdg) + "/ecert-token";
  return home_directory() + "/.local/share/ecert-token";
}

}  // namespace ecert
