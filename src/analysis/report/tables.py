"""Reader tables rendered as escaped HTML by pandas' Styler (links only for http(s))."""

from __future__ import annotations

import hashlib
import html
import re

import pandas as pd

from analysis.report.i18n import t
from analysis.report.wording import fmt_date, fmt_number

# Headers wrap between words only (CJK headers between characters is fine: keep-all keeps them whole).
TABLE_CSS = [
    {"selector": "", "props": "border-collapse: collapse; font-size: 0.9em; width: 100%; table-layout: auto;"},
    {"selector": "th", "props": "word-break: keep-all; overflow-wrap: normal; hyphens: none; text-align: left; vertical-align: bottom; padding: 2px 6px;"},
    {"selector": "td", "props": "text-align: left; word-break: normal; overflow-wrap: normal; hyphens: none; vertical-align: top; padding: 2px 6px;"},
    {"selector": "td.col0", "props": "width: 30%; min-width: 12em;"},
    {"selector": "th.col0", "props": "width: 30%;"},
    {"selector": "td.num", "props": "text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums;"},
]


NUMBER_PATTERN = re.compile(r"^[–\-+≥≤<>~约about ]*[\d.,]+\s*(%|‰)?$")


def safe_url(url: object) -> str:
    """Return the URL when it is an http(s) link, else ''."""
    text = "" if url is None or (not isinstance(url, str) and pd.isna(url)) else str(url)
    return text if re.match(r"^https?://", text) else ""


def cell_html(value: object) -> str:
    """Return one cell as escaped HTML text."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, bool):
        return "✓" if value else ""
    if isinstance(value, float):
        return html.escape(fmt_number(value, 4))
    if isinstance(value, pd.Timestamp):
        return fmt_date(value)
    return html.escape(str(value))


def is_number_text(value: object) -> bool:
    """Return whether a cell shows a number (right-aligned in tables)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return True
    return isinstance(value, str) and bool(NUMBER_PATTERN.match(value.strip()))


def numeric_columns(frame: pd.DataFrame) -> list[str]:
    """Return the columns whose non-empty cells are all numbers (or number texts)."""
    columns = []
    for column in frame.columns:
        cells = [v for v in frame[column] if not (v is None or (not isinstance(v, str) and pd.isna(v)) or v == "")]
        if cells and all(is_number_text(v) for v in cells):
            columns.append(column)
    return columns


def link_html(text: object, url: object) -> str:
    """Return escaped cell text, linked when ``url`` is an http(s) URL."""
    shown = cell_html(text)
    target = safe_url(url)
    if not target:
        return shown
    return f'<a href="{html.escape(target, quote=True)}" rel="noopener noreferrer">{shown or html.escape(target)}</a>'


def table_uuid(frame: pd.DataFrame, key: str = "") -> str:
    """Return a short id fixed by the table's columns and ``key`` (same table, same bytes)."""
    digest = hashlib.sha1(("\x1f".join(map(str, frame.columns)) + "\x1e" + key).encode("utf-8")).hexdigest()
    return digest[:10]


KEEP_TOGETHER_CSS = [
    {"selector": "td:not(.col0)", "props": "word-break: keep-all;"},
    {"selector": "", "props": "font-size: 0.8em;"},  # unbreakable values need the room: the table stays within A4
]


def styler(frame: pd.DataFrame, links: dict[str, str] | None = None, max_rows: int | None = None, key: str = "",
           keep_together: bool = False):
    """Return a pandas Styler of ``frame``: escaped cells, http(s) links, numbers right-aligned, no index.

    ``keep_together``: cells after the first break only at spaces and punctuation, never inside a
    run such as "+0.08个百分点" or "2023年" (for short value cells; long texts need normal breaking).
    """
    links = links or {}
    hidden = set(links.values())
    shown = (frame if max_rows is None else frame.head(max_rows)).reset_index(drop=True)
    cells = pd.DataFrame({
        column: [link_html(v, shown.at[i, links[column]]) if column in links else cell_html(v) for i, v in enumerate(shown[column])]
        for column in shown.columns if column not in hidden
    }, columns=[c for c in shown.columns if c not in hidden])
    numbers = set(numeric_columns(shown[[c for c in shown.columns if c not in hidden]]))
    from pandas.io.formats.style import Styler

    style = Styler(cells, cell_ids=False).hide(axis="index").set_uuid(table_uuid(cells, key)).set_table_attributes('class="dataframe report-table"')
    style = style.format(lambda v: v, escape=None)  # cells are escaped above (links need raw <a>)
    style = style.set_table_styles(TABLE_CSS + (KEEP_TOGETHER_CSS if keep_together else []), overwrite=True)
    positions = [i for i, c in enumerate(cells.columns) if c in numbers]
    if positions:
        style = style.set_td_classes(pd.DataFrame(
            [["num" if j in positions else "" for j in range(len(cells.columns))] for _ in range(len(cells))],
            index=cells.index, columns=cells.columns))
        style = style.set_table_styles(
            {cells.columns[j]: [{"selector": "th.col_heading", "props": "text-align: right;"}] for j in positions}, overwrite=False)
    return style


def html_table(frame: pd.DataFrame, links: dict[str, str] | None = None, max_rows: int | None = None, key: str = "") -> str:
    """Render a frame as an escaped HTML table (Styler); ``links`` maps a text column to its URL column."""
    return styler(frame, links, max_rows, key).to_html(doctype_html=False)


def relabel(frame: pd.DataFrame, lang: str, keys: dict[str, str] | None = None) -> pd.DataFrame:
    """Rename columns to their i18n labels (column name = label key unless ``keys`` says otherwise)."""
    keys = keys or {}
    names = {}
    for column in frame.columns:
        key = keys.get(column, column)
        try:
            names[column] = t(key, lang)
        except KeyError:
            names[column] = column
    return frame.rename(columns=names)
