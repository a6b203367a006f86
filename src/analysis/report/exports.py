"""Export files (CSV and XLSX) with deterministic bytes and inert text cells.

Every CSV and XLSX the product writes goes through :func:`write_csv` / :func:`write_xlsx`. A text
cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be read by Excel,
WPS or LibreOffice as a formula (CSV injection); such a cell is written as text: prefixed with an
apostrophe in CSV (the OWASP recommendation) and stored as a string cell with a leading
apostrophe in XLSX (openpyxl would otherwise store ``=...`` as a formula). Numbers stay numbers
(``-3.5`` as a float is not text)."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from pathlib import Path

import pandas as pd

from analysis.data import loader
from analysis.report.status_tables import status_display

FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


FIXED_DOC_TIME = "2000-01-01T00:00:00Z"


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


# Control characters XML 1.0 cannot hold (openpyxl refuses them): dropped from XLSX text cells.
ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def inert_text(value: object) -> object:
    """Return a text cell that spreadsheets show as text (leading apostrophe when it looks like a formula)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def inert_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with every text cell (and header) made inert; numbers untouched."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(inert_text)
    safe.columns = [inert_text(str(c)) for c in safe.columns]
    return safe


def csv_text(frame: pd.DataFrame) -> str:
    """Return the frame as RFC 4180 CSV text (CRLF line ends, no index) with inert text cells."""
    # CRLF as the record end makes the csv module quote any field holding a CR or LF; with LF
    # alone a bare CR inside a title would go out unquoted and split the row in Excel.
    return inert_frame(frame).to_csv(index=False, lineterminator="\r\n")


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write a frame as UTF-8 CSV (RFC 4180: CRLF) with inert text cells."""
    Path(path).write_bytes(csv_text(frame).encode("utf-8"))
    return Path(path)


def xlsx_value(value: object) -> object:
    """Return a cell value for openpyxl: None for missing, Python scalars, inert text."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return inert_text(ILLEGAL_XML.sub("", value)) if isinstance(value, str) else value


def xlsx_bytes(frame: pd.DataFrame, sheet: str = "dashboard") -> bytes:
    """Return a frame as XLSX bytes (openpyxl): text cells as strings, fixed timestamps (same bytes each run)."""
    from openpyxl import Workbook

    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    rows = [[xlsx_value(str(c)) for c in frame.columns]]
    rows += [[xlsx_value(v) for v in row] for row in frame.itertuples(index=False)]
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            cell = worksheet.cell(row=r, column=c, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
    fixed = datetime(2000, 1, 1)
    workbook.properties.created = fixed
    workbook.properties.modified = fixed
    workbook.properties.creator = "analysis"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return fixed_zip(buffer.getvalue())


def fixed_zip(content: bytes) -> bytes:
    """Return a zip archive rewritten with fixed entry times and document dates."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(<)", rb"\g<1>" + FIXED_DOC_TIME.encode() + rb"\g<3>", body)
            fixed_info = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            fixed_info.compress_type = zipfile.ZIP_DEFLATED
            fixed_info.external_attr = 0o600 << 16
            target.writestr(fixed_info, body)
    return out.getvalue()


def write_xlsx(frame: pd.DataFrame, path: Path, sheet: str = "dashboard") -> Path:
    """Write a frame as XLSX with inert text cells and reproducible bytes."""
    Path(path).write_bytes(xlsx_bytes(frame, sheet))
    return Path(path)


def export_frame(dataset: loader.Dataset, table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Return the dashboard table for CSV/XLSX: ids and readable labels beside the raw numbers of the status table."""
    shown = status_display(dataset, table, lang)
    raw = ["target_id", "target_value", "latest_value", "latest_qualifier", "latest_stale", "running_total", "running_total_qualifier",
           "required_value", "gap", "progress_ratio", "recent_pace", "needed_pace", "at_recent_pace", "projected_value", "lo80", "hi80",
           "p_meet", "likelihood", "source_id", "status", "status_reason", "group", "story", "interpolated_years", "missing_years",
           "estimated_years"]
    numbers = table[[c for c in raw if c in table.columns]]
    merged = shown.drop(columns=["status"]).merge(numbers.rename(columns=lambda c: c if c == "target_id" else f"{c}_raw"), on="target_id")
    merged.insert(merged.columns.get_loc("p_meet") + 1, "status", shown["status"].to_numpy())
    return merged


def header_labels(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Return the export with headers in ``lang`` (raw columns keep their id, with the language's 'raw' suffix)."""
    from analysis.report.i18n import has, t

    names = {}
    for column in frame.columns:
        base = column[:-4] if column.endswith("_raw") else column
        key = "export.url" if base == "url" else base
        label = t(key, lang) if has(key) else base
        names[column] = t("export.raw", lang, label=label) if column.endswith("_raw") else label
    return frame.rename(columns=names)


def write_dashboard(frame: pd.DataFrame, output_dir: Path | str, lang: str) -> list[Path]:
    """Write dashboard.<lang>.csv and dashboard.<lang>.xlsx into ``output_dir``; return the paths."""
    folder = Path(output_dir)
    folder.mkdir(parents=True, exist_ok=True)
    labelled = header_labels(frame, lang)
    return [write_csv(labelled, folder / f"dashboard.{lang}.csv"), write_xlsx(labelled, folder / f"dashboard.{lang}.xlsx")]
