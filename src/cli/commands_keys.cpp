// Commands that put keys and certificates on the token (import, keygen, csr,
// import-cert): registered once the manager's PKCS#12 import lands.
#include "cli/context.h"
namespace ecert::cli {
void add_key_commands(CLI::App&, Context&) {}
}
