// The call trace for support. With ECERT_TOKEN_TRACE=stderr or
// ECERT_TOKEN_TRACE=/path/to/file in the environment of the process that
// calls C_Initialize, the module writes two lines per PKCS#11 call it
// receives: "> C_Sign session=2 data.len=32 signature.size=256" when the call
// comes in and "< C_Sign CKR_OK signature.len=256 time=0.512ms" when it
// returns, with the internal reason of an error (the `why` of ecert::Error).
// Each line starts with the UTC time, the process and the thread.
//
// What a trace shows: function names, slot IDs, session and object handles,
// mechanisms and their non-secret parameters (hash, MGF, lengths), user
// types, flags, counts, attribute types, and the values of the CK_ULONG and
// CK_BBOOL attributes only (CKA_CLASS, CKA_KEY_TYPE, CKA_MODULUS_BITS,
// CKA_SIGN, ...; the kind comes from the attribute rules' table). Every byte
// string (PINs, labels, CKA_ID, subjects, data, signatures, key values) is
// shown as its length only, so a trace carries no secret and no holder's name.
//
// Cost when off: one relaxed atomic load per call (trace::on()); the
// argument descriptions below are a few pointers, formatted only when on.
// The variable is read once, at C_Initialize, with secure_getenv (a setuid or
// setgid host's environment cannot make it write a file); the file is opened
// O_APPEND|O_CREAT|O_CLOEXEC|O_NOFOLLOW, mode 0600, and closed at C_Finalize.
// Each line is one write(2) of at most kLineCapacity bytes (longer ones are
// cut), so lines of concurrent threads and processes do not mix; write
// errors are ignored: tracing never makes a call fail.
#pragma once

#include <atomic>
#include <cstddef>
#include <tuple>

#include "ecert/pkcs11.h"

namespace ecert::pkcs11::trace {

// The trace's file descriptor, -1 while tracing is off.
extern std::atomic<int> g_fd;

// True while a trace is open.
inline bool on() noexcept { return g_fd.load(std::memory_order_relaxed) >= 0; }

// C_Initialize: unless a trace is open, reads ECERT_TOKEN_TRACE and opens
// the trace it names. True if this call opened one (a C_Initialize that then
// fails closes it again).
bool open_from_environment() noexcept;
// C_Finalize: closes the trace, if one is open.
void close() noexcept;

// ---- The arguments of a call, described for the trace ----
//
// Each is a few values or pointers, taken as the C_* function receives them;
// describe_in() formats it into the line written when the call comes in,
// describe_out() (for outputs) into the line written when it returns.

struct Slot {
  CK_SLOT_ID id;
};
struct Session {
  CK_SESSION_HANDLE handle;
};
struct Object {  // an object or key handle the caller gives
  const char* key;
  CK_OBJECT_HANDLE handle;
};
struct Number {
  const char* key;
  CK_ULONG value;
};
struct Flags {
  const char* key;
  CK_FLAGS value;
};
struct User {
  CK_USER_TYPE type;
};
struct Mechanism {  // with its parameters' non-secret fields (PSS, OAEP)
  const CK_MECHANISM* mechanism;
};
struct MechanismType {
  CK_MECHANISM_TYPE type;
};
struct Bytes {  // a byte string the caller gives: its length only
  const char* key;
  const void* data;
  CK_ULONG length;
};
struct Output {  // a caller's output buffer: its size in, the length out
  const char* key;
  const void* data;
  const CK_ULONG* length;
};
struct NewHandle {  // a handle the call writes (session, object, key)
  const char* key;
  const CK_ULONG* handle;
};
struct Count {  // a number the call writes (object size)
  const char* key;
  const CK_ULONG* value;
};
struct Template {  // a template the caller gives
  const char* key;
  const CK_ATTRIBUTE* attributes;
  CK_ULONG count;
};
struct Query {  // C_GetAttributeValue's template: types and sizes in, values out
  const CK_ATTRIBUTE* attributes;
  CK_ULONG count;
};
struct Found {  // C_FindObjects
  const CK_OBJECT_HANDLE* handles;
  CK_ULONG max;
  const CK_ULONG* count;
};
struct SlotList {
  const CK_SLOT_ID* slots;
  const CK_ULONG* count;
};
struct MechanismList {
  const CK_MECHANISM_TYPE* mechanisms;
  const CK_ULONG* count;
};
struct InterfaceList {
  const CK_INTERFACE* interfaces;
  const CK_ULONG* count;
};
struct InitArgs {
  const void* args;
};
struct Version {  // C_GetInterface's wanted version (NULL: any)
  const CK_VERSION* version;
};
struct Info {
  const CK_INFO* info;
};
struct SlotInfo {
  const CK_SLOT_INFO* info;
};
struct TokenInfo {  // flags only: label, serial and model stay out
  const CK_TOKEN_INFO* info;
};
struct SessionInfo {
  const CK_SESSION_INFO* info;
};
struct MechanismInfo {
  const CK_MECHANISM_INFO* info;
};

// A call: the function's name (__func__) and its described arguments.
template <class... Args>
struct Call {
  const char* function;
  std::tuple<Args...> args;
  explicit Call(const char* f, Args... a) noexcept : function(f), args(a...) {}
};

// ---- Lines ----

inline constexpr std::size_t kLineCapacity = 2048;

// One line being written: a buffer on the stack (nothing allocated), cut
// with "..." when full.
class Line {
 public:
  // The time, "ecert-token[pid:tid]", `mark` ('>' a call comes in, '<' it
  // returns, '-' the trace itself) and `what`.
  Line(char mark, const char* what) noexcept;
  Line(const Line&) = delete;
  Line& operator=(const Line&) = delete;

  void text(const char* s) noexcept;
  void character(char c) noexcept;
  // " key=" (or " key.part=").
  void key(const char* key, const char* part = nullptr) noexcept;
  void number(unsigned long value) noexcept;
  void hex(unsigned long value) noexcept;
  // `name` if known, else `family` and the value in hex ("CKM_0x000002B0",
  // "CKM_VENDOR_DEFINED+0x00000001").
  void named(const char* name, const char* family, unsigned long value) noexcept;
  // The return value and, for an error, its reason.
  void result(CK_RV rv, const char* why) noexcept;
  // " time=1.234ms" since `start_ns` (monotonic_ns()).
  void elapsed(long long start_ns) noexcept;
  // Writes the line and a newline with one write(); errors ignored.
  void emit() noexcept;

 private:
  char buffer_[kLineCapacity];
  std::size_t size_ = 0;
  bool cut_ = false;
};

long long monotonic_ns() noexcept;

void describe_in(Line&, const Slot&) noexcept;
void describe_in(Line&, const Session&) noexcept;
void describe_in(Line&, const Object&) noexcept;
void describe_in(Line&, const Number&) noexcept;
void describe_in(Line&, const Flags&) noexcept;
void describe_in(Line&, const User&) noexcept;
void describe_in(Line&, const Mechanism&) noexcept;
void describe_in(Line&, const MechanismType&) noexcept;
void describe_in(Line&, const Bytes&) noexcept;
void describe_in(Line&, const Output&) noexcept;
void describe_in(Line&, const Template&) noexcept;
void describe_in(Line&, const Query&) noexcept;
void describe_in(Line&, const Found&) noexcept;
void describe_in(Line&, const SlotList&) noexcept;
void describe_in(Line&, const MechanismList&) noexcept;
void describe_in(Line&, const InterfaceList&) noexcept;
void describe_in(Line&, const InitArgs&) noexcept;
void describe_in(Line&, const Version&) noexcept;
template <class T>
void describe_in(Line&, const T&) noexcept {}  // outputs only

void describe_out(Line&, const Output&, CK_RV) noexcept;
void describe_out(Line&, const NewHandle&, CK_RV) noexcept;
void describe_out(Line&, const Count&, CK_RV) noexcept;
void describe_out(Line&, const Query&, CK_RV) noexcept;
void describe_out(Line&, const Found&, CK_RV) noexcept;
void describe_out(Line&, const SlotList&, CK_RV) noexcept;
void describe_out(Line&, const MechanismList&, CK_RV) noexcept;
void describe_out(Line&, const InterfaceList&, CK_RV) noexcept;
void describe_out(Line&, const Info&, CK_RV) noexcept;
void describe_out(Line&, const SlotInfo&, CK_RV) noexcept;
void describe_out(Line&, const TokenInfo&, CK_RV) noexcept;
void describe_out(Line&, const SessionInfo&, CK_RV) noexcept;
void describe_out(Line&, const MechanismInfo&, CK_RV) noexcept;
template <class T>
void describe_out(Line&, const T&, CK_RV) noexcept {}  // inputs only

// Runs `run` between the call's two lines. `run(&why)` returns the call's
// CK_RV and sets `why` to the reason of the exception it mapped, if any.
// Out of line and cold: the untraced path stays as small as before.
template <class... Args, class Run>
[[gnu::noinline, gnu::cold]] CK_RV traced(const Call<Args...>& call, Run&& run) noexcept {
  const long long start = monotonic_ns();
  {
    Line line('>', call.function);
    std::apply([&](const Args&... a) { (describe_in(line, a), ...); }, call.args);
    line.emit();
  }
  const char* why = nullptr;
  const CK_RV rv = run(&why);
  Line line('<', call.function);
  line.result(rv, why);
  std::apply([&](const Args&... a) { (describe_out(line, a, rv), ...); }, call.args);
  line.elapsed(start);
  line.emit();
  return rv;
}

}  // namespace ecert::pkcs11::trace
