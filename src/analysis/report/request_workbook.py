"""The data-request workbook (``python -m analysis request``): one sheet per publisher, typed cells, drop-downs.

``python -m analysis request [--as-of DATE] [--lang zh|en] --output requests.xlsx`` writes one
workbook a statistics bureau or a department can fill in Excel or WPS without a manual: a first
sheet with the three steps (fill, save, run ``add --from``), then one sheet per publisher with
one row per figure and year the targets need and the data do not hold (the rows of
:func:`analysis.data.request.plan`), and empty columns to fill (value, qualifier and status as
drop-downs in the data's own vocabulary, date published, source title, URL, the sentence holding
the number). Hidden key columns (indicator_id, region, period) make the read-back by
:mod:`analysis.data.batch` exact. The file is deterministic: the same data and ``--as-of`` give
the same bytes (the document properties are dated the as-of day, and so is every zip entry).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from types import SimpleNamespace

import pandas as pd

from analysis.data import batch, clock, csvfile, loader, workbook
from analysis.data.request import GRACE_MONTHS, OTHER_KEY, Publisher, Wanted, plan, read_calendar
from analysis.report import wording
from analysis.report.request_words import WORDS

TITLE_ROW, HEADER_ROW, FIRST_ROW = workbook.TITLE_ROW, workbook.HEADER_ROW, workbook.FIRST_ROW  # the layout's rows


# ---------------------------------------------------------------------------
# Words

def w(key: str, lang: str, **fields: object) -> str:
    """Return a workbook phrase in ``lang``."""
    return WORDS[key][lang].format(**fields)


def month_text(month: int | None, lang: str) -> str:
    """Return a month as the reader writes it."""
    if month is None:
        return ""
    return f"{month}月" if lang == "zh" else dt.date(2000, month, 1).strftime("%B")


def publisher_name(publisher: Publisher, lang: str) -> str:
    return publisher.name_zh if lang == "zh" else publisher.name_en


def document_name(publisher: Publisher, dataset: loader.Dataset, indicator_id: str, lang: str) -> str:
    """Return where the figure usually appears: the calendar's publication, else the indicator's where_published."""
    document = publisher.document_zh if lang == "zh" else publisher.document_en
    if document:
        return document
    meta = dataset.indicators.set_index("indicator_id")
    return str(meta.at[indicator_id, "where_published"] or "") if indicator_id in meta.index else ""


INVALID_SHEET = str.maketrans({c: " " for c in "[]:*?/\\"})
# English publisher names shortened for a sheet tab (at most 31 characters), in this order.
SHORTER_EN = (
    (r",.*$", ""), (r"\b(Municipal|Provincial|People's)\s+", ""), (r"Science and Technology|Scientific and Technical", "S&T"),
    (r"Bureau of Statistics", "Statistics Bureau"), (r"Department of", "Dept. of"), (r"High Technology", "High-Tech"),
)


def short_name(name: str, lang: str) -> str:
    """Return a publisher's name fit for a sheet tab: no []:*?/\\, at most 31 characters (cut at a word)."""
    import re

    name = " ".join(name.translate(INVALID_SHEET).split()).strip("'")
    if lang == "en" and len(name) > 31:
        for pattern, replacement in SHORTER_EN:
            name = re.sub(pattern, replacement, name).strip()
    if len(name) > 31:
        cut = name[:31]
        name = (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip(",;")
    return name


def sheet_titles(publishers: list[Publisher], lang: str) -> dict[str, str]:
    """Return publisher key -> a valid, unique sheet title (at most 31 characters, cut at a word)."""
    titles: dict[str, str] = {}
    used = {w("instructions", lang)}
    for publisher in publishers:
        name = short_name(publisher_name(publisher, lang), lang)
        base, n = name or "sheet", 2
        while name in used:
            suffix = f" {n}"
            name, n = base[: 31 - len(suffix)] + suffix, n + 1
        used.add(name)
        titles[publisher.key] = name
    return titles


# ---------------------------------------------------------------------------
# The workbook


def target_text(dataset: loader.Dataset, target_ids: tuple[str, ...], lang: str) -> str:
    """Return the targets a figure feeds: '≥3.75%（2027年）'."""
    targets = dataset.targets.set_index("target_id")
    parts = []
    for target_id in target_ids:
        row = targets.loc[target_id]
        if str(row["duplicate_of"] or ""):
            continue
        phrase = wording.target_phrase(dataset, SimpleNamespace(
            indicator_id=row["indicator_id"], target_type=row["target_type"], comparator=row["comparator"],
            target_value=float(row["target_value"]), about=bool(row["approximate"]), per_year=bool(row["each_year"])), lang)
        parts.append(f"{phrase}（{int(row['target_year'])}年）" if lang == "zh" else f"{phrase} ({int(row['target_year'])})")
    return "；".join(parts) if lang == "zh" else "; ".join(parts)


def row_cells(dataset: loader.Dataset, item: Wanted, lang: str) -> dict[str, object]:
    """Return one sheet row's cells by field (typed: years and months as numbers, dates as dates)."""
    meta = dataset.indicators.set_index("indicator_id").loc[item.indicator_id]
    name = wording.indicator_name(dataset, item.indicator_id, lang)
    if lang == "en":
        name = f"{name} ({meta['name_zh']})"
    prefer = batch.PREFER_LABELS["true"][0 if lang == "zh" else 1] if item.state == "inexact" else None
    return {
        "indicator_name": name,
        "definition": str(meta["definition"] or ""),
        "unit_hint": workbook.unit_hint(str(meta["unit"]), lang),
        "region_name": wording.region_name(dataset, item.region, lang),
        "year": item.year,
        "state": w(f"state.{item.state}", lang),
        "overdue": w("yes" if item.state == "overdue" else "no", lang),
        "overdue_since": item.overdue_since,
        "known": workbook.known_text(item.known, lang),
        "document": document_name(item.publisher, dataset, item.indicator_id, lang),
        "usual_month": item.publisher.month if item.publisher.month else w("month.unknown", lang),
        "target": target_text(dataset, item.targets, lang),
        "publisher": item.publisher.name_zh if not item.publisher.key.startswith("region:") and item.publisher.key != OTHER_KEY else None,
        "source_kind": workbook.SOURCE_KIND_LABELS[item.publisher.source_kind][0 if lang == "zh" else 1],
        "preferred": prefer,
        "indicator_id": item.indicator_id,
        "region": item.region,
        "period": item.period,
    }


def write_publisher_sheet(book, title: str, publisher: Publisher, items: list[Wanted], dataset: loader.Dataset, lang: str,
                          lists: dict[str, str]) -> None:
    """Write one publisher's sheet: a title row, the bilingual header (frozen), one row per figure and year."""
    month = publisher.month
    month_part = w("sheet.month", lang, month=month, month_name=month_text(month, lang)) if month else ""
    document = (publisher.document_zh if lang == "zh" else publisher.document_en) or w("sheet.see_rows", lang)
    heading = w("sheet.title", lang, publisher=publisher_name(publisher, lang), document=document, month=month_part)
    workbook.write_sheet(book, title, heading, [row_cells(dataset, item, lang) for item in items], lang, lists)


def write_instructions(sheet, dataset: loader.Dataset, wanted: list[Wanted], titles: dict[str, str], publishers: list[Publisher],
                       as_of: dt.date, lang: str, output_name: str) -> None:
    """Write the first sheet: what the workbook is, the three steps, the choices and the list of sheets."""
    from openpyxl.styles import Alignment, Font

    overdue = sum(item.state == "overdue" for item in wanted)
    lines: list[tuple[str, str, bool]] = [
        (w("book.title", lang), "", True),
        (w("book.as_of", lang, as_of=as_of.isoformat(), n=len(wanted), overdue=overdue, sheets=len(publishers)), "", False),
        ("", "", False),
        *workbook.step_lines(w, lang, output_name),
        ("", "", False),
        (w("notes.title", lang), w("note.units", lang), True),
        ("", w("note.overdue", lang, grace=GRACE_MONTHS), False),
        ("", w("note.prefer", lang), False),
        ("", w("note.unusual", lang), False),
        ("", "", False),
        (w("vocab.qualifier", lang), "", True),
    ]
    side = 0 if lang == "zh" else 1
    lines += [("", texts[side], False) for texts in batch.QUALIFIER_LABELS.values()]
    lines += [(w("vocab.status", lang), "", True)]
    lines += [("", batch.STATUS_LABELS[s][side], False) for s in ("official", "preliminary", "revised", "reported", "estimate", "derived")]
    lines += [("", "", False)]
    for number, (head, body, bold) in enumerate(lines, start=1):
        sheet.cell(number, 1, head or None).font = Font(bold=bold)
        cell = sheet.cell(number, 2, body or None)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    row = len(lines) + 1
    sheet.cell(row, 1, w("sheets.title", lang)).font = Font(bold=True)
    row += 1
    heads = ("sheets.sheet", "sheets.publisher", "sheets.document", "sheets.month", "sheets.rows", "sheets.overdue")
    for column, key in enumerate(heads, start=1):
        sheet.cell(row, column, w(key, lang)).font = Font(bold=True)
    for publisher in publishers:
        row += 1
        items = [item for item in wanted if item.publisher.key == publisher.key]
        document = (publisher.document_zh if lang == "zh" else publisher.document_en)
        values = (titles[publisher.key], publisher_name(publisher, lang), document or None,
                  publisher.month if publisher.month else w("month.unknown", lang), len(items), sum(i.state == "overdue" for i in items))
        for column, value in enumerate(values, start=1):
            sheet.cell(row, column, value).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 90
    for letter in "CDEF":
        sheet.column_dimensions[letter].width = 16


def build(dataset: loader.Dataset, calendar: pd.DataFrame, as_of: dt.date, lang: str, output_name: str = "requests.xlsx"):
    """Return (the workbook, the figures it asks for)."""
    from openpyxl import Workbook

    wanted = plan(dataset, calendar, as_of)
    publishers = list({item.publisher.key: item.publisher for item in wanted}.values())
    titles = sheet_titles(publishers, lang)
    book = Workbook()
    first = book.active
    first.title = w("instructions", lang)
    write_instructions(first, dataset, wanted, titles, publishers, as_of, lang, output_name)
    lists = {}
    for publisher in publishers:
        if not lists:
            lists = workbook.write_lists(book, lang)
        write_publisher_sheet(book, titles[publisher.key], publisher, [i for i in wanted if i.publisher.key == publisher.key], dataset,
                              lang, lists)
    if workbook.LISTS_SHEET in book.sheetnames:  # the hidden lists last
        book.move_sheet(workbook.LISTS_SHEET, offset=len(book.sheetnames) - 1 - book.sheetnames.index(workbook.LISTS_SHEET))
    workbook.stamp_properties(book, as_of, "python -m analysis request", w("book.title", lang), lang)
    return book, wanted


def write_beside(dataset: loader.Dataset, calendar: pd.DataFrame, as_of: dt.date, langs: list[str], target_dir: Path) -> list[Path]:
    """Write requests.<lang>.xlsx for a briefing into its directory (the figures its data-gap list names)."""
    written = []
    for lang in langs:
        name = f"requests.{lang}.xlsx"
        book, _ = build(dataset, calendar, as_of, lang, name)
        workbook.write_bytes_atomically(target_dir / name, workbook.workbook_bytes(book, as_of))
        written.append(target_dir / name)
    return written


# ---------------------------------------------------------------------------
# Command line


def main(args: argparse.Namespace) -> int:
    """Write the request workbook; return the exit code."""
    try:
        as_of = (args.as_of if isinstance(args.as_of, dt.date) else dt.date.fromisoformat(args.as_of)) if args.as_of else clock.today()
    except ValueError:
        print(f"error: --as-of {args.as_of!r}: expected YYYY-MM-DD", file=sys.stderr)
        return 2
    if args.output.suffix.lower() != ".xlsx":
        print(f"error: --output {args.output}: the workbook must end in .xlsx", file=sys.stderr)
        return 2
    try:
        dataset = loader.load(args.data_dir)
    except csvfile.DataValidationError as err:
        for problem in err.problems:
            print(problem, file=sys.stderr)
        print("error: the data directory does not validate; fix it first (python -m analysis validate)", file=sys.stderr)
        return 1
    calendar = read_calendar(args.data_dir)
    book, wanted = build(dataset, calendar, as_of, args.lang, args.output.name)
    content = workbook.workbook_bytes(book, as_of)
    try:
        workbook.write_bytes_atomically(args.output, content)
    except OSError as err:
        print(f"error: cannot write {args.output}: {err.strerror}", file=sys.stderr)
        return 1
    sheets = len({item.publisher.key for item in wanted})
    overdue = [item for item in wanted if item.state == "overdue"]
    print(f"wrote {csvfile.display_path(args.output)}: {len(wanted)} figure(s) to ask for on {sheets} publisher sheet(s), "
          f"{len(overdue)} overdue (as of {as_of.isoformat()})")
    for key in dict.fromkeys(item.publisher.key for item in wanted):
        items = [item for item in wanted if item.publisher.key == key]
        print(f"  {publisher_name(items[0].publisher, args.lang)}: {len(items)} ({sum(i.state == 'overdue' for i in items)} overdue)")
    return 0
