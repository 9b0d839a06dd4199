#!/usr/bin/env bash
# Benchmarks ecert-token against SoftHSMv2, each on a fresh throwaway token,
# and both against in-process OpenSSL (the limit for a software token).
#
# usage: bench/run-comparison.sh [PATH/libecert-pkcs11.so] [ecert-bench options]
#   bench/run-comparison.sh build/src/libecert-pkcs11.so --seconds 0.5
#   bench/run-comparison.sh --smoke          # SoftHSMv2 only
#
# Environment:
#   ECERT_BENCH     the ecert-bench binary (default: build*/bench/ecert-bench)
#   SOFTHSM_MODULE  default /usr/lib/softhsm/libsofthsm2.so
#
# Exit status: 0 when both runs completed and ecert-token had no errors
# (SoftHSMv2 2.6 lacks OAEP-SHA256 and ECDSA_SHA256; those errors are expected),
# 1 when something could not be set up or run, 2 when ecert-token reported errors.
set -euo pipefail

# Test credentials for tokens that live only as long as this script.
readonly SO_PIN='Bench-SO#2026'
readonly USER_PIN='Bench-User#2026'
# The PIN the user sets after the SO-assigned one, which ecert-token expires.
readonly OWN_PIN='Bench-Own#2026'

die() { echo "run-comparison: $*" >&2; exit 1; }

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_dir=$(dirname "$script_dir")

ecert_module=
if [[ $# -gt 0 && $1 != -* ]]; then
  [[ -f $1 ]] || die "no such module: $1"
  ecert_module=$(realpath -s "$1")
  shift
fi
bench_args=("$@")
softhsm_module=${SOFTHSM_MODULE:-/usr/lib/softhsm/libsofthsm2.so}
[[ -f $softhsm_module ]] || die "SoftHSMv2 module not found at $softhsm_module"

find_bench() {
  if [[ -n ${ECERT_BENCH:-} ]]; then echo "$ECERT_BENCH"; return; fi
  local candidate
  for candidate in "$repo_dir"/build/bench/ecert-bench "$repo_dir"/build*/bench/ecert-bench; do
    if [[ -x $candidate ]]; then echo "$candidate"; return; fi
  done
  command -v ecert-bench || true
}
bench=$(find_bench)
[[ -n $bench && -x $bench ]] ||
  die "ecert-bench not found: build it (cmake --build build --target ecert-bench)" \
    "or set ECERT_BENCH"

umask 077 # PIN files and token stores are for our eyes only
work=$(mktemp -d "${TMPDIR:-/tmp}/ecert-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Runs a setup command, showing its output only if it fails. The command line
# is not echoed: it may carry a PIN.
quiet() {
  local what=$1
  shift
  if ! "$@" >"$work/step.log" 2>&1; then
    cat "$work/step.log" >&2
    die "$what failed"
  fi
}

write_pin() { printf '%s\n' "$2" >"$1" && chmod 600 "$1"; }

setup_softhsm() {
  mkdir -p "$work/softhsm/tokens"
  cat >"$work/softhsm/softhsm2.conf" <<CONF
directories.tokendir = $work/softhsm/tokens
objectstore.backend = file
log.level = ERROR
slots.removable = false
CONF
  export SOFTHSM2_CONF=$work/softhsm/softhsm2.conf
  quiet "softhsm2-util --init-token" softhsm2-util --init-token --free --label bench \
    --so-pin "$SO_PIN" --pin "$USER_PIN"
  write_pin "$work/softhsm/user.pin" "$USER_PIN"
}

# ecert-token shows a spare uninitialised slot in an empty token directory;
# C_InitToken there makes the token. setup_ecert DIR [KDF]: KDF "test" gives
# the cheap test cost (the module's own cost is measured), none the cost a
# real token is calibrated to.
setup_ecert() {
  export ECERT_TOKEN_DIR=$1
  if [[ -n ${2:-} ]]; then export ECERT_TOKEN_KDF=$2; else unset ECERT_TOKEN_KDF; fi
  mkdir -p -m 700 "$ECERT_TOKEN_DIR"  # the module refuses a directory others may write
  local slot
  slot=$("$bench" --module "$ecert_module" --list-slots |
    awk '$2 == "uninitialized" { print $1; exit }')
  [[ -n $slot ]] || die "ecert-token shows no uninitialised slot"
  quiet "pkcs11-tool --init-token" pkcs11-tool --module "$ecert_module" --init-token \
    --slot "$slot" --label bench --so-pin "$SO_PIN"
  quiet "pkcs11-tool --init-pin" pkcs11-tool --module "$ecert_module" --token-label bench \
    --init-pin --login --login-type so --so-pin "$SO_PIN" --new-pin "$USER_PIN"
  # A PIN set by the SO must be changed before C_Login accepts it, and
  # pkcs11-tool --change-pin logs in first; C_SetPIN without login does it.
  write_pin "$work/ecert-token.so-set.pin" "$USER_PIN"
  write_pin "$work/ecert-token.user.pin" "$OWN_PIN"
  quiet "ecert-bench --change-pin-from-file" "$bench" --module "$ecert_module" \
    --change-pin-from-file "$work/ecert-token.so-set.pin" "$work/ecert-token.user.pin"
}

# Runs one module; 0 = clean, 2 = some operations failed, anything else is fatal.
run_bench() {
  local name=$1 module=$2 pin_file=$3 rc=0
  echo "=== $name: $module"
  "$bench" --module "$module" --pin-file "$pin_file" --setup \
    --json-out "$work/$name.json" "${bench_args[@]}" || rc=$?
  echo
  [[ $rc -eq 0 || $rc -eq 2 ]] || die "ecert-bench on $name exited with $rc"
  return "$rc"
}

# Joins the two JSON reports (one result per line, see report.h) into one table.
combined_table() {
  awk '
    function field(line, key,    at, rest, end) {
      at = index(line, "\"" key "\": ")
      if (!at) return ""
      rest = substr(line, at + length(key) + 4)
      if (substr(rest, 1, 1) == "\"") {
        rest = substr(rest, 2)
        return substr(rest, 1, index(rest, "\"") - 1)
      }
      end = match(rest, /[,}]/)
      return substr(rest, 1, end - 1)
    }
    function cell(rate, err,    code) {
      if (rate != "null") return rate
      if (err == "null") return "-"
      if (match(err, /: 0x[0-9A-F]+ /)) {
        code = substr(err, RSTART + 4, RLENGTH - 5)
        sub(/^0+/, "", code)
        return "error 0x" (code == "" ? "0" : code)
      }
      return "error"
    }
    function ratio(a, b) {
      if (a == "" || a == "null" || b == "" || b == "null" || b + 0 == 0) return "n/a"
      return sprintf("%.3f", a / b)
    }
    !/"op": / { next }
    {
      key = field($0, "op") "|" field($0, "threads")
      rate = field($0, "module_ops_per_s")
      shown = cell(rate, field($0, "module_error"))
    }
    FNR == NR {
      order[++n] = key; title[key] = field($0, "title"); soft[key] = rate; soft_cell[key] = shown
      next
    }
    { ecert[key] = rate; ecert_cell[key] = shown; limit[key] = field($0, "openssl_ops_per_s") }
    END {
      printf "%-36s %7s %14s %14s %14s %9s %9s\n", "operation", "threads", "softhsm ops/s",
             "ecert ops/s", "openssl ops/s", "ecert/shm", "ecert/ssl"
      for (i = 1; i <= n; i++) {
        k = order[i]
        split(k, parts, "|")
        printf "%-36s %7s %14s %14s %14s %9s %9s\n", title[k], parts[2], soft_cell[k],
               (k in ecert_cell) ? ecert_cell[k] : "-",
               (k in limit && limit[k] != "null") ? limit[k] : "n/a",
               ratio(ecert[k], soft[k]), ratio(ecert[k], limit[k])
      }
    }' "$work/softhsm.json" "$work/ecert-token.json"
}

setup_softhsm
if [[ -n $ecert_module ]]; then setup_ecert "$work/ecert-token" test; fi

run_bench softhsm "$softhsm_module" "$work/softhsm/user.pin" || true # 2: expected, see above
if [[ -z $ecert_module ]]; then
  echo "(no ecert-token module given: SoftHSMv2 only)"
  exit 0
fi
ecert_rc=0
run_bench ecert-token "$ecert_module" "$work/ecert-token.user.pin" || ecert_rc=$?

echo "=== combined (openssl column and ecert/ssl from the ecert-token run)"
combined_table

# The rows above use test tokens; a person's token costs what its Argon2
# calibration chose (about 0.25 s per derivation, see docs/DESIGN.md).
echo
echo "=== ecert-token login with the calibrated Argon2 cost of a real token"
setup_ecert "$work/ecert-token-calibrated"
"$bench" --module "$ecert_module" --pin-file "$work/ecert-token.user.pin" "${bench_args[@]}" \
  --only login-cycle --threads 1 || ecert_rc=$?
[[ $ecert_rc -eq 0 ]] || exit 2
