"""Append to a data table the way its editor saved it: BOM, line ends, quoting and untouched lines kept; atomic replace."""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from analysis.data import csvfile


@dataclass
class CsvFile:
    """A CSV's records, the exact text of each, and the conventions it was saved with."""

    header: list[str]
    rows: list[list[str]]
    texts: list[str]
    lines: list[int]
    bom: bool
    newline: str
    quoting: int

    def render(self, rows: list[list[str]]) -> str:
        """Return the file with ``rows``: unchanged records keep their exact text, others are written in the file's style."""
        parts = [self.texts[0]] + [
            self.texts[index + 1] if index < len(self.rows) and row == self.rows[index] else self.record_text(row)
            for index, row in enumerate(rows)
        ]
        for index in range(len(parts) - 1):
            if not parts[index].endswith(("\n", "\r")):
                parts[index] += self.newline
        return ("\ufeff" if self.bom else "") + "".join(parts)

    def record_text(self, row: list[str]) -> str:
        """Return one record as CSV text with the file's quoting and line ending."""
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator=self.newline, quoting=self.quoting).writerow(row)
        return buffer.getvalue()


def physical_lines(text: str) -> list[str]:
    """Split text into lines that keep their endings (\\r\\n, \\n or \\r), as the csv module reads them."""
    return re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", text)


def read_table(path: Path) -> CsvFile:
    """Read a CSV saved by any editor (BOM, CRLF, quoted line breaks) keeping each record's exact text."""
    text = path.read_bytes().decode("utf-8")
    bom = text.startswith(csvfile.BOM)
    text = text.removeprefix(csvfile.BOM)
    lines = physical_lines(text)
    reader = csv.reader(iter(lines))
    records, texts, starts = [], [], []
    consumed = 0
    for record in reader:
        records.append(record)
        texts.append("".join(lines[consumed:reader.line_num]))
        starts.append(consumed + 1)
        consumed = reader.line_num
    if not records:
        raise ValueError(f"{path}: empty file (expected a header row)")
    ending = re.search(r"\r\n|\r|\n", text)
    newline = ending.group() if ending else "\n"
    quote_all = io.StringIO()
    csv.writer(quote_all, lineterminator="", quoting=csv.QUOTE_ALL).writerow(records[0])
    quoting = csv.QUOTE_ALL if texts[0].rstrip("\r\n") == quote_all.getvalue() and records[0] else csv.QUOTE_MINIMAL
    return CsvFile(records[0], [list(r) for r in records[1:]], texts, starts[1:], bom, newline, quoting)


def replace_atomically(path: Path, text: str) -> None:
    """Write a file through a temporary sibling and an atomic rename."""
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
        out.write(text)
    os.replace(temp, path)


def lines_of_appended(table: CsvFile, rows: list[list[str]]) -> list[tuple[int, list[str]]]:
    """Return (line, record) of the records appended after a file's own rows, as rendered."""
    line = len(physical_lines("".join(table.texts))) + 1
    found = []
    for row in rows[len(table.rows):]:
        found.append((line, row))
        line += len(physical_lines(table.record_text(row)))
    return found


def replace_all_atomically(writes: list[tuple[Path, str]]) -> None:
    """Write every file to a temporary sibling first, then rename them all (sources and decisions before observations)."""
    temps = []
    try:
        for path, text in writes:
            handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
                out.write(text)
            temps.append((temp, path))
    except BaseException:
        for temp, _ in temps:
            Path(temp).unlink(missing_ok=True)
        raise
    for temp, path in temps:
        os.replace(temp, path)
