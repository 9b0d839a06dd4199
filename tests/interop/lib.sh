# shellcheck shell=bash
# Shared helpers for the e-Cert token interoperability tests.
# Sourced by the *_test.sh scripts next to it; not meant to be run by itself.
#
# Every test takes the PKCS#11 module to test as its first argument and
# understands these environment variables:
#
#   ECERT_INTEROP_PEER    "ecert" (default) or "softhsm": the kind of module.
#                         The checks are written for libecert-pkcs11.so; with
#                         "softhsm" the few checks of behaviour SoftHSMv2 does
#                         not have are reported as SKIPPED (must-change
#                         envelope PIN, fixed slot IDs 0/1, ...) and a private
#                         SOFTHSM2_CONF is written into the test's temp dir.
#                         When unset, a module file name containing "softhsm"
#                         selects "softhsm".
#   ECERT_INTEROP_TIMEOUT seconds allowed for each peer command (default 60).
#   ECERT_INTEROP_KEEP=1  keep the temporary directory (debugging only).
#   ECERT_INTEROP_SPY_LOG file name: load the module through OpenSC's
#                         pkcs11-spy.so and log every PKCS#11 call there.
#   ECERT_INTEROP_P11TOOL_UNDER_ASAN=1  run p11tool_test.sh even with the ASan
#                         runtime in LD_PRELOAD (p11tool then hangs at exit).
#
# Exit status of a test: 0 all checks passed, 1 a check failed (the message
# "FAILED CHECK: ..." names it), 2 usage error, 77 the test cannot run here:
# a peer program is missing, or p11tool under ASan (CTest: "Skipped").
# Checks that cannot apply (SoftHSM lacks the behaviour, a peer's own bug
# under ASan) print "SKIPPED: ..." and are listed again at the end.
#
# Reproduce against SoftHSMv2:
#   ECERT_INTEROP_PEER=softhsm tests/interop/pkcs11_tool_test.sh /usr/lib/softhsm/libsofthsm2.so

set -euo pipefail

EI_NAME=$(basename "$0" .sh)
EI_LIBDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
EI_TIMEOUT=${ECERT_INTEROP_TIMEOUT:-60}
EI_PYTHON=/usr/bin/python3
[ -x "$EI_PYTHON" ] || EI_PYTHON=python3
EI_PASSED=0
EI_SKIPPED=()
EI_TMP=""
EI_RUNS=0
EI_RC=0
EI_LOG=""
EI_OUT=""
EI_SLOT=""

# ---------------------------------------------------------------- reporting

ei_say() { printf '\n=== [%s] %s\n' "$EI_NAME" "$*"; }

ei_ok() {
	EI_PASSED=$((EI_PASSED + 1))
	printf '[%s] ok: %s\n' "$EI_NAME" "$*"
}

# ei_fail CHECK [DETAIL...]: report the failed check and stop the test.
ei_fail() {
	local check=$1 line
	shift
	{
		printf '\n[%s] FAILED CHECK: %s\n' "$EI_NAME" "$check"
		for line in "$@"; do printf '    %s\n' "$line"; done
	} >&2
	exit 1
}

# ei_skip TEXT: a check that cannot apply here (peer module kind, host bug);
# TEXT says which check and why.
ei_skip() {
	EI_SKIPPED+=("$*")
	printf '[%s] SKIPPED: %s\n' "$EI_NAME" "$*"
}

# ei_asan_preloaded: the ASan runtime is preloaded into the peers (sanitizer build).
ei_asan_preloaded() {
	case "${LD_PRELOAD:-}" in *asan*) return 0 ;; esac
	return 1
}

ei_finish() {
	local s
	printf '\n[%s] PASSED: %d checks passed against %s (peer kind: %s)\n' \
		"$EI_NAME" "$EI_PASSED" "$EI_MODULE" "$EI_PEER"
	for s in "${EI_SKIPPED[@]+"${EI_SKIPPED[@]}"}"; do
		printf '[%s]   skipped: %s\n' "$EI_NAME" "$s"
	done
	exit 0
}

ei_require_programs() {
	local p
	for p in "$@"; do
		if ! command -v "$p" >/dev/null 2>&1; then
			printf '[%s] required program "%s" is not installed; cannot run this test\n' \
				"$EI_NAME" "$p" >&2
			exit 77
		fi
	done
}

# ---------------------------------------------------------- running peers

ei_quote() {
	local out="" a
	for a in "$@"; do out+=" $(printf '%q' "$a")"; done
	printf '%s' "${out# }"
}

# ei_run NAME CMD...: print and run CMD under a timeout, stdin from /dev/null.
# Its stdout goes to $EI_OUT, stderr to $EI_OUT.err, both to $EI_LOG; the
# exit status to $EI_RC. Never stops the test by itself.
ei_run() {
	local name=$1 base
	shift
	EI_RUNS=$((EI_RUNS + 1))
	base=$(printf '%s/run%02d-%s' "$EI_TMP" "$EI_RUNS" "$name")
	EI_OUT=$base.out
	EI_LOG=$base.log
	printf '+ %s\n' "$(ei_quote "$@")"
	EI_RC=0
	timeout -k 5 "$EI_TIMEOUT" "$@" </dev/null >"$EI_OUT" 2>"$EI_OUT.err" || EI_RC=$?
	cat "$EI_OUT" "$EI_OUT.err" >"$EI_LOG"
	sed 's/^/    | /' "$EI_LOG"
	if [ "$EI_RC" -eq 124 ] || [ "$EI_RC" -eq 137 ]; then
		printf '    (killed: no result within %ss)\n' "$EI_TIMEOUT"
	elif [ "$EI_RC" -ne 0 ]; then
		printf '    (exit status %d)\n' "$EI_RC"
	fi
}

# ei_fail_log CHECK MESSAGE FILE [LINES]: fail, showing the end of FILE.
ei_fail_log() {
	local -a lines
	mapfile -t lines < <(tail -n "${4:-20}" "$3" | sed 's/^/| /')
	ei_fail "$1" "$2" "last output ($3):" "${lines[@]+"${lines[@]}"}"
}

# ei_check_rc0 CHECK: the last ei_run must have exited with status 0.
ei_check_rc0() {
	if [ "$EI_RC" -ne 0 ]; then
		local why="exit status $EI_RC"
		if [ "$EI_RC" -eq 124 ] || [ "$EI_RC" -eq 137 ]; then why="timed out after ${EI_TIMEOUT}s"; fi
		ei_fail_log "$1" "command failed ($why)" "$EI_LOG"
	fi
	ei_ok "$1"
}

# ei_check_refused CHECK: the last ei_run must have failed (but not hung).
ei_check_refused() {
	if [ "$EI_RC" -eq 0 ]; then
		ei_fail "$1" "the command succeeded but it must have been refused"
	fi
	if [ "$EI_RC" -eq 124 ] || [ "$EI_RC" -eq 137 ]; then
		ei_fail "$1" "the command hung (timed out after ${EI_TIMEOUT}s) instead of failing"
	fi
	ei_ok "$1"
}

# ei_check_has CHECK TEXT [FILE]: FILE (default: last run's output) contains TEXT.
ei_check_has() {
	local file=${3:-$EI_LOG}
	if ! grep -qF -- "$2" "$file"; then
		ei_fail_log "$1" "expected output text not found: $2" "$file"
	fi
	ei_ok "$1"
}

# ei_check_match CHECK ERE [FILE]: a line of FILE matches the extended regex.
ei_check_match() {
	local file=${3:-$EI_LOG}
	if ! grep -qE -- "$2" "$file"; then
		ei_fail_log "$1" "no output line matches: $2" "$file"
	fi
	ei_ok "$1"
}

# ei_check_lacks CHECK TEXT [FILE]: FILE must not contain TEXT.
ei_check_lacks() {
	local file=${3:-$EI_LOG}
	if grep -qF -- "$2" "$file"; then
		ei_fail "$1" "unexpected output text found: $2" "$(grep -F -- "$2" "$file" | head -n 3)"
	fi
	ei_ok "$1"
}

# ei_must NAME CHECK CMD...: run CMD, which must succeed.
ei_must() {
	local name=$1 check=$2
	shift 2
	ei_run "$name" "$@"
	ei_check_rc0 "$check"
}

ei_files_equal() {
	cmp -s -- "$2" "$3" || ei_fail "$1" "files differ: $2 $3"
	ei_ok "$1"
}

# ----------------------------------------------------------------- set-up

ei_cleanup() {
	local rc=$?
	if [ -n "$EI_TMP" ] && [ -d "$EI_TMP" ]; then
		if [ "${ECERT_INTEROP_KEEP:-0}" = 1 ]; then
			printf '[%s] keeping %s (ECERT_INTEROP_KEEP=1; it holds test PINs)\n' "$EI_NAME" "$EI_TMP" >&2
		else
			rm -rf -- "$EI_TMP"
		fi
	fi
	if [ "$rc" -eq 77 ]; then
		printf '[%s] SKIPPED (exit status 77)\n' "$EI_NAME" >&2
	elif [ "$rc" -ne 0 ]; then
		printf '[%s] FAILED (exit status %d)\n' "$EI_NAME" "$rc" >&2
	fi
	return "$rc"
}

# ei_setup MODULE: temp dir, token directory, peer kind, module loading.
ei_setup() {
	if [ $# -lt 1 ] || [ -z "$1" ]; then
		printf 'usage: %s PATH/TO/PKCS11-MODULE.so\n' "$0" >&2
		exit 2
	fi
	ei_require_programs pkcs11-tool openssl timeout realpath "$EI_PYTHON"
	EI_MODULE=$(realpath -e -- "$1" 2>/dev/null) ||
		ei_fail "module file exists" "no such file: $1"
	[ -r "$EI_MODULE" ] || ei_fail "module file is readable" "$EI_MODULE"

	EI_PEER=${ECERT_INTEROP_PEER:-}
	if [ -z "$EI_PEER" ]; then
		case "$(basename "$EI_MODULE")" in
		*softhsm*) EI_PEER=softhsm ;;
		*) EI_PEER=ecert ;;
		esac
	fi
	case "$EI_PEER" in
	ecert | softhsm) ;;
	*) printf 'ECERT_INTEROP_PEER must be "ecert" or "softhsm", not "%s"\n' "$EI_PEER" >&2; exit 2 ;;
	esac

	EI_TMP=$(mktemp -d "${TMPDIR:-/tmp}/ecert-interop-$EI_NAME.XXXXXX")
	chmod 700 "$EI_TMP"
	trap ei_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM HUP

	# Our module: a fresh, empty token directory per test, cheap Argon2.
	export ECERT_TOKEN_DIR="$EI_TMP/token"
	export ECERT_TOKEN_KDF=test
	mkdir -m 700 "$ECERT_TOKEN_DIR"

	if [ "$EI_PEER" = softhsm ]; then
		mkdir -m 700 "$EI_TMP/softhsm-tokens"
		export SOFTHSM2_CONF="$EI_TMP/softhsm2.conf"
		cat >"$SOFTHSM2_CONF" <<-EOF
			directories.tokendir = $EI_TMP/softhsm-tokens
			objectstore.backend = file
			log.level = ERROR
			slots.removable = false
			# Needed for pkcs11-tool --test-fork (C_Initialize in a forked child).
			library.reset_on_fork = true
		EOF
	fi

	EI_LOADMOD=$EI_MODULE
	if [ -n "${ECERT_INTEROP_SPY_LOG:-}" ]; then
		local spy=/usr/lib/x86_64-linux-gnu/pkcs11/pkcs11-spy.so
		[ -r "$spy" ] || ei_fail "pkcs11-spy available for ECERT_INTEROP_SPY_LOG" "missing $spy"
		export PKCS11SPY="$EI_MODULE"
		export PKCS11SPY_OUTPUT="$ECERT_INTEROP_SPY_LOG"
		EI_LOADMOD=$spy
	fi
	EI_P11=(pkcs11-tool --module "$EI_LOADMOD")

	printf '[%s] module:     %s\n' "$EI_NAME" "$EI_MODULE"
	printf '[%s] peer kind:  %s\n' "$EI_NAME" "$EI_PEER"
	printf '[%s] temp dir:   %s\n' "$EI_NAME" "$EI_TMP"
	[ "$EI_LOADMOD" = "$EI_MODULE" ] || printf '[%s] loaded via:  %s (log: %s)\n' "$EI_NAME" "$EI_LOADMOD" "$PKCS11SPY_OUTPUT"
	[ -z "${LD_PRELOAD:-}" ] || printf '[%s] LD_PRELOAD: %s\n' "$EI_NAME" "$LD_PRELOAD"
}

# ------------------------------------------------------------ slot helpers

# ei_slots: pkcs11-tool --list-slots, parsed into the arrays EI_SLOT_IDS,
# EI_SLOT_STATES (uninitialized | initialized | empty | unknown),
# EI_SLOT_LABELS and EI_SLOT_FLAGS (token flags text), in slot-list order.
ei_slots() {
	ei_run list-slots "${EI_P11[@]}" --list-slots
	ei_check_rc0 "C_GetSlotList/C_GetTokenInfo via pkcs11-tool --list-slots"
	EI_SLOT_IDS=()
	EI_SLOT_STATES=()
	EI_SLOT_LABELS=()
	EI_SLOT_FLAGS=()
	local id state label flags
	while IFS='|' read -r id state label flags; do
		EI_SLOT_IDS+=("$id")
		EI_SLOT_STATES+=("$state")
		EI_SLOT_LABELS+=("$label")
		EI_SLOT_FLAGS+=("$flags")
	done < <(awk '
		function flush() { if (id != "") printf "%s|%s|%s|%s\n", id, state, label, flags }
		/^Slot [0-9]+ \(0x[0-9a-fA-F]+\)/ {
			flush(); id = $3; gsub(/[():]/, "", id); state = "unknown"; label = ""; flags = ""; next }
		/^  token state: +uninitialized/ { state = "uninitialized"; next }
		/^  \(empty\)/ { state = "empty"; next }
		/^  token label +: / { state = "initialized"; label = $0; sub(/^  token label +: /, "", label); next }
		/^  token flags +: / { flags = $0; sub(/^  token flags +: /, "", flags); next }
		END { flush() }' "$EI_OUT")
	local i
	for i in "${!EI_SLOT_IDS[@]}"; do
		printf '    slot %s: %s%s\n' "${EI_SLOT_IDS[$i]}" "${EI_SLOT_STATES[$i]}" \
			"${EI_SLOT_LABELS[$i]:+, label \"${EI_SLOT_LABELS[$i]}\"}"
	done
}

# ei_slot_index ID: index of slot ID in the arrays filled by ei_slots, or fail.
ei_slot_index() {
	local i
	for i in "${!EI_SLOT_IDS[@]}"; do
		[ "${EI_SLOT_IDS[$i]}" = "$1" ] && { echo "$i"; return 0; }
	done
	return 1
}

# ei_token_flags: token flags of $EI_SLOT, freshly read.
ei_token_flags() {
	ei_slots
	local i
	i=$(ei_slot_index "$EI_SLOT") || ei_fail "token slot $EI_SLOT is still listed"
	EI_FLAGS=${EI_SLOT_FLAGS[$i]}
	printf '    token flags of slot %s: %s\n' "$EI_SLOT" "$EI_FLAGS"
}

ei_flags_have() { case ", $EI_FLAGS," in *", $1,"*) return 0 ;; esac; return 1; }

# ei_init_token LABEL SO_PIN: C_InitToken on the uninitialised slot; sets EI_SLOT.
ei_init_token() {
	local label=$1 so=$2 i free=""
	ei_say "C_InitToken: token \"$label\""
	ei_slots
	if [ "$EI_PEER" = ecert ]; then
		if ! { [ "${#EI_SLOT_IDS[@]}" -eq 1 ] && [ "${EI_SLOT_IDS[0]}" = 0x0 ] &&
			[ "${EI_SLOT_STATES[0]}" = uninitialized ]; }; then
			ei_fail "empty token directory: exactly one slot, ID 0, with an uninitialised token" \
				"slots seen: ${EI_SLOT_IDS[*]-none} (states: ${EI_SLOT_STATES[*]-none})"
		fi
		ei_ok "empty token directory: exactly one slot, ID 0, with an uninitialised token"
	else
		ei_skip "empty token directory shows exactly one slot with ID 0 (SoftHSMv2 numbers slots itself)"
	fi
	for i in "${!EI_SLOT_IDS[@]}"; do
		if [ "${EI_SLOT_STATES[$i]}" = uninitialized ]; then free=${EI_SLOT_IDS[$i]}; break; fi
	done
	[ -n "$free" ] || ei_fail "a slot with an uninitialised token is offered"

	ei_must init-token "C_InitToken via pkcs11-tool --init-token" \
		"${EI_P11[@]}" --slot "$free" --init-token --label "$label" --so-pin "$so"
	ei_check_has "pkcs11-tool reports the token initialised" "Token successfully initialized"

	ei_slots
	EI_SLOT=""
	for i in "${!EI_SLOT_IDS[@]}"; do
		if [ "${EI_SLOT_STATES[$i]}" = initialized ] && [ "${EI_SLOT_LABELS[$i]}" = "$label" ]; then
			EI_SLOT=${EI_SLOT_IDS[$i]}
			break
		fi
	done
	[ -n "$EI_SLOT" ] || ei_fail "the new token is listed with label \"$label\""
	ei_ok "the new token is listed with label \"$label\" in slot $EI_SLOT"
	if [ "$EI_PEER" = ecert ]; then
		[ "$EI_SLOT" = 0x0 ] || ei_fail "the initialised token stays in slot 0" "it is in slot $EI_SLOT"
		ei_ok "the initialised token stays in slot 0"
		# No empty extra token for owners' browsers once a token exists; the
		# issuer asks for a spare slot with ECERT_TOKEN_SPARE_SLOT=1.
		[ "${#EI_SLOT_IDS[@]}" -eq 1 ] ||
			ei_fail "after C_InitToken no spare slot is shown" "slots seen: ${EI_SLOT_IDS[*]}"
		ei_ok "after C_InitToken no spare slot is shown"
		ECERT_TOKEN_SPARE_SLOT=1 ei_slots
		if ! { [ "${#EI_SLOT_IDS[@]}" -eq 2 ] && [ "${EI_SLOT_IDS[1]}" = 0x1 ] &&
			[ "${EI_SLOT_STATES[1]}" = uninitialized ]; }; then
			ei_fail "with ECERT_TOKEN_SPARE_SLOT=1 a spare slot 1 with an uninitialised token appears" \
				"slots seen: ${EI_SLOT_IDS[*]} (states: ${EI_SLOT_STATES[*]})"
		fi
		ei_ok "with ECERT_TOKEN_SPARE_SLOT=1 a spare slot 1 with an uninitialised token appears"
	fi
	i=$(ei_slot_index "$EI_SLOT")
	EI_FLAGS=${EI_SLOT_FLAGS[$i]}
	ei_flags_have "token initialized" || ei_fail "token flags include CKF_TOKEN_INITIALIZED" "flags: $EI_FLAGS"
	ei_flags_have "login required" || ei_fail "token flags include CKF_LOGIN_REQUIRED" "flags: $EI_FLAGS"
	ei_ok "token flags include CKF_TOKEN_INITIALIZED and CKF_LOGIN_REQUIRED"
}

# ei_init_envelope_pin SO_PIN ENVELOPE_PIN: the SO sets the user PIN (C_InitPIN).
ei_init_envelope_pin() {
	local so=$1 env=$2
	ei_say "C_InitPIN as SO: envelope PIN"
	ei_must init-pin "C_Login(SO) + C_InitPIN via pkcs11-tool --init-pin" \
		"${EI_P11[@]}" --slot "$EI_SLOT" --login --login-type so --so-pin "$so" --init-pin --new-pin "$env"
	ei_check_has "pkcs11-tool reports the user PIN initialised" "User PIN successfully initialized"
	ei_token_flags
	ei_flags_have "PIN initialized" || ei_fail "token flags include CKF_USER_PIN_INITIALIZED after C_InitPIN" "flags: $EI_FLAGS"
	ei_ok "token flags include CKF_USER_PIN_INITIALIZED after C_InitPIN"
	if [ "$EI_PEER" = ecert ]; then
		ei_flags_have "user PIN to be changed" ||
			ei_fail "token flags include CKF_USER_PIN_TO_BE_CHANGED for the envelope PIN" "flags: $EI_FLAGS"
		ei_ok "token flags include CKF_USER_PIN_TO_BE_CHANGED for the envelope PIN"
	else
		ei_skip "CKF_USER_PIN_TO_BE_CHANGED after C_InitPIN (SoftHSMv2 has no must-change PINs)"
	fi
}

# ei_check_envelope_pin_expired ENVELOPE_PIN: C_Login with it gives CKR_PIN_EXPIRED.
ei_check_envelope_pin_expired() {
	if [ "$EI_PEER" != ecert ]; then
		ei_skip "C_Login with the envelope PIN returns CKR_PIN_EXPIRED (SoftHSMv2 has no must-change PINs)"
		return 0
	fi
	ei_say "C_Login with the envelope PIN must be refused as expired"
	ei_run login-envelope "${EI_P11[@]}" --slot "$EI_SLOT" --login --pin "$1" --list-objects
	ei_check_refused "C_Login with the envelope PIN is refused"
	ei_check_has "C_Login with the envelope PIN returns CKR_PIN_EXPIRED" "CKR_PIN_EXPIRED"
}

# ei_change_pin_on_tty OLD NEW: pkcs11-tool --change-pin --new-pin NEW without
# --pin (no login: C_SetPIN in an R/W public session), typing OLD at its
# "Please enter the current PIN:" prompt on a pseudo-terminal.
ei_change_pin_on_tty() {
	local old=$1 new=$2 inner=$((EI_TIMEOUT > 20 ? EI_TIMEOUT - 10 : EI_TIMEOUT))
	ei_say "C_SetPIN without login: old PIN typed at pkcs11-tool's terminal prompt"
	export EI_TTY_OLD_PIN=$old
	ei_run change-pin "$EI_PYTHON" "$EI_LIBDIR/pty_answer.py" --timeout "$inner" \
		--expect 'Please enter the current PIN: ?' --answer-env EI_TTY_OLD_PIN -- \
		"${EI_P11[@]}" --slot "$EI_SLOT" --change-pin --new-pin "$new"
	unset EI_TTY_OLD_PIN
	ei_check_has "pkcs11-tool --change-pin prompts for the current PIN on its terminal" "Please enter the current PIN:"
	ei_check_rc0 "C_SetPIN(old typed on the terminal, new) in an R/W session without login"
	ei_check_has "pkcs11-tool reports the PIN changed" "PIN successfully changed"
}

# ei_check_user_login PIN: C_Login(USER) with PIN works.
ei_check_user_login() {
	ei_must login-user "C_Login(USER) with the user's own PIN" \
		"${EI_P11[@]}" --slot "$EI_SLOT" --login --pin "$1" --list-objects
}

# ei_prepare_token LABEL SO_PIN ENVELOPE_PIN USER_PIN: a token whose user PIN
# has gone the whole way: SO sets the envelope PIN, user changes it on a tty.
ei_prepare_token() {
	local label=$1 so=$2 env=$3 user=$4
	ei_init_token "$label" "$so"
	ei_init_envelope_pin "$so" "$env"
	ei_check_envelope_pin_expired "$env"
	ei_change_pin_on_tty "$env" "$user"
	ei_check_user_login "$user"
	if [ "$EI_PEER" = ecert ]; then
		ei_token_flags
		! ei_flags_have "user PIN to be changed" ||
			ei_fail "CKF_USER_PIN_TO_BE_CHANGED is cleared once the user changed the PIN" "flags: $EI_FLAGS"
		ei_ok "CKF_USER_PIN_TO_BE_CHANGED is cleared once the user changed the PIN"
	fi
}

# ei_mechanisms: pkcs11-tool --list-mechanisms for $EI_SLOT into $EI_MECHS.
ei_mechanisms() {
	ei_must list-mechs "C_GetMechanismList/C_GetMechanismInfo via pkcs11-tool --list-mechanisms" \
		"${EI_P11[@]}" --slot "$EI_SLOT" --list-mechanisms
	EI_MECHS=$EI_OUT
}

# ei_has_mech NAME [FLAG]: mechanism NAME is listed (with FLAG, e.g. sign).
ei_has_mech() {
	local line
	line=$(grep -E "^  $1(,|\$)" "$EI_MECHS" | head -n 1) || return 1
	[ -z "${2:-}" ] && return 0
	case "$line, " in *", $2, "* | *", $2,"*) return 0 ;; esac
	return 1
}

# ei_ec_spki_from_listing ID OUT: the P-256 public key with CKA_ID ID as a DER
# SubjectPublicKeyInfo in OUT, built from the CKA_EC_POINT that
# pkcs11-tool --list-objects prints (checked to be a DER OCTET STRING).
ei_ec_spki_from_listing() {
	local id=$1 out=$2 point
	ei_must list-ec-point "pkcs11-tool --list-objects shows CKA_EC_POINT" \
		"${EI_P11[@]}" --slot "$EI_SLOT" --list-objects --type pubkey
	point=$(awk -v id="$id" '
		/^[A-Z]/ { ec = ($0 ~ /^Public Key Object; EC/); p = ""; next }
		ec && /^  EC_POINT:/ { p = $2 }
		ec && /^  ID:/ && $2 == id { print p; exit }' "$EI_OUT")
	[ -n "$point" ] || ei_fail_log "pkcs11-tool shows CKA_EC_POINT of EC public key ID $id" "not found" "$EI_OUT"
	case "$point" in
	044104*) [ "${#point}" -eq 134 ] || ei_fail "CKA_EC_POINT of a P-256 key is 67 bytes" "got: $point" ;;
	*) ei_fail "CKA_EC_POINT is a DER OCTET STRING holding the uncompressed point (04 41 04 ...)" "got: $point" ;;
	esac
	ei_ok "CKA_EC_POINT of key $id is a DER OCTET STRING holding the uncompressed P-256 point"
	"$EI_PYTHON" -c 'import binascii, sys; open(sys.argv[1], "wb").write(binascii.unhexlify(sys.argv[2]))' \
		"$out" "3059301306072a8648ce3d020106082a8648ce3d030107034200${point:4}"
}
