"""reports/index.html: every period and language, each period's targets by name, grouped by theme, with status.

The page is rebuilt only when its inputs changed (the rendered pages, each period's assessment.json,
the data tables naming the targets and this module's words): an unchanged rerun compares one key
and never imports pandas.
"""

from __future__ import annotations

import hashlib
import html
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from analysis.report.i18n import t
from analysis.report.manifest import REPO_ROOT
from analysis.report.page_html import postprocess_html
from analysis.report.pages import ASSESSMENT_FILE, PAGES
from analysis.report.params import LANGS
from analysis.report.periods import PERIOD_RE, parse_period, quarter_end
from analysis.report.swap import write_atomic

INDEX_SOURCE = ".index-source.html"
INDEX_KEY = ".index-key"
INDEX_VERSION = 2  # bump when the page's layout changes
NAME_FILES = ("indicators.csv", "regions.csv", "targets.csv", "indicator_themes.csv")  # the data naming and grouping targets
WORD_MODULES = ("i18n.py", "index_page.py", "wording.py", "labels_assessment.py")  # the code wording the page


@dataclass(frozen=True)
class Entry:
    """One target of a period as the index lists it: theme, name, status words, its page (relative href or '')."""

    theme: str
    label: str
    status: str
    status_code: str
    href: str
    counted: bool = True  # in the headline counts (statuses.counts): Ningbo and its zones, a target stated twice once
    year: int = 0


def period_dirs(out_dir: Path) -> list[str]:
    """Return the rendered periods under out_dir, newest first."""
    return sorted((p.name for p in out_dir.iterdir() if p.is_dir() and PERIOD_RE.fullmatch(p.name)), key=parse_period, reverse=True)


def period_languages(period_dir: Path) -> list[str]:
    """Return the languages a rendered period has pages in."""
    found = {p.name.split(".")[-2] for p in period_dir.glob("*.html")}
    found |= {p.name.split(".")[-2] for p in period_dir.glob("projection/*.html")}
    return [lang for lang in LANGS if lang in found]


def file_digest(path: Path) -> str:
    """Return the sha256 of a file's bytes ('' when absent)."""
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""


def data_dir_of(out_dir: Path, data_dir: Path | None) -> Path:
    """Return the data directory naming the targets: given, else the newest period's render parameter, else data/."""
    if data_dir is not None:
        return Path(data_dir)
    for period in period_dirs(out_dir):
        try:
            relative = json.loads((out_dir / period / "manifest.json").read_text(encoding="utf-8"))["parameters"]["data_dir"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if isinstance(relative, str) and (out_dir / period / relative).is_dir():
            return (out_dir / period / relative).resolve()
    return REPO_ROOT / "data"


def index_key(out_dir: Path, data_dir: Path) -> str:
    """Return a digest of everything the index shows: pages per period, records, naming data, wording code."""
    here = Path(__file__).resolve().parent
    parts: list[Any] = [INDEX_VERSION, [file_digest(data_dir / name) for name in NAME_FILES],
                        [file_digest(here / name) for name in WORD_MODULES]]
    for period in period_dirs(out_dir):
        folder = out_dir / period
        pages = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.html"))
        parts.append([period, pages, file_digest(folder / ASSESSMENT_FILE), (folder / "status.csv").is_file()])
    return hashlib.sha256(json.dumps(parts).encode("utf-8")).hexdigest()


def safe_href(*parts: str) -> str:
    """Return a relative report path for an href, escaped (never a scheme or an absolute path)."""
    href = "/".join(parts)
    if ":" in href.split("/")[0] or href.startswith(("/", "\\")):
        raise ValueError(f"not a relative report path: {href!r}")
    return html.escape(href, quote=True)


def page_label(name: str, lang: str) -> str:
    """Return a page's name for readers (index.page.<name>), the file stem when it has none."""
    from analysis.report.i18n import has

    return t(f"index.page.{name}", lang) if has(f"index.page.{name}") else name


def target_entries(dataset: Any, records: list[Any] | None, period_dir: Path, lang: str, themes: dict[str, str]) -> list[Entry]:
    """Return the period's targets (the record's, else those with a page) as index entries, a target stated twice once.

    Without a readable dataset (None) the pages are listed by file name.
    """
    from analysis.report import record_text
    from analysis.report.wording import target_label

    pages = {p.name[: -len(f".{lang}.html")] for p in (period_dir / "projection").glob(f"*.{lang}.html")}
    if dataset is None:  # the data cannot be read (the render would have said why): the pages by file name
        return [Entry("other", stem, "", "", safe_href(period_dir.name, "projection", f"{stem}.{lang}.html")) for stem in sorted(pages)]
    judged = records is not None
    rows = list(records) if judged else [r for r in dataset.targets.itertuples(index=False) if r.target_id in pages]
    listed = {str(r.target_id) for r in rows}
    entries = []
    for r in rows:
        if str(getattr(r, "duplicate_of", "") or "") in listed:
            continue
        tid = str(r.target_id)
        href = safe_href(period_dir.name, "projection", f"{tid}.{lang}.html") if tid in pages else ""
        entries.append(Entry(themes.get(r.indicator_id, "other"), target_label(dataset, r, lang),
                             record_text.status(r, lang) if judged else "", str(r.status) if judged else "", href,
                             bool(r.counted) if judged else True, int(r.target_year)))
    for stem in sorted(pages - listed - set(dataset.targets["target_id"])):  # a page of no known target: listed by its file name
        entries.append(Entry("other", stem, "", "", safe_href(period_dir.name, "projection", f"{stem}.{lang}.html")))
    return entries


def entry_items(entries: Iterable[Entry]) -> str:
    """Return entries as list items: the name linked to its page when it has one, then the status words."""
    esc = html.escape
    items = []
    for e in sorted(entries, key=lambda e: -e.year):  # the plan's targets first, the 2022 targets after; stable within
        name = f'<a href="{e.href}">{esc(e.label)}</a>' if e.href else esc(e.label)
        status = f' <span class="status s-{esc(e.status_code)}">{esc(e.status)}</span>' if e.status else ""
        items.append(f"<li>{name}{status}</li>")
    return f"<ul>{''.join(items)}</ul>"


def theme_lists(entries: Iterable[Entry], lang: str) -> str:
    """Return the entries as one list per theme, themes in the briefing's order."""
    from analysis.report.target_charts import THEMES

    by_theme: dict[str, list[Entry]] = {}
    for e in entries:
        by_theme.setdefault(e.theme if e.theme in THEMES else "other", []).append(e)
    return "\n".join(f"<h4>{html.escape(t(f'theme.{theme}', lang))}</h4>\n{entry_items(by_theme[theme])}" for theme in THEMES if theme in by_theme)


def language_block(dataset: Any, period_dir: Path, lang: str, themes: dict[str, str]) -> str:
    """Return one language's part of a period: its pages by name, then its targets by theme with status."""
    esc = html.escape
    period = period_dir.name
    pages = [p.name for p in PAGES if not p.per_target and (period_dir / f"{p.name}.{lang}.html").exists()]
    links = " · ".join(f'<a href="{safe_href(period, f"{name}.{lang}.html")}">{esc(page_label(name, lang))}</a>' for name in pages)
    record_file = period_dir / ASSESSMENT_FILE
    records = None
    if record_file.is_file():
        from analysis.assess import statuses

        records = statuses.read_records(record_file)
    entries = target_entries(dataset, records, period_dir, lang, themes)
    counted = [e for e in entries if e.counted]
    others = [e for e in entries if not e.counted]
    targets = f"<h3>{esc(t('index.targets', lang, n=len(counted)))}</h3>\n{theme_lists(counted, lang)}" if counted else ""
    if others:
        targets += f"\n<h3>{esc(t('index.other_targets', lang, n=len(others)))}</h3>\n{entry_items(others)}"
    return (f'<div lang="{esc(lang)}"><h3>{esc(t("index.language", lang))}</h3>\n'
            f"<p>{links}</p>\n{targets}</div>")


def index_html(out_dir: Path, data_dir: Path | None = None) -> str:
    """Return reports/index.html: every rendered period (newest first, the latest open) with its pages and targets per language."""
    from analysis.data import csvfile, loader
    from analysis.report.source_tables import indicator_themes

    esc = html.escape
    folder = data_dir_of(out_dir, data_dir)
    try:
        dataset, themes = loader.load(folder), indicator_themes(folder)
    except (csvfile.DataValidationError, OSError):
        dataset, themes = None, {}
    sections = []
    for i, period in enumerate(period_dirs(out_dir)):
        period_dir = out_dir / period
        blocks = "\n".join(language_block(dataset, period_dir, lang, themes) for lang in period_languages(period_dir))
        extra = f' · <a href="{safe_href(period, "status.csv")}">status.csv</a>' if (period_dir / "status.csv").exists() else ""
        sections.append(f"<details{' open' if i == 0 else ''}><summary><b>{esc(period)}</b> "
                        f"<small>({esc(t('index.as_of', 'zh'))} / {esc(t('index.as_of', 'en'))} {esc(quarter_end(period).isoformat())}){extra}</small>"
                        f"</summary>\n{blocks}\n</details>")
    title = f"{t('index.title', 'zh')} · {t('index.title', 'en')}"
    body = "\n".join(sections) or f"<p>{esc(t('index.empty', 'en'))}</p>"
    return (
        "<!DOCTYPE html>\n<html lang=\"zh\">\n<head><meta charset=\"utf-8\">"
        f"<title>{esc(title)}</title>\n<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.4}}"
        "summary{font-size:1.3em;margin:.6em 0;cursor:pointer}summary small{font-weight:normal;color:#555;font-size:.7em}"
        "h4{margin:.8em 0 .2em}ul{margin:0;padding-left:1.4em}.status{color:#555;font-size:.9em}"
        ".status::before{content:'· '}.s-met,.s-on_track,.s-likely{color:#1a7f37}.s-unlikely,.s-off_track,.s-missed{color:#b42318}"
        "</style></head>\n"
        f"<body>\n<h1>{esc(title)}</h1>\n{body}\n</body>\n</html>\n"
    )


def write_index(out_dir: Path, data_dir: Path | None = None) -> bool:
    """Write <out>/index.html when what it shows changed; return whether it was written."""
    folder = data_dir_of(out_dir, data_dir)
    key = index_key(out_dir, folder)
    page, kept, key_file = out_dir / "index.html", out_dir / INDEX_SOURCE, out_dir / INDEX_KEY
    if page.is_file() and kept.is_file() and key_file.is_file() and key_file.read_text(encoding="utf-8") == key:
        return False  # nothing it shows changed: a no-op rerun neither loads the data nor post-processes the page
    source = index_html(out_dir, folder)
    if not (page.is_file() and kept.is_file() and kept.read_text(encoding="utf-8") == source):
        write_atomic(page, postprocess_html(source))
        write_atomic(kept, source)
        written = True
    else:
        written = False
    write_atomic(key_file, key)
    return written
