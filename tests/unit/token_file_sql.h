// Test access to a token file with SQLite itself, as someone who can write
// the file would have: rows read and changed directly, and the master key
// recomputed from a PIN record with the test binary's own copy of the store
// code. Only while the module is finalised, or read-only: the module uses
// the same libsqlite3, which shares its locks.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/bytes.h"
#include "crypto/library_context.h"
#include "ecert/pkcs11.h"
#include "store/pin_kdf.h"
#include "store/sealing.h"

namespace ecert::test {

class Sql {
 public:
  Sql(const std::string& path, bool write) {
    int flags = write ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY;
    if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) ADD_FAILURE() << sqlite3_errmsg(db_);
    sqlite3_busy_timeout(db_, 5000);
  }
  Sql(const std::string& path, int flags) {
    if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) ADD_FAILURE() << sqlite3_errmsg(db_);
  }
  ~Sql() { sqlite3_close(db_); }
  void exec(const std::string& sql) {
    char* msg = nullptr;
    EXPECT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &msg), SQLITE_OK) << sql << ": " << (msg ? msg : "");
    sqlite3_free(msg);
  }
  // The first row's columns as blobs (integers as their decimal text).
  std::vector<Bytes> row(const std::string& sql, std::vector<std::int64_t> args = {}) {
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sql;
    for (std::size_t i = 0; i < args.size(); ++i) sqlite3_bind_int64(st, static_cast<int>(i + 1), args[i]);
    std::vector<Bytes> out;
    if (sqlite3_step(st) == SQLITE_ROW) {
      for (int c = 0; c < sqlite3_column_count(st); ++c) {
        const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(st, c));
        out.emplace_back(p, p + sqlite3_column_bytes(st, c));
      }
    }
    sqlite3_finalize(st);
    return out;
  }
  std::int64_t integer(const std::string& sql, std::vector<std::int64_t> args = {}) {
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sql;
    for (std::size_t i = 0; i < args.size(); ++i) sqlite3_bind_int64(st, static_cast<int>(i + 1), args[i]);
    std::int64_t v = -1;
    if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
  }
  void set_blob(const std::string& sql, const Bytes& blob, std::vector<std::int64_t> args) {
    sqlite3_stmt* st = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sql;
    sqlite3_bind_blob(st, 1, blob.data(), static_cast<int>(blob.size()), SQLITE_TRANSIENT);
    for (std::size_t i = 0; i < args.size(); ++i) sqlite3_bind_int64(st, static_cast<int>(i + 2), args[i]);
    EXPECT_EQ(sqlite3_step(st), SQLITE_DONE);
    EXPECT_EQ(sqlite3_changes(db_), 1);
    sqlite3_finalize(st);
  }

 private:
  sqlite3* db_ = nullptr;
};

// The master key, recomputed as the module does from one PIN record (with the
// test binary's own copy of the store and crypto code).
inline std::optional<SecureBytes> master_key(const std::string& path, CK_USER_TYPE who, const std::string& pin) {
  static const bool started = [] {
    crypto::start_library_context();
    return true;
  }();
  (void)started;
  Sql db(path, false);
  std::vector<Bytes> token = db.row("SELECT uuid FROM token WHERE id = 1");
  store::KdfCost cost{static_cast<std::uint32_t>(db.integer("SELECT kdf_memory_kib FROM token WHERE id = 1")),
                      static_cast<std::uint32_t>(db.integer("SELECT kdf_iterations FROM token WHERE id = 1"))};
  std::vector<Bytes> rec = db.row("SELECT salt, wrapped_key FROM pin WHERE user = ?", {static_cast<std::int64_t>(who)});
  EXPECT_EQ(token.size(), 1u);
  EXPECT_EQ(rec.size(), 2u);
  if (token.size() != 1 || rec.size() != 2) return std::nullopt;
  return store::unwrap_master_key(view(rec[1]), view(pin), view(rec[0]), cost,
                                  store::aad_master_key(view(token[0]), who));
}

inline std::string token_file(const std::string& dir, CK_SLOT_ID slot) {
  return dir + "/token-" + std::to_string(slot) + ".sqlite";
}

}  // namespace ecert::test
