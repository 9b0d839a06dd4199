// Where snap and flatpak keep the data of the browsers the manager knows
// (Firefox, Chromium, Chrome): a browser counts as installed that way when its
// directory exists in the user's home. Nothing there is read or changed.
#include "manager/sandboxed_browsers.h"

#include <system_error>

namespace ecert::manager {

std::vector<SandboxedBrowser> find_sandboxed_browsers(const std::filesystem::path& home) {
  using Packaging = SandboxedBrowser::Packaging;
  const SandboxedBrowser known[] = {
      {Packaging::snap, "firefox", home / "snap" / "firefox"},
      {Packaging::snap, "chromium", home / "snap" / "chromium"},
      {Packaging::flatpak, "firefox", home / ".var" / "app" / "org.mozilla.firefox"},
      {Packaging::flatpak, "chromium", home / ".var" / "app" / "org.chromium.Chromium"},
      {Packaging::flatpak, "chrome", home / ".var" / "app" / "com.google.Chrome"},
  };
  std::vector<SandboxedBrowser> found;
  for (const SandboxedBrowser& candidate : known) {
    std::error_code ec;
    if (std::filesystem::is_directory(candidate.data_dir, ec)) found.push_back(candidate);
  }
  return found;
}

}  // namespace ecert::manager
