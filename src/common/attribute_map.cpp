// AttributeMap's typed access, and the one way from a caller's CK_ATTRIBUTE
// template into it (from_template), which refuses NULL values, lengths no
// attribute has and repeated types before anything reads the caller's buffers.
#include "common/attribute_map.h"

#include <cstring>

namespace ecert {

const SecureBytes* AttributeMap::find(CK_ATTRIBUTE_TYPE t) const {
  auto it = values_.find(t);
  return it == values_.end() ? nullptr : &it->second;
}

const SecureBytes& AttributeMap::at(CK_ATTRIBUTE_TYPE t, CK_RV missing) const {
  const SecureBytes* v = find(t);
  if (v == nullptr) fail(missing, "attribute missing");
  return *v;
}

std::optional<bool> AttributeMap::get_bool(CK_ATTRIBUTE_TYPE t) const {
  const SecureBytes* v = find(t);
  if (v == nullptr) return std::nullopt;
  require(v->size() == sizeof(CK_BBOOL), CKR_ATTRIBUTE_VALUE_INVALID, "bad CK_BBOOL size");
  return (*v)[0] != CK_FALSE;
}

std::optional<CK_ULONG> AttributeMap::get_ulong(CK_ATTRIBUTE_TYPE t) const {
  const SecureBytes* v = find(t);
  if (v == nullptr) return std::nullopt;
  require(v->size() == sizeof(CK_ULONG), CKR_ATTRIBUTE_VALUE_INVALID, "bad CK_ULONG size");
  CK_ULONG out;
  std::memcpy(&out, v->data(), sizeof out);
  return out;
}

std::string AttributeMap::string_or(CK_ATTRIBUTE_TYPE t, std::string fallback) const {
  const SecureBytes* v = find(t);
  return v == nullptr ? fallback : std::string(v->begin(), v->end());
}

void AttributeMap::set_bool(CK_ATTRIBUTE_TYPE t, bool v) {
  CK_BBOOL b = v ? CK_TRUE : CK_FALSE;
  set(t, view(&b, sizeof b));
}

void AttributeMap::set_ulong(CK_ATTRIBUTE_TYPE t, CK_ULONG v) { set(t, view(&v, sizeof v)); }

void AttributeMap::merge(const AttributeMap& other) {
  for (const auto& [t, v] : other.values_) values_[t] = v;
}

AttributeMap AttributeMap::from_template(const CK_ATTRIBUTE* attrs, CK_ULONG count) {
  require(attrs != nullptr || count == 0, CKR_ARGUMENTS_BAD, "NULL template");
  AttributeMap out;
  for (CK_ULONG i = 0; i < count; ++i) {
    const CK_ATTRIBUTE& a = attrs[i];
    require(a.pValue != nullptr || a.ulValueLen == 0, CKR_ARGUMENTS_BAD, "NULL attribute value");
    // A length no real attribute has is a caller bug (often an uninitialised
    // CK_ULONG); refusing it keeps us from reading far past the caller's buffer.
    require(a.ulValueLen <= kMaxAttributeLength, CKR_ATTRIBUTE_VALUE_INVALID, "attribute too long");
    require(!out.has(a.type), CKR_TEMPLATE_INCONSISTENT, "duplicate attribute");
    out.set(a.type, view(a.pValue, a.ulValueLen));
  }
  return out;
}

}  // namespace ecert
