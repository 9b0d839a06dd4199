#!/usr/bin/env bash
# Installs what ecert-token needs to build and test on Debian 12 (run as root,
# or with sudo available). Safe to run again: apt-get skips what is there.
set -euo pipefail
packages=(
  build-essential cmake ninja-build pkg-config
  libssl-dev libargon2-dev libsqlite3-dev libp11-kit-dev
  libgtest-dev libgmock-dev
  # the token manager: options, JSON, translations, password prompt, INI files
  libcli11-dev nlohmann-json3-dev gettext libbsd-dev libinih-dev locales
  # real peers for the interoperability tests and the benchmark
  opensc libnss3-tools gnutls-bin p11-kit softhsm2 openssl sqlite3 python3
  python3-pexpect groff-base xxd
  # the clients that log in with the token (tests/clients) and the pinentry
  # of the protected authentication path
  firefox-esr libengine-pkcs11-openssl curl openssh-server openssh-client
  libassuan-dev pinentry-curses
  # Chromium in a window on a virtual display, driven by chromedriver; its
  # unlock window is answered from the keyboard (xdotool), the screen
  # captured with xwd
  chromium chromium-driver python3-selenium xvfb xdotool x11-apps
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

# The manager's Chinese output is tested in the zh_HK and zh_TW locales.
need_locales=()
for l in zh_HK zh_TW; do
  locale -a 2>/dev/null | grep -qi "^$l.utf-\?8$" || need_locales+=("$l")
done
if ((${#need_locales[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  for l in "${need_locales[@]}"; do
    $sudo sed -i "s/^# *\($l.UTF-8 UTF-8\)/\1/" /etc/locale.gen
  done
  $sudo locale-gen >/dev/null
fi
