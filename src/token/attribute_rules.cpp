// The attribute rules of PKCS#11 2.40/3.0 as tables, and the generic routines
// that read them. The footnote numbers in comments are those of the
// specification's "common footnotes for object attribute tables":
//   1 must be given to C_CreateObject        2 must not be given to C_CreateObject
//   3 must be given to C_Generate*           4 must not be given to C_Generate*
//   6 must not be given to C_UnwrapKey       7 hidden when sensitive/unextractable
//   8 modifiable after creation             10 only the SO may set it to TRUE
//  11 read-only once TRUE                   12 read-only once FALSE
#include "token/attribute_rules.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <utility>

#include "crypto/algorithms.h"
#include "crypto/check_value.h"
#include "crypto/x509_fields.h"

namespace ecert::token {
namespace {

// ---- The shape of a table row ----

enum Kind : std::uint8_t {
  kBool,      // CK_BBOOL: exactly 1 byte
  kUlong,     // CK_ULONG: exactly sizeof(CK_ULONG)
  kBytes,     // byte array or string: any length
  kDate,      // CK_DATE: empty or 8 bytes
  kMechList,  // CK_MECHANISM_TYPE array: a multiple of sizeof(CK_ULONG)
  kAttrList,  // CK_ATTRIBUTE array (wrap templates): only empty is accepted,
              // because its value holds the caller's pointers, which cannot be
              // stored; the module does no wrapping that would use it
};

enum Dflt : std::uint8_t {
  kNoDefault,  // absent unless given (required ones, optional RSA CRT values)
  kFalse,
  kTrue,
  kEmpty,
  kNumber,   // the row's `number`
  kDerived,  // computed from other attributes by derive_certificate/derive_key
};

// How an attribute may change after creation, by C_SetAttributeValue (`set`)
// or by the template of C_CopyObject (`copy`). Setting the value an attribute
// already has is not a change (except for secret values, see apply()).
enum Mod : std::uint8_t {
  kNever,
  kAny,
  kToTrue,   // footnote 11: FALSE -> TRUE only
  kToFalse,  // footnote 12: TRUE -> FALSE only
  kSoOnly,   // footnote 10 / header: only in an SO session
};

enum Flag : std::uint8_t {
  kReq = 1 << 0,        // footnote 1
  kGenReq = 1 << 1,     // footnote 3
  kNotCreate = 1 << 2,  // footnote 2: the token derives it (TEMPLATE_INCONSISTENT)
  kNotGen = 1 << 3,     // footnote 4: the mechanism makes it (TEMPLATE_INCONSISTENT)
  kTokenOnly = 1 << 4,  // footnotes 2,4,6 together: only the token sets it (READ_ONLY)
  kSens = 1 << 5,       // footnote 7
  kSecret = 1 << 6,     // key material: restating it is never taken as "no change"
};

struct Rule {
  CK_ATTRIBUTE_TYPE type;
  Kind kind;
  Dflt dflt;
  Mod set;
  Mod copy;
  std::uint8_t flags;
  CK_ULONG number;  // default for kNumber
};
using Table = std::span<const Rule>;

// ---- The tables (type, kind, default, by C_SetAttributeValue, by C_CopyObject, flags) ----

// Every storage object. Only CKA_LABEL changes after creation; CKA_TOKEN,
// CKA_PRIVATE, CKA_MODIFIABLE change by copying; CKA_COPYABLE is footnote 12.
// CKA_UNIQUE_ID (3.0) is assigned by the token layer, never by the caller.
constexpr Rule kCommon[] = {
    {CKA_CLASS, kUlong, kNoDefault, kNever, kNever, kReq},
    {CKA_TOKEN, kBool, kFalse, kNever, kAny},
    {CKA_PRIVATE, kBool, kFalse, kNever, kAny},  // keys: see the key class tables
    {CKA_MODIFIABLE, kBool, kTrue, kNever, kToFalse},
    {CKA_COPYABLE, kBool, kTrue, kToFalse, kToFalse},
    {CKA_DESTROYABLE, kBool, kTrue, kNever, kToFalse},
    {CKA_LABEL, kBytes, kEmpty, kAny, kAny},
    {CKA_UNIQUE_ID, kBytes, kNoDefault, kNever, kNever, kTokenOnly},
};

constexpr Rule kData[] = {
    {CKA_APPLICATION, kBytes, kEmpty, kAny, kAny},
    {CKA_OBJECT_ID, kBytes, kEmpty, kAny, kAny},
    {CKA_VALUE, kBytes, kEmpty, kAny, kAny},
};

// CKA_TRUSTED may be given at creation: only the token layer knows whether the
// session is the SO's, so it refuses TRUE from anyone else.
constexpr Rule kCertificate[] = {
    {CKA_CERTIFICATE_TYPE, kUlong, kNoDefault, kNever, kNever, kReq},
    {CKA_TRUSTED, kBool, kFalse, kSoOnly, kSoOnly},
    {CKA_CERTIFICATE_CATEGORY, kUlong, kNumber, kNever, kNever, 0, 0},  // 0 = unspecified
    {CKA_CHECK_VALUE, kBytes, kDerived, kNever, kNever},
    {CKA_START_DATE, kDate, kEmpty, kAny, kAny},
    {CKA_END_DATE, kDate, kEmpty, kAny, kAny},
    {CKA_PUBLIC_KEY_INFO, kBytes, kDerived, kNever, kNever},
};

// "Only the CKA_ID, CKA_ISSUER, and CKA_SERIAL_NUMBER attributes may be
// modified after the object is created." CKA_SUBJECT (footnote 1 in the
// specification) is filled from CKA_VALUE when absent, as most tokens do.
constexpr Rule kX509[] = {
    {CKA_SUBJECT, kBytes, kDerived, kNever, kNever},
    {CKA_ID, kBytes, kEmpty, kAny, kAny},
    {CKA_ISSUER, kBytes, kDerived, kAny, kAny},
    {CKA_SERIAL_NUMBER, kBytes, kDerived, kAny, kAny},
    {CKA_VALUE, kBytes, kNoDefault, kNever, kNever, kReq},
    {CKA_URL, kBytes, kEmpty, kNever, kNever},
    {CKA_HASH_OF_SUBJECT_PUBLIC_KEY, kBytes, kEmpty, kNever, kNever},
    {CKA_HASH_OF_ISSUER_PUBLIC_KEY, kBytes, kEmpty, kNever, kNever},
    {CKA_JAVA_MIDP_SECURITY_DOMAIN, kUlong, kNumber, kNever, kNever, 0, 0},
    {CKA_NAME_HASH_ALGORITHM, kUlong, kNumber, kNever, kNever, 0, CKM_SHA_1},
};

// Every key. CKA_ALLOWED_MECHANISMS empty = any mechanism; it restricts the
// key, so it is fixed at creation.
constexpr Rule kKeyCommon[] = {
    {CKA_KEY_TYPE, kUlong, kNoDefault, kNever, kNever, kReq},
    {CKA_ID, kBytes, kEmpty, kAny, kAny},
    {CKA_START_DATE, kDate, kEmpty, kAny, kAny},
    {CKA_END_DATE, kDate, kEmpty, kAny, kAny},
    {CKA_DERIVE, kBool, kFalse, kAny, kAny},
    {CKA_LOCAL, kBool, kDerived, kNever, kNever, kTokenOnly},
    {CKA_KEY_GEN_MECHANISM, kUlong, kDerived, kNever, kNever, kTokenOnly},
    {CKA_ALLOWED_MECHANISMS, kMechList, kEmpty, kNever, kNever},
};

// CKA_PUBLIC_KEY_INFO of keys defaults to empty here; the crypto layer can
// derive it from the key material (crypto::public_key_info) if wanted.
constexpr Rule kPublicKey[] = {
    {CKA_PRIVATE, kBool, kFalse, kNever, kToTrue},  // a copy may hide a key, not reveal one
    {CKA_SUBJECT, kBytes, kEmpty, kAny, kAny},
    {CKA_ENCRYPT, kBool, kTrue, kAny, kAny},
    {CKA_VERIFY, kBool, kTrue, kAny, kAny},
    {CKA_VERIFY_RECOVER, kBool, kFalse, kAny, kAny},
    {CKA_WRAP, kBool, kFalse, kAny, kAny},  // wrapping exports keys: only on request
    {CKA_TRUSTED, kBool, kFalse, kSoOnly, kSoOnly},
    {CKA_WRAP_TEMPLATE, kAttrList, kEmpty, kNever, kNever},
    {CKA_PUBLIC_KEY_INFO, kBytes, kEmpty, kNever, kNever},
};

constexpr Rule kPrivateKey[] = {
    {CKA_PRIVATE, kBool, kTrue, kNever, kToTrue},
    {CKA_SUBJECT, kBytes, kEmpty, kAny, kAny},
    {CKA_SENSITIVE, kBool, kTrue, kToTrue, kToTrue},
    {CKA_DECRYPT, kBool, kTrue, kAny, kAny},
    {CKA_SIGN, kBool, kTrue, kAny, kAny},
    {CKA_SIGN_RECOVER, kBool, kFalse, kAny, kAny},
    {CKA_UNWRAP, kBool, kFalse, kAny, kAny},
    {CKA_EXTRACTABLE, kBool, kFalse, kToFalse, kToFalse},
    {CKA_ALWAYS_SENSITIVE, kBool, kDerived, kNever, kNever, kTokenOnly},
    {CKA_NEVER_EXTRACTABLE, kBool, kDerived, kNever, kNever, kTokenOnly},
    {CKA_WRAP_WITH_TRUSTED, kBool, kFalse, kToTrue, kToTrue},
    {CKA_UNWRAP_TEMPLATE, kAttrList, kEmpty, kNever, kNever},
    {CKA_ALWAYS_AUTHENTICATE, kBool, kFalse, kNever, kNever},
    {CKA_PUBLIC_KEY_INFO, kBytes, kEmpty, kNever, kNever},
};

// Secret keys may encrypt and MAC by default (the mechanism still checks the
// key type); wrapping, which exports other keys, only on request.
constexpr Rule kSecretKey[] = {
    {CKA_PRIVATE, kBool, kTrue, kNever, kToTrue},
    {CKA_SENSITIVE, kBool, kTrue, kToTrue, kToTrue},
    {CKA_ENCRYPT, kBool, kTrue, kAny, kAny},
    {CKA_DECRYPT, kBool, kTrue, kAny, kAny},
    {CKA_SIGN, kBool, kTrue, kAny, kAny},
    {CKA_VERIFY, kBool, kTrue, kAny, kAny},
    {CKA_WRAP, kBool, kFalse, kAny, kAny},
    {CKA_UNWRAP, kBool, kFalse, kAny, kAny},
    {CKA_EXTRACTABLE, kBool, kFalse, kToFalse, kToFalse},
    {CKA_ALWAYS_SENSITIVE, kBool, kDerived, kNever, kNever, kTokenOnly},
    {CKA_NEVER_EXTRACTABLE, kBool, kDerived, kNever, kNever, kTokenOnly},
    {CKA_CHECK_VALUE, kBytes, kDerived, kNever, kNever},
    {CKA_WRAP_WITH_TRUSTED, kBool, kFalse, kToTrue, kToTrue},
    {CKA_TRUSTED, kBool, kFalse, kSoOnly, kSoOnly},
    {CKA_WRAP_TEMPLATE, kAttrList, kEmpty, kNever, kNever},
    {CKA_UNWRAP_TEMPLATE, kAttrList, kEmpty, kNever, kNever},
};

// Key material per key type. CKA_MODULUS_BITS and CKA_EC_PARAMS are inputs of
// generation (footnote 3); the values the mechanism makes are footnote 4.
constexpr Rule kRsaPublic[] = {
    {CKA_MODULUS, kBytes, kNoDefault, kNever, kNever, kReq | kNotGen},
    {CKA_MODULUS_BITS, kUlong, kDerived, kNever, kNever, kNotCreate | kGenReq},
    {CKA_PUBLIC_EXPONENT, kBytes, kNoDefault, kNever, kNever, kReq},
};

constexpr Rule kEcPublic[] = {
    {CKA_EC_PARAMS, kBytes, kNoDefault, kNever, kNever, kReq | kGenReq},
    {CKA_EC_POINT, kBytes, kNoDefault, kNever, kNever, kReq | kNotGen},
};

constexpr std::uint8_t kPrivateValue = kNotGen | kSens | kSecret;
constexpr Rule kRsaPrivate[] = {
    {CKA_MODULUS, kBytes, kNoDefault, kNever, kNever, kReq | kNotGen},
    {CKA_PUBLIC_EXPONENT, kBytes, kNoDefault, kNever, kNever, kReq | kNotGen},
    {CKA_PRIVATE_EXPONENT, kBytes, kNoDefault, kNever, kNever, kReq | kPrivateValue},
    // The CRT values are optional (a key may be just n, e, d).
    {CKA_PRIME_1, kBytes, kNoDefault, kNever, kNever, kPrivateValue},
    {CKA_PRIME_2, kBytes, kNoDefault, kNever, kNever, kPrivateValue},
    {CKA_EXPONENT_1, kBytes, kNoDefault, kNever, kNever, kPrivateValue},
    {CKA_EXPONENT_2, kBytes, kNoDefault, kNever, kNever, kPrivateValue},
    {CKA_COEFFICIENT, kBytes, kNoDefault, kNever, kNever, kPrivateValue},
};

// CKA_EC_POINT is not in the specification's EC private key table, but NSS
// gives it when importing (pk12util), so it is accepted and kept.
constexpr Rule kEcPrivate[] = {
    {CKA_EC_PARAMS, kBytes, kNoDefault, kNever, kNever, kReq | kNotGen},
    {CKA_VALUE, kBytes, kNoDefault, kNever, kNever, kReq | kPrivateValue},
    {CKA_EC_POINT, kBytes, kNoDefault, kNever, kNever, kNotGen},
};

// Generic secret and AES keys have the same attributes; the AES key length is
// checked in derive().
constexpr Rule kSecretValue[] = {
    {CKA_VALUE, kBytes, kNoDefault, kNever, kNever, kReq | kPrivateValue},
    {CKA_VALUE_LEN, kUlong, kDerived, kNever, kNever, kNotCreate | kGenReq},
};

// ---- Which tables an object has ----

struct ClassInfo {
  CK_OBJECT_CLASS cls;
  Table table;
  CK_ATTRIBUTE_TYPE subtype_attr;  // CKA_KEY_TYPE, CKA_CERTIFICATE_TYPE or 0
  bool is_key;
};
constexpr ClassInfo kClasses[] = {
    {CKO_DATA, kData, 0, false},
    {CKO_CERTIFICATE, kCertificate, CKA_CERTIFICATE_TYPE, false},
    {CKO_PUBLIC_KEY, kPublicKey, CKA_KEY_TYPE, true},
    {CKO_PRIVATE_KEY, kPrivateKey, CKA_KEY_TYPE, true},
    {CKO_SECRET_KEY, kSecretKey, CKA_KEY_TYPE, true},
};

struct SubtypeInfo {
  CK_OBJECT_CLASS cls;
  CK_ULONG subtype;  // CKK_* or CKC_*
  Table table;
};
// clang-format off
constexpr SubtypeInfo kSubtypes[] = {
    {CKO_CERTIFICATE, CKC_X_509, kX509},
    {CKO_PUBLIC_KEY, CKK_RSA, kRsaPublic},
    {CKO_PUBLIC_KEY, CKK_EC, kEcPublic},
    {CKO_PRIVATE_KEY, CKK_RSA, kRsaPrivate},
    {CKO_PRIVATE_KEY, CKK_EC, kEcPrivate},
    {CKO_SECRET_KEY, CKK_GENERIC_SECRET, kSecretValue},
    {CKO_SECRET_KEY, CKK_AES, kSecretValue},
};
// clang-format on

const ClassInfo* find_class(CK_OBJECT_CLASS cls) {
  for (const ClassInfo& c : kClasses)
    if (c.cls == cls) return &c;
  return nullptr;
}

const SubtypeInfo* find_subtype(CK_OBJECT_CLASS cls, CK_ULONG subtype) {
  for (const SubtypeInfo& s : kSubtypes)
    if (s.cls == cls && s.subtype == subtype) return &s;
  return nullptr;
}

// The tables of one object, most specific first: the first row found for a
// type is its rule (so the key classes can override CKA_PRIVATE's default).
struct Schema {
  std::array<Table, 4> tables{};

  const Rule* find(CK_ATTRIBUTE_TYPE type) const {
    for (Table t : tables)
      for (const Rule& r : t)
        if (r.type == type) return &r;
    return nullptr;
  }
  // Calls f once per attribute type, with its governing rule.
  template <class F>
  void each(F f) const {
    for (Table t : tables)
      for (const Rule& r : t)
        if (find(r.type) == &r) f(r);
  }
};

// Missing parts are left out: an unknown class gets just the common table.
Schema make_schema(const ClassInfo* c, const SubtypeInfo* s) {
  Schema out;
  std::size_t n = 0;
  if (s != nullptr) out.tables[n++] = s->table;
  if (c != nullptr) out.tables[n++] = c->table;
  if (c != nullptr && c->is_key) out.tables[n++] = kKeyCommon;
  out.tables[n] = kCommon;
  return out;
}

// A CK_ULONG attribute without throwing (nullopt if absent or malformed), for
// the questions about stored objects that must not fail.
std::optional<CK_ULONG> ulong_of(const AttributeMap& m, CK_ATTRIBUTE_TYPE t) {
  const SecureBytes* v = m.find(t);
  if (v == nullptr || v->size() != sizeof(CK_ULONG)) return std::nullopt;
  CK_ULONG out;
  std::memcpy(&out, v->data(), sizeof out);
  return out;
}

bool bool_is(const AttributeMap& m, CK_ATTRIBUTE_TYPE t, bool expected) {
  const SecureBytes* v = m.find(t);
  return v != nullptr && v->size() == 1 && ((*v)[0] != CK_FALSE) == expected;
}

// The schema of a stored object, from its own CKA_CLASS and sub type.
Schema schema_of(const AttributeMap& object) {
  std::optional<CK_ULONG> cls = ulong_of(object, CKA_CLASS);
  const ClassInfo* c = cls ? find_class(*cls) : nullptr;
  const SubtypeInfo* s = nullptr;
  if (c != nullptr && c->subtype_attr != 0) {
    std::optional<CK_ULONG> sub = ulong_of(object, c->subtype_attr);
    if (sub) s = find_subtype(c->cls, *sub);
  }
  return make_schema(c, s);
}

bool is_vendor(CK_ATTRIBUTE_TYPE t) { return t >= CKA_VENDOR_DEFINED; }

// ---- Values ----

// A caller's value checked against the row's kind; booleans are normalised to
// CK_TRUE/CK_FALSE so later comparisons are byte comparisons.
SecureBytes checked_value(const Rule& r, const SecureBytes& v) {
  bool ok = true;
  switch (r.kind) {
    case kBool:
      ok = v.size() == sizeof(CK_BBOOL);
      break;
    case kUlong:
      ok = v.size() == sizeof(CK_ULONG);
      break;
    case kBytes:
      break;
    case kDate:
      ok = v.empty() || v.size() == sizeof(CK_DATE);
      break;
    case kMechList:
      ok = v.size() % sizeof(CK_ULONG) == 0;
      break;
    case kAttrList:
      ok = v.empty();
      break;
  }
  require(ok, CKR_ATTRIBUTE_VALUE_INVALID, "attribute value has the wrong length");
  if (r.kind == kBool) return SecureBytes{static_cast<CK_BBOOL>(v[0] != CK_FALSE ? CK_TRUE : CK_FALSE)};
  return v;
}

bool is_true(const SecureBytes& normalised_bool) { return normalised_bool[0] == CK_TRUE; }

ByteView without_leading_zeros(ByteView v) {
  std::size_t i = 0;
  while (i < v.size() && v[i] == 0) ++i;
  return v.subspan(i);
}

// A template value against the value the mechanism produced. Big integers may
// come with leading zeros (65537 as 00 01 00 01).
bool same_value(CK_ATTRIBUTE_TYPE t, const SecureBytes& a, const SecureBytes& b) {
  if (t == CKA_MODULUS || t == CKA_PUBLIC_EXPONENT)
    return std::ranges::equal(without_leading_zeros(view(a)), without_leading_zeros(view(b)));
  return a == b;
}

CK_ULONG bit_length(ByteView big_endian) {
  ByteView v = without_leading_zeros(big_endian);
  if (v.empty()) return 0;
  CK_ULONG bits = (v.size() - 1) * 8;
  for (unsigned top = v[0]; top != 0; top >>= 1) ++bits;
  return bits;
}

void set_default(AttributeMap& out, const Rule& r) {
  switch (r.dflt) {
    case kFalse:
      out.set_bool(r.type, false);
      break;
    case kTrue:
      out.set_bool(r.type, true);
      break;
    case kEmpty:
      out.set(r.type, SecureBytes{});
      break;
    case kNumber:
      out.set_ulong(r.type, r.number);
      break;
    case kNoDefault:
    case kDerived:
      break;
  }
}

// ---- Derived values (the kDerived rows) ----

// CKA_CHECK_VALUE: computed when absent; a caller may give it empty (no check
// value wanted) or give the right one, anything else is refused.
void settle_check_value(AttributeMap& out, const SecureBytes& computed) {
  const SecureBytes* given = out.find(CKA_CHECK_VALUE);
  if (given == nullptr)
    out.set(CKA_CHECK_VALUE, computed);
  else
    require(given->empty() || *given == computed, CKR_ATTRIBUTE_VALUE_INVALID, "wrong CKA_CHECK_VALUE");
}

// A value derived by the token; on generate the template may hold it (footnote
// 3) and must then agree.
void settle_ulong(AttributeMap& out, CK_ATTRIBUTE_TYPE t, CK_ULONG computed) {
  if (std::optional<CK_ULONG> given = out.get_ulong(t))
    require(*given == computed, CKR_TEMPLATE_INCONSISTENT, "template disagrees with the key");
  else
    out.set_ulong(t, computed);
}

void derive_certificate(AttributeMap& out) {
  for (CK_ATTRIBUTE_TYPE t : {CKA_CERTIFICATE_CATEGORY, CKA_JAVA_MIDP_SECURITY_DOMAIN})
    require(*out.get_ulong(t) <= 3, CKR_ATTRIBUTE_VALUE_INVALID, "value out of range");
  const SecureBytes& der = out.at(CKA_VALUE);
  crypto::CertificateFields f = crypto::parse_certificate(view(der));
  const std::pair<CK_ATTRIBUTE_TYPE, const Bytes*> fields[] = {{CKA_SUBJECT, &f.subject},
                                                               {CKA_ISSUER, &f.issuer},
                                                               {CKA_SERIAL_NUMBER, &f.serial_number},
                                                               {CKA_PUBLIC_KEY_INFO, &f.public_key_info}};
  for (const auto& [t, value] : fields)
    if (!out.has(t)) out.set(t, view(*value));
  settle_check_value(out, crypto::sha1_check_value(view(der)));
}

void derive_key(AttributeMap& out, CK_OBJECT_CLASS cls, CK_KEY_TYPE key_type, bool generated,
                CK_MECHANISM_TYPE mechanism) {
  out.set_bool(CKA_LOCAL, generated);
  out.set_ulong(CKA_KEY_GEN_MECHANISM, generated ? mechanism : CK_UNAVAILABLE_INFORMATION);
  if (cls == CKO_PRIVATE_KEY || cls == CKO_SECRET_KEY) {
    // Only a key made inside the token has a history the token can vouch for.
    out.set_bool(CKA_ALWAYS_SENSITIVE, generated && *out.get_bool(CKA_SENSITIVE));
    out.set_bool(CKA_NEVER_EXTRACTABLE, generated && !*out.get_bool(CKA_EXTRACTABLE));
  }
  if (cls == CKO_PUBLIC_KEY && key_type == CKK_RSA)
    settle_ulong(out, CKA_MODULUS_BITS, bit_length(view(out.at(CKA_MODULUS))));
  if (cls == CKO_SECRET_KEY) {
    const SecureBytes& value = out.at(CKA_VALUE);
    if (key_type == CKK_AES) {
      require(value.size() == 16 || value.size() == 24 || value.size() == 32, CKR_ATTRIBUTE_VALUE_INVALID,
              "AES key length");
      settle_check_value(out, crypto::aes_check_value(view(value)));
    } else {
      require(!value.empty(), CKR_ATTRIBUTE_VALUE_INVALID, "empty secret key");
      settle_check_value(out, crypto::sha1_check_value(view(value)));
    }
    settle_ulong(out, CKA_VALUE_LEN, value.size());
  }
}

// ---- Creation ----

// CKA_CLASS or the sub type of a new object: from the mechanism's output on
// generate (the template may repeat it), else from the template.
CK_ULONG pick_ulong(CK_ATTRIBUTE_TYPE t, const AttributeMap& tmpl, const AttributeMap* generated) {
  std::optional<CK_ULONG> given = tmpl.get_ulong(t);
  std::optional<CK_ULONG> made = generated != nullptr ? generated->get_ulong(t) : std::nullopt;
  if (given && made) require(*given == *made, CKR_TEMPLATE_INCONSISTENT, "template disagrees with the mechanism");
  require(given || made, CKR_TEMPLATE_INCOMPLETE, "CKA_CLASS or type missing");
  return made ? *made : *given;
}

// ---- Changes ----

enum class Op { set, copy };

AttributeMap apply(const AttributeMap& current, const AttributeMap& change, Op op, bool so_session) {
  Schema schema = schema_of(current);
  AttributeMap out = current;
  for (const auto& [t, raw] : change.values()) {
    if (is_vendor(t)) {  // opaque vendor data (NSS's): the caller's own business
      out.set(t, raw);
      continue;
    }
    const Rule* r = schema.find(t);
    require(r != nullptr, CKR_ATTRIBUTE_TYPE_INVALID, "attribute not of this class");
    SecureBytes value = checked_value(*r, raw);
    // Restating a value is not a change. Never for secrets: success would
    // tell the caller it had guessed the key.
    const SecureBytes* old = current.find(t);
    if (!(r->flags & kSecret) && old != nullptr && *old == value) continue;
    Mod how = op == Op::set ? r->set : r->copy;
    bool allowed = how == kAny || (how == kSoOnly && so_session) || (how == kToTrue && is_true(value)) ||
                   (how == kToFalse && !is_true(value));
    require(allowed, CKR_ATTRIBUTE_READ_ONLY, "attribute may not change this way");
    out.set(t, std::move(value));
  }
  // A copy is a new object; the token layer gives it its own CKA_UNIQUE_ID.
  if (op == Op::copy) out.erase(CKA_UNIQUE_ID);
  return out;
}

}  // namespace

AttributeMap complete_new_object(const AttributeMap& tmpl, Origin origin, const AttributeMap& generated,
                                 CK_MECHANISM_TYPE mechanism) {
  const bool gen = origin == Origin::generate;
  const AttributeMap* made = gen ? &generated : nullptr;

  const ClassInfo* cls = find_class(pick_ulong(CKA_CLASS, tmpl, made));
  require(cls != nullptr, CKR_ATTRIBUTE_VALUE_INVALID, "unsupported object class");
  require(!gen || cls->is_key, CKR_TEMPLATE_INCONSISTENT, "only keys are generated");
  const SubtypeInfo* sub = nullptr;
  if (cls->subtype_attr != 0) {
    sub = find_subtype(cls->cls, pick_ulong(cls->subtype_attr, tmpl, made));
    require(sub != nullptr, CKR_ATTRIBUTE_VALUE_INVALID, "unsupported key or certificate type");
  }
  const Schema schema = make_schema(cls, sub);

  AttributeMap out;
  for (const auto& [t, raw] : tmpl.values()) {
    if (is_vendor(t)) {  // kept as given: NSS sends CKA_NSS_DB with private keys
      out.set(t, raw);
      continue;
    }
    const Rule* r = schema.find(t);
    require(r != nullptr, CKR_ATTRIBUTE_TYPE_INVALID, "attribute not of this class");
    SecureBytes value = checked_value(*r, raw);
    require(!(r->flags & kTokenOnly), CKR_ATTRIBUTE_READ_ONLY, "attribute set by the token");
    require(!(r->flags & (gen ? kNotGen : kNotCreate)), CKR_TEMPLATE_INCONSISTENT, "attribute made by the token");
    if (gen && generated.has(t))
      require(same_value(t, value, generated.at(t)), CKR_TEMPLATE_INCONSISTENT, "template disagrees with the key");
    out.set(t, std::move(value));
  }
  if (gen) {
    for (const auto& [t, value] : generated.values()) {
      // The mechanism's output must fit the class; anything else is our bug.
      require(schema.find(t) != nullptr, CKR_GENERAL_ERROR, "mechanism made a foreign attribute");
      out.set(t, value);
    }
  }

  schema.each([&](const Rule& r) {
    if (!gen && (r.flags & kReq)) {
      require(out.has(r.type), CKR_TEMPLATE_INCOMPLETE, "required attribute missing");
      require(r.kind != kBytes || !out.at(r.type).empty(), CKR_ATTRIBUTE_VALUE_INVALID, "required value empty");
    }
    if (gen && (r.flags & kGenReq)) require(tmpl.has(r.type), CKR_TEMPLATE_INCOMPLETE, "generation parameter missing");
    if (!out.has(r.type)) set_default(out, r);
  });

  if (cls->cls == CKO_CERTIFICATE) derive_certificate(out);
  if (cls->is_key) derive_key(out, cls->cls, sub->subtype, gen, mechanism);
  return out;
}

AttributeMap apply_change(const AttributeMap& current, const AttributeMap& change, bool so_session) {
  require(current.bool_or(CKA_MODIFIABLE, true), CKR_ACTION_PROHIBITED, "object not modifiable");
  return apply(current, change, Op::set, so_session);
}

AttributeMap apply_copy(const AttributeMap& current, const AttributeMap& change) {
  require(current.bool_or(CKA_COPYABLE, true), CKR_ACTION_PROHIBITED, "object not copyable");
  // No SO check is possible here: CKA_TRUSTED cannot change in a copy.
  return apply(current, change, Op::copy, false);
}

Visibility visibility(const AttributeMap& object, CK_ATTRIBUTE_TYPE type) {
  const Rule* r = is_vendor(type) ? nullptr : schema_of(object).find(type);
  if (r == nullptr) return object.has(type) ? Visibility::visible : Visibility::invalid;
  // Material of a key that is sensitive or unextractable stays hidden even when
  // it is not in memory (sealed material after logout), so the answer does not
  // depend on the login state. Missing flags count as protecting.
  if ((r->flags & kSens) && !(bool_is(object, CKA_SENSITIVE, false) && bool_is(object, CKA_EXTRACTABLE, true)))
    return Visibility::sensitive;
  return Visibility::visible;
}

ValueKind value_kind(CK_ATTRIBUTE_TYPE type) {
  static constexpr Table kAll[] = {kCommon,     kData,       kCertificate, kX509,      kKeyCommon,
                                   kPublicKey,  kPrivateKey, kSecretKey,   kRsaPublic, kEcPublic,
                                   kRsaPrivate, kEcPrivate,  kSecretValue};
  for (Table t : kAll)
    for (const Rule& r : t)
      if (r.type == type) {
        switch (r.kind) {
          case kBool:
            return ValueKind::boolean;
          case kUlong:
            return ValueKind::ulong;
          case kDate:
            return ValueKind::date;
          default:
            return ValueKind::bytes;  // byte strings and arrays
        }
      }
  return ValueKind::bytes;
}

CK_OBJECT_CLASS object_class(const AttributeMap& attrs) {
  std::optional<CK_ULONG> cls = attrs.get_ulong(CKA_CLASS);
  require(cls.has_value(), CKR_TEMPLATE_INCOMPLETE, "CKA_CLASS missing");
  return *cls;
}

}  // namespace ecert::token
