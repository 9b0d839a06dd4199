// Test support for the manager library: the real module (ECERT_MODULE_PATH)
// loaded through manager::Module on a fresh token directory per test, with
// helpers to bring a token to the state a user has it in (initialised, the
// envelope PIN changed) and to run the `openssl` CLI. Header-only, so any
// manager_*_test.cpp can include it.
//
// Everything is in ecert::manager::test::support so names here cannot clash
// with a test file's own helpers.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/bytes.h"
#include "manager/p11_error.h"
#include "manager/pkcs11_module.h"
#include "manager/session.h"
#include "manager/subprocess.h"

#ifndef ECERT_MODULE_PATH
#error "manager tests need ECERT_MODULE_PATH (the built module)"
#endif

namespace ecert::manager::test::support {

namespace fs = std::filesystem;

// The CK_RV of the P11Error that `f` throws; CKR_OK when it throws none.
inline CK_RV rv_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const P11Error& e) {
    return e.rv();
  }
  return CKR_OK;
}

inline constexpr const char* kSoPin = "So-Pin#2026";
inline constexpr const char* kEnvelopePin = "12345678";  // what the SO sets; must be changed
inline constexpr const char* kUserPin = "User-Pin#2026";

// A directory under the system temp dir, removed with its contents when the
// object dies.
class TempDirectory {
 public:
  TempDirectory() {
    std::string pattern = (fs::temp_directory_path() / "ecert-manager-test-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDirectory() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TempDirectory(const TempDirectory&) = delete;
  TempDirectory& operator=(const TempDirectory&) = delete;

  const fs::path& path() const { return path_; }
  fs::path operator/(const std::string& name) const { return path_ / name; }

 private:
  fs::path path_;
};

inline Bytes read_bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + file.string());
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline std::string read_text(const fs::path& file) {
  const Bytes b = read_bytes(file);
  return std::string(b.begin(), b.end());
}

inline void write_bytes(const fs::path& file, ByteView data) {
  std::ofstream out(file, std::ios::binary);
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
  if (!out) throw std::runtime_error("cannot write " + file.string());
}

// Runs `openssl` with `args` (no shell; secrets go in `env`, e.g. for
// -passout env:NAME) and returns its standard output. A failing command
// throws with what it printed, so the test stops at the step that broke.
inline std::string openssl(const std::vector<std::string>& args,
                           const std::vector<std::pair<std::string, std::string>>& env = {}) {
  std::vector<std::string> argv{"openssl"};
  argv.insert(argv.end(), args.begin(), args.end());
  const ProcessOutput out = run_program(argv, env);
  if (out.exit_code != 0) {
    std::string command;
    for (const std::string& a : argv) command += a + " ";
    throw std::runtime_error("command failed (" + std::to_string(out.exit_code) + "): " + command + "\n" + out.out +
                             out.err);
  }
  return out.out;
}

// A throwaway certification authority (P-256, self-signed, CA:TRUE) made
// with the `openssl` CLI in `dir`, for issuing test certificates.
class TestCa {
 public:
  TestCa(fs::path dir, const std::string& common_name) : dir_(std::move(dir)) {
    key_ = dir_ / (common_name_file(common_name) + ".key");
    cert_ = dir_ / (common_name_file(common_name) + ".pem");
    openssl({"req",
             "-x509",
             "-new",
             "-newkey",
             "ec",
             "-pkeyopt",
             "ec_paramgen_curve:P-256",
             "-nodes",
             "-keyout",
             key_.string(),
             "-out",
             cert_.string(),
             "-subj",
             "/CN=" + common_name,
             "-days",
             "30",
             "-addext",
             "basicConstraints=critical,CA:TRUE",
             "-addext",
             "keyUsage=critical,keyCertSign,cRLSign"});
  }

  const fs::path& key() const { return key_; }
  const fs::path& certificate() const { return cert_; }  // PEM

  // Issues a certificate (PEM, written to `out`) for the PEM request file
  // `csr`, with the request's subject and the given hex serial.
  void issue(const fs::path& csr, const fs::path& out, const std::string& serial_hex) const {
    openssl({"x509", "-req", "-in", csr.string(), "-CA", cert_.string(), "-CAkey", key_.string(), "-set_serial",
             "0x" + serial_hex, "-days", "30", "-out", out.string()});
  }

 private:
  static std::string common_name_file(const std::string& cn) {
    std::string out;
    for (char c : cn) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    return out;
  }

  fs::path dir_, key_, cert_;
};

// A fixture with the module loaded (C_Initialize) on an empty token
// directory, with the cheap test PIN hashing. The module is finalised and
// unloaded after each test: sessions a test opens must be gone by then
// (hold them in locals).
class ManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    token_dir_ = std::make_unique<TempDirectory>();
    setenv("ECERT_TOKEN_DIR", token_dir_->path().c_str(), 1);
    setenv("ECERT_TOKEN_KDF", "test", 1);
    module_ = std::make_unique<Module>(ECERT_MODULE_PATH);
  }
  void TearDown() override {
    module_.reset();
    token_dir_.reset();
  }

  Module& module() { return *module_; }
  const fs::path& token_dir() const { return token_dir_->path(); }

  // C_InitToken on the slot whose token is not initialised yet (the module
  // always shows one); returns that slot.
  CK_SLOT_ID init_token(const std::string& label = "e-Cert", const char* so_pin = kSoPin) {
    for (CK_SLOT_ID slot : module_->slots(true)) {
      if (module_->token_info(slot).flags & CKF_TOKEN_INITIALIZED) continue;
      CK_UTF8CHAR field[32];
      std::fill(std::begin(field), std::end(field), ' ');
      std::copy_n(label.begin(), std::min<std::size_t>(label.size(), sizeof field), field);
      check(module_->p11()->C_InitToken(slot, pin_pointer(so_pin),
                                        static_cast<CK_ULONG>(std::string_view(so_pin).size()), field),
            "C_InitToken");
      return slot;
    }
    throw std::runtime_error("no uninitialised token to initialise");
  }

  // The SO sets the user PIN (the "envelope PIN" the issuer mails).
  void init_user_pin(CK_SLOT_ID slot, std::string_view pin = kEnvelopePin, const char* so_pin = kSoPin) {
    Session so(*module_, slot, true);
    so.login(CKU_SO, so_pin);
    check(module_->p11()->C_InitPIN(so.handle(), pin_pointer(pin), static_cast<CK_ULONG>(pin.size())), "C_InitPIN");
  }

  // C_SetPIN in a read/write public session, as the owner changes the
  // envelope PIN before the first login.
  void change_user_pin(CK_SLOT_ID slot, std::string_view old_pin, std::string_view new_pin) {
    Session s(*module_, slot, true);
    check(module_->p11()->C_SetPIN(s.handle(), pin_pointer(old_pin), static_cast<CK_ULONG>(old_pin.size()),
                                   pin_pointer(new_pin), static_cast<CK_ULONG>(new_pin.size())),
          "C_SetPIN");
  }

  // A token as its owner has it: initialised, user PIN kUserPin.
  CK_SLOT_ID ready_token(const std::string& label = "e-Cert") {
    const CK_SLOT_ID slot = init_token(label);
    init_user_pin(slot);
    change_user_pin(slot, kEnvelopePin, kUserPin);
    return slot;
  }

  // A read/write session with the user logged in (logged out when it dies).
  std::unique_ptr<Session> user_session(CK_SLOT_ID slot, std::string_view pin = kUserPin) {
    auto s = std::make_unique<Session>(*module_, slot, true);
    s->login(CKU_USER, pin);
    return s;
  }

 private:
  std::unique_ptr<TempDirectory> token_dir_;
  std::unique_ptr<Module> module_;
};

}  // namespace ecert::manager::test::support
