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
import io
import sys
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pandas as pd

from analysis.data import batch, clock, csvfile, loader
from analysis.data.request import GRACE_MONTHS, OTHER_KEY, Publisher, Wanted, plan, read_calendar
from analysis.report import wording
from analysis.report.request_words import WORDS

TITLE_ROW, HEADER_ROW, FIRST_ROW = 1, 2, 3


# ---------------------------------------------------------------------------
# Words

# (field, zh label, en label, width, role): role info = explanation, fill = to fill, key = hidden key
COLUMNS = (
    ("indicator_name", "指标", "indicator", 28, "info"),
    ("definition", "口径定义", "definition", 40, "info"),
    ("unit_hint", "单位（及换算）", "unit (and conversion)", 24, "info"),
    ("region_name", "地区", "region name", 14, "info"),
    ("year", "年份", "year", 7, "info"),
    ("state", "情况", "situation", 16, "info"),
    ("overdue", "是否逾期", "overdue", 8, "info"),
    ("overdue_since", "逾期起始", "overdue since", 12, "info"),
    ("known", "已有数据", "known so far", 28, "info"),
    ("document", "通常刊载于", "usually published in", 30, "info"),
    ("usual_month", "通常发布月份", "usual month", 10, "info"),
    ("target", "对应目标", "target", 24, "info"),
    ("value", "数值", "value", 12, "fill"),
    ("qualifier", "限定", "qualifier", 16, "fill"),
    ("status", "数据性质", "status", 22, "fill"),
    ("published", "发布日期", "published", 12, "fill"),
    ("source_title", "来源标题", "source_title", 30, "fill"),
    ("url", "链接", "url", 30, "fill"),
    ("quote", "原文（含该数字的句子）", "quote", 40, "fill"),
    ("publisher", "发布机构", "publisher", 20, "fill"),
    ("source_kind", "来源类型", "source_kind", 18, "fill"),
    ("preferred", "采用", "prefer", 16, "fill"),
    ("confirm_unusual", "异常值说明", "confirm_unusual", 18, "fill"),
    ("notes", "备注", "notes", 24, "fill"),
    ("source_id", "已有来源编号（可不填）", "source_id", 14, "fill"),
    ("indicator_id", "", "indicator_id", 10, "key"),
    ("region", "", "region", 10, "key"),
    ("period", "", "period", 8, "key"),
)

SOURCE_KIND_LABELS = {
    "bulletin": ("bulletin 统计公报", "bulletin (statistical bulletin)"),
    "yearbook": ("yearbook 统计年鉴", "yearbook (statistical yearbook)"),
    "bureau": ("bureau 部门发布或工作总结", "bureau (a department's release or work summary)"),
    "government_report": ("government_report 政府工作报告等", "government_report (work or budget report)"),
    "news": ("news 新闻报道", "news (news report)"),
    "paper": ("paper 论文或研究报告", "paper (article or study)"),
    "policy": ("policy 政策文件", "policy (policy document)"),
    "aggregator": ("aggregator 转载汇编网站", "aggregator (reposting site)"),
    "other": ("other 其他", "other"),
}
UNIT_HINTS = {
    "亿元": {"zh": "亿元（万元 ÷ 10000；1.87万亿元 = 18700）", "en": "亿元, CNY 100 million (万元 ÷ 10000; 1.87万亿元 = 18700)"},
    "%": {"zh": "%（3.3% 填 3.3，不填 0.033）", "en": "% (3.3 % is typed 3.3, not 0.033)"},
    "万人": {"zh": "万人（人数 ÷ 10000）", "en": "万人, 10,000 people (people ÷ 10000)"},
    "万人次": {"zh": "万人次（人次 ÷ 10000）", "en": "万人次, 10,000 visits (visits ÷ 10000)"},
    "万元/人": {"zh": "万元/人（元/人 ÷ 10000）", "en": "万元/人, CNY 10,000 per person (CNY ÷ 10000)"},
    "人年": {"zh": "人年（全时当量）", "en": "人年, person-years (full-time equivalent)"},
    "rank": {"zh": "位次（第9位填 9）", "en": "rank (9th is typed 9)"},
}


def w(key: str, lang: str, **fields: object) -> str:
    """Return a workbook phrase in ``lang``."""
    return WORDS[key][lang].format(**fields)


def unit_hint(unit: str, lang: str) -> str:
    """Return a unit with its conversion hint (1.2万家 = 12000)."""
    if unit in UNIT_HINTS:
        return UNIT_HINTS[unit][lang]
    return f"{unit}（1.2万{unit} 填 12000）" if lang == "zh" else f"{unit} (1.2万{unit} = 12000)"


def label(zh: str, en: str, lang: str) -> str:
    """Return a bilingual header label, the reader's language first (数值 / value)."""
    if not zh:
        return en
    return f"{zh} / {en}" if lang == "zh" else f"{en} / {zh}"


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


def known_text(known: tuple, lang: str) -> str:
    """Return the values already published for the year: '>8800（预计，2025-03-13）'."""
    if not known:
        return w("known.none", lang)
    status_words = {code: (texts[0].split(" ", 1)[1] if lang == "zh" else code) for code, texts in batch.STATUS_LABELS.items()}
    parts = []
    for qualifier, value, status, published in known:
        number = batch.fmt_number(value)
        word = status_words.get(status, status)
        parts.append(f"{qualifier}{number}（{word}，{published}）" if lang == "zh" else f"{qualifier}{number} ({word}, {published})")
    return "；".join(parts) if lang == "zh" else "; ".join(parts)


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
        "unit_hint": unit_hint(str(meta["unit"]), lang),
        "region_name": wording.region_name(dataset, item.region, lang),
        "year": item.year,
        "state": w(f"state.{item.state}", lang),
        "overdue": w("yes" if item.state == "overdue" else "no", lang),
        "overdue_since": item.overdue_since,
        "known": known_text(item.known, lang),
        "document": document_name(item.publisher, dataset, item.indicator_id, lang),
        "usual_month": item.publisher.month if item.publisher.month else w("month.unknown", lang),
        "target": target_text(dataset, item.targets, lang),
        "publisher": item.publisher.name_zh if not item.publisher.key.startswith("region:") and item.publisher.key != OTHER_KEY else None,
        "source_kind": SOURCE_KIND_LABELS[item.publisher.source_kind][0 if lang == "zh" else 1],
        "preferred": prefer,
        "indicator_id": item.indicator_id,
        "region": item.region,
        "period": item.period,
    }


LISTS_SHEET = "lists"
LIST_FIELDS = ("qualifier", "status", "source_kind", "preferred")


def drop_down_items(lang: str) -> dict[str, list[str]]:
    """Return the items of each drop-down: the data's codes with their labels in ``lang``."""
    side = 0 if lang == "zh" else 1
    return {
        "qualifier": [texts[side] for texts in batch.QUALIFIER_LABELS.values()],
        "status": [batch.STATUS_LABELS[s][side] for s in ("official", "preliminary", "revised", "reported", "estimate", "derived")],
        "source_kind": [texts[side] for texts in SOURCE_KIND_LABELS.values()],
        "preferred": [texts[side] for texts in batch.PREFER_LABELS.values()],
    }


def write_lists(book, lang: str) -> dict[str, str]:
    """Write the drop-downs' items on a hidden sheet; return field -> the range a validation lists."""
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(LISTS_SHEET)
    sheet.sheet_state = "hidden"
    ranges = {}
    for column, (name, items) in enumerate(drop_down_items(lang).items(), start=1):
        letter = get_column_letter(column)
        for row, item in enumerate(items, start=1):
            sheet.cell(row, column, item)
        ranges[name] = f"{LISTS_SHEET}!${letter}$1:${letter}${len(items)}"
    return ranges


def add_validations(sheet, last_row: int, letters: dict[str, str], lists: dict[str, str]) -> None:
    """Add the drop-downs (qualifier, status, source kind, prefer), a number check on value and a date check on published."""
    from openpyxl.worksheet.datavalidation import DataValidation

    titles = {"qualifier": "限定 / qualifier", "status": "数据性质 / status", "source_kind": "来源类型 / source_kind", "preferred": "采用 / prefer"}
    for name in LIST_FIELDS:
        check = DataValidation(type="list", formula1=lists[name], allow_blank=True, showErrorMessage=True,
                               errorTitle=titles[name], error="请从下拉列表中选择 / pick one from the list")
        check.add(f"{letters[name]}{FIRST_ROW}:{letters[name]}{last_row}")
        sheet.add_data_validation(check)
    number = DataValidation(type="decimal", operator="between", formula1="-1000000000000000", formula2="1000000000000000",
                            allow_blank=True, showErrorMessage=True, errorTitle="数值 / value",
                            error="请只填写数字（按“单位”列的单位）/ type a number only, in the unit of column unit")
    number.add(f"{letters['value']}{FIRST_ROW}:{letters['value']}{last_row}")
    sheet.add_data_validation(number)
    day = DataValidation(type="date", operator="between", formula1="DATE(1990,1,1)", formula2="DATE(2100,12,31)",
                         allow_blank=True, showErrorMessage=True, errorTitle="发布日期 / published",
                         error="请填写日期，例如 2025-03-20 / type a date, e.g. 2025-03-20")
    day.add(f"{letters['published']}{FIRST_ROW}:{letters['published']}{last_row}")
    sheet.add_data_validation(day)


def write_publisher_sheet(book, title: str, publisher: Publisher, items: list[Wanted], dataset: loader.Dataset, lang: str,
                          lists: dict[str, str]) -> None:
    """Write one publisher's sheet: a title row, the bilingual header (frozen), one row per figure and year."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(title)
    letters = {name: get_column_letter(i + 1) for i, (name, *_rest) in enumerate(COLUMNS)}
    month = publisher.month
    month_part = w("sheet.month", lang, month=month, month_name=month_text(month, lang)) if month else ""
    document = (publisher.document_zh if lang == "zh" else publisher.document_en) or w("sheet.see_rows", lang)
    sheet.cell(TITLE_ROW, 1, w("sheet.title", lang, publisher=publisher_name(publisher, lang), document=document, month=month_part))
    sheet.cell(TITLE_ROW, 1).font = Font(bold=True)
    fill = PatternFill("solid", fgColor="FFF2CC")
    header_fill = PatternFill("solid", fgColor="D9E1F2")
    for index, (name, zh, en, width, role) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(HEADER_ROW, index, label(zh, en, lang))
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.fill = fill if role == "fill" else header_fill
        dimension = sheet.column_dimensions[letters[name]]
        dimension.width = width
        if role == "key":
            dimension.hidden = True
    for offset, item in enumerate(items):
        row = FIRST_ROW + offset
        cells = row_cells(dataset, item, lang)
        for index, (name, _zh, _en, _width, role) in enumerate(COLUMNS, start=1):
            cell = sheet.cell(row, index, cells.get(name))
            if role == "fill":
                cell.fill = fill
            if name in ("overdue_since", "published"):
                cell.number_format = "yyyy-mm-dd"
            elif name in ("year", "usual_month") and isinstance(cells.get(name), int):
                cell.number_format = "0"
            elif name in ("indicator_id", "region", "period", "source_id"):
                cell.number_format = "@"
            if name in ("definition", "known", "document", "target", "quote"):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    last_row = FIRST_ROW + max(len(items), 1) - 1
    add_validations(sheet, last_row, letters, lists)
    sheet.freeze_panes = f"B{FIRST_ROW}"
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{letters['period']}{last_row}"


def write_instructions(sheet, dataset: loader.Dataset, wanted: list[Wanted], titles: dict[str, str], publishers: list[Publisher],
                       as_of: dt.date, lang: str, output_name: str) -> None:
    """Write the first sheet: what the workbook is, the three steps, the choices and the list of sheets."""
    from openpyxl.styles import Alignment, Font

    overdue = sum(item.state == "overdue" for item in wanted)
    lines: list[tuple[str, str, bool]] = [
        (w("book.title", lang), "", True),
        (w("book.as_of", lang, as_of=as_of.isoformat(), n=len(wanted), overdue=overdue, sheets=len(publishers)), "", False),
        ("", "", False),
        (w("step1.title", lang), w("step1", lang), True),
        (w("step2.title", lang), w("step2", lang), True),
        (w("step3.title", lang), w("step3", lang), True),
        ("", f"python -m analysis add --from {output_name} --dry-run", False),
        ("", f"python -m analysis add --from {output_name}", False),
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
            lists = write_lists(book, lang)
        write_publisher_sheet(book, titles[publisher.key], publisher, [i for i in wanted if i.publisher.key == publisher.key], dataset,
                              lang, lists)
    if LISTS_SHEET in book.sheetnames:  # the hidden lists last
        book.move_sheet(LISTS_SHEET, offset=len(book.sheetnames) - 1 - book.sheetnames.index(LISTS_SHEET))
    stamp = dt.datetime(as_of.year, as_of.month, as_of.day)
    book.properties.created = stamp
    book.properties.modified = stamp
    book.properties.creator = "python -m analysis request"
    book.properties.lastModifiedBy = None
    book.properties.title = w("book.title", lang)
    book.properties.language = lang
    return book, wanted


def workbook_bytes(book, as_of: dt.date) -> bytes:
    """Return the workbook as .xlsx bytes that depend only on its content and ``as_of``.

    openpyxl's ``save`` stamps docProps/core.xml with the current time and the zip module
    stamps each entry with the clock: the document properties keep the as-of date set by
    :func:`build`, and every entry is rewritten with the as-of date.
    """
    from openpyxl.writer.excel import ExcelWriter

    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(book, archive).write_data()
    stamp = (max(as_of.year, 1980), as_of.month, as_of.day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


def write_beside(dataset: loader.Dataset, calendar: pd.DataFrame, as_of: dt.date, langs: list[str], target_dir: Path) -> list[Path]:
    """Write requests.<lang>.xlsx for a briefing into its directory (the figures its data-gap list names)."""
    written = []
    for lang in langs:
        name = f"requests.{lang}.xlsx"
        book, _ = build(dataset, calendar, as_of, lang, name)
        write_bytes_atomically(target_dir / name, workbook_bytes(book, as_of))
        written.append(target_dir / name)
    return written


# ---------------------------------------------------------------------------
# Command line


def write_bytes_atomically(path: Path, content: bytes) -> None:
    """Write a file through a temporary sibling and an atomic rename (no half-written workbook)."""
    import os
    import tempfile

    handle, temp = tempfile.mkstemp(dir=path.parent if str(path.parent) else ".", prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except OSError:
        Path(temp).unlink(missing_ok=True)
        raise


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
    content = workbook_bytes(book, as_of)
    try:
        write_bytes_atomically(args.output, content)
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
