"""Known answers and invariants of analysis.models (forecast, Forecast, forecast_csv)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.cli import main as cli_main
from analysis.forecast import intervals, kinds, models, scales


def years_series(values, start: int = 2010) -> pd.Series:
    """Values indexed by consecutive years from start."""
    return pd.Series(np.asarray(values, dtype=float), index=range(start, start + len(values)))


LINE = years_series(5.0 + 2.0 * np.arange(10))
GEOMETRIC = years_series(100.0 * 1.07 ** np.arange(10))


@pytest.mark.parametrize("method", ["drift", "linear"])
def test_exact_line_is_extended(method):
    fc = models.forecast(LINE, 4, method=method)
    assert fc.years == [2020, 2021, 2022, 2023]
    np.testing.assert_allclose(fc.mean.to_numpy(), 5.0 + 2.0 * np.arange(10, 14))


def test_loglinear_extends_exact_geometric_series():
    fc = models.forecast(GEOMETRIC, 3, method="loglinear")
    np.testing.assert_allclose(fc.mean.to_numpy(), 100.0 * 1.07 ** np.arange(10, 13))


def test_loglinear_rejects_non_positive_series():
    with pytest.raises(ValueError, match="positive"):
        models.forecast(years_series([3.0, 1.0, -1.0, 2.0, 4.0, 5.0]), 2, method="loglinear")


def test_naive_holds_last_value():
    fc = models.forecast(years_series([3.0, 5.0, 4.0, 6.0, 7.0]), 3, method="naive")
    np.testing.assert_allclose(fc.mean.to_numpy(), 7.0)


@pytest.mark.parametrize("method", models.METHODS)
def test_every_method_gives_finite_forecast_with_consistent_shapes(method):
    series = years_series([10, 12, 11, 14, 15, 17, 16, 19, 21, 22.0])
    fc = models.forecast(series, 5, method=method)
    assert fc.method == method
    assert fc.samples.shape == (models.N_PATHS, 5)
    assert np.isfinite(fc.samples).all() and np.isfinite(fc.mean).all()
    assert (fc.lower(95) <= fc.lower(80)).all() and (fc.upper(80) <= fc.upper(95)).all()
    assert list(fc.history.index) == list(series.index)


def test_gaps_give_the_same_linear_trend_as_the_complete_series():
    gappy = LINE.drop([2012, 2015, 2016])
    np.testing.assert_allclose(
        models.forecast(gappy, 3, "linear").mean.to_numpy(), models.forecast(LINE, 3, "linear").mean.to_numpy()
    )
    np.testing.assert_allclose(
        models.forecast(gappy, 3, "drift").mean.to_numpy(), models.forecast(LINE, 3, "drift").mean.to_numpy()
    )


def test_gaps_are_not_treated_as_consecutive_years_and_are_flagged():
    series = pd.Series([10.0, 12.0, 15.0, 16.0, 18.0, 20.0], index=[2015, 2017, 2020, 2021, 2022, 2023])
    fc = models.forecast(series, 2, "damped")
    assert "gaps_interpolated" in fc.flags
    assert "gaps_interpolated" not in models.forecast(series, 2, "linear").flags
    # drift per elapsed year: (20 - 10) / 8 years
    np.testing.assert_allclose(models.forecast(series, 2, "drift").mean.to_numpy(), [21.25, 22.5])


def test_nan_values_and_unsorted_years_are_cleaned():
    series = pd.Series([4.0, np.nan, 1.0, 2.0, 3.0, 5.0], index=[2013, 2014, 2010, 2011, 2012, 2015])
    fc = models.forecast(series, 1, "linear")
    assert list(fc.history.index) == [2010, 2011, 2012, 2013, 2015]
    assert fc.years == [2016]


def test_bounded_share_stays_inside_bounds_including_samples():
    share = years_series([60, 70, 78, 85, 90, 94, 97.0])
    for method in ("auto", "linear", "drift", "damped", "arima"):
        fc = models.forecast(share, 8, method=method, bounds=(0, 100))
        assert "bounded_logit" in fc.flags
        assert (fc.samples > 0).all() and (fc.samples < 100).all()
        assert (fc.mean < 100).all() and (fc.upper(95) < 100).all()


def test_value_outside_bounds_is_rejected():
    with pytest.raises(ValueError, match="bound"):
        models.forecast(years_series([50, 60, 101, 70.0]), 2, bounds=(0, 100))


def test_two_points_project_with_the_short_series_flag():
    fc = models.forecast(years_series([10.0, 12.0]), 3)
    assert fc.method == models.SHORT_METHOD and "short_series" in fc.flags
    assert fc.years == [2012, 2013, 2014]
    assert np.isfinite(fc.samples).all() and (fc.upper(80) > fc.lower(80)).all()


@pytest.mark.parametrize("values", [[5.0], [], [1.0, np.nan, np.nan]])
def test_fewer_than_two_points_raise_series_too_short(values):
    with pytest.raises(scales.SeriesTooShort, match="at least 2"):
        models.forecast(years_series(values), 3)


# prior growth 0.1; prior sd = pooled noise sd = 0.1, so two values (one change, noise 0.1^2 over one year)
# weigh their own growth 0.01 / (0.01 + 0.01) = 0.5; one pseudo-change of pooled noise beside the own ones
PRIOR = {"growth": 0.1, "prior_sd": 0.1, "noise_sd": 0.1, "noise_dof": 1.0, "noise_floor": 0.0, "scale_exponent": 1.0, "scale_sd": 0.1, "gap_share": 0.0,
         "quantiles": {m: ((-1.0, -0.5, 0.0, 0.5, 1.0),) for m in ("growth_prior", "naive")}}


@pytest.fixture
def hand_prior(monkeypatch):
    """Short-series constants simple enough to compute forecasts by hand (5 quantiles, 1 horizon)."""
    monkeypatch.setattr(intervals, "QUANTILE_PROBS", (0.1, 0.3, 0.5, 0.7, 0.9))
    monkeypatch.setattr(intervals, "SHORT_SERIES", {2: PRIOR, 3: PRIOR, 4: PRIOR})
    intervals.scaled_error_samples.cache_clear()
    yield
    intervals.scaled_error_samples.cache_clear()


def test_short_series_shrinks_its_own_growth_towards_the_prior(hand_prior):
    # own log growth ln(121/100) = 0.190620; half of it plus half of the prior 0.1 = 0.145310 a year
    fc = models.forecast(years_series([100.0, 121.0]), 2)
    np.testing.assert_allclose(fc.mean.to_numpy(), [121 * 1.156400, 121 * 1.156400**2], rtol=1e-5)


def test_pooled_prior_applies_on_log_values_only(hand_prior):
    # a lower bound of 0 is the same log scale: same forecast; a rank (lower bound 1) or a share gets no
    # pooled growth, only half its own slope: logit(0.6) + 0.5 * (logit(0.6) - logit(0.5)) = 0.608198
    plain = models.forecast(years_series([100.0, 121.0]), 1).mean.iloc[0]
    assert models.forecast(years_series([100.0, 121.0]), 1, bounds=(0, None)).mean.iloc[0] == pytest.approx(plain)
    share = models.forecast(years_series([50.0, 60.0]), 1, bounds=(0, 100)).mean.iloc[0]
    assert share == pytest.approx(100 / (1 + np.exp(-0.608198)), rel=1e-5)


def test_short_series_with_a_gap_uses_growth_per_elapsed_year(hand_prior):
    # 100 in 2010, 121 in 2012: own growth ln(1.21) / 2 = 0.095310 a year, measured over two years, so its
    # variance is 0.01 / 2 and its weight 0.01 / (0.01 + 0.005) = 2/3: slope 2/3 0.095310 + 1/3 0.1 = 0.096873
    fc = models.forecast(pd.Series([100.0, 121.0], index=[2010, 2012]), 1)
    assert fc.mean.iloc[0] == pytest.approx(121 * 1.101721, rel=1e-5)


def test_peers_replace_the_pooled_prior_growth(hand_prior):
    # peers grow ln(1.1) = 0.095310 and ln(1.2) = 0.182322 a year: median 0.138816; own 0.190620
    peers = [years_series(100 * 1.1 ** np.arange(6), 2005), years_series(50 * 1.2 ** np.arange(6), 2005),
             years_series([0.0, 1.0, 2.0], 2005)]  # not positive: cannot give a log growth, skipped
    fc = models.forecast(years_series([100.0, 121.0]), 1, peers=peers)
    assert "peer_prior" in fc.flags
    assert fc.mean.iloc[0] == pytest.approx(121 * np.exp((0.190620 + 0.138816) / 2), rel=1e-5)
    assert "peer_prior" not in models.forecast(years_series([100.0, 121.0]), 1).flags
    # with a lower bound of 0, a peer touching 0 has no log growth either: same forecast
    bounded = models.forecast(years_series([100.0, 121.0]), 1, bounds=(0, None), peers=peers)
    assert bounded.mean.iloc[0] == pytest.approx(fc.mean.iloc[0])


def test_short_series_scale_is_its_noise_and_its_growth_uncertainty(hand_prior):
    # two values: noise 0.1^2 (pooled), growth variance 0.01 / 1, weight 0.5: the scale one year ahead is
    # sqrt(1 x 0.5 x 0.01 + 1 x 0.01) = 0.122474; the 80 % interval is the 0.1 and 0.9 quantiles: -/+ 1 x scale
    fc = models.forecast(years_series([100.0, 121.0]), 1, n_paths=20000)
    centre = np.log(fc.mean.iloc[0])
    assert np.log(fc.upper(80).iloc[0]) - centre == pytest.approx(0.122474, rel=0.02)
    assert centre - np.log(fc.lower(80).iloc[0]) == pytest.approx(0.122474, rel=0.02)


def test_a_noisy_short_series_leans_on_the_prior_and_gets_a_wider_interval(hand_prior):
    # same first and last values (own growth ln(1.44) / 2 = 0.182322), different paths between them:
    # smooth 100, 120, 144: changes equal, noise (1 x 0.01 + 0) / 2 = 0.005, growth variance 0.0025,
    #   weight 0.01 / 0.0125 = 0.8, slope 0.8 x 0.182322 + 0.2 x 0.1 = 0.165857, scale sqrt(0.8 x 0.0025 + 0.005) = 0.083666
    # noisy 100, 160, 144: changes 0.470004, -0.105361, noise (0.01 + 0.165523) / 2 = 0.087761, growth variance
    #   0.043880, weight 0.185596, slope 0.115279, scale sqrt(0.185596 x 0.043880 + 0.087761) = 0.309685
    smooth = models.forecast(years_series([100.0, 120.0, 144.0]), 1, n_paths=20000)
    noisy = models.forecast(years_series([100.0, 160.0, 144.0]), 1, n_paths=20000)
    assert smooth.mean.iloc[0] == pytest.approx(144 * 1.180405, rel=1e-5)
    assert noisy.mean.iloc[0] == pytest.approx(144 * 1.122186, rel=1e-5)
    for fc, scale in ((smooth, 0.083666), (noisy, 0.309685)):
        assert np.log(fc.upper(80).iloc[0] / fc.mean.iloc[0]) == pytest.approx(scale, rel=0.02)


def test_auto_keeps_the_growth_prior_up_to_prior_max_points_without_the_short_flag():
    n = intervals.PRIOR_MAX_POINTS
    assert n >= models.MIN_POINTS_FULL
    fc = models.forecast(years_series(np.arange(1.0, n + 1)), 2)
    assert fc.method == models.SHORT_METHOD and "short_series" not in fc.flags
    assert models.forecast(years_series(np.arange(1.0, n + 2)), 2).method == "auto"
    assert models.forecast(years_series(np.arange(1.0, n + 1)), 2, method="drift").method == "drift"


def test_naive_stays_naive_on_a_short_series():
    fc = models.forecast(years_series([3.0, 4.0, 7.0]), 2, method="naive")
    assert fc.method == "naive" and "short_series" in fc.flags
    np.testing.assert_allclose(fc.mean.to_numpy(), [7.0, 7.0])


def test_shrinkage_and_spread_rules_by_hand():
    assert intervals.shrunk_slope(0.2, 0.0, 0.25) == pytest.approx(0.05)
    assert intervals.shrunk_slope(0.0, 0.04, 0.25) == pytest.approx(0.03)
    np.testing.assert_allclose(intervals.own_slopes(np.array([[1.0, 2.0, 5.0], [0.0, 0.0, 0.0]])), [2.0, 0.0])
    np.testing.assert_allclose(intervals.own_slopes(np.array([[1.0, 5.0]]), np.array([[2010.0, 2012.0]])), [2.0])
    # changes 0.1, 0.3: own variance 0.02 (1 dof) beside 2 pseudo-dof of 0.1^2: (2 x 0.01 + 0.02) / 3
    assert intervals.noise_variance(np.array([0.1, 0.3]), 0.1, 2.0)[0] == pytest.approx(0.04 / 3)
    assert intervals.noise_variance(np.array([0.5]), 0.1, 2.0)[0] == pytest.approx(0.01)  # one change: the pooled noise
    assert intervals.noise_variance(np.array([0.1, 0.3]), 0.1, 2.0, unit=10.0)[0] == pytest.approx((2 + 0.02) / 3)
    weight, own_var = intervals.growth_weight(0.02, 4.0, 0.1)  # own growth variance 0.02 / 4 = 0.005
    assert (float(weight), float(own_var)) == (pytest.approx(0.01 / 0.015), pytest.approx(0.005))
    weight, own_var = intervals.growth_weight(0.02, 4.0, 0.1, end_noise=0.08)  # + 0.08 / 16 from the end points
    assert (float(weight), float(own_var)) == (pytest.approx(0.01 / 0.02), pytest.approx(0.01))
    np.testing.assert_allclose(intervals.short_scales(0.01, 0.5, 0.02, 2), [np.sqrt(0.01 + 0.01), np.sqrt(0.04 + 0.02)])


@pytest.mark.parametrize("values", [[5.0] * 6, [5.0] * 3, [5.0, 5.0]])
def test_a_flat_series_gets_an_interval_of_nonzero_width(values):
    fc = models.forecast(years_series(values), 3)
    year = fc.years[0]
    assert fc.upper(95)[year] > 5.0 > fc.lower(95)[year]
    assert 0 < fc.prob_at_least(year, 5.01) < 1


def test_width_floor_is_the_pooled_spread_on_a_flat_series():
    # every change is 0: the spread is SPREAD_FLOOR, so the h=1 80 % upper bound is 5 exp(floor x q90)
    fc = models.forecast(years_series([5.0] * (intervals.PRIOR_MAX_POINTS + 2)), 1, n_paths=20000)
    q90 = intervals.error_quantiles("auto", 1)[0][intervals.QUANTILE_PROBS.index(0.9)]
    assert fc.upper(80).iloc[0] == pytest.approx(5 * np.exp(intervals.SPREAD_FLOOR * q90), rel=0.005)
    assert intervals.interval_spread(np.arange(6), np.zeros(6), scales.LOG) == intervals.SPREAD_FLOOR
    # on the raw scale (a series with values <= 0) the floor is relative to the largest |value|
    assert intervals.interval_spread(np.arange(4), np.full(4, -4.0), scales.IDENTITY) == pytest.approx(4 * intervals.SPREAD_FLOOR)


def test_a_volatile_series_keeps_its_own_spread_above_the_floor():
    e = np.log([100.0, 130, 100, 130, 100, 130])
    assert intervals.interval_spread(np.arange(6), e, scales.LOG) == pytest.approx(np.log(1.3))


def test_unknown_method_is_rejected():
    with pytest.raises(ValueError, match="unknown method"):
        models.forecast(LINE, 2, method="holt")


def test_probabilities_are_monotone_and_agree_with_intervals():
    fc = models.forecast(years_series([100, 104, 109, 113, 118, 121, 127, 131.0]), 4)
    year = fc.years[-1]
    grid = np.linspace(fc.lower(95)[year] * 0.9, fc.upper(95)[year] * 1.1, 50)
    p_at_least = np.array([fc.prob_at_least(year, x) for x in grid])
    assert (np.diff(p_at_least) <= 0).all()
    assert fc.prob_at_least(year, fc.lower(80)[year]) == pytest.approx(0.9, abs=0.01)
    assert fc.prob_at_most(year, fc.upper(80)[year]) == pytest.approx(0.9, abs=0.01)
    assert fc.prob_at_least(year, fc.upper(95)[year]) == pytest.approx(0.025, abs=0.01)


def test_prob_sum_counts_observed_years_and_is_monotone():
    series = years_series([10, 11, 12, 13, 14.0], start=2020)
    fc = models.forecast(series, 3, method="drift")
    years = [2024, 2025, 2026, 2027]
    total_mean = 14 + fc.mean.sum()
    assert fc.prob_sum_at_least(years, 0.0) == 1.0
    assert fc.prob_sum_at_least(years, 1e6) == 0.0
    assert 0.2 < fc.prob_sum_at_least(years, total_mean) < 0.8
    grid = total_mean + np.linspace(-60, 60, 25)
    assert (np.diff([fc.prob_sum_at_least(years, x) for x in grid]) <= 0).all()
    with_history = np.mean(14 + fc.samples.sum(axis=1) >= total_mean)
    assert fc.prob_sum_at_least(years, total_mean) == pytest.approx(with_history)
    with pytest.raises(KeyError):
        fc.prob_sum_at_least([2030], 1.0)


def test_fixed_seed_is_deterministic_and_seed_changes_samples():
    series = years_series([3, 4, 4.5, 6, 6.5, 7, 8.2, 9.0])
    a, b = models.forecast(series, 3), models.forecast(series, 3)
    np.testing.assert_array_equal(a.samples, b.samples)
    assert not np.array_equal(a.samples, models.forecast(series, 3, seed=1).samples)


def interval_widths(rows: np.ndarray) -> dict[int, np.ndarray]:
    """Width of the central 80 % and 95 % intervals of scaled errors, per horizon (rows of a quantile table)."""
    probs = np.asarray(intervals.QUANTILE_PROBS)
    at = {p: int(np.flatnonzero(np.isclose(probs, p))[0]) for p in (0.025, 0.1, 0.9, 0.975)}
    return {80: rows[:, at[0.9]] - rows[:, at[0.1]], 95: rows[:, at[0.975]] - rows[:, at[0.025]]}


def test_error_quantile_table_covers_every_method_and_horizon():
    probs = np.asarray(intervals.QUANTILE_PROBS)
    horizon = 12  # past the calibrated table (6 horizons): the extension must keep widening
    tables = [(method, None) for method in models.METHODS]
    tables += [(method, n) for n in sorted(intervals.SHORT_SERIES) for method in intervals.SHORT_SERIES[n]["quantiles"]]
    for method, n_points in tables:
        rows = intervals.error_quantiles(method, horizon, n_points)
        assert rows.shape == (horizon, len(probs))
        assert (np.diff(rows, axis=1) >= 0).all(), (method, n_points)
        if n_points is not None:  # a short-series table holds errors divided by a scale growing with the horizon:
            # the interval is scale x table, which must widen (a smooth series: noise 1, half its own growth, its variance 1)
            rows = rows * intervals.short_scales(np.array([1.0]), np.array([0.5]), np.array([1.0]), horizon)[0][:, None]
        for level, width in interval_widths(rows).items():
            assert (np.diff(width) > 0).all(), (method, n_points, level, width)  # strictly wider with every year ahead
        if n_points is None:
            assert (np.diff(rows[:, -1] - rows[:, 0]) > 0).all(), method  # and the outer 99 % range too


positive_values = st.lists(st.floats(min_value=1.0, max_value=1e4, allow_nan=False), min_size=2, max_size=15)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=positive_values, factor=st.floats(min_value=0.01, max_value=100.0))
def test_scaling_a_positive_series_scales_the_forecast(values, factor):
    series = years_series(values)
    base = models.forecast(series, 3, method="auto").mean.to_numpy()
    scaled = models.forecast(series * factor, 3, method="auto").mean.to_numpy()
    np.testing.assert_allclose(scaled, base * factor, rtol=1e-3, atol=1e-6 * factor * max(values))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=st.lists(st.floats(min_value=0.001, max_value=1e6, allow_nan=False), min_size=2, max_size=15),
       method=st.sampled_from(models.METHODS))
def test_no_nan_on_positive_inputs(values, method):
    fc = models.forecast(years_series(values), 4, method=method)
    assert np.isfinite(fc.mean).all() and np.isfinite(fc.samples).all()
    assert np.isfinite(fc.lower(80)).all() and np.isfinite(fc.upper(95)).all()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=st.lists(st.floats(min_value=-1e4, max_value=1e4, allow_nan=False), min_size=2, max_size=4),
       method=st.sampled_from(models.METHODS))
def test_short_series_of_any_sign_give_finite_ordered_intervals_of_nonzero_width(values, method):
    fc = models.forecast(years_series(values), 4, method=method)
    assert "short_series" in fc.flags and np.isfinite(fc.samples).all()
    assert (fc.lower(95) <= fc.lower(80)).all() and (fc.upper(80) <= fc.upper(95)).all()
    assert (fc.upper(95) > fc.lower(95)).all()


def test_short_bounded_share_stays_inside_bounds():
    fc = models.forecast(years_series([96.0, 99.0]), 5, bounds=(0, 100))
    assert {"short_series", "bounded_logit"} <= set(fc.flags)
    assert (fc.samples > 0).all() and (fc.samples < 100).all()


# --- the forecast command -----------------------------------------------------------------------


def write(path: Path, text: str) -> Path:
    """Write text to path and return it."""
    path.write_text(text, encoding="utf-8")
    return path


def test_forecast_cli_on_a_tiny_csv(tmp_path):
    rows = ["series_id,t,value"]
    rows += [f"a,{2015 + i},{10 + 2 * i}" for i in (3, 0, 1, 2, 4, 6)]  # unsorted, 2020 missing
    rows += ["b,2019,0.5", "b,2020,", "b,2021,0.7", "b,2022,0.9", "b,2023,1.0"]  # one NaN value
    rows += ["c,2023,2"]  # too short: skipped with a warning
    src = write(tmp_path / "in.csv", "\n".join(rows) + "\n")
    out = tmp_path / "out.csv"
    assert cli_main(["forecast", "--input", str(src), "--horizon", "3", "--output", str(out)]) == 0
    result = pd.read_csv(out)
    assert list(result.columns) == ["series_id", "t", "h", "mean", "lo80", "hi80", "lo95", "hi95"]
    assert sorted(set(result["series_id"])) == ["a", "b"]
    a = result[result["series_id"] == "a"]
    assert list(a["t"]) == [2022, 2023, 2024] and list(a["h"]) == [1, 2, 3]
    assert (result["lo95"] <= result["lo80"]).all() and (result["lo80"] <= result["mean"]).all()
    assert (result["mean"] <= result["hi80"]).all() and (result["hi80"] <= result["hi95"]).all()


def test_forecast_cli_levels_and_method(tmp_path):
    src = write(tmp_path / "in.csv", "series_id,t,value\n" + "\n".join(f"x,{t},{t - 2000}" for t in range(2010, 2020)))
    out = tmp_path / "out.csv"
    assert cli_main(["forecast", "--input", str(src), "--horizon", "2", "--method", "linear", "--levels", "50",
                     "--output", str(out)]) == 0
    result = pd.read_csv(out)
    assert list(result.columns) == ["series_id", "t", "h", "mean", "lo50", "hi50"]
    np.testing.assert_allclose(result["mean"], [20.0, 21.0])


@pytest.mark.parametrize(
    "text, message",
    [
        ("series_id,year,value\na,2020,1\n", "missing column"),
        ("series_id,t,value\na,2020,1\na,20x1,2\n", ":3: column t"),
        ("series_id,t,value\na,2020,1\na,2021,abc\n", ":3: column value"),
        ("series_id,t,value\na,2020,1\na,2020,2\n", ":3: duplicate t"),
        ("series_id,t,value\na,2020.5,1\n", ":2: column t"),
    ],
)
def test_forecast_cli_rejects_malformed_input_naming_file_and_row(tmp_path, capsys, text, message):
    src = write(tmp_path / "bad.csv", text)
    assert cli_main(["forecast", "--input", str(src), "--horizon", "2", "--output", str(tmp_path / "o.csv")]) == 1
    err = capsys.readouterr().err
    assert "bad.csv" in err and message in err


def test_forecast_cli_missing_file(tmp_path, capsys):
    missing = tmp_path / "nope.csv"
    with pytest.raises(SystemExit) as exit_:  # a usage error: one line, exit 2, nothing read
        cli_main(["forecast", "--input", str(missing), "--horizon", "2", "--output", str(tmp_path / "o.csv")])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "nope.csv: file not found" in err and len(err.splitlines()) == 1


# --- speed, measured (pytest --benchmark-enable tests/test_models.py -k speed), never asserted on a clock ---

BRIEFING_SERIES = [years_series(100 * 1.08 ** np.arange(n), 2024 - n) for n in (2, 3, 4, 6, 9, 12) for _ in range(5)]


def project_briefing_targets(method: str) -> list[models.Forecast]:
    """What a quarterly render asks of models: ~30 series projected to 2027 and beyond."""
    return [models.forecast(series, 6, method=method) for series in BRIEFING_SERIES]


@pytest.mark.parametrize("method", ["naive", "auto"])
def test_speed_of_thirty_briefing_forecasts(benchmark, method):
    # compare the two rows of the benchmark table: auto against the naive baseline of the same run
    forecasts = benchmark(project_briefing_targets, method)
    assert len(forecasts) == 30


# --- the kind of each value (issue 20 item 4): an estimate counts less and widens the interval ---


def interval_width(fc: models.Forecast, level: int = 80) -> np.ndarray:
    """Upper minus lower bound per forecast year (log ratio)."""
    return np.log(fc.upper(level).to_numpy() / fc.lower(level).to_numpy())


@pytest.mark.parametrize("values", [[100.0, 108.0, 117.0, 125.0], [100, 104, 109, 113, 118, 121, 127, 131.0]])
def test_an_estimate_gets_a_wider_interval_than_the_same_official_value(values):
    series = years_series(values)
    official = models.forecast(series, 4, kinds=["official"] * len(values))
    estimate = models.forecast(series, 4, kinds=["official"] * (len(values) - 1) + ["estimate"])
    assert (interval_width(estimate) > interval_width(official) * 1.02).all()
    assert (interval_width(estimate, 95) > interval_width(official, 95)).all()
    assert "rests_on_estimates" in estimate.flags and "rests_on_estimates" not in official.flags
    # the projection says what it rests on: the last value is an estimate and counts less than a final one
    basis = estimate.basis.set_index("year")
    assert list(basis["kind"]) == ["official"] * (len(values) - 1) + ["estimate"]
    assert basis["weight"].iloc[-1] < 1.0 and (basis["weight"].iloc[:-1] == 1.0).all()
    assert basis["noise_sd"].iloc[-1] == kinds.KIND_NOISE["estimate"]
    # no kinds given: every value is taken as a final figure, exactly as official ones
    np.testing.assert_array_equal(models.forecast(series, 4).samples, official.samples)


def test_an_estimate_at_the_end_of_a_short_series_counts_less_in_its_growth():
    # a smooth series growing 20 % a year: its own growth gets most weight; when its last value is only an
    # estimate, the growth measured to it is less certain and leans more on the pooled prior (lower growth)
    series = years_series([100.0, 120.0, 144.0])
    official = models.forecast(series, 3)
    estimate = models.forecast(series, 3, kinds=pd.Series(["official", "official", "estimate"], index=series.index))
    prior = intervals.short_calibration(3)["growth"]
    assert prior < np.log(1.2)
    assert estimate.mean.iloc[-1] < official.mean.iloc[-1]
    assert estimate.mean.iloc[-1] > 144 * np.exp(3 * prior)


def test_revised_values_beside_unrevised_ones_are_flagged():
    series = years_series([100.0, 104.0, 109.0, 115.0, 120.0, 126.0])
    mixed = models.forecast(series, 2, kinds=["official"] * 4 + ["revised", "revised"])
    assert "mixed_revision" in mixed.flags
    assert "mixed_revision" not in models.forecast(series, 2, kinds=["revised"] * 6).flags
    assert "mixed_revision" not in models.forecast(series, 2, kinds=["official"] * 6).flags


def test_kinds_must_align_with_the_series_and_be_known():
    series = years_series([100.0, 104.0, 109.0])
    with pytest.raises(ValueError, match="3 values"):
        models.forecast(series, 2, kinds=["official"] * 2)
    with pytest.raises(ValueError, match="unknown kind"):
        models.forecast(series, 2, kinds=["official", "official", "rumour"])
    # a year-indexed Series may hold more years than the series; a missing value's kind is dropped with it
    gappy = pd.Series([100.0, np.nan, 109.0], index=[2010, 2011, 2012])
    fc = models.forecast(gappy, 1, kinds=pd.Series(["official", "estimate", "preliminary", "official"], index=[2010, 2011, 2012, 2013]))
    assert list(fc.basis["kind"]) == ["official", "preliminary"]


def test_a_short_series_takes_the_calibration_of_its_group(monkeypatch):
    """Short series are calibrated by what they measure (intervals.SERIES_GROUPS): the tracker's series are aggregates."""
    series = pd.Series([40.0, 46.0, 50.0], index=[2022, 2023, 2024])
    aggregate = models.forecast(series, 3)
    other = models.forecast(series, 3, series_group="other")
    assert aggregate.lower(80).to_numpy() == pytest.approx(models.forecast(series, 3, series_group="aggregate").lower(80).to_numpy())
    assert not np.allclose(aggregate.upper(80).to_numpy(), other.upper(80).to_numpy())
    # the other group reads SHORT_SERIES_OTHER: given the aggregate tables, it gives the aggregate forecast
    monkeypatch.setattr(intervals, "SHORT_SERIES_OTHER", intervals.SHORT_SERIES)
    intervals.scaled_error_samples.cache_clear()
    try:
        same = models.forecast(series, 3, series_group="other")
    finally:
        intervals.scaled_error_samples.cache_clear()
    assert same.upper(80).to_numpy() == pytest.approx(aggregate.upper(80).to_numpy())
    assert same.mean.to_numpy() == pytest.approx(aggregate.mean.to_numpy())
    with pytest.raises(ValueError, match="unknown series group 'macro'"):
        models.forecast(series, 3, series_group="macro")


def test_m3_categories_map_to_the_documented_groups():
    assert {c: intervals.m3_group(c) for c in ("MACRO", "DEMOGRAPHIC", "MICRO", "INDUSTRY", "FINANCE", "OTHER", "new")} == {
        "MACRO": "aggregate", "DEMOGRAPHIC": "aggregate", "MICRO": "other", "INDUSTRY": "other", "FINANCE": "other",
        "OTHER": "other", "new": "other"}
    from analysis.forecast import calibration

    groups = calibration.TRAINING["groups"]
    assert groups["aggregate"]["m3_categories"] == ["DEMOGRAPHIC", "MACRO"]
    assert groups["aggregate"]["n_m3_series"] + groups["other"]["n_m3_series"] == calibration.TRAINING["m3"]["n_series"]
    assert set(calibration.SHORT_SERIES) == set(calibration.SHORT_SERIES_OTHER)
