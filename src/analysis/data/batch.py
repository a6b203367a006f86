"""Read the filled rows of a request workbook (.xlsx) or a CSV for ``add --from``.

Any sheet whose header row (one of its first ten rows) names a ``value`` column and the key
columns ``indicator_id``, ``region`` and ``period`` is read; a header cell may carry labels in
both languages (``数值 / value``): the part that is a column name of observations.csv (or one of
``source_title``, ``publisher``, ``url``, ``source_kind``, ``confirm_unusual``, ``decision``,
``reason_en``, ``reason_zh``; ``prefer`` is read as ``preferred``) names the field, other columns
(the request's explanations) are ignored. The same rules read a CSV: one exported from the
workbook by Excel or WPS ("CSV UTF-8": byte-order mark, CRLF, a title row above the header) or
the template ``data/templates/observations_template.csv``.

A row without a value is skipped (a row of only commas too, as ``validate`` skips it in a data
table). A sheet with an ``accept`` column (the proposals workbook of ``extract --output
proposals.xlsx``) gives only the rows marked accept: a row marked reject, or not marked, is
skipped with a :class:`ReviewNote` saying so. Every cell is turned into the text the data tables hold, and what cannot be is a
:class:`analysis.data.Problem` naming the cell: ``FILE:SHEET:ROW:COLUMN`` for a workbook,
``FILE:ROW:COLUMN`` for a CSV (the row is the sheet's row number or the file's line).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from analysis.data import cells, csvfile, schema

EXTRA_FIELDS = ("source_title", "publisher", "url", "source_kind", "confirm_unusual", "decision", "reason_en", "reason_zh", "accept")
FIELDS = tuple(schema.COLUMNS["observations"]) + EXTRA_FIELDS
ALIASES = {"prefer": "preferred"}
KEY_FIELDS = ("indicator_id", "region", "period")
HEADER_SEARCH_ROWS = 10
# Fields a person types; a row with one of them but no value is mentioned (and skipped).
TYPED_FIELDS = ("published", "source_title", "url", "quote", "confirm_unusual", "notes")

# Drop-down items: the data's own vocabulary, each with its label in both languages (the
# workbook shows one language; either is read back).
QUALIFIER_LABELS = {
    "": ("精确值（无限定）", "exact (no qualifier)"),
    ">": ("> 超过、突破", "> more than (超过/突破)"),
    ">=": (">= 以上、不低于", ">= at least (以上/不低于)"),
    "<": ("< 低于、不足", "< less than (低于/不足)"),
    "<=": ("<= 以下、不超过", "<= at most (以下/不超过)"),
    "~": ("~ 约、近、左右", "~ about (约/近/左右)"),
}
STATUS_LABELS = {
    "official": ("official 正式数据（发布机构本身）", "official (the publisher's own final figure)"),
    "preliminary": ("preliminary 初步核算", "preliminary (初步核算, first release)"),
    "revised": ("revised 修订数", "revised (修订, a revision of an earlier figure)"),
    "reported": ("reported 报道转述", "reported (quoted by news or another body)"),
    "estimate": ("estimate 预计数", "estimate (预计, expected value)"),
    "derived": ("derived 由其他数据推算", "derived (computed from other figures)"),
}
PREFER_LABELS = {
    "true": ("prefer 采用此值（替换原值）", "prefer (use this value instead)"),
    "false": ("keep 保留原值（此值仅存档）", "keep (keep the existing value in use)"),
}
ACCEPT_LABELS = {
    "accept": ("accept 采纳（写入数据）", "accept (add this row)"),
    "reject": ("reject 不采纳", "reject (leave it out)"),
}
SYNONYMS = {
    "qualifier": {"≥": ">=", "≤": "<=", "＞": ">", "＜": "<", "≈": "~", "约": "~", "=": "", "exact": ""},
    "preferred": {"yes": "true", "no": "false", "是": "true", "否": "false", "y": "true", "n": "false", "1": "true", "0": "false",
                  "prefer": "true", "keep": "false", "keep-existing": "false", "true": "true", "false": "false"},
    "accept": {"yes": "accept", "y": "accept", "是": "accept", "采纳": "accept", "接受": "accept", "true": "accept", "1": "accept",
               "✓": "accept", "√": "accept", "no": "reject", "n": "reject", "否": "reject", "不采纳": "reject", "拒绝": "reject",
               "false": "reject", "0": "reject", "x": "reject", "×": "reject"},
}


def item_map(labels: dict[str, tuple[str, str]]) -> dict[str, str]:
    """Return every accepted spelling of a drop-down item (code, labels in both languages) -> code."""
    found = {}
    for code, texts in labels.items():
        found[code.lower()] = code
        for text in texts:
            found[text.lower()] = code
    return found


ITEMS = {"qualifier": item_map(QUALIFIER_LABELS), "status": item_map(STATUS_LABELS), "preferred": item_map(PREFER_LABELS),
         "accept": item_map(ACCEPT_LABELS)}


class ReviewNote(str):
    """A note that a row was left out by its reviewer (marked reject, or not marked accept, in column accept)."""


@dataclass
class Row:
    """One filled row: its text fields and where each came from."""

    file: str
    sheet: str | None
    row: int
    fields: dict[str, str] = field(default_factory=dict)
    cells: dict[str, str] = field(default_factory=dict)  # field -> cell reference (K12) or CSV column name

    @property
    def place(self) -> str:
        """Return ``FILE:SHEET`` (workbook) or ``FILE`` (CSV), the first part of a problem line."""
        return f"{self.file}:{self.sheet}" if self.sheet is not None else self.file

    def label(self) -> str:
        """Return ``FILE:SHEET:ROW`` / ``FILE:ROW`` (where a row is, in messages)."""
        return f"{self.place}:{self.row}"

    def problem(self, column: str, message: str) -> csvfile.Problem:
        """Return a problem at one cell of this row (with its cell reference in a workbook)."""
        ref = self.cells.get(column, "")
        suffix = f" (cell {ref})" if self.sheet is not None and ref else ""
        return csvfile.Problem(self.place, self.row, column, message + suffix)


def header_field(label: object) -> str | None:
    """Return the field a header cell names (``数值 / value`` -> value), None for other columns."""
    if label is None:
        return None
    for part in re.split(r"\s*/\s*|\n", str(label).strip()):
        name = part.strip().lower()
        name = ALIASES.get(name, name)
        if name in FIELDS:
            return name
    return None


def header_of(records: list[list[object]]) -> tuple[int, dict[int, str]] | None:
    """Return (index of the header record, column index -> field) among the first records, or None."""
    for index, record in enumerate(records[:HEADER_SEARCH_ROWS]):
        mapping = {}
        for column, label in enumerate(record):
            name = header_field(label)
            if name and name not in mapping.values():
                mapping[column] = name
        if "value" in mapping.values() and sum(k in mapping.values() for k in KEY_FIELDS) >= 2:
            return index, mapping
    return None


def column_letter(index: int) -> str:
    """Return the spreadsheet letter of a 0-based column index (0 -> A, 27 -> AB)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def read(path: Path) -> tuple[list[Row], list[csvfile.Problem], list[str]]:
    """Return the filled rows of a workbook or CSV, the problems found in its cells, and notes."""
    if not path.exists():
        return [], [csvfile.Problem(csvfile.display_path(path), 0, "-", "file not found")], []
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return read_workbook(path)
    if path.suffix.lower() == ".xls":
        return [], [csvfile.Problem(csvfile.display_path(path), 0, "-", "an .xls file (Excel 97-2003): save it as .xlsx or as CSV UTF-8")], []
    return read_csv(path)


def read_workbook(path: Path) -> tuple[list[Row], list[csvfile.Problem], list[str]]:
    """Read every sheet of a workbook that has a header row with value and key columns."""
    import zipfile

    from openpyxl import load_workbook

    shown = csvfile.display_path(path)
    try:
        book = load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as err:
        return [], [csvfile.Problem(shown, 0, "-", f"cannot read the workbook ({err}); save it as .xlsx")], []
    rows: list[Row] = []
    problems: list[csvfile.Problem] = []
    notes: list[str] = []
    sheets_read = 0
    for sheet in book.worksheets:
        records = [list(r) for r in sheet.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True)]
        found = header_of(records)
        if found is None:
            continue
        sheets_read += 1
        index, mapping = found
        missing = [k for k in KEY_FIELDS if k not in mapping.values()]
        if missing:
            problems.append(csvfile.Problem(f"{shown}:{sheet.title}", index + 1, missing[0],
                                         f"no {', '.join(missing)} column: the request workbook's hidden key columns are needed to read the rows back"))
            continue
        for row_cells in sheet.iter_rows(min_row=index + 2):
            line = row_cells[0].row
            raw = {mapping[c]: (cell.value, cell.number_format, cell.coordinate) for c, cell in enumerate(row_cells) if c in mapping}
            row = Row(shown, sheet.title, line, cells={name: ref for name, (_, _, ref) in raw.items()})
            read_row(row, {name: (value, number_format) for name, (value, number_format, _) in raw.items()}, rows, problems, notes)
    if not sheets_read:
        problems.append(csvfile.Problem(shown, 0, "-", "no sheet has a header row with value, indicator_id, region and period columns "
                                     "(make the workbook with python -m analysis request)"))
    return rows, problems, notes


def read_csv(path: Path) -> tuple[list[Row], list[csvfile.Problem], list[str]]:
    """Read a CSV (UTF-8 with or without BOM, any line ends), its header among the first rows."""
    shown = csvfile.display_path(path)
    read = csvfile.read_records(path, strict=False)
    if isinstance(read, csvfile.Problem):
        return [], [read], []
    records, lines = read
    found = header_of(records)
    if found is None:
        return [], [csvfile.Problem(shown, 1, "-", "no header row with value, indicator_id, region and period columns "
                                 "(use data/templates/observations_template.csv or a sheet of the request workbook)")], []
    index, mapping = found
    missing = [k for k in KEY_FIELDS if k not in mapping.values()]
    if missing:
        return [], [csvfile.Problem(shown, lines[index], missing[0], f"no {', '.join(missing)} column")], []
    rows: list[Row] = []
    problems: list[csvfile.Problem] = []
    notes: list[str] = []
    for record, line in zip(records[index + 1:], lines[index + 1:]):
        row = Row(shown, None, line, cells={name: name for name in mapping.values()})
        read_row(row, {mapping[c]: (cell, "General") for c, cell in enumerate(record) if c in mapping}, rows, problems, notes)
    return rows, problems, notes


def blank(value: object) -> bool:
    """Return whether a cell is empty (None or only whitespace)."""
    return value is None or (isinstance(value, str) and not value.strip())


def read_row(row: Row, raw: dict[str, tuple[object, str]], rows: list[Row], problems: list[csvfile.Problem], notes: list[str]) -> None:
    """Convert one record's cells; append the row when it has a value (problems and notes as found)."""
    if blank(raw.get("value", (None, ""))[0]):
        typed = [name for name in TYPED_FIELDS if not blank(raw.get(name, (None, ""))[0])]
        if typed:
            notes.append(f"{row.label()}: no value, row skipped (it has {', '.join(typed)})")
        return
    if "accept" in raw:
        code, problem = cell_text("accept", *raw["accept"])
        if problem:
            problems.append(row.problem("accept", problem))
            return
        if code != "accept":
            why = "marked reject" if code == "reject" else "not marked accept"
            notes.append(ReviewNote(f"{row.label()}: {why} in column accept, row skipped"))
            return
    for name, (value, number_format) in raw.items():
        text, problem = cell_text(name, value, number_format)
        if problem:
            problems.append(row.problem(name, problem))
        row.fields[name] = text
    rows.append(row)


PERCENT_TEXT = re.compile(r"^\s*([+-]?[0-9]+(?:\.[0-9]*)?|[+-]?\.[0-9]+)\s*[%％]\s*$")
SEPARATED = re.compile(r"^[+-]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$")
WAN = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*(万亿|亿|万)")
FULL_WIDTH = str.maketrans("０１２３４５６７８９．－＋", "0123456789.-+")


def cell_text(name: str, value: object, number_format: str) -> tuple[str, str | None]:
    """Return (the cell as the data's text, a problem with its fix or None)."""
    if name == "value":
        return value_text(value, number_format)
    if name == "published":
        return date_text(value)
    if name == "period":
        if isinstance(value, bool):
            return str(value), "not a period: type the year, e.g. 2024"
        if isinstance(value, (int, float)) and float(value).is_integer():
            return str(int(value)), None
        if isinstance(value, (dt.datetime, dt.date)):
            return value.strftime("%Y"), "a date, not a period: type the year as text, e.g. 2024"
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (int, float)):
        text = fmt_number(value)
    elif isinstance(value, (dt.datetime, dt.date)):
        text = value.isoformat()[:10]
    else:
        text = "" if value is None else str(value).strip()
    if name in ITEMS:
        code = ITEMS[name].get(text.lower(), SYNONYMS.get(name, {}).get(text.lower()))
        if code is None:
            first = text.split(" ")[0].lower() if text else ""
            code = ITEMS[name].get(first, SYNONYMS.get(name, {}).get(first))
        if code is None and text:
            choices = {"qualifier": "empty, > >= < <= ~", "status": ", ".join(schema.STATUSES), "preferred": "prefer or keep",
                       "accept": "accept or reject"}[name]
            return text, f"{text!r} is not one of the choices ({choices}): pick one from the drop-down"
        return code or "", None
    if name == "source_kind":
        first = text.split(" ")[0].lower() if text else ""
        return first, None
    return text, None


def fmt_number(value: int | float) -> str:
    """Return a number cell as the text a person typed (17146.6, 13500, not 13500.0 or 3.3000000000000003)."""
    if isinstance(value, int):
        return str(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value) if "e" in repr(value) else str(value)


def value_text(value: object, number_format: str) -> tuple[str, str | None]:
    """Return a value cell as text, or a problem saying how to type it."""
    if isinstance(value, bool):
        return str(value), "not a number: type the figure in the unit of column 单位 / unit"
    if isinstance(value, (int, float)):
        text = fmt_number(value)
        if "%" in (number_format or ""):
            shown = fmt_number(round(value * 100, 10))
            return text, (f"the cell is formatted as a percent, so Excel stored {shown}% as {text}: type {shown} "
                          "in a cell formatted as a number (General); the unit % is already given")
        return text, None
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()[:10], "a date, not a number: type the figure in the unit of column 单位 / unit"
    text = str(value).strip()
    if re.fullmatch(cells.NUMBER_PATTERN, text):
        return text, None
    percent = PERCENT_TEXT.match(text)
    if percent:
        return text, f"{text!r} is text with a percent sign: type {percent.group(1)} (a number; the unit % is already given)"
    plain = text.translate(FULL_WIDTH)
    if plain != text and re.fullmatch(cells.NUMBER_PATTERN, plain):
        return text, f"{text!r} has full-width digits: type {plain}"
    if SEPARATED.match(text):
        return text, f"{text!r} has thousands separators: type {text.replace(',', '')}"
    wan = WAN.match(text)
    if wan:
        factor = {"万": 10_000, "亿": 100_000_000, "万亿": 1_000_000_000_000}[wan.group(2)]
        return text, (f"{text!r} is text: convert it to the unit of column 单位 / unit and type a number "
                      f"({wan.group(1)}{wan.group(2)} = {fmt_number(float(wan.group(1)) * factor)}; in 亿元: "
                      f"{fmt_number(float(wan.group(1)) * factor / 100_000_000)})")
    return text, f"{text!r} is not a number: type the figure only, in the unit of column 单位 / unit (a bound such as 超过 goes in column qualifier)"


DATE_FORMS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
)


def date_text(value: object) -> tuple[str, str | None]:
    """Return a date cell as YYYY-MM-DD (Excel dates, and texts written year first), or a problem."""
    if value is None:
        return "", None
    if isinstance(value, dt.datetime):
        return value.date().isoformat(), None
    if isinstance(value, dt.date):
        return value.isoformat(), None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return fmt_number(value), "a number, not a date: type the date as 2025-03-20 (or format the cell as a date)"
    text = str(value).strip()
    text = re.sub(r"[ T]00:00(:00)?$", "", text)
    for form in DATE_FORMS:
        match = form.match(text)
        if match:
            year, month, day = (int(g) for g in match.groups())
            try:
                return dt.date(year, month, day).isoformat(), None
            except ValueError:
                return text, f"{text!r} is not a calendar date"
    if not text:
        return "", None
    return text, f"{text!r} is not a date written year first: type it as 2025-03-20"
