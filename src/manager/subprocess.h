// Running a helper program (NSS's modutil and certutil) and collecting what it
// printed. No shell is involved: the arguments go to the program exactly as
// given, so paths with spaces or quotes need no escaping. Nothing secret may
// be passed this way: arguments are visible to every user in /proc.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace ecert::manager {

struct ProcessOutput {
  int exit_code = 0;  // the program's exit status, or 128 + signal number when a signal ended it
  std::string out;    // everything written to standard output
  std::string err;    // everything written to standard error
};

// Runs argv[0] (looked up in PATH unless it contains a slash) with `argv` as
// its arguments, standard input from /dev/null (so a prompt can never wait)
// and the caller's environment, where each of `env_overrides` (name, value)
// replaces or adds one variable. Everything else, LD_PRELOAD included, passes
// through unchanged. Waits until the program has ended.
// Throws std::system_error when the program cannot be started; its code is
// std::errc::no_such_file_or_directory when the program does not exist.
// A program that runs and fails is not an exception: see exit_code.
ProcessOutput run_program(const std::vector<std::string>& argv,
                          const std::vector<std::pair<std::string, std::string>>& env_overrides = {});

}  // namespace ecert::manager
