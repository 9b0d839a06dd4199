// Token: one slot's token as this process sees it. It owns the token file
// (TokenStore), the login state (per token and per process, shared by all
// sessions), the master key while someone is logged in, and the table of
// objects the sessions may see.
//
// Threading: every method expects the caller to hold mutex(), except slot_id()
// and epoch(), which are safe anywhere. The crypto hot path never takes this
// lock: it works on Objects and Keys already fetched.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/attribute_map.h"
#include "common/bytes.h"
#include "ecert/pkcs11.h"
#include "policy/pin_policy.h"
#include "store/pin_lock.h"
#include "store/token_store.h"
#include "store/vault.h"
#include "token/mutex.h"
#include "token/object.h"

namespace ecert::token {

// The PIN rules are the policy library's (src/policy), shared with the manager.
using policy::PinPolicy;

// No user logged in.
inline constexpr CK_USER_TYPE kNobody = static_cast<CK_USER_TYPE>(-1);

class Token {
 public:
  Token(CK_SLOT_ID slot, std::string path);
  ~Token();
  Token(const Token&) = delete;
  Token& operator=(const Token&) = delete;

  CK_SLOT_ID slot_id() const { return slot_; }
  Mutex& mutex() { return mutex_; }
  // Changes whenever the token is re-initialised (here or by another process);
  // sessions opened before are then invalid.
  std::uint64_t epoch() const { return epoch_.load(std::memory_order_acquire); }

  // Opens the token file if it exists and is not open yet; remembers why it
  // cannot be used if so. Cheap when already open.
  void open_if_present();
  // True when a token file is open (the token is initialised).
  bool initialized() const { return store_ != nullptr; }
  // True for the spare slot's token: no file yet, nothing wrong.
  bool spare() const { return store_ == nullptr && problem_ == CKR_OK; }
  // Throws why the token cannot be used: CKR_TOKEN_NOT_RECOGNIZED / DEVICE_ERROR
  // for a bad file; nothing for a usable or an uninitialised (spare) token.
  void check_recognized() const;
  // Throws unless initialized(): the problem of a bad file, or
  // CKR_USER_PIN_NOT_INITIALIZED-style errors are the caller's business.
  void require_initialized() const;
  // Picks up changes made by other processes (cheap when there are none).
  void refresh();
  // True when the last refresh() is older than kCryptoRefreshInterval; safe
  // without the lock.
  bool refresh_due() const noexcept;
  static constexpr std::chrono::milliseconds kCryptoRefreshInterval{100};
  // Drops everything held from the file, without closing it (after fork()).
  void abandon() noexcept;

  void fill_token_info(CK_TOKEN_INFO& info);
  void fill_slot_description(CK_SLOT_INFO& info) const;

  // Session bookkeeping (the login state ends when the last session closes).
  void session_opened(bool read_write);
  void session_closed(CK_SESSION_HANDLE handle, bool read_write);
  std::size_t session_count() const { return sessions_; }
  std::size_t read_only_session_count() const { return sessions_ - rw_sessions_; }

  // ---- PINs and login (token_pins.cpp) ----
  CK_USER_TYPE logged_in() const { return logged_in_; }
  bool user_logged_in() const { return logged_in_ == CKU_USER; }
  // Counts up at every logout (and re-initialisation): read without the lock
  // by a session installing an operation (crypto_service.cpp).
  std::uint64_t login_generation() const { return login_generation_.load(std::memory_order_acquire); }
  void login(CK_USER_TYPE who, ByteView pin);
  void logout();
  void init_token(ByteView so_pin, const std::string& label);
  void init_pin(ByteView pin);
  // `who` is CKU_SO when the SO is logged in, CKU_USER otherwise.
  void set_pin(CK_USER_TYPE who, ByteView old_pin, ByteView new_pin);
  const PinPolicy& policy() const { return policy_; }
  // Writes the policy and, when given, a new token label (already checked) in
  // one transaction: the token file has both or neither.
  void set_policy(const PinPolicy& policy, const std::optional<std::string>& label = std::nullopt);
  // Throws what login(who, ...) throws before it looks at a PIN: token
  // unusable, CKR_USER_ALREADY_LOGGED_IN, CKR_USER_ANOTHER_ALREADY_LOGGED_IN,
  // CKR_USER_PIN_NOT_INITIALIZED.
  void check_can_log_in(CK_USER_TYPE who);

  // ---- protected authentication path (the facts in token_pins.cpp; the
  // dialogs in protected_path.cpp and pinentry.cpp) ----
  // The policy's option: C_Login/C_SetPIN/C_InitPIN without a PIN ask
  // through pinentry, and CK_TOKEN_INFO has CKF_PROTECTED_AUTHENTICATION_PATH.
  bool protected_path() const { return store_ != nullptr && policy_.protected_path; }
  // Held (without mutex()) while a pinentry dialog of this token is open, so
  // one dialog is shown at a time. Lock order: prompt_mutex() before the
  // Library's, the Token's and the Sessions' locks; never taken while holding
  // one of them.
  Mutex& prompt_mutex() { return prompt_mutex_; }
  // Throws what checking a PIN of `who` would throw before anybody is asked:
  // token unusable, CKR_USER_PIN_NOT_INITIALIZED, CKR_PIN_LOCKED.
  void check_pin_usable(CK_USER_TYPE who);
  // What a dialog about the PIN of `who` says.
  struct PromptFacts {
    std::string label;
    std::uint32_t tries_left = 0;
    bool must_change = false;   // the user PIN is an envelope PIN
    bool wrong_before = false;  // the last PIN typed in a dialog of this process was wrong
    PinPolicy policy;
  };
  PromptFacts prompt_facts(CK_USER_TYPE who);
  // Remembers whether the PIN typed in a dialog was wrong (for the next
  // dialog's error line).
  void note_prompt_result(CK_USER_TYPE who, bool wrong) { (who == CKU_SO ? so_wrong_ : user_wrong_) = wrong; }

  // ---- Objects (token_objects.cpp) ----
  // The object if this process may see it now; CKR_OBJECT_HANDLE_INVALID
  // otherwise, CKR_DEVICE_ERROR if its stored form failed authentication.
  ObjectPtr object(CK_OBJECT_HANDLE handle) const;
  // Handles of the visible objects that `matches`, in handle order.
  std::vector<CK_OBJECT_HANDLE> find(const std::function<bool(CK_OBJECT_HANDLE, const Object&)>& matches) const;
  // Adds a complete object (attributes already ruled on); token objects are
  // written to the file first. Session objects belong to `owner`.
  CK_OBJECT_HANDLE add(AttributeMap attrs, CK_SESSION_HANDLE owner);
  // Replaces the attributes of an existing object (same handle).
  void replace(CK_OBJECT_HANDLE handle, AttributeMap attrs);
  void destroy(CK_OBJECT_HANDLE handle);
  // True for objects only the logged-in user may see.
  static bool needs_login(const Object& object);
  // True for the module's own objects (profile, policy), which are not stored.
  static bool is_builtin(CK_OBJECT_HANDLE handle);

 private:
  void load(const store::TokenRecord& record);
  void load_objects();
  // After login: adds what only the master key can open (private objects, key
  // material) to what is already in memory, without re-reading the rest.
  void load_sealed_objects();
  void merge_stored(std::vector<store::LoadedObject> loaded);
  void rebuild_builtin_objects();
  void forget_login() noexcept;
  bool visible(const Object& object) const;
  CK_FLAGS pin_flags();
  // Takes the token's PIN lock (store/pin_lock.h) and re-reads what other
  // processes committed before it. `in_session`: the caller works in a
  // session, which a re-initialisation found now has made invalid
  // (CKR_SESSION_HANDLE_INVALID).
  store::PinLock lock_pins(bool in_session);
  void verify_pin(CK_USER_TYPE who, ByteView pin, SecureBytes& master_key);
  void store_pin(CK_USER_TYPE who, ByteView pin, ByteView master_key, bool must_change);
  std::vector<SecureBytes> read_history(ByteView master_key);
  // The token just made or re-made: `record` with `master` under the SO PIN.
  store::PinRecord new_so_pin(const store::TokenRecord& record, ByteView so_pin, ByteView master);
  void create_file(ByteView so_pin, const std::string& label);

  const CK_SLOT_ID slot_;
  const std::string path_;
  Mutex mutex_;
  Mutex prompt_mutex_;
  bool user_wrong_ = false;  // guarded by mutex_
  bool so_wrong_ = false;
  std::atomic<std::uint64_t> epoch_{1};
  std::atomic<std::uint64_t> login_generation_{0};
  std::unique_ptr<store::TokenStore> store_;
  CK_RV problem_ = CKR_OK;
  store::TokenRecord record_;
  PinPolicy policy_;
  std::int64_t data_version_ = 0;
  std::atomic<std::int64_t> last_refresh_ns_{0};

  CK_USER_TYPE logged_in_ = kNobody;
  store::Vault vault_;  // holds the master key while someone is logged in

  std::map<CK_OBJECT_HANDLE, ObjectPtr> objects_;
  std::map<CK_OBJECT_HANDLE, bool> corrupt_;  // stored objects that failed authentication
  CK_OBJECT_HANDLE next_session_handle_;
  std::size_t sessions_ = 0;
  std::size_t rw_sessions_ = 0;
};

// Handle ranges: token objects use their row id in the token file (stable
// across processes); session objects count up from kFirstSessionObject.
inline constexpr CK_OBJECT_HANDLE kProfileObjectHandle = 0x3FFFFFF0;
inline constexpr CK_OBJECT_HANDLE kPolicyObjectHandle = 0x3FFFFFF1;
inline constexpr CK_OBJECT_HANDLE kFirstSessionObject = 0x40000000;

}  // namespace ecert::token
