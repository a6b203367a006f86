"""Rolling-origin evaluation of the forecasting models, accuracy metrics and the M3 yearly benchmark.

Metrics (one forecast point = one origin x one horizon):
- sMAPE as in M3: 200 |y - f| / (|y| + |f|), averaged over horizons and series.
- MASE: |y - f| divided by the in-sample mean absolute one-year change of the history (the
  naive one-step error, per elapsed year when years are missing).
- coverage: share of actual values inside the central 80 % / 95 % intervals.
- MSIS (Gneiting & Raftery 2007; M4): the 95 % interval score divided by the same MASE scale.

The M3 benchmark scores our methods and the 22 originally submitted methods
(m3_yearly_original_forecasts.csv) with the same scorer, beside the published figures.
``error_quantile_tables`` regenerates ``models.ERROR_QUANTILES`` from the M3 *training* split
only (rolling origin inside it), so the coverage measured on the test split is out of sample.
"""

from __future__ import annotations

import os
import sys
import time
from multiprocessing import get_context
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from analysis import models

M3_HORIZON = 6
BLAS_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
BACKTEST_MIN_HISTORY = models.MIN_POINTS_FULL
# damped and theta refit statsmodels at every origin (~10-40 ms each): ask for them explicitly
DEFAULT_BACKTEST_METHODS = ("naive", "drift", "linear", "loglinear", "arima", "auto")
INTERVAL_LEVELS = (80, 95)
CALIBRATION_ORIGINS_BACK = (0, 1)  # origins at n_train - 6 - k: every h-step actual stays in train
CALIBRATION_MIN_HISTORY = 8

# Makridakis & Hibon (2000) Table 13 (sMAPE, h 1-6) and Hyndman & Koehler (2006) (MASE), by the
# method names of m3_yearly_original_forecasts.csv.
PUBLISHED_SMAPE = {
    "RBF": 16.42, "ForcX": 16.48, "AutoBox2": 16.52, "ROBUST-Trend": 16.78, "THETA": 16.90,
    "COMB S-H-D": 17.07, "ForecastPro": 17.14, "DAMPEN": 17.18, "SINGLE": 17.82, "NAIVE2": 17.88,
    "HOLT": 19.27,
}
PUBLISHED_MASE = {"ROBUST-Trend": 2.63, "ForcX": 2.77, "THETA": 2.81, "NAIVE2": 3.17}


# ---------------------------------------------------------------------------------------------
# metrics


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


# ---------------------------------------------------------------------------------------------
# rolling origin on one short annual series (notebook 02)


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
    history = models.clean_series(series)
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


# ---------------------------------------------------------------------------------------------
# M3 yearly


def load_m3(path: Path) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """M3 yearly series as (series_id, train values, test values), in id order."""
    frame = pd.read_csv(path)
    missing = {"series_id", "split", "t", "value"} - set(frame.columns)
    if missing:
        raise ValueError(f"{path}: missing column(s) {sorted(missing)}")
    frame = frame.sort_values(["series_id", "t"])
    out = []
    for series_id, group in frame.groupby("series_id", sort=True):
        split = group["split"].to_numpy()
        values = group["value"].to_numpy(dtype=float)
        out.append((str(series_id), values[split == "train"], values[split == "test"]))
    return out


def as_series(values: np.ndarray) -> pd.Series:
    """Values indexed by consecutive integer time 1..n."""
    return pd.Series(values, index=np.arange(1, len(values) + 1))


def score_m3_series(job: tuple[str, np.ndarray, np.ndarray, tuple[str, ...]]) -> list[dict]:
    """Forecast one M3 series with every method and score the test split; one row per method."""
    series_id, train, test, methods = job
    history = as_series(train)
    scale = naive_mae(history)
    context = models.forecast_context(history, M3_HORIZON, INTERVAL_LEVELS)
    cache: dict[str, np.ndarray] = {}
    seconds: dict[str, float] = {}
    rows = []
    for method in methods:
        start = time.perf_counter()
        fc = models.forecast_from_context(method, context, cache)
        # a combination reuses its members' fits: charge it their time too
        reused = sum(seconds.get(m, 0.0) for m in models.AUTO_MEMBERS) if method == "auto" else 0.0
        seconds[method] = time.perf_counter() - start + reused
        scores = score_points(test, fc, scale)
        row = {"series_id": series_id, "method": method, "seconds": seconds[method]}
        row.update({f"smape_h{h + 1}": scores["smape"][h] for h in range(M3_HORIZON)})
        row.update(ase=scores["ase"].mean(), hit80=scores["hit80"].mean(), hit95=scores["hit95"].mean(),
                   sis95=scores["sis95"].mean())
        rows.append(row)
    return rows


def score_original(forecasts_path: Path, m3: list[tuple[str, np.ndarray, np.ndarray]]) -> pd.DataFrame:
    """Per-series scores of the originally submitted M3 forecasts, with the same scorer."""
    submitted = pd.read_csv(forecasts_path)
    by_id = {sid: (train, test) for sid, train, test in m3}
    rows = []
    submitted = submitted[submitted["series_id"].isin(by_id)]
    for (method, series_id), group in submitted.groupby(["method", "series_id"], sort=True):
        train, test = by_id[series_id]
        forecast = group.sort_values("h")["forecast"].to_numpy(dtype=float)
        errors = smape(test, forecast)
        row = {"series_id": series_id, "method": method, "seconds": np.nan}
        row.update({f"smape_h{h + 1}": errors[h] for h in range(M3_HORIZON)})
        row.update(ase=float(np.mean(np.abs(test - forecast)) / naive_mae(as_series(train))),
                   hit80=np.nan, hit95=np.nan, sis95=np.nan)
        rows.append(row)
    return pd.DataFrame(rows)


def summarise(per_series: pd.DataFrame) -> pd.DataFrame:
    """One row per method: sMAPE per horizon and average, MASE, coverage, MSIS, total seconds."""
    horizons = [f"smape_h{h + 1}" for h in range(M3_HORIZON)]
    grouped = per_series.groupby("method", sort=False)
    table = grouped[horizons].mean()
    table.columns = [f"sMAPE_h{h + 1}" for h in range(M3_HORIZON)]
    table["sMAPE"] = grouped[horizons].mean().mean(axis=1)
    table["MASE"] = grouped["ase"].mean()
    table["cov80"] = grouped["hit80"].mean() * 100
    table["cov95"] = grouped["hit95"].mean() * 100
    table["MSIS95"] = grouped["sis95"].mean()
    table["seconds"] = grouped["seconds"].sum(min_count=1)
    table["n_series"] = grouped.size()
    return table.reset_index()


def m3_jobs(m3: list[tuple[str, np.ndarray, np.ndarray]], methods: Sequence[str]) -> list[tuple]:
    """One job per series for the worker pool."""
    return [(sid, train, test, tuple(methods)) for sid, train, test in m3]


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


def m3_table(path: Path, methods: Sequence[str] | None = None, jobs: int | None = None) -> tuple[pd.DataFrame, float]:
    """Score our methods and the original submissions on M3 yearly; return the table and wall seconds."""
    methods = list(methods or models.METHODS)
    unknown = [m for m in methods if m not in models.METHODS]
    if unknown:
        raise ValueError(f"unknown method(s) {unknown}; choose from {', '.join(models.METHODS)}")
    methods = sorted(set(methods), key=models.METHODS.index)  # auto last, so it reuses its members' fits
    m3 = load_m3(Path(path))
    start = time.perf_counter()
    rows = run_pool(score_m3_series, m3_jobs(m3, methods), jobs or os.cpu_count() or 1)
    wall = time.perf_counter() - start
    ours = summarise(pd.DataFrame([row for series_rows in rows for row in series_rows]))
    ours.insert(1, "source", "ours")
    original_path = Path(path).with_name("m3_yearly_original_forecasts.csv")
    tables = [ours]
    if original_path.exists():
        original = summarise(score_original(original_path, m3))
        original.insert(1, "source", "M3 original")
        tables.append(original.sort_values("sMAPE"))
    table = pd.concat(tables, ignore_index=True)
    table["published_sMAPE"] = table["method"].map(PUBLISHED_SMAPE)
    table["published_MASE"] = table["method"].map(PUBLISHED_MASE)
    return table, wall


def format_m3_table(table: pd.DataFrame) -> str:
    """The benchmark table as aligned text."""
    shown = table.drop(columns=["n_series"]).copy()
    return shown.to_string(index=False, float_format=lambda v: f"{v:.2f}", na_rep="")


def run_m3_benchmark(path: Path, methods: Sequence[str] | None = None, jobs: int | None = None,
                     output: Path | None = None) -> int:
    """The `bench m3` command: print the M3 yearly table and write it as CSV."""
    try:
        table, wall = m3_table(Path(path), methods, jobs)
    except (OSError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(format_m3_table(table))
    n_series = int(table.loc[table["source"] == "ours", "n_series"].max())
    print(f"\n{n_series} series, horizon {M3_HORIZON}; our methods took {wall:.1f} s wall time "
          f"with {jobs or os.cpu_count()} job(s). sMAPE in %, MASE scaled by the in-sample naive MAE; "
          f"cov80/cov95 = % of test values inside the 80/95 % intervals; seconds = fit+sampling time summed over "
          f"series (auto includes its members' fits).")
    if output:
        Path(output).parent.mkdir(parents=True, exist_ok=True)
        table.to_csv(output, index=False, float_format="%.4f")
        print(f"wrote {output}")
    return 0


# ---------------------------------------------------------------------------------------------
# regenerate models.ERROR_QUANTILES from the M3 training split


def calibration_errors(job: tuple[str, np.ndarray, tuple[str, ...]]) -> dict[str, list[np.ndarray]]:
    """Scaled log errors per method at rolling origins inside one series' training split."""
    series_id, train, methods = job
    errors: dict[str, list[np.ndarray]] = {m: [] for m in methods}
    for back in CALIBRATION_ORIGINS_BACK:
        origin = len(train) - M3_HORIZON - back
        if origin < CALIBRATION_MIN_HISTORY:
            continue
        history, actual = as_series(train[:origin]), train[origin : origin + M3_HORIZON]
        log_history = np.log(history.to_numpy())
        spread = models.naive_scale(history.index.to_numpy(), log_history)
        if not spread > 0:
            continue
        prepared = models.prepare(history, models.IDENTITY)
        cache: dict[str, np.ndarray] = {}
        floor = history.min() * 1e-3
        for method in methods:
            path = models.point_path(method, prepared, M3_HORIZON, cache)
            errors[method].append((np.log(actual) - np.log(np.maximum(path, floor))) / spread)
    return errors


def error_quantile_tables(path: Path, methods: Sequence[str] | None = None, jobs: int | None = None) -> dict:
    """Per-method, per-horizon quantiles of scaled errors from rolling origins in the M3 training split."""
    methods = tuple(methods or models.METHODS)
    m3 = load_m3(Path(path))
    jobs_list = [(sid, train, methods) for sid, train, _ in m3]
    results = run_pool(calibration_errors, jobs_list, jobs or os.cpu_count() or 1)
    tables = {}
    for method in methods:
        stacked = np.vstack([e for result in results for e in result[method]])
        quantiles = np.quantile(stacked, models.QUANTILE_PROBS, axis=0).T
        tables[method] = tuple(tuple(round(float(v), 3) for v in row) for row in quantiles)
    return tables


def print_error_quantiles(path: Path, methods: Sequence[str] | None = None, jobs: int | None = None) -> None:
    """Print models.ERROR_QUANTILES as Python source, ready to paste into models.py."""
    tables = error_quantile_tables(path, methods, jobs)
    print("ERROR_QUANTILES: dict[str, tuple[tuple[float, ...], ...]] = {")
    for method, rows in tables.items():
        print(f'    "{method}": (')
        for row in rows:
            print("        (" + ", ".join(f"{v:g}" for v in row) + "),")
        print("    ),")
    print("}")
