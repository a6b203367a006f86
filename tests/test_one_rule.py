"""One vintage rule and one CSV reader (issue 16 item 5): every table, page and assessment picks the
same figure for a year, and every CSV of the project is read by analysis.data.csvfile."""

from __future__ import annotations

import ast
from pathlib import Path

import pandas as pd
import pytest

from analysis.assess import evidence
from analysis.data import coverage, csvfile, loader, vintage

ROOT = Path(__file__).resolve().parents[1]


def frame(rows: list[tuple]) -> pd.DataFrame:
    """Return observations (indicator, period, value, qualifier, status, source, published, preferred) for ningbo."""
    out = pd.DataFrame(rows, columns=["indicator_id", "period", "value", "qualifier", "status", "source_id", "published", "preferred"])
    out["region"] = "ningbo"
    out["published"] = pd.to_datetime(out["published"])
    return out


def picked(rows: list[tuple], as_of: str = "2030-01-01") -> tuple:
    """Return (value, qualifier, source) of the one figure select_as_of keeps."""
    chosen = vintage.select_as_of(frame(rows), as_of)
    assert len(chosen) == 1
    row = chosen.iloc[0]
    return row["value"], row["qualifier"], row["source_id"]


EXACT = ("x", "2024", 10.0, "", "official", "s_exact", "2025-03-01", False)


@pytest.mark.parametrize("qualifier", [">", ">=", "<", "<="])
def test_a_later_bound_does_not_displace_an_exact_figure(qualifier: str) -> None:
    bound = ("x", "2024", 12.0, qualifier, "official", "s_bound", "2025-09-01", False)
    assert picked([EXACT, bound]) == (10.0, "", "s_exact")
    assert picked([bound, EXACT]) == (10.0, "", "s_exact")  # not the row order
    assert picked([EXACT, bound], "2025-05-01") == (10.0, "", "s_exact")
    assert vintage.select_as_of(frame([EXACT, bound]), "2025-02-01").empty


@pytest.mark.parametrize("qualifier,status", [("~", "official"), ("", "estimate")])
def test_an_approximate_figure_ranks_between_exact_and_bound(qualifier: str, status: str) -> None:
    about = ("x", "2024", 11.0, qualifier, status, "s_about", "2025-06-01", False)
    bound = ("x", "2024", 12.0, ">", "official", "s_bound", "2025-09-01", False)
    assert picked([about, bound]) == (11.0, qualifier, "s_about")
    assert picked([EXACT, about]) == (10.0, "", "s_exact")


def test_within_a_tier_the_latest_published_then_official() -> None:
    revised = ("x", "2024", 10.5, "", "revised", "s_rev", "2026-03-01", False)
    assert picked([EXACT, revised]) == (10.5, "", "s_rev")
    tie = ("x", "2024", 10.2, "", "reported", "a_news", "2025-03-01", False)
    assert picked([tie, EXACT]) == (10.0, "", "s_exact")  # official beats reported on the same date, whatever the source id


def test_the_curators_preferred_row_comes_first() -> None:
    bound = ("x", "2024", 12.0, ">", "reported", "s_bound", "2025-09-01", True)
    assert picked([EXACT, bound]) == (12.0, ">", "s_bound")


def test_the_assessment_and_the_tables_choose_the_same_figure() -> None:
    dataset = loader.load(ROOT / "data")
    for as_of in ("2024-12-31", "2026-09-30"):
        chosen = evidence.choose_observations(dataset.observations, as_of)
        chosen = chosen[chosen["status"] != "derived"].reset_index(drop=True)
        plain = vintage.select_as_of(dataset.observations, as_of)
        plain = plain[plain["status"] != "derived"]
        key = ["indicator_id", "region", "period", "value", "qualifier", "source_id", "published"]
        pd.testing.assert_frame_equal(chosen[key].reset_index(drop=True), plain[key].reset_index(drop=True))


def test_coverage_and_the_assessment_show_the_same_latest_figure() -> None:
    dataset = loader.load(ROOT / "data")
    as_of = "2026-09-30"
    chosen = evidence.choose_observations(dataset.observations, as_of)
    table = coverage.coverage_table(dataset, region="all", as_of=as_of).set_index("target_id")
    # the figures of observations.csv (not those with_derived adds from derived.csv, which coverage does not show)
    recorded = dataset.observations[["indicator_id", "region", "period", "source_id", "published"]].drop_duplicates()
    annual = chosen[chosen["is_annual"]].merge(recorded, how="inner")
    checked = 0
    for target in dataset.targets.itertuples():
        rows = annual[(annual["indicator_id"] == target.indicator_id) & (annual["region"] == target.region)]
        if rows.empty:
            continue
        latest = rows.sort_values("year").iloc[-1]
        assert table.loc[target.target_id, "latest_value"] == latest["value"], target.target_id
        assert table.loc[target.target_id, "source_id"] == latest["source_id"], target.target_id
        checked += 1
    assert checked > 20


# The one CSV reader

def test_a_configuration_table_from_excel_is_read(tmp_path: Path) -> None:
    path = tmp_path / "calendar.csv"
    path.write_bytes("\ufeffa,b\r\n1,\"x\r\ny\"\r\n,,\r\n2,=SUM(A1)\r\n".encode())
    table = csvfile.read_text_table(path)
    assert table.to_dict("records") == [{"a": "1", "b": "x\r\ny"}, {"a": "2", "b": "=SUM(A1)"}]


@pytest.mark.parametrize("content,where,message", [
    ("a;b\n1;2\n", ":1:-:", "separated by ';'"),
    ("a,b\n1,2\na,b\n3,4\n", ":3:-:", "header row is repeated"),
    ("a,b\n1,2,3\n", ":2:-:", "has 3 fields"),
    ("", ":1:-:", "empty"),
    ("a,b\n\"1,2\n", ":", "malformed CSV"),
])
def test_a_bad_configuration_table_is_named_by_row(tmp_path: Path, content: str, where: str, message: str) -> None:
    path = tmp_path / "table.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(csvfile.DataValidationError) as err:
        csvfile.read_text_table(path)
    first = str(err.value.problems[0])
    assert first.startswith(str(path.name)) or "table.csv" in first
    assert where in first and message in first, first


def test_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(b"a,b\n1,2\n3,\xe9\n")
    problem = csvfile.read_records(path)
    assert isinstance(problem, csvfile.Problem) and problem.row == 3 and "UTF-8" in problem.message


def test_no_module_reads_a_csv_by_itself() -> None:
    # csvfile is the reader; csv_edit keeps each record's exact text to rewrite files byte for byte
    # (a different job); the M3 benchmark files are not the project's data.
    allowed = {"data/csvfile.py", "data/csv_edit.py", "forecast/bench_m3.py"}
    offenders = []
    for path in sorted((ROOT / "src" / "analysis").rglob("*.py")):
        name = path.relative_to(ROOT / "src" / "analysis").as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("reader", "DictReader", "read_csv") and isinstance(node.value, ast.Name) \
                    and node.value.id in ("csv", "pd") and name not in allowed:
                offenders.append(f"{name}:{node.lineno}")
    assert offenders == []
