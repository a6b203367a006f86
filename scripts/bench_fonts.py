"""Benchmark the embedded CJK web font on rendered pages: time per page, size with/without, same bytes.

Usage: .venv/bin/python scripts/bench_fonts.py PAGE.html [PAGE.html ...] [--full-face]

For each page (its embedded font removed first): the best of three embed_cjk_subset runs from the
prepared TrueType copy, the bytes of the page without and with the font, the font's size, and
whether two runs give the same bytes. With --full-face, the same page subset from the full CFF
face (what a page costs without `make setup`'s prepared copy) is timed too, as the baseline
measured in the same run.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from analysis.report import fonts


def best_of(n: int, func, *args):  # noqa: ANN001, ANN201
    """Return (fastest seconds, result) of n calls."""
    best, result = float("inf"), None
    for _ in range(n):
        start = time.perf_counter()
        result = func(*args)
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> int:
    """Print one line per page and the totals."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="+", type=Path)
    parser.add_argument("--full-face", action="store_true", help="also time the subset from the full face")
    args = parser.parse_args()
    fonts.prepare_font()
    empty_cache = Path(tempfile.mkdtemp(prefix="bench-fonts-"))
    print("page\tchars\tembed_s\tfull_face_s\tratio\tpage_kB\twith_font_kB\tfont_kB\tsame_bytes")
    total = total_full = 0.0
    for path in args.pages:
        plain = fonts._EMBEDDED_STYLE.sub("", path.read_text(encoding="utf-8"))
        seconds, embedded = best_of(3, fonts.embed_cjk_subset, plain)
        same = fonts.embed_cjk_subset(plain) == embedded
        font = fonts.embedded_font(embedded) or b""
        full = float("nan")
        if args.full_face:
            full, _ = best_of(1, fonts.subset_woff, fonts.page_text(plain), empty_cache)
            total_full += full
        total += seconds
        chars = len(fonts.font_characters(fonts.page_text(plain)))
        print(f"{path.name}\t{chars}\t{seconds:.3f}\t{full:.3f}\t{full / seconds:.1f}\t"
              f"{len(plain.encode()) / 1e3:.0f}\t{len(embedded.encode()) / 1e3:.0f}\t{len(font) / 1e3:.0f}\t{same}")
    ratio = f", full face {total_full:.1f}s ({total_full / total:.1f}x)" if args.full_face else ""
    print(f"total {len(args.pages)} pages: prepared copy {total:.1f}s{ratio}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
