"""The evidence rules of the assessment record (issue 17): published values carry a status, interpolations never
alone; stale figures are marked and not judged; a target a published figure meets is met; paces from bounds are
'at least' / 'at most'; one table from P to words; one counting rule; the record written and read back unchanged.

Each case is built by hand from a small data directory and its expected values computed in the test.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from conftest import indicator, obs, target, write_data_dir

from analysis.assess import rules, standing, statuses
from analysis.assess.record import Assessment
from analysis.data import loader
from analysis.report import record_text

AS_OF = "2026-09-30"
SOURCES = [{"source_id": f"s{y}", "title": f"bulletin {y}", "publisher": "宁波市统计局", "url": f"https://example.gov.cn/{y}",
            "published": f"{y}-03-01", "kind": "bulletin"} for y in range(2010, 2027)]


def dataset_of(tmp_path: Path, values: dict[int, float | tuple[str, float]], target_row: dict, kind: str = "count",
               form: str = "geometric", unit: str = "家", status: str = "official", higher: bool = True) -> loader.Dataset:
    """Return a dataset with one indicator 'x' (values by year; a (qualifier, value) pair for a bound) and one target."""
    rows = []
    for year, value in values.items():
        qualifier, number = value if isinstance(value, tuple) else ("", value)
        rows.append(obs("x", year, number, unit, f"s{year + 1}", f"{year + 1}-03-01", qualifier=qualifier, status=status))
    return loader.load(write_data_dir(tmp_path / "data", {
        "regions": [{"region_id": "ningbo", "name_zh": "宁波", "name_en": "Ningbo", "kind": "city"}],
        "indicators": [indicator("x", unit, kind, form, higher=higher, low="1" if kind == "rank" else "0", name_en="enterprises x")],
        "targets": [target_row], "sources": SOURCES, "observations": rows,
    }))


def record_of(dataset: loader.Dataset) -> Assessment:
    """Return the one record of the dataset as of the report date."""
    (a,) = statuses.assessments(dataset, AS_OF)
    return a


def test_a_cumulative_target_is_never_judged_on_interpolated_flows(tmp_path: Path) -> None:
    # the new R&D institutions case: 6, 6 (2020, 2021) and 3 (2024) published, 2022 and 2023 never: >= 30 from 2019
    ds = dataset_of(tmp_path, {2020: 6, 2021: 6, 2024: 3}, target("t", "x", "cumulative", ">=", 30, "家", 2019, 2027))
    a = record_of(ds)
    assert a.running_total == 15 and a.running_total_qualifier == ">=" and a.missing_years == "2022,2023"
    assert (a.running_total_from, a.running_total_to) == (2020, 2024)
    assert a.status == "insufficient_data" and a.status_reason == "projection_missing_flows" and math.isnan(a.p_meet)
    assert a.p_meet_interpolated > 0.66  # what the interpolated years would say: shown, never the status
    assert a.needed_pace == pytest.approx((30 - 15) / 3) and a.needed_pace_qualifier == "<="  # the total is at least 15
    # recent pace: the mean of the published flows of the last three years (2022-2024): only 2024's 3 was published
    assert a.recent_pace == 3 and a.pace_from == 2024
    assert a.at_recent_pace == 15 + 3 * 3 and a.at_recent_pace_meets == "no" and a.group == "at_risk"  # 24 < 30 even at the pace


def test_a_lower_bound_on_p_can_show_a_cumulative_target_likely(tmp_path: Path) -> None:
    # the same gap, but the published flows alone make the target near certain: P (a lower bound) may carry the status
    ds = dataset_of(tmp_path, {2020: 10, 2021: 10, 2024: 10}, target("t", "x", "cumulative", ">=", 40, "家", 2019, 2027))
    a = record_of(ds)
    assert a.status in ("on_track", "likely") and a.p_meet_qualifier == ">=" and a.p_meet >= 0.66
    assert record_text.probability(a, "en").startswith("≥")


def test_a_stale_figure_is_marked_and_not_judged(tmp_path: Path) -> None:
    ds = dataset_of(tmp_path, {2012: 800, 2013: 900, 2014: 1000, 2015: 1082}, target("t", "x", "level", ">", 5000, "家", 2022, 2027))
    a = record_of(ds)
    assert a.latest_stale and a.status == "insufficient_data" and a.status_reason == "stale"
    assert math.isnan(a.p_meet) and a.path == [] and math.isnan(a.needed_pace)
    assert record_text.standing(ds, a, "zh") == "1,082家（2015年，旧数据）"
    assert record_text.standing(ds, a, "en") == "1,082 firms (2015, stale)"


def test_the_stale_rule_uses_the_later_of_base_year_and_the_plans_years() -> None:
    a = Assessment("t", "x", "ningbo", "level", ">=", 2027, 1.0, "u", latest_period="2021")
    assert standing.stale_before(a, type("T", (), {"base_year": 2019})) == 2022  # 2027 - PLAN_YEARS is later than 2019
    assert standing.stale_before(a, type("T", (), {"base_year": 2024})) == 2024
    assert standing.is_stale(a, type("T", (), {"base_year": 2019})) and not standing.is_stale(
        Assessment("t", "x", "ningbo", "level", ">=", 2027, 1.0, "u", latest_period="2022"), type("T", (), {"base_year": 2019}))
    assert rules.PLAN_YEARS == 5


@pytest.mark.parametrize("comparator, values, target_value, met", [
    (">=", {2023: 8, 2024: 10, 2025: 13}, 5, True),  # 13 national clusters against >= 5: met
    (">=", {2023: 8, 2024: 10, 2025: 13}, 13, True),  # exactly on it
    (">", {2023: 8, 2024: 10, 2025: 13}, 13, False),
    ("<=", {2023: 12, 2024: 11, 2025: 10}, 10, True),  # a rank-like lower-is-better level
    ("<", {2023: 12, 2024: 11, 2025: 10}, 10, False),
])
def test_a_target_a_published_figure_already_meets_is_met(tmp_path: Path, comparator: str, values: dict, target_value: float,
                                                          met: bool) -> None:
    ds = dataset_of(tmp_path, values, target("t", "x", "level", comparator, target_value, "家", 2022, 2027), higher=comparator in (">=", ">"))
    a = record_of(ds)
    assert (a.status == "met") == met and (a.status_reason == "already_met") == met
    if met:
        assert a.group == "met" and record_text.needed_pace(ds, a, "en") == "reached"


def test_an_estimate_never_shows_a_target_met(tmp_path: Path) -> None:
    ds = dataset_of(tmp_path, {2025: 13}, target("t", "x", "level", ">=", 5, "家", 2022, 2027), status="estimate")
    a = record_of(ds)
    assert a.status != "met" and a.latest_status == "estimate"
    assert record_text.standing(ds, a, "zh") == "约13家（2025年，预计）"  # 预计 read as about, and said


def test_a_bound_that_proves_the_target_makes_it_met_and_its_paces_bounds(tmp_path: Path) -> None:
    # ranks 13, 12 (2021, 2022) then 'top 10' (<= 10) in 2024 against a top-10 target: met; paces at least / at most
    ds = dataset_of(tmp_path, {2021: 13, 2022: 12, 2024: ("<=", 10)}, target("t", "x", "rank", "<=", 10, "位", 2021, 2027),
                    kind="rank", form="linear", unit="rank", higher=False)
    a = record_of(ds)
    assert a.status == "met" and a.latest_qualifier == "<="
    assert a.recent_pace == pytest.approx((10 - 13) / 3) and a.recent_pace_qualifier == "<="  # at least this many places up
    assert record_text.standing(ds, a, "zh") == "前10位（2024年）" and record_text.standing(ds, a, "en") == "top 10 (2024)"
    assert record_text.recent_pace(ds, a, "en") == "at least up 1 place"


def test_an_unfavourable_bound_gives_an_at_least_pace_needed_and_a_certain_no(tmp_path: Path) -> None:
    # 21st or worse (>= 21) in 2023, 16th in 2022, against a top-10 target in 2027: needs at least 2.75 places up a year
    ds = dataset_of(tmp_path, {2020: 15, 2021: 15, 2022: 16, 2023: (">=", 21)}, target("t", "x", "rank", "<=", 10, "位", 2022, 2027),
                    kind="rank", form="linear", unit="rank", higher=False)
    a = record_of(ds)
    assert a.needed_pace == pytest.approx((10 - 21) / 4) and a.needed_pace_qualifier == "<="
    assert record_text.needed_pace(ds, a, "en") == "at least up 2.8 places"
    assert record_text.standing(ds, a, "zh") == "未进前20（2023年）"  # never "≥第21位"
    assert a.at_recent_pace_meets == "no" and a.group == "at_risk"  # the largest risk, not "insufficient data" alone


def test_the_level_pace_and_the_value_at_the_recent_pace(tmp_path: Path) -> None:
    ds = dataset_of(tmp_path, {2019: 2.8, 2020: 2.9, 2021: 2.95, 2022: 3.04, 2023: 3.08}, target("t", "x", "level", ">=", 3.75, "%", 2022, 2027),
                    kind="share", form="linear", unit="%")
    a = record_of(ds)
    recent = (3.08 - 2.9) / 3  # 2020 -> 2023
    assert a.recent_pace == pytest.approx(recent) and a.pace_from == 2020
    assert a.needed_pace == pytest.approx((3.75 - 3.08) / 4)
    assert a.at_recent_pace == pytest.approx(3.08 + 4 * recent) and a.at_recent_pace_meets == "no"
    assert record_text.at_recent_pace(ds, a, "en") == "at the recent pace, 2027 ≈ 3.32%"


@pytest.mark.parametrize("p, band", [(0.99, "virtually_certain"), (0.9899, "very_likely"), (0.9, "very_likely"), (0.66, "likely"),
                                     (0.6599, "about_as_likely"), (0.33, "about_as_likely"), (0.3299, "unlikely"), (0.1, "unlikely"),
                                     (0.0999, "very_unlikely"), (0.01, "very_unlikely"), (0.0099, "exceptionally_unlikely")])
def test_one_scale_from_p_to_words(p: float, band: str) -> None:
    assert rules.likelihood_band(p) == band
    edges = dict(rules.LIKELIHOOD_BANDS)
    assert edges["very_likely"] == dict(rules.STATUS_BANDS)["on_track"] and edges["likely"] == dict(rules.STATUS_BANDS)["likely"]
    assert dict(rules.PAST_BANDS)["probably_met"] == edges["likely"]  # "probably met" never said of a toss-up


def test_counts_follow_one_rule(tmp_path: Path) -> None:
    table = pd.DataFrame([
        {"target_id": "a", "counted": True, "horizon_kind": "future", "status": "met"},
        {"target_id": "b", "counted": True, "horizon_kind": "future", "status": "uncertain"},
        {"target_id": "c", "counted": False, "horizon_kind": "future", "status": "uncertain"},  # stated twice
        {"target_id": "d", "counted": True, "horizon_kind": "future", "status": "no_data"},
        {"target_id": "e", "counted": True, "horizon_kind": "past", "status": "probably_met"},
        {"target_id": "f", "counted": False, "horizon_kind": "past", "status": "no_data"},  # another region's
    ])
    c = statuses.counts(table)
    assert (c["targets"], c["judged"], c["good"], c["uncertain"], c["unjudged"], c["past"], c["not_counted"]) == (3, 2, 1, 1, 1, 1, 2)


def test_the_counted_regions_are_ningbo_and_its_zones_once_each(tmp_path: Path) -> None:
    dataset = loader.load()
    table = statuses.status_table(dataset, AS_OF)
    counted = table[table["counted"]]
    assert set(counted["region"]) <= set(rules.COUNTED_REGIONS)
    assert not (counted["duplicate_of"] != "").any()
    assert "t001_yongjiang_rd_gdp_ratio_2027" in set(counted["target_id"])  # the zone's targets are Ningbo's


def test_the_record_is_written_and_read_back_unchanged(tmp_path: Path) -> None:
    dataset = loader.load()
    records = statuses.assessments(dataset, AS_OF)
    path = tmp_path / "assessment.json"
    path.write_text(statuses.records_json(records), encoding="utf-8")
    back = statuses.read_records(path)
    pd.testing.assert_frame_equal(statuses.table_of(records), statuses.table_of(back))
    assert [a.path for a in back] == [a.path for a in records] and [a.points for a in back] == [a.points for a in records]
    judged = next(a for a in back if a.path)
    assert judged.history is not None and list(judged.history.index) == sorted(p["year"] for p in judged.points if p["qualifier"] == "")


def test_the_projection_path_ends_on_the_records_projection(tmp_path: Path) -> None:
    records = statuses.assessments(loader.load(), AS_OF)
    for a in records:
        if not a.path:
            continue
        last = a.path[-1]
        assert last["year"] == a.target_year, a.target_id
        assert (last["median"], last["lo80"], last["hi80"], last["lo95"], last["hi95"]) == (a.projected_value, a.lo80, a.hi80, a.lo95, a.hi95)
        if a.forecast is not None and not a.projection_conditioned and a.target_type != "cumulative" and not a.per_year:
            assert last["lo80"] == a.forecast.lower(80)[a.target_year] and last["median"] == a.forecast.mean[a.target_year]
