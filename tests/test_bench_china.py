"""bench china on hand-made series: exact rows, the vintage rule, rolling-origin cuts, metric arithmetic, split."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import tiny_tables, write_data_dir

from analysis.cli import main as cli_main
from analysis.forecast import backtest, bench_china, tracker


def observations(rows: list[tuple]) -> pd.DataFrame:
    """(indicator, region, period, value, published[, qualifier, status, preferred]) rows as a typed observations frame."""
    out = []
    for row in rows:
        indicator, region, period, value, published, *rest = row
        qualifier, status, preferred = (list(rest) + ["", "official", False][len(rest):])[:3]
        out.append({"indicator_id": indicator, "region": region, "period": str(period), "value": float(value),
                    "qualifier": qualifier, "status": status, "source_id": f"s_{published}",
                    "published": pd.Timestamp(published), "preferred": bool(preferred)})
    frame = pd.DataFrame(out)
    frame["year"] = frame["period"].str.slice(0, 4).astype(int)
    frame["is_annual"] = frame["period"].str.len() == 4
    return frame


INDICATORS = pd.DataFrame([
    {"indicator_id": "gdp", "kind": "amount", "lower_bound": 0.0, "upper_bound": np.nan, "growth_form": "geometric"},
    {"indicator_id": "share", "kind": "share", "lower_bound": 0.0, "upper_bound": 100.0, "growth_form": "linear"},
])


def gdp_rows(region: str = "ningbo", years=range(2010, 2020)) -> list[tuple]:
    """GDP growing 10 a year from 100, each year's value published in March of the next year."""
    return [("gdp", region, y, 100 + 10 * (y - 2010), f"{y + 1}-03-01") for y in years]


def test_region_split_is_fixed():
    assert bench_china.HELD_OUT_REGIONS == ("china", "ningbo", "qingdao", "shenzhen")
    assert bench_china.TUNING_REGIONS == ("dalian", "hangzhou", "xiamen", "zhejiang")
    assert not set(bench_china.HELD_OUT_REGIONS) & set(bench_china.TUNING_REGIONS)
    assert [bench_china.region_split(r) for r in ("ningbo", "china", "zhejiang", "hangzhou")] == \
        ["held_out", "held_out", "tuning", "tuning"]
    # a region in neither list goes by the parity of sha256(id)[0]: pinned so the split never moves
    assert bench_china.region_split("wenzhou") == "held_out"
    assert bench_china.region_split("wuxi") == "tuning"


def test_only_exact_annual_rows_count():
    rows = gdp_rows(years=range(2010, 2017)) + [
        ("gdp", "ningbo", 2017, 170, "2018-03-01", ">"),            # a bound
        ("gdp", "ningbo", 2018, 180, "2019-03-01", "", "estimate"),  # 预计
        ("gdp", "ningbo", "2018-06", 90, "2018-07-01"),              # monthly
    ]
    vintages = bench_china.Vintages(observations(rows))
    assert list(vintages.series("gdp", "ningbo").index) == list(range(2010, 2017))
    assert bench_china.benchmark_series(vintages, INDICATORS) == []  # 7 exact values < MIN_VALUES
    vintages = bench_china.Vintages(observations(rows + [("gdp", "ningbo", 2017, 171, "2018-04-01")]))
    (series,) = bench_china.benchmark_series(vintages, INDICATORS)
    assert (series.key, series.kind, series.split, series.bounds) == ("gdp|ningbo", "amount", "held_out", None)


def test_vintage_rule_first_release_in_history_revision_in_actuals():
    rows = gdp_rows() + [("gdp", "ningbo", 2015, 155, "2018-06-01", "", "revised")]  # 2015 first 150, revised in 2018
    vintages = bench_china.Vintages(observations(rows))
    (series,) = bench_china.benchmark_series(vintages, INDICATORS)
    found, skipped = bench_china.origins(vintages, series)
    by_origin = {o.origin: o for o in found}
    assert skipped == 0
    # 6+ values visible at the origin, a later actual: origins 2015..2018
    assert sorted(by_origin) == [2015, 2016, 2017, 2018]
    assert bench_china.vintage_date(2015) == pd.Timestamp("2016-12-31")
    assert by_origin[2015].history.loc[2015] == 150  # as first published (cut-off 2016-12-31)
    assert by_origin[2016].history.loc[2015] == 150  # the revision (2018-06-01) is not known by 2017-12-31
    assert by_origin[2017].history.loc[2015] == 155  # ... and is by 2018-12-31
    assert list(by_origin[2016].history.index) == list(range(2010, 2017))
    assert by_origin[2014 + 1].actual.index.tolist() == [2016, 2017, 2018, 2019]  # up to the series' end
    assert series.final.loc[2015] == 155  # actuals: the latest vintage


def test_horizon_stops_at_six_and_a_late_origin_year_is_skipped():
    rows = gdp_rows(years=range(2000, 2020))
    rows = [r for r in rows if r[2] != 2012] + [("gdp", "ningbo", 2012, 220, "2014-05-01")]  # 2012 published two years late
    vintages = bench_china.Vintages(observations(rows))
    (series,) = bench_china.benchmark_series(vintages, INDICATORS)
    found, skipped = bench_china.origins(vintages, series)
    assert skipped == 1 and 2012 not in [o.origin for o in found]
    assert found[0].origin == 2005 and found[0].actual.index.tolist() == list(range(2006, 2012))  # max 6 ahead
    assert max(len(o.actual) for o in found) == bench_china.MAX_HORIZON
    assert found[-1].origin == 2018 and found[-1].actual.index.tolist() == [2019]


def test_cuts_and_yardsticks_by_hand():
    history = pd.Series([100.0, 110, 120, 130, 140, 150], index=range(2010, 2016))
    assert bench_china.cut(history, 2).tolist() == [140, 150]
    assert bench_china.cut(history, 4).index.tolist() == [2012, 2013, 2014, 2015]
    assert bench_china.cut(history, bench_china.ALL).equals(history)
    paths = bench_china.yardstick_paths(pd.Series([100.0, 130], index=[2010, 2013]), np.array([1.0, 2.0]))
    np.testing.assert_allclose(paths["naive"], [130, 130])
    np.testing.assert_allclose(paths["drift"], [140, 150])  # 10 per elapsed year


def test_score_origin_metrics_by_hand():
    bench = bench_china.BenchSeries("gdp", "ningbo", "amount", "held_out", "geometric", None, pd.Series(dtype=float))
    history = pd.Series([100.0, 110, 120, 130, 140, 150], index=range(2010, 2016))
    actual = pd.Series([165.0, 170.0], index=[2016, 2017])
    rows = bench_china.score_origin(bench_china.Origin(bench, 2015, history, actual, ()), lengths=(2,))
    assert [(r["length"], r["h"]) for r in rows] == [("2", 1), ("2", 2)]
    h1, h2 = rows
    # scale: mean absolute yearly change of the whole visible history = 10
    assert h1["smape_naive"] == pytest.approx(200 * 15 / 315) and h1["ase_naive"] == pytest.approx(1.5)
    assert h2["smape_naive"] == pytest.approx(200 * 20 / 320) and h2["ase_naive"] == pytest.approx(2.0)
    assert h1["smape_drift"] == pytest.approx(200 * 5 / 325) and h1["ase_drift"] == pytest.approx(0.5)
    assert h2["smape_drift"] == pytest.approx(0.0) and h2["ase_drift"] == pytest.approx(0.0)
    fc = tracker.run_forecast(history.iloc[-2:], 2, None, ())
    mean, lo80, hi80 = fc.mean.to_numpy(), fc.lower(80).to_numpy(), fc.upper(80).to_numpy()
    assert h2["smape_auto"] == pytest.approx(float(backtest.smape(np.array([170.0]), mean[1:])[0]))
    assert h1["ase_auto"] == pytest.approx(abs(165 - mean[0]) / 10)
    assert h1["hit80"] == float(lo80[0] <= 165 <= hi80[0]) and h2["hit80"] == float(lo80[1] <= 170 <= hi80[1])
    assert h1["above"] == float(165 > mean[0])


def points_frame() -> pd.DataFrame:
    """Series A (amount, 3 points), B (count, 1 point), C (amount, 1 point)."""
    rows = [("A", "amount", 1, 1.0, 1.0), ("A", "amount", 1, 2.0, 1.0), ("A", "amount", 2, 3.0, 0.0),
            ("B", "count", 1, 10.0, 0.0), ("C", "amount", 1, 4.0, 1.0)]
    frame = pd.DataFrame(rows, columns=["series", "kind", "h", "smape_auto", "hit80"])
    for column in bench_china.METRIC_COLUMNS:
        if column not in frame:
            frame[column] = 0.0
    return frame.assign(split="held_out", length="2")


def test_weightings_by_hand():
    points = points_frame()
    assert bench_china.aggregate(points, "pooled")["smape_auto"] == pytest.approx(20 / 5)
    assert bench_china.aggregate(points, "per_series")["smape_auto"] == pytest.approx((2 + 10 + 4) / 3)
    assert bench_china.aggregate(points, "per_kind")["smape_auto"] == pytest.approx((3 + 10) / 2)
    table = bench_china.summary_table(points)
    row = table[(table["group"] == "held_out") & (table["horizon"] == "1-6") & (table["weighting"] == "per_series")].iloc[0]
    assert (row["n_series"], row["n_points"]) == (3, 5)
    assert row["cov80"] == pytest.approx(100 * (2 / 3 + 0 + 1) / 3)
    h2 = table[(table["group"] == "all") & (table["horizon"] == "2") & (table["weighting"] == "pooled")].iloc[0]
    assert (h2["n_series"], h2["n_points"], h2["sMAPE_auto"]) == (1, 1, 3.0)
    assert set(table["group"]) == {"all", "held_out", "kind:amount", "kind:count", "held_out:amount", "held_out:count"}


def test_bench_china_command_on_the_tiny_data_is_deterministic(tmp_path):
    # the tiny data: ningbo rd_gdp_ratio 2017-2024 (8 values; 2023 first 3.1, revised 3.15 a year later)
    data_dir = write_data_dir(tmp_path / "data", tiny_tables())
    outputs = []
    for run in ("a", "b"):
        assert cli_main(["bench", "china", "--data-dir", str(data_dir), "--out-dir", str(tmp_path / run)]) == 0
        outputs.append({name: (tmp_path / run / name).read_bytes() for name in ("china.csv", "china_series.csv", "china.md")})
    assert outputs[0] == outputs[1]
    inventory = pd.read_csv(tmp_path / "a" / "china_series.csv")
    assert inventory.to_dict("records") == [{"series": "rd_gdp_ratio|ningbo", "kind": "ratio/share", "split": "held_out",
                                            "n_values": 8, "first": 2017, "last": 2024, "origins": 2, "skipped_origins": 0}]
    points, _, _ = bench_china.china_tables(data_dir)
    assert sorted(set(points["origin"])) == [2022, 2023]
    assert set(points["length"]) == {"2", "3", "4", "6", "all"}
    assert points.groupby("origin")["h"].max().to_dict() == {2022: 2, 2023: 1}
