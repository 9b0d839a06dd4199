// The user's p11-kit module file for the token,
// $XDG_CONFIG_HOME/pkcs11/modules/ecert-token.module (format: pkcs11.conf(5)).
// Through it, every program that loads modules via p11-kit (GnuTLS,
// p11tool, p11-kit-proxy, ...) finds the module. It has the same name as the
// system-wide file a package installs, so while it exists it takes that
// file's place for this user (p11-kit merges user and system module files by
// name). p11-kit ignores user files in programs running as root or setuid.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace ecert::manager {

// Where the file goes for a user whose config directory is `config_home`.
std::filesystem::path p11kit_module_file_path(const std::filesystem::path& config_home);

// The file's text: the module, `critical: no` (a token that fails to load
// must not stop p11-kit loading the other modules), and, unless
// `disabled_in` is empty, `disable-in:` with those program names (the base
// names of executables, as p11-kit matches them).
std::string p11kit_module_file_text(const std::filesystem::path& module, const std::vector<std::string>& disabled_in);

// The file's text, or nothing when there is no file. Throws
// std::system_error when it exists but cannot be read.
std::optional<std::string> read_p11kit_module_file(const std::filesystem::path& file);

// The `module:` value of a module file's text; empty when it has none.
// Throws std::runtime_error when the text is not in pkcs11.conf(5) format.
std::filesystem::path p11kit_module_of(const std::string& text);

// Writes `text` as the file, creating its directories, replacing any earlier
// file in one step (a reader sees the old or the new file, never half of
// one). Mode 0644, as module files are not secret. Throws std::system_error.
void write_p11kit_module_file(const std::filesystem::path& file, const std::string& text);

// Deletes the file. True when there was one. Throws std::system_error.
bool remove_p11kit_module_file(const std::filesystem::path& file);

}  // namespace ecert::manager
