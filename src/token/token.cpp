// Token: its file and what CK_TOKEN_INFO says of it. The file is opened when
// it appears, and why it cannot be used is remembered; what other processes
// changed is picked up when PRAGMA data_version moves (a re-initialisation
// elsewhere ends every session and the login); CK_TOKEN_INFO gets the test-KDF
// model for a token made with the test cost, and the file system's free space;
// closing a session drops its objects, and closing the last one logs out. PINs
// and login are in token_pins.cpp, objects in token_objects.cpp.
#include "token/token.h"

#include <sys/statvfs.h>
#include <unistd.h>

#include <cstring>

#include "common/error.h"
#include "common/padded_text.h"

namespace ecert::token {
namespace {
constexpr const char* kManufacturer = "ecert-token project";
constexpr const char* kModel = "e-Cert Token";
// A token whose password hashing is cheaper than any the module calibrates
// (made under ECERT_TOKEN_KDF=test) must not pass for a real one wherever its
// model is shown (the manager, a browser's device list). 15 of the 16 bytes.
constexpr const char* kTestCostModel = "e-Cert test KDF";

// Free and total bytes of the file system holding the token, for the
// manager's "free space" (CK_UNAVAILABLE_INFORMATION when unknown).
void fill_memory(const std::string& path, CK_TOKEN_INFO& info) {
  info.ulTotalPublicMemory = info.ulFreePublicMemory = CK_UNAVAILABLE_INFORMATION;
  info.ulTotalPrivateMemory = info.ulFreePrivateMemory = CK_UNAVAILABLE_INFORMATION;
  std::string dir = path.substr(0, path.find_last_of('/'));
  struct statvfs st;
  if (::statvfs(dir.c_str(), &st) != 0) return;
  info.ulTotalPublicMemory = info.ulTotalPrivateMemory = st.f_blocks * st.f_frsize;
  info.ulFreePublicMemory = info.ulFreePrivateMemory = st.f_bavail * st.f_frsize;
}
}  // namespace

Token::Token(CK_SLOT_ID slot, std::string path)
    : slot_(slot), path_(std::move(path)), next_session_handle_(kFirstSessionObject) {}

Token::~Token() { forget_login(); }

void Token::open_if_present() {
  if (store_ != nullptr) return;
  if (::access(path_.c_str(), F_OK) != 0) {
    problem_ = CKR_OK;  // the spare slot: an uninitialised token
    return;
  }
  try {
    auto store = store::TokenStore::open(path_);
    store::TokenRecord record = store->read_token();
    policy_ = PinPolicy::from_values(store->read_policy());
    data_version_ = store->data_version();
    store_ = std::move(store);
    problem_ = CKR_OK;
    load(record);
  } catch (const Error& e) {
    store_.reset();
    problem_ = e.rv() == CKR_TOKEN_NOT_RECOGNIZED ? CKR_TOKEN_NOT_RECOGNIZED : CKR_DEVICE_ERROR;
  }
}

void Token::check_recognized() const {
  if (problem_ != CKR_OK) fail(problem_, "token file unusable");
}

void Token::require_initialized() const {
  check_recognized();
  if (store_ == nullptr) fail(CKR_TOKEN_NOT_RECOGNIZED, "token not initialised");
}

void Token::load(const store::TokenRecord& record) {
  bool new_generation = record.generation != record_.generation || record.uuid != record_.uuid;
  if (new_generation && !record_.uuid.empty()) {
    // Re-initialised elsewhere: every session and the login are gone.
    epoch_.fetch_add(1, std::memory_order_acq_rel);
    forget_login();
    for (auto it = objects_.begin(); it != objects_.end();) {
      it = it->second->store_id() == 0 ? objects_.erase(it) : std::next(it);
    }
  }
  record_ = record;
  vault_.bind(record);
  load_objects();
}

namespace {
std::int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

bool Token::refresh_due() const noexcept {
  return steady_ns() - last_refresh_ns_.load(std::memory_order_relaxed) >=
         std::chrono::nanoseconds(kCryptoRefreshInterval).count();
}

void Token::refresh() {
  last_refresh_ns_.store(steady_ns(), std::memory_order_relaxed);
  if (store_ == nullptr) {
    open_if_present();
    return;
  }
  try {
    std::int64_t version = store_->data_version();
    if (version == data_version_) return;
    data_version_ = version;
    policy_ = PinPolicy::from_values(store_->read_policy());
    load(store_->read_token());
  } catch (const Error& e) {
    if (e.rv() == CKR_TOKEN_NOT_RECOGNIZED) problem_ = e.rv();
    throw;
  }
}

void Token::fill_slot_description(CK_SLOT_INFO& info) const {
  std::string desc = "ecert-token slot " + std::to_string(slot_);
  write_padded(info.slotDescription, sizeof info.slotDescription, desc);
  write_padded(info.manufacturerID, sizeof info.manufacturerID, kManufacturer);
}

void Token::fill_token_info(CK_TOKEN_INFO& info) {
  check_recognized();
  std::memset(&info, 0, sizeof info);
  write_padded(info.manufacturerID, sizeof info.manufacturerID, kManufacturer);
  write_padded(info.model, sizeof info.model, kModel);
  write_padded(info.utcTime, sizeof info.utcTime, "");
  info.flags = CKF_RNG | CKF_LOGIN_REQUIRED;
  info.ulMaxSessionCount = CK_EFFECTIVELY_INFINITE;
  info.ulMaxRwSessionCount = CK_EFFECTIVELY_INFINITE;
  info.ulSessionCount = sessions_;
  info.ulRwSessionCount = rw_sessions_;
  info.ulMinPinLen = policy_.min_pin_bytes();
  info.ulMaxPinLen = policy_.max_pin_bytes();
  info.hardwareVersion = {0, 0};
  info.firmwareVersion = {0, 1};
  fill_memory(path_, info);
  if (store_ == nullptr) {
    write_padded(info.label, sizeof info.label, "");
    write_padded(info.serialNumber, sizeof info.serialNumber, "");
    return;
  }
  write_padded(info.label, sizeof info.label, record_.label);
  write_padded(info.serialNumber, sizeof info.serialNumber, record_.serial);
  if (store::kdf_cost_below_floor(record_.kdf)) write_padded(info.model, sizeof info.model, kTestCostModel);
  info.flags |= CKF_TOKEN_INITIALIZED | pin_flags();
  if (protected_path()) info.flags |= CKF_PROTECTED_AUTHENTICATION_PATH;
}

void Token::session_opened(bool read_write) {
  ++sessions_;
  if (read_write) ++rw_sessions_;
}

void Token::session_closed(CK_SESSION_HANDLE handle, bool read_write) {
  if (sessions_ > 0) --sessions_;
  if (read_write && rw_sessions_ > 0) --rw_sessions_;
  // Session objects have the highest handles: only they are looked at.
  for (auto it = objects_.lower_bound(kFirstSessionObject); it != objects_.end();) {
    it = it->second->owner() == handle ? objects_.erase(it) : std::next(it);
  }
  if (sessions_ == 0) logout();
}

void Token::abandon() noexcept {
  if (store_ != nullptr) store_->abandon();
  forget_login();
  objects_.clear();
}

}  // namespace ecert::token
