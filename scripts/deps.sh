#!/usr/bin/env bash
# Installs what ecert-token needs to build and test on Debian 12 (run as root,
# or with sudo available). Safe to run again: apt-get skips what is there.
set -euo pipefail
packages=(
  build-essential cmake ninja-build pkg-config
  libssl-dev libargon2-dev libsqlite3-dev libp11-kit-dev
  libgtest-dev libgmock-dev
  # real peers for the interoperability tests and the benchmark
  opensc libnss3-tools gnutls-bin p11-kit softhsm2 openssl sqlite3 python3
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
