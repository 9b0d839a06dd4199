// The words the CLI uses for a token and its PIN state, and the same facts as
// JSON.
#pragma once

#include <optional>
#include <string>

#include "cli/context.h"
#include "manager/tokens.h"

namespace ecert::cli {

// One line per fact about the user PIN: tries left, locked, must be changed
// (and how), each translated.
std::string describe_pin_state(const manager::TokenSummary& token);
// A token as `list` (full = false) and `info` (full = true) show it.
std::string token_text(const manager::TokenSummary& token, bool full);
// After a wrong password: how many tries are left, or that the token is now
// locked.
std::string describe_tries_after_failure(const manager::TokenSummary& token, CK_USER_TYPE who);
// Two sentences one after the other, as the language writes them (English
// puts a blank between them, Chinese none after 。); `second` may be empty.
std::string sentences(const std::string& first, const std::string& second);
// JSON null for a value that is not known, so that scripts find every key.
template <typename T>
Json optional_json(const std::optional<T>& value) {
  return value ? Json(*value) : Json(nullptr);
}
Json pin_state_json(const manager::PinState& state);
Json token_json(const manager::TokenSummary& token);

}  // namespace ecert::cli
