// The PKCS#11 module list of one NSS database (a Firefox profile,
// ~/.pki/nssdb), read and changed only through NSS's own tools: modutil and
// certutil from libnss3-tools. The database files are never opened here.
// Every database is addressed as "sql:<dir>" (cert9.db, key4.db, pkcs11.txt),
// the only format Firefox and Chromium have used since 2018.
#pragma once

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>

namespace ecert::manager {

// Why an NSS tool could not do what was asked.
class NssToolError : public std::runtime_error {
 public:
  enum class Reason {
    tool_missing,  // the program is not installed (Debian: libnss3-tools)
    failed,        // it ran and failed; what() holds what it printed
  };
  NssToolError(Reason reason, const std::string& message) : std::runtime_error(message), reason_(reason) {}
  Reason reason() const { return reason_; }

 private:
  Reason reason_;
};

class NssModuleDb {
 public:
  // `modutil` and `certutil` are program names looked up in PATH, or paths.
  NssModuleDb(std::filesystem::path dir, std::string modutil, std::string certutil);

  const std::filesystem::path& dir() const { return dir_; }

  // True when the directory holds an NSS database of the sql format.
  bool exists() const;

  // Makes an empty database with an empty password, as Firefox makes one for
  // a new profile. The directory must exist. Throws NssToolError.
  void create() const;

  // The library file registered under `name`, or nothing when no module has
  // that name (or there is no database yet). modutil loads the module to
  // describe it, but a library that no longer exists is still reported.
  // Throws NssToolError.
  std::optional<std::filesystem::path> library_of(const std::string& name) const;

  // Registers `library` as `name`. The library is loaded (and initialised) to
  // check it, so it must exist and load. NSS refuses a name that is already
  // registered: delete it first. Creates the database when there is none, but
  // without initialising its password; call create() first. Throws
  // NssToolError.
  void add(const std::string& name, const std::filesystem::path& library) const;

  // Unregisters `name`. Throws NssToolError, also when `name` is not there.
  void remove(const std::string& name) const;

 private:
  std::filesystem::path dir_;
  std::string modutil_, certutil_;
};

}  // namespace ecert::manager
