// Loading a PKCS#11 module for the manager: dlopen() with a reason of its own
// for each way a module file fails to load, the function list through
// C_GetInterface or C_GetFunctionList, C_Initialize with OS locking, the info
// calls, and the module used when none is given ($ECERT_TOKEN_MODULE, the
// module built beside a manager run from the build tree, else the installed
// one).
#include "manager/pkcs11_module.h"

#include <dlfcn.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <filesystem>

namespace ecert::manager {
namespace {

constexpr const char* kOurManufacturer = "ecert-token project";

}  // namespace

std::string padded_field(const CK_UTF8CHAR* field, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(field), size);
  const auto end = text.find_last_not_of(' ');
  text.erase(end == std::string::npos ? 0 : end + 1);
  // Some modules pad with NULs rather than blanks.
  const auto nul = text.find('\0');
  if (nul != std::string::npos) text.erase(nul);
  return text;
}

ModuleLoadFailure::ModuleLoadFailure(ModuleProblem problem, std::string path, std::string detail, CK_RV rv)
    : ModuleLoadError(path + ": " + detail),
      problem_(problem),
      path_(std::move(path)),
      detail_(std::move(detail)),
      rv_(rv) {}

namespace {

// dlerror() says "cannot open shared object file" for a missing file, a
// directory and a file without read permission alike; a path we can look at
// gets a reason of its own. A bare name ("libfoo.so") is looked up by the
// dynamic loader in its own directories, so only dlopen() can tell.
void check_file(const std::string& path) {
  if (path.find('/') == std::string::npos) return;
  std::error_code error;
  const auto status = std::filesystem::status(path, error);
  if (!std::filesystem::exists(status)) throw ModuleLoadFailure(ModuleProblem::missing_file, path, "no such file");
  if (std::filesystem::is_directory(status)) throw ModuleLoadFailure(ModuleProblem::directory, path, "a directory");
  if (access(path.c_str(), R_OK) != 0) throw ModuleLoadFailure(ModuleProblem::unreadable, path, "not readable");
}

}  // namespace

Module::Module(const std::string& path) : path_(path) {
  check_file(path);
  // RTLD_LOCAL: a module's C_* symbols must not satisfy anyone else's.
  handle_ = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle_) {
    const char* why = dlerror();
    throw ModuleLoadFailure(ModuleProblem::not_loadable, path, why ? why : "dlopen failed");
  }
  auto give_up = [this, &path](ModuleProblem problem, const std::string& detail, CK_RV rv = CKR_OK) {
    dlclose(handle_);
    handle_ = nullptr;
    throw ModuleLoadFailure(problem, path, detail, rv);
  };
  // Only 2.40 functions are needed; a 3.0 interface's function list starts
  // with the same members, so either entry point gives what is used here.
  auto get_interface = reinterpret_cast<CK_C_GetInterface>(dlsym(handle_, "C_GetInterface"));
  auto get_list = reinterpret_cast<CK_C_GetFunctionList>(dlsym(handle_, "C_GetFunctionList"));
  if (get_interface) {
    CK_INTERFACE* interface = nullptr;
    CK_UTF8CHAR name[] = "PKCS 11";
    const CK_RV rv = get_interface(name, nullptr, &interface, 0);
    if (rv == CKR_OK && interface && interface->pFunctionList)
      functions_ = static_cast<CK_FUNCTION_LIST*>(interface->pFunctionList);
    else if (!get_list)
      give_up(ModuleProblem::function_list_failed, "C_GetInterface", rv == CKR_OK ? CKR_GENERAL_ERROR : rv);
  }
  if (!functions_ && get_list) {
    const CK_RV rv = get_list(&functions_);
    if (rv != CKR_OK || !functions_)
      give_up(ModuleProblem::function_list_failed, "C_GetFunctionList", rv == CKR_OK ? CKR_GENERAL_ERROR : rv);
  }
  if (!functions_) give_up(ModuleProblem::no_entry_point, "neither C_GetInterface nor C_GetFunctionList");
  CK_C_INITIALIZE_ARGS args{};
  args.flags = CKF_OS_LOCKING_OK;
  const CK_RV rv = functions_->C_Initialize(&args);
  if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED)
    give_up(ModuleProblem::initialize_failed, "C_Initialize", rv);
  is_ecert_ = padded_field(info().manufacturerID) == kOurManufacturer;
}

Module::~Module() {
  functions_->C_Finalize(nullptr);
  dlclose(handle_);
}

CK_INFO Module::info() const {
  CK_INFO info{};
  check(functions_->C_GetInfo(&info), "C_GetInfo");
  return info;
}

std::vector<CK_SLOT_ID> Module::slots(bool token_present) const {
  // The list may grow between the two calls (a token inserted): retry.
  for (;;) {
    CK_ULONG count = 0;
    check(functions_->C_GetSlotList(token_present, nullptr, &count), "C_GetSlotList");
    std::vector<CK_SLOT_ID> ids(count);
    const CK_RV rv = functions_->C_GetSlotList(token_present, ids.data(), &count);
    if (rv == CKR_BUFFER_TOO_SMALL) continue;
    check(rv, "C_GetSlotList");
    ids.resize(count);
    return ids;
  }
}

CK_SLOT_INFO Module::slot_info(CK_SLOT_ID slot) const {
  CK_SLOT_INFO info{};
  check(functions_->C_GetSlotInfo(slot, &info), "C_GetSlotInfo");
  return info;
}

CK_TOKEN_INFO Module::token_info(CK_SLOT_ID slot) const {
  CK_TOKEN_INFO info{};
  check(functions_->C_GetTokenInfo(slot, &info), "C_GetTokenInfo");
  return info;
}

std::string default_module_path() {
  if (const char* env = std::getenv("ECERT_TOKEN_MODULE"); env && *env) return env;
#if defined(ECERT_BUILD_TREE) && defined(ECERT_BUILD_MODULE_PATH)
  // A manager run from the build tree manages the module built with it.
  char self[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n > 0) {
    const std::string exe(self, static_cast<std::size_t>(n));
    const std::string tree = std::string(ECERT_BUILD_TREE) + "/";
    std::error_code ignored;
    if (exe.rfind(tree, 0) == 0 && std::filesystem::exists(ECERT_BUILD_MODULE_PATH, ignored))
      return ECERT_BUILD_MODULE_PATH;
  }
#endif
#ifdef ECERT_INSTALLED_MODULE_PATH
  return ECERT_INSTALLED_MODULE_PATH;
#else
  return "libecert-pkcs11.so";
#endif
}

}  // namespace ecert::manager
