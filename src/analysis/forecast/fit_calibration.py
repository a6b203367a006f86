"""Fit the interval calibration on M3's training part and write analysis/forecast/calibration.py."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Sequence

import numpy as np

from analysis.forecast import intervals, members, models, scales
from analysis.forecast.backtest import M3_HORIZON, interval_score, naive_mae, run_pool, smape
from analysis.forecast.bench_m3 import as_series, load_m3

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
    prepared = scales.prepare(as_series(history), scales.IDENTITY)
    cache: dict[str, np.ndarray] = {}
    floor = history.min() * 1e-3
    return {m: np.log(actual) - np.log(np.maximum(members.point_path(m, prepared, M3_HORIZON, cache), floor))
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
    return {w: intervals.naive_scale(years, logs, w or None) for w in DESIGN_SCALE_WINDOWS}


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
        spread = intervals.naive_scale(np.arange(len(history)), np.log(history), window or None)
        for method, errors in log_errors(history, actual, methods).items():
            out[method].append((errors, spread))
    return out


def quantile_rows(scaled: np.ndarray) -> tuple[tuple[float, ...], ...]:
    """Per-horizon rows of QUANTILE_PROBS quantiles, rounded for the generated module."""
    quantiles = np.quantile(scaled, intervals.QUANTILE_PROBS, axis=0).T
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
    own = intervals.own_slopes(z)
    h = np.arange(1, M3_HORIZON + 1)
    actual = np.exp(future)
    usable = scale > 0
    naive = np.exp(z[:, -1:]) + 0 * h
    naive_smape = float(smape(actual, naive).mean())
    naive_mase = float((np.abs(actual - naive)[usable] / scale[usable, None]).mean())
    best = (np.inf, 0.0, 0.0)
    for growth in PRIOR_GROWTH_GRID:
        for weight in PRIOR_WEIGHT_GRID:
            path = np.exp(z[:, -1:] + h * intervals.shrunk_slope(own, float(growth), float(weight))[:, None])
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
        spread = intervals.short_spread(own_scale, pooled)
        paths = {"growth_prior": z[:, -1:] + h * intervals.shrunk_slope(intervals.own_slopes(z), growth, weight)[:, None],
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
        spread = intervals.short_spread(own_scale, calib["scale"])[:, None]
        paths = {
            "prior": z[:, -1:] + h * intervals.shrunk_slope(intervals.own_slopes(z), calib["growth"], calib["weight"])[:, None],
            "auto": np.log(np.vstack([members.point_path("auto", scales.prepare(as_series(np.exp(row)), scales.IDENTITY),
                                                        M3_HORIZON, {}) for row in z]).clip(min=1e-300)),
            "naive": np.repeat(z[:, -1:], M3_HORIZON, axis=1),
        }
        q = np.asarray(calib["quantiles"]["growth_prior"])
        at = {p: q[:, intervals.QUANTILE_PROBS.index(p)] for p in (0.1, 0.9, 0.025, 0.975)}
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
    """Every calibration constant of analysis.forecast.models, from the M3 yearly training split only.

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
        '"""Calibration constants of analysis.forecast.models, learned from the M3 yearly *training* split only.',
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
    """The `bench m3 --calibrate` command: regenerate analysis/forecast/calibration.py from the training split."""
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
