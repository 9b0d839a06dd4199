// The user's p11-kit module file (what it is for: p11kit_module_file.h): its
// text (the module path, critical: no, and under disable-in: the browsers that
// load the module themselves), the module path read back from an existing
// file, and the file replaced whole (written to a temporary file, synced,
// renamed) so that a program loading modules meanwhile never reads half of it.
#include "manager/p11kit_module_file.h"

#include <INIReader.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>

namespace ecert::manager {
namespace {

[[noreturn]] void throw_errno(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

void write_all(int fd, const std::string& text, const std::string& path) {
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno(path);
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace

std::filesystem::path p11kit_module_file_path(const std::filesystem::path& config_home) {
  return config_home / "pkcs11" / "modules" / "ecert-token.module";
}

std::string p11kit_module_file_text(const std::filesystem::path& module, const std::vector<std::string>& disabled_in) {
  std::string text =
      "# Written by `ecert-token browser install`, removed by `ecert-token browser remove`.\n"
      "module: " +
      module.string() +
      "\n"
      "critical: no\n";
  if (!disabled_in.empty()) {
    // Browsers that load the module themselves would otherwise show every
    // token twice when they also load p11-kit-proxy.
    text += "disable-in:";
    for (const std::string& program : disabled_in) text += " " + program;
    text += "\n";
  }
  return text;
}

std::optional<std::string> read_p11kit_module_file(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::exists(std::filesystem::symlink_status(file, ec))) {
    if (ec && ec != std::errc::no_such_file_or_directory) throw std::system_error(ec, file.string());
    return std::nullopt;
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) throw_errno(file.string());
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw std::system_error(EIO, std::generic_category(), file.string());
  return text.str();
}

std::filesystem::path p11kit_module_of(const std::string& text) {
  // pkcs11.conf(5) is "name: value" lines and # comments outside any section,
  // which inih reads as the unnamed section.
  INIReader reader(text.data(), text.size());
  if (reader.ParseError() != 0) throw std::runtime_error("line " + std::to_string(reader.ParseError()));
  return reader.Get("", "module", "");
}

void write_p11kit_module_file(const std::filesystem::path& file, const std::string& text) {
  std::filesystem::create_directories(file.parent_path());
  const std::string temp = file.string() + ".tmp-" + std::to_string(::getpid());
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) throw_errno(temp);
  try {
    if (::fchmod(fd, 0644) != 0) throw_errno(temp);  // whatever the umask
    write_all(fd, text, temp);
    if (::fsync(fd) != 0) throw_errno(temp);
    if (::close(fd) != 0) {
      fd = -1;
      throw_errno(temp);
    }
    fd = -1;
    if (::rename(temp.c_str(), file.c_str()) != 0) throw_errno(file.string());
  } catch (...) {
    if (fd >= 0) ::close(fd);
    ::unlink(temp.c_str());
    throw;
  }
}

bool remove_p11kit_module_file(const std::filesystem::path& file) { return std::filesystem::remove(file); }

}  // namespace ecert::manager
