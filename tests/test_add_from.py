"""`python -m analysis add --from FILE`: the filled rows of a request workbook (or a CSV exported
from it by Excel) go in all together after every check, or not at all with every bad cell named."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from analysis.data import batch, loader, validate, vintage
from analysis.report import request_workbook

ROOT = Path(__file__).resolve().parents[1]
OFFICIAL = batch.STATUS_LABELS["official"][0]
BULLETIN = "宁波市2025年国民经济和社会发展统计公报"
BULLETIN_URL = "https://tjj.ningbo.gov.cn/art/2026/3/20/art_1229042825_58924001.html"


@pytest.fixture(scope="module")
def blank_workbook(tmp_path_factory) -> Path:
    """The request workbook for data/ as of 2026-12-07 (Chinese), made once."""
    folder = tmp_path_factory.mktemp("blank")
    result = subprocess.run([sys.executable, "-m", "analysis", "request", "--data-dir", str(ROOT / "data"), "--as-of", "2026-12-07",
                             "--output", str(folder / "requests.xlsx")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return folder / "requests.xlsx"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(ROOT / "data", target)
    return target


def run(data_dir: Path, *options: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analysis", "add", "--data-dir", str(data_dir), *options],
                          capture_output=True, text=True, cwd=cwd)


class Filler:
    """Fill a request workbook as a person would in Excel (by field name, on the row of a figure)."""

    def __init__(self, path: Path):
        self.book = load_workbook(path)

    def row_of(self, sheet_name: str, indicator: str, period: str, region: str = "ningbo") -> int:
        sheet = self.book[sheet_name]
        columns = self.columns(sheet_name)
        for row in range(request_workbook.FIRST_ROW, sheet.max_row + 1):
            if (sheet.cell(row, columns["indicator_id"]).value, sheet.cell(row, columns["region"]).value,
                    sheet.cell(row, columns["period"]).value) == (indicator, region, period):
                return row
        raise KeyError((indicator, region, period))

    def columns(self, sheet_name: str) -> dict[str, int]:
        sheet = self.book[sheet_name]
        return {batch.header_field(c.value): c.column for c in sheet[request_workbook.HEADER_ROW] if batch.header_field(c.value)}

    def fill(self, sheet_name: str, indicator: str, period: str, region: str = "ningbo", **cells: object) -> int:
        row = self.row_of(sheet_name, indicator, period, region)
        columns = self.columns(sheet_name)
        for name, value in cells.items():
            self.book[sheet_name].cell(row, columns[name], value)
        return row

    def letter(self, sheet_name: str, name: str) -> str:
        return self.book[sheet_name].cell(1, self.columns(sheet_name)[name]).column_letter

    def save(self, path: Path) -> Path:
        self.book.save(path)
        return path


def three_rows(filler: Filler) -> None:
    """Three real-looking figures on two sheets: two from one new bulletin, one from the S&T bureau."""
    filler.fill("宁波市统计局", "rd_gdp_ratio", "2024", value=3.21, status=OFFICIAL, published=dt.datetime(2026, 3, 20),
                source_title=BULLETIN, url=BULLETIN_URL, quote="研究与试验发展经费支出相当于地区生产总值的比例为3.21%")
    filler.fill("宁波市统计局", "high_value_invention_patents_per_10k", "2025", value=19.5, status=OFFICIAL,
                published=dt.datetime(2026, 3, 20), source_title=BULLETIN, url=BULLETIN_URL, quote="每万人口高价值发明专利拥有量19.5件")
    filler.fill("宁波市科学技术局", "high_tech_enterprises", "2025", value=10468, qualifier="精确值（无限定）", status=OFFICIAL,
                published=dt.datetime(2026, 3, 10), source_title="宁波市科学技术局2025年工作总结",
                url="https://kjj.ningbo.gov.cn/art/2026/3/10/art_1229589543_4700001.html", quote="全市有效高新技术企业达10468家",
                notes="有效高企数")


def test_three_filled_rows_are_added_and_validate(tmp_path: Path, data_dir: Path, blank_workbook: Path) -> None:
    filler = Filler(blank_workbook)
    three_rows(filler)
    filled = filler.save(tmp_path / "filled.xlsx")
    before = {name: (data_dir / name).read_bytes() for name in ("observations.csv", "sources.csv", "definition_audit.csv")}

    dry = run(data_dir, "--from", str(filled), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "ok: 3 observation(s) would be added and 2 new source(s) (dry run, nothing written)" in dry.stdout
    assert "filled.xlsx:宁波市统计局:" in dry.stdout and "rd_gdp_ratio ningbo 2024 = 3.21 %" in dry.stdout
    assert {name: (data_dir / name).read_bytes() for name in before} == before

    result = run(data_dir, "--from", str(filled))
    assert result.returncode == 0, result.stderr
    assert "added 3 observation(s)" in result.stdout and "2 new source(s)" in result.stdout
    assert subprocess.run([sys.executable, "-m", "analysis", "validate", "--data-dir", str(data_dir)]).returncode == 0
    dataset = loader.load(data_dir)
    assert vintage.annual_series(dataset, "rd_gdp_ratio", "ningbo", "2026-12-07")[2024] == 3.21
    firms = dataset.observations.query("indicator_id == 'high_tech_enterprises' and region == 'ningbo' and period == '2025'")
    # the exact count replaces the '>10000' estimate (the workbook's prefer default for a year with only a bound)
    assert firms.set_index("value")["preferred"].to_dict() == {10000.0: False, 10468.0: True}
    assert firms.query("value == 10468")["notes"].tolist() == ["有效高企数"]
    new_sources = dataset.sources[dataset.sources["url"].isin([BULLETIN_URL])]
    assert new_sources[["title", "publisher", "kind"]].values.tolist() == [[BULLETIN, "宁波市统计局", "bulletin"]]
    source_id = new_sources["source_id"].iloc[0]
    assert source_id == "tjjningbo_2026_01"
    assert set(dataset.observations.query("source_id == @source_id")["indicator_id"]) == {"rd_gdp_ratio", "high_value_invention_patents_per_10k"}
    # the definition decisions were written with the figures
    from analysis.report import audit
    assert audit.undecided_figures(dataset) == []
    # a second run adds nothing: every row is already recorded
    again = run(data_dir, "--from", str(filled))
    assert again.returncode == 0 and "nothing to add: 3 row(s) already recorded" in again.stdout


def test_bad_rows_add_nothing_and_name_each_cell(tmp_path: Path, data_dir: Path, blank_workbook: Path) -> None:
    filler = Filler(blank_workbook)
    three_rows(filler)  # three good rows that must not go in either
    sheet = "宁波市人民政府"
    text_row = filler.fill(sheet, "dengfeng_disciplines", "2025", value="约十个", status=OFFICIAL, published=dt.datetime(2026, 1, 21),
                           source_title="宁波市政府工作报告", url="http://news.cnnb.com.cn/system/2026/01/27/030739321.shtml")
    future_row = filler.fill(sheet, "advantage_disciplines", "2025", value=61, status=OFFICIAL, published=dt.datetime(2027, 1, 21),
                             source_title="宁波市政府工作报告", url="http://news.cnnb.com.cn/system/2026/01/27/030739321.shtml")
    unknown_row = filler.fill(sheet, "first_class_majors", "2025", value=98, status=OFFICIAL, published=dt.datetime(2026, 1, 21),
                              source_title="宁波市政府工作报告", url="http://news.cnnb.com.cn/system/2026/01/27/030739321.shtml",
                              indicator_id="first_class_major")
    percent_row = filler.fill(sheet, "young_talent_selection_share", "2025", value="3.5%", status=OFFICIAL,
                              published=dt.datetime(2026, 1, 21), source_title="宁波市政府工作报告",
                              url="http://news.cnnb.com.cn/system/2026/01/27/030739321.shtml")
    filled = filler.save(tmp_path / "bad.xlsx")
    files = {name: (data_dir / name).read_bytes() for name in ("observations.csv", "sources.csv", "definition_audit.csv")}

    result = run(data_dir, "--from", str(filled))
    assert result.returncode == 1
    err = result.stderr
    letter = lambda name: filler.letter(sheet, name)  # noqa: E731
    assert f"bad.xlsx:{sheet}:{text_row}:value: '约十个' is not a number" in err and f"(cell {letter('value')}{text_row})" in err
    assert f"bad.xlsx:{sheet}:{future_row}:published: 2027-01-21 is after today" in err
    assert f"(cell {letter('published')}{future_row})" in err
    assert f"bad.xlsx:{sheet}:{unknown_row}:indicator_id: unknown indicator 'first_class_major'" in err
    assert "did you mean first_class_majors?" in err
    assert f"bad.xlsx:{sheet}:{percent_row}:value: '3.5%' is text with a percent sign: type 3.5" in err
    assert "4 problem(s); nothing written" in err
    assert {name: (data_dir / name).read_bytes() for name in files} == files


def test_a_cell_excel_stored_as_a_percent_is_refused(tmp_path: Path, data_dir: Path, blank_workbook: Path) -> None:
    filler = Filler(blank_workbook)
    row = filler.fill("宁波市统计局", "rd_gdp_ratio", "2024", value=0.0321, status=OFFICIAL, published=dt.datetime(2026, 3, 20),
                      source_title=BULLETIN, url=BULLETIN_URL)
    filler.book["宁波市统计局"].cell(row, filler.columns("宁波市统计局")["value"]).number_format = "0.00%"  # Excel typed '3.21%'
    result = run(data_dir, "--from", str(filler.save(tmp_path / "percent.xlsx")))
    assert result.returncode == 1
    assert f":{row}:value: the cell is formatted as a percent, so Excel stored 3.21% as 0.0321: type 3.21" in result.stderr


def test_a_duplicate_row_is_reported_with_the_other_problems(tmp_path: Path, data_dir: Path) -> None:
    header = (ROOT / "data" / "templates" / "observations_template.csv").read_text(encoding="utf-8")
    row = "rd_gdp_ratio,ningbo,2024,3.21,%,,official,nbkjj_2025_01,2026-03-20,false,,研发投入强度3.21%,\n"
    bad = "rd_gdp_ratio,ningbo,2024,abc,%,,official,nbkjj_2025_01,2026-03-20,false,,,\n"
    path = tmp_path / "dup.csv"
    path.write_text(header + row + row + bad, encoding="utf-8")
    result = run(data_dir, "--from", str(path))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "dup.csv:3:value: the same figure as row 2 (same indicator, region, period, source and value): delete one" in result.stderr
    assert "dup.csv:4:value: 'abc' is not a number" in result.stderr


def excel_csv(filler: Filler, sheet_name: str, path: Path) -> Path:
    """Save one sheet as Excel's "CSV UTF-8" does: BOM, CRLF, the title row, dates as displayed (2026/3/20)."""
    sheet = filler.book[sheet_name]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in sheet.iter_rows(values_only=True):
        writer.writerow(["" if v is None else f"{v.year}/{v.month}/{v.day}" if isinstance(v, dt.datetime) else v for v in row])
    path.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))
    return path


def test_a_sheet_saved_as_csv_utf8_by_excel_is_read(tmp_path: Path, data_dir: Path, blank_workbook: Path) -> None:
    filler = Filler(blank_workbook)
    three_rows(filler)
    path = excel_csv(filler, "宁波市统计局", tmp_path / "sheet.csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf") and b"\r\n" in path.read_bytes()
    result = run(data_dir, "--from", str(path))
    assert result.returncode == 0, result.stderr
    assert "added 2 observation(s)" in result.stdout
    rows = loader.load(data_dir).observations.query("source_id == 'tjjningbo_2026_01'")
    assert rows["published"].dt.strftime("%Y-%m-%d").tolist() == ["2026-03-20", "2026-03-20"]


def test_a_row_of_only_commas_is_skipped_by_add_and_by_validate(tmp_path: Path, data_dir: Path) -> None:
    header = (ROOT / "data" / "templates" / "observations_template.csv").read_text(encoding="utf-8").rstrip("\n")
    commas = "," * (header.count(","))
    path = tmp_path / "commas.csv"
    path.write_bytes(("\ufeff" + header + "\r\n" + commas + "\r\n"
                      + "rd_gdp_ratio,ningbo,2024,3.21,%,,official,nbkjj_2025_01,2026-03-20,false,,,\r\n" + commas + "\r\n").encode("utf-8"))
    result = run(data_dir, "--from", str(path))
    assert result.returncode == 0, result.stderr and "added 1 observation(s)" in result.stdout
    # the same row in a data table (a row cleared in Excel) is skipped by validate too
    observations = data_dir / "observations.csv"
    observations.write_bytes(observations.read_bytes() + (commas + "\n").encode())
    assert validate.validate_dir(data_dir)[1] == []


def test_no_field_given_is_dropped(tmp_path: Path, data_dir: Path) -> None:
    header = (ROOT / "data" / "templates" / "observations_template.csv").read_text(encoding="utf-8").rstrip("\n")
    path = tmp_path / "new.csv"
    path.write_text(header + ",source_title,publisher,url,source_kind\n"
                    "rd_gdp_ratio,ningbo,2024,3.21,%,,official,,2026-03-20,false,,研发投入强度3.21%,from the bulletin,"
                    f"{BULLETIN},宁波市统计局,{BULLETIN_URL},bulletin\n", encoding="utf-8")
    result = run(data_dir, "--from", str(path), "--notes", "checked against the PDF")
    assert result.returncode == 0, result.stderr
    dataset = loader.load(data_dir)
    row = dataset.observations.query("indicator_id == 'rd_gdp_ratio' and period == '2024' and region == 'ningbo'").iloc[0]
    assert row["notes"] == "from the bulletin; checked against the PDF" and row["quote"] == "研发投入强度3.21%"
    source = dataset.sources.set_index("source_id").loc[row["source_id"]]
    assert (source["title"], source["publisher"], source["url"], source["kind"]) == (BULLETIN, "宁波市统计局", BULLETIN_URL, "bulletin")
    # a title given with an existing source id that has another title is not silently ignored
    refused = run(data_dir, "--indicator", "gdp", "--period", "2026", "--value", "19500", "--source-id", "nbkjj_2025_01",
                  "--published", "2026-11-30", "--source-title", "another title")
    assert refused.returncode == 1 and "source 'nbkjj_2025_01' exists with title" in refused.stderr


def test_a_conflict_needs_a_choice_per_row(tmp_path: Path, data_dir: Path) -> None:
    header = (ROOT / "data" / "templates" / "observations_template.csv").read_text(encoding="utf-8")
    path = tmp_path / "conflict.csv"
    # 3.1 for 2023 where the data hold 3.08 (official), and the row says nothing about preferring it
    path.write_text(header + "rd_gdp_ratio,ningbo,2023,3.1,%,,revised,nbkjj_2025_01,2026-03-20,false,,,\n", encoding="utf-8")
    result = run(data_dir, "--from", str(path))
    assert result.returncode == 1
    assert "conflict.csv:2:preferred: conflict: 3.1 differs from observations.csv:810:" in result.stderr
    assert "observations.csv:812: existing vintage 3.08 (official" in result.stderr and "choose in column prefer" in result.stderr
    path.write_text(header + "rd_gdp_ratio,ningbo,2023,3.1,%,,revised,nbkjj_2025_01,2026-03-20,false,true,,revision\n", encoding="utf-8")
    result = run(data_dir, "--from", str(path))
    assert result.returncode == 0, result.stderr
    assert vintage.annual_series(loader.load(data_dir), "rd_gdp_ratio", "ningbo", "2026-12-07")[2023] == 3.1


def test_an_empty_workbook_says_so(data_dir: Path, blank_workbook: Path) -> None:
    result = run(data_dir, "--from", str(blank_workbook))
    assert result.returncode == 1 and "no row has a value" in result.stderr
    # an option describing one value is not silently dropped in a batch
    result = run(data_dir, "--from", str(blank_workbook), "--value", "3.3")
    assert result.returncode == 2 and "--value describe one value" in result.stderr


def test_a_slip_in_a_batch_is_stopped_with_the_others(tmp_path: Path, data_dir: Path, blank_workbook: Path) -> None:
    filler = Filler(blank_workbook)
    three_rows(filler)
    row = filler.fill("宁波市科学技术局", "tech_smes", "2025", value=4.2, status=OFFICIAL, published=dt.datetime(2026, 3, 10),
                      source_title="宁波市科学技术局2025年工作总结", url="https://kjj.ningbo.gov.cn/art/2026/3/10/art_1229589543_4700001.html")
    filler.fill("宁波市科学技术局", "tech_smes", "2024", value=38000, status=OFFICIAL, published=dt.datetime(2026, 3, 10),
                source_title="宁波市科学技术局2025年工作总结", url="https://kjj.ningbo.gov.cn/art/2026/3/10/art_1229589543_4700001.html")
    path = filler.save(tmp_path / "slip.xlsx")
    result = run(data_dir, "--from", str(path))
    assert result.returncode == 1
    assert f"slip.xlsx:宁波市科学技术局:{row}:value: 4.2 家 is unusual" in result.stderr
    assert "did you mean 42000?" in result.stderr and "write why in column confirm_unusual" in result.stderr
    filler.fill("宁波市科学技术局", "tech_smes", "2025", confirm_unusual="test: a real collapse")
    result = run(data_dir, "--from", str(filler.save(tmp_path / "slip.xlsx")))
    assert result.returncode == 0, result.stderr
    notes = loader.load(data_dir).observations.query("indicator_id == 'tech_smes' and period == '2025'")["notes"].tolist()
    assert notes == ["unusual value confirmed: test: a real collapse"]


def test_a_year_to_date_figure_goes_in_through_the_workbook_as_a_signal(tmp_path: Path, data_dir: Path, blank_workbook: Path) -> None:
    """Issue 18 item 6: a row added under a sheet's last one with a YYYY-MM period is a year-to-date figure:
    added like any row, shown as a signal of its target, never as the annual value."""
    from analysis.assess import signals, statuses

    filler = Filler(blank_workbook)
    sheet_name = "宁波市统计局"
    sheet = filler.book[sheet_name]
    columns = filler.columns(sheet_name)
    row = sheet.max_row + 1
    for column in range(1, sheet.max_column + 1):  # the row above copied, as one does in Excel, then overwritten
        sheet.cell(row, column, sheet.cell(row - 1, column).value)
    for name in ("value", "qualifier", "status", "published", "source_title", "url", "quote", "notes", "confirm_unusual"):
        if name in columns:
            sheet.cell(row, columns[name], None)
    cells = {"indicator_id": "industrial_rd_intensity", "region": "ningbo", "period": "2026-06", "value": 2.61,
             "status": OFFICIAL, "published": dt.datetime(2026, 8, 20), "source_title": "2026年上半年宁波规上工业研发投入情况",
             "url": "https://tjj.ningbo.gov.cn/art/2026/8/20/art_1229042825_58990001.html",
             "quote": "规上工业研发费用占营业收入比重为2.61%"}
    for name, value in cells.items():
        sheet.cell(row, columns[name], value)
    result = run(data_dir, "--from", str(filler.save(tmp_path / "ytd.xlsx")))
    assert result.returncode == 0, result.stderr
    assert "industrial_rd_intensity ningbo 2026-06 = 2.61 %" in result.stdout

    dataset = loader.load(data_dir)
    assert 2026 not in vintage.annual_series(dataset, "industrial_rd_intensity", "ningbo", "2026-09-30").index
    table = statuses.table_of(statuses.assessments(dataset, "2026-09-30"))
    found = signals.signals_by_target(dataset, table, "2026-09-30")["t001_industrial_rd_intensity_2027"]
    assert [(s.period, s.value) for s in found if s.indicator_id == "industrial_rd_intensity"] == [("2026-06", 2.61)]
    assert table.set_index("target_id").loc["t001_industrial_rd_intensity_2027", "latest_period"] != "2026-06"
