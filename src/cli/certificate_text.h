// How the CLI shows certificates on a token (`certs`, `show`): text for a
// person, in the user's language, and the same facts as JSON.
#pragma once

#include <string>
#include <vector>

#include "cli/context.h"
#include "manager/token_certificates.h"

namespace ecert::cli {

// `entries` as `certs` lists them: one short entry each.
Json certificates_json(const std::vector<manager::CertificateEntry>& entries);
std::string certificates_text(const std::vector<manager::CertificateEntry>& entries);
// One certificate in full (`show`); `all` is the list its chain indexes.
Json entry_json(const std::vector<manager::CertificateEntry>& all, const manager::CertificateEntry& e, bool full);
std::string entry_text(const std::vector<manager::CertificateEntry>& all, const manager::CertificateEntry& e);

}  // namespace ecert::cli
