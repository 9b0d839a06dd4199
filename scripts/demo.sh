#!/usr/bin/env bash
# Installs what is needed, builds ecert-token and shows it working: a fresh
# e-Cert Token in a temporary directory, set up as Hongkong Post would issue it
# (SO PIN, 8-digit envelope PIN), the envelope PIN changed by its owner (typed
# at pkcs11-tool's prompt), RSA-2048 and P-256 keys made on the token, and a
# signature checked with OpenSSL. The demo's PINs are throwaway values for a
# throwaway token; the token is deleted at the end.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/deps.sh"
"$root/scripts/build.sh" "$root/build-demo" -DECERT_BUILD_TESTS=OFF -DECERT_BUILD_BENCH=OFF
module="$root/build-demo/src/pkcs11/libecert-pkcs11.so"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export ECERT_TOKEN_DIR="$work/tokens"
so_pin='Demo-SO#2026'
envelope="$(printf '%08d' $((RANDOM * RANDOM % 100000000)))"
user_pin='Demo-User#2026'
tool() { pkcs11-tool --module "$module" "$@"; }

echo "== the module: $module"
echo "== token directory: $ECERT_TOKEN_DIR (spare slot 0 holds an uninitialised token)"
tool --list-slots
echo "== the issuer initialises the token and sets the envelope PIN"
tool --slot 0 --init-token --label "e-Cert Token" --so-pin "$so_pin"
tool --slot 0 --init-pin --login --login-type so --so-pin "$so_pin" --new-pin "$envelope"
echo "== the envelope PIN must be changed before use:"
tool --slot 0 --login --pin "$envelope" --list-objects 2>&1 | grep -m1 C_Login || true
echo "== the owner changes it, typing the envelope PIN at the prompt"
OLD_PIN="$envelope" python3 "$root/tests/interop/pty_answer.py" --expect "current PIN" --answer-env OLD_PIN -- \
  pkcs11-tool --module "$module" --slot 0 --change-pin --new-pin "$user_pin"
echo "== key pairs made on the token"
tool --slot 0 --login --pin "$user_pin" --keypairgen --key-type rsa:2048 --id 01 --label "e-Cert RSA" >/dev/null
tool --slot 0 --login --pin "$user_pin" --keypairgen --key-type EC:prime256v1 --id 02 --label "e-Cert P-256" >/dev/null
tool --slot 0 --list-objects
echo "== an ECDSA-SHA256 signature made on the token, checked by OpenSSL"
echo "e-Cert demo message" >"$work/message"
tool --slot 0 --login --pin "$user_pin" --sign -m ECDSA-SHA256 --id 02 --signature-format openssl \
  -i "$work/message" -o "$work/signature" 2>/dev/null
tool --slot 0 --read-object --type pubkey --id 02 -o "$work/pub.der" 2>/dev/null
openssl pkey -pubin -inform DER -in "$work/pub.der" -out "$work/pub.pem"
openssl dgst -sha256 -verify "$work/pub.pem" -signature "$work/signature" "$work/message"
echo "== token state"
tool --list-token-slots
