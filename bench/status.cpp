#include "status.h"

#include "common/ck_rv_name.h"

#include <openssl/err.h>

#include <cstdio>
#include <utility>

Status Status::ck(const char* function, CK_RV rv) {
  Status s;
  s.kind_ = Kind::pkcs11;
  s.where_ = function;
  s.code_ = rv;
  return s;
}

Status Status::ssl(const char* function) {
  Status s;
  s.kind_ = Kind::openssl;
  s.where_ = function;
  s.code_ = ERR_peek_last_error();
  ERR_clear_error();
  return s;
}

Status Status::fail(std::string message) {
  Status s;
  s.kind_ = Kind::other;
  s.where_ = std::move(message);
  return s;
}

std::string Status::cell() const {
  char buf[32];
  switch (kind_) {
    case Kind::ok:
      return "ok";
    case Kind::pkcs11:
      std::snprintf(buf, sizeof buf, "error 0x%lX", code_);
      return buf;
    case Kind::openssl:
      return "error openssl";
    case Kind::other:
      break;
  }
  return "error";
}

std::string Status::describe() const {
  char buf[64];
  switch (kind_) {
    case Kind::ok:
      return "ok";
    case Kind::pkcs11:
      std::snprintf(buf, sizeof buf, ": 0x%08lX ", code_);
      return where_ + buf + ecert::ck_rv_text(code_);
    case Kind::openssl: {
      char text[256];
      ERR_error_string_n(code_, text, sizeof text);
      return where_ + " failed: " + (code_ ? text : "no OpenSSL error queued");
    }
    case Kind::other:
      break;
  }
  return where_;
}
