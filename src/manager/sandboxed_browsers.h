// Browsers installed as snap or flatpak packages. Their sandbox keeps them
// from reaching the token directory (hidden, under ~/.local/share), so a
// module registered in them would show no token; they are not registered in,
// and are found only to tell the user why the token will not show up there.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace ecert::manager {

struct SandboxedBrowser {
  enum class Packaging { snap, flatpak };
  Packaging packaging;
  std::string browser;             // "firefox", "chromium" or "chrome"
  std::filesystem::path data_dir;  // the per-user directory that showed it
};

// The sandboxed browsers the user has run: those whose per-user directory
// exists (~/snap/firefox, ~/snap/chromium, ~/.var/app/org.mozilla.firefox,
// ~/.var/app/org.chromium.Chromium, ~/.var/app/com.google.Chrome).
std::vector<SandboxedBrowser> find_sandboxed_browsers(const std::filesystem::path& home);

}  // namespace ecert::manager
