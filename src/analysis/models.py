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
  h-step errors (``ERROR_QUANTILES``), estimated by rolling origin on the M3 yearly *training*
  data only (``analysis.backtest.error_quantile_tables`` regenerates it). Errors are measured on
  the log scale for positive series (logit/log scale for bounded ones, raw scale otherwise) and
  divided by the series' recent naive error per year on that scale (median absolute change over
  the last ``SCALE_WINDOW`` = 8 changes; the mean let one dip to near zero blow up the intervals). The table pools the two latest 6-year windows of each
  training series (origins 6 and 7 years before its end, at least 8 points of history): on M3
  the spread of errors drifts over time, and the latest windows with a recent-volatility scale
  gave 81 % / 95 % test coverage where all windows and whole-history scales gave 86 % / 97.5 %. Paths join the
  per-horizon marginals through a Gaussian random-walk copula, so the spread grows along a path
  and sums over years are sensible; horizons beyond the table's last one widen with sqrt(h).
- arima is ARIMA(0,1,1) with drift fitted by conditional least squares (a vectorised grid over
  the MA coefficient): statsmodels SARIMAX took 0.1-2 s per M3 series; forecasts agree closely.
  damped (ETSModel) and theta (ThetaModel) are statsmodels, fitted on a standardised copy.
- Short series: 3-4 points get the drift projection only (flag ``short_series``); fewer than
  3 points raise :class:`SeriesTooShort`.
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

METHODS = ("naive", "drift", "linear", "loglinear", "damped", "theta", "arima", "auto")
AUTO_MEMBERS = ("naive", "drift", "loglinear")
REGULAR_GRID_METHODS = frozenset({"damped", "theta", "arima", "ses"})
N_PATHS = 2000
MIN_POINTS = 3
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

# Quantiles (at QUANTILE_PROBS) of the scaled error (actual - forecast) / naive_scale, on
# the log scale, for horizons 1..6 (rows), by method. Estimated by rolling origin inside the M3
# yearly training split only; regenerate with `python -c "from analysis import backtest;
# backtest.print_error_quantiles('<path>/m3_yearly.csv')"`.
ERROR_QUANTILES: dict[str, tuple[tuple[float, ...], ...]] = {
    "naive": (
        (-7.657, -5.354, -3.698, -2.358, -1.481, -0.703, -0.187, 0.144, 0.398, 0.616, 0.825, 1.173, 1.87, 2.546, 3.136, 4.566, 6.309),
        (-11.361, -7.522, -5.114, -3.765, -2.558, -1.268, -0.505, 0.209, 0.662, 1.094, 1.625, 2.173, 3.097, 4.331, 5.512, 7.03, 9.375),
        (-16.338, -10.262, -5.904, -4.31, -2.937, -1.252, -0.402, 0.26, 0.897, 1.441, 2.009, 2.786, 4.204, 5.882, 7.464, 9.429, 12.978),
        (-17.299, -11.692, -6.977, -5.302, -3.173, -1.396, -0.209, 0.626, 1.328, 1.947, 2.635, 3.605, 5.107, 7.065, 9.428, 11.72, 13.76),
        (-17.189, -10.984, -8.662, -5.771, -3.791, -1.652, -0.239, 0.862, 1.875, 2.572, 3.321, 4.4, 6.44, 9.428, 11.673, 14.321, 20.923),
        (-17.153, -13.897, -10.014, -6.861, -4.398, -1.848, -0.303, 0.971, 2.204, 2.894, 4.044, 5.139, 7.182, 10.512, 13.101, 18.255, 26.066),
    ),
    "drift": (
        (-7.718, -5.89, -3.816, -2.67, -1.854, -1.002, -0.597, -0.307, -0.067, 0.157, 0.444, 0.845, 1.655, 2.35, 2.866, 4.408, 6.483),
        (-10.314, -8.017, -5.929, -4.227, -3.016, -1.894, -1.21, -0.769, -0.229, 0.157, 0.766, 1.524, 2.661, 3.726, 5.132, 7.195, 11.846),
        (-16.456, -11.13, -7.214, -5.303, -3.478, -2.2, -1.531, -0.985, -0.421, 0.074, 0.846, 1.897, 3.476, 4.858, 6.516, 9.301, 15.626),
        (-16.643, -13.015, -8.492, -6.052, -4.125, -2.625, -1.59, -0.947, -0.358, 0.187, 1.048, 2.191, 4.25, 6.624, 8.503, 12.097, 22.365),
        (-18.48, -14.028, -10.032, -6.881, -5.021, -2.939, -1.797, -1.1, -0.33, 0.305, 1.323, 2.672, 5.421, 8.106, 11.092, 22.447, 30.333),
        (-19.777, -16.88, -12.27, -8.813, -5.79, -3.418, -2.109, -1.223, -0.341, 0.337, 1.524, 3.143, 6.23, 9.821, 13.699, 28.339, 38.906),
    ),
    "linear": (
        (-13.789, -11.264, -7.811, -5.867, -3.806, -1.895, -1.052, -0.496, -0.038, 0.49, 1.089, 2.109, 3.372, 4.748, 5.812, 9.145, 13.35),
        (-16.274, -13.297, -9.371, -6.706, -4.438, -2.599, -1.472, -0.789, -0.171, 0.485, 1.18, 2.405, 4.254, 5.823, 7.62, 11.519, 17.684),
        (-17.642, -15.993, -10.875, -7.093, -4.949, -2.911, -1.762, -1.069, -0.283, 0.387, 1.257, 2.578, 4.801, 7.05, 9.284, 17.047, 20.519),
        (-20.255, -16.166, -12.27, -7.885, -5.518, -3.167, -1.944, -1.076, -0.186, 0.55, 1.456, 2.901, 5.519, 8.376, 10.84, 18.663, 27.228),
        (-21.577, -18.53, -13.233, -8.672, -6.053, -3.442, -2.05, -1.156, -0.196, 0.58, 1.676, 3.245, 6.396, 10.219, 14.065, 24.156, 36.651),
        (-24.415, -21.277, -15.256, -10.386, -6.378, -3.816, -2.218, -1.193, -0.288, 0.609, 1.831, 3.725, 7.08, 12.082, 16.509, 29.544, 40.978),
    ),
    "loglinear": (
        (-20.84, -14.022, -10.449, -7.348, -5.319, -2.629, -1.672, -1.08, -0.642, -0.123, 0.501, 1.405, 2.735, 3.907, 5.179, 9.479, 13.337),
        (-22.452, -16.57, -11.977, -9.091, -6.41, -3.546, -2.402, -1.667, -1.033, -0.395, 0.363, 1.476, 3.143, 4.728, 6.132, 11.844, 16.53),
        (-25.85, -19.317, -14.051, -10.32, -7.013, -4.326, -2.923, -2.057, -1.411, -0.628, 0.256, 1.364, 3.414, 5.353, 7.281, 11.736, 18.135),
        (-25.53, -22.366, -15.764, -11.577, -8.108, -4.987, -3.444, -2.483, -1.592, -0.607, 0.406, 1.552, 3.633, 5.975, 9.166, 14.914, 18.613),
        (-28.145, -25.745, -17.904, -12.847, -8.83, -5.647, -3.976, -2.825, -1.766, -0.693, 0.412, 1.791, 4.058, 6.921, 11.326, 18.342, 27.344),
        (-31.935, -29.738, -21.126, -15.208, -10.199, -6.259, -4.494, -3.176, -2.066, -0.811, 0.315, 1.835, 4.413, 7.93, 13.231, 19.979, 32.878),
    ),
    "damped": (
        (-10.556, -7.915, -5.253, -3.761, -2.004, -1.041, -0.643, -0.291, -0.066, 0.175, 0.566, 1.059, 2.189, 2.991, 3.961, 6, 9.576),
        (-12.466, -9.15, -6.506, -4.661, -3.191, -1.82, -1.107, -0.579, -0.188, 0.269, 0.87, 1.783, 3.076, 4.389, 5.739, 8.867, 12.375),
        (-17.701, -12.035, -6.613, -5.27, -3.64, -2.174, -1.349, -0.778, -0.22, 0.282, 0.958, 1.975, 3.951, 5.832, 7.841, 10.681, 15.762),
        (-20.614, -12.072, -7.709, -6, -4.25, -2.448, -1.346, -0.644, -0.059, 0.52, 1.307, 2.38, 4.83, 6.878, 9.566, 12.74, 19.939),
        (-19.321, -11.945, -8.785, -7.115, -4.967, -2.667, -1.42, -0.675, 0.048, 0.726, 1.594, 3.067, 6.076, 8.532, 11.255, 17.219, 23.877),
        (-16.609, -14.125, -10.798, -8.344, -5.413, -2.933, -1.642, -0.692, 0.134, 0.825, 1.899, 3.513, 6.525, 9.863, 13.415, 19.933, 28.645),
    ),
    "theta": (
        (-8.302, -6.423, -4.174, -2.743, -1.757, -0.891, -0.403, -0.113, 0.166, 0.357, 0.639, 1.015, 1.779, 2.639, 3.387, 5.171, 7.393),
        (-11.774, -8.144, -6.224, -4.143, -2.816, -1.56, -0.771, -0.263, 0.134, 0.611, 1.084, 1.794, 2.854, 4.11, 5.316, 7.508, 10.685),
        (-16.776, -10.915, -6.355, -4.78, -3.081, -1.696, -0.969, -0.381, 0.186, 0.662, 1.19, 2.189, 3.544, 5.4, 7.065, 9.216, 12.052),
        (-17.79, -12.54, -7.747, -5.456, -3.603, -1.896, -0.888, -0.108, 0.405, 0.954, 1.655, 2.634, 4.117, 6.279, 9.298, 10.94, 13.665),
        (-16.132, -11.925, -8.963, -6.06, -4.376, -2.102, -0.92, -0.043, 0.58, 1.236, 2.096, 3.238, 5.431, 8.294, 11.396, 14.657, 22.028),
        (-19.158, -14.31, -10.233, -7.46, -4.847, -2.48, -1.115, -0.087, 0.721, 1.509, 2.529, 3.735, 6.33, 9.674, 12.485, 17.55, 26.917),
    ),
    "arima": (
        (-10.626, -6.498, -4.55, -3.007, -1.988, -1.131, -0.666, -0.363, -0.087, 0.151, 0.453, 0.912, 1.716, 2.542, 3.2, 4.904, 7.266),
        (-13.783, -8.923, -6.269, -4.37, -3.27, -2.048, -1.254, -0.735, -0.265, 0.17, 0.677, 1.444, 2.736, 4.143, 5.114, 6.969, 11.107),
        (-16.079, -11.792, -7.353, -5.634, -3.66, -2.347, -1.677, -1.068, -0.436, 0.11, 0.765, 1.822, 3.492, 5.171, 6.965, 9.884, 14.884),
        (-18.609, -12.735, -8.932, -6.412, -4.372, -2.778, -1.778, -1.068, -0.396, 0.238, 0.965, 2.085, 4.156, 6.797, 9.087, 12.232, 21.351),
        (-19.982, -14.134, -9.975, -7.503, -5.362, -3.136, -1.924, -1.189, -0.368, 0.25, 1.229, 2.722, 5.494, 8.417, 12.194, 21.182, 30.486),
        (-19.898, -17.89, -13.366, -8.902, -6.066, -3.697, -2.213, -1.372, -0.438, 0.393, 1.463, 3.146, 6.084, 10.146, 15.048, 26.963, 35.837),
    ),
    "auto": (
        (-7.965, -6.056, -3.829, -2.607, -1.854, -1.008, -0.584, -0.278, -0.044, 0.224, 0.51, 0.922, 1.711, 2.42, 3.054, 4.505, 6.675),
        (-11.747, -8.004, -5.784, -4.207, -2.974, -1.844, -1.177, -0.715, -0.215, 0.199, 0.792, 1.636, 2.77, 3.776, 5.012, 7.281, 12.111),
        (-16.382, -11.13, -7.214, -5.298, -3.478, -2.204, -1.449, -0.898, -0.34, 0.104, 0.847, 1.823, 3.375, 4.83, 6.443, 9.177, 14.948),
        (-17.856, -13.015, -8.843, -6.095, -4.11, -2.545, -1.524, -0.835, -0.281, 0.354, 1.068, 2.109, 3.754, 5.807, 8.386, 10.636, 17.189),
        (-19.628, -14.136, -10.212, -7.22, -4.903, -2.872, -1.736, -0.929, -0.217, 0.425, 1.297, 2.546, 4.769, 7.243, 10.423, 15.876, 28.899),
        (-20.099, -17.131, -12.873, -9.076, -5.658, -3.407, -1.938, -1.129, -0.215, 0.444, 1.494, 3.063, 5.416, 8.198, 13.068, 19.252, 33.831),
    ),
}

FALLBACK_QUANTILE_METHOD = "drift"


SCALE_WINDOW = 8  # recent changes only: current volatility predicts the next errors better (M3 check)


def naive_scale(years: np.ndarray, e: np.ndarray) -> float:
    """Typical absolute change per elapsed year over the last SCALE_WINDOW changes, on the error scale."""
    # the median, not the mean: one dip to near zero (or one odd year) must not blow up every interval
    changes = (np.abs(np.diff(e)) / np.diff(years))[-SCALE_WINDOW:]
    typical = float(np.median(changes))
    return typical if typical > 0 else float(np.mean(changes))


def error_quantiles(method: str, horizon: int) -> np.ndarray:
    """Per-horizon quantile rows of the method's scaled errors, widened with sqrt(h) past the table."""
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
def scaled_error_samples(method: str, horizon: int, n_paths: int, seed: int) -> np.ndarray:
    """Sample paths of scaled errors whose marginals follow the method's quantile table (read-only)."""
    # independent of the series, so cached: backtests reuse them at every origin
    uniforms = copula_uniforms(n_paths, horizon, np.random.default_rng(seed))
    rows = error_quantiles(method, horizon)
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
        return "drift", ("short_series",)
    return method, ()


def forecast(
    series: pd.Series,
    horizon: int,
    method: str = "auto",
    levels: Sequence[float] = (80, 95),
    bounds: tuple[float | None, float | None] | None = None,
    seed: int = 0,
    n_paths: int = N_PATHS,
) -> Forecast:
    """Project an annual series `horizon` years past its last observation with one method."""
    return forecast_methods(series, horizon, (method,), levels, bounds, seed, n_paths)[method]


def forecast_methods(
    series: pd.Series,
    horizon: int,
    methods: Sequence[str],
    levels: Sequence[float] = (80, 95),
    bounds: tuple[float | None, float | None] | None = None,
    seed: int = 0,
    n_paths: int = N_PATHS,
) -> dict[str, Forecast]:
    """Forecasts of several methods on one series, fitting each shared member (e.g. of auto) once."""
    context = forecast_context(series, horizon, levels, bounds, seed, n_paths)
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


def forecast_context(
    series: pd.Series,
    horizon: int,
    levels: Sequence[float] = (80, 95),
    bounds: tuple[float | None, float | None] | None = None,
    seed: int = 0,
    n_paths: int = N_PATHS,
) -> Context:
    """Check and prepare one series for forecasting."""
    if int(horizon) != horizon or horizon < 1:
        raise ValueError(f"horizon must be a positive integer, got {horizon}")
    history = clean_series(series)
    effective_method("naive", len(history))  # raises SeriesTooShort before anything is fitted
    scale = model_scale(bounds)
    check_inside_bounds(history.to_numpy(dtype=float), scale)
    return Context(history, prepare(history, scale), int(horizon), tuple(levels), seed, n_paths)


def forecast_from_context(method: str, context: Context, cache: dict[str, np.ndarray] | None = None) -> Forecast:
    """Forecast a prepared series with one method, reusing member paths found in cache."""
    history, prepared, horizon = context.history, context.prepared, context.horizon
    used, flags = effective_method(method, len(history))
    values = history.to_numpy(dtype=float)
    mean = prepared.scale.inverse(point_path(used, prepared, horizon, cache))
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
    spread = naive_scale(p.years, e_hist)
    # a point path that crosses zero on a positive series cannot be logged: keep it just above 0
    floor = np.min(values[values > 0]) * 1e-3 if escale is LOG else None
    centre = escale.forward(np.maximum(mean, floor) if floor is not None else mean)
    errors = scaled_error_samples(method, horizon, n_paths, seed)
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
