"""bench probability on hand-made events: targets, Brier score, reliability bins, ECE, the baselines' fits, determinism."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from conftest import obs, tiny_tables, write_data_dir

from analysis.assess import bench_probability as bp
from analysis.assess import projection, rules
from analysis.cli import main as cli_main
from analysis.forecast import tracker


def test_pooled_growth_percentiles_by_hand():
    a = pd.Series(np.exp([0.0, 0.1, 0.3]), index=[1, 2, 3])  # log growth 0.1, 0.2
    b = pd.Series(np.exp([0.0, 0.8]), index=[2000, 2002])     # 0.4 a year over two years
    growths = bp.pooled_growth_percentiles([a, b], (0, 50, 100))
    assert growths == pytest.approx({0: 0.1, 50: 0.2, 100: 0.4})
    with pytest.raises(ValueError):
        bp.pooled_growth_percentiles([pd.Series([5.0], index=[1])])


def test_origin_events_targets_category_and_pace_by_hand():
    history = pd.Series([100.0, 110.0], index=[2020, 2021])
    actual = pd.Series([116.0, 118.0], index=[2022, 2023])
    rows = bp.origin_events("s", "held_out", history, actual, {50: 0.05, 90: 0.2}, "geometric", lengths=(2,))
    assert [(r["h"], r["q"]) for r in rows] == [(1, 50), (1, 90), (2, 50), (2, 90)]
    first = rows[0]
    assert first["target"] == pytest.approx(110 * math.exp(0.05))  # 115.64
    assert first["outcome"] == 1.0  # 116 >= 115.64
    # observed CAGR 10 % since the cut's first value, required sqrt(115.64 / 100) - 1 = 7.5 %: R = 1.33
    assert first["ratio"] == pytest.approx(0.1 / (math.sqrt(110 * math.exp(0.05) / 100) - 1))
    assert first["category"] == "significant"
    assert first["recent_pace"] == 1.0  # 110 x 1.1 = 121 >= 115.64
    assert np.isnan(first["model"])  # no forecast asked for
    h1_q90 = rows[1]
    assert h1_q90["target"] == pytest.approx(110 * math.exp(0.2)) and h1_q90["outcome"] == 0.0
    ratio = 0.1 / (math.sqrt(110 * math.exp(0.2) / 100) - 1)  # 0.63
    assert h1_q90["recent_pace"] == 0.0 and h1_q90["category"] == "moderate"
    assert h1_q90["ratio"] == pytest.approx(ratio) and rules.progress_category(ratio) == h1_q90["category"]


def test_model_probability_is_gaps_share_of_paths():
    history = pd.Series([100.0, 104, 109, 113, 118, 123], index=range(2015, 2021))
    actual = pd.Series([128.0, 133.0], index=[2021, 2022])
    rows = bp.origin_events("s", "test", history, actual, {50: 0.04}, "geometric", lengths=(3,), forecast=bp.model_forecast())
    fc = tracker.run_forecast(history.iloc[-3:], 2, None)
    assert [r["model"] for r in rows] == [projection.probability(fc, 2021, ">=", 123 * math.exp(0.04)),
                                          projection.probability(fc, 2022, ">=", 123 * math.exp(0.08))]
    assert rows[0]["model"] == pytest.approx(np.mean(fc.samples[:, 0] >= 123 * math.exp(0.04)))


def test_brier_bins_reliability_and_ece_by_hand():
    p = np.array([0.0, 0.05, 0.1, 0.3, 0.35, 0.99, 1.0])
    o = np.array([0, 0, 1, 0, 1, 1, 1])
    assert bp.brier(p, o) == pytest.approx((0 + 0.0025 + 0.81 + 0.09 + 0.4225 + 0.0001 + 0) / 7)
    assert bp.brier([0.2, 0.9], [0, 1], weights=[3, 1]) == pytest.approx((3 * 0.04 + 0.01) / 4)
    assert bp.bin_index(p).tolist() == [0, 0, 1, 3, 3, 9, 9]
    table = bp.reliability(p, o)
    assert table["count"].tolist() == [2, 1, 0, 2, 0, 0, 0, 0, 0, 2]
    assert table.loc[0, "mean_forecast"] == pytest.approx(0.025) and table.loc[0, "observed_freq"] == 0
    assert table.loc[3, "mean_forecast"] == pytest.approx(0.325) and table.loc[3, "observed_freq"] == 0.5
    assert table.loc[9, "mean_forecast"] == pytest.approx(0.995) and table.loc[9, "observed_freq"] == 1
    assert np.isnan(table.loc[2, "mean_forecast"])
    ece = (2 * 0.025 + 1 * 0.9 + 2 * 0.175 + 2 * 0.005) / 7
    assert bp.expected_calibration_error(table) == pytest.approx(ece)


def events_frame() -> pd.DataFrame:
    """Hand-made training events: two series, two lengths (the same outcomes), categories per length."""
    rows = []
    for series, outcomes in (("A", (1, 0, 1, 1)), ("B", (0, 0, 1, 0))):
        for length, categories in (("2", ("significant", "away", "significant", "achieved")),
                                   ("3", ("moderate", "away", "significant", "achieved"))):
            for (h, q), outcome, category in zip(((1, 10), (1, 90), (2, 10), (2, 90)), outcomes, categories):
                rows.append({"series": series, "part": "train", "origin": 5, "length": length, "h": h, "q": q,
                             "outcome": float(outcome), "category": category, "recent_pace": 1.0, "model": np.nan})
    return pd.DataFrame(rows)


def test_base_rate_and_category_fit_by_hand():
    events = events_frame()
    rate, by_qh = bp.fit_base_rates(events)
    assert rate == pytest.approx(4 / 8)  # each event once, whatever the length
    assert by_qh == pytest.approx({(10, 1): 0.5, (10, 2): 1.0, (90, 1): 0.0, (90, 2): 0.5})
    rates = bp.fit_category_rates(events)
    # significant: A(2,h1)=1, A(2,h2)=1, A(3,h2)=1, B(2,h1)=0, B(2,h2)=1, B(3,h2)=1 -> 5/6
    assert rates == pytest.approx({"significant": 5 / 6, "away": 0.0, "achieved": 0.5, "moderate": 0.5})
    test = events.assign(category=["insufficient"] + list(events["category"][1:]))
    scored = bp.add_baselines(test, rate, by_qh, rates, category_default=0.25)
    assert scored["category_p"].iloc[0] == 0.25  # a category never seen in training: the default
    assert scored["category_p"].iloc[1] == 0.0 and scored["base_rate"].eq(0.5).all()
    assert scored["base_rate_qh"].tolist()[:4] == [0.5, 0.0, 1.0, 0.5]


def test_score_cells_skill_against_the_base_rate():
    events = events_frame().assign(part="test", model=0.5)
    scored = bp.add_baselines(events, 0.5, {}, {"significant": 1.0}, 0.5)
    scores, reliability = bp.score_cells(scored, "m3")
    row = scores[(scores["length"] == bp.POOLED_LENGTHS) & (scores["method"] == "base_rate")].iloc[0]
    assert row["brier"] == pytest.approx(0.25) and row["skill_vs_base_rate"] == 0
    pace = scores[(scores["length"] == "2") & (scores["method"] == "recent_pace")].iloc[0]
    assert pace["brier"] == pytest.approx(4 / 8)  # always 1: wrong on the 4 missed targets of 8
    assert pace["skill_vs_base_rate"] == pytest.approx(1 - 0.5 / 0.25)
    assert set(reliability.groupby(["length", "method"]).size()) == {bp.N_BINS}


def m3_file(path) -> None:
    """Three synthetic M3-like series: 14 training values, 6 test values."""
    rows = []
    for i, growth in enumerate((0.03, 0.06, -0.01)):
        values = 100 * np.exp(growth * np.arange(20) + 0.02 * np.sin(np.arange(20) * (i + 1)))
        rows += [{"series_id": f"N{i}", "category": "MICRO", "split": "train" if t < 14 else "test", "t": t + 1,
                  "value": round(float(v), 3)} for t, v in enumerate(values)]
    pd.DataFrame(rows).to_csv(path, index=False)


def test_bench_probability_command_is_deterministic(tmp_path):
    tables = tiny_tables()
    # a zhejiang series long enough to be a tuning-region benchmark series
    tables["observations"] = [o for o in tables["observations"] if not (o["region"] == "zhejiang")]
    tables["observations"] += [obs("rd_gdp_ratio", y, 2.0 + 0.1 * (y - 2014), "%", f"bulletin_{y + 1}", f"{y + 1}-03-01",
                                   region="zhejiang") for y in range(2017, 2025)]
    data_dir = write_data_dir(tmp_path / "data", tables)
    m3_file(tmp_path / "m3_yearly.csv")
    outputs = []
    for run in ("a", "b"):
        code = cli_main(["bench", "probability", "--data", str(tmp_path / "m3_yearly.csv"), "--data-dir", str(data_dir),
                         "--jobs", "1", "--out-dir", str(tmp_path / run)])
        assert code == 0
        outputs.append({p.name: p.read_bytes() for p in sorted((tmp_path / run).iterdir())})
    assert outputs[0] == outputs[1]
    assert set(outputs[0]) == {"probability.md", "probability_fit.csv", "probability_reliability.csv", "probability_scores.csv"}
    scores = pd.read_csv(tmp_path / "a" / "probability_scores.csv")
    assert set(zip(scores["benchmark"], scores["part"])) == {("m3", "test"), ("china", "held_out"), ("china", "tuning")}
    assert set(scores["method"]) == set(bp.METHODS)
    m3_test = scores[(scores["benchmark"] == "m3") & (scores["length"] == "2")]
    assert m3_test["n_events"].eq(3 * 6 * len(bp.GROWTH_PERCENTILES)).all()


def test_bench_probability_needs_the_m3_file(capsys):
    assert cli_main(["bench", "probability"]) == 2  # a usage error, one line
    err = capsys.readouterr().err
    assert "needs --data" in err and len(err.splitlines()) == 1
