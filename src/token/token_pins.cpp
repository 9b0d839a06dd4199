// Token: PINs, login and token (re)initialisation. The PIN state machine is
// drawn in docs/DESIGN.md; in short: a try is counted on disk before the PIN is
// checked, a right PIN resets the count, the count reaching the policy's
// maximum locks, and a user PIN set by the SO must be changed before use.
#include <cstdio>

#include "common/error.h"
#include "crypto/library_context.h"
#include "store/pin_lock.h"
#include "store/token_directory.h"
#include "token/special_objects.h"
#include "token/token.h"

namespace ecert::token {

using namespace ecert::policy;

namespace {
Bytes random(std::size_t n) {
  Bytes out(n);
  crypto::random_bytes(out.data(), n);
  return out;
}

std::string random_serial() {
  Bytes raw = random(8);
  std::string out;
  char hex[3];
  for (std::uint8_t b : raw) {
    std::snprintf(hex, sizeof hex, "%02X", b);
    out += hex;
  }
  return out;
}

}  // namespace

CK_FLAGS Token::pin_flags() {
  CK_FLAGS flags = 0;
  store::PinRecord user = store_->read_pin(CKU_USER);
  if (user.initialized) {
    flags |= CKF_USER_PIN_INITIALIZED;
    if (user.failures > 0) flags |= CKF_USER_PIN_COUNT_LOW;
    if (user.failures + 1 == policy_.max_user_tries) flags |= CKF_USER_PIN_FINAL_TRY;
    if (user.failures >= policy_.max_user_tries) flags |= CKF_USER_PIN_LOCKED;
    if (user.must_change) flags |= CKF_USER_PIN_TO_BE_CHANGED;
  }
  store::PinRecord so = store_->read_pin(CKU_SO);
  if (so.failures > 0) flags |= CKF_SO_PIN_COUNT_LOW;
  if (so.failures + 1 == policy_.max_so_tries) flags |= CKF_SO_PIN_FINAL_TRY;
  if (so.failures >= policy_.max_so_tries) flags |= CKF_SO_PIN_LOCKED;
  return flags;
}

store::PinLock Token::lock_pins(bool in_session) {
  std::uint64_t epoch_before = epoch();
  store::PinLock lock(path_);
  // What another process committed before we had the lock (a new PIN, a
  // re-initialised token) is what this operation must see.
  refresh();
  require_initialized();
  if (in_session && epoch() != epoch_before) fail(CKR_SESSION_HANDLE_INVALID, "token re-initialised");
  return lock;
}

// Counts the try on disk, then checks the PIN by unwrapping the master key.
// Killing the process between the two leaves the try counted. The caller
// holds the PIN lock, so no other process counts, resets or replaces this
// PIN in between.
void Token::verify_pin(CK_USER_TYPE who, ByteView pin, SecureBytes& master_key) {
  std::uint32_t max = who == CKU_SO ? policy_.max_so_tries : policy_.max_user_tries;
  std::optional<std::uint32_t> counted = store_->count_try(who, max);
  rebuild_builtin_objects();
  if (!counted) fail(CKR_PIN_LOCKED, "locked");
  auto unwrapped = vault_.unwrap_pin(who, pin, store_->read_pin(who));
  if (!unwrapped) fail(CKR_PIN_INCORRECT, "wrong PIN");
  store_->reset_failures(who);
  rebuild_builtin_objects();
  master_key = std::move(*unwrapped);
}

void Token::check_can_log_in(CK_USER_TYPE who) {
  require_initialized();
  if (logged_in_ == who) fail(CKR_USER_ALREADY_LOGGED_IN);
  if (logged_in_ != kNobody) fail(CKR_USER_ANOTHER_ALREADY_LOGGED_IN);
  if (who == CKU_USER && !store_->read_pin(CKU_USER).initialized) fail(CKR_USER_PIN_NOT_INITIALIZED);
}

void Token::check_pin_usable(CK_USER_TYPE who) {
  require_initialized();
  store::PinRecord rec = store_->read_pin(who);
  if (who == CKU_USER && !rec.initialized) fail(CKR_USER_PIN_NOT_INITIALIZED);
  if (rec.failures >= (who == CKU_SO ? policy_.max_so_tries : policy_.max_user_tries)) fail(CKR_PIN_LOCKED, "locked");
}

Token::PromptFacts Token::prompt_facts(CK_USER_TYPE who) {
  require_initialized();
  store::PinRecord rec = store_->read_pin(who);
  std::uint32_t max = who == CKU_SO ? policy_.max_so_tries : policy_.max_user_tries;
  PromptFacts facts;
  facts.label = record_.label;
  facts.tries_left = rec.failures >= max ? 0 : max - rec.failures;
  facts.must_change = who == CKU_USER && rec.must_change;
  facts.wrong_before = who == CKU_SO ? so_wrong_ : user_wrong_;
  facts.policy = policy_;
  return facts;
}

void Token::login(CK_USER_TYPE who, ByteView pin) {
  check_can_log_in(who);
  store::PinLock lock = lock_pins(true);
  check_can_log_in(who);  // again: the refresh may have found a new token
  SecureBytes master_key;
  verify_pin(who, pin, master_key);
  if (who == CKU_USER && store_->read_pin(CKU_USER).must_change) fail(CKR_PIN_EXPIRED, "must change");
  logged_in_ = who;
  vault_.hold(std::move(master_key));
  if (who == CKU_USER) load_sealed_objects();
}

void Token::forget_login() noexcept {
  login_generation_.fetch_add(1, std::memory_order_acq_rel);
  logged_in_ = kNobody;
  vault_.forget();
}

void Token::logout() {
  bool was_user = logged_in_ == CKU_USER;
  forget_login();
  if (!was_user) return;
  // What only the user may see leaves memory, and with those Objects their
  // decoded OpenSSL keys. (Key material lives only in such objects: keys on
  // the token are stored private, see token_objects.cpp.)
  for (auto it = objects_.begin(); it != objects_.end();) {
    it = needs_login(*it->second) ? objects_.erase(it) : std::next(it);
  }
}

void Token::create_file(ByteView so_pin, const std::string& label) {
  store::TokenRecord record;
  record.uuid = random(16);
  record.serial = random_serial();
  record.label = label;
  record.generation = 1;
  record.kdf = store::cost_for_new_token();
  PinPolicy defaults;
  store::PinRecord so = new_so_pin(record, so_pin, store::Vault::new_master_key());
  store_ = store::TokenStore::create(path_, record, so, defaults.to_values());
  policy_ = defaults;
  problem_ = CKR_OK;
  data_version_ = store_->data_version();
  record_ = store::TokenRecord{};
  load(record);
}

void Token::init_token(ByteView so_pin, const std::string& label) {
  check_recognized();
  store::ensure_token_directory(path_.substr(0, path_.find_last_of('/')));
  store::PinLock lock(path_);
  // Another process may have made or re-made this token while we waited:
  // then this call re-initialises what is there now, as if it came after.
  refresh();
  check_recognized();
  if (store_ == nullptr) {
    PinPolicy defaults;
    std::string_view text(reinterpret_cast<const char*>(so_pin.data()), so_pin.size());
    CK_RV rv = pin_problem_rv(check_owner_pin(defaults, text));
    if (rv != CKR_OK) fail(rv, "SO PIN breaks the policy");
    create_file(so_pin, label);
    return;
  }
  SecureBytes old_master;
  verify_pin(CKU_SO, so_pin, old_master);
  store::TokenRecord record = record_;
  record.uuid = random(16);
  record.label = label;
  record.generation = record_.generation + 1;
  record.kdf = store::cost_for_new_token();
  PinPolicy defaults;
  store_->reinitialize(record, new_so_pin(record, so_pin, store::Vault::new_master_key()), defaults.to_values());
  policy_ = defaults;
  forget_login();
  objects_.clear();
  epoch_.fetch_add(1, std::memory_order_acq_rel);
  record_ = record;
  vault_.bind(record);
  load_objects();
}

store::PinRecord Token::new_so_pin(const store::TokenRecord& record, ByteView so_pin, ByteView master) {
  store::Vault fresh;  // this token's vault still seals for the old one
  fresh.bind(record);
  return fresh.wrap_pin(CKU_SO, so_pin, master, false);
}

// Stores `pin` as the PIN of `who`, wrapping `master_key`; for the user also
// records it in the sealed history, in the same transaction.
void Token::store_pin(CK_USER_TYPE who, ByteView pin, ByteView master_key, bool must_change) {
  std::optional<Bytes> sealed_history;
  if (who == CKU_USER) {
    std::vector<SecureBytes> history = read_history(master_key);
    push_history(history, pin, policy_.history_size);
    sealed_history = vault_.seal_history(view(encode_history(history)), master_key);
  }
  store_->replace_pin(who, vault_.wrap_pin(who, pin, master_key, must_change), sealed_history);
  rebuild_builtin_objects();
}

std::vector<SecureBytes> Token::read_history(ByteView master_key) {
  std::optional<Bytes> sealed = store_->read_pin_history();
  if (!sealed) return {};
  auto plain = vault_.unseal_history(view(*sealed), master_key);
  if (!plain) fail(CKR_DEVICE_ERROR, "PIN history failed authentication");
  return decode_history(view(*plain));
}

void Token::init_pin(ByteView pin) {
  require_initialized();
  if (logged_in_ != CKU_SO) fail(CKR_USER_NOT_LOGGED_IN);
  std::string_view text(reinterpret_cast<const char*>(pin.data()), pin.size());
  CK_RV rv = pin_problem_rv(check_issuer_pin(policy_, text));
  if (rv != CKR_OK) fail(rv, "PIN breaks the issuer rule");
  store::PinLock lock = lock_pins(true);
  if (logged_in_ != CKU_SO) fail(CKR_USER_NOT_LOGGED_IN);
  store_pin(CKU_USER, pin, vault_.master_key(), policy_.must_change);
}

// Checking the old PIN and storing the new one happen under one PIN lock: of
// two changes from the same old PIN, the second checks its old PIN against
// the PIN the first stored, which is a wrong PIN, and counts as one (the
// module cannot tell a stale PIN from a guess; see docs/DESIGN.md).
void Token::set_pin(CK_USER_TYPE who, ByteView old_pin, ByteView new_pin) {
  require_initialized();
  store::PinLock lock = lock_pins(true);
  store::PinRecord current = store_->read_pin(who);
  if (who == CKU_USER && !current.initialized) fail(CKR_USER_PIN_NOT_INITIALIZED);
  // A locked PIN answers CKR_PIN_LOCKED whatever the new PIN is.
  if (current.failures >= (who == CKU_SO ? policy_.max_so_tries : policy_.max_user_tries)) {
    fail(CKR_PIN_LOCKED, "locked");
  }
  std::string_view text(reinterpret_cast<const char*>(new_pin.data()), new_pin.size());
  CK_RV rv = pin_problem_rv(check_owner_pin(policy_, text));
  if (rv != CKR_OK) fail(rv, "new PIN breaks the owner rule");
  SecureBytes master_key;
  verify_pin(who, old_pin, master_key);
  if (who == CKU_USER && policy_.history_size > 0 && in_history(read_history(master_key), new_pin)) {
    fail(CKR_PIN_INVALID, "PIN used before");
  }
  store_pin(who, new_pin, master_key, false);
}

void Token::set_policy(const PinPolicy& policy, const std::optional<std::string>& label) {
  require_initialized();
  policy.validate();
  // One transaction: another process never reads half a policy, and a crash
  // never leaves one (a row per value).
  PinPolicy next = policy.replacing(policy_);
  store_->write_policy(view(vault_.token().uuid), next.to_values(), label);
  policy_ = next;
  // Other processes see the commit through data_version; this one never
  // re-reads its own writes, so its record follows here.
  if (label) record_.label = *label;
  rebuild_builtin_objects();
}

void Token::rebuild_builtin_objects() {
  if (store_ == nullptr) return;
  objects_[kProfileObjectHandle] = std::make_shared<Object>(profile_object_attributes(), 0, 0);
  store::PinRecord user = store_->read_pin(CKU_USER);
  store::PinRecord so = store_->read_pin(CKU_SO);
  auto left = [](std::uint32_t max, std::uint32_t failures) { return failures >= max ? 0u : max - failures; };
  objects_[kPolicyObjectHandle] = std::make_shared<Object>(
      policy_object_attributes(policy_, left(policy_.max_user_tries, user.failures),
                               left(policy_.max_so_tries, so.failures), record_.kdf, record_.label),
      0, 0);
}

}  // namespace ecert::token
