"""The proposals workbook (``extract FILE --output proposals.xlsx``): the request workbook's layout, filled in.

One row per candidate with value, period, qualifier, status, quote and source already filled,
where the quote was found (file and page), the values the data already hold for that year, and an
empty ``accept`` drop-down: a reviewer marks each row accept or reject, and ``python -m analysis
add --from proposals.xlsx`` adds the accepted rows only (:mod:`analysis.data.batch` skips the
others and says so). The layout (columns, drop-downs, typed cells, frozen header, deterministic
bytes) is :mod:`analysis.data.workbook`'s.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Sequence

from analysis.data import batch, workbook
from analysis.data.extract.candidates import Candidate
from analysis.data.extract.phrases import read_csv_rows
from analysis.data.request import source_kind_of

INFO_FIELDS = ("indicator_name", "definition", "unit_hint", "region_name", "year", "known")
LOCATION = ("location", "出处（文件、页码）", "found in (file, page)", 22, "info")
ACCEPT = ("accept", "采纳", "accept", 16, "fill")
PROPOSAL_LISTS = workbook.LIST_FIELDS + ("accept",)

WORDS = {
    "instructions": {"zh": "说明", "en": "instructions"},
    "sheet": {"zh": "提取结果", "en": "proposals"},
    "title": {"zh": "从保存的文件中提取的候选数据：逐行核对后采纳或不采纳",
              "en": "Figures proposed from a saved document: check each row, then accept or reject it"},
    "from": {"zh": "来源文件：{file}（{title}），{n} 条候选值", "en": "From {file} ({title}): {n} proposal(s)"},
    "step1.title": {"zh": "第一步：核对", "en": "Step 1: check"},
    "step1": {"zh": "逐行对照原文（“出处”列给出文件和页码）核对指标口径、数值、年份和地区。正确的行在“采纳”列选 accept 采纳，"
                    "错误的行选 reject 不采纳；未选择的行不会写入。数值、限定、数据性质、来源等黄色列可以直接改正；"
                    "年份不对的行请选 reject。",
              "en": "Check each row against the document (column 'found in' gives the file and page): the indicator's "
                    "definition, the value, the year and the region. Mark a right row accept and a wrong one reject in "
                    "column accept; a row left unmarked is not added. The yellow columns (value, qualifier, status, "
                    "source …) can be corrected in place; reject a row whose year is wrong."},
    "step2.title": {"zh": "第二步：保存", "en": "Step 2: save"},
    "step2": {"zh": "保存为 .xlsx（不要改动表头和隐藏列）。", "en": "Save the file as .xlsx (keep the header and the hidden columns)."},
    "step3.title": {"zh": "第三步：写入数据", "en": "Step 3: add"},
    "step3": {"zh": "先用 --dry-run 检查（不写入任何内容，并列出被跳过的行），无误后去掉 --dry-run 正式写入。",
              "en": "Run the commands below: first with --dry-run (checks, writes nothing, lists the rows left out), then without it."},
}


@dataclass(frozen=True)
class SourceCells:
    """The source of every proposal: an existing source id, or a new source's title, URL, publisher and kind."""

    source_id: str = ""
    title: str = ""
    url: str = ""
    publisher: str = ""
    kind: str = ""


def w(key: str, lang: str, **fields: object) -> str:
    """Return a proposals-workbook phrase in ``lang``."""
    return WORDS[key][lang].format(**fields)


def proposal_columns() -> tuple[tuple[str, str, str, int, str], ...]:
    """Return the request layout's columns for proposals: its explanations that fit, where the quote is, accept, then
    every column to fill and the hidden keys."""
    info = [c for c in workbook.COLUMNS if c[0] in INFO_FIELDS]
    rest = [c for c in workbook.COLUMNS if c[4] != "info"]
    return (*info[:-1], LOCATION, info[-1], ACCEPT, *rest)


def number_cell(value: str) -> int | float:
    """Return a proposal's value as a number cell (an integer when it is whole)."""
    number = Decimal(value)
    return int(number) if number == number.to_integral_value() and abs(number) < Decimal("1e15") else float(number)


def known_values(data_dir: Path) -> dict[tuple[str, str, str], tuple[tuple[str, float, str, str], ...]]:
    """Return (indicator, region, period) -> the (qualifier, value, status, published) observations.csv holds."""
    found: dict[tuple[str, str, str], list[tuple[str, float, str, str]]] = {}
    for row in read_csv_rows(data_dir / "observations.csv"):
        key = (row["indicator_id"], row["region"], row["period"])
        found.setdefault(key, []).append((row["qualifier"], float(row["value"]), row["status"], row["published"]))
    return {key: tuple(sorted(values, key=lambda v: (v[3], v[1]))) for key, values in found.items()}


def resolve_source(data_dir: Path, source_id: str, title: str, url: str, publisher: str, kind: str) -> SourceCells:
    """Return the source cells: the id alone when sources.csv has it, else the new source's fields (kind guessed from the title)."""
    existing = {row["source_id"] for row in read_csv_rows(data_dir / "sources.csv")}
    if source_id and source_id in existing:
        return SourceCells(source_id=source_id)
    return SourceCells(source_id, title, url, publisher, kind or source_kind_of(title))


def proposal_cells(c: Candidate, indicators: dict[str, dict[str, str]], regions: dict[str, dict[str, str]], known: dict,
                   source: SourceCells, published: dt.date | None, file_name: str, lang: str) -> dict[str, object]:
    """Return one proposal's cells by field (typed: the value a number, the date a date)."""
    side = 0 if lang == "zh" else 1
    meta = indicators.get(c.indicator_id, {})
    name = meta.get("name_zh", c.indicator_id) if lang == "zh" else f"{meta.get('name_en', c.indicator_id)} ({meta.get('name_zh', '')})"
    region = regions.get(c.region, {})
    location = ", ".join(filter(None, (file_name, c.location)))
    return {
        "indicator_name": name,
        "definition": meta.get("definition", ""),
        "unit_hint": workbook.unit_hint(c.unit, lang),
        "region_name": region.get("name_zh" if lang == "zh" else "name_en", c.region),
        "year": int(c.period) if c.period.isdigit() else c.period,
        "location": location,
        "known": workbook.known_text(known.get((c.indicator_id, c.region, c.period), ()), lang),
        "value": number_cell(c.value),
        "qualifier": batch.QUALIFIER_LABELS[c.qualifier][side],
        "status": batch.STATUS_LABELS[c.status][side],
        "published": published,
        "source_title": source.title or None,
        "url": source.url or None,
        "quote": c.quote,
        "publisher": source.publisher or None,
        "source_kind": workbook.SOURCE_KIND_LABELS[source.kind][side] if source.kind in workbook.SOURCE_KIND_LABELS else None,
        "notes": f"extract: {location}",
        "source_id": source.source_id or None,
        "indicator_id": c.indicator_id,
        "region": c.region,
        "period": c.period,
    }


def write_instructions(sheet, title: str, file_name: str, count: int, lang: str, output_name: str) -> None:
    """Write the first sheet: what the workbook holds and the three steps."""
    from openpyxl.styles import Alignment, Font

    lines = [
        (w("title", lang), "", True),
        (w("from", lang, file=file_name, title=title, n=count), "", False),
        ("", "", False),
        *workbook.step_lines(w, lang, output_name),
    ]
    for number, (head, body, bold) in enumerate(lines, start=1):
        sheet.cell(number, 1, head or None).font = Font(bold=bold)
        sheet.cell(number, 2, body or None).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 90


def proposals_workbook(candidates: Sequence[Candidate], data_dir: Path, title: str, file_name: str, source: SourceCells,
                       published: dt.date | None, day: dt.date, lang: str, output_name: str) -> bytes:
    """Return the proposals workbook as deterministic .xlsx bytes (dated ``day``)."""
    from openpyxl import Workbook

    indicators = {row["indicator_id"]: row for row in read_csv_rows(data_dir / "indicators.csv")}
    regions = {row["region_id"]: row for row in read_csv_rows(data_dir / "regions.csv")}
    known = known_values(data_dir)
    book = Workbook()
    first = book.active
    first.title = w("instructions", lang)
    write_instructions(first, title, file_name, len(candidates), lang, output_name)
    lists = workbook.write_lists(book, lang, PROPOSAL_LISTS)
    rows = [proposal_cells(c, indicators, regions, known, source, published, file_name, lang) for c in candidates]
    heading = f"{w('title', lang)} — {w('from', lang, file=file_name, title=title, n=len(candidates))}"
    workbook.write_sheet(book, w("sheet", lang), heading, rows, lang, lists, proposal_columns())
    book.move_sheet(workbook.LISTS_SHEET, offset=len(book.sheetnames) - 1 - book.sheetnames.index(workbook.LISTS_SHEET))
    workbook.stamp_properties(book, day, "python -m analysis extract", w("title", lang), lang)
    return workbook.workbook_bytes(book, day)
