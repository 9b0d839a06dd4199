// Finding the module's tokens: the slot IDs of the token-<slot>.sqlite files
// in the token directory (read through the descriptor that passed the
// directory check; none at all if it fails), the path of a slot's file, and
// the directory made (0700, then checked) when the first token is made.
#include "store/token_directory.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "common/error.h"
#include "common/token_location.h"
#include "store/file_checks.h"

namespace ecert::store {
namespace {
constexpr const char* kPrefix = "token-";
constexpr const char* kSuffix = ".sqlite";

// Parses "token-<digits>.sqlite"; anything else in the directory is not ours.
std::optional<CK_SLOT_ID> parse_name(const char* name) {
  std::size_t n = std::strlen(name), p = std::strlen(kPrefix), s = std::strlen(kSuffix);
  if (n <= p + s || std::strncmp(name, kPrefix, p) != 0 || std::strcmp(name + n - s, kSuffix) != 0) return {};
  std::string digits(name + p, n - p - s);
  if (digits.size() > 9 || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return {};
  if (digits.size() > 1 && digits[0] == '0') return {};
  return static_cast<CK_SLOT_ID>(std::stoul(digits));
}
}  // namespace

std::string token_directory() { return token_directory_path(); }

void ensure_token_directory(const std::string& dir) {
  for (std::size_t pos = 1; pos <= dir.size(); ++pos) {
    if (pos != dir.size() && dir[pos] != '/') continue;
    std::string part = dir.substr(0, pos);
    if (::mkdir(part.c_str(), 0700) != 0 && errno != EEXIST) fail(CKR_DEVICE_ERROR, "mkdir token dir");
  }
  Descriptor checked;
  if (open_trusted_directory(dir, checked) != FileFault::none) fail(CKR_DEVICE_ERROR, "token dir not trusted");
}

std::string token_path(const std::string& dir, CK_SLOT_ID slot) {
  return dir + "/" + kPrefix + std::to_string(slot) + kSuffix;
}

std::optional<std::vector<CK_SLOT_ID>> list_token_slots(const std::string& dir) {
  std::vector<CK_SLOT_ID> out;
  Descriptor checked;
  FileFault fault = open_trusted_directory(dir, checked);
  if (fault == FileFault::missing) return out;
  if (fault != FileFault::none) return std::nullopt;
  // Listed through the descriptor that was checked, not the name again.
  DIR* d = ::fdopendir(checked.get());
  if (d == nullptr) return std::nullopt;
  checked.release();  // closedir() closes it
  while (struct dirent* e = ::readdir(d)) {
    if (auto slot = parse_name(e->d_name)) out.push_back(*slot);
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace ecert::store
