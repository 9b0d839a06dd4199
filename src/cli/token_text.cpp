// The CLI's words for a token (`list`, `info`) and its password state, as what
// the person can do next (a locked token, an envelope PIN still to change, the
// tries left); sizes in binary units; length limits in characters when our
// policy is known, else in bytes; every string from the module escaped; and
// the same facts as JSON.
#include "cli/token_text.h"

#include <iterator>

#include "manager/i18n.h"

namespace ecert::cli {

using manager::tr;
using manager::tr_n;

std::string describe_pin_state(const manager::TokenSummary& t) {
  if (!t.present) return std::string(tr("No token in this slot.")) + "\n";
  if (!t.initialized) return std::string(tr("Not initialised (the issuer makes it with: ecert-token init).")) + "\n";
  std::string out;
  const manager::PinState& u = t.user;
  if (!u.initialized) return std::string(tr("No token password has been set yet.")) + "\n";
  if (u.locked) {
    out +=
        tr("The token is LOCKED: too many wrong passwords were entered. The issuer can unblock it "
           "(ecert-token unblock).");
    out += "\n";
    return out;
  }
  if (u.must_change) {
    out +=
        tr("The token password must be changed: it is still the initial password from the PIN envelope, and "
           "Firefox cannot use the token until it is changed. Change the token password first: "
           "ecert-token change-pin");
    out += "\n";
  }
  if (u.tries_left && u.max_tries) {
    out += format(tr_n("%u try left (of %u) before the token is locked.",
                       "%u of %u tries left before the token is locked.", *u.tries_left),
                  *u.tries_left, *u.max_tries);
    out += "\n";
  } else if (u.final_try) {
    out += std::string(tr("Only one try is left before the token is locked.")) + "\n";
  } else if (u.count_low) {
    out += std::string(tr("A wrong password has been entered since the last correct one.")) + "\n";
  } else {
    out += std::string(tr("The token password is set.")) + "\n";
  }
  return out;
}

namespace {

// Binary units (a PKCS#11 token reports bytes), one decimal: "12.3 GiB".
std::string human_size(CK_ULONG bytes) {
  if (bytes < 1024) return format(tr_n("%lu byte", "%lu bytes", bytes), bytes);
  static const char* const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB"};
  double value = static_cast<double>(bytes) / 1024;
  std::size_t unit = 0;
  for (; value >= 1024 && unit + 1 < std::size(units); ++unit) value /= 1024;
  return format("%.1f %s", value, units[unit]);
}

// Empty when the token does not report its free space
// (CK_UNAVAILABLE_INFORMATION): the line is then left out.
std::string memory_text(const std::optional<CK_ULONG>& free, const std::optional<CK_ULONG>& total) {
  if (!free) return "";
  if (!total) return format(tr("%s free"), human_size(*free).c_str());
  return format(tr("%s free of %s"), human_size(*free).c_str(), human_size(*total).c_str());
}

}  // namespace

// The token's own strings (label, manufacturer, ...) are any module's bytes:
// printable() shows their control characters as escapes.
std::string token_text(const manager::TokenSummary& t, bool full) {
  std::string out = format(tr("Slot %lu: %s"), t.slot, printable(t.slot_description).c_str()) + "\n";
  if (!t.present) return out + "  " + tr("No token in this slot.") + "\n";
  if (!t.initialized) return out + "  " + describe_pin_state(t);
  out += "  " + format(tr("Token label:   %s"), printable(t.label).c_str()) + "\n";
  out += "  " + format(tr("Serial number: %s"), printable(t.serial).c_str()) + "\n";
  out += "  " + format(tr("Manufacturer:  %s"), printable(t.manufacturer).c_str()) + "\n";
  out += "  " + format(tr("Model:         %s"), printable(t.model).c_str()) + "\n";
  if (const std::string memory = memory_text(t.free_public, t.total_public); !memory.empty())
    out += "  " + format(tr("Free space:    %s"), memory.c_str()) + "\n";
  if (full) {
    // Our policy counts characters; CK_TOKEN_INFO's limits are bytes (a
    // character of UTF-8 may take up to 4), so they are said as bytes.
    if (t.policy)
      out += "  " +
             format(tr_n("Password length: %u to %u character", "Password length: %u to %u characters",
                         t.policy->rules.max_length),
                    t.policy->rules.min_length, t.policy->rules.max_length) +
             "\n";
    else
      out += "  " +
             format(tr_n("Password length: %lu to %lu byte", "Password length: %lu to %lu bytes", t.max_pin), t.min_pin,
                    t.max_pin) +
             "\n";
    if (t.so.tries_left && t.so.max_tries)
      out += "  " +
             format(tr_n("Administrator (SO) password: %u try left (of %u)",
                         "Administrator (SO) password: %u of %u tries left", *t.so.tries_left),
                    *t.so.tries_left, *t.so.max_tries) +
             "\n";
    if (t.so.locked) out += "  " + std::string(tr("The administrator (SO) password is locked.")) + "\n";
  }
  std::string state = describe_pin_state(t);
  for (std::size_t start = 0; start < state.size();) {
    const std::size_t end = state.find('\n', start);
    out += "  " + state.substr(start, end - start + 1);
    start = end + 1;
  }
  return out;
}

std::string sentences(const std::string& first, const std::string& second) {
  if (second.empty()) return first;
  // TRANSLATORS: two whole sentences one after the other ("The password is
  // wrong." and "14 tries left ..."); Chinese needs no blank after 。.
  return format(tr("%s %s"), first.c_str(), second.c_str());
}

std::string describe_tries_after_failure(const manager::TokenSummary& t, CK_USER_TYPE who) {
  const manager::PinState& s = who == CKU_SO ? t.so : t.user;
  if (s.locked) {
    return who == CKU_SO ? tr("The administrator (SO) password is now locked.")
                         : tr("The token is now locked: too many wrong passwords were entered. The issuer can "
                              "unblock it (ecert-token unblock).");
  }
  if (s.tries_left && who == CKU_SO)
    return format(tr_n("%u try left before the administrator (SO) password is locked.",
                       "%u tries left before the administrator (SO) password is locked.", *s.tries_left),
                  *s.tries_left);
  if (s.tries_left)
    return format(
        tr_n("%u try left before the token is locked.", "%u tries left before the token is locked.", *s.tries_left),
        *s.tries_left);
  if (s.final_try) return tr("Only one try is left before the token is locked.");
  return "";
}

Json pin_state_json(const manager::PinState& s) {
  Json j;
  j["initialized"] = s.initialized;
  j["locked"] = s.locked;
  j["must_change"] = s.must_change;
  j["count_low"] = s.count_low;
  j["final_try"] = s.final_try;
  j["tries_left"] = optional_json(s.tries_left);
  j["max_tries"] = optional_json(s.max_tries);
  return j;
}

Json token_json(const manager::TokenSummary& t) {
  Json j;
  j["slot"] = t.slot;
  j["slot_description"] = t.slot_description;
  j["present"] = t.present;
  if (!t.present) return j;
  j["initialized"] = t.initialized;
  j["label"] = t.label;
  j["manufacturer"] = t.manufacturer;
  j["model"] = t.model;
  j["serial"] = t.serial;
  j["free_public_memory"] = optional_json(t.free_public);
  j["total_public_memory"] = optional_json(t.total_public);
  j["free_private_memory"] = optional_json(t.free_private);
  j["total_private_memory"] = optional_json(t.total_private);
  j["min_pin_length"] = t.min_pin;
  j["max_pin_length"] = t.max_pin;
  j["protected_authentication_path"] = t.protected_path;
  j["user_pin"] = pin_state_json(t.user);
  j["so_pin"] = pin_state_json(t.so);
  return j;
}

}  // namespace ecert::cli
