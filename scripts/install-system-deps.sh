#!/usr/bin/env bash
# Debian packages the reports need: pango for WeasyPrint (PDF), a CJK font so Chinese is not
# boxes; for the tests, chromium (report screenshots, the web view's browser tests),
# chromium-driver (Selenium drives chromium through it), poppler-utils and redis-server (the
# zones' broker in the tests; its packaged service is not started). Installs only what is
# missing; quiet; safe to run again. Needs root (CI runs it as root); otherwise, or when apt
# fails, it says what to install. `--list-pdf` prints the packages the product itself needs
# (scripts/make-offline-bundle.sh).
set -euo pipefail
PDF_PACKAGES=(fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0)
TEST_PACKAGES=(chromium chromium-driver poppler-utils redis-server)
if [ "${1:-}" = --list-pdf ]; then echo "${PDF_PACKAGES[*]}"; exit 0; fi
PACKAGES=("${PDF_PACKAGES[@]}" "${TEST_PACKAGES[@]}")
if ! command -v dpkg-query >/dev/null || ! command -v apt-get >/dev/null; then
  echo "not a Debian system (no dpkg-query/apt-get): install the equivalents of ${PACKAGES[*]}" >&2
  exit 1
fi
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
still_missing() { local p out=(); for p in "$@"; do installed "$p" || out+=("$p"); done; echo "${out[*]}"; }
read -r -a missing <<<"$(still_missing "${PACKAGES[@]}")"
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages: ${missing[*]} (run this script as root, or: sudo apt-get install ${missing[*]})" >&2
  exit 1
fi
fail() {
  echo "could not install Debian packages: ${missing[*]} ($1); install them by hand: apt-get install ${missing[*]}" >&2
  exit 1
}
export DEBIAN_FRONTEND=noninteractive
# apt's own error lines (stderr) stay visible; its progress (stdout) does not.
apt-get update -qq >/dev/null || fail "apt-get update failed: check the sources in /etc/apt and the network"
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
  || fail "apt-get install failed; if it reports unmet dependencies of installed packages, 'apt-get --fix-broken install' repairs dpkg first"
left=$(still_missing "${missing[@]}")
[ -z "$left" ] || { missing=($left); fail "apt-get reported success but they are not installed"; }
