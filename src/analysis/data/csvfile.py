"""The one CSV reader (UTF-8 with or without BOM, any line ends, physical line numbers) and its problems (file:row:column: message)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.data.schema import COLUMNS


@dataclass(frozen=True)
class Problem:
    """One validation finding, printed as ``file:row:column: message``."""

    file: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.row}:{self.column}: {self.message}"


class DataValidationError(Exception):
    """Raised when the data directory does not validate; ``problems`` lists every finding."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class RawTable:
    """A CSV read as strings, with the file line number of every record."""

    name: str
    path: Path
    header: list[str]
    rows: list[list[str]]
    lines: list[int]


def display_path(path: Path) -> str:
    """Return the path as a user typed it relative to the working directory, when possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


BOM = "\ufeff"


def read_records(path: Path, strict: bool = True) -> tuple[list[list[str]], list[int]] | Problem:
    """Return a CSV's records and the file line each starts on, or the Problem that stops reading.

    UTF-8 with or without a byte-order mark, any line ends (as Excel and WPS save); an empty file
    gives no records.
    """
    shown = display_path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return Problem(shown, 0, "-", "file is missing")
    except OSError as err:
        return Problem(shown, 0, "-", f"cannot be read: {err.strerror or err}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        return Problem(shown, line, "-", f"not valid UTF-8 (byte 0x{data[err.start]:02x} at offset {err.start}); save the file as \"CSV UTF-8\" (Excel) or UTF-8 (WPS)")
    text = text.removeprefix(BOM)
    if not text.strip():
        return [], []
    reader = csv.reader(io.StringIO(text, newline=""), strict=strict)
    records: list[list[str]] = []
    lines: list[int] = []
    start = 1
    try:
        for record in reader:
            records.append(record)
            lines.append(start)
            start = reader.line_num + 1
    except csv.Error as err:
        return Problem(shown, reader.line_num, "-", f"malformed CSV: {err}")
    return records, lines


def read_text_table(path: Path, expected: list[str] | None = None) -> pd.DataFrame:
    """Return a small CSV as text, its columns ``expected`` (default: its own header); raise DataValidationError naming file, row and column."""
    raw, problems = read_raw(Path(path), "", expected)
    if problems or raw is None:
        raise DataValidationError(problems)
    return pd.DataFrame(raw.rows, columns=raw.header, dtype=object)[list(expected or raw.header)]


def read_raw(path: Path, name: str, expected: list[str] | None = None) -> tuple[RawTable | None, list[Problem]]:
    """Read one CSV as UTF-8 text (a byte-order mark and CRLF, as Excel and WPS save, are accepted).

    ``expected`` is the header (default: the table's columns in schema.COLUMNS, or for a name not
    there the file's own header). A header row repeated in the body (two files joined) and a file
    separated by ';' each give one problem.
    """
    shown = display_path(path)
    known = list(expected or COLUMNS.get(name) or [])
    read = read_records(path)
    if isinstance(read, Problem):
        return None, [read]
    records, lines = read
    if not records:
        return None, [Problem(shown, 1, "-", "file is empty (expected a header row" + (": " + ",".join(known) if known else "") + ")")]
    header, body, body_lines = records[0], records[1:], lines[1:]
    expected = known or [column.strip() for column in header]
    problems: list[Problem] = []
    if any(";" in column for column in header) and not any(column in expected for column in header if ";" not in column):
        return None, [Problem(shown, 1, "-", "columns are separated by ';' — save as CSV UTF-8 (comma-separated)")]
    missing = [c for c in expected if c not in header]
    extra = [c for c in header if c not in expected]
    repeated = sorted({c for c in header if header.count(c) > 1})
    for column in missing:
        problems.append(Problem(shown, 1, column, f"missing column (expected columns: {','.join(expected)})"))
    for column in extra:
        problems.append(Problem(shown, 1, column, f"unknown column (expected columns: {','.join(expected)})"))
    for column in repeated:
        problems.append(Problem(shown, 1, column, "column appears more than once in the header"))
    if problems:
        return None, problems
    kept_rows, kept_lines = [], []
    for record, line in zip(body, body_lines):
        if not any(record):  # a blank line, or a row of only commas (Excel writes one for a cleared row)
            continue
        if [cell.strip().removeprefix(BOM) for cell in record] == header:
            problems.append(Problem(shown, line, "-", "the header row is repeated here (files joined?)"))
            continue
        if len(record) != len(header):
            problems.append(Problem(shown, line, "-", f"has {len(record)} fields, the header has {len(header)}"))
            continue
        kept_rows.append(record)
        kept_lines.append(line)
    return RawTable(name, path, header, kept_rows, kept_lines), problems


def frame_of(raw: RawTable) -> pd.DataFrame:
    """Return the raw strings as a DataFrame with a ``_line`` column."""
    frame = pd.DataFrame(raw.rows, columns=raw.header, dtype=object)[COLUMNS[raw.name]]
    frame["line_no"] = raw.lines
    return frame
