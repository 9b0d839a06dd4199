#include "module_loader.h"

#include <dlfcn.h>

#include <cstring>

std::unique_ptr<Module> Module::load(const std::string& path, Status& status) {
  std::unique_ptr<Module> module(new Module());
  // RTLD_LOCAL: the module's own OpenSSL (or other) symbols must not be
  // resolved against ours, nor the other way round.
  module->handle_ = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!module->handle_) {
    status = Status::fail(std::string("dlopen: ") + dlerror());
    return nullptr;
  }
  auto get_list = reinterpret_cast<CK_C_GetFunctionList>(dlsym(module->handle_, "C_GetFunctionList"));
  if (!get_list) {
    status = Status::fail(path + " does not export C_GetFunctionList");
    return nullptr;
  }
  if (CK_RV rv = get_list(&module->functions_); rv != CKR_OK) {
    status = Status::ck("C_GetFunctionList", rv);
    return nullptr;
  }
  CK_C_INITIALIZE_ARGS args{};
  args.flags = CKF_OS_LOCKING_OK;
  if (CK_RV rv = module->functions_->C_Initialize(&args); rv != CKR_OK) {
    status = Status::ck("C_Initialize", rv);
    return nullptr;
  }
  module->initialized_ = true;
  status = Status::ok();
  return module;
}

Module::~Module() {
  if (initialized_) functions_->C_Finalize(nullptr);
  if (handle_) dlclose(handle_);
}

std::string trim_padded(const unsigned char* text, size_t size) {
  std::string s(reinterpret_cast<const char*>(text), size);
  const auto end = s.find_last_not_of(' ');
  return end == std::string::npos ? std::string() : s.substr(0, end + 1);
}

Status Module::list_slots(std::vector<SlotDescription>& slots) const {
  CK_ULONG count = 0;
  if (CK_RV rv = functions_->C_GetSlotList(CK_FALSE, nullptr, &count); rv != CKR_OK)
    return Status::ck("C_GetSlotList", rv);
  std::vector<CK_SLOT_ID> ids(count);
  if (CK_RV rv = functions_->C_GetSlotList(CK_FALSE, ids.data(), &count); rv != CKR_OK)
    return Status::ck("C_GetSlotList", rv);
  ids.resize(count);
  slots.clear();
  for (CK_SLOT_ID id : ids) {
    SlotDescription slot;
    slot.id = id;
    CK_SLOT_INFO slot_info{};
    if (CK_RV rv = functions_->C_GetSlotInfo(id, &slot_info); rv != CKR_OK) return Status::ck("C_GetSlotInfo", rv);
    slot.token_present = slot_info.flags & CKF_TOKEN_PRESENT;
    CK_TOKEN_INFO token{};
    if (slot.token_present && functions_->C_GetTokenInfo(id, &token) == CKR_OK) {
      slot.token_initialized = token.flags & CKF_TOKEN_INITIALIZED;
      slot.token_label = trim_padded(token.label, sizeof token.label);
    }
    slots.push_back(slot);
  }
  return Status::ok();
}

Status Module::choose_slot(std::optional<CK_SLOT_ID> wanted, CK_SLOT_ID& slot) const {
  std::vector<SlotDescription> slots;
  if (Status s = list_slots(slots); !s.is_ok()) return s;
  for (const auto& candidate : slots) {
    const bool match = wanted ? candidate.id == *wanted : candidate.token_initialized;
    if (match) {
      slot = candidate.id;
      return Status::ok();
    }
  }
  return Status::fail(wanted ? "slot " + std::to_string(*wanted) + " not found"
                             : std::string("no slot with an initialised token"));
}

Status Session::open(const Module& module, CK_SLOT_ID slot, bool read_write) {
  close();
  module_ = &module;
  CK_FLAGS flags = CKF_SERIAL_SESSION | (read_write ? CKF_RW_SESSION : 0);
  CK_RV rv = module.f()->C_OpenSession(slot, flags, nullptr, nullptr, &handle_);
  if (rv != CKR_OK) return Status::ck("C_OpenSession", rv);
  open_ = true;
  ++module.live_sessions_;
  return Status::ok();
}

Status Session::login(const std::string& pin) {
  auto* text = reinterpret_cast<CK_UTF8CHAR*>(const_cast<char*>(pin.data()));
  CK_RV rv = f()->C_Login(handle_, CKU_USER, text, pin.size());
  return rv == CKR_OK ? Status::ok() : Status::ck("C_Login", rv);
}

Status Session::logout() {
  CK_RV rv = f()->C_Logout(handle_);
  return rv == CKR_OK ? Status::ok() : Status::ck("C_Logout", rv);
}

Status Session::close() {
  if (!open_) return Status::ok();
  CK_RV rv = module_->f()->C_CloseSession(handle_);
  // The handle is dead to us either way; counting it closed keeps the leak
  // check about what we asked for, not about what the module managed.
  --module_->live_sessions_;
  open_ = false;
  handle_ = CK_INVALID_HANDLE;
  return rv == CKR_OK ? Status::ok() : Status::ck("C_CloseSession", rv);
}
