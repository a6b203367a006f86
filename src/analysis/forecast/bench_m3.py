"""The M3 yearly benchmark (full length and cut to short series), beside the published M3 results."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from analysis.forecast import intervals, members, models, scales
from analysis.forecast.backtest import INTERVAL_LEVELS, M3_HORIZON, naive_mae, run_pool, score_points, smape

# Makridakis & Hibon (2000) Table 13 (sMAPE, h 1-6) and Hyndman & Koehler (2006) (MASE), by the
# method names of m3_yearly_original_forecasts.csv.
PUBLISHED_SMAPE = {
    "RBF": 16.42, "ForcX": 16.48, "AutoBox2": 16.52, "ROBUST-Trend": 16.78, "THETA": 16.90,
    "COMB S-H-D": 17.07, "ForecastPro": 17.14, "DAMPEN": 17.18, "SINGLE": 17.82, "NAIVE2": 17.88,
    "HOLT": 19.27,
}


PUBLISHED_MASE = {"ROBUST-Trend": 2.63, "ForcX": 2.77, "THETA": 2.81, "NAIVE2": 3.17}


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


def load_m3_groups(path: Path) -> dict[str, str]:
    """Each M3 series' short-series group (intervals.m3_group of its category; no category column: aggregate)."""
    frame = pd.read_csv(path, usecols=lambda c: c in ("series_id", "category"))
    if "category" not in frame.columns:
        return {str(s): intervals.AGGREGATE for s in frame["series_id"].unique()}
    firsts = frame.drop_duplicates("series_id")
    return {str(s): intervals.m3_group(c) for s, c in zip(firsts["series_id"], firsts["category"])}


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
        reused = sum(seconds.get(m, 0.0) for m in members.AUTO_MEMBERS) if method == "auto" else 0.0
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


SHORT_BENCH_METHODS = ("auto", "naive")


def score_short_series(job: tuple[str, np.ndarray, np.ndarray, int, str]) -> list[dict]:
    """Forecast one M3 series from its last k training values with auto and naive (its group's calibration); score on the test split."""
    series_id, train, test, k, group = job
    scale = naive_mae(as_series(train))  # the whole training series': the same yardstick for every k
    history = as_series(train[-k:])
    rows = []
    for method in SHORT_BENCH_METHODS:
        try:
            fc = models.forecast(history, M3_HORIZON, method=method, levels=INTERVAL_LEVELS, series_group=group)
        except scales.SeriesTooShort:
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
    groups = load_m3_groups(Path(path))
    jobs_list = [(sid, train, test, int(k), groups[sid]) for k in lengths for sid, train, test in m3]
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
          f"{intervals.PRIOR_MAX_POINTS} points is models' {models.SHORT_METHOD!r} projection.")
    if output:
        write_table(table, Path(output))
    return 0
