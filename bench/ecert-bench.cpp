// ecert-bench: measures a PKCS#11 module against in-process OpenSSL 3, the
// practical upper bound for a software token on the same machine.
#include <unistd.h>

#include <fstream>
#include <iostream>

#include "bench_tests.h"
#include "module_loader.h"
#include "openssl_baseline.h"
#include "options.h"
#include "p11_util.h"
#include "report.h"
#include "token_keys.h"
#include "token_setup.h"

namespace {

void report_error(const std::string& context, const Status& s) {
  std::cerr << "ecert-bench: " << context << ": " << s.describe() << "\n";
}

int list_slots(const Module& module) {
  std::vector<SlotDescription> slots;
  if (Status s = module.list_slots(slots); !s.is_ok()) {
    report_error("listing slots", s);
    return 1;
  }
  for (const auto& slot : slots) {
    const char* state = !slot.token_present ? "empty" : slot.token_initialized ? "initialized" : "uninitialized";
    std::cout << slot.id << " " << state << " " << slot.token_label << "\n";
  }
  return 0;
}

int change_pin(const Module& module, CK_SLOT_ID slot, const Options& options) {
  std::string old_pin, new_pin;
  if (!read_secret_file(options.change_pin_old_file, old_pin) ||
      !read_secret_file(options.change_pin_new_file, new_pin)) {
    std::cerr << "ecert-bench: cannot read the PIN files\n";
    return 1;
  }
  if (Status s = change_user_pin(module, slot, old_pin, new_pin); !s.is_ok()) {
    report_error("changing the user PIN", s);
    return 1;
  }
  return 0;
}

// Creating 10000 objects takes a while on some tokens; say what is going on.
Status run_setup(const Session& session, unsigned objects) {
  bool created = false;
  if (Status s = ensure_rsa_key(session.f(), session.handle(), created); !s.is_ok()) return s;
  if (created) std::cerr << "setup: generated RSA-2048 key pair " << kRsaLabel << "\n";
  if (Status s = ensure_ec_key(session.f(), session.handle(), created); !s.is_ok()) return s;
  if (created) std::cerr << "setup: generated P-256 key pair " << kEcLabel << "\n";
  unsigned made = 0;
  Status s = ensure_data_objects(session.f(), session.handle(), objects, made);
  if (made) std::cerr << "setup: created " << made << " data objects\n";
  return s;
}

std::string token_label(const Module& module, CK_SLOT_ID slot) {
  CK_TOKEN_INFO info{};
  if (module.f()->C_GetTokenInfo(slot, &info) != CKR_OK) return "?";
  return trim_padded(info.label, sizeof info.label);
}

// Opens the session that stays logged in for the whole run: login is per
// token per process, so the worker threads' sessions share it.
Status open_main_session(Session& session, const Module& module, CK_SLOT_ID slot, const Options& options,
                         const std::optional<std::string>& pin) {
  if (Status s = session.open(module, slot, options.setup); !s.is_ok()) return s;
  if (!pin) {
    std::cerr << "ecert-bench: no PIN (--pin-file or ECERT_BENCH_PIN): private-key tests "
                 "will fail\n";
    return Status::ok();
  }
  Status s = session.login(*pin);
  if (s.kind() == Status::Kind::pkcs11 && s.rv() == CKR_USER_ALREADY_LOGGED_IN) return Status::ok();
  return s;
}

void measure_test(const TestCase& test, const Options& options, Report& report) {
  if (isatty(STDERR_FILENO)) std::cerr << "measuring " << test.info.id << "...\n";
  const Status checked = test.check();
  if (!checked.is_ok()) report_error(test.info.id + ": check", checked);
  for (unsigned threads : options.threads) {
    Row row;
    row.id = test.info.id;
    row.title = test.info.title;
    row.threads = threads;
    if (test.single_thread_only && threads > 1) {
      row.skipped = true;
      row.note = "run with 1 thread only: login state is per token";
      report.rows.push_back(row);
      continue;
    }
    row.module = checked.is_ok() ? measure(test.module, threads, options.seconds) : Measurement{checked};
    if (!row.module.status.is_ok() && checked.is_ok()) report_error(test.info.id + " module", row.module.status);
    if (test.limit) row.limit = measure(test.limit, threads, options.seconds);
    if (row.limit && !row.limit->status.is_ok()) report_error(test.info.id + " openssl", row.limit->status);
    report.rows.push_back(row);
  }
}

// Runs the selected tests; the login cycle gets the token logged out first,
// since C_Login on an already logged-in token fails.
void run_tests(const std::vector<TestCase>& tests, Session& main_session, const std::optional<std::string>& pin,
               const Options& options, Report& report) {
  for (const auto& test : tests) {
    if (!options.only.empty() && !options.only.count(test.info.id)) continue;
    const bool relogin = test.needs_logged_out && pin;
    if (relogin) {
      if (Status s = main_session.logout(); !s.is_ok()) report_error("logout", s);
    }
    measure_test(test, options, report);
    if (relogin) {
      if (Status s = main_session.login(*pin); !s.is_ok()) report_error("login again", s);
    }
  }
}

// Every worker closed its session, so only the main one may be left open.
bool sessions_clean(const Module& module, CK_SLOT_ID slot) {
  bool clean = true;
  if (module.live_sessions() != 1) {
    std::cerr << "ecert-bench: session leak: " << module.live_sessions() << " open, expected 1\n";
    clean = false;
  }
  CK_TOKEN_INFO info{};
  if (module.f()->C_GetTokenInfo(slot, &info) == CKR_OK && info.ulSessionCount != CK_UNAVAILABLE_INFORMATION &&
      info.ulSessionCount != 1) {
    std::cerr << "ecert-bench: token reports " << info.ulSessionCount << " open sessions, expected 1\n";
    clean = false;
  }
  return clean;
}

// All objects the session can see, which is what a search has to go through.
unsigned long count_objects(const Session& session) {
  std::vector<CK_OBJECT_HANDLE> objects;
  Status s = find_objects(session.f(), session.handle(), {}, objects);
  if (!s.is_ok()) report_error("counting objects", s);
  return objects.size();
}

bool all_ok(const Report& report) {
  for (const auto& row : report.rows) {
    if (row.skipped) continue;
    if (!row.module.status.is_ok() || (row.limit && !row.limit->status.is_ok())) return false;
  }
  return true;
}

void print_report(const Report& report, const Options& options) {
  if (options.json)
    print_json(std::cout, report);
  else
    print_table(std::cout, report);
  if (!options.json_out.empty()) {
    std::ofstream out(options.json_out);
    print_json(out, report);
    if (!out) std::cerr << "ecert-bench: cannot write " << options.json_out << "\n";
  }
}

int run_benchmark(const Module& module, CK_SLOT_ID slot, const Options& options) {
  std::string error;
  const std::optional<std::string> pin = read_pin(options, error);
  if (!error.empty()) {
    std::cerr << "ecert-bench: " << error << "\n";
    return 1;
  }
  Session main_session;
  if (Status s = open_main_session(main_session, module, slot, options, pin); !s.is_ok()) {
    report_error("opening the main session", s);
    return 1;
  }
  if (options.setup) {
    if (Status s = run_setup(main_session, options.objects); !s.is_ok()) {
      report_error("setup", s);
      return 1;
    }
  }
  const TokenKeys token_keys = load_token_keys(module.f(), main_session.handle());
  BaselineKeys baseline_keys;
  if (Status s = make_baseline_keys(baseline_keys); !s.is_ok()) {
    report_error("generating the OpenSSL baseline keys", s);
    return 1;
  }
  BenchContext context{&module, slot, &token_keys, &baseline_keys, pin, options.objects, 0};
  if (options.only.empty() || options.only.count("find")) context.token_objects = count_objects(main_session);
  Report report{options.module_path, token_label(module, slot), slot, options.seconds, {}};
  run_tests(make_tests(context), main_session, pin, options, report);

  const bool clean = sessions_clean(module, slot);
  print_report(report, options);
  return clean && all_ok(report) ? 0 : 2;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (std::string err = parse_options(argc, argv, options); !err.empty()) {
    std::cerr << "ecert-bench: " << err << "\n";
    print_usage(std::cerr);
    return 1;
  }
  if (options.help) {
    print_usage(std::cout);
    return 0;
  }
  Status status;
  const auto module = Module::load(options.module_path, status);
  if (!module) {
    report_error("loading " + options.module_path, status);
    return 1;
  }
  if (options.list_slots) return list_slots(*module);
  CK_SLOT_ID slot = 0;
  if (Status s = module->choose_slot(options.slot, slot); !s.is_ok()) {
    report_error("choosing a slot", s);
    return 1;
  }
  if (!options.change_pin_old_file.empty()) return change_pin(*module, slot, options);
  return run_benchmark(*module, slot, options);
}
