#!/usr/bin/env bash
# Install what a fresh Debian machine lacks, idempotently: Debian packages (fonts, HarfBuzz subsetting, poppler,
# Chromium for browser tests, npm for the pinned htmx), the Python virtualenv with pinned packages, and htmx.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES="fonts-liberation2 libharfbuzz-subset0 poppler-utils chromium npm faketime"
missing=""
for p in $APT_PACKAGES; do
  if [ "$p" = npm ] && command -v npm >/dev/null 2>&1; then continue; fi
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "Installing Debian packages:$missing"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)
if [ ! -f "$stamp" ]; then
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -e ".[test]"
  rm -f .venv/.installed-*; touch "$stamp"
fi
.venv/bin/python scripts/fetch_vendor.py
