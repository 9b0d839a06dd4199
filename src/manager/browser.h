// `ecert-token browser install|remove|status`: making the module a security
// device of the user's browsers, and undoing that.
//
// Targets, in the order results are returned:
//  1. every Firefox profile listed in profiles.ini (see firefox_profiles.h):
//     the module is registered in the profile's NSS database as
//     kSecurityDeviceName; the database is created (empty password, as
//     Firefox makes it) when the profile has none yet;
//  2. ~/.pki/nssdb, the NSS database Chromium and Google Chrome use on Linux:
//     the same, the directory created with mode 0700 when missing;
//  3. the p11-kit module file (see p11kit_module_file.h), for programs that
//     find modules through p11-kit; `disable-in:` names the browsers of 1 and
//     2 that have the module after the install, so they do not load it twice;
//  4. snap and flatpak browsers (see sandboxed_browsers.h): reported as
//     unsupported, never changed.
// NSS databases are read and changed only through NSS's modutil and certutil
// (libnss3-tools), never edited here. modutil loads the module to register
// or describe it, so the module's own environment (ECERT_TOKEN_DIR, ...)
// applies to these calls too.
//
// A Firefox profile that a running Firefox has open is not changed (see
// firefox_profile_lock.h): its result says in_use and Action::refused, and
// the other targets are still done. Install is idempotent: a target that
// already has kSecurityDeviceName with this module path is left alone; one
// that has it with another library (an older build, or a vendor module the
// user loaded under that name) is replaced. Remove deletes kSecurityDeviceName
// from every database whatever library it names, and deletes the p11-kit
// file; it leaves the databases themselves, also one that install created,
// as they belong to the browsers (which would create them anyway).
//
// These functions do not throw for anything that goes wrong with one target:
// that target's result says what (state error or Action::failed, with a
// Problem and a detail); only std::bad_alloc escapes. Nothing here is a
// sentence for the user except `detail` (a tool's or the system's message,
// untranslated): the caller words each result from its enums.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace ecert::manager {

// The name the module is registered under, the one Hongkong Post's e-Cert
// guide tells users to type into Firefox's "Load PKCS#11 Device" dialog.
inline constexpr char kSecurityDeviceName[] = "e-Cert Token";

// Where the user's browsers keep their settings, and the NSS tools to use.
// Tests point `home` and `config_home` at a scratch directory.
struct BrowserEnvironment {
  std::filesystem::path home;
  std::filesystem::path config_home;  // $XDG_CONFIG_HOME, or home/.config
  std::string modutil = "modutil";    // looked up in PATH unless a path
  std::string certutil = "certutil";
  bool root = false;  // the user is root, whose user files p11-kit does not read

  // From $HOME (else the password database) and $XDG_CONFIG_HOME (used only
  // when absolute, as the XDG spec says).
  static BrowserEnvironment from_process();
};

// One place the module is, or could be, registered, and what an operation
// found and did there.
struct BrowserTarget {
  enum class Kind {
    firefox_profile,  // name: the profile's Name=; path: its directory (or profiles.ini, see Problem)
    chromium_nssdb,   // path: ~/.pki/nssdb
    p11kit_file,      // path: the module file
    snap,             // name: the browser; path: its per-user directory
    flatpak,          // name: the browser; path: its per-user directory
  };
  // What is there after the operation.
  enum class State {
    registered,             // kSecurityDeviceName with the given module path
    registered_other_path,  // kSecurityDeviceName with another library (registered_library)
    not_registered,
    unsupported,  // snap and flatpak
    error,        // could not be found out: see problem and detail
  };
  // What the operation did; Action::none for status, and for a target that
  // needed nothing.
  enum class Action {
    none,
    added,
    replaced,  // the entry with another library was deleted, then ours added
    removed,
    refused,  // a running Firefox has the profile open (in_use)
    skipped,  // install: snap or flatpak; install/remove: a profile directory that is missing
    failed,   // see problem and detail
  };
  enum class Problem {
    none,
    profiles_ini_unreadable,  // path is the profiles.ini that could not be read or parsed
    profile_missing,          // profiles.ini lists a directory that does not exist
    module_missing,           // install: the module path is not a file
    nss_tools_missing,        // modutil or certutil is not installed (Debian: libnss3-tools)
    nss_tool_failed,          // detail: what modutil or certutil printed
    file_error,               // detail: the system's message
  };

  Kind kind = Kind::firefox_profile;
  std::string name;
  std::filesystem::path path;
  State state = State::not_registered;
  std::filesystem::path registered_library;  // for registered and registered_other_path
  bool in_use = false;                       // Firefox profiles only
  // p11kit_file only: p11-kit reads no module file of root's (p11-kit
  // 0.24.1: `p11-kit list-modules` as root leaves it out, as another user
  // lists it), so programs run as root do not find the token through it.
  bool ignored_as_root = false;
  Action action = Action::none;
  Problem problem = Problem::none;
  std::string detail;
};

// `module_path` is the module to register; a relative path is made absolute
// against the working directory (NSS and p11-kit keep the path as given).

// Where the module is registered now. Changes nothing.
std::vector<BrowserTarget> browser_status(const BrowserEnvironment& env, const std::filesystem::path& module_path);

// Registers the module in every target that can have it.
std::vector<BrowserTarget> browser_install(const BrowserEnvironment& env, const std::filesystem::path& module_path);

// Unregisters kSecurityDeviceName everywhere; `module_path` only decides
// which remaining entries (e.g. in a refused profile) count as registered.
std::vector<BrowserTarget> browser_remove(const BrowserEnvironment& env, const std::filesystem::path& module_path);

}  // namespace ecert::manager
