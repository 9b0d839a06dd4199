// The logic of every PKCS#11 function, one function here per C function, in
// C++ terms: handles and values in, values out, ecert::Error thrown with the
// CK_RV to return. The C ABI layer (src/pkcs11) checks pointers, converts
// arguments and calls these; nothing here sees a raw pointer it must trust,
// except the Output buffers whose length-query convention is implemented once,
// in deliver() below.
//
// Implemented in slot_service.cpp, session_service.cpp, object_service.cpp and
// crypto_service.cpp.
#pragma once

#include <vector>

#include "common/attribute_map.h"
#include "common/bytes.h"
#include "ecert/pkcs11.h"

namespace ecert::token {

// A caller's output buffer: `data` may be NULL (a length query); `length` is
// never NULL (the C layer checks) and holds the buffer size on entry.
struct Output {
  CK_BYTE_PTR data;
  CK_ULONG_PTR length;
};

// The PKCS#11 output convention: for a NULL buffer sets *length = needed and
// returns false (the operation stays active); for a buffer smaller than
// `needed` sets *length = needed and throws CKR_BUFFER_TOO_SMALL (the operation
// stays active too); otherwise returns true and the caller writes, then sets
// *length to what it wrote.
bool deliver(const Output& out, std::size_t needed);
// deliver() + copy of `bytes`.
void deliver_bytes(const Output& out, ByteView bytes);

// The kinds of operation a session can have active.
enum class OperationKind { sign, verify, encrypt, decrypt, digest };
// Ends the session's active operation of `kind`, if any; never fails. For a
// CKR_ARGUMENTS_BAD the C layer finds before a service runs: the specification
// ends the operation on every error but CKR_BUFFER_TOO_SMALL.
void end_operation(CK_SESSION_HANDLE session, OperationKind kind) noexcept;

// ---- slots and tokens (slot_service.cpp) ----
std::vector<CK_SLOT_ID> get_slot_list();
void get_slot_info(CK_SLOT_ID slot, CK_SLOT_INFO& info);
void get_token_info(CK_SLOT_ID slot, CK_TOKEN_INFO& info);
std::vector<CK_MECHANISM_TYPE> get_mechanism_list(CK_SLOT_ID slot);
void get_mechanism_info(CK_SLOT_ID slot, CK_MECHANISM_TYPE type, CK_MECHANISM_INFO& info);
// `label` is the 32-byte space-padded field of C_InitToken.
void init_token(CK_SLOT_ID slot, ByteView so_pin, const CK_UTF8CHAR* label);
void init_pin(CK_SESSION_HANDLE session, ByteView pin);
void set_pin(CK_SESSION_HANDLE session, ByteView old_pin, ByteView new_pin);

// ---- sessions and login (session_service.cpp) ----
CK_SESSION_HANDLE open_session(CK_SLOT_ID slot, CK_FLAGS flags);
void close_session(CK_SESSION_HANDLE session);
void close_all_sessions(CK_SLOT_ID slot);
void get_session_info(CK_SESSION_HANDLE session, CK_SESSION_INFO& info);
void login(CK_SESSION_HANDLE session, CK_USER_TYPE user, ByteView pin);
void logout(CK_SESSION_HANDLE session);

// ---- the protected authentication path ----
// C_Login, C_SetPIN and C_InitPIN given no PIN (NULL_PTR, 0). On a token with
// the policy's option (CKF_PROTECTED_AUTHENTICATION_PATH) the PINs are asked
// through pinentry (protected_path.h) and then used exactly as PINs the
// caller gives; on other tokens: CKR_ARGUMENTS_BAD, as before.
// login_without_pin always takes at least kNoPinLoginMinimum.
void login_without_pin(CK_SESSION_HANDLE session, CK_USER_TYPE user);  // session_service.cpp
void set_pin_without_pins(CK_SESSION_HANDLE session);                  // slot_service.cpp
void init_pin_without_pin(CK_SESSION_HANDLE session);                  // slot_service.cpp

// ---- objects (object_service.cpp) ----
CK_OBJECT_HANDLE create_object(CK_SESSION_HANDLE session, const AttributeMap& tmpl);
CK_OBJECT_HANDLE copy_object(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object, const AttributeMap& tmpl);
void destroy_object(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object);
CK_ULONG get_object_size(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object);
// Fills the caller's template as C_GetAttributeValue specifies: every entry is
// processed; returns CKR_OK, CKR_ATTRIBUTE_SENSITIVE, CKR_ATTRIBUTE_TYPE_INVALID
// or CKR_BUFFER_TOO_SMALL (the entries concerned get CK_UNAVAILABLE_INFORMATION);
// throws for everything else. `tmpl` has been checked non-NULL by the caller.
CK_RV get_attribute_value(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object, CK_ATTRIBUTE* tmpl, CK_ULONG count);
void set_attribute_value(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object, const AttributeMap& change);
void find_objects_init(CK_SESSION_HANDLE session, const AttributeMap& tmpl);
std::vector<CK_OBJECT_HANDLE> find_objects(CK_SESSION_HANDLE session, CK_ULONG max_count);
void find_objects_final(CK_SESSION_HANDLE session);

// ---- cryptography (crypto_service.cpp) ----
// `mechanism` has been checked non-NULL; its pParameter/ulParameterLen are
// the caller's and are validated by the mechanism.
void sign_init(CK_SESSION_HANDLE session, const CK_MECHANISM& mechanism, CK_OBJECT_HANDLE key);
void sign(CK_SESSION_HANDLE session, ByteView data, const Output& signature);
void sign_update(CK_SESSION_HANDLE session, ByteView part);
void sign_final(CK_SESSION_HANDLE session, const Output& signature);
void verify_init(CK_SESSION_HANDLE session, const CK_MECHANISM& mechanism, CK_OBJECT_HANDLE key);
void verify(CK_SESSION_HANDLE session, ByteView data, ByteView signature);
void verify_update(CK_SESSION_HANDLE session, ByteView part);
void verify_final(CK_SESSION_HANDLE session, ByteView signature);
void encrypt_init(CK_SESSION_HANDLE session, const CK_MECHANISM& mechanism, CK_OBJECT_HANDLE key);
void encrypt(CK_SESSION_HANDLE session, ByteView data, const Output& encrypted);
void encrypt_update(CK_SESSION_HANDLE session, ByteView part, const Output& encrypted);
void encrypt_final(CK_SESSION_HANDLE session, const Output& encrypted);
void decrypt_init(CK_SESSION_HANDLE session, const CK_MECHANISM& mechanism, CK_OBJECT_HANDLE key);
void decrypt(CK_SESSION_HANDLE session, ByteView encrypted, const Output& data);
void decrypt_update(CK_SESSION_HANDLE session, ByteView part, const Output& data);
void decrypt_final(CK_SESSION_HANDLE session, const Output& data);
void digest_init(CK_SESSION_HANDLE session, const CK_MECHANISM& mechanism);
void digest(CK_SESSION_HANDLE session, ByteView data, const Output& digest);
void digest_update(CK_SESSION_HANDLE session, ByteView part);
void digest_key(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE key);
void digest_final(CK_SESSION_HANDLE session, const Output& digest);
// Returns {public key handle, private key handle}.
std::pair<CK_OBJECT_HANDLE, CK_OBJECT_HANDLE> generate_key_pair(CK_SESSION_HANDLE session,
                                                                const CK_MECHANISM& mechanism,
                                                                const AttributeMap& public_template,
                                                                const AttributeMap& private_template);
void generate_random(CK_SESSION_HANDLE session, CK_BYTE_PTR out, CK_ULONG length);
void seed_random(CK_SESSION_HANDLE session, ByteView seed);

}  // namespace ecert::token
