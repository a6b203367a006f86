"""Forecasting models for short annual series behind one interface, and the default combination.

``forecast(series, horizon, method)`` fits one model on an annual series (index = int year,
gaps allowed, NaN = missing) and returns a :class:`Forecast`: the point path, sample paths
(``N_PATHS``, fixed seed) and, from those samples, interval bounds and probabilities.

Choices (measured on the M3 yearly data, see ``analysis.backtest`` and docs/INTERFACES.md):

- Missing years are never treated as consecutive. naive, drift, linear and loglinear use the
  real years (drift = change per elapsed year between the first and last observation; the
  trend models regress on the year), and so does auto, the median of naive, drift and loglinear.
  damped, theta and arima need a regular yearly grid:
  they are fitted on a grid whose missing years are filled by linear interpolation on the
  working scale (log for positive series, i.e. geometric filling; logit for bounded ones) and
  the forecast carries the flag ``gaps_interpolated``.
- Bounded indicators (``bounds=(0, 100)`` for shares) are modelled on
  ``logit((y - lo) / (hi - lo))`` (``log`` when only one bound is given) and transformed back,
  so means and samples stay inside the bounds (flag ``bounded_logit`` / ``bounded_log``).
  ``loglinear`` on a bounded series is the linear trend on that scale (logistic growth).
- ``auto`` is the year-by-year median of naive, drift and the log-linear trend (``AUTO_MEMBERS``;
  linear instead of log-linear for series with non-positive values). It was chosen among ~1,100
  mean/median combinations of naive, drift, SES, damped Holt, Theta (theta 1.5/2/3), ARIMA, linear
  and log-linear by sMAPE/MASE on a validation split of M3 yearly (the last 6 points of each
  training series): best validation sMAPE (18.54), MASE 3.23 within 1 % of the best. On the
  untouched test split it scores 15.85 sMAPE / 2.62 MASE, better than each member and than damped
  Holt (17.83 / 3.02), Theta (16.82 / 2.78) or drift (16.79 / 2.63); adding damped Holt as a fourth
  member changes the test score by <0.01 but costs a statsmodels fit at every backtest origin. The
  log-linear member is poor alone but, as the middle of three, pulls the flat and linear
  projections toward the long-run growth when they disagree.
- Uncertainty: every method's sample paths come from an empirical table of its own scaled
  h-step errors (``ERROR_QUANTILES``). Errors are measured on the log scale for positive series
  (logit/log scale for bounded ones, raw scale otherwise) and divided by the series' naive error
  per year on that scale (the median absolute change, never below ``SPREAD_FLOOR``, the 5 % quantile
  of the pooled spreads: a flat series gets a narrow interval, not one of zero width). Paths join
  the per-horizon marginals through a Gaussian random-walk copula, so the spread grows along a path
  and sums over years are sensible; horizons beyond the table's last one widen with sqrt(h).
- Calibration: every constant learned from data lives in the generated module
  ``analysis.calibration`` (``python -m analysis bench m3 --data <path> --calibrate``). It is fitted
  on rolling origins inside the M3 yearly *training* split, on windows whose actuals end before the
  last 6 training values; those 6 values choose the design (origins, volatility window: the best
  interval score among designs covering within 3 points of 80 % and 95 %) and check the result.
  The test split is never read (a test changes every test value and compares).
- Short series (2-4 points, flag ``short_series``): the own slope is mostly noise, so every method
  but naive becomes ``growth_prior``, and so does ``auto`` up to ``PRIOR_MAX_POINTS`` points (6: on
  the validation split it beat the full auto at 5 and 6 points, not at 7): on the log scale, the last value plus
  ``weight x own growth + (1 - weight) x prior growth`` a year, with prior growth and weight fitted
  (sMAPE + MASE relative to naive) on M3 training windows cut to the same length, or the median
  growth of ``peers`` (the same indicator elsewhere, flag ``peer_prior``) in place of the pooled
  prior. Intervals come from those windows' scaled errors, the spread being half the own mean
  absolute change and half the pooled one (the floor). One point raises :class:`SeriesTooShort`.
- arima is ARIMA(0,1,1) with drift fitted by conditional least squares (a vectorised grid over
  the MA coefficient): statsmodels SARIMAX took 0.1-2 s per M3 series; forecasts agree closely.
  damped (ETSModel) and theta (ThetaModel) are statsmodels, fitted on a standardised copy.
"""

from __future__ import annotations

import math
import sys
import warnings
from functools import lru_cache
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import pandas as pd
from scipy.special import ndtr

from analysis import calibration

SHORT_METHOD = "growth_prior"  # what every method but naive becomes below MIN_POINTS_FULL points
METHODS = ("naive", "drift", "linear", "loglinear", "damped", "theta", "arima", "auto")
AUTO_MEMBERS = ("naive", "drift", "loglinear")
REGULAR_GRID_METHODS = frozenset({"damped", "theta", "arima", "ses"})
N_PATHS = 2000
MIN_POINTS = 2
MIN_POINTS_FULL = 5
BOUND_MARGIN = 1e-3  # share of the bounded range kept free at each bound, so the logit stays finite
SINGLE_BOUND_MARGIN = 1e-9  # distance kept from a lone bound, so its log stays finite


class SeriesTooShort(ValueError):
    """Raised when a series has too few observed values to project."""


# ---------------------------------------------------------------------------------------------
# scales


@dataclass(frozen=True)
class Scale:
    """A monotone transform between the data scale and a working scale."""

    name: str
    lo: float | None = None
    hi: float | None = None

    def forward(self, y: np.ndarray) -> np.ndarray:
        """Map data values to the working scale."""
        y = np.asarray(y, dtype=float)
        if self.name == "identity":
            return y
        if self.name == "log":
            return np.log(y)
        if self.name == "log_lower":
            return np.log(np.maximum(y - self.lo, SINGLE_BOUND_MARGIN))
        if self.name == "log_upper":
            return -np.log(np.maximum(self.hi - y, SINGLE_BOUND_MARGIN))
        share = np.clip((y - self.lo) / (self.hi - self.lo), BOUND_MARGIN, 1 - BOUND_MARGIN)
        return np.log(share / (1 - share))

    def inverse(self, z: np.ndarray) -> np.ndarray:
        """Map working-scale values back to the data scale."""
        z = np.asarray(z, dtype=float)
        if self.name == "identity":
            return z
        if self.name == "log":
            return np.exp(np.minimum(z, 700.0))
        if self.name == "log_lower":
            return self.lo + np.exp(np.minimum(z, 700.0))
        if self.name == "log_upper":
            return self.hi - np.exp(np.minimum(-z, 700.0))
        return self.lo + (self.hi - self.lo) * (0.5 * (1 + np.tanh(z / 2)))

    @property
    def flag(self) -> str | None:
        """Flag naming the bounded transform, if any."""
        return {"logit": "bounded_logit", "log_lower": "bounded_log", "log_upper": "bounded_log"}.get(self.name)


IDENTITY = Scale("identity")
LOG = Scale("log")


def model_scale(bounds: tuple[float | None, float | None] | None) -> Scale:
    """Working scale on which models are fitted: logit/log for bounded indicators, else identity."""
    lo, hi = bounds if bounds is not None else (None, None)
    lo = None if lo is None or (isinstance(lo, float) and math.isnan(lo)) else float(lo)
    hi = None if hi is None or (isinstance(hi, float) and math.isnan(hi)) else float(hi)
    if lo is not None and hi is not None:
        if hi <= lo:
            raise ValueError(f"bounds must satisfy lower < upper, got {bounds}")
        return Scale("logit", lo, hi)
    if lo is not None:
        return Scale("log_lower", lo, None)
    if hi is not None:
        return Scale("log_upper", None, hi)
    return IDENTITY


def error_scale(values: np.ndarray, scale: Scale) -> Scale:
    """Scale on which forecast errors are measured: the model scale if bounded, log if positive."""
    if scale is not IDENTITY and scale.name != "identity":
        return scale
    return LOG if np.all(np.asarray(values) > 0) else IDENTITY


# ---------------------------------------------------------------------------------------------
# the series as the models see it


@dataclass(frozen=True)
class Prepared:
    """An annual series on its working scale: observed years, and a gap-free yearly grid."""

    years: np.ndarray
    z: np.ndarray
    grid_years: np.ndarray
    grid_z: np.ndarray
    scale: Scale

    @property
    def has_gaps(self) -> bool:
        """True when some year between the first and the last is missing."""
        return len(self.grid_years) > len(self.years)


def clean_series(series: pd.Series) -> pd.Series:
    """Drop missing values, sort by year and check the index is integer years without duplicates."""
    values = pd.to_numeric(pd.Series(series), errors="coerce").astype(float)
    values = values[np.isfinite(values.to_numpy())]
    try:
        years = np.asarray(values.index, dtype=float)
    except (TypeError, ValueError) as err:
        raise ValueError(f"series index must be integer years: {err}") from None
    if len(years) and not np.all(years == np.round(years)):
        raise ValueError("series index must be integer years")
    values.index = pd.Index(years.astype(int), name="year")
    if values.index.has_duplicates:
        dup = sorted(set(values.index[values.index.duplicated()]))
        raise ValueError(f"series has duplicate years: {dup}")
    return values.sort_index()


def prepare(history: pd.Series, scale: Scale) -> Prepared:
    """Put a clean series on its working scale and fill missing years on a regular grid."""
    years = history.index.to_numpy(dtype=int)
    z = scale.forward(history.to_numpy(dtype=float))
    grid_years = np.arange(years[0], years[-1] + 1)
    grid_z = np.interp(grid_years, years, z) if len(grid_years) > len(years) else z
    return Prepared(years, z, grid_years, grid_z, scale)


# ---------------------------------------------------------------------------------------------
# point forecasts on the working scale (each: Prepared, horizon -> array of length horizon)


def steps(horizon: int) -> np.ndarray:
    """The steps 1..horizon as floats."""
    return np.arange(1, horizon + 1, dtype=float)


def naive_path(p: Prepared, horizon: int) -> np.ndarray:
    """Last observed value, held flat."""
    return np.full(horizon, p.z[-1])


def drift_path(p: Prepared, horizon: int) -> np.ndarray:
    """Last value plus the average change per elapsed year between first and last observation."""
    slope = (p.z[-1] - p.z[0]) / (p.years[-1] - p.years[0])
    return p.z[-1] + slope * steps(horizon)


def linear_path(p: Prepared, horizon: int) -> np.ndarray:
    """Least-squares straight line through the observed years, extended."""
    slope, intercept = np.polyfit(p.years.astype(float), p.z, 1)
    future = p.years[-1] + steps(horizon)
    return intercept + slope * future


def loglinear_path(p: Prepared, horizon: int) -> np.ndarray:
    """Constant-growth trend: a straight line through the log values (positive series only)."""
    if p.scale.name != "identity":
        return linear_path(p, horizon)
    if np.any(p.z <= 0):
        raise ValueError("loglinear needs a strictly positive series")
    logged = Prepared(p.years, np.log(p.z), p.grid_years, np.log(np.maximum(p.grid_z, 1e-300)), p.scale)
    return np.exp(linear_path(logged, horizon))


def quiet_fit(fit: Callable[[np.ndarray], np.ndarray], z: np.ndarray) -> np.ndarray:
    """Run a location/scale-equivariant statsmodels fit on a standardised copy of z, warnings off."""
    # the optimisers converge far faster (and more reliably) on O(1) data than on raw M3 scales
    centre = float(z[-1])
    spread = float(np.mean(np.abs(np.diff(z)))) or float(np.std(z)) or 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            path = np.asarray(fit((z - centre) / spread), dtype=float)
    return centre + spread * path


def damped_path(p: Prepared, horizon: int) -> np.ndarray:
    """Holt's linear method with additive damped trend (statsmodels ETSModel, additive errors)."""
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    def fit(z: np.ndarray) -> np.ndarray:
        return ETSModel(z, error="add", trend="add", damped_trend=True).fit(disp=False).forecast(horizon)

    return quiet_fit(fit, p.grid_z)


def ses_path(p: Prepared, horizon: int) -> np.ndarray:
    """Simple exponential smoothing (statsmodels ETSModel A,N,N)."""
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    return quiet_fit(lambda z: ETSModel(z, error="add").fit(disp=False).forecast(horizon), p.grid_z)


def theta_path(p: Prepared, horizon: int) -> np.ndarray:
    """Theta method (statsmodels ThetaModel, no seasonality for yearly data)."""
    from statsmodels.tsa.forecasting.theta import ThetaModel

    def fit(z: np.ndarray) -> np.ndarray:
        return ThetaModel(z, period=1, deseasonalize=False).fit().forecast(horizon).to_numpy()

    return quiet_fit(fit, p.grid_z)


MA_GRID = np.linspace(-0.98, 0.98, 197)


def arima_path(p: Prepared, horizon: int) -> np.ndarray:
    """ARIMA(0,1,1) with drift, fitted by conditional least squares on the yearly differences."""
    # d_t = c + e_t + theta e_{t-1}: for each theta on a grid the residuals are affine in c, so c has
    # a closed form and the whole fit is one vectorised pass (SARIMAX took 0.1-2 s per M3 series)
    diffs = np.diff(p.grid_z)
    if len(diffs) < 2:
        return drift_path(p, horizon)
    a = np.zeros_like(MA_GRID)
    b = np.zeros_like(MA_GRID)
    a_rows, b_rows = [], []
    for d in diffs:
        a = d - MA_GRID * a
        b = 1.0 - MA_GRID * b
        a_rows.append(a)
        b_rows.append(b)
    a_all, b_all = np.vstack(a_rows), np.vstack(b_rows)
    drift = (a_all * b_all).sum(axis=0) / (b_all * b_all).sum(axis=0)
    sse = ((a_all - drift * b_all) ** 2).sum(axis=0)
    best = int(np.argmin(sse))
    theta, c = MA_GRID[best], drift[best]
    last_error = a_all[-1, best] - c * b_all[-1, best]
    increments = np.full(horizon, c)
    increments[0] += theta * last_error
    return p.grid_z[-1] + np.cumsum(increments)


POINT_PATHS: dict[str, Callable[[Prepared, int], np.ndarray]] = {
    "naive": naive_path,
    "drift": drift_path,
    "linear": linear_path,
    "loglinear": loglinear_path,
    "damped": damped_path,
    "theta": theta_path,
    "arima": arima_path,
    "ses": ses_path,
}


def robust_path(method: str, p: Prepared, horizon: int) -> np.ndarray:
    """A member's path, falling back to drift when a fit fails or returns non-finite values."""
    if method == "loglinear":
        return loglinear_path(p, horizon)  # a non-positive series is the caller's error: let it raise
    try:
        path = POINT_PATHS[method](p, horizon)
    except (ValueError, ArithmeticError, np.linalg.LinAlgError):
        return drift_path(p, horizon)
    return path if np.all(np.isfinite(path)) else drift_path(p, horizon)


def combine_paths(paths: Sequence[np.ndarray]) -> np.ndarray:
    """The auto combination: the median of its members' paths, year by year."""
    return np.median(np.vstack(paths), axis=0)


def auto_member(method: str, p: Prepared) -> str:
    """The member actually used inside auto: loglinear becomes linear on a non-positive series."""
    if method == "loglinear" and p.scale.name == "identity" and np.any(p.z <= 0):
        return "linear"
    return method


def point_path(method: str, p: Prepared, horizon: int, cache: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """Point forecast of one method (or the auto combination) on the working scale, memoised in cache."""
    cache = {} if cache is None else cache
    if method not in cache:
        if method == "auto":
            members = [point_path(auto_member(m, p), p, horizon, cache) for m in AUTO_MEMBERS]
            cache[method] = combine_paths(members)
        else:
            cache[method] = robust_path(method, p, horizon)
    return cache[method]


# ---------------------------------------------------------------------------------------------
# uncertainty: empirical quantiles of scaled errors per horizon, joined by a Gaussian copula

QUANTILE_PROBS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.975, 0.99, 0.995)

# Every constant learned from data lives in the generated module analysis.calibration (M3 yearly
# *training* split only; regenerate with `python -m analysis bench m3 --data <path> --calibrate`).
ERROR_QUANTILES: dict[str, tuple[tuple[float, ...], ...]] = calibration.ERROR_QUANTILES
SHORT_SERIES: dict[int, dict] = calibration.SHORT_SERIES
SPREAD_FLOOR: float = calibration.SPREAD_FLOOR
PRIOR_MAX_POINTS: int = calibration.PRIOR_MAX_POINTS  # auto uses the growth prior up to this many points
SCALE_WINDOW: int | None = calibration.DESIGN["scale_window"] or None
SHORT_OWN_SPREAD_WEIGHT = 0.5  # short-series spread = this x own volatility + the rest x pooled (validation choice)
PEER_YEARS = 5  # a peer's growth is measured over its last PEER_YEARS years

FALLBACK_QUANTILE_METHOD = "drift"


def naive_scale(years: np.ndarray, e: np.ndarray, window: int | None = SCALE_WINDOW) -> float:
    """Typical absolute change per elapsed year over the last `window` changes (None: all), on the error scale."""
    # the median, not the mean: one dip to near zero (or one odd year) must not blow up every interval
    changes = np.abs(np.diff(e)) / np.diff(years)
    changes = changes[-window:] if window else changes
    typical = float(np.median(changes))
    return typical if typical > 0 else float(np.mean(changes))


def spread_unit(e: np.ndarray, escale: Scale) -> float:
    """What one unit of a pooled spread is on this error scale: 1 on log/logit, the level on the raw scale."""
    if escale.name != "identity":
        return 1.0
    level = float(np.max(np.abs(e))) if len(e) else 0.0
    return level if level > 0 else 1.0


def interval_spread(years: np.ndarray, e: np.ndarray, escale: Scale) -> float:
    """The spread errors are scaled by: the recent naive scale, never below the pooled floor."""
    return max(naive_scale(years, e), SPREAD_FLOOR * spread_unit(e, escale))


def own_slopes(z: np.ndarray) -> np.ndarray:
    """Change per step between the first and last value of each row (a window of consecutive years)."""
    return (z[:, -1] - z[:, 0]) / (z.shape[1] - 1)


def shrunk_slope(own: np.ndarray | float, growth: float, weight: float) -> np.ndarray | float:
    """A short series' slope: its own slope shrunk towards the prior growth (weight = own share)."""
    return weight * np.asarray(own) + (1 - weight) * growth


def short_spread(own_scale: np.ndarray | float, pooled: float) -> np.ndarray | float:
    """A short series' spread: its own mean absolute change mixed with the pooled one (the width floor)."""
    return SHORT_OWN_SPREAD_WEIGHT * np.asarray(own_scale) + (1 - SHORT_OWN_SPREAD_WEIGHT) * pooled


def short_calibration(n_points: int) -> dict:
    """The SHORT_SERIES entry for a series of n_points observed years."""
    return SHORT_SERIES[min(max(n_points, min(SHORT_SERIES)), max(SHORT_SERIES))]


def error_quantiles(method: str, horizon: int, n_points: int | None = None) -> np.ndarray:
    """Per-horizon quantile rows of the method's scaled errors (the short-series table of that length if n_points)."""
    if n_points is not None:
        table = short_calibration(n_points)["quantiles"][method]
    else:
        table = ERROR_QUANTILES.get(method) or ERROR_QUANTILES.get(FALLBACK_QUANTILE_METHOD)
    if not table:
        table = default_quantile_table()
    rows = np.asarray(table, dtype=float)
    last = len(rows)
    out = [rows[h - 1] if h <= last else rows[-1] * math.sqrt(h / last) for h in range(1, horizon + 1)]
    return np.vstack(out)


def default_quantile_table() -> tuple[tuple[float, ...], ...]:
    """A normal random-walk table, used only before ERROR_QUANTILES has been generated."""
    from scipy.stats import norm

    z = norm.ppf(QUANTILE_PROBS) * 1.25
    return tuple(tuple(float(v) for v in z * math.sqrt(h)) for h in range(1, 7))


def copula_uniforms(n_paths: int, horizon: int, rng: np.random.Generator) -> np.ndarray:
    """Uniforms whose dependence along a path is that of a Gaussian random walk."""
    walk = np.cumsum(rng.standard_normal((n_paths, horizon)), axis=1) / np.sqrt(steps(horizon))
    return ndtr(walk)


@lru_cache(maxsize=256)
def scaled_error_samples(
    method: str, horizon: int, n_paths: int, seed: int, n_points: int | None = None
) -> np.ndarray:
    """Sample paths of scaled errors whose marginals follow the method's quantile table (read-only)."""
    # independent of the series, so cached: backtests reuse them at every origin
    uniforms = copula_uniforms(n_paths, horizon, np.random.default_rng(seed))
    rows = error_quantiles(method, horizon, n_points)
    probs = np.asarray(QUANTILE_PROBS)
    errors = np.column_stack([np.interp(uniforms[:, h], probs, rows[h]) for h in range(horizon)])
    errors.setflags(write=False)
    return errors


# ---------------------------------------------------------------------------------------------
# the Forecast


@dataclass(frozen=True)
class Forecast:
    """A projection of one annual series: point path, sample paths, intervals and probabilities."""

    method: str
    years: list[int]
    mean: pd.Series
    samples: np.ndarray
    flags: tuple[str, ...]
    history: pd.Series
    levels: tuple[int, ...] = (80, 95)

    def _column(self, year: int) -> np.ndarray:
        """Sample values for one forecast year."""
        if year not in self.years:
            raise KeyError(f"{year} is not a forecast year ({self.years[0]}-{self.years[-1]})")
        return self.samples[:, self.years.index(year)]

    def lower(self, level: float) -> pd.Series:
        """Lower bound of the central interval at `level` percent, per forecast year."""
        return self._quantile((1 - level / 100) / 2)

    def upper(self, level: float) -> pd.Series:
        """Upper bound of the central interval at `level` percent, per forecast year."""
        return self._quantile(1 - (1 - level / 100) / 2)

    def _quantile(self, prob: float) -> pd.Series:
        """Sample quantile per forecast year."""
        if not 0 < prob < 1:
            raise ValueError(f"interval level must be between 0 and 100, got quantile {prob}")
        values = np.quantile(self.samples, prob, axis=0)
        return pd.Series(values, index=pd.Index(self.years, name="year"))

    def prob_at_least(self, year: int, x: float) -> float:
        """P(Y_year >= x) under the sample paths."""
        return float(np.mean(self._column(year) >= x))

    def prob_at_most(self, year: int, x: float) -> float:
        """P(Y_year <= x) under the sample paths."""
        return float(np.mean(self._column(year) <= x))

    def prob_sum_at_least(self, years: Sequence[int], x: float) -> float:
        """P(sum of Y over `years` >= x); years already observed count with their history value."""
        total = np.zeros(len(self.samples))
        for year in years:
            if year in self.years:
                total = total + self._column(year)
            elif year in self.history.index:
                total = total + float(self.history.loc[year])
            else:
                raise KeyError(f"{year} is neither observed nor a forecast year")
        return float(np.mean(total >= x))


def effective_method(method: str, n_points: int) -> tuple[str, tuple[str, ...]]:
    """The method actually used and any flag, given how many points the series has."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    if n_points < MIN_POINTS:
        raise SeriesTooShort(
            f"a projection needs at least {MIN_POINTS} observed years, this series has {n_points}"
        )
    if n_points < MIN_POINTS_FULL:
        return ("naive" if method == "naive" else SHORT_METHOD), ("short_series",)
    if method == "auto" and n_points <= PRIOR_MAX_POINTS:
        return SHORT_METHOD, ()
    return method, ()


def forecast(
    series: pd.Series,
    horizon: int,
    method: str = "auto",
    levels: Sequence[float] = (80, 95),
    bounds: tuple[float | None, float | None] | None = None,
    seed: int = 0,
    n_paths: int = N_PATHS,
    peers: Sequence[pd.Series] = (),
) -> Forecast:
    """Project an annual series `horizon` years past its last observation with one method.

    `peers` are the same indicator in comparison regions (year-indexed, only values published by the
    as-of date); a short series (fewer than MIN_POINTS_FULL points) takes its prior growth from them.
    """
    return forecast_methods(series, horizon, (method,), levels, bounds, seed, n_paths, peers)[method]


def forecast_methods(
    series: pd.Series,
    horizon: int,
    methods: Sequence[str],
    levels: Sequence[float] = (80, 95),
    bounds: tuple[float | None, float | None] | None = None,
    seed: int = 0,
    n_paths: int = N_PATHS,
    peers: Sequence[pd.Series] = (),
) -> dict[str, Forecast]:
    """Forecasts of several methods on one series, fitting each shared member (e.g. of auto) once."""
    context = forecast_context(series, horizon, levels, bounds, seed, n_paths, peers)
    cache: dict[str, np.ndarray] = {}
    return {method: forecast_from_context(method, context, cache) for method in methods}


@dataclass(frozen=True)
class Context:
    """Everything a method needs to forecast one series, computed once."""

    history: pd.Series
    prepared: Prepared
    horizon: int
    levels: tuple[float, ...]
    seed: int
    n_paths: int
    peer_growth: float | None = None


def forecast_context(
    series: pd.Series,
    horizon: int,
    levels: Sequence[float] = (80, 95),
    bounds: tuple[float | None, float | None] | None = None,
    seed: int = 0,
    n_paths: int = N_PATHS,
    peers: Sequence[pd.Series] = (),
) -> Context:
    """Check and prepare one series for forecasting."""
    if int(horizon) != horizon or horizon < 1:
        raise ValueError(f"horizon must be a positive integer, got {horizon}")
    history = clean_series(series)
    effective_method("naive", len(history))  # raises SeriesTooShort before anything is fitted
    scale = model_scale(bounds)
    values = history.to_numpy(dtype=float)
    check_inside_bounds(values, scale)
    growth = peer_growth(peers, error_scale(values, scale)) if len(history) <= PRIOR_MAX_POINTS else None
    return Context(history, prepare(history, scale), int(horizon), tuple(levels), seed, n_paths, growth)


def inside_domain(values: np.ndarray, escale: Scale) -> bool:
    """True when every value has a finite, unclipped image on the scale (positive for log, inside the bounds)."""
    if escale.name == "log":
        return bool(np.all(values > 0))
    lo = -np.inf if escale.lo is None else escale.lo
    hi = np.inf if escale.hi is None else escale.hi
    return bool(np.all((values > lo) & (values < hi)))


def peer_growth(peers: Sequence[pd.Series], escale: Scale) -> float | None:
    """Median change per year of the peers over their last PEER_YEARS years, on the error scale; None if none."""
    if escale.name == "identity":
        return None  # raw levels of other regions are not comparable
    growths = []
    for peer in peers:
        clean = clean_series(peer)
        clean = clean[clean.index >= clean.index.max() - PEER_YEARS] if len(clean) else clean
        values = clean.to_numpy(dtype=float)
        if len(clean) < 2 or not inside_domain(values, escale):
            continue
        z, years = escale.forward(values), clean.index.to_numpy(dtype=float)
        growths.append((z[-1] - z[0]) / (years[-1] - years[0]))
    return float(np.median(growths)) if growths else None


def is_plain_log(escale: Scale) -> bool:
    """True when the error scale is log(y) itself (a positive series, or a lower bound of 0), where M3's growth applies."""
    return escale.name == "log" or (escale.name == "log_lower" and escale.lo == 0)


def growth_prior_path(p: Prepared, horizon: int, growth: float | None = None) -> np.ndarray:
    """A short series' own slope shrunk towards a prior growth (peers' or the pooled M3 one), extended."""
    calib = short_calibration(len(p.years))
    values = p.scale.inverse(p.z)
    escale = error_scale(values, p.scale)
    if growth is None:
        growth = calib["growth"] if is_plain_log(escale) else 0.0  # the pooled prior is a growth of log values
    e = escale.forward(values)
    own = (e[-1] - e[0]) / (p.years[-1] - p.years[0])
    path = e[-1] + steps(horizon) * float(shrunk_slope(own, growth, calib["weight"]))
    return p.scale.forward(escale.inverse(path))


def forecast_from_context(method: str, context: Context, cache: dict[str, np.ndarray] | None = None) -> Forecast:
    """Forecast a prepared series with one method, reusing member paths found in cache."""
    history, prepared, horizon = context.history, context.prepared, context.horizon
    used, flags = effective_method(method, len(history))
    values = history.to_numpy(dtype=float)
    if used == SHORT_METHOD:
        working = growth_prior_path(prepared, horizon, context.peer_growth)
        flags = flags + (("peer_prior",) if context.peer_growth is not None else ())
    else:
        working = point_path(used, prepared, horizon, cache)
    mean = prepared.scale.inverse(working)
    samples = sample_paths(used, prepared, values, mean, horizon, context.n_paths, context.seed)
    flags = flags + tuple(f for f in (prepared.scale.flag,) if f)
    if prepared.has_gaps and used in REGULAR_GRID_METHODS:
        flags = flags + ("gaps_interpolated",)
    years = [int(history.index[-1]) + h for h in range(1, horizon + 1)]
    index = pd.Index(years, name="year")
    return Forecast(
        method=used,
        years=years,
        mean=pd.Series(mean, index=index, name="mean"),
        samples=samples,
        flags=flags,
        history=history,
        levels=context.levels,
    )


def check_inside_bounds(values: np.ndarray, scale: Scale) -> None:
    """Raise ValueError when an observed value lies outside the indicator's bounds."""
    if scale.lo is not None and np.any(values < scale.lo):
        raise ValueError(f"value {values.min()} below the lower bound {scale.lo}")
    if scale.hi is not None and np.any(values > scale.hi):
        raise ValueError(f"value {values.max()} above the upper bound {scale.hi}")


def sample_paths(
    method: str, p: Prepared, values: np.ndarray, mean: np.ndarray, horizon: int, n_paths: int, seed: int
) -> np.ndarray:
    """Sample paths around the point path: mean on the error scale plus scaled empirical errors."""
    escale = error_scale(values, p.scale)
    e_hist = escale.forward(values)
    n_points = len(values)
    short = n_points < MIN_POINTS_FULL or method == SHORT_METHOD
    if short:
        own = float(np.mean(np.abs(np.diff(e_hist)) / np.diff(p.years)))
        spread = float(short_spread(own, short_calibration(n_points)["scale"] * spread_unit(e_hist, escale)))
    else:
        spread = interval_spread(p.years, e_hist, escale)
    # a point path that crosses zero on a positive series cannot be logged: keep it just above 0
    floor = np.min(values[values > 0]) * 1e-3 if escale is LOG else None
    centre = escale.forward(np.maximum(mean, floor) if floor is not None else mean)
    table_points = n_points if short else None
    errors = scaled_error_samples(method, horizon, n_paths, seed, table_points)
    return escale.inverse(centre + spread * errors)


# ---------------------------------------------------------------------------------------------
# the CLI: a series_id,t,value CSV in, a series_id,t,h,mean,lo..,hi.. CSV out


class InputError(ValueError):
    """A malformed forecast input file (message names the file and row)."""


# Beyond this magnitude the simulated paths overflow float64 (measured: 1e300 gave hi80 below the mean).
MAX_INPUT_MAGNITUDE = 1e200


def read_forecast_input(path: Path) -> pd.DataFrame:
    """Read and check a series_id,t,value CSV; raise InputError naming file, row and column."""
    import csv
    import io

    from analysis import data  # the project's number rule (finite, plain decimal) and BOM


    def fail(line: int, column: str, message: str) -> InputError:
        return InputError(f"{path}:{line}: column {column}: {message}")

    try:
        text = Path(path).read_bytes().decode("utf-8").removeprefix(data.BOM)
        records, lines = [], []
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        start = 1
        for record in reader:
            records.append(record)
            lines.append(start)
            start = reader.line_num + 1
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        raise InputError(f"{path}: cannot read CSV: {err}") from None
    header = records[0] if records else []
    missing = [c for c in ("series_id", "t", "value") if c not in header]
    if missing:
        raise InputError(f"{path}:1: missing column(s) {', '.join(missing)} (need series_id,t,value)")
    col = {name: header.index(name) for name in ("series_id", "t", "value")}
    rows = []
    for record, line in zip(records[1:], lines[1:]):
        if record == [] or record == [""]:
            continue
        if len(record) != len(header):
            raise InputError(f"{path}:{line}: has {len(record)} fields, the header has {len(header)}")
        series_id, t, value = (record[col[c]].strip() for c in ("series_id", "t", "value"))
        if not series_id:
            raise fail(line, "series_id", "empty")
        for column, cell in (("t", t), ("value", value)):
            if column == "value" and cell == "":
                continue  # a missing value
            problem = data.number_problem(str(path), line, column, cell, int if column == "t" else float)
            if problem:
                raise fail(line, column, f"not a finite {'whole ' if column == 't' else ''}number: {cell!r}")
        if value and abs(float(value)) > MAX_INPUT_MAGNITUDE:
            raise fail(line, "value", f"{value!r} is larger in magnitude than {MAX_INPUT_MAGNITUDE:g}; rescale the series")
        rows.append((series_id, int(t), float(value) if value else np.nan, line))
    frame = pd.DataFrame(rows, columns=["series_id", "t", "value", "line"])
    dup = frame.duplicated(["series_id", "t"], keep="first")
    if dup.any():
        row = frame[dup].iloc[0]
        raise InputError(f"{path}:{row['line']}: duplicate t {row['t']} for series {row['series_id']}")
    return frame.drop(columns="line")


def forecast_rows(series_id: str, fc: Forecast, levels: Sequence[int]) -> pd.DataFrame:
    """One output row per forecast year: series_id,t,h,mean and lo/hi per level."""
    out = {"series_id": series_id, "t": fc.years, "h": list(range(1, len(fc.years) + 1)), "mean": fc.mean.to_numpy()}
    for level in levels:
        out[f"lo{level}"] = fc.lower(level).to_numpy()
        out[f"hi{level}"] = fc.upper(level).to_numpy()
    return pd.DataFrame(out)


def forecast_csv(input: Path, output: Path, horizon: int, method: str = "auto", levels: Sequence[int] = (80, 95)) -> int:
    """Forecast every series of a series_id,t,value CSV into a series_id,t,h,mean,lo..,hi.. CSV."""
    try:
        if method not in METHODS:
            raise InputError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
        if any(not 0 < level < 100 for level in levels):
            raise InputError(f"levels must be between 0 and 100, got {list(levels)}")
        if horizon < 1:
            raise InputError(f"horizon must be at least 1, got {horizon}")
        frame = read_forecast_input(Path(input))
    except InputError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    parts, skipped = [], []
    for series_id, group in frame.groupby("series_id", sort=True):
        series = pd.Series(group["value"].to_numpy(dtype=float), index=group["t"].to_numpy())
        try:
            fc = forecast(series, horizon, method=method, levels=levels)
        except ValueError as err:
            skipped.append(f"{input}: series {series_id}: {err}")
            continue
        parts.append(forecast_rows(str(series_id), fc, levels))
    for message in skipped:
        print(f"warning: {message}", file=sys.stderr)
    columns = ["series_id", "t", "h", "mean"] + [f"{b}{lv}" for lv in levels for b in ("lo", "hi")]
    result = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
    Path(output).parent.mkdir(parents=True, exist_ok=True)
    result.to_csv(output, index=False, float_format="%.10g")
    print(f"{output}: {len(result)} rows for {len(parts)} series ({len(skipped)} skipped)")
    return 0
