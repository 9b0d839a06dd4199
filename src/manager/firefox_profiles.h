// Where a user's Firefox profiles are: the [ProfileN] sections of Firefox's
// profiles.ini.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace ecert::manager {

struct FirefoxProfile {
  std::string name;                 // Name= (what Firefox's profile manager shows)
  std::filesystem::path directory;  // absolute
};

// The profiles.ini files Firefox may use: ~/.mozilla/firefox (the place for
// as long as Firefox has run on Linux) and $XDG_CONFIG_HOME/mozilla/firefox
// (where releases with XDG support, Mozilla bug 259356, start new users who
// have no ~/.mozilla). Only those that exist, in that
// order; the same file reached twice through a symlink is listed once.
std::vector<std::filesystem::path> firefox_profiles_ini_files(const std::filesystem::path& home,
                                                              const std::filesystem::path& config_home);

// The profiles listed in `profiles_ini`, in the file's order. Like Firefox,
// reads [Profile0], [Profile1], ... up to the first number that is missing;
// Path= is taken relative to the file's directory when IsRelative=1 and as
// an absolute path otherwise. Sections without a Path= are left out. The
// directories are not checked: a listed profile may have been deleted.
// Throws std::runtime_error when the file cannot be read or has a syntax
// error (then none of its profiles is returned: a damaged file is not a list
// to act on).
std::vector<FirefoxProfile> read_firefox_profiles(const std::filesystem::path& profiles_ini);

}  // namespace ecert::manager
