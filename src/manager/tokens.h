// Token discovery: the slots of a module, what each token says about itself,
// its PIN state in terms a person can be told, and picking the token a
// command is about.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "manager/pkcs11_module.h"
#include "manager/token_policy.h"

namespace ecert::manager {

// The state of one PIN (user or SO). Exact counts come from our policy
// object; other modules only give the CKF_*_COUNT_LOW / FINAL_TRY / LOCKED
// flags, so the counts are then empty.
struct PinState {
  bool initialized = false;  // a user PIN has been set (CKF_USER_PIN_INITIALIZED)
  bool locked = false;
  bool must_change = false;  // the envelope (issuer) PIN is still in use
  bool count_low = false;    // a wrong PIN has been entered since the last good one
  bool final_try = false;
  std::optional<std::uint32_t> tries_left;
  std::optional<std::uint32_t> max_tries;
};

struct TokenSummary {
  CK_SLOT_ID slot = 0;
  std::string slot_description;
  bool present = false;
  bool initialized = false;  // CKF_TOKEN_INITIALIZED
  std::string label, manufacturer, model, serial;
  CK_FLAGS flags = 0;
  std::optional<CK_ULONG> free_public, total_public, free_private, total_private;  // bytes, when the token says
  CK_ULONG min_pin = 0, max_pin = 0;
  bool login_required = false;
  bool protected_path = false;
  PinState user, so;
  std::optional<TokenPolicy> policy;  // ecert-token tokens only
};

// Every slot of the module, with its token (if any) described.
std::vector<TokenSummary> list_tokens(const Module& module);
TokenSummary describe_token(const Module& module, CK_SLOT_ID slot);

// What a command names: a slot ID, or a token label; neither means "the one
// initialised token" (for `init`, "the one uninitialised token").
struct TokenChoice {
  std::optional<CK_SLOT_ID> slot;
  std::optional<std::string> label;
};
// Throws UsageError(no_token) when nothing matches, (several_tokens) when the
// choice is not unique.
CK_SLOT_ID choose_token(const Module& module, const TokenChoice& choice);
CK_SLOT_ID choose_uninitialised_token(const Module& module, const TokenChoice& choice);

}  // namespace ecert::manager
