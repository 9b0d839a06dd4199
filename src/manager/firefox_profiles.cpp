// Reading Firefox's list of profiles: the profiles.ini files under
// ~/.mozilla/firefox and $XDG_CONFIG_HOME/mozilla/firefox (once if both are
// the same file), and their [Profile0], [Profile1], ... sections up to the
// first gap, as Firefox reads them, with relative paths made absolute.
#include "manager/firefox_profiles.h"

#include <INIReader.h>

#include <stdexcept>
#include <system_error>

namespace ecert::manager {

std::vector<std::filesystem::path> firefox_profiles_ini_files(const std::filesystem::path& home,
                                                              const std::filesystem::path& config_home) {
  std::vector<std::filesystem::path> found;
  for (const auto& dir : {home / ".mozilla" / "firefox", config_home / "mozilla" / "firefox"}) {
    std::filesystem::path ini = dir / "profiles.ini";
    std::error_code ec;
    if (!std::filesystem::is_regular_file(ini, ec)) continue;
    bool seen = false;
    for (const auto& earlier : found) seen = seen || std::filesystem::equivalent(earlier, ini, ec);
    if (!seen) found.push_back(ini);
  }
  return found;
}

std::vector<FirefoxProfile> read_firefox_profiles(const std::filesystem::path& profiles_ini) {
  INIReader ini(profiles_ini.string());
  if (ini.ParseError() < 0) throw std::runtime_error("cannot read " + profiles_ini.string());
  if (ini.ParseError() > 0)
    throw std::runtime_error(profiles_ini.string() + ": syntax error on line " + std::to_string(ini.ParseError()));

  std::vector<FirefoxProfile> profiles;
  const std::filesystem::path base = profiles_ini.parent_path();
  // Firefox stops at the first missing number too, so a profile it does not
  // know about is not one we register the module in.
  for (int n = 0;; ++n) {
    const std::string section = "Profile" + std::to_string(n);
    if (!ini.HasSection(section)) break;
    const std::string path = ini.Get(section, "Path", "");
    if (path.empty()) continue;
    const bool relative = ini.GetInteger(section, "IsRelative", 0) == 1;
    std::filesystem::path dir = relative ? base / path : std::filesystem::path(path);
    profiles.push_back({ini.Get(section, "Name", ""), dir.lexically_normal()});
  }
  return profiles;
}

}  // namespace ecert::manager
