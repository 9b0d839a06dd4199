// A PKCS#11 module loaded by the token manager: ours by default, any other
// vendor's with --module. Everything the manager does goes through the
// function list held here; the manager never links the token's internals.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ecert/pkcs11.h"
#include "manager/p11_error.h"

namespace ecert::manager {

// Why a module could not be loaded: a front end words each in the user's
// language, with the file's name, since `--module` may name any file.
enum class ModuleProblem {
  missing_file,          // no such file
  directory,             // the path is a directory
  unreadable,            // the file exists but may not be read
  not_loadable,          // dlopen() refused it (not a library of this machine): detail() is dlerror()
  no_entry_point,        // neither C_GetInterface nor C_GetFunctionList
  function_list_failed,  // C_GetInterface / C_GetFunctionList returned rv()
  initialize_failed,     // C_Initialize returned rv()
};

class ModuleLoadFailure : public ModuleLoadError {
 public:
  ModuleLoadFailure(ModuleProblem problem, std::string path, std::string detail, CK_RV rv = CKR_OK);
  ModuleProblem problem() const { return problem_; }
  const std::string& path() const { return path_; }
  // dlerror()'s text, or the PKCS#11 function that failed.
  const std::string& detail() const { return detail_; }
  CK_RV rv() const { return rv_; }

 private:
  ModuleProblem problem_;
  std::string path_, detail_;
  CK_RV rv_;
};

class Module {
 public:
  // dlopen()s `path`, gets its function list (C_GetInterface "PKCS 11" 3.0
  // when exported, else C_GetFunctionList) and calls C_Initialize with
  // CKF_OS_LOCKING_OK. Throws ModuleLoadFailure when the file cannot be
  // loaded, is not a PKCS#11 module or C_Initialize fails.
  explicit Module(const std::string& path);
  // C_Finalize, then dlclose.
  ~Module();
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  const std::string& path() const { return path_; }
  CK_FUNCTION_LIST* p11() const { return functions_; }
  CK_INFO info() const;
  // True when the module is ecert-token's (then the policy object is there).
  bool is_ecert() const { return is_ecert_; }

  // Slots, with or without a token present.
  std::vector<CK_SLOT_ID> slots(bool token_present) const;
  CK_SLOT_INFO slot_info(CK_SLOT_ID slot) const;
  CK_TOKEN_INFO token_info(CK_SLOT_ID slot) const;

 private:
  std::string path_;
  void* handle_ = nullptr;
  CK_FUNCTION_LIST* functions_ = nullptr;
  bool is_ecert_ = false;
};

// The module the manager uses when none is named: $ECERT_TOKEN_MODULE if set,
// else the module built beside this binary when it runs from the build tree,
// else the installed module.
std::string default_module_path();

// The text of a fixed-size, blank-padded PKCS#11 field, trailing blanks cut.
std::string padded_field(const CK_UTF8CHAR* field, std::size_t size);
template <std::size_t N>
std::string padded_field(const CK_UTF8CHAR (&field)[N]) {
  return padded_field(field, N);
}

}  // namespace ecert::manager
