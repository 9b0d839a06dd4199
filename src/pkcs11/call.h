// The C ABI layer's one rule: every exported C_* function is a few lines that
// check the caller's pointers, convert the arguments and call the token
// services (src/token/services.h) inside call(), which turns every exception
// into the CK_RV the caller sees. No exception ever crosses the C boundary.
// call() is also given the function's name and its arguments described
// (trace::Call), which the call trace writes out when it is on (trace.h).
//
// Order of checks in every function: the library is initialised
// (CKR_CRYPTOKI_NOT_INITIALIZED), then the caller's pointers
// (CKR_ARGUMENTS_BAD), then whatever the services decide.
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
#include <type_traits>
#include <utility>

#include "common/bytes.h"
#include "common/error.h"
#include "ecert/pkcs11.h"
#include "pkcs11/trace.h"
#include "token/library.h"
#include "token/services.h"

// Every PKCS#11 entry point is defined with this: C linkage and default
// visibility (the project compiles with -fvisibility=hidden; exports.map then
// keeps C_* and nothing else in the dynamic symbol table).
#define ECERT_EXPORT extern "C" __attribute__((visibility("default")))

namespace ecert::pkcs11 {

// The CK_RV for the exception being handled, and in `why` (if given) its
// reason for the trace: ecert::Error's why, or what kind of exception it was
// (the text of others is not ours to show: a std::filesystem error names
// paths). Must be called from a catch block.
inline CK_RV current_exception_rv(const char** why = nullptr) noexcept {
  try {
    throw;
  } catch (const Error& e) {
    if (why != nullptr) *why = e.rv() == CKR_OK ? "an error carrying CKR_OK" : e.what();
    // An Error carrying CKR_OK would report success for a failure.
    return e.rv() == CKR_OK ? CKR_GENERAL_ERROR : e.rv();
  } catch (const std::bad_alloc&) {
    if (why != nullptr) *why = "out of memory";
    return CKR_HOST_MEMORY;
  } catch (...) {
    if (why != nullptr) *why = "unexpected exception";
    return CKR_GENERAL_ERROR;
  }
}

namespace detail {

// `body`'s result: CKR_OK for a body returning void, else what it returns.
template <class Body>
[[gnu::always_inline]] inline CK_RV result_of(Body& body) {
  if constexpr (std::is_void_v<std::invoke_result_t<Body&>>) {
    body();
    return CKR_OK;
  } else {
    return body();
  }
}

// Runs `body` and maps exceptions; the reason of one goes to `why`.
template <class Body>
[[gnu::always_inline]] inline CK_RV run(Body& body, const char** why) noexcept {
  try {
    return result_of(body);
  } catch (...) {
    return current_exception_rv(why);
  }
}

// run(), after checking that C_Initialize has been called in this process.
template <class Body>
[[gnu::always_inline]] inline CK_RV run_initialised(Body& body, const char** why) noexcept {
  auto checked = [&]() -> CK_RV {
    token::Library::get();  // throws CKR_CRYPTOKI_NOT_INITIALIZED
    return result_of(body);
  };
  return run(checked, why);
}

}  // namespace detail

// Runs `body` and maps exceptions; no initialisation check. `body` returns
// void (success is CKR_OK) or a CK_RV (for results such as
// CKR_BUFFER_TOO_SMALL that come with output). `traced` names the function
// and describes its arguments for the call trace (trace.h), which costs one
// relaxed load when off. The untraced path is inlined whole into each C_*
// function, as it was before the trace (always_inline: GCC otherwise keeps
// one out-of-line copy for both paths, a call more per PKCS#11 call).
template <class... Args, class Body>
[[gnu::always_inline]] inline CK_RV guarded(const trace::Call<Args...>& traced, Body&& body) noexcept {
  if (trace::on()) [[unlikely]] {
    return trace::traced(traced, [&](const char** why) { return detail::run(body, why); });
  }
  return detail::run(body, nullptr);
}

// guarded(), after checking that C_Initialize has been called in this process.
// Every function but C_Initialize, C_Finalize (Library::finalize checks
// itself), C_GetFunctionList, C_GetInterfaceList and C_GetInterface goes
// through here.
template <class... Args, class Body>
[[gnu::always_inline]] inline CK_RV call(const trace::Call<Args...>& traced, Body&& body) noexcept {
  if (trace::on()) [[unlikely]] {
    return trace::traced(traced, [&](const char** why) { return detail::run_initialised(body, why); });
  }
  return detail::run_initialised(body, nullptr);
}

// call() for the functions that continue an active operation (C_Sign,
// C_DigestUpdate, ...): the specification ends the operation on every error
// but CKR_BUFFER_TOO_SMALL, so a CKR_ARGUMENTS_BAD found here, before the
// services run, ends it too.
template <class... Args, class Body>
[[gnu::always_inline]] inline CK_RV operation_call(const trace::Call<Args...>& traced, CK_SESSION_HANDLE session,
                                                   token::OperationKind kind, Body&& body) noexcept {
  CK_RV rv = call(traced, std::forward<Body>(body));
  if (rv == CKR_ARGUMENTS_BAD) token::end_operation(session, kind);
  return rv;
}

// For the functions the module does not implement: the initialisation check,
// then `rv` (CKR_FUNCTION_NOT_SUPPORTED, CKR_FUNCTION_NOT_PARALLEL).
// `function` is the caller's __func__, for the trace.
inline CK_RV unsupported(const char* function, CK_RV rv = CKR_FUNCTION_NOT_SUPPORTED) noexcept {
  return call(trace::Call(function), [rv] { return rv; });
}

// Pointer check: CKR_ARGUMENTS_BAD unless `condition` holds.
inline void require_arg(bool condition, const char* why = "bad argument") {
  require(condition, CKR_ARGUMENTS_BAD, why);
}

// True if [p, p + n) is a range a caller could possibly own: no wrap around
// the address space, and no more than a span can describe.
inline bool plausible_range(const void* p, std::size_t n) noexcept {
  if (n > static_cast<std::size_t>(PTRDIFF_MAX)) return false;
  return reinterpret_cast<std::uintptr_t>(p) <= UINTPTR_MAX - n;
}

// A caller's input buffer: (NULL, 0) is an empty input; (NULL, n > 0) and
// implausible lengths are CKR_ARGUMENTS_BAD.
inline ByteView input(const void* p, CK_ULONG n) {
  if (n == 0) return {};
  require_arg(p != nullptr, "NULL buffer with a non-zero length");
  require_arg(plausible_range(p, n), "implausible buffer length");
  return view(p, n);
}

// A PIN given by the caller. A NULL PIN is CKR_ARGUMENTS_BAD whatever its
// length (and never counts as a wrong PIN); (NULL, 0) asks for the protected
// authentication path, which the functions that have one test with no_pin()
// first.
inline ByteView pin_input(const CK_UTF8CHAR* p, CK_ULONG n) {
  require_arg(p != nullptr, "NULL PIN (no protected authentication path)");
  require_arg(plausible_range(p, n), "implausible PIN length");
  return view(p, n);
}

// True for (NULL_PTR, 0): no PIN given, the token is to ask for it (the
// protected authentication path; the services answer CKR_ARGUMENTS_BAD on a
// token without it).
inline bool no_pin(const CK_UTF8CHAR* p, CK_ULONG n) { return p == nullptr && n == 0; }

// A caller's output buffer. The length pointer is required; the buffer may be
// NULL (a length query). A non-NULL buffer whose stated size wraps around the
// address space is CKR_ARGUMENTS_BAD.
inline token::Output output(CK_BYTE_PTR data, CK_ULONG_PTR length) {
  require_arg(length != nullptr, "NULL output length pointer");
  if (data != nullptr) require_arg(plausible_range(data, *length), "implausible output length");
  return token::Output{data, length};
}

// A caller's array of `count` elements of T: (NULL, 0) is allowed,
// (NULL, n > 0) and counts that wrap are CKR_ARGUMENTS_BAD.
template <class T>
inline void require_array(const T* p, CK_ULONG count) {
  if (count == 0) return;
  require_arg(p != nullptr, "NULL array with a non-zero count");
  require_arg(count <= static_cast<CK_ULONG>(PTRDIFF_MAX) / sizeof(T) && plausible_range(p, count * sizeof(T)),
              "implausible array count");
}

// The PKCS#11 convention for returning a list in a caller's array (slot IDs,
// mechanisms): NULL array -> count only, CKR_OK; array too small -> count,
// CKR_BUFFER_TOO_SMALL; otherwise copy and count. The caller has checked
// `count` non-NULL (before doing any work).
template <class T, class Vector>
CK_RV deliver_list(const Vector& items, T* array, CK_ULONG_PTR count) {
  const CK_ULONG needed = static_cast<CK_ULONG>(items.size());
  if (array == nullptr) {
    *count = needed;
    return CKR_OK;
  }
  if (*count < needed) {
    *count = needed;
    return CKR_BUFFER_TOO_SMALL;
  }
  for (CK_ULONG i = 0; i < needed; ++i) array[i] = items[i];
  *count = needed;
  return CKR_OK;
}

}  // namespace ecert::pkcs11
