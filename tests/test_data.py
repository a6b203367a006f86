"""Data layer: the real data validates, broken copies fail with file:row:column lines, as-of selection."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analysis.data import coverage, csvfile, datapackage, loader, schema, validate, vintage

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT / "data"
PROBLEM_LINE = re.compile(r"^(?P<file>[^:]+):(?P<row>\d+):(?P<column>[^:]+): (?P<message>.+)$")


def copy_data(tmp_path: Path) -> Path:
    """Copy the real data directory to a temporary one and return it."""
    target = tmp_path / "data"
    shutil.copytree(REAL, target)
    return target


def read_rows(path: Path) -> list[list[str]]:
    """Read a CSV as lists of strings."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def write_rows(path: Path, rows: list[list[str]]) -> None:
    """Write lists of strings as CSV with Unix line endings."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def set_cell(path: Path, row: int, column: str, value: str) -> None:
    """Overwrite one cell (row = file line number of a record without embedded newlines)."""
    rows = read_rows(path)
    rows[row - 1][rows[0].index(column)] = value
    write_rows(path, rows)


def run_validate(data_dir: Path) -> subprocess.CompletedProcess:
    """Run `python -m analysis validate` on a directory."""
    return subprocess.run(
        [sys.executable, "-m", "analysis", "validate", "--data-dir", str(data_dir)],
        capture_output=True, text=True, cwd=data_dir.parent,
    )


def problems_of(data_dir: Path) -> list[str]:
    """Return validation problems as strings."""
    return [str(p) for p in validate.validate_dir(data_dir)[1]]


# ---------------------------------------------------------------------------


def test_real_data_validates() -> None:
    tables, problems = validate.validate_dir(REAL)
    assert problems == [], "\n".join(map(str, problems[:20]))
    assert len(tables["observations"]) > 300
    assert len(tables["targets"]) > 30


def test_validate_cli_exits_zero_on_real_data() -> None:
    result = subprocess.run([sys.executable, "-m", "analysis", "validate"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert "valid" in result.stdout


def test_datapackage_json_matches_schema() -> None:
    stored = json.loads((REAL / "datapackage.json").read_text(encoding="utf-8"))
    assert stored == datapackage.datapackage_descriptor(), "data/datapackage.json is stale: regenerate it from data.datapackage_json()"
    for resource in stored["resources"]:
        header = read_rows(REAL / resource["path"])[0]
        assert header == [f["name"] for f in resource["schema"]["fields"]]


def test_every_observation_and_target_is_traceable() -> None:
    dataset = loader.load(REAL)
    assert dataset.observations["source_id"].isin(dataset.sources["source_id"]).all()
    assert (dataset.targets["source_clause"].str.len() > 0).all()
    keys = dataset.observations.groupby(["indicator_id", "region", "period"])["preferred"].sum()
    assert (keys <= 1).all(), f"more than one preferred vintage: {keys[keys > 1].index.tolist()[:5]}"


# Each case breaks one thing in a copy of the real data; the error must name file, row and column.
def first_observation_line(data_dir: Path) -> int:
    """Return the line number of the first observation record."""
    return 2


BROKEN_CELLS = [
    ("observations.csv", "value", "12,3", "not a number"),
    ("observations.csv", "value", "", "empty"),
    ("observations.csv", "indicator_id", "no_such_indicator", "unknown indicator"),
    ("observations.csv", "source_id", "no_such_source", "unknown source"),
    ("observations.csv", "region", "atlantis", "unknown region"),
    ("observations.csv", "unit", "万元", "differs from the indicator's unit"),
    ("observations.csv", "published", "2024-13-01", "not a valid calendar date"),
    ("observations.csv", "published", "2024-02-30", "not a valid calendar date"),
    ("observations.csv", "published", "01/02/2024", "YYYY-MM-DD"),
    ("observations.csv", "period", "2024Q1", "period must be YYYY or YYYY-MM"),
    ("observations.csv", "status", "rumour", "status must be one of"),
    ("observations.csv", "preferred", "yes", "not a boolean"),
    ("observations.csv", "value", " 12.5", "whitespace"),
    ("targets.csv", "indicator_id", "no_such_indicator", "unknown indicator"),
    ("targets.csv", "comparator", "=>", "comparator must be one of"),
    ("targets.csv", "target_year", "twenty", "not a number"),
    ("indicators.csv", "growth_form", "exponential", "growth_form must be one of"),
]


@pytest.mark.parametrize("filename,column,value,expected", BROKEN_CELLS)
def test_broken_cell_names_file_row_column(tmp_path: Path, filename: str, column: str, value: str, expected: str) -> None:
    data_dir = copy_data(tmp_path)
    set_cell(data_dir / filename, 2, column, value)
    result = run_validate(data_dir)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = [PROBLEM_LINE.match(line) for line in result.stderr.splitlines()]
    hits = [m for m in lines if m and m["file"].endswith(filename) and m["row"] == "2" and m["column"] == column]
    assert hits, result.stderr
    assert any(expected in m["message"] for m in hits), result.stderr


def test_share_above_100_is_rejected(tmp_path: Path) -> None:
    data_dir = copy_data(tmp_path)
    indicators = loader.load(REAL).indicators
    share_ids = set(indicators.loc[indicators["upper_bound"] == 100, "indicator_id"])
    rows = read_rows(data_dir / "observations.csv")
    header = rows[0]
    line = next(i for i, row in enumerate(rows[1:], start=2) if row[header.index("indicator_id")] in share_ids)
    set_cell(data_dir / "observations.csv", line, "value", "104.5")
    assert any(f"observations.csv:{line}:value:" in p and "above" in p for p in problems_of(data_dir))


def test_duplicate_observation_is_rejected(tmp_path: Path) -> None:
    data_dir = copy_data(tmp_path)
    rows = read_rows(data_dir / "observations.csv")
    write_rows(data_dir / "observations.csv", rows + [rows[1]])
    assert any(f"observations.csv:{len(rows) + 1}:" in p and "duplicate" in p for p in problems_of(data_dir))


def test_missing_column_is_rejected(tmp_path: Path) -> None:
    data_dir = copy_data(tmp_path)
    rows = read_rows(data_dir / "sources.csv")
    column = rows[0].index("publisher")
    write_rows(data_dir / "sources.csv", [r[:column] + r[column + 1:] for r in rows])
    assert any(p.endswith("sources.csv:1:publisher: missing column (expected columns: " + ",".join(schema.COLUMNS["sources"]) + ")") for p in problems_of(data_dir))


def test_empty_file_is_rejected(tmp_path: Path) -> None:
    data_dir = copy_data(tmp_path)
    (data_dir / "targets.csv").write_bytes(b"")
    result = run_validate(data_dir)
    assert result.returncode == 1 and "targets.csv:1:-: file is empty" in result.stderr


def test_wrong_encoding_is_rejected(tmp_path: Path) -> None:
    data_dir = copy_data(tmp_path)
    text = (data_dir / "observations.csv").read_text(encoding="utf-8")
    (data_dir / "observations.csv").write_bytes(text.encode("gb18030"))
    result = run_validate(data_dir)
    assert result.returncode == 1 and "not valid UTF-8" in result.stderr and "Traceback" not in result.stderr
    assert re.search(r"observations\.csv:\d+:-: not valid UTF-8", result.stderr)


def excel_csv(records: list[list[str]]) -> bytes:
    """Return records as Excel and WPS save "CSV UTF-8": a byte-order mark and CRLF line ends."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(records)
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")


def test_tables_saved_by_excel_load_like_the_originals(tmp_path: Path) -> None:
    data_dir = copy_data(tmp_path)
    for filename in schema.TABLE_FILES.values():
        (data_dir / filename).write_bytes(excel_csv(read_rows(data_dir / filename)))
    assert (data_dir / "regions.csv").read_bytes().startswith(b"\xef\xbb\xbfregion_id,")
    saved, original = loader.load(data_dir), loader.load(REAL)
    for name in schema.TABLE_FILES:
        pd.testing.assert_frame_equal(getattr(saved, name), getattr(original, name))


def test_quoted_line_break_is_kept_and_later_lines_are_counted(tmp_path: Path) -> None:
    """A cell with Alt+Enter line breaks spans file lines; a problem after it names the true line."""
    data_dir = copy_data(tmp_path)
    path = data_dir / "observations.csv"
    rows = read_rows(path)
    quote = rows[0].index("quote")
    rows[1][quote] = "第一行\r\n第二行\n第三行"
    rows[2][rows[0].index("value")] = "20x1"
    path.write_bytes(excel_csv(rows))
    problems = [str(p) for p in validate.validate_dir(data_dir)[1]]
    assert len(problems) == 1 and re.search(r"observations\.csv:5:value: '20x1' is not a number$", problems[0]), problems
    path.write_bytes(excel_csv(read_rows(REAL / "observations.csv")[:1] + rows[1:2] + read_rows(REAL / "observations.csv")[2:]))
    assert loader.load(data_dir).observations["quote"].iloc[0] == "第一行\r\n第二行\n第三行"


def test_ragged_row_is_rejected(tmp_path: Path) -> None:
    data_dir = copy_data(tmp_path)
    path = data_dir / "regions.csv"
    path.write_text(path.read_text(encoding="utf-8") + "extra,only,three\n", encoding="utf-8")
    assert any("regions.csv:" in p and "fields, the header has" in p for p in problems_of(data_dir))


def test_missing_data_dir_is_rejected(tmp_path: Path) -> None:
    result = run_validate(tmp_path / "nowhere")
    # a usage error since the command line checks its arguments (one line, exit 2); validate_dir still says it
    assert result.returncode == 2 and "argument --data-dir" in result.stderr and "folder not found" in result.stderr
    assert validate.validate_dir(tmp_path / "nowhere")[1][0].message == "data directory does not exist"


def test_load_raises_with_every_problem(tmp_path: Path) -> None:
    data_dir = copy_data(tmp_path)
    set_cell(data_dir / "observations.csv", 2, "value", "x")
    set_cell(data_dir / "observations.csv", 3, "status", "rumour")
    with pytest.raises(csvfile.DataValidationError) as caught:
        loader.load(data_dir)
    rows = {(p.row, p.column) for p in caught.value.problems}
    assert {(2, "value"), (3, "status")} <= rows


# ---------------------------------------------------------------------------
# As-of selection on hand-made vintages


def vintages() -> pd.DataFrame:
    """Return a small observations frame with a preliminary value, a revision and a tie."""
    rows = [
        # indicator, region, period, value, status, source, published, preferred
        ("gdp", "ningbo", "2023", 16452.8, "preliminary", "s1", "2024-01-20", False),
        ("gdp", "ningbo", "2023", 17146.6, "revised", "s2", "2025-03-30", True),
        ("gdp", "ningbo", "2024", 18147.7, "official", "s2", "2025-03-30", True),
        ("rd", "ningbo", "2015", 2.4, "reported", "s3", "2016-01-10", False),
        ("rd", "ningbo", "2015", 2.41, "official", "s4", "2016-01-10", False),
        ("rd", "ningbo", "2021", 3.0, "estimate", "s5", "2022-03-01", False),
        ("rd", "ningbo", "2021", 2.9, "reported", "s6", "2023-08-01", False),
    ]
    frame = pd.DataFrame(rows, columns=["indicator_id", "region", "period", "value", "status", "source_id", "published", "preferred"])
    frame["published"] = pd.to_datetime(frame["published"])
    return frame


def chosen(as_of: str) -> dict[tuple[str, str], float]:
    """Return {(indicator, period): value} selected as of a date."""
    picked = vintage.select_as_of(vintages(), as_of)
    return {(r.indicator_id, r.period): r.value for r in picked.itertuples()}


def test_as_of_uses_only_published_vintages() -> None:
    assert chosen("2024-06-30")[("gdp", "2023")] == 16452.8
    assert ("gdp", "2024") not in chosen("2024-06-30")


def test_as_of_edge_of_date_is_inclusive() -> None:
    assert chosen("2025-03-30")[("gdp", "2023")] == 17146.6
    assert chosen("2025-03-29")[("gdp", "2023")] == 16452.8
    assert chosen("2025-03-30")[("gdp", "2024")] == 18147.7


def test_as_of_prefers_official_on_ties() -> None:
    assert chosen("2016-01-10")[("rd", "2015")] == 2.41


def test_as_of_takes_latest_vintage_when_none_preferred() -> None:
    assert chosen("2022-12-31")[("rd", "2021")] == 3.0
    assert chosen("2023-08-01")[("rd", "2021")] == 2.9


def test_as_of_before_any_publication_is_empty() -> None:
    assert chosen("2010-01-01") == {}


def test_format_years_compacts_runs() -> None:
    assert coverage.format_years([2017, 2015, 2016, 2020, 2022, 2023]) == "2015-2017, 2020, 2022-2023"


def test_load_reads_an_edited_file_again_and_hands_out_independent_copies(tmp_path) -> None:
    """The per-process cache of validated tables is keyed on file bytes, and callers get copies."""
    import shutil

    folder = tmp_path / "data"
    shutil.copytree(schema.DEFAULT_DATA_DIR, folder)
    first = loader.load(folder)
    first.observations.loc[0, "value"] = -12345.0
    second = loader.load(folder)
    assert second.observations.loc[0, "value"] != -12345.0
    regions = (folder / "regions.csv").read_text(encoding="utf-8")
    (folder / "regions.csv").write_text(regions.rstrip("\n") + "\nxx_new_region,新地区,New region,city,\n", encoding="utf-8")
    assert "xx_new_region" in set(loader.load(folder).regions["region_id"])
    (folder / "regions.csv").write_text(regions + "bad id,,,planet,\n", encoding="utf-8")
    with pytest.raises(csvfile.DataValidationError):
        loader.load(folder)
