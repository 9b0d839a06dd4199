// A thin RAII layer over one SQLite connection. Every SQLite failure becomes an
// ecert::Error: CKR_TOKEN_NOT_RECOGNIZED for a file that is not a database,
// CKR_DEVICE_MEMORY for a full disk, CKR_DEVICE_ERROR otherwise, so the caller
// only ever sees codes it may return.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>

#include "common/bytes.h"

namespace ecert::store {

class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Statement(Statement&& o) noexcept : db_(o.db_), stmt_(o.stmt_) { o.stmt_ = nullptr; }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement() { sqlite3_finalize(stmt_); }

  // Parameters are numbered from 1, as in SQLite.
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, ByteView value);  // as a BLOB, copied by SQLite
  Statement& bind_text(int index, const std::string& value);
  // Runs one step: true if a row is available, false when done.
  bool step();
  // Runs to completion (for statements that return no rows).
  void run();
  std::int64_t column_int(int index) const;
  Bytes column_blob(int index) const;
  SecureBytes column_secure_blob(int index) const;
  std::string column_text(int index) const;
  bool column_is_null(int index) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

class Database {
 public:
  // Opens an existing database file (create=false) or creates a new one
  // (create=true: the file must not exist; it is made 0600). Sets a busy
  // timeout (other processes share the file), secure_delete and full
  // synchronous commits (a counted PIN try must survive a crash). The journal
  // mode is left as the file has it (see TokenStore).
  static std::unique_ptr<Database> open(const std::string& path, bool create);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  void exec(const char* sql);
  Statement prepare(const char* sql);
  // SQLite's data_version: changes when another connection commits. Costs no
  // file I/O beyond a shared-memory read in WAL mode.
  std::int64_t data_version();
  std::int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
  // Forgets the connection without closing it: in a child after fork(),
  // closing the parent's connection could release the parent's file locks.
  void abandon() noexcept { db_ = nullptr; }

  sqlite3* handle() const { return db_; }

 private:
  explicit Database(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  // Kept prepared: data_version() runs at the start of many calls.
  sqlite3_stmt* data_version_stmt_ = nullptr;
};

// BEGIN IMMEDIATE ... COMMIT, rolled back unless commit() was called. IMMEDIATE
// takes the write lock at once, so a read-modify-write (a PIN counter) cannot
// interleave with another process.
class Transaction {
 public:
  explicit Transaction(Database& db);
  ~Transaction();
  void commit();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

 private:
  Database& db_;
  bool done_ = false;
};

// Throws the ecert::Error that matches a SQLite result code.
[[noreturn]] void fail_sqlite(int code, const char* what);

}  // namespace ecert::store
