// The call trace (ECERT_TOKEN_TRACE, see trace.h): opening and closing the
// trace, the lines and how each kind of argument is described in them. Only
// CK_ULONG and CK_BBOOL attribute values are ever read for printing, decided
// by the attribute rules' table (token::value_kind); anything else is a length.
#include "pkcs11/trace.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "common/ck_names.h"
#include "common/ck_rv_name.h"
#include "token/attribute_rules.h"

// ECERT_VERSION_MAJOR/MINOR come from the project version (src/pkcs11/CMakeLists.txt).

namespace ecert::pkcs11::trace {

constinit std::atomic<int> g_fd{-1};

namespace {

// Writers in the middle of a write(), so that close() does not close (and
// the process reuse) a descriptor a line is still being written to.
constinit std::atomic<int> g_writers{0};
// The process that opened the trace or last called C_Initialize with it
// open: a child after fork() does not wait for its parent's writers.
constinit std::atomic<pid_t> g_owner{0};
// The trace is a pipe or socket: a write may raise SIGPIPE.
constinit std::atomic<bool> g_pipe{false};

// At most this many attributes, handles, slots or mechanisms per list.
constexpr CK_ULONG kListLimit = 64;

// Writes all of [p, p + n) to `fd`, ignoring errors. On a pipe or socket
// whose reader is gone, write() raises SIGPIPE, whose default action would
// kill the host: it is blocked in this thread around the write, and one it
// caused is taken off the pending set before it is unblocked.
void write_quietly(int fd, const char* p, std::size_t n, bool pipe) noexcept {
  sigset_t sigpipe, old;
  bool already_pending = false;
  if (pipe) {
    sigemptyset(&sigpipe);
    sigaddset(&sigpipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &sigpipe, &old);
    sigset_t pending;
    if (sigpending(&pending) == 0) already_pending = sigismember(&pending, SIGPIPE) == 1;
  }
  bool broken = false;
  while (n > 0) {
    const ssize_t written = ::write(fd, p, n);
    if (written < 0) {
      if (errno == EINTR) continue;
      broken = errno == EPIPE;
      break;
    }
    p += written;
    n -= static_cast<std::size_t>(written);
  }
  if (pipe) {
    if (broken && !already_pending) {
      const timespec zero{};
      sigtimedwait(&sigpipe, nullptr, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
  }
}

// Writes one line if the trace is open.
void write_line(const char* p, std::size_t n) noexcept {
  const int saved_errno = errno;
  g_writers.fetch_add(1);
  const int fd = g_fd.load();
  if (fd >= 0) write_quietly(fd, p, n, g_pipe.load(std::memory_order_relaxed));
  g_writers.fetch_sub(1);
  errno = saved_errno;
}

// The trace descriptor for the variable's value, or -1.
int open_trace(const char* where) noexcept {
  if (std::strcmp(where, "stderr") == 0) return fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
  // O_NONBLOCK only for the open itself: a FIFO with no reader must not
  // hang C_Initialize.
  const int fd = ::open(where, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK, 0600);
  if (fd < 0) return -1;
  const int flags = fcntl(fd, F_GETFL);
  if (flags >= 0) fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  return fd;
}

// The host's name for itself (/proc/self/comm), printable characters only.
void process_name(char (&out)[32]) noexcept {
  out[0] = '\0';
  const int fd = ::open("/proc/self/comm", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  const ssize_t n = ::read(fd, out, sizeof out - 1);
  ::close(fd);
  std::size_t size = n > 0 ? static_cast<std::size_t>(n) : 0;
  while (size > 0 && (out[size - 1] == '\n' || out[size - 1] == ' ')) --size;
  out[size] = '\0';
  for (std::size_t i = 0; i < size; ++i)
    if (out[i] < 0x21 || out[i] > 0x7e) out[i] = '?';
}

bool is_ulong_kind(CK_ATTRIBUTE_TYPE type) { return token::value_kind(type) == token::ValueKind::ulong; }
bool is_bool_kind(CK_ATTRIBUTE_TYPE type) { return token::value_kind(type) == token::ValueKind::boolean; }

// A CK_ULONG attribute's value, named where the attribute holds a constant.
void ulong_value(Line& line, CK_ATTRIBUTE_TYPE type, CK_ULONG value) noexcept {
  switch (type) {
    case CKA_CLASS:
      line.named(ck_object_class_name(value), "CKO_", value);
      return;
    case CKA_KEY_TYPE:
      line.named(ck_key_type_name(value), "CKK_", value);
      return;
    case CKA_CERTIFICATE_TYPE:
      line.named(ck_certificate_type_name(value), "CKC_", value);
      return;
    case CKA_KEY_GEN_MECHANISM:
    case CKA_NAME_HASH_ALGORITHM:
      line.named(ck_mechanism_name(value), "CKM_", value);
      return;
    default:
      if (value == CK_UNAVAILABLE_INFORMATION) {
        line.text("unavailable");
      } else {
        line.number(value);
      }
  }
}

void bool_value(Line& line, CK_BBOOL value) noexcept {
  if (value == CK_FALSE) {
    line.text("FALSE");
  } else if (value == CK_TRUE) {
    line.text("TRUE");
  } else {
    line.number(value);
  }
}

void attribute_name(Line& line, CK_ATTRIBUTE_TYPE type) noexcept { line.named(ck_attribute_name(type), "CKA_", type); }

void length(Line& line, CK_ULONG n) noexcept {
  if (n == CK_UNAVAILABLE_INFORMATION) {
    line.text("unavailable");
  } else {
    line.number(n);
  }
}

// One attribute whose value the caller gave (or the module wrote): the value
// if it is a CK_ULONG or CK_BBOOL of the right size, else its length.
void attribute_with_value(Line& line, const CK_ATTRIBUTE& a) noexcept {
  attribute_name(line, a.type);
  if (a.pValue != nullptr && a.ulValueLen == sizeof(CK_ULONG) && is_ulong_kind(a.type)) {
    CK_ULONG value;
    std::memcpy(&value, a.pValue, sizeof value);
    line.character('=');
    ulong_value(line, a.type, value);
  } else if (a.pValue != nullptr && a.ulValueLen == sizeof(CK_BBOOL) && is_bool_kind(a.type)) {
    line.character('=');
    bool_value(line, *static_cast<const CK_BBOOL*>(a.pValue));
  } else if (a.ulValueLen == CK_UNAVAILABLE_INFORMATION) {
    line.text("=unavailable");
  } else {
    line.text(".len=");
    line.number(a.ulValueLen);
  }
}

// True if `count` elements of `size` bytes at `p` are an array a caller could
// own (no wrap around the address space); the trace reads at most kListLimit.
bool readable_array(const void* p, CK_ULONG count, std::size_t size) noexcept {
  if (p == nullptr) return false;
  const CK_ULONG n = count < kListLimit ? count : kListLimit;
  return reinterpret_cast<std::uintptr_t>(p) <= UINTPTR_MAX - n * size;
}

// "[a b c]" of the first kListLimit elements, then " +N".
template <class Each>
void list(Line& line, CK_ULONG count, Each each) noexcept {
  line.character('[');
  const CK_ULONG shown = count < kListLimit ? count : kListLimit;
  for (CK_ULONG i = 0; i < shown; ++i) {
    if (i > 0) line.character(' ');
    each(i);
  }
  if (shown < count) {
    line.text(" +");
    line.number(count - shown);
  }
  line.character(']');
}

// The list a call wrote into a caller's array (slots, mechanisms, handles):
// " key=N" and, on success with an array, its elements.
template <class T, class Each>
void written_list(Line& line, const char* key, const T* array, const CK_ULONG* count, CK_RV rv, Each each) noexcept {
  if (count == nullptr || (rv != CKR_OK && rv != CKR_BUFFER_TOO_SMALL)) return;
  line.key(key, "count");
  line.number(*count);
  if (rv == CKR_OK && array != nullptr && readable_array(array, *count, sizeof(T))) {
    line.character(' ');
    list(line, *count, [&](CK_ULONG i) { each(array[i]); });
  }
}

// A caller's array to be filled: " key=NULL" (a count query) or " key.size=N".
void list_to_fill(Line& line, const char* key, const void* array, const CK_ULONG* count) noexcept {
  if (array == nullptr) {
    line.key(key);
    line.text("NULL");
  } else if (count != nullptr) {
    line.key(key, "size");
    line.number(*count);
  }
  if (count == nullptr) {
    line.key(key, "count");
    line.text("NULL");
  }
}

// Flags as "0x...", then the names of those set in `names`.
struct FlagName {
  CK_FLAGS flag;
  const char* name;
};
template <std::size_t n>
void flags(Line& line, const char* key, CK_FLAGS value, const FlagName (&names)[n]) noexcept {
  line.key(key);
  line.hex(value);
  bool first = true;
  for (const FlagName& f : names) {
    if ((value & f.flag) == 0) continue;
    line.text(first ? "(" : "|");
    line.text(f.name);
    first = false;
  }
  if (!first) line.character(')');
}

#define ECERT_FLAG(f) \
  FlagName { f, #f }
constexpr FlagName kTokenFlags[] = {
    ECERT_FLAG(CKF_RNG),
    ECERT_FLAG(CKF_WRITE_PROTECTED),
    ECERT_FLAG(CKF_LOGIN_REQUIRED),
    ECERT_FLAG(CKF_USER_PIN_INITIALIZED),
    ECERT_FLAG(CKF_RESTORE_KEY_NOT_NEEDED),
    ECERT_FLAG(CKF_CLOCK_ON_TOKEN),
    ECERT_FLAG(CKF_PROTECTED_AUTHENTICATION_PATH),
    ECERT_FLAG(CKF_DUAL_CRYPTO_OPERATIONS),
    ECERT_FLAG(CKF_TOKEN_INITIALIZED),
    ECERT_FLAG(CKF_SECONDARY_AUTHENTICATION),
    ECERT_FLAG(CKF_USER_PIN_COUNT_LOW),
    ECERT_FLAG(CKF_USER_PIN_FINAL_TRY),
    ECERT_FLAG(CKF_USER_PIN_LOCKED),
    ECERT_FLAG(CKF_USER_PIN_TO_BE_CHANGED),
    ECERT_FLAG(CKF_SO_PIN_COUNT_LOW),
    ECERT_FLAG(CKF_SO_PIN_FINAL_TRY),
    ECERT_FLAG(CKF_SO_PIN_LOCKED),
    ECERT_FLAG(CKF_SO_PIN_TO_BE_CHANGED),
};
constexpr FlagName kSlotFlags[] = {
    ECERT_FLAG(CKF_TOKEN_PRESENT),
    ECERT_FLAG(CKF_REMOVABLE_DEVICE),
    ECERT_FLAG(CKF_HW_SLOT),
};
constexpr FlagName kSessionFlags[] = {
    ECERT_FLAG(CKF_RW_SESSION),
    ECERT_FLAG(CKF_SERIAL_SESSION),
};
#undef ECERT_FLAG

bool is_pss(CK_MECHANISM_TYPE m) {
  switch (m) {
    case CKM_RSA_PKCS_PSS:
    case CKM_SHA1_RSA_PKCS_PSS:
    case CKM_SHA224_RSA_PKCS_PSS:
    case CKM_SHA256_RSA_PKCS_PSS:
    case CKM_SHA384_RSA_PKCS_PSS:
    case CKM_SHA512_RSA_PKCS_PSS:
      return true;
    default:
      return false;
  }
}

template <class T>
bool parameter_is(const CK_MECHANISM& m) {
  return m.pParameter != nullptr && m.ulParameterLen == sizeof(T) && readable_array(m.pParameter, 1, sizeof(T));
}

}  // namespace

// ---- opening and closing ----

bool open_from_environment() noexcept {
  const int saved_errno = errno;
  if (g_fd.load() >= 0) {
    // Already open: in a child after fork(), the parent's writers are not
    // this process's.
    if (g_owner.load() != getpid()) {
      g_writers.store(0);
      g_owner.store(getpid());
    }
    errno = saved_errno;
    return false;
  }
  const char* where = secure_getenv("ECERT_TOKEN_TRACE");
  if (where == nullptr || *where == '\0') {
    errno = saved_errno;
    return false;
  }
  const int fd = open_trace(where);
  if (fd < 0) {
    errno = saved_errno;
    return false;
  }
  struct stat st {};
  g_pipe.store(fstat(fd, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)));
  g_owner.store(getpid());
  int none = -1;
  if (!g_fd.compare_exchange_strong(none, fd)) {  // another thread's C_Initialize was quicker
    ::close(fd);
    errno = saved_errno;
    return false;
  }
  char name[32];
  process_name(name);
  Line line('-', "trace opened:");
  line.text(" ecert-token ");
  line.number(ECERT_VERSION_MAJOR);
  line.character('.');
  line.number(ECERT_VERSION_MINOR);
  line.text(", PKCS#11 3.0, process ");
  line.text(name);
  line.emit();
  errno = saved_errno;
  return true;
}

void close() noexcept {
  if (!on()) return;
  const int saved_errno = errno;
  {
    Line line('-', "trace closed");
    line.emit();
  }
  const int fd = g_fd.exchange(-1);
  if (fd < 0) return;
  // A thread still writing a line finishes with the descriptor first (a
  // C_Finalize racing other calls is the application's error, but must not
  // send a line into a file the process opens next). Bounded: 1 s.
  if (g_owner.load() == getpid()) {
    for (int i = 0; i < 1000 && g_writers.load() != 0; ++i) {
      const timespec ms{0, 1000000};
      nanosleep(&ms, nullptr);
    }
  }
  ::close(fd);
  errno = saved_errno;
}

// ---- lines ----

long long monotonic_ns() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<long long>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

Line::Line(char mark, const char* what) noexcept {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  tm utc{};
  gmtime_r(&now.tv_sec, &utc);
  const int n = std::snprintf(buffer_, sizeof buffer_, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ ecert-token[%ld:%ld] %c ",
                              utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                              static_cast<long>(now.tv_nsec / 1000), static_cast<long>(getpid()),
                              static_cast<long>(gettid()), mark);
  size_ = n > 0 ? static_cast<std::size_t>(n) : 0;
  text(what);
}

void Line::text(const char* s) noexcept {
  for (; *s != '\0'; ++s) character(*s);
}

void Line::character(char c) noexcept {
  // One byte is kept for the newline.
  if (size_ + 1 < sizeof buffer_) {
    buffer_[size_++] = c;
  } else {
    cut_ = true;
  }
}

void Line::key(const char* key, const char* part) noexcept {
  character(' ');
  text(key);
  if (part != nullptr) {
    character('.');
    text(part);
  }
  character('=');
}

void Line::number(unsigned long value) noexcept {
  char digits[24];
  std::snprintf(digits, sizeof digits, "%lu", value);
  text(digits);
}

void Line::hex(unsigned long value) noexcept {
  char digits[24];
  std::snprintf(digits, sizeof digits, "0x%lx", value);
  text(digits);
}

void Line::named(const char* name, const char* family, unsigned long value) noexcept {
  if (name != nullptr) {
    text(name);
    return;
  }
  char digits[64];
  constexpr unsigned long kVendor = 0x80000000UL;
  if (value >= kVendor) {
    std::snprintf(digits, sizeof digits, "%sVENDOR_DEFINED+0x%08lX", family, value - kVendor);
  } else {
    std::snprintf(digits, sizeof digits, "%s0x%08lX", family, value);
  }
  text(digits);
}

void Line::result(CK_RV rv, const char* why) noexcept {
  character(' ');
  named(ck_rv_name(rv), "CKR_", rv);
  if (rv == CKR_OK || why == nullptr || *why == '\0') return;
  // The reasons are the module's own string literals; still, one line each.
  text(" reason=\"");
  for (const char* p = why; *p != '\0'; ++p) character(*p >= 0x20 && *p < 0x7f && *p != '"' ? *p : '?');
  character('"');
}

void Line::elapsed(long long start_ns) noexcept {
  const long long us = (monotonic_ns() - start_ns) / 1000;
  char digits[48];
  std::snprintf(digits, sizeof digits, " time=%lld.%03lldms", us / 1000, us % 1000);
  text(digits);
}

void Line::emit() noexcept {
  if (cut_ && size_ >= 3) std::memcpy(buffer_ + size_ - 3, "...", 3);
  buffer_[size_] = '\n';
  write_line(buffer_, size_ + 1);
}

// ---- arguments ----

void describe_in(Line& line, const Slot& a) noexcept {
  line.key("slot");
  line.number(a.id);
}

void describe_in(Line& line, const Session& a) noexcept {
  line.key("session");
  line.number(a.handle);
}

void describe_in(Line& line, const Object& a) noexcept {
  line.key(a.key);
  line.number(a.handle);
}

void describe_in(Line& line, const Number& a) noexcept {
  line.key(a.key);
  line.number(a.value);
}

void describe_in(Line& line, const Flags& a) noexcept {
  line.key(a.key);
  line.hex(a.value);
}

void describe_in(Line& line, const User& a) noexcept {
  line.key("user");
  line.named(ck_user_type_name(a.type), "CKU_", a.type);
}

void describe_in(Line& line, const Mechanism& a) noexcept {
  line.key("mechanism");
  if (a.mechanism == nullptr) {
    line.text("NULL");
    return;
  }
  const CK_MECHANISM& m = *a.mechanism;
  line.named(ck_mechanism_name(m.mechanism), "CKM_", m.mechanism);
  if (is_pss(m.mechanism) && parameter_is<CK_RSA_PKCS_PSS_PARAMS>(m)) {
    const auto* p = static_cast<const CK_RSA_PKCS_PSS_PARAMS*>(m.pParameter);
    line.key("hash");
    line.named(ck_mechanism_name(p->hashAlg), "CKM_", p->hashAlg);
    line.key("mgf");
    line.named(ck_mgf_name(p->mgf), "CKG_", p->mgf);
    line.key("salt", "len");
    line.number(p->sLen);
  } else if (m.mechanism == CKM_RSA_PKCS_OAEP && parameter_is<CK_RSA_PKCS_OAEP_PARAMS>(m)) {
    const auto* p = static_cast<const CK_RSA_PKCS_OAEP_PARAMS*>(m.pParameter);
    line.key("hash");
    line.named(ck_mechanism_name(p->hashAlg), "CKM_", p->hashAlg);
    line.key("mgf");
    line.named(ck_mgf_name(p->mgf), "CKG_", p->mgf);
    line.key("source");
    line.number(p->source);
    line.key("label", "len");  // the OAEP label: bytes, so its length
    line.number(p->ulSourceDataLen);
  } else if (m.pParameter != nullptr || m.ulParameterLen != 0) {
    line.key("parameter", "len");
    line.number(m.ulParameterLen);
    if (m.pParameter == nullptr) line.text("(NULL)");
  }
}

void describe_in(Line& line, const MechanismType& a) noexcept {
  line.key("mechanism");
  line.named(ck_mechanism_name(a.type), "CKM_", a.type);
}

void describe_in(Line& line, const Bytes& a) noexcept {
  if (a.data == nullptr) {
    line.key(a.key);
    line.text("NULL");
    if (a.length == 0) return;
  }
  line.key(a.key, "len");
  line.number(a.length);
}

void describe_in(Line& line, const Output& a) noexcept {
  if (a.length == nullptr) {
    line.key(a.key, "length");
    line.text("NULL");
  } else if (a.data == nullptr) {
    line.key(a.key);
    line.text("NULL");  // a length query
  } else {
    line.key(a.key, "size");
    line.number(*a.length);
  }
}

void describe_in(Line& line, const Template& a) noexcept {
  line.key(a.key);
  if (a.count > 0 && !readable_array(a.attributes, a.count, sizeof(CK_ATTRIBUTE))) {
    line.text("NULL");
    line.key(a.key, "count");
    line.number(a.count);
    return;
  }
  list(line, a.count, [&](CK_ULONG i) { attribute_with_value(line, a.attributes[i]); });
}

// The types asked for, with the size of each buffer (none: a length query).
void describe_in(Line& line, const Query& a) noexcept {
  line.key("template");
  if (a.count > 0 && !readable_array(a.attributes, a.count, sizeof(CK_ATTRIBUTE))) {
    line.text("NULL");
    line.key("template", "count");
    line.number(a.count);
    return;
  }
  list(line, a.count, [&](CK_ULONG i) {
    attribute_name(line, a.attributes[i].type);
    if (a.attributes[i].pValue != nullptr) {
      line.text(".size=");
      length(line, a.attributes[i].ulValueLen);
    }
  });
}

void describe_in(Line& line, const Found& a) noexcept {
  line.key("max");
  line.number(a.max);
}

void describe_in(Line& line, const SlotList& a) noexcept { list_to_fill(line, "slots", a.slots, a.count); }
void describe_in(Line& line, const MechanismList& a) noexcept {
  list_to_fill(line, "mechanisms", a.mechanisms, a.count);
}
void describe_in(Line& line, const InterfaceList& a) noexcept {
  list_to_fill(line, "interfaces", a.interfaces, a.count);
}

void describe_in(Line& line, const InitArgs& a) noexcept {
  line.key("args");
  if (a.args == nullptr) {
    line.text("NULL");
    return;
  }
  const auto* args = static_cast<const CK_C_INITIALIZE_ARGS*>(a.args);
  line.text("given");
  line.key("flags");
  line.hex(args->flags);
  line.key("mutex_callbacks");
  line.text(args->CreateMutex != nullptr ? "yes" : "no");
}

void describe_in(Line& line, const Version& a) noexcept {
  line.key("version");
  if (a.version == nullptr) {
    line.text("any");
    return;
  }
  line.number(a.version->major);
  line.character('.');
  line.number(a.version->minor);
}

void describe_out(Line& line, const Output& a, CK_RV rv) noexcept {
  if (a.length == nullptr || (rv != CKR_OK && rv != CKR_BUFFER_TOO_SMALL)) return;
  line.key(a.key, "len");
  line.number(*a.length);
}

void describe_out(Line& line, const NewHandle& a, CK_RV rv) noexcept {
  if (rv != CKR_OK || a.handle == nullptr) return;
  line.key(a.key);
  line.number(*a.handle);
}

void describe_out(Line& line, const Count& a, CK_RV rv) noexcept {
  if (rv != CKR_OK || a.value == nullptr) return;
  line.key(a.key);
  length(line, *a.value);
}

// What the module wrote: every attribute's length (or "unavailable"), and
// the values of the CK_ULONG and CK_BBOOL ones it copied out. Only after
// results for which it went through the whole template.
void describe_out(Line& line, const Query& a, CK_RV rv) noexcept {
  if (rv != CKR_OK && rv != CKR_ATTRIBUTE_SENSITIVE && rv != CKR_ATTRIBUTE_TYPE_INVALID && rv != CKR_BUFFER_TOO_SMALL) {
    return;
  }
  if (a.count > 0 && !readable_array(a.attributes, a.count, sizeof(CK_ATTRIBUTE))) return;
  line.key("values");
  list(line, a.count, [&](CK_ULONG i) { attribute_with_value(line, a.attributes[i]); });
}

void describe_out(Line& line, const Found& a, CK_RV rv) noexcept {
  written_list(line, "found", a.handles, a.count, rv, [&](CK_OBJECT_HANDLE h) { line.number(h); });
}

void describe_out(Line& line, const SlotList& a, CK_RV rv) noexcept {
  written_list(line, "slots", a.slots, a.count, rv, [&](CK_SLOT_ID s) { line.number(s); });
}

void describe_out(Line& line, const MechanismList& a, CK_RV rv) noexcept {
  written_list(line, "mechanisms", a.mechanisms, a.count, rv,
               [&](CK_MECHANISM_TYPE m) { line.named(ck_mechanism_name(m), "CKM_", m); });
}

void describe_out(Line& line, const InterfaceList& a, CK_RV rv) noexcept {
  if (a.count == nullptr || (rv != CKR_OK && rv != CKR_BUFFER_TOO_SMALL)) return;
  line.key("interfaces", "count");
  line.number(*a.count);
}

void describe_out(Line& line, const Info& a, CK_RV rv) noexcept {
  if (rv != CKR_OK || a.info == nullptr) return;
  line.key("cryptoki");
  line.number(a.info->cryptokiVersion.major);
  line.character('.');
  line.number(a.info->cryptokiVersion.minor);
  line.key("library");
  line.number(a.info->libraryVersion.major);
  line.character('.');
  line.number(a.info->libraryVersion.minor);
}

void describe_out(Line& line, const SlotInfo& a, CK_RV rv) noexcept {
  if (rv != CKR_OK || a.info == nullptr) return;
  flags(line, "flags", a.info->flags, kSlotFlags);
}

void describe_out(Line& line, const TokenInfo& a, CK_RV rv) noexcept {
  if (rv != CKR_OK || a.info == nullptr) return;
  flags(line, "flags", a.info->flags, kTokenFlags);
  line.key("sessions");
  length(line, a.info->ulSessionCount);
  line.key("pin", "min");
  line.number(a.info->ulMinPinLen);
  line.key("pin", "max");
  line.number(a.info->ulMaxPinLen);
}

void describe_out(Line& line, const SessionInfo& a, CK_RV rv) noexcept {
  if (rv != CKR_OK || a.info == nullptr) return;
  line.key("slot");
  line.number(a.info->slotID);
  line.key("state");
  line.named(ck_state_name(a.info->state), "CKS_", a.info->state);
  flags(line, "flags", a.info->flags, kSessionFlags);
}

void describe_out(Line& line, const MechanismInfo& a, CK_RV rv) noexcept {
  if (rv != CKR_OK || a.info == nullptr) return;
  line.key("key_size", "min");
  line.number(a.info->ulMinKeySize);
  line.key("key_size", "max");
  line.number(a.info->ulMaxKeySize);
  line.key("flags");
  line.hex(a.info->flags);
}

}  // namespace ecert::pkcs11::trace
