#include "options.h"

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "bench_tests.h"

namespace {

bool parse_unsigned(const std::string& text, unsigned long& value) {
  if (text.empty() || text[0] == '-') return false;
  char* end = nullptr;
  errno = 0;
  value = std::strtoul(text.c_str(), &end, 0);  // base 0: slot ids are often hex
  return errno == 0 && *end == '\0';
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    if (!item.empty()) items.push_back(item);
  }
  return items;
}

std::string parse_threads(const std::string& text, std::vector<unsigned>& threads) {
  threads.clear();
  for (const auto& item : split_list(text)) {
    unsigned long n = 0;
    if (!parse_unsigned(item, n) || n == 0 || n > 256) return "bad thread count: " + item;
    threads.push_back(static_cast<unsigned>(n));
  }
  return threads.empty() ? "--threads needs at least one count" : "";
}

std::string parse_only(const std::string& text, std::set<std::string>& only) {
  for (const auto& item : split_list(text)) {
    bool known = false;
    for (const auto& test : all_tests()) known = known || test.id == item;
    if (!known) return "unknown test '" + item + "' (see --help)";
    only.insert(item);
  }
  return "";
}

std::string parse_seconds(const std::string& text, double& seconds) {
  char* end = nullptr;
  seconds = std::strtod(text.c_str(), &end);
  return (*end == '\0' && seconds > 0 && seconds <= 3600) ? "" : "bad --seconds: " + text;
}

std::string parse_objects(const std::string& text, unsigned& objects) {
  unsigned long n = 0;
  // Labels carry five digits.
  if (!parse_unsigned(text, n) || n < 1 || n > 100000) return "bad --objects: " + text;
  objects = static_cast<unsigned>(n);
  return "";
}

struct Explicit {
  bool seconds = false, objects = false;
};

// Handles one option that takes a value; returns an error, empty on success.
std::string apply_valued(const std::string& name, const std::string& value, Options& o, Explicit& given) {
  if (name == "--module") {
    o.module_path = value;
  } else if (name == "--pin-file") {
    o.pin_file = value;
  } else if (name == "--json-out") {
    o.json_out = value;
  } else if (name == "--threads") {
    return parse_threads(value, o.threads);
  } else if (name == "--only") {
    return parse_only(value, o.only);
  } else if (name == "--seconds") {
    given.seconds = true;
    return parse_seconds(value, o.seconds);
  } else if (name == "--objects") {
    given.objects = true;
    return parse_objects(value, o.objects);
  } else if (name == "--slot") {
    unsigned long n = 0;
    if (!parse_unsigned(value, n)) return "bad --slot: " + value;
    o.slot = n;
  } else {
    return "unknown option " + name;
  }
  return "";
}

bool apply_flag(const std::string& name, Options& o, bool& smoke) {
  if (name == "--json") {
    o.json = true;
  } else if (name == "--setup") {
    o.setup = true;
  } else if (name == "--smoke") {
    smoke = true;
  } else if (name == "--list-slots") {
    o.list_slots = true;
  } else if (name == "--help" || name == "-h") {
    o.help = true;
  } else {
    return false;
  }
  return true;
}

}  // namespace

std::string parse_options(int argc, char** argv, Options& o) {
  Explicit given;
  bool smoke = false;
  for (int i = 1; i < argc; ++i) {
    std::string name = argv[i], value;
    const auto eq = name.find('=');
    const bool inline_value = name.rfind("--", 0) == 0 && eq != std::string::npos;
    if (inline_value) {
      value = name.substr(eq + 1);
      name.resize(eq);
    }
    if (!inline_value && apply_flag(name, o, smoke)) continue;
    if (name == "--change-pin-from-file") {
      if (i + 2 >= argc) return "--change-pin-from-file needs OLDFILE NEWFILE";
      o.change_pin_old_file = argv[++i];
      o.change_pin_new_file = argv[++i];
      continue;
    }
    if (!inline_value) {
      if (i + 1 >= argc) return name + " needs a value";
      value = argv[++i];
    }
    if (std::string err = apply_valued(name, value, o, given); !err.empty()) return err;
  }
  // --smoke only fills in what was not asked for explicitly.
  if (smoke && !given.seconds) o.seconds = 0.05;
  if (smoke && !given.objects) o.objects = 200;
  if (!o.help && o.module_path.empty()) return "--module PATH is required";
  return "";
}

void print_usage(std::ostream& out) {
  out << "usage: ecert-bench --module PATH [options]\n"
         "  --slot N            slot id (default: first slot with an initialised token)\n"
         "  --pin-file FILE     user PIN, first line of FILE (else $ECERT_BENCH_PIN)\n"
         "  --threads LIST      thread counts, e.g. 1,2 (default 1,2)\n"
         "  --seconds S         time per measurement (default 2)\n"
         "  --objects N         data objects for the find test (default 10000)\n"
         "  --only LIST         run only these tests\n"
         "  --json              print JSON instead of the table\n"
         "  --json-out FILE     also write the JSON to FILE\n"
         "  --setup             create missing keys and data objects first\n"
         "  --smoke             quick CI pass: --seconds 0.05 --objects 200\n"
         "  --list-slots        print \"<slot id> initialized|uninitialized|empty <label>\"\n"
         "  --change-pin-from-file OLDFILE NEWFILE\n"
         "                      C_SetPIN from a session that is not logged in, then exit\n"
         "tests:";
  for (const auto& test : all_tests()) out << " " << test.id;
  out << "\nexit status: 0 all measured, 1 could not run, 2 some operation failed\n";
}

bool read_secret_file(const std::string& path, std::string& secret) {
  std::ifstream in(path);
  if (!in || !std::getline(in, secret)) return false;
  if (!secret.empty() && secret.back() == '\r') secret.pop_back();
  return true;
}

std::optional<std::string> read_pin(const Options& options, std::string& error) {
  error.clear();
  if (!options.pin_file.empty()) {
    std::string pin;
    if (read_secret_file(options.pin_file, pin)) return pin;
    error = "cannot read PIN file " + options.pin_file;
    return std::nullopt;
  }
  if (const char* env = std::getenv("ECERT_BENCH_PIN")) return std::string(env);
  return std::nullopt;
}
