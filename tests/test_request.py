"""`python -m analysis request`: which figures and years are asked for, when a figure is overdue
(hand-computed), and the workbook itself (typed cells, drop-downs, frozen header, hidden keys,
byte-identical reruns)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from analysis.data import batch, loader, request, schema
from analysis.data.request import first_year, is_overdue, latest_year_due, overdue_since, release_due, years_wanted
from analysis.report import request_workbook

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2026, 12, 7)
D = dt.date


# ---------------------------------------------------------------------------
# The overdue rule, by hand


def test_release_and_overdue_dates() -> None:
    # usual month March, figure out one year after its year: due by 2025-03-31, overdue from 2025-05-01
    assert release_due(2024, 3) == D(2025, 3, 31)
    assert overdue_since(2024, 3) == D(2025, 5, 1)
    # two years after (Ningbo's R&D intensity: 2023's came out in March 2025)
    assert overdue_since(2024, 3, lag=2) == D(2026, 5, 1)
    # December + one month of grace runs into the year after next
    assert overdue_since(2024, 12) == D(2026, 2, 1)
    assert overdue_since(2024, 11) == D(2026, 1, 1)
    # month unknown: December assumed
    assert release_due(2024, None) == D(2025, 12, 31) and overdue_since(2024, None) == D(2026, 2, 1)
    assert overdue_since(2024, 3, grace=0) == D(2025, 4, 1)


def test_is_overdue() -> None:
    # the example: the 2024 R&D intensity, not in data/, as of 2026-12-07
    assert is_overdue(2024, 3, AS_OF, [], lag=2) == D(2026, 5, 1)
    assert is_overdue(2024, 3, D(2026, 4, 30), [], lag=2) is None  # within the grace month
    assert is_overdue(2024, 3, D(2026, 5, 1), [], lag=2) == D(2026, 5, 1)  # the first overdue day
    assert is_overdue(2024, 3, AS_OF, [D(2026, 6, 1)], lag=2) is None  # something was published (late)
    assert is_overdue(2024, 3, D(2026, 5, 31), [D(2026, 6, 1)], lag=2) == D(2026, 5, 1)  # not yet by then


def test_years_wanted() -> None:
    # usual month March: on 2026-12-07 the 2025 figure (due March 2026) is expected, 2026's is not
    assert latest_year_due(3, AS_OF) == 2025
    assert latest_year_due(3, D(2026, 3, 31)) == 2024  # March 2026 not over yet
    assert latest_year_due(3, D(2026, 4, 1)) == 2025
    assert latest_year_due(3, AS_OF, lag=2) == 2024
    assert latest_year_due(None, AS_OF) == 2024  # December 2026 not over
    assert years_wanted("level", 2022, 2027, 3, AS_OF) == [2022, 2023, 2024, 2025]
    assert years_wanted("level", 2022, 2027, 3, AS_OF, lag=2) == [2022, 2023, 2024]
    # cumulative and each-year targets count the flows after the base year
    assert years_wanted("cumulative", 2022, 2027, 3, AS_OF) == [2023, 2024, 2025]
    assert years_wanted("level", 2022, 2027, 3, AS_OF, each_year=True) == [2023, 2024, 2025]
    # a past target stops at its target year; no base year: five years before the target year
    assert years_wanted("level", 2017, 2022, 3, AS_OF) == [2017, 2018, 2019, 2020, 2021, 2022]
    assert first_year("level", None, 2027) == 2022


def test_no_year_is_wanted_before_its_release() -> None:
    assert years_wanted("level", 2022, 2027, 3, D(2023, 2, 1)) == []  # the 2022 figure is due in March 2023


# ---------------------------------------------------------------------------
# The plan on data/ as of 2026-12-07


@pytest.fixture(scope="module")
def dataset() -> loader.Dataset:
    return loader.load(ROOT / "data")


@pytest.fixture(scope="module")
def wanted(dataset: loader.Dataset) -> list[request.Wanted]:
    return request.plan(dataset, request.read_calendar(ROOT / "data"), AS_OF)


def find(wanted, indicator: str, region: str, year: int):
    return next((w for w in wanted if (w.indicator_id, w.region, w.year) == (indicator, region, year)), None)


def test_the_2024_r_and_d_intensity_is_overdue(wanted, dataset) -> None:
    series = dataset.observations.query("indicator_id == 'rd_gdp_ratio' and region == 'ningbo'")
    assert request.inferred_lag(series, AS_OF) == 2  # 2023's first exact figure: 2025-03-13
    item = find(wanted, "rd_gdp_ratio", "ningbo", 2024)
    assert item is not None and item.state == "overdue" and item.overdue_since == D(2026, 5, 1)
    assert item.publisher.key == "nb_stats" and item.publisher.month == 3
    assert find(wanted, "rd_gdp_ratio", "ningbo", 2025) is None  # due in March 2027
    assert find(wanted, "rd_gdp_ratio", "ningbo", 2023) is None  # 3.08, official
    assert find(wanted, "rd_gdp_ratio", "ningbo", 2022).overdue_since == D(2024, 5, 1)
    # an estimate is not an exact figure: asked for, not overdue
    estimate = find(wanted, "rd_gdp_ratio", "ningbo", 2021)
    assert estimate.state == "inexact" and estimate.overdue_since is None and estimate.known[0][1:3] == (3.0, "estimate")


def test_bounds_are_asked_for_and_counts_have_a_one_year_lag(wanted) -> None:
    firms = [w for w in wanted if (w.indicator_id, w.region) == ("high_tech_enterprises", "ningbo")]
    assert [(w.year, w.state) for w in firms] == [(2023, "inexact"), (2024, "inexact"), (2025, "inexact")]  # >7000, >8800, >10000
    assert find(wanted, "tech_smes", "ningbo", 2025).overdue_since == D(2026, 5, 1)


def test_sheets_and_rows_as_of_2026_12_07(wanted) -> None:
    sheets = list(dict.fromkeys(w.publisher.key for w in wanted))
    assert sheets[:8] == ["nb_stats", "nb_kjj", "zj_kjt", "zj_stats", "nb_gov", "nb_finance", "torch", "istic"]
    assert sheets[8] == "region:yongjiang_sci_tech_zone" and sheets[-1] == request.OTHER_KEY
    assert len(sheets) == 14 and len(wanted) == 249
    assert sum(w.state == "overdue" for w in wanted) == 239
    # every target's indicator and region is covered: one row per figure and year, no duplicate
    keys = [(w.indicator_id, w.region, w.year) for w in wanted]
    assert len(keys) == len(set(keys))


def test_a_figure_with_a_value_in_data_is_not_asked_for(dataset, wanted) -> None:
    chosen = dataset.observations
    exact = chosen[chosen["is_annual"] & (chosen["qualifier"] == "") & (chosen["status"] != "estimate")]
    have = set(zip(exact["indicator_id"], exact["region"], exact["year"].astype(int)))
    assert not [w for w in wanted if (w.indicator_id, w.region, w.year) in have]


# ---------------------------------------------------------------------------
# The workbook


def run_request(tmp_path: Path, *options: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analysis", "request", "--data-dir", str(ROOT / "data"), *options],
                          capture_output=True, text=True, cwd=tmp_path, env=env)


@pytest.fixture(scope="module")
def workbook_path(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("request")
    result = run_request(folder, "--as-of", "2026-12-07", "--lang", "zh", "--output", "requests.xlsx")
    assert result.returncode == 0, result.stderr
    assert "249 figure(s) to ask for on 14 publisher sheet(s), 239 overdue" in result.stdout
    return folder / "requests.xlsx"


def header(sheet) -> dict[str, int]:
    """Field -> column number, read from the bilingual header row as add --from reads it."""
    return {batch.header_field(cell.value): cell.column for cell in sheet[request_workbook.HEADER_ROW] if batch.header_field(cell.value)}


def test_the_first_sheet_explains_the_three_steps(workbook_path: Path) -> None:
    book = load_workbook(workbook_path)
    first = book.worksheets[0]
    assert first.title == "说明"
    text = "\n".join(str(c.value) for row in first.iter_rows() for c in row if c.value is not None)
    for phrase in ("第一步：填写", "第二步：保存", "第三步：导入", "python -m analysis add --from requests.xlsx --dry-run", "逾期 239 项"):
        assert phrase in text
    assert book["lists"].sheet_state == "hidden"
    assert book.sheetnames[1:3] == ["宁波市统计局", "宁波市科学技术局"] and len(book.sheetnames) == 16


def test_cells_are_typed_and_keys_hidden(workbook_path: Path) -> None:
    book = load_workbook(workbook_path)
    sheet = book["宁波市统计局"]
    columns = header(sheet)
    assert {"value", "qualifier", "status", "published", "source_title", "url", "quote", "preferred", "confirm_unusual",
            "indicator_id", "region", "period"} <= set(columns)
    labels = [c.value for c in sheet[request_workbook.HEADER_ROW]]
    assert "数值 / value" in labels and "数据性质 / status" in labels and "发布日期 / published" in labels
    for key in ("indicator_id", "region", "period"):
        assert sheet.column_dimensions[sheet.cell(1, columns[key]).column_letter].hidden
    rows = {(sheet.cell(r, columns["indicator_id"]).value, sheet.cell(r, columns["period"]).value): r
            for r in range(request_workbook.FIRST_ROW, sheet.max_row + 1)}
    row = rows[("rd_gdp_ratio", "2024")]
    cells = {name: sheet.cell(row, column).value for name, column in
             ((c.value, c.column) for c in sheet[request_workbook.HEADER_ROW])}
    assert cells["年份 / year"] == 2024 and isinstance(cells["年份 / year"], int)
    assert cells["逾期起始 / overdue since"] == dt.datetime(2026, 5, 1)
    assert sheet.cell(row, [c.column for c in sheet[request_workbook.HEADER_ROW] if c.value == "逾期起始 / overdue since"][0]).number_format == "yyyy-mm-dd"
    assert cells["通常发布月份 / usual month"] == 3
    assert cells["是否逾期 / overdue"] == "是" and cells["情况 / situation"] == "逾期"
    assert cells["单位（及换算） / unit (and conversion)"].startswith("%（3.3% 填 3.3")
    assert cells["通常刊载于 / usually published in"] == "宁波市国民经济和社会发展统计公报"
    assert "3.75%" in cells["对应目标 / target"]
    assert sheet.cell(row, columns["value"]).value is None and sheet.cell(row, columns["period"]).value == "2024"
    assert sheet.cell(row, columns["published"]).number_format == "yyyy-mm-dd"
    assert sheet.freeze_panes == "B3"


def test_drop_downs_are_data_validations_in_the_datas_vocabulary(workbook_path: Path) -> None:
    book = load_workbook(workbook_path)
    sheet = book["宁波市统计局"]
    columns = header(sheet)
    lists = book["lists"]
    by_column = {}
    for check in sheet.data_validations.dataValidation:
        for cell_range in check.sqref.ranges:
            by_column[cell_range.min_col] = check
    last = sheet.max_row
    for name, items in (("qualifier", [t[0] for t in batch.QUALIFIER_LABELS.values()]),
                        ("status", [batch.STATUS_LABELS[s][0] for s in ("official", "preliminary", "revised", "reported", "estimate", "derived")]),
                        ("preferred", [t[0] for t in batch.PREFER_LABELS.values()])):
        check = by_column[columns[name]]
        assert check.type == "list" and str(check.sqref) == f"{sheet.cell(3, columns[name]).column_letter}3:{sheet.cell(3, columns[name]).column_letter}{last}"
        target = check.formula1.split("!")[1].replace("$", "")
        shown = [c.value for row in lists[target] for c in row]
        assert shown == items
        # each item reads back as the data's own code
        codes = [batch.cell_text(name, item, "General")[0] for item in shown]
        assert codes == {"qualifier": list(schema.QUALIFIERS), "preferred": ["true", "false"],
                         "status": ["official", "preliminary", "revised", "reported", "estimate", "derived"]}[name]
    assert by_column[columns["value"]].type == "decimal" and by_column[columns["published"]].type == "date"


def test_english_workbook(tmp_path: Path) -> None:
    result = run_request(tmp_path, "--as-of", "2026-12-07", "--lang", "en", "--output", "requests-en.xlsx")
    assert result.returncode == 0, result.stderr
    book = load_workbook(tmp_path / "requests-en.xlsx")
    assert book.sheetnames[0] == "Instructions" and book.sheetnames[1] == "Ningbo Statistics Bureau"
    assert all(len(name) <= 31 for name in book.sheetnames)
    labels = [c.value for c in book.worksheets[1][request_workbook.HEADER_ROW]]
    assert "value / 数值" in labels and "status / 数据性质" in labels
    text = "\n".join(str(c.value) for row in book.worksheets[0].iter_rows() for c in row if c.value is not None)
    assert "Step 1: fill in" in text and "Step 3: run add --from" in text


def test_two_runs_are_byte_identical(tmp_path: Path) -> None:
    outputs = []
    for seed in ("1", "2"):  # another hash seed: no set or dict order leaks into the file
        folder = tmp_path / seed
        folder.mkdir()
        result = run_request(folder, "--as-of", "2026-12-07", "--output", "requests.xlsx", env={**os.environ, "PYTHONHASHSEED": seed})
        assert result.returncode == 0, result.stderr
        outputs.append((folder / "requests.xlsx").read_bytes())
    assert outputs[0] == outputs[1]
    with zipfile.ZipFile(tmp_path / "1" / "requests.xlsx") as archive:
        assert {info.date_time for info in archive.infolist()} == {(2026, 12, 7, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode()
    assert "<dcterms:created xsi:type=\"dcterms:W3CDTF\">2026-12-07T00:00:00Z</dcterms:created>" in core
    assert "<dcterms:modified xsi:type=\"dcterms:W3CDTF\">2026-12-07T00:00:00Z</dcterms:modified>" in core
    other = run_request(tmp_path, "--as-of", "2026-12-08", "--output", "requests.xlsx")
    assert other.returncode == 0 and (tmp_path / "requests.xlsx").read_bytes() != outputs[0]


def test_usage_errors(tmp_path: Path) -> None:
    assert run_request(tmp_path, "--as-of", "2026-13-01", "--output", "x.xlsx").returncode == 2
    assert run_request(tmp_path, "--output", "x.csv").returncode == 2
    assert not (tmp_path / "x.xlsx").exists()
