#!/usr/bin/env bash
# Interoperability test: Mozilla NSS tools (modutil, pk12util, certutil)
# use the PKCS#11 module as an external token.
#
#   nss_test.sh MODULE
#
# A fresh NSS database gets the module; OpenSSL makes a test CA and RSA-2048
# and EC P-256 end-entity certificates; pk12util imports them (key + cert)
# onto the token; certutil lists the certificates WITHOUT a password and the
# keys with one, and signs certificate requests with the imported keys,
# which OpenSSL verifies against the original certificates.
# See lib.sh for the environment variables (ECERT_INTEROP_PEER, ...).
set -euo pipefail
# shellcheck source=lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

ei_setup "$@"
ei_require_programs certutil modutil pk12util cmp awk

TOKEN="e-Cert Token"         # token label, used by NSS as the token name (-h)
MODNAME="e-Cert Token"       # NSS module name (modutil)
SO_PIN='Nss-Interop-SO-7y'
ENVELOPE_PIN=12345678
USER_PIN='Nss-User-Pin-4u!'
DB=$EI_TMP/nssdb
PKI=$EI_TMP/pki
mkdir -m 700 "$DB" "$PKI"
# Password files (NSS -f/-k and pk12util -w take files): inside the temp dir only.
printf '%s\n' "$USER_PIN" >"$EI_TMP/token.pw"
printf '%s\n' 'P12-Transport-pw9' >"$EI_TMP/p12.pw"
chmod 600 "$EI_TMP/token.pw" "$EI_TMP/p12.pw"

# ------------------------------------------------------------------ token
ei_prepare_token "$TOKEN" "$SO_PIN" "$ENVELOPE_PIN" "$USER_PIN"

# --------------------------------------------------------------- NSS db
ei_say "NSS database with the module"
ei_must certutil-N "certutil -N creates an empty NSS database" \
	certutil -N -d "sql:$DB" --empty-password
# Our token holds a public CKO_PROFILE object (CKP_PUBLIC_CERTIFICATES_TOKEN),
# which is what tells NSS (>= 3.48) that it may read the certificates without
# logging in: the module is added with no FRIENDLY flag, as a user would add
# it. SoftHSMv2 has no such object and needs the flag.
friendly=()
[ "$EI_PEER" = softhsm ] && friendly=(-mechanisms FRIENDLY)
ei_must modutil-add "modutil -add loads the module (C_GetInterface/C_Initialize/slot and token info)" \
	modutil -add "$MODNAME" -libfile "$EI_LOADMOD" -dbdir "sql:$DB" "${friendly[@]}" -force
ei_check_has "modutil reports the module added" "Module \"$MODNAME\" added to database."

ei_must modutil-list "modutil -list" modutil -list -dbdir "sql:$DB"
ei_check_match "modutil -list shows the module by name" "^ +[0-9]+\. $MODNAME\$"
ei_check_has "modutil -list shows the library path" "library name: $EI_LOADMOD"
ei_check_match "modutil -list shows the token" "^	token: $TOKEN\$"
ei_check_lacks "modutil -list shows the module loaded (no failure status)" "status: Not loaded"

ei_must modutil-list-mod "modutil -list \"$MODNAME\"" modutil -list "$MODNAME" -dbdir "sql:$DB"
ei_check_match "module details: token name" "^  Token Name: $TOKEN +\$"
ei_check_has "module details: the user PIN is initialised" "User Pin: Initialized"
ei_check_has "module details: login required" "Login Type: Login required"
ei_check_has "module details: the token's slot is enabled" "Status: Enabled"
[ "$EI_PEER" = softhsm ] && ei_check_has "module details: certificates flagged publicly readable" "Default Mechanism Flags: FRIENDLY"

# ----------------------------------------------------------- test PKI
ei_say "OpenSSL test PKI: CA, RSA-2048 and EC P-256 end entities, PKCS#12 files"
ei_must ca "OpenSSL makes the test CA" \
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$PKI/ca.key" -out "$PKI/ca.pem" -days 30 \
	-subj "/O=e-Cert interop/CN=Interop Test CA" \
	-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth,emailProtection\n' >"$PKI/rsa.ext"
printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth,emailProtection\n' >"$PKI/ec.ext"
ei_must rsa-csr "OpenSSL makes the RSA-2048 end-entity key" \
	openssl req -newkey rsa:2048 -nodes -keyout "$PKI/rsa.key" -out "$PKI/rsa.csr" \
	-subj "/O=e-Cert interop/CN=Interop RSA User"
ei_must ec-csr "OpenSSL makes the EC P-256 end-entity key" \
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$PKI/ec.key" -out "$PKI/ec.csr" \
	-subj "/O=e-Cert interop/CN=Interop EC User"
for k in rsa ec; do
	ei_must "$k-cert" "OpenSSL issues the $k end-entity certificate" \
		openssl x509 -req -in "$PKI/$k.csr" -CA "$PKI/ca.pem" -CAkey "$PKI/ca.key" -CAcreateserial \
		-days 30 -extfile "$PKI/$k.ext" -out "$PKI/$k.pem"
done

# rsa.p12: OpenSSL 3 default (PBES2/PBKDF2/AES-256-CBC, HMAC-SHA256 MAC)
# ec.p12:  -legacy (pbeWithSHA1And3-KeyTripleDES-CBC key, RC2-40 certs, SHA-1 MAC)
ei_must rsa-p12 "OpenSSL exports rsa.p12 in its default (AES-256-CBC/PBKDF2) format" \
	openssl pkcs12 -export -in "$PKI/rsa.pem" -inkey "$PKI/rsa.key" -certfile "$PKI/ca.pem" \
	-name rsa-user -out "$PKI/rsa.p12" -passout "file:$EI_TMP/p12.pw"
ei_must rsa-p12-info "OpenSSL describes rsa.p12" \
	openssl pkcs12 -info -noout -in "$PKI/rsa.p12" -passin "file:$EI_TMP/p12.pw"
ei_check_has "rsa.p12 really uses PBES2/PBKDF2/AES-256-CBC" "PBES2, PBKDF2, AES-256-CBC"
ei_must ec-p12 "OpenSSL exports ec.p12 in the -legacy (3DES/RC2, SHA-1 MAC) format" \
	openssl pkcs12 -export -legacy -in "$PKI/ec.pem" -inkey "$PKI/ec.key" -certfile "$PKI/ca.pem" \
	-name ec-user -out "$PKI/ec.p12" -passout "file:$EI_TMP/p12.pw"
ei_must ec-p12-info "OpenSSL describes ec.p12" \
	openssl pkcs12 -info -noout -legacy -in "$PKI/ec.p12" -passin "file:$EI_TMP/p12.pw"
ei_check_has "ec.p12 really uses the legacy 3DES key bag" "pbeWithSHA1And3-KeyTripleDES-CBC"
for k in rsa ec; do
	ei_must "$k-p12-list" "NSS (pk12util -l) reads $k.p12" \
		pk12util -l "$PKI/$k.p12" -w "$EI_TMP/p12.pw"
	ei_check_has "pk12util -l finds the shrouded key in $k.p12" "Key(shrouded):"
done

# ---------------------------------------------------------- pk12util -i
for k in rsa ec; do
	ei_say "pk12util -i $k.p12 onto the token"
	ei_must "$k-import" "pk12util -i imports $k.p12 onto token \"$TOKEN\"" \
		pk12util -i "$PKI/$k.p12" -d "sql:$DB" -h "$TOKEN" -w "$EI_TMP/p12.pw" -k "$EI_TMP/token.pw"
	ei_check_has "pk12util reports $k.p12 imported" "PKCS12 IMPORT SUCCESSFUL"
done

# ----------------------------------------------- certutil -L: no password
ei_say "certutil -L: list the token's certificates without a password"
ei_must list-certs "certutil -L -h \"$TOKEN\" without a password (stdin /dev/null, no -f)" \
	certutil -L -d "sql:$DB" -h "$TOKEN"
ei_check_lacks "certutil -L did not ask for a password" "Enter Password"
ei_check_lacks "certutil -L did not try to log in" "could not authenticate"
# "u,u,u" = NSS found the matching key: without login it looks for a public
# key object with the certificate's CKA_ID (PK11_IsUserCert).
ei_check_match "certutil -L lists the RSA certificate as a user certificate" "^$TOKEN:rsa-user +u,u,u\$"
ei_check_match "certutil -L lists the EC certificate as a user certificate" "^$TOKEN:ec-user +u,u,u\$"

for k in rsa ec; do
	ei_must "$k-cert-export" "certutil -L -n exports the $k certificate (CKA_VALUE) without a password" \
		certutil -L -d "sql:$DB" -n "$TOKEN:$k-user" -a
	openssl x509 -in "$EI_OUT" -outform DER -out "$EI_TMP/$k-from-token.der"
	openssl x509 -in "$PKI/$k.pem" -outform DER -out "$EI_TMP/$k-orig.der"
	ei_files_equal "the $k certificate read back from the token is byte-identical" \
		"$EI_TMP/$k-orig.der" "$EI_TMP/$k-from-token.der"
done

# -------------------------------------------------- certutil -K: with PIN
ei_say "certutil -K: private keys need the user PIN"
ei_run list-keys-nopw certutil -K -d "sql:$DB" -h "$TOKEN"
ei_check_refused "certutil -K without a password fails (private keys need login)"
ei_must list-keys "certutil -K -h \"$TOKEN\" -f token.pw" \
	certutil -K -d "sql:$DB" -h "$TOKEN" -f "$EI_TMP/token.pw"
ei_check_match "certutil -K lists the RSA key with its certificate's nickname" '^< *[0-9]+> rsa +[0-9a-f]+ +.*rsa-user$'
ei_check_match "certutil -K lists the EC key with its certificate's nickname" '^< *[0-9]+> ec +[0-9a-f]+ +.*ec-user$'
KEYS=$EI_OUT

# ------------------------------------------- pkcs11-tool: what NSS wrote
ei_say "the objects NSS created, seen through pkcs11-tool"
ei_must p11-public "pkcs11-tool --list-objects without login" \
	"${EI_P11[@]}" --slot "$EI_SLOT" --list-objects
ei_check_match "the certificates are public token objects" '^Certificate Object; type = X.509 cert'
ei_check_lacks "no private key is visible without login" "Private Key Object"
ei_must p11-private "pkcs11-tool --list-objects with login" \
	"${EI_P11[@]}" --slot "$EI_SLOT" --login --pin "$USER_PIN" --list-objects
for k in rsa ec; do
	id=$(sed -nE "s/^< *[0-9]+> (rsa|ec) +([0-9a-f]+) +(.*:)?$k-user\$/\2/p" "$KEYS" | head -n 1)
	[ -n "$id" ] || ei_fail "certutil -K shows a key ID for $k-user"
	# pkcs11-tool prints a private key as "label: X" then "ID: hex".
	if ! awk -v id="$id" -v n="$k-user" '
		/^Private Key Object/ { priv = 1; lab = ""; next }
		/^[A-Z]/ { priv = 0 }
		priv && /^  label:/ { lab = $2 }
		priv && /^  ID:/ && $2 == id && lab == n { found = 1 }
		END { exit !found }' "$EI_OUT"; then
		ei_fail_log "the $k private key carries CKA_ID $id and CKA_LABEL $k-user (set by NSS with C_SetAttributeValue)" \
			"no such private key in pkcs11-tool's listing" "$EI_OUT" 60
	fi
	ei_ok "the $k private key carries CKA_ID $id and CKA_LABEL $k-user (set by NSS with C_SetAttributeValue)"
done

# ------------------------------------ signatures with the imported keys
ei_say "NSS signs certificate requests with the imported keys; OpenSSL verifies them"
pubkey_of() { openssl "$1" -in "$2" -noout -pubkey | openssl pkey -pubin -noout -text | sed -n '/^\(Modulus\|pub\):/,/^[A-Z]/p'; }
csr_check() { # NAME KIND SIG-ALG-TEXT
	local name=$1 kind=$2 alg=$3
	ei_must "$name-verify" "OpenSSL verifies the signature of $name.pem" \
		openssl req -in "$EI_TMP/$name.pem" -verify -noout
	ei_check_has "OpenSSL: $name.pem self-signature OK" "verify OK"
	ei_must "$name-text" "OpenSSL parses $name.pem" openssl req -in "$EI_TMP/$name.pem" -noout -text
	ei_check_has "$name.pem is signed with $alg" "Signature Algorithm: $alg"
	local req_pub cert_pub
	req_pub=$(pubkey_of req "$EI_TMP/$name.pem")
	cert_pub=$(pubkey_of x509 "$PKI/$kind.pem")
	if [ -z "$req_pub" ] || [ "$req_pub" != "$cert_pub" ]; then
		ei_fail "$name.pem carries the public key of the imported $kind certificate" \
			"request: ${req_pub:0:60}..." "certificate: ${cert_pub:0:60}..."
	fi
	ei_ok "$name.pem carries the public key of the imported $kind certificate (so the token key is the imported one)"
}
ei_must rsa-req "certutil -R signs with the RSA key on the token (CKM_RSA_PKCS)" \
	certutil -R -d "sql:$DB" -h "$TOKEN" -k "$TOKEN:rsa-user" -s "O=e-Cert interop,CN=Interop RSA User" \
	-Z SHA256 -f "$EI_TMP/token.pw" -a -o "$EI_TMP/rsa-req.pem"
csr_check rsa-req rsa sha256WithRSAEncryption
ei_must rsa-pss-req "certutil -R --pss signs with the RSA key on the token (CKM_RSA_PKCS_PSS)" \
	certutil -R -d "sql:$DB" -h "$TOKEN" -k "$TOKEN:rsa-user" -s "O=e-Cert interop,CN=Interop RSA User" \
	-Z SHA256 --pss -f "$EI_TMP/token.pw" -a -o "$EI_TMP/rsa-pss-req.pem"
csr_check rsa-pss-req rsa rsassaPss
ei_must ec-req "certutil -R signs with the EC key on the token (CKM_ECDSA)" \
	certutil -R -d "sql:$DB" -h "$TOKEN" -k "$TOKEN:ec-user" -s "O=e-Cert interop,CN=Interop EC User" \
	-Z SHA256 -f "$EI_TMP/token.pw" -a -o "$EI_TMP/ec-req.pem"
csr_check ec-req ec ecdsa-with-SHA256

ei_finish
