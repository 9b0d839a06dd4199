// `ecert-token browser install|remove|status`: the user guide's last step
// ("load the module into Firefox as the security device e-Cert Token") for
// every browser profile of the user at once.
#include <CLI/CLI.hpp>
#include <filesystem>

#include "cli/context.h"
#include "cli/exit_codes.h"
#include "manager/browser.h"
#include "manager/i18n.h"

namespace ecert::cli {
namespace {

using manager::BrowserTarget;
using manager::tr;

const char* kind_name(BrowserTarget::Kind k) {
  switch (k) {
    case BrowserTarget::Kind::firefox_profile:
      return "firefox";
    case BrowserTarget::Kind::chromium_nssdb:
      return "chromium";
    case BrowserTarget::Kind::p11kit_file:
      return "p11-kit";
    case BrowserTarget::Kind::snap:
      return "snap";
    case BrowserTarget::Kind::flatpak:
      return "flatpak";
  }
  return "";
}

const char* state_name(BrowserTarget::State s) {
  switch (s) {
    case BrowserTarget::State::registered:
      return "registered";
    case BrowserTarget::State::registered_other_path:
      return "registered_other_path";
    case BrowserTarget::State::not_registered:
      return "not_registered";
    case BrowserTarget::State::unsupported:
      return "unsupported";
    case BrowserTarget::State::error:
      return "error";
  }
  return "";
}

const char* action_name(BrowserTarget::Action a) {
  switch (a) {
    case BrowserTarget::Action::none:
      return "none";
    case BrowserTarget::Action::added:
      return "added";
    case BrowserTarget::Action::replaced:
      return "replaced";
    case BrowserTarget::Action::removed:
      return "removed";
    case BrowserTarget::Action::refused:
      return "refused";
    case BrowserTarget::Action::skipped:
      return "skipped";
    case BrowserTarget::Action::failed:
      return "failed";
  }
  return "";
}

std::string target_title(const BrowserTarget& t) {
  switch (t.kind) {
    case BrowserTarget::Kind::firefox_profile:
      return format(tr("Firefox profile \"%s\""), t.name.c_str());
    case BrowserTarget::Kind::chromium_nssdb:
      return tr("Chromium and Google Chrome");
    case BrowserTarget::Kind::p11kit_file:
      return tr("p11-kit (other programs)");
    case BrowserTarget::Kind::snap:
      return format(tr("%s (snap)"), t.name.c_str());
    case BrowserTarget::Kind::flatpak:
      return format(tr("%s (flatpak)"), t.name.c_str());
  }
  return t.name;
}

std::string problem_text(const BrowserTarget& t) {
  switch (t.problem) {
    case BrowserTarget::Problem::none:
      return "";
    case BrowserTarget::Problem::profiles_ini_unreadable:
      return tr("Firefox's list of profiles (profiles.ini) cannot be read.");
    case BrowserTarget::Problem::profile_missing:
      return tr("The profile's directory does not exist.");
    case BrowserTarget::Problem::module_missing:
      return tr("The module file does not exist.");
    case BrowserTarget::Problem::nss_tools_missing:
      return tr("NSS's tools (modutil, certutil) are not installed; on Debian install libnss3-tools.");
    case BrowserTarget::Problem::nss_tool_failed:
      return tr("NSS's modutil reported an error.");
    case BrowserTarget::Problem::file_error:
      return tr("A file could not be written.");
  }
  return "";
}

std::string state_text(const BrowserTarget& t) {
  switch (t.state) {
    case BrowserTarget::State::registered:
      return format(tr("the security device \"%s\" is loaded"), manager::kSecurityDeviceName);
    case BrowserTarget::State::registered_other_path:
      return format(tr("\"%s\" is loaded from another file: %s"), manager::kSecurityDeviceName,
                    t.registered_library.c_str());
    case BrowserTarget::State::not_registered:
      return tr("not loaded");
    case BrowserTarget::State::unsupported:
      return tr("not supported: the browser's sandbox cannot reach the token");
    case BrowserTarget::State::error:
      return tr("unknown");
  }
  return "";
}

std::string action_text(const BrowserTarget& t) {
  switch (t.action) {
    case BrowserTarget::Action::none:
      return "";
    case BrowserTarget::Action::added:
      return tr("added");
    case BrowserTarget::Action::replaced:
      return tr("replaced the entry that named another file");
    case BrowserTarget::Action::removed:
      return tr("removed");
    case BrowserTarget::Action::refused:
      return tr("not changed: Firefox is running with this profile; close Firefox and run the command again");
    case BrowserTarget::Action::skipped:
      return tr("skipped");
    case BrowserTarget::Action::failed:
      return tr("failed");
  }
  return "";
}

int show(Context& c, const std::vector<BrowserTarget>& targets) {
  Json j = Json::array();
  std::string text;
  int code = kOk;
  for (const BrowserTarget& t : targets) {
    j.push_back({{"kind", kind_name(t.kind)},
                 {"name", t.name},
                 {"path", t.path.string()},
                 {"state", state_name(t.state)},
                 {"registered_library", t.registered_library.string()},
                 {"in_use", t.in_use},
                 {"ignored_as_root", t.ignored_as_root},
                 {"action", action_name(t.action)},
                 {"detail", t.detail}});
    text += target_title(t) + "\n    " + t.path.string() + "\n    " + state_text(t);
    if (const std::string a = action_text(t); !a.empty()) text += " (" + a + ")";
    text += "\n";
    if (const std::string p = problem_text(t); !p.empty()) text += "    " + p + "\n";
    if (t.ignored_as_root)
      text += std::string("    ") +
              tr("p11-kit does not read this file for root: programs run as root do not find the token through "
                 "p11-kit.") +
              "\n";
    if (!t.detail.empty() && c.options.verbose) text += "    " + t.detail + "\n";
    if (t.action == BrowserTarget::Action::refused && code == kOk) code = kBrowserRunning;
    if (t.action == BrowserTarget::Action::failed) code = kFailed;
  }
  if (targets.empty()) text = std::string(tr("No browser profile was found.")) + "\n";
  c.print(j, text);
  return code;
}

std::filesystem::path module_file(Context& c) {
  const std::string path = c.options.module.empty() ? manager::default_module_path() : c.options.module;
  return std::filesystem::absolute(path);
}

}  // namespace

void add_browser_commands(CLI::App& app, Context& c) {
  auto* browser = app.add_subcommand(
      "browser", tr("Load the token into the browsers as the security device \"e-Cert Token\" (Firefox, Chromium, "
                    "Chrome), or remove it"));
  browser->require_subcommand(1);
  auto* install = browser->add_subcommand("install", tr("Load the module in every browser profile of this user"));
  install->callback([&c] {
    c.action = [&c] {
      return show(c, manager::browser_install(manager::BrowserEnvironment::from_process(), module_file(c)));
    };
  });
  auto* remove = browser->add_subcommand("remove", tr("Remove the module from every browser profile of this user"));
  remove->callback([&c] {
    c.action = [&c] {
      return show(c, manager::browser_remove(manager::BrowserEnvironment::from_process(), module_file(c)));
    };
  });
  auto* status = browser->add_subcommand("status", tr("Show where the module is loaded"));
  status->callback([&c] {
    c.action = [&c] {
      return show(c, manager::browser_status(manager::BrowserEnvironment::from_process(), module_file(c)));
    };
  });
}

}  // namespace ecert::cli
