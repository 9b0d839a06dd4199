// Presenting results: a plain text table for people, JSON for scripts.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "timing.h"

struct Row {
  std::string id;
  std::string title;
  unsigned threads = 1;
  bool skipped = false;  // not measured at this thread count
  Measurement module;
  std::optional<Measurement> limit;  // nullopt: no OpenSSL counterpart
  std::string note;
};

struct Report {
  std::string module_path;
  std::string token_label;
  unsigned long slot = 0;
  double seconds = 0;
  std::vector<Row> rows;
};

void print_table(std::ostream& out, const Report& report);
// One result object per line, so that shell tools can pick results apart
// without a JSON parser (run-comparison.sh relies on this).
void print_json(std::ostream& out, const Report& report);
