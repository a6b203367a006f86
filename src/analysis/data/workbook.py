"""The request workbook's layout, shared by ``python -m analysis request`` and ``extract --output proposals.xlsx``.

A title row, a bilingual header (frozen), one row per figure with explanations on the left and the
columns to fill on the right (value, qualifier, status, published, source, quote …; drop-downs in
the data's own vocabulary with labels in the reader's language), and hidden key columns
(indicator_id, region, period) that :mod:`analysis.data.batch` reads back. ``workbook_bytes`` makes
the file depend only on its content and one date.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import Sequence

from analysis.data import batch

TITLE_ROW, HEADER_ROW, FIRST_ROW = 1, 2, 3

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


def known_text(known: tuple, lang: str) -> str:
    """Return the values already published for the year: '>8800（预计，2025-03-13）' ('无' / 'none' when there are none)."""
    if not known:
        return "无" if lang == "zh" else "none"
    status_words = {code: (texts[0].split(" ", 1)[1] if lang == "zh" else code) for code, texts in batch.STATUS_LABELS.items()}
    parts = []
    for qualifier, value, status, published in known:
        number = batch.fmt_number(value)
        word = status_words.get(status, status)
        parts.append(f"{qualifier}{number}（{word}，{published}）" if lang == "zh" else f"{qualifier}{number} ({word}, {published})")
    return "；".join(parts) if lang == "zh" else "; ".join(parts)


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
        "accept": [texts[side] for texts in batch.ACCEPT_LABELS.values()],
    }


def write_lists(book, lang: str, fields: Sequence[str] = LIST_FIELDS) -> dict[str, str]:
    """Write the drop-downs' items (of ``fields``) on a hidden sheet; return field -> the range a validation lists."""
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(LISTS_SHEET)
    sheet.sheet_state = "hidden"
    ranges = {}
    items_of = drop_down_items(lang)
    for column, (name, items) in enumerate(((f, items_of[f]) for f in fields), start=1):
        letter = get_column_letter(column)
        for row, item in enumerate(items, start=1):
            sheet.cell(row, column, item)
        ranges[name] = f"{LISTS_SHEET}!${letter}$1:${letter}${len(items)}"
    return ranges


def add_validations(sheet, last_row: int, letters: dict[str, str], lists: dict[str, str]) -> None:
    """Add the drop-downs (qualifier, status, source kind, prefer; accept on a proposals sheet), a number check on value
    and a date check on published."""
    from openpyxl.worksheet.datavalidation import DataValidation

    titles = {"qualifier": "限定 / qualifier", "status": "数据性质 / status", "source_kind": "来源类型 / source_kind", "preferred": "采用 / prefer",
              "accept": "采纳 / accept"}
    for name in (f for f in lists if f in letters):
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


DATE_FIELDS = ("overdue_since", "published")
WHOLE_NUMBER_FIELDS = ("year", "usual_month")
TEXT_FIELDS = ("indicator_id", "region", "period", "source_id")
WRAPPED_FIELDS = ("definition", "known", "document", "target", "quote", "location")


def write_sheet(book, title: str, heading: str, rows: Sequence[dict[str, object]], lang: str, lists: dict[str, str],
                columns: Sequence[tuple[str, str, str, int, str]] = COLUMNS):
    """Write one sheet of the layout: the heading, the bilingual header (frozen), one row per dict of cells by field."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(title)
    letters = {name: get_column_letter(i + 1) for i, (name, *_rest) in enumerate(columns)}
    sheet.cell(TITLE_ROW, 1, heading)
    sheet.cell(TITLE_ROW, 1).font = Font(bold=True)
    fill = PatternFill("solid", fgColor="FFF2CC")
    header_fill = PatternFill("solid", fgColor="D9E1F2")
    for index, (name, zh, en, width, role) in enumerate(columns, start=1):
        cell = sheet.cell(HEADER_ROW, index, label(zh, en, lang))
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.fill = fill if role == "fill" else header_fill
        dimension = sheet.column_dimensions[letters[name]]
        dimension.width = width
        if role == "key":
            dimension.hidden = True
    for offset, cells in enumerate(rows):
        row = FIRST_ROW + offset
        for index, (name, _zh, _en, _width, role) in enumerate(columns, start=1):
            cell = sheet.cell(row, index, cells.get(name))
            if role == "fill":
                cell.fill = fill
            if name in DATE_FIELDS:
                cell.number_format = "yyyy-mm-dd"
            elif name in WHOLE_NUMBER_FIELDS and isinstance(cells.get(name), int):
                cell.number_format = "0"
            elif name in TEXT_FIELDS:
                cell.number_format = "@"
            if name in WRAPPED_FIELDS:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    last_row = FIRST_ROW + max(len(rows), 1) - 1
    add_validations(sheet, last_row, letters, lists)
    sheet.freeze_panes = f"B{FIRST_ROW}"
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{letters['period']}{last_row}"
    return sheet


def step_lines(phrase, lang: str, output_name: str) -> list[tuple[str, str, bool]]:
    """Return a first sheet's three steps (titles from ``phrase(key, lang)``) and the two add commands, as (head, body, bold)."""
    return [
        *((phrase(f"step{n}.title", lang), phrase(f"step{n}", lang), True) for n in (1, 2, 3)),
        ("", f"python -m analysis add --from {output_name} --dry-run", False),
        ("", f"python -m analysis add --from {output_name}", False),
    ]


def stamp_properties(book, day: dt.date, creator: str, title: str, lang: str) -> None:
    """Date the document properties ``day`` (not the clock) and name its creator, title and language."""
    stamp = dt.datetime(day.year, day.month, day.day)
    book.properties.created = stamp
    book.properties.modified = stamp
    book.properties.creator = creator
    book.properties.lastModifiedBy = None
    book.properties.title = title
    book.properties.language = lang


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
