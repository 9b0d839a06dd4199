#!/usr/bin/env bash
# check-includes.sh SOURCE_DIR: fails when a layer reaches past the one below
# it (docs/DESIGN.md, "Layers"). Checked so far:
#   src/token  uses OpenSSL only through src/crypto and SQLite and the
#              sealing only through the store's operations and its Vault:
#              no <openssl/...>, no crypto/ossl_*.h, no <sqlite3.h> or
#              sqlite3_*, no store/database.h or store/sealing.h.
#   src/policy uses src/common only (the manager and the token both link it).
#   src/manager, src/cli (and src/gui when it comes) include src/common,
#              src/policy and themselves only: never the module's layers
#              (token, store, crypto, pkcs11), so they work over any
#              PKCS#11 module.
set -euo pipefail
src="$1/src"
status=0
forbid() {
  local dir=$1 pattern=$2 why=$3 hits
  hits=$(grep -rnE "$pattern" "$src/$dir" --include='*.cpp' --include='*.h' || true)
  if [[ -n $hits ]]; then
    echo "FAIL: src/$dir $why:"
    echo "$hits" | sed "s|$src/|  src/|"
    status=1
  fi
}
forbid token '#include <openssl/|#include "crypto/ossl_' "includes OpenSSL (use a src/crypto function)"
forbid token '#include <sqlite3\.h>|sqlite3_' "uses SQLite (use a TokenStore operation)"
forbid token '#include "store/(database|sealing)\.h"' "reaches into the store (use TokenStore and the Vault)"
forbid policy '#include "(token|store|crypto|pkcs11|manager|cli|gui)/' "reaches past src/common"
for front in manager cli gui; do
  [[ -d $src/$front ]] || continue
  forbid "$front" '#include "(token|store|crypto|pkcs11)/' "includes the module's layers (use src/common or src/policy)"
done
[[ $status -eq 0 ]] && echo "layers: every include rule holds"
exit "$status"
