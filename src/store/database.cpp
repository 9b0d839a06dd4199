// The SQLite connection the token store works through: binding and reading
// values, transactions, PRAGMA data_version, and SQLite's result codes mapped
// to the CK_RVs a token may return (fail_sqlite). Before SQLite may open a
// token file, Database::open checks the directory, the file and the -wal,
// -shm, -journal and lock files beside it by the rules of file_checks.h, or
// makes a new file itself with O_EXCL.
#include "store/database.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <climits>

#include "common/error.h"
#include "store/file_checks.h"
#include "store/pin_lock.h"

namespace ecert::store {

void fail_sqlite(int code, const char* what) {
  switch (code & 0xff) {
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      fail(CKR_TOKEN_NOT_RECOGNIZED, what);
    case SQLITE_FULL:
      fail(CKR_DEVICE_MEMORY, what);
    case SQLITE_NOMEM:
      fail(CKR_HOST_MEMORY, what);
    default:
      fail(CKR_DEVICE_ERROR, what);
  }
}

namespace {
void check(int rc, const char* what) {
  if (rc != SQLITE_OK) fail_sqlite(rc, what);
}
}  // namespace

Statement& Statement::bind(int index, std::int64_t value) {
  check(sqlite3_bind_int64(stmt_, index, value), "bind int");
  return *this;
}

// The int-length bind calls, not the *64 ones: inside Firefox the module's
// SQLite calls reach Firefox's own SQLite (libmozsqlite3, loaded globally
// first), whose sqlite3_bind_blob64/_text64 return SQLITE_MISUSE whatever
// they are given (seen with 3.53.2), and a login that bound one failed with
// CKR_DEVICE_ERROR. No value we store comes near INT_MAX bytes.
Statement& Statement::bind(int index, ByteView value) {
  if (value.size() > static_cast<std::size_t>(INT_MAX)) fail(CKR_DEVICE_MEMORY, "value too large to store");
  // A zero-length blob still binds as a blob, never as NULL.
  static const std::uint8_t empty = 0;
  const void* p = value.empty() ? &empty : value.data();
  check(sqlite3_bind_blob(stmt_, index, p, static_cast<int>(value.size()), SQLITE_TRANSIENT), "bind blob");
  return *this;
}

Statement& Statement::bind_text(int index, const std::string& value) {
  if (value.size() > static_cast<std::size_t>(INT_MAX)) fail(CKR_DEVICE_MEMORY, "text too large to store");
  check(sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT), "bind text");
  return *this;
}

bool Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) {
    sqlite3_reset(stmt_);
    return false;
  }
  sqlite3_reset(stmt_);
  fail_sqlite(rc, "step");
}

void Statement::run() {
  while (step()) {
  }
}

std::int64_t Statement::column_int(int index) const { return sqlite3_column_int64(stmt_, index); }

Bytes Statement::column_blob(int index) const {
  const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt_, index));
  int n = sqlite3_column_bytes(stmt_, index);
  return p == nullptr ? Bytes{} : Bytes(p, p + n);
}

SecureBytes Statement::column_secure_blob(int index) const {
  const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt_, index));
  int n = sqlite3_column_bytes(stmt_, index);
  return p == nullptr ? SecureBytes{} : SecureBytes(p, p + n);
}

std::string Statement::column_text(int index) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, index));
  return p == nullptr ? std::string{} : std::string(p, sqlite3_column_bytes(stmt_, index));
}

bool Statement::column_is_null(int index) const { return sqlite3_column_type(stmt_, index) == SQLITE_NULL; }

namespace {
// Throws unless the token file `path`, its directory and the files beside it
// that SQLite and the PIN lock open may be trusted (file_checks.h). Checked
// before SQLite reads or writes anything: a -wal or -shm another user planted
// would be read as part of the token and written with what the token stores.
// With `create`, makes the file (0600, whatever the umask) in the checked
// directory instead of checking it, so that two processes creating the same
// token cannot both succeed.
void check_token_files(const std::string& path, bool create) {
  std::size_t slash = path.find_last_of('/');
  std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  Descriptor checked;
  if (open_trusted_directory(dir, checked) != FileFault::none) fail(CKR_TOKEN_NOT_RECOGNIZED, "token dir refused");
  auto refuse = [](FileFault fault) {
    if (fault == FileFault::unreadable) fail(CKR_DEVICE_ERROR, "token file cannot be examined");
    fail(CKR_TOKEN_NOT_RECOGNIZED, "token file not trusted");
  };
  // The rollback journal too: SQLite plays a "hot" journal back into the file.
  for (const std::string& beside : {name + "-wal", name + "-shm", name + "-journal", PinLock::path_for(name)}) {
    FileFault fault = check_file_at(checked.get(), beside);
    if (fault != FileFault::none && fault != FileFault::missing) refuse(fault);
  }
  if (create) {
    int fd = ::openat(checked.get(), name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) fail(CKR_DEVICE_ERROR, "create token file");
    ::close(fd);
    return;
  }
  FileFault fault = check_file_at(checked.get(), name);
  if (fault == FileFault::missing) fail(CKR_DEVICE_ERROR, "token file gone");
  if (fault != FileFault::none) refuse(fault);
}
}  // namespace

std::unique_ptr<Database> Database::open(const std::string& path, bool create) {
  check_token_files(path, create);
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_close(db);
    fail_sqlite(rc, "open");
  }
  std::unique_ptr<Database> out(new Database(db));
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, 10000);
  // WAL mode is switched on by the owner of the file once it has checked the
  // file is one of its own (TokenStore::open): switching rewrites the header of
  // a rollback-journal database, and a foreign or newer file must stay as it is.
  out->exec("PRAGMA synchronous=FULL");
  out->exec("PRAGMA secure_delete=ON");
  out->exec("PRAGMA foreign_keys=ON");
  return out;
}

Database::~Database() {
  if (db_ == nullptr) return;  // abandoned
  sqlite3_finalize(data_version_stmt_);
  sqlite3_close_v2(db_);
}

void Database::exec(const char* sql) {
  char* msg = nullptr;
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &msg);
  sqlite3_free(msg);
  if (rc != SQLITE_OK) fail_sqlite(rc, "exec");
}

Statement Database::prepare(const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql, -1, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    fail_sqlite(rc, "prepare");
  }
  return Statement(db_, stmt);
}

std::int64_t Database::data_version() {
  if (data_version_stmt_ == nullptr) {
    int rc =
        sqlite3_prepare_v3(db_, "PRAGMA data_version", -1, SQLITE_PREPARE_PERSISTENT, &data_version_stmt_, nullptr);
    if (rc != SQLITE_OK) fail_sqlite(rc, "prepare data_version");
  }
  int rc = sqlite3_step(data_version_stmt_);
  std::int64_t version = rc == SQLITE_ROW ? sqlite3_column_int64(data_version_stmt_, 0) : -1;
  sqlite3_reset(data_version_stmt_);
  if (rc != SQLITE_ROW) fail_sqlite(rc, "data_version");
  return version;
}

Transaction::Transaction(Database& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }

Transaction::~Transaction() {
  if (!done_) {
    sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
  }
}

void Transaction::commit() {
  db_.exec("COMMIT");
  done_ = true;
}

}  // namespace ecert::store
