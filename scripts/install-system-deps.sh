#!/usr/bin/env bash
# Debian packages the reports need: pango for WeasyPrint (PDF), a CJK font so Chinese is not
# boxes, chromium and poppler-utils for the report tests. Installs only what is missing; quiet;
# safe to run again. Needs root (CI runs it as root); otherwise it says what to install.
# `--list-pdf` prints the packages the product itself needs (scripts/make-offline-bundle.sh).
set -euo pipefail
PDF_PACKAGES=(fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0)
TEST_PACKAGES=(chromium poppler-utils)
if [ "${1:-}" = --list-pdf ]; then echo "${PDF_PACKAGES[*]}"; exit 0; fi
PACKAGES=("${PDF_PACKAGES[@]}" "${TEST_PACKAGES[@]}")
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages: ${missing[*]} (run this script as root, or: sudo apt-get install ${missing[*]})" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
