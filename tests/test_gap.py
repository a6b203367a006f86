"""Target arithmetic (analysis.assess): hand-computed cases for every target type, band edge and rule.

Most tests replace models.forecast by ``FakeForecast`` (via ``gap.run_forecast``) whose sample
paths are known exactly, so that P(meet) can be worked out by hand: the mean path is the last
value plus the average annual change of the whole series per year, and the 101 sample paths
are ``mean + u * |step| * h`` for u = -1, -0.98, ..., 1 (h = years ahead). The as-of property
test and the real-data test use the real models.
"""

from __future__ import annotations

import dataclasses
import io
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import indicator, obs, target, tiny_tables, write_data_dir
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.assess import changes, evidence, judge, progress, projection, record, rules, statuses
from analysis.data import csvfile, loader, vintage
from analysis.forecast import models, tracker
from analysis.report import method, status_formats

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT / "data"
AS_OF = "2026-11-22"
OFFSETS = np.linspace(-1, 1, 101)


class FakeForecast:
    """A stand-in for models.Forecast with exactly known sample paths (see module docstring)."""

    def __init__(self, series: pd.Series, horizon: int):
        first, last = int(series.index[0]), int(series.index[-1])
        self.step = (series.iloc[-1] - series.iloc[0]) / max(last - first, 1)
        self.years = list(range(last + 1, last + horizon + 1))
        self.method, self.flags, self.history = "fake", ("fake",), series
        ahead = np.arange(1, horizon + 1)
        self.mean = pd.Series(series.iloc[-1] + self.step * ahead, index=self.years)
        self.samples = self.mean.to_numpy()[None, :] + OFFSETS[:, None] * abs(self.step) * ahead[None, :]

    def column(self, year: int) -> np.ndarray:
        return self.samples[:, self.years.index(year)]

    def lower(self, level: float) -> pd.Series:
        return pd.Series(np.quantile(self.samples, (1 - level / 100) / 2, axis=0), index=self.years)

    def upper(self, level: float) -> pd.Series:
        return pd.Series(np.quantile(self.samples, 1 - (1 - level / 100) / 2, axis=0), index=self.years)

    def prob_at_least(self, year: int, x: float) -> float:
        return float(np.mean(self.column(year) >= x))

    def prob_at_most(self, year: int, x: float) -> float:
        return float(np.mean(self.column(year) <= x))

    def prob_sum_at_least(self, years: list[int], x: float) -> float:
        return float(np.mean(sum(self.column(y) for y in years) >= x))


def fake_run_forecast(series: pd.Series, horizon: int, bounds: object, peers: object = (), kinds: object = None) -> FakeForecast:
    """Stand-in for tracker.run_forecast; like models.forecast it refuses fewer than models.MIN_POINTS points."""
    if len(series) < projection.min_points():
        raise ValueError(f"a projection needs at least {projection.min_points()} observed years, this series has {len(series)}")
    return FakeForecast(series, horizon)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tracker, "run_forecast", fake_run_forecast)


def share_at_least(u_min: float) -> float:
    """Share of the 101 fake offsets u with u >= u_min (the fake P for a >= comparison)."""
    return float(np.mean(OFFSETS >= u_min - 1e-12))


def one_series(tmp_path: Path, values: dict[int, float], *, kind: str = "amount", form: str = "geometric",
               target_type: str = "level", comparator: str = ">=", target_value: float = 200.0,
               base_year: int | str = 2022, target_year: int = 2027, higher: bool = True, low: str = "",
               status: dict[int, str] | None = None, unit: str = "u", qualifier: dict[int, str] | None = None,
               extra_targets: list[dict] | None = None) -> loader.Dataset:
    """Return a dataset with one indicator 'x', one target 't' and the given annual values."""
    tables = tiny_tables()
    tables["indicators"] = [indicator("x", "u", kind, form, higher=higher, low=low)]
    tables["targets"] = [target("t", "x", target_type, comparator, target_value, unit, base_year, target_year)]
    tables["targets"] += extra_targets or []
    status, qualifier = status or {}, qualifier or {}
    tables["observations"] = [
        obs("x", y, v, "u", f"bulletin_{min(y + 1, 2026)}", f"{min(y + 1, 2026)}-03-01", status=status.get(y, "official"),
            qualifier=qualifier.get(y, ""))
        for y, v in values.items()
    ]
    return loader.load(write_data_dir(tmp_path / "one", tables))


def row_of(dataset: loader.Dataset, as_of: str = AS_OF) -> pd.Series:
    """Return the status-table row of target 't'."""
    table = statuses.status_table(dataset, as_of, region=None)
    return table.set_index("target_id").loc["t"]


# ---------------------------------------------------------------------------
# Bands


@pytest.mark.parametrize("ratio, expected", [
    (1.5, "significant"), (0.95, "significant"), (0.9499, "moderate"), (0.60, "moderate"), (0.5999, "insufficient"),
    (0.0, "insufficient"), (-0.0001, "away"), (math.nan, "insufficient_data"),
])
def test_progress_band_edges_are_inclusive_lower_edges(ratio: float, expected: str) -> None:
    assert rules.progress_category(ratio) == expected


@pytest.mark.parametrize("observed_change, expected_ratio, expected", [
    (19.0, 0.95, "significant"),  # 19 / 20 per year: exactly on the 0.95 edge -> significant
    (12.0, 0.60, "moderate"),  # 12 / 20: exactly on the 0.60 edge -> moderate
    (0.0, 0.0, "insufficient"),  # no change: exactly 0 -> insufficient (not away)
    (-1.0, -0.05, "away"),
])
def test_progress_edges_from_data(observed_change: float, expected_ratio: float, expected: str) -> None:
    # linear path 100 (2022) -> 200 (2027): 20 a year required; one year observed
    ratio, category, _ = progress.classify_progress(2022, 100.0, 2023, 100.0 + observed_change, 2027, 200.0, "linear", ">=")
    assert ratio == expected_ratio
    assert category == expected


@pytest.mark.parametrize("p, status, en, zh", [
    (1.0, "on_track", "virtually certain", "几乎确定"), (0.99, "on_track", "virtually certain", "几乎确定"),
    (0.9899, "on_track", "very likely", "很可能"), (0.90, "on_track", "very likely", "很可能"),
    (0.8999, "likely", "likely", "可能"), (0.66, "likely", "likely", "可能"),
    (0.6599, "uncertain", "about as likely as not", "可能性中等"), (0.33, "uncertain", "about as likely as not", "可能性中等"),
    (0.3299, "unlikely", "unlikely", "不太可能"), (0.10, "unlikely", "unlikely", "不太可能"),
    (0.0999, "off_track", "very unlikely", "很不可能"), (0.01, "off_track", "very unlikely", "很不可能"),
    (0.0099, "off_track", "exceptionally unlikely", "几乎不可能"), (0.0, "off_track", "exceptionally unlikely", "几乎不可能"),
])
def test_status_bands_and_likelihood_words(p: float, status: str, en: str, zh: str) -> None:
    assert rules.status_from_p(p) == status
    assert method.likelihood_words(p, "en") == en
    assert method.likelihood_words(p, "zh") == zh
    assert method.likelihood_words(math.nan, "en") == ""


# ---------------------------------------------------------------------------
# Target types on the tiny data


def test_level_linear_target_by_hand(tiny_dataset: loader.Dataset, fake: None) -> None:
    row = statuses.status_table(tiny_dataset, AS_OF).set_index("target_id").loc["t_rd_2027"]
    # base 2022 = 3.0; linear path to 3.5 in 2027: 0.1 a year; 2024 = 3.2 (the revised 2023 is irrelevant)
    assert (row.latest_period, row.latest_value, row.source_id) == ("2024", 3.2, "bulletin_2025")
    assert (row.base_year_used, row.base_value) == (2022, 3.0)
    assert row.required_value == pytest.approx(3.2)
    assert row.gap == pytest.approx(0.0, abs=1e-12)
    assert row.progress_ratio == pytest.approx(1.0)  # observed 0.1/yr over required 0.1/yr
    assert row.progress_category == "significant"
    # fake: step = (3.2 - 2.6) / 7; mean 2027 = 3.2 + 3 step; P(>= 3.5) = share of u >= (3.5 - mean) / (3 step)
    step = 0.6 / 7
    assert row.projected_value == pytest.approx(3.2 + 3 * step)
    assert row.p_meet == pytest.approx(share_at_least((3.5 - 3.2 - 3 * step) / (3 * step)))
    assert row.p_meet == pytest.approx(42 / 101)
    assert row.status == "uncertain"
    assert row.first_year_meeting == 2028  # 3.2 + 4 step = 3.543 >= 3.5, 3 steps = 3.457 not


def test_level_geometric_target_by_hand(tiny_dataset: loader.Dataset, fake: None) -> None:
    row = statuses.status_table(tiny_dataset, AS_OF).set_index("target_id").loc["t_gdp_2027"]
    # geometric path 15700 (2022) -> 20000 (2027); latest 2024 = 18100
    assert row.required_value == pytest.approx(15700 * (20000 / 15700) ** (2 / 5))
    assert row.gap == pytest.approx(18100 - 15700 * (20000 / 15700) ** (2 / 5))
    assert row.gap_pct == pytest.approx(100 * row.gap / row.required_value)
    observed = (18100 / 15700) ** (1 / 2) - 1
    required = (20000 / 15700) ** (1 / 5) - 1
    assert row.progress_ratio == pytest.approx(observed / required)
    assert row.progress_category == "significant"


def test_avg_growth_target_by_hand(tiny_dataset: loader.Dataset, fake: None) -> None:
    row = statuses.status_table(tiny_dataset, AS_OF).set_index("target_id").loc["t_trade_growth"]
    # 年均增长30%: base 100 (2022); implied 2027 level 100 * 1.3**5 = 371.293; 2024 = 165
    assert row.required_value == pytest.approx(169.0)  # 100 * 1.3**2
    assert row.gap == pytest.approx(-4.0)
    assert row.progress_ratio == pytest.approx((1.65 ** 0.5 - 1) / 0.30)  # 0.9484
    assert row.progress_category == "moderate"
    # fake: step (165 - 100) / 2 = 32.5; mean 2027 = 165 + 3 * 32.5 = 262.5; needs u >= (371.29 - 262.5) / 97.5 > 1
    assert row.projected_value == pytest.approx(262.5)
    assert row.p_meet == 0.0
    assert row.status == "off_track"
    assert "371.3" in row.note


def test_cumulative_target_by_hand(tiny_dataset: loader.Dataset, fake: None) -> None:
    row = statuses.status_table(tiny_dataset, AS_OF).set_index("target_id").loc["t_firms_cum"]
    # 5000 new firms over 2023-2027; observed 900 + 1100 + 1200 = 3200 by 2025
    assert row.required_value == pytest.approx(3000.0)  # 5000 * 3 / 5
    assert row.gap == pytest.approx(200.0)
    assert row.progress_ratio == pytest.approx((3200 / 3) / (5000 / 5))
    assert row.progress_category == "significant"
    # fake: step 150; 2026 = 1350, 2027 = 1500: 3200 + 2850 = 6050; the lowest path sum is 3200 + 2850 - 450 >= 5000
    assert row.projected_value == pytest.approx(6050.0)
    assert row.p_meet == 1.0
    assert row.status == "on_track"
    assert row.first_year_meeting == 2027  # 3200 + 1350 = 4550 < 5000 in 2026


def test_cumulative_already_reached_is_met(tmp_path: Path) -> None:
    ds = one_series(tmp_path, {2023: 2000, 2024: 3100}, kind="count", target_type="cumulative", target_value=5000)
    row = row_of(ds)
    assert row.status == "met"
    assert row.p_meet == 1.0
    assert row.progress_category == "achieved"
    assert row.first_year_meeting == 2024
    assert "already reached" in row.note


def test_rank_target_lower_is_better(tmp_path: Path, fake: None) -> None:
    ranks = {2019: 16, 2020: 15, 2021: 14, 2022: 13, 2023: 12, 2024: 11}
    ds = one_series(tmp_path, ranks, kind="rank", form="linear", target_type="rank", comparator="<=",
                    target_value=10, higher=False, low="1")
    row = row_of(ds)
    # required (10 - 13) / 5 = -0.6 a year; observed (11 - 13) / 2 = -1: R = 1.667, a falling rank is progress
    assert row.progress_ratio == pytest.approx(-1 / -0.6)
    assert row.progress_category == "significant"
    assert row.required_value == pytest.approx(11.8)
    # fake: step -1; mean 2027 = 8; samples 8 + 3u; P(rank <= 10) = P(Y <= 10.5) = P(u <= 0.833)
    assert row.p_meet == pytest.approx(float(np.mean(OFFSETS <= 2.5 / 3)))
    assert row.first_year_meeting == 2025  # mean 2025 = 10 <= 10


def test_rank_moving_away(tmp_path: Path, fake: None) -> None:
    ranks = {2019: 10, 2020: 11, 2021: 12, 2022: 12, 2023: 13, 2024: 14}
    ds = one_series(tmp_path, ranks, kind="rank", form="linear", target_type="rank", comparator="<=",
                    target_value=8, higher=False, low="1")
    row = row_of(ds)
    assert row.progress_ratio == pytest.approx(1 / -0.8)  # observed +1/yr, required (8 - 12) / 5 = -0.8/yr
    assert row.progress_category == "away"
    assert row.p_meet == 0.0
    assert row.status == "off_track"


def test_rank_with_few_ranks_has_no_probability(tmp_path: Path, fake: None) -> None:
    within = one_series(tmp_path / "a", {2022: 12, 2023: 9}, kind="rank", form="linear", target_type="rank",
                        comparator="<=", target_value=10, higher=False, low="1")
    row = row_of(within)
    assert math.isnan(row.p_meet)
    assert (row.status, row.status_reason) == ("met", "already_met")  # a published rank within the target: met, no P
    assert "rank target: no probability" in row.note
    outside = one_series(tmp_path / "b", {2021: 14, 2022: 13, 2023: 12, 2024: 11}, kind="rank", form="linear",
                         target_type="rank", comparator="<=", target_value=10, higher=False, low="1")
    row = row_of(outside)
    assert math.isnan(row.p_meet)
    assert row.status == "insufficient_data"


def test_lower_is_better_level_target(tmp_path: Path, fake: None) -> None:
    # e.g. energy use per unit of GDP: 1.0 (2022) -> <= 0.8 (2027), linear: -0.04 a year; 2024 = 0.94: -0.03 a year
    ds = one_series(tmp_path, {2020: 1.02, 2021: 1.01, 2022: 1.0, 2023: 0.97, 2024: 0.94}, kind="ratio", form="linear",
                    comparator="<=", target_value=0.8, higher=False)
    row = row_of(ds)
    assert row.progress_ratio == pytest.approx(0.75)
    assert row.progress_category == "moderate"
    assert row.required_value == pytest.approx(0.92)
    assert row.gap == pytest.approx(0.02)


def test_zero_base_uses_absolute_change(tmp_path: Path, fake: None) -> None:
    # geometric indicator with base 0: growth rate undefined -> absolute change: observed 2/yr, required 2/yr
    ds = one_series(tmp_path, {2022: 0.0, 2023: 2.0, 2024: 4.0}, kind="count", target_value=10, low="0")
    row = row_of(ds)
    assert row.progress_ratio == pytest.approx(1.0)
    assert row.progress_category == "significant"
    assert row.required_value == pytest.approx(4.0)  # linear path, as geometric is impossible from 0
    assert "absolute annual change" in row.note


def test_negative_values_use_absolute_change() -> None:
    ratio, category, note = progress.classify_progress(2022, -5.0, 2024, -1.0, 2027, 5.0, "geometric", ">=")
    assert ratio == pytest.approx(2.0 / 2.0)  # observed +2/yr, required +2/yr
    assert category == "significant"
    assert "absolute annual change" in note


def test_target_reached_at_latest_is_achieved_and_base_already_met() -> None:
    # required growth zero/negative (base already above target) and latest still above: achieved, with no ratio
    ratio, category, note = progress.classify_progress(2022, 120.0, 2024, 110.0, 2027, 100.0, "geometric", ">=")
    assert category == "achieved" and math.isnan(ratio)  # never a negative ratio labelled achieved
    assert "base already met" in note
    # a single value already meeting the target: achieved, though no ratio can be formed
    assert progress.classify_progress(2025, 13.0, 2025, 13.0, 2027, 5.0, "linear", ">=")[:2][1] == "achieved"
    assert progress.classify_progress(2025, 3.0, 2025, 3.0, 2027, 5.0, "linear", ">=")[1] == "insufficient_data"
    # base above target but the latest value fell below it: movement away
    ratio, category, _ = progress.classify_progress(2022, 120.0, 2024, 90.0, 2027, 100.0, "geometric", ">=")
    assert category == "away" and math.isnan(ratio)


def test_base_year_interpolated_on_the_growth_form_and_flagged(tmp_path: Path, fake: None) -> None:
    ds = one_series(tmp_path, {2019: 80.0, 2021: 100.0, 2023: 110.0, 2024: 121.0}, target_value=200)
    row = row_of(ds)
    # geometric: halfway on the log scale between 100 (2021) and 110 (2023) = sqrt(100 * 110) = 104.88
    assert row.base_year_used == 2022 and row.base_value == pytest.approx(104.8808848)
    assert bool(row.base_estimated) is True
    assert "estimated 104.9 (log-linear interpolation between 2021 and 2023)" in row.note
    assert row.progress_ratio == pytest.approx(((1.21 / 1.048808848) ** 0.5 - 1) / ((200 / 104.8808848) ** 0.2 - 1), abs=1e-6)
    linear = row_of(one_series(tmp_path / "lin", {2021: 100.0, 2023: 110.0, 2024: 121.0}, kind="share", form="linear"))
    assert linear.base_value == pytest.approx(105.0)  # linear form: the arithmetic midpoint


def test_base_year_missing_only_earlier_uses_nearest_earlier(tmp_path: Path, fake: None) -> None:
    row = row_of(one_series(tmp_path, {2019: 80.0, 2020: 90.0, 2021: 100.0}, target_value=200))
    assert (row.base_year_used, row.base_value, bool(row.base_estimated)) == (2021, 100.0, False)
    assert "base year 2022 not observed: 2021 used (nearest earlier year)" in row.note


def test_base_year_missing_nothing_earlier_uses_first_later(tmp_path: Path, fake: None) -> None:
    ds = one_series(tmp_path, {2023: 110.0, 2024: 121.0, 2025: 133.1}, target_value=200)
    row = row_of(ds)
    assert (row.base_year_used, row.base_value) == (2023, 110.0)
    assert "first later year" in row.note


def test_one_point_is_insufficient_data(tmp_path: Path, fake: None) -> None:
    row = row_of(one_series(tmp_path, {2024: 150.0}))
    assert row.status == "insufficient_data"
    assert row.progress_category == "insufficient_data"
    assert math.isnan(row.p_meet)
    assert row.latest_value == 150.0


def test_two_points_give_moderate_progress(tmp_path: Path, fake: None) -> None:
    row = row_of(one_series(tmp_path, {2022: 100.0, 2024: 121.0}))
    # observed CAGR 1.21**(1/2) - 1 = 10 %; required (200/100)**(1/5) - 1 = 14.87 %: R = 0.6725 -> moderate
    assert row.progress_ratio == pytest.approx(0.10 / (2 ** 0.2 - 1), abs=1e-6)
    assert row.progress_category == "moderate"
    # the rule: models project from two annual values (models.MIN_POINTS), and gap follows it
    assert projection.min_points() == models.MIN_POINTS == 2
    # fake: step 10.5/yr from 121: 2027 mean 152.5, samples 152.5 + 31.5u: never 200
    assert row.projected_value == pytest.approx(152.5) and row.p_meet == 0.0
    assert row.status == "off_track" and "no projection" not in row.note


def test_no_data(tiny_dataset: loader.Dataset, fake: None) -> None:
    row = statuses.status_table(tiny_dataset, AS_OF).set_index("target_id").loc["t_patents_2027"]
    assert row.status == "no_data" and row.progress_category == "no_data"
    assert row.latest_period == "" and math.isnan(row.latest_value) and math.isnan(row.p_meet)
    assert "市统计公报" in row.note  # where the figure would be published


def test_target_year_observed(tmp_path: Path, fake: None) -> None:
    met = row_of(one_series(tmp_path / "a", {2017: 2.5, 2020: 2.8, 2022: 3.05}, kind="share", form="linear",
                            target_value=3.0, base_year=2017, target_year=2022))
    assert (met.status, met.p_meet, met.projected_value) == ("met", 1.0, 3.05)
    missed = row_of(one_series(tmp_path / "b", {2017: 2.5, 2020: 2.8, 2022: 2.9}, kind="share", form="linear",
                               target_value=3.0, base_year=2017, target_year=2022))
    assert (missed.status, missed.p_meet, missed.horizon_kind) == ("missed", 0.0, "past")
    preliminary = row_of(one_series(tmp_path / "c", {2017: 2.5, 2020: 2.8, 2022: 3.05}, kind="share", form="linear",
                                    target_value=3.0, base_year=2017, target_year=2022, status={2022: "preliminary"}))
    assert (preliminary.status, preliminary.p_meet) == ("probably_met", 1.0)
    assert "not a final figure" in preliminary.note


def test_target_year_passed_but_not_observed_is_interpolated(tmp_path: Path, fake: None) -> None:
    row = row_of(one_series(tmp_path, {2017: 2.5, 2021: 2.9, 2023: 3.1}, kind="share", form="linear",
                            target_value=3.0, base_year=2017, target_year=2022))
    assert row.latest_period == "2021"  # the last observation at or before the target year
    assert row.projected_value == pytest.approx(3.0)  # halfway between 2.9 and 3.1
    # two changes cannot measure the volatility: the outcome word from the interpolation, no probability
    assert math.isnan(row.p_meet) and row.status == "probably_met"
    assert row.interpolated_years == "2022"
    assert "interpolated" in row.note


# ---------------------------------------------------------------------------
# Bounds are bounds (issue 9 item 7)


def test_lower_bound_in_the_target_year_can_show_met_never_missed(tmp_path: Path, fake: None) -> None:
    points = {2017: 800.0, 2019: 1400.0, 2021: 2000.0}
    # ">2910" in 2023 against ">= 3000": not a miss. Fake: step (2000 - 800) / 4 = 300/yr from 2021:
    # 2023 = 2600 + 600u. Paths agreeing with > 2910: u >= 0.5167 (25 of 101); of these u >= 0.6667 meet 3000 (17).
    row = row_of(one_series(tmp_path / "a", {**points, 2023: 2910.0}, kind="count", form="linear", target_value=3000,
                            base_year=2017, target_year=2023, qualifier={2023: ">"}))
    assert row.status == "probably_met"  # as an exact 2910 it would be "missed"
    assert row.p_meet == pytest.approx(17 / 25)
    assert row.latest_qualifier == ">" and row.latest_value == 2910.0
    assert row.story == ""
    # ">3100" in 2023: the bound alone proves the target met
    met = row_of(one_series(tmp_path / "b", {**points, 2023: 3100.0}, kind="count", form="linear", target_value=3000,
                            base_year=2017, target_year=2023, qualifier={2023: ">"}))
    assert (met.status, met.p_meet) == ("met", 1.0)


def test_upper_bound_rank_shows_a_rank_target_met(tmp_path: Path, fake: None) -> None:
    # "跻身全国前十" = rank <= 10 in 2024, target rank <= 10 in 2024: met; the bound is not an exact 10
    ranks = {2019: 15, 2020: 15, 2021: 13, 2024: 10}
    row = row_of(one_series(tmp_path, ranks, kind="rank", form="linear", target_type="rank", comparator="<=", target_value=10,
                            higher=False, low="1", base_year=2019, target_year=2024, qualifier={2024: "<="}))
    assert row.status == "met" and row.latest_qualifier == "<="
    unsure = row_of(one_series(tmp_path / "b", ranks, kind="rank", form="linear", target_type="rank", comparator="<=",
                               target_value=9, higher=False, low="1", base_year=2019, target_year=2024, qualifier={2024: "<="}))
    assert unsure.status not in ("met", "missed")  # "<= 10" can show neither "<= 9" met nor missed


def test_bound_after_the_last_point_conditions_the_projection(tmp_path: Path, fake: None) -> None:
    # points 2018-2022, step 100/yr; ">1500" in 2024 keeps paths with 1300 + 200u >= 1500 (u >= 1: 1 of 101 < 5 %: unused)
    values = {2018: 600.0, 2019: 700.0, 2020: 800.0, 2021: 900.0, 2022: 1000.0, 2024: 1250.0}
    row = row_of(one_series(tmp_path, values, kind="count", form="linear", target_value=1500, qualifier={2024: ">"}))
    # 1250 is a lower bound: the projection runs from the 2022 point; 2024 paths 1200 + 200u >= 1250 -> u >= 0.25 (38 of 101)
    # 2027 = 1500 + 500u on those paths: all meet 1500 -> P = 1; unconditioned it would be 51/101
    assert row.n_obs == 5
    assert row.p_meet == 1.0
    assert "conditioned on the published bounds (38 of 101 paths agree)" in row.note


def test_estimate_is_superseded_by_the_final_figure(tmp_path: Path) -> None:
    tables = tiny_tables()
    tables["observations"].append(obs("rd_gdp_ratio", 2024, 3.4, "%", "news_2025", "2025-06-01", status="estimate"))
    ds = loader.load(write_data_dir(tmp_path / "est", tables))
    chosen = evidence.choose_observations(ds.observations, AS_OF)
    pick = chosen[(chosen["indicator_id"] == "rd_gdp_ratio") & (chosen["region"] == "ningbo") & (chosen["period"] == "2024")]
    assert list(pick["value"]) == [3.2]  # the official 3.2 (2025-03-01) beats the later 预计 3.4
    tables["observations"].append(obs("rd_gdp_ratio", 2022, 2.9, "%", "news_2025", "2025-06-01", qualifier=">", preferred="true"))
    ds = loader.load(write_data_dir(tmp_path / "pref", tables))
    chosen = evidence.choose_observations(ds.observations, AS_OF)
    pick = chosen[(chosen["indicator_id"] == "rd_gdp_ratio") & (chosen["region"] == "ningbo") & (chosen["period"] == "2022")]
    assert list(pick["qualifier"]) == [">"]  # the curator's preferred figure is kept even when it is a bound
    assert vintage.vintage_tier(">", "official") == 2 and vintage.vintage_tier("", "estimate") == 1 and vintage.vintage_tier("", "official") == 0


def test_only_a_favourable_bound_gives_a_progress_floor(tmp_path: Path, fake: None) -> None:
    # required CAGR 2**(1/5) - 1 = 14.87 %; ">150" in 2025 from base 100 (2022): R >= (1.5**(1/3) - 1) / 0.1487 = 0.973
    floor = row_of(one_series(tmp_path / "a", {2021: 90.0, 2022: 100.0, 2025: 150.0}, qualifier={2025: ">"}))
    assert floor.progress_ratio == pytest.approx((1.5 ** (1 / 3) - 1) / (2 ** 0.2 - 1), abs=1e-6)
    assert floor.progress_category == "significant" and "R at least 0.97" in floor.note
    # "<150" says nothing about how far the value got: progress from the last exact value, 110 (2023): R = 0.10 / 0.1487
    ceiling = row_of(one_series(tmp_path / "b", {2022: 100.0, 2023: 110.0, 2025: 150.0}, qualifier={2025: "<"}))
    assert ceiling.progress_ratio == pytest.approx(0.10 / (2 ** 0.2 - 1), abs=1e-6)
    assert ceiling.progress_category == "moderate"


def test_flat_series_meets_an_inclusive_each_year_target(tmp_path: Path, fake: None) -> None:
    # fake paths of a flat series are exactly 100 every year: ">= 100" each year holds on every path (">" on none)
    flat = dataclass_replace_target(one_series(tmp_path, {2022: 100.0, 2023: 100.0, 2024: 100.0}, target_value=100),
                                    target("t", "x", "level", ">=", 100, "u", 2022, 2027) | {"each_year": "true"})
    row = row_of(flat)
    assert row.p_meet == 1.0 and row.status == "on_track"
    assert "2023 met, 2024 met" in row.note


# ---------------------------------------------------------------------------
# Average-growth targets from their stated base year; targets as written (items 3, 9)


def test_avg_growth_from_the_stated_base_year_estimated_and_flagged(tmp_path: Path, fake: None) -> None:
    # 10 %/yr: 2021 = 110, 2023 = 133.1 -> 2022 = sqrt(110 * 133.1) = 121 (log-linear), never 2021's 110
    row = row_of(one_series(tmp_path, {2020: 100.0, 2021: 110.0, 2023: 133.1, 2024: 146.41}, target_type="avg_growth",
                            target_value=20))
    assert (row.base_year_used, bool(row.base_estimated)) == (2022, True)
    assert row.base_value == pytest.approx(121.0)
    assert "implied 2027 level = 121 x (1+20%)^5 = 301.1" in row.note  # 121 * 1.2**5 = 301.08; from 2021 it would be 328.5
    assert row.required_value == pytest.approx(121 * 1.2 ** 2)
    assert row.progress_ratio == pytest.approx(0.10 / 0.20)
    assert row.story == "base_estimated"


def test_avg_growth_base_year_is_never_moved(tmp_path: Path, fake: None) -> None:
    # nothing on both sides of 2022: no base, no target level, no projection against a moved base
    row = row_of(one_series(tmp_path, {2023: 120.0, 2024: 144.0, 2025: 172.8}, target_type="avg_growth", target_value=20))
    assert row.base_year_used == 2022 and math.isnan(row.base_value)
    assert row.status == "insufficient_data" and math.isnan(row.p_meet)
    assert "base cannot be estimated" in row.note


def test_exact_required_growth_is_on_track_then_met(tmp_path: Path, fake: None) -> None:
    on_path = {2022 + i: 100 * 1.2 ** i for i in range(4)}  # 100, 120, 144, 172.8
    row = row_of(one_series(tmp_path / "a", on_path, target_type="avg_growth", target_value=20))
    assert row.progress_ratio == pytest.approx(1.0) and row.progress_category == "significant"
    assert row.gap == pytest.approx(0.0, abs=1e-9) and row.required_value == pytest.approx(172.8)
    done = row_of(one_series(tmp_path / "b", {2020 + i: 100 * 1.2 ** i for i in range(6)}, target_type="avg_growth",
                             target_value=20, base_year=2020, target_year=2025))
    assert (done.status, done.p_meet) == ("met", 1.0)  # 248.832 = 100 * 1.2**5 reached in 2025


def test_past_targets_get_only_outcome_words(tmp_path: Path, fake: None) -> None:
    cases = {
        "met": ({2017: 2.5, 2020: 2.8, 2022: 3.05}, {}),
        "missed": ({2017: 2.5, 2020: 2.8, 2022: 2.9}, {}),
        "probably_met": ({2017: 2.5, 2021: 2.9, 2023: 3.1}, {}),  # interpolated 3.0, too few changes for P: the outcome word
        "outcome_uncertain": ({2017: 2.5, 2018: 2.7, 2019: 2.8, 2021: 2.95, 2023: 3.05}, {}),  # bridge P about 0.5
        "probably_missed": ({2017: 2.5, 2018: 2.55, 2019: 2.6}, {}),  # fake: 2022 = 2.75 + 0.15u < 3
        "no_data": ({2023: 3.1}, {}),
    }
    for expected, (values, status) in cases.items():
        row = row_of(one_series(tmp_path / expected, values, kind="share", form="linear", target_value=3.0, base_year=2017,
                                target_year=2022, status=status))
        assert (row.horizon_kind, row.status) == ("past", expected), values
    assert set(cases) == set(rules.PAST_STATUSES)
    late = row_of(one_series(tmp_path / "late", {2024: 3.2, 2025: 3.3}, kind="share", form="linear", target_value=3.0,
                             base_year=2017, target_year=2022))
    assert (late.status, late.progress_category) == ("no_data", "insufficient_data")  # 2024's 3.2 says nothing about 2022


def test_per_year_and_about_targets(tmp_path: Path, fake: None) -> None:
    each = target("t", "x", "level", ">=", 100, "u", 2022, 2027) | {"each_year": "true"}
    tables_values = {2022: 90.0, 2023: 105.0, 2024: 98.0, 2025: 110.0}
    ds = one_series(tmp_path / "a", tables_values, target_value=100)
    ds = dataclass_replace_target(ds, each)
    row = row_of(ds)
    assert bool(row.per_year) and row.p_meet == 0.0  # 2024 = 98 missed the 每年 target: P(every year) = 0
    assert "2024 missed" in row.note
    about = dataclass_replace_target(one_series(tmp_path / "b", {2020: 50.0, 2025: 58.0}, target_value=60),
                                     target("t", "x", "level", ">=", 60, "u", 2020, 2025) | {"approximate": "true"})
    row = row_of(about)
    assert bool(row.about) and row.status == "met"  # 58 is about 60 (within 5 %: >= 57)
    assert "~60" in status_formats.format_status(statuses.status_table(about, AS_OF, region=None), "table")


def dataclass_replace_target(ds: loader.Dataset, row: dict) -> loader.Dataset:
    """Return the dataset with target 't' replaced by a row carrying extra columns (each_year, approximate)."""
    targets = ds.targets[ds.targets["target_id"] != "t"]
    extra = pd.DataFrame([{**{c: row.get(c) for c in row}, "target_value": float(row["target_value"]),
                           "base_year": int(row["base_year"]), "target_year": int(row["target_year"])}])
    return dataclasses.replace(ds, targets=pd.concat([targets, extra], ignore_index=True))


def test_milestone_is_the_latest_at_or_before_the_report_year() -> None:
    from types import SimpleNamespace

    milestones = pd.DataFrame({
        "indicator_id": ["x", "x", "x", "y"], "region": ["ningbo"] * 4, "year": [2024, 2025, 2027, 2025],
        "value": [3.3, 3.6, 3.75, 9.0], "published": pd.to_datetime(["2024-02-01", "2025-02-01", "2025-02-01", "2025-02-01"]),
    })
    a = record.Assessment("t", "x", "ningbo", "level", ">=", 2027, 3.75, "%")
    judge.set_milestone(a, SimpleNamespace(milestones=milestones), "2025-06-30")
    assert (a.milestone_year, a.milestone_value) == (2025, 3.6)  # 2027's is a later year; y is another indicator
    early = record.Assessment("t", "x", "ningbo", "level", ">=", 2027, 3.75, "%")
    judge.set_milestone(early, SimpleNamespace(milestones=milestones), "2025-01-15")
    assert (early.milestone_year, early.milestone_value) == (2024, 3.3)  # the 2025 milestone was not yet published
    none = record.Assessment("t", "x", "ningbo", "level", ">=", 2027, 3.75, "%")
    judge.set_milestone(none, SimpleNamespace(), "2025-06-30")  # no milestones table (data not merged): nothing
    assert none.milestone_year is None and math.isnan(none.milestone_value)


def test_two_plans_for_one_year_give_the_later_published_milestone() -> None:
    from types import SimpleNamespace

    later_first = pd.DataFrame({  # the 2025 work plan (1200) sits above the five-year plan (450) in the file
        "indicator_id": ["x", "x"], "region": ["ningbo"] * 2, "year": [2025, 2025], "value": [1200.0, 450.0],
        "published": pd.to_datetime(["2025-03-13", "2022-09-23"]),
    })
    for frame in (later_first, later_first.iloc[::-1]):
        a = record.Assessment("t", "x", "ningbo", "level", ">=", 2027, 1500, "亿元")
        judge.set_milestone(a, SimpleNamespace(milestones=frame.reset_index(drop=True)), "2025-06-30")
        assert (a.milestone_year, a.milestone_value) == (2025, 1200.0)
    before = record.Assessment("t", "x", "ningbo", "level", ">=", 2027, 1500, "亿元")
    judge.set_milestone(before, SimpleNamespace(milestones=later_first), "2025-02-01")
    assert (before.milestone_year, before.milestone_value) == (2025, 450.0)  # the work plan was not yet published


@pytest.mark.parametrize("category, status, extra, expected", [
    ("significant", "off_track", {"interpolated_years": "2022,2023", "target_type": "cumulative"}, "interpolated_flows"),
    ("significant", "unlikely", {"latest_qualifier": ">"}, "latest_is_bound"),
    ("achieved", "unlikely", {}, "achieved_may_fall_back"),
    ("significant", "unlikely", {"forecast_method": "growth_prior"}, "projection_leans_on_prior"),
    ("moderate", "off_track", {}, ""),  # moderate progress is not "good": no disagreement
    ("significant", "unlikely", {}, "recent_trend_slower"),
    ("away", "likely", {}, "recent_trend_faster"),
    ("significant", "on_track", {}, ""),
    ("insufficient", "uncertain", {"base_estimated": True}, "base_estimated"),
    ("achieved", "insufficient_data", {}, "achieved_no_probability"),  # e.g. 13 national clusters against >= 5, one year
])
def test_story_codes(category: str, status: str, extra: dict, expected: str) -> None:
    a = record.Assessment("t", "x", "ningbo", extra.pop("target_type", "level"), ">=", 2027, 1.0, "u")
    a.progress_category, a.status = category, status
    for name, value in extra.items():
        setattr(a, name, value)
    assert judge.story_of(a) == expected
    assert expected == "" or expected in rules.STORIES


def test_every_new_code_has_words_in_both_languages() -> None:
    from analysis.report import i18n

    for key in [f"story.{c}" for c in rules.STORIES] + [f"status.{c}" for c in rules.ALL_STATUSES]:
        assert i18n.LABELS[key]["zh"] and i18n.LABELS[key]["en"], key
        assert not any(mark in i18n.LABELS[key]["zh"] for mark in (",", ";", ":")), key  # full-width punctuation in zh


def test_target_stated_twice_counted_once(tmp_path: Path, fake: None) -> None:
    ds = one_series(tmp_path, {2022: 100.0, 2023: 120.0, 2024: 144.0})
    twin = dataclass_replace_target(ds, target("t2", "x", "level", ">=", 200, "u", 2022, 2027) | {"duplicate_of": "t", "target_id": "t2"})
    twin = dataclasses.replace(twin, targets=pd.concat([ds.targets, twin.targets[twin.targets["target_id"] == "t2"]], ignore_index=True))
    table = statuses.status_table(twin, AS_OF, region=None)
    assert list(table["duplicate_of"]) == ["", "t"]
    text = status_formats.format_status(table, "table")
    assert "targets ahead (1," in text
    summary = statuses.status_summary(table)
    assert summary["count"].sum() == 1 and list(summary["horizon_kind"]) == ["future"]


def test_peer_series_of_the_same_indicator_are_passed(tiny_dataset: loader.Dataset, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[tuple[str, int], tuple] = {}

    def capture(series: pd.Series, horizon: int, bounds: object, peers: tuple = (), kinds: object = None) -> FakeForecast:
        seen[(str(series.name), int(series.index[0]))] = tuple((p.name, dict(p.items())) for p in peers)
        return FakeForecast(series, horizon)

    monkeypatch.setattr(tracker, "run_forecast", capture)
    statuses.status_table(tiny_dataset, AS_OF, region="all")
    assert seen[("rd_gdp_ratio", 2017)] == (("zhejiang", {2022: 3.1, 2023: 3.2}),)  # Ningbo's series gets Zhejiang's as peer
    assert seen[("gdp", 2019)] == ()  # no comparison region holds gdp
    assert seen.get(("rd_gdp_ratio", 2022), ()) == ()  # Zhejiang's own series is not its own peer


def test_each_value_s_kind_is_passed_to_the_projection(tiny_dataset: loader.Dataset, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, dict] = {}

    def capture(series: pd.Series, horizon: int, bounds: object, peers: tuple = (), kinds: object = None) -> FakeForecast:
        seen[str(series.name)] = dict(kinds.items())
        return FakeForecast(series, horizon)

    monkeypatch.setattr(tracker, "run_forecast", capture)
    statuses.status_table(tiny_dataset, AS_OF, region="ningbo")  # Ningbo only: Zhejiang's series has the same name
    # Ningbo's R&D intensity: 2023 first preliminary, then revised (the revision supersedes); the rest official
    assert seen["rd_gdp_ratio"] == {**{y: "official" for y in range(2017, 2023)}, 2023: "revised", 2024: "official"}
    assert set(seen["new_firms"].values()) == {"official"}  # a cumulative target's flows too


def gdp_with_2025(tmp_path: Path, rows: list[dict]) -> loader.Dataset:
    """The tiny data with extra gdp rows for 2025 (published 2026-03-01)."""
    tables = tiny_tables()
    tables["observations"] += rows
    return loader.load(write_data_dir(tmp_path / f"data_{len(list(tmp_path.iterdir()))}", tables))


def test_an_estimate_is_not_projected_as_a_final_figure(tmp_path: Path) -> None:
    def gdp_2025(status: str, value: float = 19000.0) -> dict:
        return obs("gdp", 2025, value, "亿元", "bulletin_2026", "2026-03-01", status=status)

    final = judge.assess(gdp_with_2025(tmp_path, [gdp_2025("official")]), "t_gdp_2027", AS_OF)
    estimate = judge.assess(gdp_with_2025(tmp_path, [gdp_2025("estimate")]), "t_gdp_2027", AS_OF)
    assert list(estimate.history.index) == list(final.history.index) == list(range(2019, 2026))
    # the same value as an estimate (预计) gives a wider interval, and the projection says what it rests on
    assert estimate.hi80 - estimate.lo80 > 1.05 * (final.hi80 - final.lo80)
    assert estimate.forecast.basis.set_index("year").loc[2025, "kind"] == "estimate"
    assert final.forecast.basis.set_index("year").loc[2025, "kind"] == "official"
    assert "rests_on_estimates" in estimate.forecast_flags.split(",") and "rests_on_estimates" not in final.forecast_flags
    # a final figure for the year supersedes the estimate: the projection rests on the final value
    both = judge.assess(gdp_with_2025(tmp_path, [gdp_2025("estimate", 19500.0), gdp_2025("official")]), "t_gdp_2027", AS_OF)
    assert both.history.loc[2025] == 19000.0 and both.forecast.basis.set_index("year").loc[2025, "kind"] == "official"
    assert both.hi80 == pytest.approx(final.hi80) and both.lo80 == pytest.approx(final.lo80)


# ---------------------------------------------------------------------------
# Table, formats, method note, what changed


def test_status_table_columns_order_and_regions(tiny_dataset: loader.Dataset, fake: None) -> None:
    table = statuses.status_table(tiny_dataset, AS_OF, region="ningbo")
    assert list(table.columns[: len(record.STATUS_COLUMNS)]) == record.STATUS_COLUMNS
    assert list(table["target_id"]) == sorted(table["target_id"])
    assert set(table["region"]) == {"ningbo"}
    assert set(statuses.status_table(tiny_dataset, AS_OF)["region"]) == {"ningbo", "zhejiang"}  # every target by default
    everything = statuses.status_table(tiny_dataset, AS_OF, region="all")
    assert "t_zj_rd_2027" in set(everything["target_id"])
    assert len(everything) == len(tiny_dataset.targets)
    assert set(everything["status"]) <= set(rules.ALL_STATUSES)
    pd.testing.assert_frame_equal(everything, statuses.status_table(tiny_dataset, AS_OF, region=None))


def test_status_table_is_deterministic_with_real_models(tiny_dataset: loader.Dataset) -> None:
    first = statuses.status_table(tiny_dataset, AS_OF, region="all")
    pd.testing.assert_frame_equal(first, statuses.status_table(tiny_dataset, AS_OF, region="all"))
    assert first["p_meet"].notna().sum() >= 4


def test_format_csv_and_json_contract(tiny_dataset: loader.Dataset, fake: None) -> None:
    table = statuses.status_table(tiny_dataset, AS_OF)
    text = status_formats.format_status(table, "csv")
    back = pd.read_csv(io.StringIO(text), keep_default_na=False)
    assert list(back.columns) == record.STATUS_COLUMNS + record.GAP_COLUMNS + record.RECORD_COLUMNS
    assert list(back["target_id"]) == list(table["target_id"])
    gdp = back.set_index("target_id").loc["t_gdp_2027"]
    assert float(gdp["required_value"]) == float(f"{15700 * (20000 / 15700) ** 0.4:.4g}")
    no_data = back.set_index("target_id").loc["t_patents_2027"]
    assert no_data["p_meet"] == "" and no_data["latest_value"] == ""
    records = json.loads(status_formats.format_status(table, "json"))
    assert [r["target_id"] for r in records] == list(table["target_id"])
    assert all(list(r) == record.OUTPUT_COLUMNS for r in records)
    by_id = {r["target_id"]: r for r in records}
    assert by_id["t_patents_2027"]["p_meet"] is None
    assert by_id["t_rd_2027"]["p_meet"] == round(42 / 101, 3)
    text_table = status_formats.format_status(table, "table")
    assert all(t in text_table for t in table["target_id"])
    with pytest.raises(ValueError):
        status_formats.format_status(table, "xml")


def test_method_note_prints_every_threshold() -> None:
    for lang in ("en", "zh"):
        note = method.method_note(lang)
        for _, edge in rules.PROGRESS_BANDS:
            assert f"{edge:g}" in note
        for _, edge in rules.STATUS_BANDS:
            assert f"{edge:.0%}" in note
        for code, edge in rules.LIKELIHOOD_BANDS:
            assert method.likelihood_words(edge, lang) in note and f"{edge:.0%}" in note
        for _, edge in rules.PAST_BANDS:
            assert f"{edge:.0%}" in note
        assert str(tracker.SEED) in note and str(rules.PROJECT_TO) in note and str(rules.PLAN_YEARS) in note
        assert f"{rules.ABOUT_TOLERANCE:.0%}" in note
        assert str(models.MIN_POINTS) in note and str(models.MIN_POINTS_FULL - 1) in note  # the projection rule applied
        assert f"{rules.MIN_CONDITIONED_SHARE:.0%}" in note
        for code in rules.PAST_STATUSES[:5]:
            assert method.STATUS_LABELS[code][lang] in note
    assert "很可能" in method.method_note("zh") and "very likely" in method.method_note("en")


def test_what_changed(tiny_dataset: loader.Dataset, fake: None) -> None:
    changed = changes.what_changed(tiny_dataset, "2025-12-31", AS_OF)
    new = changed.figures
    assert list(zip(new["indicator_id"], new["period"], new["kind"])) == [("new_firms", "2025", "new_figure")]
    assert new.iloc[0]["source_id"] == "bulletin_2026" and "2025" in new.iloc[0]["title"]
    targets = changed.changed_targets.set_index("target_id")
    # two values project (models.MIN_POINTS = 2): before 2026, 2023-2024 project with step 200, 2025-2027 sum
    # 4500 + 1200u >= 3000 for every u: on track with P = 1, before and after, so the target did not change
    assert projection.min_points() == models.MIN_POINTS == 2
    assert "t_firms_cum" not in targets.index
    before = judge.assess(tiny_dataset, "t_firms_cum", "2025-12-31")
    assert (before.n_obs, before.p_meet, before.status) == (2, 1.0, "on_track")
    assert before.projected_value == pytest.approx(900 + 1100 + 1300 + 1500 + 1700)  # 2023-2024 observed, 2025-2027 on the mean path
    assert "t_rd_2027" not in targets.index  # nothing new for R&D in 2026
    everything = changes.what_changed(tiny_dataset, "2024-12-31", AS_OF, region="all")
    assert "gdp" in set(everything.figures["indicator_id"])
    moved = everything.changed_targets.set_index("target_id")
    # gdp 2027 >= 20000. Before: 2019-2023, fake step (16450-12000)/4 = 1112.5, 2027 = 20900 + 4450u: u >= -0.2022 -> 61/101.
    # After: 2019-2024, step 1220, 2027 = 21760 + 3660u: u >= -0.4809 -> 75/101.
    assert (moved.loc["t_gdp_2027", "p_meet_before"], moved.loc["t_gdp_2027", "p_meet_after"]) == pytest.approx((61 / 101, 75 / 101))
    assert (moved.loc["t_gdp_2027", "status_before"], moved.loc["t_gdp_2027", "status_after"]) == ("uncertain", "likely")
    assert "t_rank_2027" not in moved.index  # 3 then 4 ranks, both outside the target: insufficient data both times


def test_assess_returns_the_forecast(tiny_dataset: loader.Dataset) -> None:
    # real models: the assessment carries the forecast its numbers come from, fitted on the history it carries
    a = judge.assess(tiny_dataset, "t_gdp_2027", AS_OF)
    assert a.history.to_dict() == {2019: 12000.0, 2020: 12400.0, 2021: 14600.0, 2022: 15700.0, 2023: 16450.0, 2024: 18100.0}
    assert a.n_obs == 6  # annual values only: the 2025-09 year-to-date figure is not part of the history
    fc = a.forecast
    assert isinstance(fc, models.Forecast) and fc.history.to_dict() == a.history.to_dict()
    assert fc.years == list(range(2025, rules.PROJECT_TO + 1)) and (fc.method, a.forecast_method) == ("growth_prior", "growth_prior")  # 6 points
    again = models.forecast(a.history, horizon=rules.PROJECT_TO - 2024, method="auto", levels=tracker.LEVELS, seed=tracker.SEED)
    np.testing.assert_array_equal(fc.samples, again.samples)
    assert a.projected_value == fc.mean[2027]
    assert (a.lo80, a.hi80, a.lo95, a.hi95) == (fc.lower(80)[2027], fc.upper(80)[2027], fc.lower(95)[2027], fc.upper(95)[2027])
    assert a.p_meet == fc.prob_at_least(2027, 20000.0)
    assert a.as_row()["status"] == a.status == rules.status_from_p(a.p_meet)


# ---------------------------------------------------------------------------
# As-of discipline


def published_until(dataset: loader.Dataset, as_of: pd.Timestamp) -> loader.Dataset:
    """Return the dataset restricted to observations published by a date."""
    return dataclasses.replace(dataset, observations=vintage.published_by(dataset.observations, as_of).reset_index(drop=True))


@pytest.fixture(scope="module")
def tiny_module_dataset(tmp_path_factory: pytest.TempPathFactory) -> loader.Dataset:
    return loader.load(write_data_dir(tmp_path_factory.mktemp("tiny") / "data", tiny_tables()))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(day=st.dates(min_value=pd.Timestamp("2017-01-01").date(), max_value=pd.Timestamp(AS_OF).date()))
def test_status_uses_only_data_published_by_the_date(tiny_module_dataset: loader.Dataset, day) -> None:
    as_of = pd.Timestamp(day)
    full = statuses.status_table(tiny_module_dataset, as_of, region="all")
    restricted = statuses.status_table(published_until(tiny_module_dataset, as_of), as_of, region="all")
    pd.testing.assert_frame_equal(full, restricted)
    observations = tiny_module_dataset.observations
    for row in full[full["latest_period"] != ""].itertuples():
        match = observations[
            (observations["indicator_id"] == row.indicator_id) & (observations["region"] == row.region)
            & (observations["period"] == row.latest_period) & (observations["value"] == row.latest_value)
            & (observations["source_id"] == row.source_id) & (observations["published"] <= as_of)
        ]
        assert not match.empty, (row.target_id, row.latest_period, row.latest_value)


# ---------------------------------------------------------------------------
# The real data


def real_dataset() -> loader.Dataset:
    """Load the real data or skip while it is being curated."""
    try:
        return loader.load(REAL)
    except csvfile.DataValidationError as err:
        pytest.skip(f"data/ does not validate yet ({len(err.problems)} problems)")


def test_real_data_every_target(tmp_path: Path) -> None:
    dataset = real_dataset()
    as_of = pd.Timestamp(AS_OF)
    table = statuses.status_table(dataset, as_of, region="all")
    assert len(table) == len(dataset.targets)
    assert set(table["status"]) <= set(rules.ALL_STATUSES)
    past = table[table["horizon_kind"] == "past"]
    assert set(past["status"]) <= set(rules.PAST_STATUSES)
    assert set(table.loc[table["horizon_kind"] == "future", "status"]) <= set(rules.STATUSES)
    assert set(table["progress_category"]) <= set(rules.PROGRESS_CATEGORIES)
    annual = vintage.select_as_of(dataset.observations, as_of)
    annual = annual[annual["is_annual"]]
    has_data = set(zip(annual["indicator_id"], annual["region"]))
    for row in table.itertuples():
        if (row.indicator_id, row.region) not in has_data:
            assert row.status == "no_data", row.target_id
        elif row.horizon_kind == "future":
            assert row.status != "no_data", row.target_id
        assert row.horizon_kind == ("past" if row.target_year < as_of.year else "future")
    assert table["p_meet"].dropna().between(0, 1).all()
    back = pd.read_csv(io.StringIO(status_formats.format_status(table, "csv")), keep_default_na=False)
    assert list(back["target_id"]) == list(table["target_id"])
    assert len(json.loads(status_formats.format_status(table, "json"))) == len(table)


def test_selection_cache_follows_the_table_content(tmp_path: Path) -> None:
    dataset = one_series(tmp_path, {2022: 100.0, 2023: 110.0, 2024: 121.0})
    first = evidence.chosen_as_of(dataset, AS_OF)
    again = evidence.chosen_as_of(dataset, AS_OF)
    assert first is not again and first.equals(again)  # callers get copies
    first.loc[:, "value"] = -1.0  # a caller's edit does not reach the cache
    assert evidence.chosen_as_of(dataset, AS_OF)["value"].tolist() == [100.0, 110.0, 121.0]
    # a researcher edits the observations in place: the next selection sees the edit
    dataset.observations.loc[dataset.observations["period"] == "2024", "value"] = 130.0
    assert evidence.chosen_as_of(dataset, AS_OF)["value"].tolist() == [100.0, 110.0, 130.0]
    assert row_of(dataset)["latest_value"] == 130.0
    # a different date is a different selection (2024's figure was published 2025-03-01)
    assert evidence.chosen_as_of(dataset, "2025-01-01")["period"].tolist() == ["2022", "2023"]


def test_a_past_target_inferred_by_interpolation_gets_the_bridge_probability(tmp_path: Path) -> None:
    values = {2018: 2.0, 2019: 2.2, 2020: 2.1, 2021: 2.5, 2023: 2.9}
    dataset = one_series(tmp_path, values, kind="ratio", form="linear", comparator=">=", target_value=2.6,
                         base_year=2018, target_year=2022)
    row = row_of(dataset)
    # 2022 = (2.5 + 2.9) / 2 = 2.7; changes per sqrt(year): 0.2, -0.1, 0.4, 0.4/sqrt(2) -> sd (n-1) 0.213533;
    # bridge sd at the middle of two years: 0.213533 * sqrt(1 * 1 / 2) = 0.150991; P = Phi((2.7 - 2.6) / 0.150991)
    changes = [0.2, -0.1, 0.4, 0.4 / math.sqrt(2)]
    mean = sum(changes) / 4
    sigma = math.sqrt(sum((c - mean) ** 2 for c in changes) / 3)
    assert sigma == pytest.approx(0.213533, abs=1e-6)
    expected = 0.5 * (1 + math.erf((2.7 - 2.6) / (sigma * math.sqrt(0.5)) / math.sqrt(2)))
    assert expected == pytest.approx(0.746, abs=1e-3)
    assert row.projected_value == pytest.approx(2.7)
    assert row.p_meet == pytest.approx(expected, abs=1e-9)
    assert row.status == "probably_met" and row.interpolated_years == "2022"


def test_an_interpolated_past_target_without_enough_changes_has_no_probability(tmp_path: Path) -> None:
    dataset = one_series(tmp_path, {2020: 2.1, 2021: 2.5, 2023: 2.9}, kind="ratio", form="linear", comparator=">=",
                         target_value=2.8, base_year=2020, target_year=2022)
    row = row_of(dataset)
    assert row.projected_value == pytest.approx(2.7)
    assert math.isnan(row.p_meet) and row.status == "probably_missed"
