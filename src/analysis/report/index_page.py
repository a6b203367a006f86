"""reports/index.html: every period and language."""

from __future__ import annotations

import html
from pathlib import Path

from analysis.report.page_html import postprocess_html
from analysis.report.pages import PAGES
from analysis.report.params import LANGS
from analysis.report.periods import PERIOD_RE, parse_period, quarter_end
from analysis.report.swap import write_atomic


def period_languages(period_dir: Path) -> list[str]:
    """Return the languages a rendered period has pages in."""
    found = {p.name.split(".")[-2] for p in period_dir.glob("*.html")}
    return [lang for lang in LANGS if lang in found]


def index_html(out_dir: Path) -> str:
    """Return reports/index.html: every rendered period (newest first) and its pages per language."""
    esc = html.escape
    rows = []
    periods = sorted((p.name for p in out_dir.iterdir() if p.is_dir() and PERIOD_RE.fullmatch(p.name)),
                     key=parse_period, reverse=True)
    for period in periods:
        period_dir = out_dir / period
        cells = []
        for lang in period_languages(period_dir):
            pages = [p.name for p in PAGES if not p.per_target and (period_dir / f"{p.name}.{lang}.html").exists()]
            links = " · ".join(f'<a href="{esc(period)}/{esc(name)}.{esc(lang)}.html">{esc(name)}</a>' for name in pages)
            projections = sorted((period_dir / "projection").glob(f"*.{lang}.html"))
            if projections:
                inner = " · ".join(
                    f'<a href="{esc(period)}/projection/{esc(p.name)}">{esc(p.name[: -len(f".{lang}.html")])}</a>'
                    for p in projections
                )
                links += f"<br><small>projection: {inner}</small>"
            cells.append(f"<li><b>{esc(lang)}</b>: {links}</li>")
        extra = ' · <a href="{0}/status.csv">status.csv</a>'.format(esc(period)) if (period_dir / "status.csv").exists() else ""
        rows.append(f"<section><h2>{esc(period)} <small>(as of {esc(quarter_end(period).isoformat())}){extra}</small></h2>"
                    f"<ul>{''.join(cells)}</ul></section>")
    title = "宁波 2027 目标跟踪 · Ningbo 2027 target tracker"
    body = "\n".join(rows) or "<p>No reports yet. Run <code>make reports</code>.</p>"
    return (
        "<!DOCTYPE html>\n<html lang=\"zh\">\n<head><meta charset=\"utf-8\">"
        f"<title>{esc(title)}</title>\n<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}}"
        "h2 small{font-weight:normal;color:#555}</style></head>\n"
        f"<body>\n<h1>{esc(title)}</h1>\n{body}\n</body>\n</html>\n"
    )


INDEX_SOURCE = ".index-source.html"


def write_index(out_dir: Path) -> bool:
    """Write <out>/index.html when the list of rendered pages changed; return whether it was written."""
    source = index_html(out_dir)
    page = out_dir / "index.html"
    kept = out_dir / INDEX_SOURCE
    if page.is_file() and kept.is_file() and kept.read_text(encoding="utf-8") == source:
        return False  # unchanged: a no-op rerun skips the page post-processing
    write_atomic(page, postprocess_html(source))
    write_atomic(kept, source)
    return True
