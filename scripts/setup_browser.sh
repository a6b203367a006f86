#!/usr/bin/env bash
# Install headless Chromium (Debian package) and poppler-utils (pdffonts, pdftoppm) for the
# browser checks in tests/test_browser.py. Idempotent: does nothing when both are present.
# Never downloads a browser from anywhere but the system package manager.
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || [[ -x /usr/bin/chromium ]] || missing+=(chromium)
command -v pdffonts >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)

if [[ ${#missing[@]} -eq 0 ]]; then
    echo "setup-browser: chromium and poppler-utils already installed"
    exit 0
fi

fail() {
    echo "setup-browser: ERROR: $*" >&2
    echo "setup-browser: install manually: apt-get install chromium poppler-utils (as root)," \
         "or point CHROMIUM=/path/to/chrome at an existing Chromium/Chrome." >&2
    exit 1
}

command -v apt-get >/dev/null 2>&1 || fail "apt-get not found (not a Debian/Ubuntu system); cannot install ${missing[*]}"

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 || fail "need root (or sudo) to install ${missing[*]}"
    SUDO=(sudo -n)
fi

echo "setup-browser: installing ${missing[*]} with apt-get (quiet)..."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq >"$log" 2>&1 || { cat "$log" >&2; fail "apt-get update failed"; }
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$log" 2>&1 \
    || { tail -n 30 "$log" >&2; fail "apt-get install ${missing[*]} failed"; }

command -v chromium >/dev/null 2>&1 || fail "chromium still not on PATH after installation"
command -v pdffonts >/dev/null 2>&1 || fail "pdffonts still not on PATH after installation"
echo "setup-browser: $(chromium --version 2>/dev/null || echo chromium) installed"
