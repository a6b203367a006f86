#!/usr/bin/env bash
# Install headless Chromium (Debian package) and poppler-utils (pdffonts, pdftoppm) for the
# browser checks in tests/test_browser.py. Idempotent: apt runs only for what is missing.
# Never downloads a browser from anywhere but the system package manager.
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || [[ -x /usr/bin/chromium ]] || missing+=(chromium)
command -v pdffonts >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)

# Prepare the source of the pages' embedded CJK web font (analysis.report.fonts.prepare_font: the Noto
# Sans CJK SC face as TrueType, cached in .venv/share/analysis-fonts/, ~36 s CPU once; later
# calls are instant). `make setup` does the same; pages render without it, only slower.
# The browser itself needs no font preparation: every page carries its own font.
prepare_fonts() {
    local py=".venv/bin/python"
    [[ -x $py ]] || { echo "setup-browser: no .venv yet; \`make setup\` prepares the web-font source"; return 0; }
    "$py" -m analysis.report.fonts || fail "could not prepare the CJK web-font source (run \`make setup\` first?)"
}

cd "$(dirname "$0")/.."

fail() {
    echo "setup-browser: ERROR: $*" >&2
    echo "setup-browser: install manually: apt-get install chromium poppler-utils (as root)," \
         "or point CHROMIUM=/path/to/chrome at an existing Chromium/Chrome." >&2
    exit 1
}

if [[ ${#missing[@]} -eq 0 ]]; then
    echo "setup-browser: chromium and poppler-utils already installed"
    prepare_fonts
    exit 0
fi

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
prepare_fonts
