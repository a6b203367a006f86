"""Golden tests of the whole target chain with the real models (issue 16 item 1).

Each test runs ``gap.status_table`` / ``gap.assess`` with the real ``models.forecast`` (method auto,
seed 0, 2000 paths) on one fixed series of a small data directory, and pins the projection
(median), the 80 % and 95 % ranges, P(meet) and the status to literal values (``GOLDEN``). Every
literal is checked here by an independent calculation, written in plain numpy and scipy from the
rules of the method note and docs/INTERFACES.md, not from the code under test:

* the point path: naive, drift and the log-linear trend fitted here (``np.polyfit``), their
  year-by-year median; for a short series, the empirical-Bayes growth prior ``weight x own + (1 - weight) x prior`` with
  weight = prior variance / (prior variance + pooled noise / span);
* the sample paths, redrawn from the same seed: a Gaussian random walk ``W_h / sqrt(h)`` mapped to
  uniforms and through the calibrated quantile table of scaled errors, times the series' spread
  (median absolute change on the log or logit scale, never below the floor);
* the closed form of each year's marginal (the uniforms are exactly uniform at every horizon, so the
  q-quantile of the simulated values is the table's q-quantile: a Monte Carlo check whose tolerance
  is asserted to be below a tenth of the interval width);
* P(meet) as the share of recomputed paths meeting the comparator, with the rank half step
  (``RANK_HALF_STEP``), the sum of flows over the target years, and bound conditioning (a ``<=``
  figure keeps the paths at or below it plus the half step) re-implemented on the paths;
* a past target between two observed years: the Brownian bridge on the log scale, in closed form.

The literals move only when the method or its calibration changes (then regenerate them with the
independent calculation, which must agree). Tolerances: 1e-6 relative against the literals,
1e-9 between the recomputed paths and the forecast's own.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from conftest import indicator, obs, target, tiny_tables, write_data_dir
from scipy.stats import norm

from analysis.assess import judge, record, statuses
from analysis.data import loader
from analysis.forecast import calibration

AS_OF = "2026-06-30"
SEED, N_PATHS = 0, 2000
PROJECT_TO = 2035  # the forecasts run to this year (gap.PROJECT_TO), so horizon = 2035 - last observed year
HALF_STEP = 0.5  # ranks are whole numbers: rank <= k means a continuous value <= k + 0.5
# The quantile levels of the calibrated error tables (models.QUANTILE_PROBS), written out.
PROBS = np.array([0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.975, 0.99, 0.995])
Q = {p: int(np.flatnonzero(np.isclose(PROBS, p))[0]) for p in (0.025, 0.1, 0.5, 0.9, 0.975)}
REL = 1e-6

# ----------------------------------------------------------------------------- the fixed series

COUNTS = dict(zip(range(2015, 2025), [410, 450, 480, 530, 560, 620, 650, 720, 760, 830]))  # rising count, 10 points
SHARES = dict(zip(range(2015, 2025), [2.3, 2.4, 2.45, 2.55, 2.6, 2.7, 2.8, 2.85, 2.95, 3.05]))  # % of GDP, bounded 0-100
RANKS = dict(zip(range(2016, 2024), [21, 20, 18, 17, 16, 14, 13, 12]))  # then "<= 10" (前十) in 2024
FLOWS = dict(zip(range(2014, 2026), [300, 320, 330, 360, 380, 400, 430, 450, 470, 500, 540, 560]))  # new firms a year
TWO = {2023: 40.0, 2024: 46.0}  # a two-value series
AMOUNTS = dict(zip(range(2016, 2025), [100, 108, 118, 125, 131, 146, 160, 171, 186]))  # 亿元, target: 12 % a year
BRIDGE = {2016: 50.0, 2017: 54.0, 2018: 57.0, 2019: 62.0, 2020: 66.0, 2022: 75.0, 2023: 80.0}  # 2021 missing

# Literal golden values (checked below by the independent calculation).
GOLDEN = {
    "t_count": {"projected_value": 970, "lo80": 758.3294091, "hi80": 1362.560592, "lo95": 613.1685005, "hi95": 1879.571178,
                "p_meet": 1091 / 2000, "status": "uncertain"},
    "t_count_each": {"projected_value": 1030.935759, "lo80": 758.3294091, "hi80": 1362.560592, "lo95": 613.1685005, "hi95": 1879.571178,
                     "p_meet": 1590 / 2000, "status": "likely"},
    "t_share": {"projected_value": 3.338793636, "lo80": 3.032945439, "hi80": 3.810282418, "lo95": 2.790935921, "hi95": 4.315054949,
                "p_meet": 795 / 2000, "status": "uncertain"},
    "t_rank": {"projected_value": 8.200126129, "lo80": 6.082184816, "hi80": 10.37687291, "lo95": 4.395291841, "hi95": 11.85104217,
               "p_meet": 370 / 459, "status": "likely"},
    "t_cum": {"projected_value": 2790.909091, "lo80": 2660.112336, "hi80": 2990.689823, "lo95": 2559.817248, "hi95": 3166.217264,
              "p_meet": 1094 / 2000, "status": "uncertain"},
    "t_two": {"projected_value": 53.71791016, "lo80": 44.2637098, "hi80": 70.20711162, "lo95": 38.93003396, "hi95": 88.10454621,
              "p_meet": 615 / 2000, "status": "unlikely"},  # regenerated 2026-12-08 (short series calibrated per group)
    "t_avg": {"projected_value": 218.25, "lo80": 174.2788435, "hi80": 297.7369748, "lo95": 143.5194827, "hi95": 399.4924942,
              "p_meet": 286 / 2000, "status": "unlikely"},
    "t_bridge": {"projected_value": 70.35623640, "p_meet": 0.6377386292, "status": "outcome_uncertain"},
}


def sources() -> list[dict]:
    """Bulletins for every year the series need (published 1 March of the next year)."""
    return [{"source_id": f"bulletin_{y}", "title": f"{y - 1}年统计公报", "publisher": "宁波市统计局", "published": f"{y}-03-01",
             "kind": "bulletin"} for y in range(2014, 2027)]


def annual(indicator_id: str, values: dict[int, float], unit: str, qualifier: dict[int, str] | None = None) -> list[dict]:
    """Observations of one indicator, each year published in the next year's bulletin."""
    qualifier = qualifier or {}
    return [obs(indicator_id, y, v, unit, f"bulletin_{y + 1}", f"{y + 1}-03-01", qualifier=qualifier.get(y, "")) for y, v in values.items()]


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> loader.Dataset:
    tables = tiny_tables()
    tables["sources"] = sources()
    tables["indicators"] = [
        indicator("firms", "家", "count", "geometric", low="0"),
        indicator("rd_share", "%", "share", "linear", low="0", high="100"),
        indicator("city_rank", "位", "rank", "linear", higher=False, low="1"),
        indicator("firms_new", "家", "count", "geometric", low="0"),
        indicator("platforms", "个", "count", "geometric", low="0"),
        indicator("trade", "亿元", "amount", "geometric", low="0"),
        indicator("talent", "万人", "count", "geometric", low="0"),
    ]
    tables["targets"] = [
        target("t_count", "firms", "level", ">=", 1000, "家", 2022, 2027),
        target("t_count_each", "firms", "level", ">=", 750, "家", 2022, 2027) | {"each_year": "true"},
        target("t_share", "rd_share", "level", ">=", 3.5, "%", 2022, 2027),
        target("t_rank", "city_rank", "rank", "<=", 9, "位", 2022, 2027),
        target("t_cum", "firms_new", "cumulative", ">=", 2800, "家", 2022, 2027),
        target("t_two", "platforms", "level", ">=", 60, "个", 2022, 2027),
        target("t_avg", "trade", "avg_growth", ">=", 12, "%", 2022, 2027),
        target("t_bridge", "talent", "level", ">=", 70, "万人", 2017, 2021),
    ]
    tables["observations"] = (
        annual("firms", COUNTS, "家") + annual("rd_share", SHARES, "%")
        + annual("city_rank", {**RANKS, 2024: 10}, "位", qualifier={2024: "<="})
        + annual("firms_new", FLOWS, "家") + annual("platforms", TWO, "个") + annual("trade", AMOUNTS, "亿元")
        + annual("talent", BRIDGE, "万人")
    )
    return loader.load(write_data_dir(tmp_path_factory.mktemp("golden") / "data", tables))


@pytest.fixture(scope="module")
def table(dataset: loader.Dataset) -> pd.DataFrame:
    return statuses.status_table(dataset, AS_OF).set_index("target_id")


# ----------------------------------------------------------------------------- the independent calculation


def status_of(p: float) -> str:
    """The status band of a probability (lower edges inclusive: 0.90, 0.66, 0.33, 0.10)."""
    for code, edge in (("on_track", 0.90), ("likely", 0.66), ("uncertain", 0.33), ("unlikely", 0.10)):
        if p >= edge:
            return code
    return "off_track"


def quantile_rows(table: tuple, horizon: int, short: bool = False) -> np.ndarray:
    """The calibrated quantile rows for horizons 1..horizon: beyond the table widened with sqrt(h), except a
    short-series table (its errors are already divided by a scale that grows with the horizon: the last row carries on)."""
    rows = np.asarray(table, dtype=float)
    last = len(rows)
    return np.vstack([rows[h - 1] if h <= last else rows[-1] * (1.0 if short else math.sqrt(h / last)) for h in range(1, horizon + 1)])


def scaled_errors(table: tuple, horizon: int, short: bool = False) -> np.ndarray:
    """Scaled errors redrawn from the seed: Gaussian random-walk uniforms through the quantile table."""
    rng = np.random.default_rng(SEED)
    walk = np.cumsum(rng.standard_normal((N_PATHS, horizon)), axis=1) / np.sqrt(np.arange(1, horizon + 1))
    uniforms = norm.cdf(walk)
    rows = quantile_rows(table, horizon, short)
    return np.column_stack([np.interp(uniforms[:, j], PROBS, rows[j]) for j in range(horizon)])


def logit(y: np.ndarray, lo: float = 0.0, hi: float = 100.0) -> np.ndarray:
    share = (np.asarray(y, dtype=float) - lo) / (hi - lo)
    return np.log(share / (1 - share))


def expit(z: np.ndarray, lo: float = 0.0, hi: float = 100.0) -> np.ndarray:
    return lo + (hi - lo) / (1 + np.exp(-np.asarray(z, dtype=float)))


class Independent:
    """Point path, spread and sample paths of one series, recomputed from the method's rules.

    ``scale`` is the scale the errors live on: "log" (a positive series without both bounds) or
    "logit" (a share bounded 0-100, also the scale its trend is fitted on).
    """

    def __init__(self, values: dict[int, float], scale: str = "log"):
        self.years = np.array(sorted(values), dtype=float)
        self.values = np.array([values[int(y)] for y in self.years], dtype=float)
        self.last_year = int(self.years[-1])
        self.horizon = PROJECT_TO - self.last_year
        self.future = np.arange(self.last_year + 1, PROJECT_TO + 1)
        self.scale = scale
        h = np.arange(1, self.horizon + 1)
        if len(values) > calibration.PRIOR_MAX_POINTS:  # auto: median of naive, drift, log-linear trend
            z = self.values if scale == "log" else logit(self.values)  # the model's working scale
            naive = np.full(self.horizon, z[-1])
            drift = z[-1] + h * (z[-1] - z[0]) / (self.years[-1] - self.years[0])
            if scale == "log":
                trend = np.exp(np.polyval(np.polyfit(self.years, np.log(z), 1), self.future))
            else:  # on a bounded scale the log-linear member is the straight line on that scale
                trend = np.polyval(np.polyfit(self.years, z, 1), self.future)
            working = np.median(np.vstack([naive, drift, trend]), axis=0)
            self.mean = working if scale == "log" else expit(working)
            e = self.error_scale(self.values)
            self.spread = max(float(np.median(np.abs(np.diff(e)) / np.diff(self.years))), calibration.SPREAD_FLOOR)
            self.table = calibration.ERROR_QUANTILES["auto"]
        else:  # a short series: empirical Bayes, its own log growth shrunk towards the pooled prior by its noise
            calib = calibration.SHORT_SERIES[len(values)]
            e = np.log(self.values)
            span = self.years[-1] - self.years[0]
            changes = np.diff(e) / np.diff(self.years)
            dof = len(changes) - 1  # the pooled noise counts as noise_dof observations beside the series' own
            own_var = float(np.var(changes, ddof=1)) if dof > 0 else 0.0
            noise_var = max((calib["noise_dof"] * calib["noise_sd"] ** 2 + dof * own_var) / (calib["noise_dof"] + dof), calib["noise_floor"] ** 2)
            weight = calib["prior_sd"] ** 2 / (calib["prior_sd"] ** 2 + noise_var / span)  # prior variance / (prior + own growth's)
            own = (e[-1] - e[0]) / span
            slope = weight * own + (1 - weight) * calib["growth"]
            self.mean = np.exp(e[-1] + h * slope)
            scale_var = noise_var ** calib["scale_exponent"] * (calib["scale_sd"] ** 2) ** (1 - calib["scale_exponent"])
            growth_var, gap_var = scale_var / span, calib["gap_share"] * (own - calib["growth"]) ** 2
            self.spread = np.sqrt(h ** 2 * (weight * growth_var + gap_var) + h * scale_var)  # grows with the horizon
            self.table = calib["quantiles"]["growth_prior"]
        self.short = len(values) <= calibration.PRIOR_MAX_POINTS
        self.samples = self.inverse(self.error_scale(self.mean)[None, :] + self.spread * scaled_errors(self.table, self.horizon, self.short))

    def error_scale(self, y: np.ndarray) -> np.ndarray:
        return np.log(y) if self.scale == "log" else logit(y)

    def inverse(self, z: np.ndarray) -> np.ndarray:
        return np.exp(z) if self.scale == "log" else expit(z)

    def column(self, year: int) -> np.ndarray:
        return self.samples[:, year - self.last_year - 1]

    def closed_form(self, year: int, prob: float) -> float:
        """The exact prob-quantile of the year's simulated value (the table's quantile; uniforms are uniform)."""
        j = year - self.last_year - 1
        row = quantile_rows(self.table, self.horizon, self.short)[j]
        return float(self.inverse(self.error_scale(self.mean[j]) + self.spread_at(j) * np.interp(prob, PROBS, row)))

    def spread_at(self, j: int) -> float:
        """The spread of the j-th year ahead (a constant for a long series)."""
        return float(np.broadcast_to(self.spread, (self.horizon,))[j])

    def closed_form_p_at_least(self, year: int, threshold: float) -> float:
        """P(value >= threshold) from the table's piecewise-linear distribution of the year's error."""
        j = year - self.last_year - 1
        row = quantile_rows(self.table, self.horizon, self.short)[j]
        edge = (self.error_scale(threshold) - self.error_scale(self.mean[j])) / self.spread_at(j)
        return 1.0 - float(np.interp(edge, row, PROBS))


def ranges(values: np.ndarray) -> dict[str, float]:
    """Median and the 80 % / 95 % central ranges of simulated values."""
    lo80, hi80, lo95, hi95 = np.percentile(values, [10, 90, 2.5, 97.5])
    return {"median": float(np.median(values)), "lo80": lo80, "hi80": hi80, "lo95": lo95, "hi95": hi95}


def assert_row(row: pd.Series, golden: dict) -> None:
    """The status-table row carries the golden projection, ranges, P and status."""
    for column in ("projected_value", "lo80", "hi80", "lo95", "hi95"):
        assert row[column] == pytest.approx(golden[column], rel=REL), column
    assert row.hi80 - row.lo80 == pytest.approx(golden["hi80"] - golden["lo80"], rel=1e-4)
    assert row.hi95 - row.lo95 == pytest.approx(golden["hi95"] - golden["lo95"], rel=1e-4)
    assert row.p_meet == pytest.approx(golden["p_meet"], abs=1e-12)
    assert row.status == golden["status"] == status_of(golden["p_meet"])


def assert_closed_form(ind: Independent, year: int, golden: dict) -> None:
    """The golden ranges agree with the closed-form marginal within Monte Carlo error (< 1/10 of each width)."""
    for low, high, p_low, p_high in (("lo80", "hi80", 0.1, 0.9), ("lo95", "hi95", 0.025, 0.975)):
        exact_low, exact_high = ind.closed_form(year, p_low), ind.closed_form(year, p_high)
        width = exact_high - exact_low
        tolerance = 0.03 * width
        assert tolerance < 0.1 * width / 2  # a 10 % wider or narrower interval moves an end by 5 % of the width
        assert golden[low] == pytest.approx(exact_low, abs=tolerance), low
        assert golden[high] == pytest.approx(exact_high, abs=tolerance), high


# ----------------------------------------------------------------------------- the golden tests


def check_forecast(dataset: loader.Dataset, target_id: str, ind: Independent, method: str = "auto") -> record.Assessment:
    """The forecast behind a target is the independent one: same years, point path and sample paths."""
    a = judge.assess(dataset, target_id, AS_OF)
    assert a.forecast.method == method
    assert list(a.forecast.years) == list(ind.future)
    np.testing.assert_allclose(a.forecast.mean.to_numpy(), ind.mean, rtol=1e-9)
    np.testing.assert_allclose(np.asarray(a.forecast.samples), ind.samples, rtol=1e-9)
    return a


def first_year(path: dict[int, float], threshold: float, after: int, higher: bool = True) -> int | None:
    """The first year after `after` whose value meets the threshold."""
    return next((y for y, v in sorted(path.items()) if y > after and (v >= threshold if higher else v <= threshold)), None)


def test_rising_count_level_target(dataset: loader.Dataset, table: pd.DataFrame) -> None:
    golden, ind = GOLDEN["t_count"], Independent(COUNTS)
    # the point path: median of naive (830), drift (830 + 420/9 a year) and the log-linear trend; drift is the middle
    assert ind.mean[2] == pytest.approx(830 + 3 * 420 / 9)
    assert ind.mean[2] == pytest.approx(golden["projected_value"], rel=REL)
    column = ind.column(2027)
    assert {k: v for k, v in ranges(column).items() if k != "median"} == pytest.approx(
        {k: golden[k] for k in ("lo80", "hi80", "lo95", "hi95")}, rel=REL)
    assert float(np.mean(column >= 1000)) == golden["p_meet"]
    assert_closed_form(ind, 2027, golden)
    assert ind.closed_form_p_at_least(2027, 1000) == pytest.approx(golden["p_meet"], abs=4 * math.sqrt(0.25 / N_PATHS))
    check_forecast(dataset, "t_count", ind)
    row = table.loc["t_count"]
    assert_row(row, golden)
    path = {**COUNTS, **dict(zip(ind.future.tolist(), ind.mean))}
    assert row.first_year_meeting == first_year(path, 1000, 2022) == 2028


def test_each_year_target_needs_every_projected_year_on_one_path(dataset: loader.Dataset, table: pd.DataFrame) -> None:
    golden, ind = GOLDEN["t_count_each"], Independent(COUNTS)
    # 2023 (760) and 2024 (830) met >= 750; P = share of paths at or above 750 in each of 2025, 2026 and 2027
    every = np.all(ind.samples[:, :3] >= 750, axis=1)
    assert float(every.mean()) == golden["p_meet"]
    assert float(every.mean()) < float(np.mean(ind.column(2027) >= 750))  # a joint condition, not the last year alone
    assert ranges(ind.column(2027)) == pytest.approx({"median": golden["projected_value"], **{k: golden[k] for k in ("lo80", "hi80", "lo95", "hi95")}}, rel=REL)
    check_forecast(dataset, "t_count_each", ind)
    row = table.loc["t_count_each"]
    assert_row(row, golden)
    assert "each year: 2023 met, 2024 met" in row.note


def test_share_is_projected_on_the_logit_scale(dataset: loader.Dataset, table: pd.DataFrame) -> None:
    golden, ind = GOLDEN["t_share"], Independent(SHARES, scale="logit")
    column = ind.column(2027)
    assert ind.mean[2] == pytest.approx(golden["projected_value"], rel=REL)
    assert {k: v for k, v in ranges(column).items() if k != "median"} == pytest.approx(
        {k: golden[k] for k in ("lo80", "hi80", "lo95", "hi95")}, rel=REL)
    assert float(np.mean(column >= 3.5)) == golden["p_meet"]
    assert_closed_form(ind, 2027, golden)
    assert ind.closed_form_p_at_least(2027, 3.5) == pytest.approx(golden["p_meet"], abs=4 * math.sqrt(0.25 / N_PATHS))
    # on the log scale (no bounds) the same series would get other ranges: the bounds matter
    assert Independent(SHARES, scale="log").closed_form(2027, 0.9) != pytest.approx(golden["hi80"], rel=1e-3)
    a = check_forecast(dataset, "t_share", ind)
    assert "bounded_logit" in a.forecast.flags
    assert_row(table.loc["t_share"], golden)


def test_rank_conditioned_on_an_upper_bound_with_the_half_step(dataset: loader.Dataset, table: pd.DataFrame) -> None:
    golden, ind = GOLDEN["t_rank"], Independent(RANKS)
    # "<= 10" (前十) in 2024 is an upper bound: keep the paths whose 2024 value is at most 10 + the half step
    kept_paths = ind.column(2024) <= 10 + HALF_STEP
    assert 0.05 * N_PATHS <= kept_paths.sum() == 459
    kept = ind.column(2027)[kept_paths]
    assert ranges(kept) == pytest.approx({"median": golden["projected_value"], **{k: golden[k] for k in ("lo80", "hi80", "lo95", "hi95")}}, rel=REL)
    # target: rank <= 9 in 2027, i.e. a continuous value <= 9.5
    assert float(np.mean(kept <= 9 + HALF_STEP)) == golden["p_meet"]
    # the test can tell: without the half step, without the conditioning or with it reversed, P differs
    assert float(np.mean(kept <= 9)) != pytest.approx(golden["p_meet"], abs=0.01)
    assert float(np.mean(ind.column(2027) <= 9 + HALF_STEP)) != pytest.approx(golden["p_meet"], abs=0.01)
    assert float(np.mean(ind.column(2027)[ind.column(2024) >= 10 - HALF_STEP] <= 9 + HALF_STEP)) != pytest.approx(golden["p_meet"], abs=0.01)
    assert float(np.mean(ind.column(2027)[ind.column(2024) <= 10] <= 9 + HALF_STEP)) != pytest.approx(golden["p_meet"], abs=1e-6)
    check_forecast(dataset, "t_rank", ind)
    row = table.loc["t_rank"]
    assert_row(row, golden)
    assert (row.latest_period, row.latest_value, row.latest_qualifier, row.n_obs) == ("2024", 10.0, "<=", 8)
    assert "projection conditioned on the published bounds (459 of 2000 paths agree)" in row.note


def test_cumulative_target_sums_observed_and_simulated_flows(dataset: loader.Dataset, table: pd.DataFrame) -> None:
    golden, ind = GOLDEN["t_cum"], Independent(FLOWS)
    done = FLOWS[2023] + FLOWS[2024] + FLOWS[2025]  # base 2022: the target counts 2023-2027
    sums = done + ind.column(2026) + ind.column(2027)
    assert done + ind.mean[0] + ind.mean[1] == pytest.approx(golden["projected_value"], rel=REL)
    assert {k: v for k, v in ranges(sums).items() if k != "median"} == pytest.approx(
        {k: golden[k] for k in ("lo80", "hi80", "lo95", "hi95")}, rel=REL)
    assert float(np.mean(sums >= 2800)) == golden["p_meet"]
    # one year fewer or more in the sum would give another P
    assert float(np.mean(done + ind.column(2026) >= 2800)) != pytest.approx(golden["p_meet"], abs=0.01)
    assert float(np.mean(done + ind.column(2026) + ind.column(2027) + ind.column(2028) >= 2800)) != pytest.approx(golden["p_meet"], abs=0.01)
    check_forecast(dataset, "t_cum", ind)
    row = table.loc["t_cum"]
    assert_row(row, golden)
    assert row.required_value == pytest.approx(2800 * 3 / 5) and row.gap == pytest.approx(done - 2800 * 3 / 5)
    path = {2023: 500, 2024: 1040, 2025: 1600, 2026: done + ind.mean[0], 2027: done + ind.mean[0] + ind.mean[1],
            2028: done + ind.mean[:3].sum()}
    assert row.first_year_meeting == first_year(path, 2800, 2022) == 2028


def test_two_value_series_leans_on_the_growth_prior(dataset: loader.Dataset, table: pd.DataFrame) -> None:
    golden, ind = GOLDEN["t_two"], Independent(TWO)
    calib = calibration.SHORT_SERIES[2]
    # two values: no own noise estimate, so the pooled noise (at least the floor) sets the weight on the series' own growth
    span = max(TWO) - min(TWO)
    noise_var = max(calib["noise_sd"], calib["noise_floor"]) ** 2
    weight = calib["prior_sd"] ** 2 / (calib["prior_sd"] ** 2 + noise_var / span)
    slope = weight * math.log(46 / 40) / span + (1 - weight) * calib["growth"]
    assert golden["projected_value"] == pytest.approx(46 * math.exp(3 * slope), rel=REL)  # closed form of the point path
    column = ind.column(2027)
    assert {k: v for k, v in ranges(column).items() if k != "median"} == pytest.approx(
        {k: golden[k] for k in ("lo80", "hi80", "lo95", "hi95")}, rel=REL)
    assert float(np.mean(column >= 60)) == golden["p_meet"]
    assert_closed_form(ind, 2027, golden)
    a = check_forecast(dataset, "t_two", ind, method="growth_prior")
    assert "short_series" in a.forecast.flags and "peer_prior" not in a.forecast.flags
    assert_row(table.loc["t_two"], golden)


def test_average_growth_target_is_a_level_from_the_stated_base(dataset: loader.Dataset, table: pd.DataFrame) -> None:
    golden, ind = GOLDEN["t_avg"], Independent(AMOUNTS)
    level = AMOUNTS[2022] * 1.12 ** 5  # 12 % a year from 2022's 160: 281.98 in 2027
    column = ind.column(2027)
    assert ind.mean[2] == pytest.approx(golden["projected_value"], rel=REL)
    assert {k: v for k, v in ranges(column).items() if k != "median"} == pytest.approx(
        {k: golden[k] for k in ("lo80", "hi80", "lo95", "hi95")}, rel=REL)
    assert float(np.mean(column >= level)) == golden["p_meet"]
    assert float(np.mean(column >= AMOUNTS[2022] * 1.12 ** 4)) != pytest.approx(golden["p_meet"], abs=0.01)  # one year less
    assert_closed_form(ind, 2027, golden)
    check_forecast(dataset, "t_avg", ind)
    row = table.loc["t_avg"]
    assert_row(row, golden)
    assert (row.base_year_used, row.base_value) == (2022, 160.0)
    assert row.required_value == pytest.approx(160 * 1.12 ** 2)
    assert row.progress_ratio == pytest.approx(((186 / 160) ** 0.5 - 1) / 0.12, rel=1e-6)


def test_past_target_between_two_observed_years_is_a_brownian_bridge(table: pd.DataFrame) -> None:
    golden = GOLDEN["t_bridge"]
    years = np.array(sorted(BRIDGE), dtype=float)
    logs = np.log([BRIDGE[int(y)] for y in years])
    sigma = max(float(np.std(np.diff(logs) / np.sqrt(np.diff(years)), ddof=1)), calibration.SPREAD_FLOOR)
    centre = (math.log(66) + math.log(75)) / 2  # 2021 halfway between 2020 and 2022 on the log scale
    sd = sigma * math.sqrt(1 * 1 / 2)
    p = float(norm.sf((math.log(70) - centre) / sd))
    assert golden["projected_value"] == pytest.approx(math.sqrt(66 * 75), rel=REL)
    assert golden["p_meet"] == pytest.approx(p, rel=1e-9)
    row = table.loc["t_bridge"]
    assert row.projected_value == pytest.approx(golden["projected_value"], rel=REL)
    assert row.p_meet == pytest.approx(golden["p_meet"], rel=1e-9)
    assert (row.horizon_kind, row.status, row.interpolated_years) == ("past", golden["status"], "2021")
    assert golden["status"] == ("probably_met" if p >= 0.66 else "outcome_uncertain" if p >= 0.33 else "probably_missed")  # P's words
