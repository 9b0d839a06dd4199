#!/usr/bin/env bash
# Interoperability test: OpenSC pkcs11-tool (0.23) drives the PKCS#11 module.
#
#   pkcs11_tool_test.sh MODULE
#
# Token life cycle (C_InitToken, envelope PIN by the SO, must-change,
# C_SetPIN typed on a terminal), key generation, pkcs11-tool --test and
# --test-fork, and signatures/decryptions checked by OpenSSL.
# See lib.sh for the environment variables (ECERT_INTEROP_PEER, ...).
set -euo pipefail
# shellcheck source=lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

ei_setup "$@"
ei_require_programs cmp awk

LABEL="pkcs11-tool interop"
SO_PIN='Interop-SO-9x'
ENVELOPE_PIN=12345678
USER_PIN='Us3r-Interop!'
W=$EI_TMP/work
mkdir -m 700 "$W"

# ------------------------------------------------------------- token + PINs
ei_init_token "$LABEL" "$SO_PIN"

if [ "$EI_PEER" = ecert ]; then
	ei_say "PIN rules: a weak SO PIN is refused by C_InitToken (spare slot 1)"
	ECERT_TOKEN_SPARE_SLOT=1 ei_run init-token-weak "${EI_P11[@]}" --slot 0x1 --init-token --label "weak so pin" \
		--so-pin 12345678
	ei_check_refused "C_InitToken with SO PIN 12345678 (digits only) is refused"
	ei_check_match "C_InitToken with a weak SO PIN returns CKR_PIN_INVALID or CKR_PIN_LEN_RANGE" \
		'CKR_PIN_(INVALID|LEN_RANGE)'
	ECERT_TOKEN_SPARE_SLOT=1 ei_slots
	if ! i=$(ei_slot_index 0x1) || [ "${EI_SLOT_STATES[$i]}" != uninitialized ]; then
		ei_fail "the refused C_InitToken leaves slot 1 uninitialised"
	fi
	ei_ok "the refused C_InitToken leaves slot 1 uninitialised"
else
	ei_skip "weak SO PIN refused by C_InitToken (SoftHSMv2 has no PIN complexity rules)"
fi

ei_init_envelope_pin "$SO_PIN" "$ENVELOPE_PIN"
ei_check_envelope_pin_expired "$ENVELOPE_PIN"

if [ "$EI_PEER" = ecert ]; then
	ei_say "PIN rules: C_SetPIN to a weak PIN is refused (old PIN typed on the terminal)"
	export EI_TTY_OLD_PIN=$ENVELOPE_PIN
	ei_run change-pin-weak "$EI_PYTHON" "$EI_LIBDIR/pty_answer.py" --timeout 50 \
		--expect 'Please enter the current PIN: ?' --answer-env EI_TTY_OLD_PIN -- \
		"${EI_P11[@]}" --slot "$EI_SLOT" --change-pin --new-pin 'password'
	unset EI_TTY_OLD_PIN
	ei_check_refused "C_SetPIN to 'password' (no upper case, digit, special) is refused"
	ei_check_match "C_SetPIN to a weak PIN returns CKR_PIN_INVALID or CKR_PIN_LEN_RANGE" \
		'CKR_PIN_(INVALID|LEN_RANGE)'
	ei_check_envelope_pin_expired "$ENVELOPE_PIN"
else
	ei_skip "weak new PIN refused by C_SetPIN (SoftHSMv2 has no PIN complexity rules)"
fi

ei_change_pin_on_tty "$ENVELOPE_PIN" "$USER_PIN"
ei_check_user_login "$USER_PIN"
ei_run login-old-envelope "${EI_P11[@]}" --slot "$EI_SLOT" --login --pin "$ENVELOPE_PIN" --list-objects
ei_check_refused "C_Login with the replaced envelope PIN is refused"
ei_check_has "C_Login with the replaced envelope PIN returns CKR_PIN_INCORRECT" "CKR_PIN_INCORRECT"
if [ "$EI_PEER" = ecert ]; then
	ei_token_flags
	! ei_flags_have "user PIN to be changed" ||
		ei_fail "CKF_USER_PIN_TO_BE_CHANGED is cleared once the user changed the PIN" "flags: $EI_FLAGS"
	ei_ok "CKF_USER_PIN_TO_BE_CHANGED is cleared once the user changed the PIN"
fi

P11U=("${EI_P11[@]}" --slot "$EI_SLOT" --login --pin "$USER_PIN")

# ---------------------------------------------------------------- key pairs
ei_say "C_GenerateKeyPair: RSA-2048 (ID 01) and EC P-256 (ID 02)"
ei_must keygen-rsa "C_GenerateKeyPair RSA-2048 via pkcs11-tool --keypairgen" \
	"${P11U[@]}" --keypairgen --key-type rsa:2048 --id 01 --label rsa2048
ei_check_has "the generated RSA public key has 2048 bits" "Public Key Object; RSA 2048 bits"
ei_check_match "the generated RSA private key has ID 01" '^  ID: +01$'
ei_must keygen-ec "C_GenerateKeyPair EC P-256 via pkcs11-tool --keypairgen" \
	"${P11U[@]}" --keypairgen --key-type EC:prime256v1 --id 02 --label p256
ei_check_has "the generated EC public key is a 256-bit point" "EC_POINT 256 bits"
ei_check_has "the EC public key has CKA_EC_PARAMS = OID prime256v1" "06082a8648ce3d030107"

ei_must list-public "C_FindObjects without login" "${EI_P11[@]}" --slot "$EI_SLOT" --list-objects
ei_check_has "without login the RSA public key is visible" "Public Key Object; RSA 2048 bits"
ei_check_has "without login the EC public key is visible" "Public Key Object; EC"
ei_check_lacks "without login no private key is visible" "Private Key Object"
ei_must list-private "C_FindObjects after login" "${P11U[@]}" --list-objects
ei_check_match "after login the RSA private key is visible" '^Private Key Object; RSA'
ei_check_match "after login the EC private key is visible" '^Private Key Object; EC'
ei_check_match "generated private keys are CKA_SENSITIVE, CKA_ALWAYS_SENSITIVE and CKA_LOCAL" \
	'^  Access: +(.*, )?sensitive, always sensitive(, .*)?, local$'
if grep -E '^  Access: +(extractable|.*, extractable)' "$EI_OUT"; then
	ei_fail "generated private keys are not CKA_EXTRACTABLE" "see the Access: lines above"
fi
ei_ok "generated private keys are not CKA_EXTRACTABLE"

ei_mechanisms

# ------------------------------------------------------- pkcs11-tool --test
ei_say "pkcs11-tool --test --allow-sw (software token: no CKF_HW)"
ei_run test "${P11U[@]}" --test --allow-sw
TEST_OUT=$EI_OUT   # stdout only, in print order
section() { awk -v start="$1" -v stop="$2" 'index($0, start) == 1 {on = 1; next} on && stop != "" && index($0, stop) == 1 {on = 0} on' "$TEST_OUT"; }
section "Signatures (currently only for RSA)" "Verify (currently only for RSA)" >"$W/test-sign.txt"
section "Verify (currently only for RSA)" "Decryption (currently only for RSA)" >"$W/test-verify.txt"
section "Decryption (currently only for RSA)" "No errors" >"$W/test-decrypt.txt"

ei_check_has "--test exercises C_GenerateRandom" "C_SeedRandom() and C_GenerateRandom():" "$TEST_OUT"
ei_check_has "--test runs the RSA signature tests (not skipped as non-CKF_HW)" \
	"Signatures (currently only for RSA)" "$TEST_OUT"
ei_check_has "--test: C_Sign == C_SignUpdate/C_SignFinal" "  all 4 signature functions seem to work" "$W/test-sign.txt"
ei_check_has "--test: RSA-PKCS signature verified by OpenSSL" "    RSA-PKCS: OK" "$W/test-sign.txt"
ei_check_has "--test: SHA256-RSA-PKCS signature verified by OpenSSL" "    SHA256-RSA-PKCS: OK" "$W/test-sign.txt"
ei_check_match "--test: C_Verify of the RSA key's own signature" '^    [A-Z0-9-]+: OK$' "$W/test-verify.txt"
ei_check_lacks "--test reports no ERR: lines" "ERR:" "$EI_LOG"
if ei_has_mech RSA-PKCS decrypt; then
	ei_check_has "--test: RSA-PKCS (v1.5) decryption of OpenSSL's ciphertext" "    RSA-PKCS: OK" "$W/test-decrypt.txt"
fi
if [ "$EI_PEER" = softhsm ] && grep -qF "C_DecryptInit failed: rv = CKR_ARGUMENTS_BAD" "$EI_LOG"; then
	ei_skip "--test RSA-PKCS-OAEP decryption and 'No errors' (SoftHSMv2 2.6 rejects OAEP with SHA-256, a label or source=0: CKR_ARGUMENTS_BAD)"
else
	oaep_ok=$(awk '/^    RSA-PKCS-OAEP: / { if ($0 ~ /: OK$/) n++; else if ((getline nx) > 0 && nx == "OK") n++ } END { print n + 0 }' "$W/test-decrypt.txt")
	[ "$oaep_ok" -eq 2 ] ||
		ei_fail_log "--test: RSA-PKCS-OAEP (SHA-256/MGF1-SHA256) decryption OK with and without label" \
			"expected 2 'RSA-PKCS-OAEP: ... OK' results, got $oaep_ok" "$W/test-decrypt.txt"
	ei_ok "--test: RSA-PKCS-OAEP (SHA-256/MGF1-SHA256) decryption OK with and without label"
	ei_check_lacks "--test: OAEP mechanism not reported unsupported" "Mechanism not supported" "$W/test-decrypt.txt"
	ei_check_rc0 "pkcs11-tool --test exits 0"
	ei_check_has "pkcs11-tool --test prints 'No errors'" "No errors" "$TEST_OUT"
fi

# -------------------------------------------------- pkcs11-tool --test-fork
ei_say "pkcs11-tool --test-fork: C_Initialize in a forked child"
ei_must test-fork "C_Initialize in a forked child returns CKR_OK (pkcs11-tool --test-fork)" \
	"${P11U[@]}" --test-fork --list-objects
ei_check_has "--test-fork ran the child" "*** Calling C_Initialize in forked child process ***"
ei_check_lacks "--test-fork: child did not fail" "Child process exited with status"
ei_check_match "the parent still finds its private keys after the fork" '^Private Key Object; RSA'

# --------------------------------------------------------------- data files
printf 'e-Cert interop test message %s\n' "$(date -u +%Y%m%dT%H%M%SZ)" >"$W/data.txt"
printf 'e-Cert interop test message, tampered\n' >"$W/tampered.txt"
openssl dgst -sha256 -binary -out "$W/data.sha256" "$W/data.txt"

# openssl_verify CHECK PUBKEY SIG [DGST-OPTS...]: verify over data.txt, and
# check the same signature does not verify over tampered.txt.
openssl_verify() {
	local check=$1 pub=$2 sig=$3
	shift 3
	ei_must "ossl-verify" "$check" openssl dgst -sha256 "$@" -verify "$pub" -signature "$sig" "$W/data.txt"
	ei_check_has "$check: OpenSSL says Verified OK" "Verified OK"
	ei_run "ossl-verify-tampered" openssl dgst -sha256 "$@" -verify "$pub" -signature "$sig" "$W/tampered.txt"
	ei_check_refused "$check: the signature does not verify over other data"
}

# ------------------------------------------------------------------- ECDSA
ei_say "ECDSA P-256: sign on the token, verify with OpenSSL"
ei_ec_spki_from_listing 02 "$W/ecpub-listed.der"
if ei_asan_preloaded; then
	# pkcs11-tool 0.23 itself has a heap-use-after-free in --read-object of
	# an EC public key with OpenSSL 3 (read_object frees OSSL_PARAMs it still
	# uses); with the ASan runtime preloaded that aborts pkcs11-tool.
	ei_skip "pkcs11-tool --read-object --type pubkey of the EC key under ASan (use-after-free in pkcs11-tool 0.23 itself); the key is taken from CKA_EC_POINT instead"
	cp "$W/ecpub-listed.der" "$W/ecpub.der"
else
	ei_must read-ecpub "read the EC public key (pkcs11-tool --read-object --type pubkey --id 02)" \
		"${EI_P11[@]}" --slot "$EI_SLOT" --read-object --type pubkey --id 02 -o "$W/ecpub.der"
	ei_files_equal "pkcs11-tool --read-object and CKA_EC_POINT give the same EC public key" \
		"$W/ecpub.der" "$W/ecpub-listed.der"
fi
ei_must ecpub-pem "the EC public key is a DER SubjectPublicKeyInfo" \
	openssl pkey -pubin -inform DER -in "$W/ecpub.der" -out "$W/ecpub.pem"
ei_must ecpub-text "OpenSSL parses the EC public key" openssl pkey -pubin -in "$W/ecpub.pem" -noout -text
ei_check_match "the EC public key is on P-256" 'ASN1 OID: prime256v1|NIST CURVE: P-256'

if ei_has_mech ECDSA-SHA256 sign; then
	EC_MECH=(-m ECDSA-SHA256 -i "$W/data.txt")
	ei_ok "ECDSA-SHA256 is listed with CKF_SIGN"
elif [ "$EI_PEER" = ecert ]; then
	ei_fail "ECDSA-SHA256 is listed with CKF_SIGN" "see $EI_MECHS"
else
	ei_skip "ECDSA-SHA256 (SoftHSMv2 2.6 only has CKM_ECDSA; signing the SHA-256 hash with ECDSA instead)"
	EC_MECH=(-m ECDSA -i "$W/data.sha256")
fi
ei_must sign-ecdsa "C_Sign with ${EC_MECH[1]} (key ID 02), DER output" \
	"${P11U[@]}" --sign "${EC_MECH[@]}" --id 02 --signature-format openssl -o "$W/ec.sig"
ei_must asn1-ecsig "the ECDSA signature converts to a DER SEQUENCE of two INTEGERs" \
	openssl asn1parse -inform DER -in "$W/ec.sig"
ei_check_match "ECDSA DER signature has INTEGER r and s" 'prim: INTEGER'
openssl_verify "ECDSA P-256 signature from the token verified by OpenSSL" "$W/ecpub.pem" "$W/ec.sig"
ei_must sign-ecdsa-raw "C_Sign with ${EC_MECH[1]}, raw r||s output" \
	"${P11U[@]}" --sign "${EC_MECH[@]}" --id 02 -o "$W/ec.raw"
size=$(stat -c %s "$W/ec.raw")
[ "$size" -eq 64 ] || ei_fail "the raw ECDSA P-256 signature is 64 bytes (r||s)" "it is $size bytes"
ei_ok "the raw ECDSA P-256 signature is 64 bytes (r||s)"

# --------------------------------------------------------------------- RSA
ei_say "RSA-2048: PSS and PKCS#1 v1.5 signatures verified by OpenSSL"
ei_must read-rsapub "read the RSA public key (pkcs11-tool --read-object --type pubkey --id 01)" \
	"${EI_P11[@]}" --slot "$EI_SLOT" --read-object --type pubkey --id 01 -o "$W/rsapub.der"
ei_must rsapub-pem "the RSA public key is a DER SubjectPublicKeyInfo" \
	openssl pkey -pubin -inform DER -in "$W/rsapub.der" -out "$W/rsapub.pem"
ei_must rsapub-text "OpenSSL parses the RSA public key" openssl pkey -pubin -in "$W/rsapub.pem" -noout -text
ei_check_has "the RSA public key has 2048 bits" "Public-Key: (2048 bit)"
ei_check_has "the RSA public exponent is 65537" "Exponent: 65537 (0x10001)"

# pkcs11-tool 0.23 refuses --hash-algorithm with SHA256-RSA-PKCS-PSS (it is
# implied by the mechanism); the MGF and salt length are passed on.
ei_must sign-pss "C_Sign with SHA256-RSA-PKCS-PSS, MGF1-SHA256, salt = hash length" \
	"${P11U[@]}" --sign -m SHA256-RSA-PKCS-PSS --salt-len -1 --mgf MGF1-SHA256 --id 01 \
	-i "$W/data.txt" -o "$W/pss.sig"
ei_check_has "pkcs11-tool passed the PSS parameters" "PSS parameters: hashAlg=SHA256, mgf=MGF1-SHA256, salt_len=32 B"
size=$(stat -c %s "$W/pss.sig")
[ "$size" -eq 256 ] || ei_fail "the RSA-2048 PSS signature is 256 bytes" "it is $size bytes"
ei_ok "the RSA-2048 PSS signature is 256 bytes"
openssl_verify "RSA-PSS (SHA-256, salt 32) signature from the token verified by OpenSSL" \
	"$W/rsapub.pem" "$W/pss.sig" -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:-1 -sigopt rsa_mgf1_md:sha256

if ei_has_mech RSA-PKCS-PSS sign; then
	ei_must sign-pss-raw "C_Sign with RSA-PKCS-PSS over a SHA-256 hash (--hash-algorithm SHA256)" \
		"${P11U[@]}" --sign -m RSA-PKCS-PSS --hash-algorithm SHA256 --mgf MGF1-SHA256 --salt-len -1 \
		--id 01 -i "$W/data.sha256" -o "$W/pss-raw.sig"
	openssl_verify "RSA-PSS over a token-external hash verified by OpenSSL" \
		"$W/rsapub.pem" "$W/pss-raw.sig" -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:-1
fi

ei_must sign-pkcs1 "C_Sign with SHA256-RSA-PKCS" \
	"${P11U[@]}" --sign -m SHA256-RSA-PKCS --id 01 -i "$W/data.txt" -o "$W/pkcs1.sig"
openssl_verify "RSA PKCS#1 v1.5 SHA-256 signature from the token verified by OpenSSL" "$W/rsapub.pem" "$W/pkcs1.sig"

ei_say "RSA-2048: decrypt on the token what OpenSSL encrypted"
head -c 32 /dev/urandom >"$W/secret.bin"
if [ "$EI_PEER" = ecert ]; then
	ei_must ossl-oaep "OpenSSL encrypts with RSA-OAEP SHA-256" \
		openssl pkeyutl -encrypt -pubin -inkey "$W/rsapub.pem" -in "$W/secret.bin" -out "$W/oaep.bin" \
		-pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha256
	ei_must decrypt-oaep "C_Decrypt with RSA-PKCS-OAEP (SHA-256, MGF1-SHA256)" \
		"${P11U[@]}" --decrypt -m RSA-PKCS-OAEP --hash-algorithm SHA256 --mgf MGF1-SHA256 --id 01 \
		-i "$W/oaep.bin" -o "$W/oaep.out"
	ei_files_equal "RSA-OAEP decryption on the token returns OpenSSL's plaintext" "$W/secret.bin" "$W/oaep.out"
else
	ei_skip "RSA-OAEP SHA-256 decryption (SoftHSMv2 2.6 accepts only SHA-1 OAEP with source=CKZ_DATA_SPECIFIED; pkcs11-tool sends source=0)"
fi
if ei_has_mech RSA-PKCS decrypt; then
	ei_must ossl-pkcs1enc "OpenSSL encrypts with RSA PKCS#1 v1.5" \
		openssl pkeyutl -encrypt -pubin -inkey "$W/rsapub.pem" -in "$W/secret.bin" -out "$W/pkcs1.bin"
	ei_must decrypt-pkcs1 "C_Decrypt with RSA-PKCS" \
		"${P11U[@]}" --decrypt -m RSA-PKCS --id 01 -i "$W/pkcs1.bin" -o "$W/pkcs1.out"
	ei_files_equal "RSA PKCS#1 v1.5 decryption on the token returns OpenSSL's plaintext" "$W/secret.bin" "$W/pkcs1.out"
fi

ei_finish
