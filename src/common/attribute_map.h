// AttributeMap: the attributes of one object (or one template) as owned values.
// Values are SecureBytes because some of them are key material. Typed getters
// throw ecert::Error(CKR_ATTRIBUTE_VALUE_INVALID) when a value has the wrong size
// for its type, so callers never read past a caller-supplied buffer.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "common/bytes.h"
#include "common/error.h"
#include "ecert/pkcs11.h"

namespace ecert {

// Longest attribute value accepted from a caller (a certificate chain or a data
// object fits easily).
inline constexpr CK_ULONG kMaxAttributeLength = 16UL * 1024 * 1024;

class AttributeMap {
 public:
  using Map = std::map<CK_ATTRIBUTE_TYPE, SecureBytes>;

  AttributeMap() = default;

  bool has(CK_ATTRIBUTE_TYPE t) const { return values_.count(t) != 0; }
  // The raw value; nullptr if absent.
  const SecureBytes* find(CK_ATTRIBUTE_TYPE t) const;
  // The raw value; throws Error(missing) if absent.
  const SecureBytes& at(CK_ATTRIBUTE_TYPE t, CK_RV missing = CKR_TEMPLATE_INCOMPLETE) const;

  std::optional<bool> get_bool(CK_ATTRIBUTE_TYPE t) const;
  std::optional<CK_ULONG> get_ulong(CK_ATTRIBUTE_TYPE t) const;
  bool bool_or(CK_ATTRIBUTE_TYPE t, bool fallback) const { return get_bool(t).value_or(fallback); }
  CK_ULONG ulong_or(CK_ATTRIBUTE_TYPE t, CK_ULONG fallback) const { return get_ulong(t).value_or(fallback); }
  std::string string_or(CK_ATTRIBUTE_TYPE t, std::string fallback) const;

  void set(CK_ATTRIBUTE_TYPE t, ByteView v) { values_[t] = secure_copy(v); }
  void set(CK_ATTRIBUTE_TYPE t, SecureBytes v) { values_[t] = std::move(v); }
  void set_bool(CK_ATTRIBUTE_TYPE t, bool v);
  void set_ulong(CK_ATTRIBUTE_TYPE t, CK_ULONG v);
  void set_string(CK_ATTRIBUTE_TYPE t, std::string_view v) { set(t, view(v)); }
  void erase(CK_ATTRIBUTE_TYPE t) { values_.erase(t); }

  // Copies every attribute of `other` into this map, replacing existing values.
  void merge(const AttributeMap& other);

  const Map& values() const { return values_; }
  std::size_t size() const { return values_.size(); }
  bool empty() const { return values_.empty(); }

  // Reads a caller's template. Throws CKR_ARGUMENTS_BAD for a NULL array with a
  // non-zero count or a NULL value with a non-zero length, and
  // CKR_TEMPLATE_INCONSISTENT when an attribute type appears twice.
  static AttributeMap from_template(const CK_ATTRIBUTE* attrs, CK_ULONG count);

 private:
  Map values_;
};

}  // namespace ecert
