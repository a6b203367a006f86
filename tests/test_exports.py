"""Exports: deterministic bytes and inert text cells in every CSV and XLSX the product writes."""

from __future__ import annotations

import csv
import datetime
import io
import time
import types
import zipfile

import numpy as np
import openpyxl
import openpyxl.writer.excel
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.assess import statuses
from analysis.data import loader, schema
from analysis.report import exports

DANGEROUS = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\t=1", "\r=1", "=HYPERLINK(\"http://x\",\"y\")"]


def test_inert_text_prefixes_formula_starts_only() -> None:
    assert [exports.inert_text(v) for v in DANGEROUS] == ["'" + v for v in DANGEROUS]
    assert exports.inert_text("研发投入") == "研发投入"
    assert exports.inert_text("a=1") == "a=1"
    assert exports.inert_text(-3.5) == -3.5


def test_csv_cells_are_inert_and_numbers_stay_numbers(tmp_path) -> None:
    frame = pd.DataFrame({"title": DANGEROUS, "value": [-1.5, 2.0, -3.0, 4.0, 5.0, 6.0, 7.0]})
    path = exports.write_csv(frame, tmp_path / "x.csv")
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8"), newline="")))
    assert rows[0] == ["title", "value"]
    assert [r[0] for r in rows[1:]] == ["'" + v for v in DANGEROUS]
    assert [r[1] for r in rows[1:]][:3] == ["-1.5", "2.0", "-3.0"]


def clock_at(monkeypatch: pytest.MonkeyPatch, when: datetime.datetime) -> None:
    """Set the clocks an XLSX save reads to `when`: openpyxl's save time (docProps) and zipfile's entry times."""

    class Frozen(datetime.datetime):
        @classmethod
        def now(cls, tz=None):
            return when.replace(tzinfo=tz) if tz else when

    monkeypatch.setattr(openpyxl.writer.excel, "datetime", types.SimpleNamespace(datetime=Frozen, timezone=datetime.timezone))
    stamp = when.timestamp()  # zip entries take the clock (writestr) or a temporary file's mtime (write): both at `when`
    monkeypatch.setattr(zipfile, "time", types.SimpleNamespace(time=lambda: stamp, localtime=lambda secs=None: time.localtime(stamp)))


def raw_workbook_bytes() -> bytes:
    """A workbook saved by openpyxl alone (what exports.xlsx_bytes starts from)."""
    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    return buffer.getvalue()


def test_xlsx_has_no_formula_cell_and_is_byte_identical(tmp_path, monkeypatch) -> None:
    frame = pd.DataFrame({"=title": DANGEROUS, "value": [-1.5, np.nan, 3.0, 4.0, 5.0, 6.0, 7.0]})
    early, late = datetime.datetime(2001, 2, 3, 4, 5, 6), datetime.datetime(2031, 7, 8, 9, 10, 11)
    clock_at(monkeypatch, early)
    first, raw_early = exports.write_xlsx(frame, tmp_path / "a.xlsx").read_bytes(), raw_workbook_bytes()
    clock_at(monkeypatch, late)
    second, raw_late = exports.write_xlsx(frame, tmp_path / "b.xlsx").read_bytes(), raw_workbook_bytes()
    monkeypatch.undo()
    # the clocks really differed: openpyxl alone stamps the save time in docProps and in every zip entry
    assert raw_early != raw_late
    assert b"2001-02-03T04:05:06Z" in zipfile.ZipFile(io.BytesIO(raw_early)).read("docProps/core.xml")
    assert {i.date_time for i in zipfile.ZipFile(io.BytesIO(raw_early)).infolist()} == {(2001, 2, 3, 4, 5, 6)}
    # ... and the exports are byte for byte the same, thirty years apart
    assert first == second
    assert {i.date_time for i in zipfile.ZipFile(io.BytesIO(first)).infolist()} == {exports.FIXED_ZIP_TIME}
    sheet = openpyxl.load_workbook(tmp_path / "a.xlsx").active
    cells = [c for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert sheet["A1"].value == "'=title"
    # XML stores a carriage return as a line feed; the apostrophe still comes first
    assert [sheet.cell(row=r, column=1).value for r in range(2, 9)] == ["'" + v.replace("\r", "\n") for v in DANGEROUS]
    assert sheet["B2"].value == -1.5 and sheet["B3"].value is None


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from("=+-@\t\r\x01 a中1'\""), min_size=0, max_size=8) | st.text(max_size=8), min_size=1, max_size=5))
def test_no_written_text_cell_starts_like_a_formula(tmp_path_factory, texts) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    frame = pd.DataFrame({"text": texts})
    exports.write_csv(frame, folder / "x.csv")
    exports.write_xlsx(frame, folder / "x.xlsx")
    rows = list(csv.reader(io.StringIO((folder / "x.csv").read_bytes().decode("utf-8"), newline="")))
    assert len(rows) == len(texts) + 1
    assert not any(r[0].startswith(exports.FORMULA_PREFIXES) for r in rows[1:] if r)
    sheet = openpyxl.load_workbook(folder / "x.xlsx").active
    values = [sheet.cell(row=r, column=1).value for r in range(2, len(texts) + 2)]
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    assert not any(isinstance(v, str) and v.startswith(exports.FORMULA_PREFIXES) for v in values)


def formula_titled(dataset: loader.Dataset) -> loader.Dataset:
    """Return the dataset with every source title turned into a formula."""
    import dataclasses

    sources = dataset.sources.copy()
    sources["title"] = "=HYPERLINK(\"http://evil.example\",\"" + sources["source_id"] + "\")"
    return dataclasses.replace(dataset, sources=sources)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_dashboard_exports_with_formula_titles_are_inert(tmp_path, lang) -> None:
    dataset = formula_titled(loader.load(schema.DEFAULT_DATA_DIR))
    table = statuses.status_table(dataset, "2026-09-30")
    csv_path, xlsx_path = exports.write_dashboard(exports.export_frame(dataset, table, lang), tmp_path, lang)
    read = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
    titled = [v for column in read.columns for v in read[column] if "HYPERLINK" in v]
    assert titled and all(v.startswith("'=") for v in titled)
    sheet = openpyxl.load_workbook(xlsx_path).active
    cells = [c for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert any(isinstance(c.value, str) and c.value.startswith("'=HYPERLINK") for c in cells)


def test_dashboard_headers_are_in_the_language(tmp_path) -> None:
    dataset = loader.load(schema.DEFAULT_DATA_DIR)
    table = statuses.status_table(dataset, "2026-09-30")
    csv_path, _ = exports.write_dashboard(exports.export_frame(dataset, table, "zh"), tmp_path, "zh")
    header = csv_path.read_text(encoding="utf-8").splitlines()[0]
    import re

    assert not re.search(r"[A-Za-z]{4,}", header), header
