"""Rolling-origin evaluation of the forecasting models, accuracy metrics and the M3 yearly benchmark.

Metrics (one forecast point = one origin x one horizon):
- sMAPE as in M3: 200 |y - f| / (|y| + |f|), averaged over horizons and series.
- MASE: |y - f| divided by the in-sample mean absolute one-year change of the history (the
  naive one-step error, per elapsed year when years are missing).
- coverage: share of actual values inside the central 80 % / 95 % intervals.
- MSIS (Gneiting & Raftery 2007; M4): the 95 % interval score divided by the same MASE scale.

The M3 benchmark scores our methods and the 22 originally submitted methods
(m3_yearly_original_forecasts.csv) with the same scorer, beside the published figures.
``calibration_tables`` regenerates every constant in ``analysis.calibration`` (error quantiles, the
interval-width floor, the short-series growth prior and intervals) from the M3 *training* split only
(`bench m3 --calibrate`), so the coverage measured on the test split is out of sample.
``short_table`` scores forecasts from each series' last k training values beside naive (`bench m3
--last 2,3,4`).
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


def write_table(table: pd.DataFrame, output: Path) -> None:
    """Write a benchmark table as CSV (4 decimals) and say where."""
    output.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(output, index=False, float_format="%.4f")
    print(f"wrote {output}")


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
        write_table(table, Path(output))
    return 0


# ---------------------------------------------------------------------------------------------
# M3 yearly cut to its last k training values (short series)

SHORT_BENCH_METHODS = ("auto", "naive")


def score_short_series(job: tuple[str, np.ndarray, np.ndarray, int]) -> list[dict]:
    """Forecast one M3 series from its last k training values with auto and naive; score on the test split."""
    series_id, train, test, k = job
    scale = naive_mae(as_series(train))  # the whole training series': the same yardstick for every k
    history = as_series(train[-k:])
    rows = []
    for method in SHORT_BENCH_METHODS:
        try:
            fc = models.forecast(history, M3_HORIZON, method=method, levels=INTERVAL_LEVELS)
        except models.SeriesTooShort:
            rows.append({"series_id": series_id, "k": k, "method": method, "projected": False})
            continue
        scores = score_points(test, fc, scale)
        rows.append({"series_id": series_id, "k": k, "method": method, "projected": True,
                     "smape": scores["smape"].mean(), "ase": scores["ase"].mean(),
                     "hit80": scores["hit80"].mean(), "hit95": scores["hit95"].mean()})
    return rows


def short_table(path: Path, lengths: Sequence[int], jobs: int | None = None) -> pd.DataFrame:
    """sMAPE, MASE and 80/95 % coverage of auto and naive on M3 yearly cut to its last k training values."""
    m3 = load_m3(Path(path))
    jobs_list = [(sid, train, test, int(k)) for k in lengths for sid, train, test in m3]
    rows = pd.DataFrame([r for result in run_pool(score_short_series, jobs_list, jobs or os.cpu_count() or 1)
                         for r in result])
    grouped = rows.groupby(["k", "method"], sort=False)
    table = pd.DataFrame({
        "n_series": grouped.size(),
        "projected": grouped["projected"].sum(),
        "sMAPE": grouped["smape"].mean(),
        "MASE": grouped["ase"].mean(),
        "cov80": grouped["hit80"].mean() * 100,
        "cov95": grouped["hit95"].mean() * 100,
    }).reset_index()
    naive = table[table["method"] == "naive"].set_index("k")["sMAPE"]
    table["sMAPE_vs_naive"] = table["sMAPE"] / table["k"].map(naive)
    return table


def run_short_benchmark(path: Path, lengths: Sequence[int], jobs: int | None = None, output: Path | None = None) -> int:
    """The `bench m3 --last 2,3,4` command: print the short-series table beside naive."""
    try:
        table = short_table(Path(path), lengths, jobs)
    except (OSError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(table.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    print(f"\nEach M3 yearly training series cut to its last k values, horizon {M3_HORIZON}, scored on the test split. "
          "MASE scaled by the whole training series' naive MAE; auto on up to "
          f"{models.PRIOR_MAX_POINTS} points is models' {models.SHORT_METHOD!r} projection.")
    if output:
        write_table(table, Path(output))
    return 0


# ---------------------------------------------------------------------------------------------
# the same checks on the project's own series (Ningbo, with other regions as peers)

NINGBO_HORIZON = 3


def ningbo_series(dataset, region: str = "ningbo") -> dict[str, tuple[pd.Series, list[pd.Series], str]]:
    """Positive annual series of a region with 3+ years: (series, other regions' series, growth_form) by indicator."""
    from analysis import data

    observations = dataset.observations
    regions = sorted(set(observations["region"]) - {region})
    forms = dataset.indicators.set_index("indicator_id").get("growth_form", pd.Series(dtype=str))
    out = {}
    for indicator in sorted(set(observations.loc[observations["region"] == region, "indicator_id"])):
        series = data.annual_series(dataset, indicator, region)
        if len(series) < 3 or not (series > 0).all():
            continue
        peers = [p for p in (data.annual_series(dataset, indicator, r) for r in regions) if len(p) >= 2]
        out[indicator] = (series, peers, str(forms.get(indicator, "") or ""))
    return out


def cut_scores(actual: np.ndarray, steps_ahead: np.ndarray, fc: models.Forecast) -> dict[str, float]:
    """sMAPE and 80 % hit rate of one forecast at the given steps."""
    lower, upper = fc.lower(80).to_numpy()[steps_ahead], fc.upper(80).to_numpy()[steps_ahead]
    return {"smape": float(smape(actual, fc.mean.to_numpy()[steps_ahead]).mean()),
            "hit80": float(np.mean((actual >= lower) & (actual <= upper)))}


def ningbo_short_rows(series: pd.Series, peers: list[pd.Series], lengths: Sequence[int]) -> list[dict]:
    """Naive, the pooled growth prior and the peers' growth on every cut of a series to its last k values before an origin."""
    rows = []
    for origin in range(min(lengths), len(series)):
        past, future = series.iloc[:origin], series.iloc[origin:]
        last = int(past.index[-1])
        future = future[future.index <= last + NINGBO_HORIZON]
        if future.empty:
            continue
        steps_ahead = future.index.to_numpy() - last - 1
        for k in lengths:
            if origin < k:
                continue
            cut = past.iloc[-k:]
            known_peers = [p[p.index <= last] for p in peers]  # only what was known at the origin
            with_peers = any(len(p) >= 2 for p in known_peers)
            for name, kwargs in (("naive", {"method": "naive"}), ("prior", {}), ("peers", {"peers": known_peers})):
                if name == "peers" and not with_peers:
                    continue
                fc = models.forecast(cut, NINGBO_HORIZON, **kwargs)
                rows.append({"k": k, "method": name, "with_peers": with_peers,
                             **cut_scores(future.to_numpy(dtype=float), steps_ahead, fc)})
    return rows


def ningbo_log_rows(series: pd.Series, form: str) -> list[dict]:
    """auto on the data scale against auto on the log scale at every origin with 5+ points."""
    rows = []
    for origin in range(models.MIN_POINTS_FULL, len(series)):
        past, future = series.iloc[:origin], series.iloc[origin:]
        last = int(past.index[-1])
        future = future[future.index <= last + NINGBO_HORIZON]
        if future.empty:
            continue
        steps_ahead = future.index.to_numpy() - last - 1
        scale = naive_mae(past)
        for name, scale_kind in (("auto", models.IDENTITY), ("auto_log", models.LOG)):
            path = scale_kind.inverse(models.point_path("auto", models.prepare(past, scale_kind), NINGBO_HORIZON, {}))
            actual = future.to_numpy(dtype=float)
            rows.append({"growth_form": form, "method": name, "smape": float(smape(actual, path[steps_ahead]).mean()),
                         "ase": float(np.mean(np.abs(actual - path[steps_ahead])) / scale) if scale > 0 else np.nan})
    return rows


def ningbo_tables(dataset, lengths: Sequence[int] = (2, 3, 4)) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Short-cut scores (naive / prior / peers) and data- vs log-scale auto on the Ningbo series."""
    short, logs = [], []
    for indicator, (series, peers, form) in ningbo_series(dataset).items():
        short += [{"indicator": indicator, **row} for row in ningbo_short_rows(series, peers, lengths)]
        logs += ningbo_log_rows(series, form)
    short_frame = pd.DataFrame(short)
    short_table_ = (short_frame.groupby(["with_peers", "k", "method"], sort=True)
                    .agg(n_series=("indicator", "nunique"), n_cuts=("smape", "size"), sMAPE=("smape", "mean"),
                         cov80=("hit80", "mean")).reset_index())
    short_table_["cov80"] *= 100
    log_frame = pd.DataFrame(logs)
    log_table = (log_frame.groupby(["growth_form", "method"], sort=True)
                 .agg(n_origins=("smape", "size"), sMAPE=("smape", "mean"), MASE=("ase", "mean")).reset_index())
    return short_table_, log_table


def run_ningbo_benchmark(data_dir: Path, lengths: Sequence[int] = (2, 3, 4)) -> int:
    """The `bench ningbo` command: the short-series and log-scale checks on the project's own data."""
    from analysis import data

    try:
        dataset = data.load(Path(data_dir))
    except data.DataValidationError as err:
        for problem in err.problems:
            print(problem, file=sys.stderr)
        return 1
    short, logs = ningbo_tables(dataset, lengths)
    fmt = lambda v: f"{v:.2f}"  # noqa: E731
    print(f"Ningbo series cut to their last k values before each origin, horizon {NINGBO_HORIZON}; peers = the same "
          "indicator in the other regions, values up to the origin only:")
    print(short.to_string(index=False, float_format=fmt))
    print(f"\nauto on the data scale vs on the log scale, origins with {models.MIN_POINTS_FULL}+ points, horizon "
          f"{NINGBO_HORIZON}, by the indicator's growth_form:")
    print(logs.to_string(index=False, float_format=fmt))
    return 0


# ---------------------------------------------------------------------------------------------
# calibration: regenerate analysis/calibration.py from the M3 *training* split only
#
# Every window below lies inside a series' training split (its M3_HORIZON actuals included), so the
# test split stays out of sample. The design (which origins, which volatility window) is chosen on a
# validation split: calibrate inside train[:-6], score the coverage of train[-6:], keep, among the
# designs covering within DESIGN_COVERAGE_BAND points of 80 % and 95 %, the best interval score. Then the tables are rebuilt on all of train.

CALIBRATION_MIN_HISTORY = 8
DESIGN_ORIGINS = ((0, 1), (0, 1, 2, 3), (0, 1, 2, 3, 4, 5), tuple(range(30)))
DESIGN_SCALE_WINDOWS = (4, 8, 0)  # 0 = every change of the history
DESIGN_COVERAGE_BAND = 3.0  # validation coverage within this many points of 80 and of 95 counts as calibrated
SPREAD_FLOOR_QUANTILE = 0.05  # the interval-width floor: this quantile of the pooled spreads
SHORT_LENGTHS = tuple(range(2, 11))  # the prior is fitted for these lengths; auto uses it while it beats auto
PRIOR_GROWTH_GRID = np.round(np.arange(-0.05, 0.1501, 0.0025), 4)
PRIOR_WEIGHT_GRID = np.round(np.arange(0.0, 1.0001, 0.05), 2)
SHORT_METHODS = ("growth_prior", "naive")


def origin_windows(train: np.ndarray, origins_back: Sequence[int], length: int | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
    """(history, next M3_HORIZON values) at origins n - M3_HORIZON - back inside one training series."""
    out = []
    for back in origins_back:
        origin = len(train) - M3_HORIZON - back
        needed = CALIBRATION_MIN_HISTORY if length is None else length
        if origin < needed:
            continue
        out.append((train[0 if length is None else origin - length : origin], train[origin : origin + M3_HORIZON]))
    return out


def log_errors(history: np.ndarray, actual: np.ndarray, methods: Sequence[str]) -> dict[str, np.ndarray]:
    """Log errors (actual - forecast) of each method at one origin, M3_HORIZON steps."""
    prepared = models.prepare(as_series(history), models.IDENTITY)
    cache: dict[str, np.ndarray] = {}
    floor = history.min() * 1e-3
    return {m: np.log(actual) - np.log(np.maximum(models.point_path(m, prepared, M3_HORIZON, cache), floor))
            for m in methods}


def design_job(train: np.ndarray) -> dict:
    """Auto's log errors and spreads at every candidate origin inside train[:-6], and on train[-6:]."""
    inner = train[:-M3_HORIZON]
    out: dict = {"cal": {}, "val": None}
    for history, actual in origin_windows(inner, sorted({b for o in DESIGN_ORIGINS for b in o})):
        back = len(inner) - M3_HORIZON - len(history)
        out["cal"][back] = (log_errors(history, actual, ("auto",))["auto"], spreads(history))
    if len(inner) >= CALIBRATION_MIN_HISTORY:
        out["val"] = (log_errors(inner, train[-M3_HORIZON:], ("auto",))["auto"], spreads(inner))
    return out


def spreads(history: np.ndarray) -> dict[int, float]:
    """models.naive_scale of a history's logs for every candidate volatility window."""
    years, logs = np.arange(len(history)), np.log(history)
    return {w: models.naive_scale(years, logs, w or None) for w in DESIGN_SCALE_WINDOWS}


def coverage(errors: np.ndarray, spread: np.ndarray, table: np.ndarray) -> tuple[float, float, float]:
    """Percent of errors inside the 80 % and 95 % intervals of scaled-error quantiles (0.1, 0.9, 0.025, 0.975),
    and the mean of the two levels' interval scores (log scale)."""
    s = spread[:, None]
    c80 = np.mean((errors >= s * table[0]) & (errors <= s * table[1])) * 100
    c95 = np.mean((errors >= s * table[2]) & (errors <= s * table[3])) * 100
    score = (interval_score(errors, s * table[0], s * table[1], 80).mean()
             + interval_score(errors, s * table[2], s * table[3], 95).mean()) / 2
    return float(c80), float(c95), float(score)


def select_design(results: list[dict]) -> dict:
    """The design with the best validation interval score among those covering within the band of 80 % and 95 %."""
    val = [r["val"] for r in results if r["val"] is not None]
    val_errors = np.vstack([e for e, _ in val])
    rows = []
    for origins in DESIGN_ORIGINS:
        for window in DESIGN_SCALE_WINDOWS:
            cal = [r["cal"][b] for r in results for b in origins if b in r["cal"] and r["cal"][b][1][window] > 0]
            scaled = np.vstack([e / s[window] for e, s in cal])
            table = np.quantile(scaled, [0.1, 0.9, 0.025, 0.975], axis=0)
            c80, c95, score = coverage(val_errors, np.array([max(s[window], 1e-12) for _, s in val]), table)
            rows.append({"origins_back": tuple(origins), "scale_window": window, "cov80": round(c80, 2),
                         "cov95": round(c95, 2), "distance": round(abs(c80 - 80) + abs(c95 - 95), 2),
                         "interval_score": round(score, 4)})
    calibrated = [r for r in rows if abs(r["cov80"] - 80) <= DESIGN_COVERAGE_BAND and abs(r["cov95"] - 95) <= DESIGN_COVERAGE_BAND]
    best = min(calibrated or rows, key=lambda r: (r["interval_score"] if calibrated else r["distance"], r["distance"]))
    return {"origins_back": best["origins_back"], "scale_window": best["scale_window"],
            "min_history": CALIBRATION_MIN_HISTORY, "validation": rows}


def table_job(job: tuple[np.ndarray, tuple[int, ...], int, tuple[str, ...]]) -> dict[str, list[tuple[np.ndarray, float]]]:
    """(log errors, spread) per method at the chosen origins of one training series."""
    train, origins_back, window, methods = job
    out: dict[str, list] = {m: [] for m in methods}
    for history, actual in origin_windows(train, origins_back):
        spread = models.naive_scale(np.arange(len(history)), np.log(history), window or None)
        for method, errors in log_errors(history, actual, methods).items():
            out[method].append((errors, spread))
    return out


def quantile_rows(scaled: np.ndarray) -> tuple[tuple[float, ...], ...]:
    """Per-horizon rows of QUANTILE_PROBS quantiles, rounded for the generated module."""
    quantiles = np.quantile(scaled, models.QUANTILE_PROBS, axis=0).T
    return tuple(tuple(round(float(v), 3) for v in row) for row in quantiles)


def short_windows(trains: Sequence[np.ndarray], length: int, origins_back: Sequence[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Log windows of `length` values, their next M3_HORIZON log values, and the MASE scale of all values before each origin."""
    windows = [(h, a, naive_mae(as_series(train[: len(train) - M3_HORIZON - back])))
               for train in trains for back in origins_back
               for h, a in origin_windows(train, (back,), length)]
    return (np.log(np.vstack([h for h, _, _ in windows])), np.log(np.vstack([a for _, a, _ in windows])),
            np.array([s for _, _, s in windows]))


def fit_growth_prior(z: np.ndarray, future: np.ndarray, scale: np.ndarray) -> tuple[float, float]:
    """The prior growth and own-slope weight (grid) minimising sMAPE + MASE, each relative to naive's, over the windows."""
    own = models.own_slopes(z)
    h = np.arange(1, M3_HORIZON + 1)
    actual = np.exp(future)
    usable = scale > 0
    naive = np.exp(z[:, -1:]) + 0 * h
    naive_smape = float(smape(actual, naive).mean())
    naive_mase = float((np.abs(actual - naive)[usable] / scale[usable, None]).mean())
    best = (np.inf, 0.0, 0.0)
    for growth in PRIOR_GROWTH_GRID:
        for weight in PRIOR_WEIGHT_GRID:
            path = np.exp(z[:, -1:] + h * models.shrunk_slope(own, float(growth), float(weight))[:, None])
            mase = float((np.abs(actual - path)[usable] / scale[usable, None]).mean())
            score = float(smape(actual, path).mean()) / naive_smape + mase / naive_mase
            if score < best[0] - 1e-12:
                best = (score, float(growth), float(weight))
    return best[1], best[2]


def short_series_tables(trains: Sequence[np.ndarray], origins_back: Sequence[int]) -> dict:
    """Growth prior, own-slope weight, pooled spread and error quantiles for each short length."""
    out = {}
    h = np.arange(1, M3_HORIZON + 1)
    for length in SHORT_LENGTHS:
        z, future, scale = short_windows(trains, length, origins_back)
        growth, weight = fit_growth_prior(z, future, scale)
        own_scale = np.mean(np.abs(np.diff(z, axis=1)), axis=1)
        pooled = float(np.median(own_scale))
        spread = models.short_spread(own_scale, pooled)
        paths = {"growth_prior": z[:, -1:] + h * models.shrunk_slope(models.own_slopes(z), growth, weight)[:, None],
                 "naive": np.repeat(z[:, -1:], M3_HORIZON, axis=1)}
        out[length] = {
            "growth": growth, "weight": weight, "scale": round(pooled, 5), "n_windows": len(z),
            "quantiles": {m: quantile_rows((future - paths[m]) / spread[:, None]) for m in SHORT_METHODS},
        }
    return out


def short_validation(trains: Sequence[np.ndarray], tables: dict) -> dict[int, dict[str, float]]:
    """Coverage, sMAPE and MASE of the short-series constants on the validation split (last 6 training values),
    beside the full auto and naive from the same last n values."""
    out = {}
    h = np.arange(1, M3_HORIZON + 1)
    for length, calib in tables.items():
        z, future, scale = short_windows(trains, length, (0,))
        own_scale = np.mean(np.abs(np.diff(z, axis=1)), axis=1)
        spread = models.short_spread(own_scale, calib["scale"])[:, None]
        paths = {
            "prior": z[:, -1:] + h * models.shrunk_slope(models.own_slopes(z), calib["growth"], calib["weight"])[:, None],
            "auto": np.log(np.vstack([models.point_path("auto", models.prepare(as_series(np.exp(row)), models.IDENTITY),
                                                        M3_HORIZON, {}) for row in z]).clip(min=1e-300)),
            "naive": np.repeat(z[:, -1:], M3_HORIZON, axis=1),
        }
        q = np.asarray(calib["quantiles"]["growth_prior"])
        at = {p: q[:, models.QUANTILE_PROBS.index(p)] for p in (0.1, 0.9, 0.025, 0.975)}
        table = np.vstack([at[0.1], at[0.9], at[0.025], at[0.975]])
        c80, c95, _ = coverage(future - paths["prior"], spread[:, 0], table)
        checked = {"cov80": round(c80, 2), "cov95": round(c95, 2)}
        for name, path in paths.items():
            suffix = "" if name == "prior" else f"_{name}"
            checked["sMAPE" + suffix] = round(float(smape(np.exp(future), np.exp(path)).mean()), 2)
            checked["MASE" + suffix] = round(float((np.abs(np.exp(future) - np.exp(path)) / scale[:, None]).mean()), 3)
        out[length] = checked
    return out


def prior_max_points(validation: dict[int, dict[str, float]]) -> int:
    """The longest series auto still projects with the growth prior: while the prior beats full auto on validation
    (sMAPE + MASE, each relative to naive's), for this and every shorter length."""
    best = min(validation) - 1
    for length in sorted(validation):
        checked = validation[length]
        prior = checked["sMAPE"] / checked["sMAPE_naive"] + checked["MASE"] / checked["MASE_naive"]
        auto = checked["sMAPE_auto"] / checked["sMAPE_naive"] + checked["MASE_auto"] / checked["MASE_naive"]
        if length >= models.MIN_POINTS_FULL and prior >= auto:
            break
        best = length
    return best


def calibration_tables(path: Path, methods: Sequence[str] | None = None, jobs: int | None = None) -> dict:
    """Every calibration constant of analysis.models, from the M3 yearly training split only.

    Constants are fitted on windows inside train[:-6] (the calibration split); the last 6 training
    values (the validation split) choose the design and check the result; the test split is never read.
    """
    methods = tuple(methods or models.METHODS)
    trains = [train for _, train, _ in load_m3(Path(path))]
    inner = [train[:-M3_HORIZON] for train in trains]
    n_jobs = jobs or os.cpu_count() or 1
    design = select_design(run_pool(design_job, trains, n_jobs))
    origins, window = design["origins_back"], design["scale_window"]
    results = run_pool(table_job, [(t, origins, window, methods) for t in inner], n_jobs)
    all_spreads = np.array([s for r in results for _, s in r[methods[0]]])
    floor = round(float(np.quantile(all_spreads, SPREAD_FLOOR_QUANTILE)), 5)
    tables = {}
    for method in methods:
        scaled = np.vstack([e / max(s, floor) for r in results for e, s in r[method]])
        tables[method] = quantile_rows(scaled)
    short = short_series_tables(inner, origins)
    validation = short_validation(trains, short)
    until = prior_max_points(validation)
    for length, checked in validation.items():
        short[length]["validation"] = checked
    short = {length: calib for length, calib in short.items() if length <= until}
    return {"DESIGN": design, "SPREAD_FLOOR": floor, "ERROR_QUANTILES": tables, "SHORT_SERIES": short,
            "PRIOR_MAX_POINTS": until, "PRIOR_CHECKED": {n: v for n, v in validation.items() if n > until}}


def python_literal(value: object, indent: int = 0) -> str:
    """A deterministic Python literal: dicts one key per line (sorted), tuples of numbers on one line."""
    pad = "    " * (indent + 1)
    if isinstance(value, dict):
        items = [f"{pad}{k!r}: {python_literal(value[k], indent + 1)}," for k in sorted(value, key=str)]
        return "{\n" + "\n".join(items) + "\n" + "    " * indent + "}"
    if isinstance(value, (tuple, list)) and value and all(isinstance(v, (tuple, list, dict)) for v in value):
        open_, close = ("(", ")") if isinstance(value, tuple) else ("[", "]")
        items = [f"{pad}{python_literal(v, indent + 1)}," for v in value]
        return open_ + "\n" + "\n".join(items) + "\n" + "    " * indent + close
    if isinstance(value, tuple):
        return "(" + ", ".join(repr(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    return repr(value)


def calibration_source(constants: dict, data_name: str) -> str:
    """The generated calibration module as Python source (deterministic text)."""
    lines = [
        '"""Calibration constants of analysis.models, learned from the M3 yearly *training* split only.',
        "",
        f"Generated from {data_name} by `python -m analysis bench m3 --data <path> --calibrate`;",
        "do not edit by hand: tests/test_backtest.py regenerates the fast parts and compares.",
        "DESIGN: origins and volatility window chosen on a validation split inside train (validation rows:",
        "coverage of the last 6 training values, calibrated on the values before them). SPREAD_FLOOR: the",
        "smallest spread an interval is scaled by. ERROR_QUANTILES: per method, per horizon 1..6, quantiles",
        "at models.QUANTILE_PROBS of log errors / spread. SHORT_SERIES: per length n, growth prior (log",
        "growth per year), own-slope weight, pooled spread and scaled-error quantiles of windows of n values.",
        "PRIOR_MAX_POINTS: auto uses the growth prior up to this many points (it beat full auto on validation",
        "for every length up to it); PRIOR_CHECKED: the validation of the longer lengths, where it did not.",
        '"""',
        "",
    ]
    for name in ("DESIGN", "SPREAD_FLOOR", "ERROR_QUANTILES", "SHORT_SERIES", "PRIOR_MAX_POINTS", "PRIOR_CHECKED"):
        lines.append(f"{name} = {python_literal(constants[name])}")
        lines.append("")
    return "\n".join(lines)


def run_calibration(path: Path, jobs: int | None = None, output: Path | None = None) -> int:
    """The `bench m3 --calibrate` command: regenerate analysis/calibration.py from the training split."""
    output = Path(output) if output else Path(models.__file__).with_name("calibration.py")
    try:
        constants = calibration_tables(Path(path), jobs=jobs)
    except (OSError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    output.write_text(calibration_source(constants, Path(path).name), encoding="utf-8")
    chosen = constants["DESIGN"]
    print(f"wrote {output}: origins back {chosen['origins_back']}, scale window {chosen['scale_window'] or 'all'}, "
          f"spread floor {constants['SPREAD_FLOOR']}")
    return 0
