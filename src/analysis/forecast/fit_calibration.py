"""Fit the interval calibration on M3's training part (and, for short series, the China tuning regions) and write
analysis/forecast/calibration.py."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Sequence

import numpy as np

from analysis.forecast import fit_short, intervals, members, models, scales
from analysis.forecast.backtest import M3_HORIZON, interval_score, run_pool, smape
from analysis.forecast.bench_m3 import as_series, load_m3, load_m3_groups

CALIBRATION_MIN_HISTORY = 8


DESIGN_ORIGINS = ((0, 1), (0, 1, 2, 3), (0, 1, 2, 3, 4, 5), tuple(range(30)))


DESIGN_SCALE_WINDOWS = (4, 8, 0)  # 0 = every change of the history


DESIGN_COVERAGE_BAND = 3.0  # validation coverage within this many points of 80 and of 95 counts as calibrated


SPREAD_FLOOR_QUANTILE = 0.05  # the interval-width floor: this quantile of the pooled spreads


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


def short_validation(trains: Sequence[tuple[str, np.ndarray]], tables: dict) -> dict[int, dict[str, float]]:
    """Coverage, sMAPE and MASE of one group's short-series constants on the validation split (last 6 training
    values) of that group's series, beside the full auto and naive from the same last n values."""
    out = {}
    for length, calib in tables.items():
        w = fit_short.m3_windows(trains, length, (0,))
        path, scale, _ = fit_short.windows_fit(w, **{k: calib[k] for k in fit_short.PARAMETERS})
        paths = {
            "prior": path,
            "auto": np.log(np.vstack([members.point_path("auto", scales.prepare(as_series(np.exp(row)), scales.IDENTITY),
                                                        M3_HORIZON, {}) for row in w.e]).clip(min=1e-300)),
            "naive": np.repeat(w.e[:, -1:], M3_HORIZON, axis=1),
        }
        q = np.asarray(calib["quantiles"]["growth_prior"])
        at = {p: q[:, intervals.QUANTILE_PROBS.index(p)] for p in (0.1, 0.9, 0.025, 0.975)}
        z = (w.future - paths["prior"]) / scale
        checked = {"cov80": round(float(np.mean((z >= at[0.1]) & (z <= at[0.9])) * 100), 2),
                   "cov95": round(float(np.mean((z >= at[0.025]) & (z <= at[0.975])) * 100), 2)}
        for name, path in paths.items():
            suffix = "" if name == "prior" else f"_{name}"
            checked["sMAPE" + suffix] = round(float(smape(w.actual, np.exp(path)).mean()), 2)
            checked["MASE" + suffix] = round(float((np.abs(w.actual - np.exp(path)) / w.mase_scale[:, None]).mean()), 3)
        checked["n_windows"] = len(w)
        out[length] = checked
    return out


def pooled_validation(by_group: dict[str, dict[int, dict[str, float]]]) -> dict[int, dict[str, float]]:
    """The groups' validation scores of each length pooled over their windows (means weighted by window counts)."""
    out = {}
    for length in sorted(set.intersection(*(set(v) for v in by_group.values()))):
        parts = [v[length] for v in by_group.values()]
        total = sum(p["n_windows"] for p in parts)
        out[length] = {k: sum(p[k] * p["n_windows"] for p in parts) / total for k in parts[0] if k != "n_windows"}
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


def calibration_tables(path: Path, methods: Sequence[str] | None = None, jobs: int | None = None,
                       data_dir: Path | None = None) -> dict:
    """Every calibration constant of analysis.forecast.models, from the M3 yearly training split and, for the
    short series, the China tuning regions of `data_dir` (the project's data/ by default).

    Constants are fitted on windows inside train[:-6] (the calibration split); the last 6 training
    values (the validation split) choose the design and check the result; M3's test split and the
    China held-out regions are never read (TRAINING records what was).
    """
    methods = tuple(methods or models.METHODS)
    named = [(series_id, train) for series_id, train, _ in load_m3(Path(path))]
    trains = [train for _, train in named]
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
    groups = load_m3_groups(Path(path))
    short = fit_short.short_series_tables([(i, t[:-M3_HORIZON]) for i, t in named], origins, data_dir, groups)
    validation = {group: short_validation([(i, t) for i, t in named if groups.get(i) == group], short[group]) for group in short}
    until = prior_max_points(pooled_validation(validation))  # over every M3 series, each with its group's table
    for group, checked_by_length in validation.items():
        for length, checked in checked_by_length.items():
            short[group][length]["validation"] = checked
    short = {group: {length: calib for length, calib in by_length.items() if length <= until} for group, by_length in short.items()}
    checked = {n: v for n, v in validation[intervals.AGGREGATE].items() if n > until}
    return {"DESIGN": design, "SPREAD_FLOOR": floor, "ERROR_QUANTILES": tables, "SHORT_SERIES": short[intervals.AGGREGATE],
            "SHORT_SERIES_OTHER": short.get(intervals.OTHER, short[intervals.AGGREGATE]),
            "PRIOR_MAX_POINTS": until, "PRIOR_CHECKED": checked,
            "TRAINING": {**fit_short.training_record(named, data_dir), "groups": group_record(groups)}}


def group_record(groups: dict[str, str]) -> dict[str, dict]:
    """Which M3 categories went to which short-series group, and how many series each holds."""
    return {group: {"m3_categories": sorted(c for c, g in intervals.M3_GROUPS.items() if g == group),
                    "n_m3_series": sum(1 for g in groups.values() if g == group)}
            for group in intervals.SERIES_GROUPS}


def is_flat(value: object) -> bool:
    """A number, a string or a tuple of them (printed on one line)."""
    if isinstance(value, tuple):
        return all(not isinstance(v, (dict, list, tuple)) for v in value)
    return not isinstance(value, (dict, list))


def python_literal(value: object, indent: int = 0) -> str:
    """A deterministic Python literal: dicts one key per line (sorted; a short dict of numbers on one line), tuples of
    numbers on one line."""
    pad = "    " * (indent + 1)
    if isinstance(value, dict) and value and all(is_flat(v) for v in value.values()):
        flat = "{" + ", ".join(f"{k!r}: {value[k]!r}" for k in sorted(value, key=str)) + "}"
        if len(flat) + len(pad) <= 150:  # a small dict of numbers on one line
            return flat
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
        '"""Calibration constants of analysis.forecast.models, learned from the M3 yearly *training* split and',
        "(short series) the China tuning regions of bench china only.",
        "",
        f"Generated from {data_name} by `python -m analysis bench m3 --data <path> --calibrate`;",
        "do not edit by hand: tests/test_backtest.py regenerates the fast parts and compares.",
        "DESIGN: origins and volatility window chosen on a validation split inside train (validation rows:",
        "coverage of the last 6 training values, calibrated on the values before them). SPREAD_FLOOR: the",
        "smallest spread an interval is scaled by. ERROR_QUANTILES: per method, per horizon 1..6, quantiles",
        "at models.QUANTILE_PROBS of log errors / spread. SHORT_SERIES: per length n (analysis.forecast.fit_short):",
        "the pooled prior growth (log growth per year), the prior's sd, the pooled noise sd and its pseudo-dof",
        "(the empirical-Bayes weight of the own growth), the noise floor, the interval noise's exponent and",
        "pooled sd (intervals.scale_variance), the share of the squared growth gap (intervals.growth_gap_var),",
        "the quantiles of errors / intervals.short_scales pooled over M3 calibration windows and China",
        "tuning-region windows, window counts and in-sample coverage per source, the M3 validation; for the",
        "'aggregate' group (M3 MACRO and DEMOGRAPHIC with the China tuning regions: every series of data/).",
        "SHORT_SERIES_OTHER: the same for the 'other' group (M3 MICRO, INDUSTRY, FINANCE, OTHER), used by the M3 benchmark.",
        "PRIOR_MAX_POINTS: auto uses the growth prior up to this many points (it beat full auto on validation",
        "for every length up to it); PRIOR_CHECKED: the validation of the longer lengths, where it did not.",
        "TRAINING: what the fit read (M3 training values' hash; the China regions, series and windows' hash);",
        "tests/test_backtest.py checks that no M3 test value and no held-out region is among them.",
        '"""',
        "",
    ]
    for name in ("DESIGN", "SPREAD_FLOOR", "ERROR_QUANTILES", "SHORT_SERIES", "SHORT_SERIES_OTHER", "PRIOR_MAX_POINTS",
                 "PRIOR_CHECKED", "TRAINING"):
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
