"""Point paths of the single methods (naive, drift, trends, damped Holt, Theta, ARIMA) and their combination."""

from __future__ import annotations

import warnings
from typing import Callable, Sequence

import numpy as np

from analysis.forecast.scales import Prepared, steps

AUTO_MEMBERS = ("naive", "drift", "loglinear")


REGULAR_GRID_METHODS = frozenset({"damped", "theta", "arima", "ses"})


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
