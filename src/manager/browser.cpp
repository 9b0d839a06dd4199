// The browser commands' walk over their targets (the list and the rules are in
// browser.h): each Firefox profile and ~/.pki/nssdb through NSS's tools, then
// the p11-kit module file, whose disable-in: follows from which NSS targets
// have the module, then the snap and flatpak browsers, reported only. A
// failure is caught per target and recorded in its result, so one broken
// profile never stops the others.
#include "manager/browser.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <optional>
#include <set>
#include <system_error>

#include "manager/firefox_profile_lock.h"
#include "manager/firefox_profiles.h"
#include "manager/nss_module_db.h"
#include "manager/p11kit_module_file.h"
#include "manager/sandboxed_browsers.h"

namespace ecert::manager {
namespace {

using State = BrowserTarget::State;
using Action = BrowserTarget::Action;
using Problem = BrowserTarget::Problem;
using Kind = BrowserTarget::Kind;

enum class Operation { status, install, remove };

// Executable base names, as p11-kit's disable-in matches them: Mozilla's
// build, Debian's ESR package, Mozilla's tarball binary; Debian's Chromium,
// Google Chrome.
const std::vector<std::string> kFirefoxPrograms = {"firefox", "firefox-esr", "firefox-bin"};
const std::vector<std::string> kChromiumPrograms = {"chromium", "chrome"};

struct Request {
  const BrowserEnvironment& env;
  std::filesystem::path module;
  bool module_exists;
  Operation operation;
};

std::filesystem::path home_from_passwd() {
  struct passwd pw;
  struct passwd* found = nullptr;
  std::vector<char> buf(16384);
  if (getpwuid_r(getuid(), &pw, buf.data(), buf.size(), &found) == 0 && found != nullptr) return found->pw_dir;
  return "/";
}

void fail(BrowserTarget& t, const Request& request, Problem problem, std::string detail) {
  t.problem = problem;
  t.detail = std::move(detail);
  if (request.operation != Operation::status) t.action = Action::failed;
}

void fail_with(BrowserTarget& t, const Request& request, const NssToolError& e) {
  fail(t, request,
       e.reason() == NssToolError::Reason::tool_missing ? Problem::nss_tools_missing : Problem::nss_tool_failed,
       e.what());
}

void set_registration(BrowserTarget& t, const std::optional<std::filesystem::path>& library,
                      const std::filesystem::path& module) {
  t.registered_library = library.value_or(std::filesystem::path());
  if (!library)
    t.state = State::not_registered;
  else
    t.state = library->lexically_normal() == module ? State::registered : State::registered_other_path;
}

// ~/.pki/nssdb as Chromium makes it: private to the user.
void make_private_directories(const std::filesystem::path& dir) {
  for (const auto& d : {dir.parent_path(), dir}) {
    if (::mkdir(d.c_str(), 0700) != 0 && errno != EEXIST)
      throw std::system_error(errno, std::generic_category(), d.string());
  }
}

void install_into(BrowserTarget& t, const NssModuleDb& db, const Request& request, bool may_create_directory) {
  if (t.state == State::registered) return;
  if (!request.module_exists) return fail(t, request, Problem::module_missing, request.module.string());
  if (t.in_use) {
    t.action = Action::refused;
    return;
  }
  if (!db.exists()) {
    if (may_create_directory) make_private_directories(db.dir());
    db.create();
  }
  const bool replacing = t.state == State::registered_other_path;
  if (replacing) {
    // NSS refuses a second module of the same name.
    db.remove(kSecurityDeviceName);
    set_registration(t, std::nullopt, request.module);
  }
  db.add(kSecurityDeviceName, request.module);
  set_registration(t, request.module, request.module);
  t.action = replacing ? Action::replaced : Action::added;
}

void remove_from(BrowserTarget& t, const NssModuleDb& db, const Request& request) {
  if (t.state == State::not_registered) return;
  if (t.in_use) {
    t.action = Action::refused;
    return;
  }
  db.remove(kSecurityDeviceName);
  set_registration(t, std::nullopt, request.module);
  t.action = Action::removed;
}

void handle_nss_target(BrowserTarget& t, const Request& request, bool may_create_directory) {
  NssModuleDb db(t.path, request.env.modutil, request.env.certutil);
  try {
    set_registration(t, db.library_of(kSecurityDeviceName), request.module);
  } catch (const NssToolError& e) {
    t.state = State::error;
    return fail_with(t, request, e);
  }
  try {
    if (request.operation == Operation::install) install_into(t, db, request, may_create_directory);
    if (request.operation == Operation::remove) remove_from(t, db, request);
  } catch (const NssToolError& e) {
    fail_with(t, request, e);
  } catch (const std::system_error& e) {
    fail(t, request, Problem::file_error, e.what());
  }
}

void add_firefox_targets(std::vector<BrowserTarget>& results, const Request& request) {
  std::set<std::filesystem::path> seen;
  for (const auto& ini : firefox_profiles_ini_files(request.env.home, request.env.config_home)) {
    std::vector<FirefoxProfile> profiles;
    try {
      profiles = read_firefox_profiles(ini);
    } catch (const std::runtime_error& e) {
      BrowserTarget t{.kind = Kind::firefox_profile, .path = ini, .state = State::error};
      fail(t, request, Problem::profiles_ini_unreadable, e.what());
      results.push_back(std::move(t));
      continue;
    }
    for (const auto& profile : profiles) {
      if (!seen.insert(profile.directory).second) continue;
      BrowserTarget t{.kind = Kind::firefox_profile, .name = profile.name, .path = profile.directory};
      std::error_code ec;
      if (!std::filesystem::is_directory(profile.directory, ec)) {
        // Firefox makes a listed profile's directory when it next opens it;
        // making it here would revive a profile the user may have deleted.
        t.state = State::error;
        t.problem = Problem::profile_missing;
        if (request.operation != Operation::status) t.action = Action::skipped;
      } else {
        t.in_use = firefox_profile_in_use(profile.directory);
        handle_nss_target(t, request, false);
      }
      results.push_back(std::move(t));
    }
  }
}

BrowserTarget chromium_target(const Request& request) {
  BrowserTarget t{.kind = Kind::chromium_nssdb, .path = request.env.home / ".pki" / "nssdb"};
  handle_nss_target(t, request, true);
  return t;
}

BrowserTarget p11kit_target(const Request& request, const std::vector<std::string>& disabled_in) {
  BrowserTarget t{.kind = Kind::p11kit_file,
                  .path = p11kit_module_file_path(request.env.config_home),
                  .ignored_as_root = request.env.root};
  std::optional<std::string> text;
  try {
    text = read_p11kit_module_file(t.path);
    set_registration(t, text ? std::optional(p11kit_module_of(*text)) : std::nullopt, request.module);
  } catch (const std::exception& e) {
    t.state = State::error;
    fail(t, request, Problem::file_error, e.what());
    return t;
  }
  try {
    if (request.operation == Operation::install) {
      const std::string wanted = p11kit_module_file_text(request.module, disabled_in);
      if (text == wanted) return t;
      if (!request.module_exists) {
        fail(t, request, Problem::module_missing, request.module.string());
        return t;
      }
      write_p11kit_module_file(t.path, wanted);
      set_registration(t, request.module, request.module);
      t.action = text ? Action::replaced : Action::added;
    } else if (request.operation == Operation::remove && text) {
      remove_p11kit_module_file(t.path);
      set_registration(t, std::nullopt, request.module);
      t.action = Action::removed;
    }
  } catch (const std::system_error& e) {
    fail(t, request, Problem::file_error, e.what());
  }
  return t;
}

void add_sandboxed_targets(std::vector<BrowserTarget>& results, const Request& request) {
  for (const auto& browser : find_sandboxed_browsers(request.env.home)) {
    results.push_back({.kind = browser.packaging == SandboxedBrowser::Packaging::snap ? Kind::snap : Kind::flatpak,
                       .name = browser.browser,
                       .path = browser.data_dir,
                       .state = State::unsupported,
                       .action = request.operation == Operation::install ? Action::skipped : Action::none});
  }
}

std::vector<BrowserTarget> run(const BrowserEnvironment& env, const std::filesystem::path& module_path,
                               Operation operation) {
  std::error_code ec;
  std::filesystem::path module = std::filesystem::absolute(module_path, ec).lexically_normal();
  if (ec) module = module_path;
  const Request request{env, module, std::filesystem::is_regular_file(module, ec), operation};

  std::vector<BrowserTarget> results;
  add_firefox_targets(results, request);
  results.push_back(chromium_target(request));

  std::vector<std::string> disabled_in;
  auto registered = [&](Kind kind) {
    for (const auto& t : results)
      if (t.kind == kind && t.state == State::registered) return true;
    return false;
  };
  if (registered(Kind::firefox_profile))
    disabled_in.insert(disabled_in.end(), kFirefoxPrograms.begin(), kFirefoxPrograms.end());
  if (registered(Kind::chromium_nssdb))
    disabled_in.insert(disabled_in.end(), kChromiumPrograms.begin(), kChromiumPrograms.end());
  results.push_back(p11kit_target(request, disabled_in));

  add_sandboxed_targets(results, request);
  return results;
}

}  // namespace

BrowserEnvironment BrowserEnvironment::from_process() {
  BrowserEnvironment env;
  const char* home = std::getenv("HOME");
  env.home = (home != nullptr && *home != '\0') ? std::filesystem::path(home) : home_from_passwd();
  const char* config = std::getenv("XDG_CONFIG_HOME");
  env.config_home = (config != nullptr && *config == '/') ? std::filesystem::path(config) : env.home / ".config";
  env.root = ::geteuid() == 0;
  return env;
}

std::vector<BrowserTarget> browser_status(const BrowserEnvironment& env, const std::filesystem::path& module_path) {
  return run(env, module_path, Operation::status);
}

std::vector<BrowserTarget> browser_install(const BrowserEnvironment& env, const std::filesystem::path& module_path) {
  return run(env, module_path, Operation::install);
}

std::vector<BrowserTarget> browser_remove(const BrowserEnvironment& env, const std::filesystem::path& module_path) {
  return run(env, module_path, Operation::remove);
}

}  // namespace ecert::manager
