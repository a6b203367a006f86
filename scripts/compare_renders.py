"""Compare two rendered report folders, byte for byte, with the code masked.

Usage: .venv/bin/python scripts/compare_renders.py BEFORE AFTER

Made for refactors that must not change what a reader sees (moving the package, splitting a module):
every output file must be byte-identical except ``manifest.json`` (it hashes the code) and the
notebooks' code cells (their import lines name modules). In ``.ipynb`` files the code cells' source is
blanked; in ``.html`` files every code cell's input area is removed before comparing. Prints one line
per differing, missing or extra file and exits 1 if there is any.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

MASKED_NAMES = {"manifest.json"}
CODE_INPUT = re.compile(r'<div class="highlight hl-ipython3"><pre>.*?</pre>', re.S)


def masked_notebook(raw: bytes) -> bytes:
    """Return a notebook's JSON with every code cell's source blanked."""
    nb = json.loads(raw)
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["source"] = ""
    return json.dumps(nb, sort_keys=True, ensure_ascii=False).encode()


def masked_html(raw: bytes) -> bytes:
    """Return an HTML page with the code cells' input areas removed."""
    return CODE_INPUT.sub("", raw.decode("utf-8", "replace")).encode()


def comparable(path: Path) -> bytes:
    """Return a file's bytes with the code masked where it shows."""
    raw = path.read_bytes()
    if path.suffix == ".ipynb":
        return masked_notebook(raw)
    if path.suffix == ".html":
        return masked_html(raw)
    return raw


def files_under(root: Path) -> dict[str, Path]:
    """Return every output file under a render folder by its relative path."""
    return {
        str(p.relative_to(root)): p for p in sorted(root.rglob("*"))
        if p.is_file() and p.name not in MASKED_NAMES and not p.name.startswith(".")
    }


def differences(before: Path, after: Path) -> list[str]:
    """Return one line per file that differs, is missing or is extra."""
    old, new = files_under(before), files_under(after)
    lines = [f"missing: {name}" for name in sorted(old.keys() - new.keys())]
    lines += [f"extra: {name}" for name in sorted(new.keys() - old.keys())]
    lines += [f"differs: {name}" for name in sorted(old.keys() & new.keys()) if comparable(old[name]) != comparable(new[name])]
    return lines


def main(argv: list[str]) -> int:
    """Compare two render folders and print what differs."""
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    before, after = Path(argv[0]), Path(argv[1])
    lines = differences(before, after)
    for line in lines:
        print(line)
    count = len(files_under(before))
    print(f"{count} files compared, {len(lines)} differ" if lines else f"{count} files compared: identical (code masked)")
    return 1 if lines else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
