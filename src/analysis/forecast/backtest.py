"""Rolling-origin backtests and their metrics (sMAPE, MASE, interval coverage), beside naive and drift."""

from __future__ import annotations

import os
from multiprocessing import get_context
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from analysis.forecast import models, scales

M3_HORIZON = 6


BLAS_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


BACKTEST_MIN_HISTORY = models.MIN_POINTS_FULL


# damped and theta refit statsmodels at every origin (~10-40 ms each): ask for them explicitly
DEFAULT_BACKTEST_METHODS = ("naive", "drift", "linear", "loglinear", "arima", "auto")


INTERVAL_LEVELS = (80, 95)


def smape(actual: np.ndarray, forecast: np.ndarray) -> np.ndarray:
    """Symmetric MAPE as in M3, per point, in percent."""
    actual, forecast = np.asarray(actual, float), np.asarray(forecast, float)
    denominator = np.abs(actual) + np.abs(forecast)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, 200 * np.abs(actual - forecast) / denominator, 0.0)


def naive_mae(history: pd.Series) -> float:
    """In-sample mean absolute change per elapsed year (the MASE scale)."""
    years = history.index.to_numpy(dtype=float)
    return float(np.mean(np.abs(np.diff(history.to_numpy(dtype=float))) / np.diff(years)))


def interval_score(actual: np.ndarray, lower: np.ndarray, upper: np.ndarray, level: float) -> np.ndarray:
    """Winkler/Gneiting interval score of central intervals at `level` percent, per point."""
    alpha = 1 - level / 100
    below = np.maximum(lower - actual, 0)
    above = np.maximum(actual - upper, 0)
    return (upper - lower) + 2 / alpha * (below + above)


def score_points(
    actual: np.ndarray, fc: models.Forecast, scale: float, levels: Sequence[int] = INTERVAL_LEVELS
) -> dict[str, np.ndarray]:
    """Per-point sMAPE, scaled absolute error, interval hits and scaled 95 % interval score."""
    mean = fc.mean.to_numpy()[: len(actual)]
    scores = {"smape": smape(actual, mean), "ase": np.abs(actual - mean) / scale}
    for level in levels:
        lower, upper = fc.lower(level).to_numpy()[: len(actual)], fc.upper(level).to_numpy()[: len(actual)]
        scores[f"hit{level}"] = ((actual >= lower) & (actual <= upper)).astype(float)
        if level == 95:
            scores["sis95"] = interval_score(actual, lower, upper, level) / scale
    return scores


def empty_backtest(reason: str) -> pd.DataFrame:
    """An empty backtest table whose attrs['reason'] says why there is nothing to show."""
    frame = pd.DataFrame(columns=["method", "n_origins", "n_forecasts", "MASE", "sMAPE", "coverage80"])
    frame.attrs["reason"] = reason
    return frame


def usable_methods(methods: Iterable[str], history: pd.Series, bounds: tuple | None) -> list[str]:
    """The methods that apply to this series (loglinear needs positive values unless bounded)."""
    positive = bool(np.all(history.to_numpy() > 0))
    return [m for m in methods if m != "loglinear" or positive or bounds is not None]


def backtest_table(
    series: pd.Series,
    methods: Sequence[str] | None = None,
    horizon: int = 3,
    bounds: tuple[float | None, float | None] | None = None,
) -> pd.DataFrame:
    """Rolling-origin accuracy per method on one annual series: n forecasts, MASE, sMAPE, coverage80."""
    history = scales.clean_series(series)
    methods = usable_methods(methods or DEFAULT_BACKTEST_METHODS, history, bounds)
    n = len(history)
    if n <= BACKTEST_MIN_HISTORY:
        return empty_backtest(
            f"too short to backtest: {n} observed years, need more than {BACKTEST_MIN_HISTORY}"
        )
    points: dict[str, list[dict[str, np.ndarray]]] = {m: [] for m in methods}
    n_origins = 0
    for k in range(BACKTEST_MIN_HISTORY, n):
        past, future = history.iloc[:k], history.iloc[k:]
        last_year = int(past.index[-1])
        future = future[future.index <= last_year + horizon]
        if future.empty:
            continue
        scale = naive_mae(past)
        if not scale > 0:
            continue
        forecasts = models.forecast_methods(past, horizon, methods, levels=(80,), bounds=bounds, n_paths=1000)
        steps_ahead = future.index.to_numpy() - last_year - 1
        n_origins += 1
        for method, fc in forecasts.items():
            mean = fc.mean.to_numpy()[steps_ahead]
            lower, upper = np.quantile(fc.samples[:, steps_ahead], [0.1, 0.9], axis=0)  # = fc.lower/upper(80)
            actual = future.to_numpy(dtype=float)
            points[method].append({
                "smape": smape(actual, mean),
                "ase": np.abs(actual - mean) / scale,
                "hit80": ((actual >= lower) & (actual <= upper)).astype(float),
            })
    if not n_origins:
        return empty_backtest("no origin with a usable history (constant series?)")
    rows = []
    for method in methods:
        joined = {key: np.concatenate([p[key] for p in points[method]]) for key in ("smape", "ase", "hit80")}
        rows.append({
            "method": method,
            "n_origins": n_origins,
            "n_forecasts": len(joined["ase"]),
            "MASE": float(joined["ase"].mean()),
            "sMAPE": float(joined["smape"].mean()),
            "coverage80": float(joined["hit80"].mean()),
        })
    frame = pd.DataFrame(rows)
    frame.attrs["reason"] = ""
    return frame


def run_pool(function, jobs: list, n_jobs: int) -> list:
    """Map a function over jobs with n_jobs worker processes (in-process when n_jobs is 1)."""
    if n_jobs <= 1:
        return [function(job) for job in jobs]
    # one BLAS thread per worker: with threaded BLAS the workers' statsmodels fits oversubscribe
    # the cores and the benchmark took 4-6x the CPU time; spawned workers read these on import
    for variable in BLAS_THREAD_VARIABLES:
        os.environ[variable] = "1"
    with get_context("spawn").Pool(n_jobs) as pool:
        return pool.map(function, jobs, chunksize=max(1, len(jobs) // (n_jobs * 8)))
