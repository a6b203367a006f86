"""Plausibility of a new value: slips by 10 or 100, a share typed for a percent, a figure left in 万,
an unknown indicator id; and, over every value in data/, that re-adding it passes while ×10, ×100
and ÷100 are stopped."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.data import loader, plausibility, validate

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def tables() -> dict:
    found, problems = validate.validate_dir(ROOT / "data")
    assert problems == []
    return found


# ---------------------------------------------------------------------------
# The rule by hand (Series built explicitly)

RD = plausibility.Series(kind="ratio", unit="%", neighbours=((-1, 3.08), (-3, 2.85)))


@pytest.mark.parametrize("value, suggestion", [(0.033, 3.3), (33.0, 3.3), (0.31, 3.1), (308.0, 3.08)])
def test_percent_slips_are_stopped_with_the_value_meant(value: float, suggestion: float) -> None:
    finding = plausibility.judge(value, RD)
    assert finding is not None and finding.suggestion == suggestion


def test_a_share_typed_for_a_percent_is_named() -> None:
    assert "a share typed for a percent: 0.033 = 3.3 %" in plausibility.judge(0.033, RD).hint


@pytest.mark.parametrize("value", [3.08, 3.3, 3.6, 2.6, 4.1])
def test_ordinary_moves_of_a_ratio_pass(value: float) -> None:
    # one year after 3.08: within 10^(0.3 + 0.05) = ×2.24 either way
    assert plausibility.judge(value, RD) is None


def test_the_allowance_by_kind_and_distance() -> None:
    assert plausibility.allowance("ratio", 1) == pytest.approx(0.35)
    assert plausibility.allowance("count", 1) == pytest.approx(0.45)
    assert plausibility.allowance("count", 5) == pytest.approx(0.65)  # capped at three years
    assert plausibility.allowance("count", 1, base=plausibility.FLOW_BASE) == pytest.approx(0.7)


def test_a_count_left_in_wan_is_stopped_against_the_same_period() -> None:
    firms = plausibility.Series(kind="count", unit="家", same_period=(10000.0,), neighbours=((-1, 8800.0),))
    finding = plausibility.judge(1.35, firms)
    assert finding is not None and finding.suggestion == 13500
    assert "1.35万 = 13500 家" in finding.hint
    assert plausibility.judge(13500, firms) is None  # ×1.35 of the existing bound: a revision's reach


def test_a_count_jumping_an_order_of_magnitude_is_stopped() -> None:
    firms = plausibility.Series(kind="count", unit="家", neighbours=((-1, 5337.0), (-2, 3919.0)))
    assert plausibility.judge(53370, firms) is not None
    assert plausibility.judge(7000, firms) is None  # +31 % in a year
    # between two years the log-linear interpolation is the reference: 5337 .. 8800 around 2023
    between = plausibility.Series(kind="count", unit="家", neighbours=((-1, 5337.0), (1, 8800.0)))
    assert plausibility.judge(6900, between) is None and plausibility.judge(69000, between) is not None and plausibility.judge(690, between) is not None


def test_growth_rates_are_judged_by_size_not_by_ratio() -> None:
    rate = plausibility.Series(kind="rate", unit="%", neighbours=((-1, 6.5), (-2, 8.0)))
    assert plausibility.judge(-2.0, rate) is None  # a fall is a growth rate too
    assert plausibility.judge(25.0, rate) is None  # 3 × 8 + 5 = 29
    assert plausibility.judge(80.0, rate) is not None
    same = plausibility.Series(kind="rate", unit="%", same_period=(6.5,))
    assert plausibility.judge(6.9, same) is None and plausibility.judge(0.065, same) is not None and plausibility.judge(65, same) is not None


def test_ranks_use_the_log_distance() -> None:
    rank = plausibility.Series(kind="rank", unit="rank", neighbours=((-1, 9.0),))
    assert plausibility.judge(12, rank) is None and plausibility.judge(90, rank) is not None


def test_a_series_without_values_is_compared_with_its_target() -> None:
    new = plausibility.Series(kind="count", unit="家", references=(5000.0,))
    assert plausibility.judge(1200, new) is None
    assert plausibility.judge(0.5, new).suggestion == 5000  # ÷10^4: 0.5万
    assert plausibility.judge(3.3, plausibility.Series(kind="ratio", unit="%")) is None  # nothing to compare with: not judged


def test_zero_and_non_numbers_are_left_to_validation(tables: dict) -> None:
    assert plausibility.judge(0.0, plausibility.Series(kind="count", unit="家", neighbours=((-1, 10.0),))) is None
    assert plausibility.check(tables, "rd_gdp_ratio", "ningbo", "2024", "nan") is None
    assert plausibility.check(tables, "rd_gdp_ratio", "ningbo", "2024", "abc") is None
    assert plausibility.check(tables, "no_such_indicator", "ningbo", "2024", 3.3) is None


# ---------------------------------------------------------------------------
# On the data


def test_the_r_and_d_slips_of_the_issue(tables: dict) -> None:
    for typed in (0.033, 33):
        message = plausibility.check(tables, "rd_gdp_ratio", "ningbo", "2024", typed)
        assert message and "did you mean 3.3?" in message and "3.08" in message, message
    assert plausibility.check(tables, "rd_gdp_ratio", "ningbo", "2024", 3.3) is None


def test_13500_firms_typed_as_1_35(tables: dict) -> None:
    message = plausibility.check(tables, "high_tech_enterprises", "ningbo", "2025", 1.35)
    assert message and "did you mean 13500?" in message and ">10000" in message
    assert plausibility.check(tables, "high_tech_enterprises", "ningbo", "2026", 1.35) is not None  # against the neighbours
    assert plausibility.check(tables, "high_tech_enterprises", "ningbo", "2026", 13500) is None


def test_unknown_ids_get_the_closest() -> None:
    known = ["rd_gdp_ratio", "rd_expenditure", "gdp", "high_tech_enterprises"]
    assert plausibility.closest_ids("rd_gdp_ratoi", known)[0] == "rd_gdp_ratio"
    assert plausibility.did_you_mean("rd_gdp_ratoi", known) == "; did you mean rd_gdp_ratio?"
    assert plausibility.closest_ids("high_tech_enterprise", known) == ["high_tech_enterprises"]
    assert plausibility.did_you_mean("zzzz", known) == ""


def test_every_value_in_the_data_passes_again_and_its_slips_are_stopped(tables: dict) -> None:
    """Re-added as a new vintage, each value passes; ×10, ×100 and ÷100 of it are stopped (zero would be itself)."""
    passed, stopped, checked = [], [], 0
    observations = tables["observations"]
    for (indicator, region, period), group in observations.groupby(["indicator_id", "region", "period"]):
        series = plausibility.series_of(tables, indicator, region, period)  # what pl.check compares with
        for value in sorted(set(group["value"])):
            checked += 1
            if plausibility.judge(value, series) is not None:
                passed.append((indicator, region, period, value))
            if value == 0:
                continue
            for factor in (10, 100, 0.01):
                if plausibility.judge(value * factor, series) is None:
                    stopped.append((indicator, region, period, value, factor))
    assert checked > 900
    assert passed == [] and stopped == []


def test_leave_one_out_on_the_data(tables: dict) -> None:
    """Each year's values removed and added back as the only value: how often the neighbours' rule errs.

    Pinned on data/ (3 Dec 2026 tables): of the values with neighbours or a target to compare with,
    at most 3 false alarms (sizes of single funds, 10 against 50 a year apart) and ×10 missed in at most
    ~3 %; ÷100 missed only for growth rates (a 0.05 % growth is possible)."""
    observations = tables["observations"]
    judged = false_alarms = missed_ten = missed_hundredth = 0
    for (indicator, region, period), group in observations.groupby(["indicator_id", "region", "period"]):
        rest = dict(tables, observations=observations.drop(group.index))
        series = plausibility.series_of(rest, indicator, region, period)
        if not (plausibility.nearest(series.neighbours) or (series.references and series.kind != "rate")):
            continue
        for value in sorted(set(group["value"])):
            judged += 1
            false_alarms += plausibility.judge(float(value), series) is not None
            missed_ten += plausibility.judge(float(value) * 10, series) is None
            missed_hundredth += plausibility.judge(float(value) / 100, series) is None and series.kind != "rate"
    assert judged > 700
    assert false_alarms <= 3
    assert missed_ten <= 0.03 * judged
    assert missed_hundredth == 0


# ---------------------------------------------------------------------------
# Through the command


def run_add(data_dir: Path, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analysis", "add", "--data-dir", str(data_dir), *options], capture_output=True, text=True)


RD_2024 = ["--indicator", "rd_gdp_ratio", "--region", "ningbo", "--period", "2024", "--source-id", "nbkjj_2025_01",
           "--published", "2026-03-20"]


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(ROOT / "data", target)
    return target


@pytest.mark.parametrize("value", ["0.033", "33"])
def test_add_stops_a_percent_slip_and_writes_nothing(data_copy: Path, value: str) -> None:
    before = (data_copy / "observations.csv").read_bytes()
    result = run_add(data_copy, *RD_2024, "--value", value)
    assert result.returncode == 1
    assert "did you mean 3.3?" in result.stderr and "--confirm-unusual" in result.stderr
    assert ":value:" in result.stderr and "recent values: " in result.stderr
    assert (data_copy / "observations.csv").read_bytes() == before


def test_add_stops_1_35_for_13500_firms_even_with_prefer(data_copy: Path) -> None:
    result = run_add(data_copy, "--indicator", "high_tech_enterprises", "--period", "2025", "--value", "1.35",
                     "--source-id", "nbkjj_2025_01", "--published", "2026-03-20", "--prefer")
    assert result.returncode == 1 and "did you mean 13500?" in result.stderr


def test_confirm_unusual_lets_it_in_and_keeps_the_reason(data_copy: Path) -> None:
    result = run_add(data_copy, *RD_2024, "--value", "33", "--confirm-unusual", "test of a definition change", "--notes", "test")
    assert result.returncode == 0, result.stderr
    row = loader.load(data_copy).observations.query("indicator_id == 'rd_gdp_ratio' and period == '2024' and region == 'ningbo'")
    assert row["notes"].tolist() == ["test; unusual value confirmed: test of a definition change"]


def test_a_wrong_id_gets_suggestions(data_copy: Path) -> None:
    result = run_add(data_copy, *[("rd_gdp_ratoi" if x == "rd_gdp_ratio" else x) for x in RD_2024], "--value", "3.3")
    assert result.returncode == 1
    assert "unknown indicator 'rd_gdp_ratoi'" in result.stderr and "did you mean rd_gdp_ratio?" in result.stderr


def test_a_value_published_after_as_of_is_refused(data_copy: Path) -> None:
    result = run_add(data_copy, *RD_2024, "--value", "3.3", "--as-of", "2026-03-01")
    assert result.returncode == 1 and ":published: 2026-03-20 is after --as-of 2026-03-01" in result.stderr
    future = run_add(data_copy, *[("2999-01-01" if x == "2026-03-20" else x) for x in RD_2024], "--value", "3.3")
    assert future.returncode == 1 and "is after today" in future.stderr
