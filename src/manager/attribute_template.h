// A PKCS#11 attribute template that owns its values, so a template can be
// built up in steps and handed to C_CreateObject, C_FindObjectsInit, ...
// Values that are key material go in SecureBytes and are wiped with it.
#pragma once

#include <deque>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "ecert/pkcs11.h"

namespace ecert::manager {

class AttributeTemplate {
 public:
  AttributeTemplate& add_ulong(CK_ATTRIBUTE_TYPE type, CK_ULONG value) { return add_raw(type, &value, sizeof value); }
  AttributeTemplate& add_bool(CK_ATTRIBUTE_TYPE type, bool value) {
    const CK_BBOOL b = value ? CK_TRUE : CK_FALSE;
    return add_raw(type, &b, sizeof b);
  }
  AttributeTemplate& add_bytes(CK_ATTRIBUTE_TYPE type, ByteView value) {
    return add_raw(type, value.data(), value.size());
  }
  AttributeTemplate& add_text(CK_ATTRIBUTE_TYPE type, std::string_view value) {
    return add_raw(type, value.data(), value.size());
  }

  // For C_* calls that take CK_ATTRIBUTE_PTR (they do not write through it
  // except C_GetAttributeValue, which this class is not for).
  CK_ATTRIBUTE* data() { return attributes_.data(); }
  CK_ULONG size() const { return static_cast<CK_ULONG>(attributes_.size()); }

 private:
  AttributeTemplate& add_raw(CK_ATTRIBUTE_TYPE type, const void* p, std::size_t n) {
    // std::deque keeps earlier values where they are as more are added.
    SecureBytes& stored =
        values_.emplace_back(static_cast<const std::uint8_t*>(p), static_cast<const std::uint8_t*>(p) + n);
    attributes_.push_back(CK_ATTRIBUTE{type, stored.empty() ? nullptr : stored.data(), static_cast<CK_ULONG>(n)});
    return *this;
  }

  std::deque<SecureBytes> values_;
  std::vector<CK_ATTRIBUTE> attributes_;
};

}  // namespace ecert::manager
