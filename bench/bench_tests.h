// The catalogue of measured operations: for each, how to run it on the
// module, how to run its OpenSSL counterpart, and a one-off correctness check.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "module_loader.h"
#include "openssl_baseline.h"
#include "timing.h"
#include "token_keys.h"

struct TestInfo {
  std::string id;     // what --only takes
  std::string title;  // what the table shows
};

const std::vector<TestInfo>& all_tests();

struct BenchContext {
  const Module* module = nullptr;
  CK_SLOT_ID slot = 0;
  const TokenKeys* token_keys = nullptr;
  const BaselineKeys* baseline_keys = nullptr;
  std::optional<std::string> pin;
  unsigned objects = 0;             // --objects: picks the label the find test looks for
  unsigned long token_objects = 0;  // objects the find test actually searches through
};

struct TestCase {
  TestInfo info;
  // Login state is per token: running this on several threads at once would
  // measure threads logging each other out.
  bool single_thread_only = false;
  // Needs the token logged out while it runs (it logs in by itself).
  bool needs_logged_out = false;
  // One module call whose output is verified, so the timing is not of garbage.
  std::function<Status()> check;
  PrepareFn module;
  PrepareFn limit;  // empty when OpenSSL has no counterpart
};

// `context` and what it points to must outlive the returned tests.
std::vector<TestCase> make_tests(const BenchContext& context);
