// Command line of ecert-bench. PINs are never taken from argv: only from a
// file or the environment, so they do not show up in `ps`.
#pragma once

#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

struct Options {
  std::string module_path;
  std::optional<unsigned long> slot;
  std::string pin_file;
  std::vector<unsigned> threads{1, 2};
  double seconds = 2.0;
  unsigned objects = 10000;
  std::set<std::string> only;
  bool json = false;
  std::string json_out;
  bool setup = false;
  bool list_slots = false;
  std::string change_pin_old_file, change_pin_new_file;
  bool help = false;
};

// Returns an error message, empty on success.
std::string parse_options(int argc, char** argv, Options& options);
void print_usage(std::ostream& out);

// The PIN from --pin-file, else from $ECERT_BENCH_PIN, else nothing.
// Sets `error` if the file cannot be read.
std::optional<std::string> read_pin(const Options& options, std::string& error);
// First line of a file, without its line ending.
bool read_secret_file(const std::string& path, std::string& secret);
