"""Metrics, rolling-origin backtests and an M3 smoke test of analysis.forecast.backtest, bench_m3, bench_ningbo and fit_calibration."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.cli import main as cli_main
from analysis.forecast import backtest, bench_china, bench_m3, bench_ningbo, fit_calibration, fit_short, models, scales

BENCHMARKS = next(
    (p for p in (Path(__file__).resolve().parents[1] / ".." / "shared" / "benchmarks", Path("/work/shared/benchmarks"))
     if (p / "m3_yearly.csv").exists()),
    None,
)
needs_m3 = pytest.mark.skipif(BENCHMARKS is None, reason="M3 benchmark data not found at ../shared/benchmarks")
SMOKE_IDS = ("N0001", "N0100", "N0250", "N0400", "N0645")


def years_series(values, start: int = 2010) -> pd.Series:
    """Values indexed by consecutive years from start."""
    return pd.Series(np.asarray(values, dtype=float), index=range(start, start + len(values)))


def test_smape_known_values():
    np.testing.assert_allclose(backtest.smape([100, 100, 0], [100, 50, 0]), [0.0, 200 * 50 / 150, 0.0])


def test_naive_mae_uses_elapsed_years():
    assert backtest.naive_mae(years_series([1, 3, 4, 8.0])) == pytest.approx((2 + 1 + 4) / 3)
    gappy = pd.Series([0.0, 4.0, 5.0], index=[2010, 2012, 2013])  # 2 per year, then 1
    assert backtest.naive_mae(gappy) == pytest.approx(1.5)


def test_interval_score_penalises_misses():
    score = backtest.interval_score(np.array([5.0, 0.0, 12.0]), np.array([1.0, 1.0, 1.0]),
                                    np.array([9.0, 9.0, 9.0]), 95)
    np.testing.assert_allclose(score, [8.0, 8.0 + 40 * 1, 8.0 + 40 * 3])


def test_backtest_table_on_short_series():
    series = years_series([100, 104, 109, 113, 118, 121, 127, 131, 138, 142.0], start=2014)
    table = backtest.backtest_table(series, horizon=3)
    assert list(table["method"]) == list(backtest.DEFAULT_BACKTEST_METHODS)
    assert {"n_forecasts", "MASE", "sMAPE", "coverage80"} <= set(table.columns)
    # origins after 5..9 points: horizons available 3+3+3+2+1
    assert (table["n_forecasts"] == 12).all()
    assert table["MASE"].notna().all() and table["coverage80"].between(0, 1).all()
    naive = table.set_index("method").loc["naive"]
    drift = table.set_index("method").loc["drift"]
    assert drift["MASE"] < naive["MASE"]  # a clean trend: drift beats naive


def test_backtest_table_with_gaps_and_bounds():
    share = pd.Series([20, 24, 31, 35, 40, 44, 47.0], index=[2012, 2013, 2015, 2016, 2018, 2019, 2021])
    table = backtest.backtest_table(share, methods=["drift", "linear", "auto"], horizon=3, bounds=(0, 100))
    assert len(table) == 3 and (table["n_forecasts"] > 0).all()


def test_backtest_table_too_short_gives_empty_frame_with_reason():
    table = backtest.backtest_table(years_series([1, 2, 3, 4, 5.0]))
    assert table.empty and "too short" in table.attrs["reason"]


def test_backtest_table_is_fast_for_ningbo_sized_use():
    rng = np.random.default_rng(3)
    series_set = [years_series(100 * np.cumprod(1 + rng.normal(0.06, 0.04, n)), start=2024 - n)
                  for n in rng.integers(5, 16, size=25)]
    start = time.perf_counter()
    for series in series_set:
        models.forecast(series, 2027 - 2023)
        backtest.backtest_table(series, horizon=3)
    assert time.perf_counter() - start < 6.0  # budget is 3 s; slack for a loaded CI machine


@needs_m3
def test_scorer_reproduces_naive2_from_the_original_forecasts():
    m3 = [row for row in bench_m3.load_m3(BENCHMARKS / "m3_yearly.csv") if row[0] in SMOKE_IDS]
    original = bench_m3.score_original(BENCHMARKS / "m3_yearly_original_forecasts.csv", m3)
    naive2 = original[original["method"] == "NAIVE2"].set_index("series_id")
    ours = pd.DataFrame([r for job in bench_m3.m3_jobs(m3, ["naive"]) for r in bench_m3.score_m3_series(job)])
    ours = ours.set_index("series_id")
    horizons = [f"smape_h{h}" for h in range(1, 7)]
    np.testing.assert_allclose(ours.loc[list(SMOKE_IDS), horizons], naive2.loc[list(SMOKE_IDS), horizons], atol=1e-9)
    np.testing.assert_allclose(ours.loc[list(SMOKE_IDS), "ase"], naive2.loc[list(SMOKE_IDS), "ase"], atol=1e-9)


@needs_m3
def test_bench_command_on_a_handful_of_series(tmp_path, capsys):
    data = pd.read_csv(BENCHMARKS / "m3_yearly.csv")
    data[data["series_id"].isin(SMOKE_IDS)].to_csv(tmp_path / "m3_yearly.csv", index=False)
    original = pd.read_csv(BENCHMARKS / "m3_yearly_original_forecasts.csv")
    original[original["series_id"].isin(SMOKE_IDS)].to_csv(tmp_path / "m3_yearly_original_forecasts.csv", index=False)
    out = tmp_path / "m3.csv"
    code = cli_main(["bench", "m3", "--data", str(tmp_path / "m3_yearly.csv"), "--methods", "naive,drift,auto",
                     "--jobs", "1", "--output", str(out)])
    assert code == 0
    table = pd.read_csv(out)
    assert {"naive", "drift", "auto", "NAIVE2", "THETA"} <= set(table["method"])
    assert {"sMAPE_h1", "sMAPE_h6", "sMAPE", "MASE", "cov80", "cov95", "MSIS95", "seconds"} <= set(table.columns)
    rows = table.set_index("method")
    assert rows.loc["naive", "sMAPE"] == pytest.approx(rows.loc["NAIVE2", "sMAPE"])
    assert "NAIVE2" in capsys.readouterr().out


def test_bench_command_rejects_unknown_method(tmp_path, capsys):
    path = tmp_path / "m3_yearly.csv"
    path.write_text("series_id,category,split,t,value\n", encoding="utf-8")
    assert cli_main(["bench", "m3", "--data", str(path), "--methods", "holt", "--output", str(tmp_path / "o.csv")]) == 2  # usage error
    assert "unknown method holt" in capsys.readouterr().err


# --- calibration: pinned by coverage on a fixed M3 subset, regenerable, blind to the test split ---

COVERAGE_SUBSET = slice(0, None, 3)  # every third M3 yearly series (215 of 645), fixed


def subset_coverage(k: int | None) -> tuple[float, float]:
    """80 % and 95 % test coverage of auto on the fixed subset, from the whole training series or its last k values."""
    hits = {80: [], 95: []}
    groups = bench_m3.load_m3_groups(BENCHMARKS / "m3_yearly.csv")
    for series_id, train, test in bench_m3.load_m3(BENCHMARKS / "m3_yearly.csv")[COVERAGE_SUBSET]:
        fc = models.forecast(bench_m3.as_series(train if k is None else train[-k:]), 6, n_paths=1000, series_group=groups[series_id])
        for level in hits:
            hits[level].append((test >= fc.lower(level).to_numpy()) & (test <= fc.upper(level).to_numpy()))
    return tuple(float(np.mean(hits[level]) * 100) for level in (80, 95))


@needs_m3
@pytest.mark.parametrize("k", [None, 2, 3, 4, 6])
def test_interval_coverage_on_a_fixed_m3_subset_is_within_its_band(k):
    # bands wide enough for the subset's sampling noise (about +-2.7 points at 80 %), narrow enough that
    # halving every interval (80 % coverage near 50) or doubling it (near 97) fails
    cov80, cov95 = subset_coverage(k)
    assert 74 <= cov80 <= 88, f"80 % intervals cover {cov80:.1f} % of the test values"
    assert 89 <= cov95 <= 98.5, f"95 % intervals cover {cov95:.1f} % of the test values"


@needs_m3
def test_calibration_module_is_what_the_training_split_gives():
    fast = ("naive", "drift", "loglinear", "auto")
    regenerated = fit_calibration.calibration_tables(BENCHMARKS / "m3_yearly.csv", methods=fast, jobs=1)
    from analysis.forecast import calibration

    assert regenerated["DESIGN"] == calibration.DESIGN
    assert regenerated["SPREAD_FLOOR"] == calibration.SPREAD_FLOOR
    assert regenerated["SHORT_SERIES"] == calibration.SHORT_SERIES
    assert regenerated["SHORT_SERIES_OTHER"] == calibration.SHORT_SERIES_OTHER
    assert regenerated["PRIOR_MAX_POINTS"] == calibration.PRIOR_MAX_POINTS
    assert regenerated["PRIOR_CHECKED"] == calibration.PRIOR_CHECKED
    assert regenerated["TRAINING"] == calibration.TRAINING
    for method in fast:
        assert regenerated["ERROR_QUANTILES"][method] == calibration.ERROR_QUANTILES[method]


@needs_m3
def test_calibration_never_reads_test_values(tmp_path):
    data = pd.read_csv(BENCHMARKS / "m3_yearly.csv")
    data = data[data["series_id"].isin(sorted(data["series_id"].unique())[::5])]
    data.to_csv(tmp_path / "a.csv", index=False)
    test = data["split"] == "test"
    data.loc[test, "value"] = data.loc[test, "value"] * np.linspace(0.1, 50, test.sum())
    data.to_csv(tmp_path / "b.csv", index=False)
    a = fit_calibration.calibration_tables(tmp_path / "a.csv", methods=("auto",), jobs=1)
    b = fit_calibration.calibration_tables(tmp_path / "b.csv", methods=("auto",), jobs=1)
    assert a == b


def test_design_selection_prefers_the_best_interval_score_among_calibrated_designs(monkeypatch):
    monkeypatch.setattr(fit_calibration, "DESIGN_ORIGINS", ((0,),))
    monkeypatch.setattr(fit_calibration, "DESIGN_SCALE_WINDOWS", (4, 8))
    # one origin per series, errors 0 at h1..6: scaled errors are 0, so every design covers 100 %
    results = [{"cal": {0: (np.zeros(6), {4: 1.0, 8: 2.0})}, "val": (np.zeros(6), {4: 1.0, 8: 2.0})}]
    chosen = fit_calibration.select_design(results)
    assert [row["cov80"] for row in chosen["validation"]] == [100.0, 100.0]
    assert chosen["scale_window"] == 4  # no design within the band: the nearest coverage, then the first


def test_prior_max_points_stops_at_the_first_full_length_where_auto_wins():
    def checked(prior: float, auto: float) -> dict[str, float]:
        return {"sMAPE": prior, "MASE": prior, "sMAPE_auto": auto, "MASE_auto": auto, "sMAPE_naive": 1.0, "MASE_naive": 1.0}
    # below MIN_POINTS_FULL the prior is used whatever; at 5 and 6 it wins; at 7 auto wins; 8 does not count
    validation = {2: checked(0.9, 0.5), 5: checked(0.9, 1.0), 6: checked(0.9, 0.95), 7: checked(0.9, 0.9), 8: checked(0.5, 1.0)}
    assert fit_calibration.prior_max_points(validation) == 6


def hand_windows(z: np.ndarray, future: np.ndarray) -> fit_short.Windows:
    """M3-like windows (log scale, consecutive years, no peers) of given log histories and log futures."""
    n, k = z.shape
    return fit_short.Windows(np.full(n, "m3"), np.array([f"s{i}" for i in range(n)], dtype=object),
                             np.tile(np.arange(k, dtype=float), (n, 1)), z, future, np.exp(future), np.full(n, 5.0),
                             np.full(n, np.nan), np.ones(n, dtype=bool), np.ones(n), (scales.LOG,) * n)


def test_fit_short_parameters_finds_the_common_growth_by_hand():
    # one window was flat, one grew 0.1 a year (each without noise); both then grow 0.05 a year: the best
    # forecast ignores the own growth (a prior sd far below the pooled noise: weight near 0) and takes 0.05
    z = np.log(100) + np.array([[0.0, 0.0, 0.0], [0.0, 0.1, 0.2]])
    future = z[:, -1:] + 0.05 * np.arange(1, 7)
    params = fit_short.fit_short_parameters(hand_windows(z, future))
    assert params["growth"] == pytest.approx(0.05)
    assert (params["prior_sd"], params["noise_sd"], params["noise_dof"]) == (min(fit_short.PRIOR_SD_GRID), max(fit_short.NOISE_SD_GRID),
                                                                           max(fit_short.NOISE_DOF_GRID))
    _, scale, weight = fit_short.windows_fit(hand_windows(z, future), **params)
    assert (weight < 0.01).all() and (np.diff(scale, axis=1) > 0).all()


def test_fit_short_parameters_keeps_the_own_growth_of_smooth_series():
    # every window grows steadily at its own rate and keeps it: the own growth should get nearly all the weight
    rates = np.array([0.0, 0.03, 0.08, 0.15])
    z = np.log(100) + rates[:, None] * np.arange(4)
    future = z[:, -1:] + rates[:, None] * np.arange(1, 7)
    w = hand_windows(z, future)
    params = fit_short.fit_short_parameters(w)
    _, _, weight = fit_short.windows_fit(w, **params)
    assert (weight > 0.95).all()


@needs_m3
def test_the_calibration_was_fitted_on_training_data_only():
    from analysis.forecast import calibration

    record = calibration.TRAINING
    # China: tuning regions only; the recorded windows are exactly the tuning regions' (not the held-out ones')
    assert record["china"]["regions"] and not set(record["china"]["regions"]) & set(bench_china.HELD_OUT_REGIONS)
    assert all(bench_china.region_split(key.split("|")[1]) == "tuning" for key in record["china"]["series"])
    def windows_hash(split: str) -> str:
        parts = [fit_short.china_windows(None, n, split) for n in fit_short.SHORT_LENGTHS]
        return fit_short.digest(*[a for w in parts for a in (w.e, w.future)])
    assert record["china"]["windows_sha256"] == windows_hash("tuning")
    assert record["china"]["windows_sha256"] != windows_hash("held_out")
    # M3: the training values as the fit reads them, not the series with their test values
    m3 = bench_m3.load_m3(BENCHMARKS / "m3_yearly.csv")
    assert record["m3"]["split"] == "train" and record["m3"]["n_series"] == len(m3)
    assert record["m3"]["values_sha256"] == fit_short.digest(*[train for _, train, _ in m3])
    assert record["m3"]["values_sha256"] != fit_short.digest(*[np.concatenate([train, test]) for _, train, test in m3])


def perturbed_data_dir(tmp_path: Path, regions: tuple[str, ...], name: str) -> Path:
    """A copy of data/ whose observations in `regions` are multiplied by fixed factors between 0.6 and 1.4."""
    import shutil

    source = Path(__file__).resolve().parents[1] / "data"
    target = tmp_path / name
    shutil.copytree(source, target)
    obs = pd.read_csv(target / "observations.csv", dtype=str, keep_default_na=False)
    chosen = obs["region"].isin(regions).to_numpy()
    factors = np.linspace(0.6, 1.4, int(chosen.sum()))
    obs.loc[chosen, "value"] = [f"{float(v) * f:.6g}" for v, f in zip(obs.loc[chosen, "value"], factors)]
    obs.to_csv(target / "observations.csv", index=False)
    return target


@needs_m3
def test_short_calibration_never_reads_the_held_out_regions(tmp_path):
    trains = [(sid, train[:-6]) for sid, train, _ in bench_m3.load_m3(BENCHMARKS / "m3_yearly.csv")[::10]]
    base = fit_short.short_series_tables(trains, (0, 1), None)
    held = perturbed_data_dir(tmp_path, bench_china.HELD_OUT_REGIONS, "held")
    assert fit_short.short_series_tables(trains, (0, 1), held) == base
    # ... while the same change in the tuning regions moves the fit (the test can fail)
    tuning = perturbed_data_dir(tmp_path, bench_china.TUNING_REGIONS, "tuning")
    assert fit_short.short_series_tables(trains, (0, 1), tuning) != base


@needs_m3
def test_bench_last_projects_every_series_beside_naive(tmp_path, capsys):
    data = pd.read_csv(BENCHMARKS / "m3_yearly.csv")
    data[data["series_id"].isin(SMOKE_IDS)].to_csv(tmp_path / "m3_yearly.csv", index=False)
    code = cli_main(["bench", "m3", "--data", str(tmp_path / "m3_yearly.csv"), "--last", "2,3", "--jobs", "1",
                     "--output", str(tmp_path / "m3.csv")])
    assert code == 0
    table = pd.read_csv(tmp_path / "m3_last.csv")
    assert sorted(zip(table["k"], table["method"])) == [(2, "auto"), (2, "naive"), (3, "auto"), (3, "naive")]
    assert (table["projected"] == len(SMOKE_IDS)).all()
    assert "naive" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exit_:  # argparse: one line, exit 2
        cli_main(["bench", "m3", "--data", str(tmp_path / "m3_yearly.csv"), "--last", "2,x"])
    assert exit_.value.code == 2


def test_ningbo_cuts_score_the_peers_growth_by_hand():
    # the series and its peer both grow exactly 10 % a year: with the peer's growth as the prior the
    # shrunk growth is ln(1.1) whatever the weight, so every 'peers' forecast is exact (sMAPE 0)
    series = years_series(100 * 1.1 ** np.arange(6), 2015)
    peer = years_series(7 * 1.1 ** np.arange(10), 2011)
    rows = pd.DataFrame(bench_ningbo.ningbo_short_rows(series, [peer], (2, 3)))
    assert set(rows["method"]) == {"naive", "prior", "peers"}
    assert rows.loc[rows["method"] == "peers", "smape"].max() == pytest.approx(0, abs=1e-9)
    assert (rows.loc[rows["method"] == "naive", "smape"] > 5).all()
    # cuts of 2 values at origins 2..5, of 3 values at 3..5: three methods each
    assert len(rows) == 3 * (4 + 3)


def test_bench_ningbo_runs_on_the_project_data(capsys):
    assert cli_main(["bench", "ningbo"]) == 0
    out = capsys.readouterr().out
    assert "peers" in out and "auto_log" in out
