#!/usr/bin/env bash
# Installs what is needed, builds ecert-token and shows it working, the way
# Hongkong Post's user guide walks through an e-Cert Token, with the token
# manager `ecert-token`:
#   the issuer makes a token (SO password, 8-digit PIN envelope password);
#   the owner sees it must change the password, is refused a weak one, changes
#   it; an e-Cert (PKCS#12 made here by a throwaway test CA) is imported; the
#   certificate is viewed; the module is loaded into a Firefox profile as the
#   security device "e-Cert Token"; a signature made on the token is checked
#   with OpenSSL against the certificate; the same in Traditional Chinese.
# Everything lives in a temporary directory (tokens, the Firefox-style HOME)
# and is deleted at the end. The passwords are throwaway values given through
# the environment variables ecert-token documents for automation; a person
# types them at its prompts instead.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# What apt-get and the compiler say goes to a log, shown only on failure: the
# story below is what the demo is for.
mkdir -p "$root/build-demo"
log="$root/build-demo/setup.log"
: >"$log"
quietly() {
  local what="$1"
  shift
  printf '%s... ' "$what"
  if "$@" >>"$log" 2>&1; then
    echo done
  else
    echo failed
    tail -n 60 "$log"
    echo "(all of it: $log)" >&2
    exit 1
  fi
}
quietly "installing packages (apt-get)" "$root/scripts/deps.sh"
quietly "building ecert-token" "$root/scripts/build.sh" "$root/build-demo" -DECERT_BUILD_TESTS=OFF -DECERT_BUILD_BENCH=OFF
module="$root/build-demo/src/pkcs11/libecert-pkcs11.so"
et="$root/build-demo/src/cli/ecert-token"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export ECERT_TOKEN_DIR="$work/tokens" HOME="$work/home"
mkdir -p "$HOME"
step() { printf '\n== %s\n' "$*"; }

step "the token manager and its module: $et --module $module"
"$et" list

step "the issuer makes the token; the initial password goes into the PIN envelope file"
ECERT_TOKEN_SO_PIN='Demo-SO#2026' "$et" init --label "e-Cert Token" --envelope "$work/envelope"
ls -l "$work/envelope"
cat "$work/envelope"
"$et" info

step "the owner changes the token password: a weak one is refused with the rule it breaks"
ECERT_TOKEN_NEW_PIN='password' "$et" change-pin --pin-file "$work/envelope" || echo "(exit $?)"
ECERT_TOKEN_NEW_PIN='Demo-User#2026' "$et" change-pin --pin-file "$work/envelope"
export ECERT_TOKEN_PIN='Demo-User#2026'

step "an e-Cert issued as PKCS#12 (made here by a throwaway test CA) is put on the token"
mkdir -p "$work/pki"
python3 -c "import sys; sys.path.insert(0, '$root/tests/e2e'); import pki; pki.make_pki('$work/pki', 'demo-p12')"
ECERT_TOKEN_P12_PASSWORD=demo-p12 "$et" import "$work/pki/rsa.p12" --label "陳大文 e-Cert"
"$et" certs --login

step "viewing the e-Cert (the user guide's Advanced View > My Token > certificate)"
"$et" show --login "陳大文 e-Cert"

step "loading the module into Firefox as the security device \"e-Cert Token\""
profile="$HOME/.mozilla/firefox/demo.default-esr"
mkdir -p "$profile"
printf '[Profile0]\nName=default-esr\nIsRelative=1\nPath=demo.default-esr\nDefault=1\n' \
  >"$HOME/.mozilla/firefox/profiles.ini"
"$et" browser install
modutil -dbdir "sql:$profile" -list "e-Cert Token" | sed -n '1,6p'

step "a signature made on the token, checked by OpenSSL with the certificate"
id="$("$et" --json certs | python3 -c 'import json,sys; print([c["id"] for c in json.load(sys.stdin) if c["label"]=="陳大文 e-Cert"][0])')"
echo "e-Cert demo message" >"$work/message"
pkcs11-tool --module "$module" --login --pin env:ECERT_TOKEN_PIN --sign -m SHA256-RSA-PKCS --id "$id" \
  -i "$work/message" -o "$work/signature" 2>/dev/null
"$et" export-cert "陳大文 e-Cert" -o "$work/ecert.pem" >/dev/null
openssl x509 -in "$work/ecert.pem" -pubkey -noout >"$work/pub.pem"
openssl dgst -sha256 -verify "$work/pub.pem" -signature "$work/signature" "$work/message"

step "the same manager in Traditional Chinese (LANG=zh_HK.UTF-8)"
LANG=zh_HK.UTF-8 LC_ALL=zh_HK.UTF-8 "$et" info
LANG=zh_HK.UTF-8 LC_ALL=zh_HK.UTF-8 ECERT_TOKEN_NEW_PIN='abc' "$et" change-pin || echo "(exit $?)"
