// The PIN rules: the character-level checks of a new PIN, the consistency of
// a policy, its storage form, and the sealed history of past user PINs.
#include "policy/pin_policy.h"

#include <algorithm>

#include "common/error.h"
#include "common/padded_text.h"
#include "policy/policy_fields.h"

namespace ecert::policy {
namespace {

bool in_range(std::uint32_t v, std::uint32_t lo, std::uint32_t hi) { return v >= lo && v <= hi; }

// Splits UTF-8 into code points (input already validated).
std::vector<std::string_view> characters(std::string_view s) {
  std::vector<std::string_view> out;
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
    out.push_back(s.substr(i, len));
    i += len;
  }
  return out;
}

// Lengths count characters (code points), as a person counts them: "陳大文"
// is 3, not 9. Hence UTF-8 is checked first; invalid UTF-8 has no length.
PinProblem check_form(std::string_view pin, std::uint32_t min, std::uint32_t max) {
  if (!is_valid_utf8(pin)) return PinProblem::not_utf8;
  std::size_t length = character_count(pin);
  if (length < min) return PinProblem::too_short;
  if (length > max) return PinProblem::too_long;
  for (char ch : pin) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7F) return PinProblem::control_character;
  }
  return PinProblem::none;
}

}  // namespace

std::size_t character_count(std::string_view utf8) {
  std::size_t n = 0;
  for (char c : utf8) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;  // not a continuation byte
  return n;
}

CK_ULONG PinPolicy::max_pin_bytes() const {
  CK_ULONG rules = static_cast<CK_ULONG>(std::max(max_length, issuer_max_length)) * kMaxUtf8Bytes;
  return std::max<CK_ULONG>(rules, held_max_bytes);
}

CK_ULONG PinPolicy::min_pin_bytes() const {
  CK_ULONG rules = std::min(min_length, issuer_min_length);
  return held_min_bytes == 0 ? rules : std::min<CK_ULONG>(rules, held_min_bytes);
}

PinPolicy PinPolicy::replacing(const PinPolicy& before) const {
  PinPolicy next = *this;
  next.held_min_bytes = static_cast<std::uint32_t>(before.min_pin_bytes());
  next.held_max_bytes = static_cast<std::uint32_t>(before.max_pin_bytes());
  return next;
}

PinPolicy::PinPolicy() {
  for (const PolicyField& f : policy_fields()) f.set(*this, f.default_value);
}

void PinPolicy::validate() const {
  bool ok =
      in_range(max_length, min_length, kLongestPin) && in_range(issuer_max_length, issuer_min_length, kLongestPin);
  for (const PolicyField& f : policy_fields()) ok = ok && in_range(f.get(*this), f.minimum, f.maximum);
  require(ok, CKR_ATTRIBUTE_VALUE_INVALID, "policy out of range");
}

std::map<std::string, std::int64_t> PinPolicy::to_values() const {
  std::map<std::string, std::int64_t> out;
  for (const PolicyField& f : policy_fields()) out[f.storage_key] = f.get(*this);
  return out;
}

PinPolicy PinPolicy::from_values(const std::map<std::string, std::int64_t>& values) {
  PinPolicy p;
  for (const PolicyField& f : policy_fields()) {
    auto it = values.find(f.storage_key);
    if (it == values.end()) continue;
    if (it->second < 0 || it->second > 0xFFFFFFFF) fail(CKR_TOKEN_NOT_RECOGNIZED, "stored policy");
    f.set(p, static_cast<std::uint32_t>(it->second));
  }
  try {
    p.validate();
  } catch (const Error&) {
    fail(CKR_TOKEN_NOT_RECOGNIZED, "stored policy invalid");
  }
  return p;
}

PinProblem check_owner_pin(const PinPolicy& policy, std::string_view pin) {
  PinProblem form = check_form(pin, policy.min_length, policy.max_length);
  if (form != PinProblem::none) return form;
  bool upper = false, lower = false, digit = false, special = false;
  std::size_t run = 0;
  std::string_view previous;
  for (std::string_view ch : characters(pin)) {
    run = (ch == previous) ? run + 1 : 1;
    previous = ch;
    if (policy.max_repeat != 0 && run > policy.max_repeat) return PinProblem::repeated_character;
    char c = ch[0];
    if (ch.size() == 1 && c >= 'A' && c <= 'Z')
      upper = true;
    else if (ch.size() == 1 && c >= 'a' && c <= 'z')
      lower = true;
    else if (ch.size() == 1 && c >= '0' && c <= '9')
      digit = true;
    else
      special = true;
  }
  if (policy.require_upper && !upper) return PinProblem::no_upper;
  if (policy.require_lower && !lower) return PinProblem::no_lower;
  if (policy.require_digit && !digit) return PinProblem::no_digit;
  if (policy.require_special && !special) return PinProblem::no_special;
  return PinProblem::none;
}

PinProblem check_issuer_pin(const PinPolicy& policy, std::string_view pin) {
  return check_form(pin, policy.issuer_min_length, policy.issuer_max_length);
}

CK_RV pin_problem_rv(PinProblem problem) {
  switch (problem) {
    case PinProblem::none:
      return CKR_OK;
    case PinProblem::too_short:
    case PinProblem::too_long:
      return CKR_PIN_LEN_RANGE;
    default:
      return CKR_PIN_INVALID;
  }
}

SecureBytes encode_history(const std::vector<SecureBytes>& pins) {
  SecureBytes out;
  for (const SecureBytes& p : pins) {
    std::uint32_t n = static_cast<std::uint32_t>(p.size());
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(n >> (8 * i)));
    out.insert(out.end(), p.begin(), p.end());
  }
  return out;
}

std::vector<SecureBytes> decode_history(ByteView encoded) {
  std::vector<SecureBytes> out;
  std::size_t i = 0;
  while (i + 4 <= encoded.size()) {
    std::uint32_t n = 0;
    for (int k = 0; k < 4; ++k) n |= static_cast<std::uint32_t>(encoded[i + k]) << (8 * k);
    i += 4;
    if (n > encoded.size() - i) fail(CKR_DEVICE_ERROR, "history corrupt");
    out.emplace_back(encoded.begin() + i, encoded.begin() + i + n);
    i += n;
  }
  // Leftover bytes too short for a length prefix: not what encode_history made.
  if (i != encoded.size()) fail(CKR_DEVICE_ERROR, "history corrupt");
  return out;
}

bool in_history(const std::vector<SecureBytes>& history, ByteView pin) {
  bool found = false;
  for (const SecureBytes& old : history) found |= constant_time_equal(view(old), pin);
  return found;
}

void push_history(std::vector<SecureBytes>& history, ByteView pin, std::uint32_t size) {
  history.insert(history.begin(), secure_copy(pin));
  if (history.size() > size) history.resize(size);
}

}  // namespace ecert::policy
