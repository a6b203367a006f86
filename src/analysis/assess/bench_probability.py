"""`bench probability`: how good is the tracker's P(meet)? Brier score and reliability (issue 20, item 3).

Targets. At each origin (the last value ``y_o`` a report knows) targets are set as plan targets
are: for every horizon ``h`` (1-6) and every percentile ``q`` in ``GROWTH_PERCENTILES`` (10, 30,
50, 70, 90) the target for year ``o + h`` is ``y_o * exp(h * g_q)``, where ``g_q`` is the q-th
percentile of the pooled historical annual log growth of the benchmark's *training* part (M3: every
consecutive pair of training values of every series; China: every change per elapsed year of the
tuning regions' series, latest vintage). The target is met when the actual value is ``>=`` it.
Only positive series are used (every M3 and every China benchmark series is positive).

The forecasts scored. ``model``: the tracker's P(meet), computed as ``gap`` does: the forecast of
``tracker.run_forecast`` (auto, seed 0, bounds, peers) from the history cut to its last 2, 3, 4 or 6
values or whole (``all``), then ``projection.probability(forecast, o + h, ">=", target)``, the share of
sample paths meeting the target. Baselines:
(a) ``base_rate``: one constant, the share of targets met in the training part;
    ``base_rate_qh``: the same per (percentile, horizon), a stronger climatology shown beside it;
(b) ``category``: the Eurostat / Open SDG progress category of ``progress.classify_progress`` (observed
    annual growth from the cut's first value to ``y_o`` over the growth required from that base to the
    target; significant >= 0.95, moderate >= 0.6, insufficient >= 0, away < 0, achieved when
    ``y_o`` already meets it), turned into a probability by each category's hit rate on the **M3
    training part only** (pooled over lengths, horizons and percentiles; a category never seen
    there gets the M3 base rate);
(c) ``recent_pace``: 1 if the value extrapolated at the observed annual growth of the cut (CAGR
    for geometric indicators and M3, average change for linear ones, as ``base_path.annual_rates``)
    meets the target, else 0 (not smoothed: its Brier score is its error rate).

Training and test parts. M3: the repository's split (``split`` column; test = the last 6 values,
as ``bench m3`` and the calibration use it). The training events are the windows inside each
training series whose next 6 values are still training values, origins 0-3 back
(``M3_TRAIN_ORIGINS_BACK``, the origins ``analysis.calibration`` was fitted on) with 6+ values
before the origin; the test events are the origin at the end of train, scored on the test split.
China: the rolling origins of ``bench china`` (same vintage rule, same series), training part = the
tuning regions, test part = the held-out regions (``bench_china.region_split``); the category rates
still come from M3 training.

Scores per benchmark, part, length and method: Brier score (pooled, and per-series: every series
weighted equally), Brier skill ``1 - Brier / Brier(base_rate)``, expected calibration error
``ECE = sum_b n_b / N * |mean forecast_b - observed frequency_b|`` over ``N_BINS`` (10) equal bins
``[0, 0.1), ..., [0.9, 1.0]``, and the reliability table (count, mean forecast, observed frequency
per bin). Output in bench-results/: probability_scores.csv, probability_reliability.csv,
probability_fit.csv (the fitted growth percentiles and rates) and probability.md; deterministic
(fixed seeds, no timings in the files).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from analysis.assess import base_path, progress, projection, rules
from analysis.data import csvfile, loader
from analysis.forecast import backtest, bench_china, bench_m3, intervals, tracker

GROWTH_PERCENTILES = (10, 30, 50, 70, 90)
N_BINS = 10
COMPARATOR = ">="
HORIZON = backtest.M3_HORIZON
M3_TRAIN_ORIGINS_BACK = (0, 1, 2, 3)
M3_FORM = "geometric"
LENGTHS = bench_china.LENGTHS + (bench_china.ALL,)
MIN_HISTORY = max(bench_china.LENGTHS)  # every length is scored on the same events
CATEGORIES = ("achieved", "significant", "moderate", "insufficient", "away", "insufficient_data")
METHODS = ("model", "base_rate", "base_rate_qh", "category", "recent_pace")
EVENT_KEY = ("series", "origin", "h", "q")
POOLED_LENGTHS = "pooled"  # the length label of the rows pooling every length


# ---------------------------------------------------------------------------------------------
# targets and events


def pooled_growth_percentiles(series: Sequence[pd.Series], percentiles: Sequence[int] = GROWTH_PERCENTILES) -> dict[int, float]:
    """Percentiles of the pooled annual log growth (change of log per elapsed year) of positive series."""
    growths = []
    for s in series:
        s = s[s > 0]
        if len(s) >= 2:
            growths.append(np.diff(np.log(s.to_numpy(dtype=float))) / np.diff(s.index.to_numpy(dtype=float)))
    if not growths:
        raise ValueError("no positive series with two or more values to pool the growth percentiles from")
    pooled = np.concatenate(growths)
    return {int(q): float(np.percentile(pooled, q)) for q in percentiles}


def recent_pace_meets(base_year: int, base: float, year: int, value: float, target_year: int, target: float, form: str) -> bool:
    """Does the value extrapolated at its observed annual growth since the base (base_path.annual_rates) meet the target?"""
    observed, _, used = base_path.annual_rates(base, value, target, year - base_year, target_year - base_year, form)
    steps = target_year - year
    projected = value * (1 + observed) ** steps if used == "geometric" else value + observed * steps
    return rules.meets(projected, COMPARATOR, target)


def origin_events(key: str, part: str, history: pd.Series, actual: pd.Series, growths: dict[int, float], form: str,
                  lengths: Sequence[int | str] = LENGTHS, forecast=None) -> list[dict]:
    """The events of one origin: per length x horizon x percentile, the outcome, the category, the pace and P(meet).

    `history` ends at the origin (year index), `actual` holds the later values, `forecast(cut, horizon)`
    returns a models.Forecast (None: no model probability).
    """
    origin = int(history.index[-1])
    value = float(history.iloc[-1])
    years = actual.index.to_numpy(dtype=int)
    horizon = int(years.max() - origin)
    rows = []
    for length in lengths:
        cut = bench_china.cut(history, length)
        base_year, base = int(cut.index[0]), float(cut.iloc[0])
        fc = forecast(cut, horizon) if forecast is not None else None
        for year, outcome_value in zip(years, actual.to_numpy(dtype=float)):
            for q, growth in growths.items():
                target = value * float(np.exp((year - origin) * growth))
                ratio, category, _ = progress.classify_progress(base_year, base, origin, value, int(year), target, form, COMPARATOR)
                rows.append({
                    "series": key, "part": part, "origin": origin, "length": str(length), "h": int(year - origin),
                    "q": int(q), "target": target, "outcome": float(rules.meets(outcome_value, COMPARATOR, target)),
                    "category": category, "ratio": ratio,
                    "recent_pace": float(recent_pace_meets(base_year, base, origin, value, int(year), target, form)),
                    "model": projection.probability(fc, int(year), COMPARATOR, target) if fc is not None else np.nan,
                })
    return rows


def model_forecast(bounds=None, peers=(), series_group: str = intervals.AGGREGATE):
    """The tracker's forecast of a cut, as gap makes it (an M3 series with its group's short-series calibration)."""
    def run(cut: pd.Series, horizon: int):
        return tracker.run_forecast(cut, horizon, bounds, peers, series_group=series_group)
    return run


def m3_job(job: tuple[str, np.ndarray, np.ndarray, dict[int, float], str]) -> tuple[list[dict], list[dict]]:
    """One M3 series: training events (windows inside train, no model) and test events (end of train, with the model)."""
    series_id, train, test, growths, group = job
    train_rows = []
    for back in M3_TRAIN_ORIGINS_BACK:
        origin = len(train) - HORIZON - back
        if origin < MIN_HISTORY:
            continue
        history = pd.Series(train[:origin], index=np.arange(1, origin + 1))
        actual = pd.Series(train[origin:origin + HORIZON], index=np.arange(origin + 1, origin + HORIZON + 1))
        train_rows += origin_events(series_id, "train", history, actual, growths, M3_FORM)
    history = bench_m3.as_series(train)
    actual = pd.Series(test, index=np.arange(len(train) + 1, len(train) + len(test) + 1))
    test_rows = origin_events(series_id, "test", history, actual, growths, M3_FORM, forecast=model_forecast(series_group=group))
    return train_rows, test_rows


def m3_events(path: Path, jobs: int | None = None) -> tuple[pd.DataFrame, dict[int, float]]:
    """Training and test events of M3 yearly, and the growth percentiles of its training split."""
    m3 = bench_m3.load_m3(Path(path))
    growths = pooled_growth_percentiles([bench_m3.as_series(train) for _, train, _ in m3])
    groups = bench_m3.load_m3_groups(Path(path))
    results = backtest.run_pool(m3_job, [(sid, train, test, growths, groups[sid]) for sid, train, test in m3], jobs or os.cpu_count() or 1)
    rows = [row for train_rows, test_rows in results for row in train_rows + test_rows]
    return pd.DataFrame(rows), growths


def china_events(data_dir: Path) -> tuple[pd.DataFrame, dict[int, float]]:
    """Tuning and held-out events on the bench china series, and the tuning regions' growth percentiles."""
    dataset = loader.load(Path(data_dir))
    vintages = bench_china.Vintages(dataset.observations)
    series = bench_china.benchmark_series(vintages, dataset.indicators)
    growths = pooled_growth_percentiles([s.final for s in series if s.split == "tuning"])
    rows = []
    for bench in series:
        if not (bench.final > 0).all():
            continue
        for o in bench_china.origins(vintages, bench)[0]:
            rows += origin_events(bench.key, bench.split, o.history, o.actual, growths, bench.form,
                                  forecast=model_forecast(bench.bounds, o.peers))
    return pd.DataFrame(rows), growths


# ---------------------------------------------------------------------------------------------
# baselines and scores


def unique_events(events: pd.DataFrame) -> pd.DataFrame:
    """One row per event (the outcome does not depend on the length the history is cut to)."""
    return events.drop_duplicates(list(EVENT_KEY))


def fit_base_rates(train: pd.DataFrame) -> tuple[float, dict[tuple[int, int], float]]:
    """The share of training targets met, overall and per (percentile, horizon)."""
    events = unique_events(train)
    by_qh = events.groupby(["q", "h"], sort=True)["outcome"].mean()
    return float(events["outcome"].mean()), {(int(q), int(h)): float(v) for (q, h), v in by_qh.items()}


def fit_category_rates(train: pd.DataFrame) -> dict[str, float]:
    """Each progress category's hit rate on the training events (every length counts)."""
    rates = train.groupby("category", sort=True)["outcome"].mean()
    return {str(c): float(v) for c, v in rates.items()}


def add_baselines(events: pd.DataFrame, base_rate: float, by_qh: dict[tuple[int, int], float],
                  category_rates: dict[str, float], category_default: float) -> pd.DataFrame:
    """The events with the base-rate and category probabilities filled in."""
    out = events.copy()
    out["base_rate"] = base_rate
    out["base_rate_qh"] = [by_qh.get((int(q), int(h)), base_rate) for q, h in zip(out["q"], out["h"])]
    out["category"] = out["category"].astype(str)
    out["category_p"] = out["category"].map(category_rates).fillna(category_default).astype(float)
    return out


def forecast_column(method: str) -> str:
    """The events column holding a method's probability."""
    return "category_p" if method == "category" else method


def brier(p: np.ndarray, outcome: np.ndarray, weights: np.ndarray | None = None) -> float:
    """(Weighted) mean squared difference between probability and outcome (0/1)."""
    p, outcome = np.asarray(p, float), np.asarray(outcome, float)
    return float(np.average((p - outcome) ** 2, weights=weights))


def bin_index(p: np.ndarray, n_bins: int = N_BINS) -> np.ndarray:
    """The reliability bin of each probability: [0, 1/n), ..., [(n-1)/n, 1] (1.0 in the last)."""
    edges = np.arange(1, n_bins) / n_bins
    return np.searchsorted(edges, np.asarray(p, float), side="right")


def reliability(p: np.ndarray, outcome: np.ndarray, n_bins: int = N_BINS) -> pd.DataFrame:
    """Per bin: edges, count, mean forecast and observed frequency (empty bins: count 0, NaN means)."""
    p, outcome = np.asarray(p, float), np.asarray(outcome, float)
    bins = bin_index(p, n_bins)
    rows = []
    for b in range(n_bins):
        inside = bins == b
        n = int(inside.sum())
        rows.append({"bin": b, "lo": b / n_bins, "hi": (b + 1) / n_bins, "count": n,
                     "mean_forecast": float(p[inside].mean()) if n else np.nan,
                     "observed_freq": float(outcome[inside].mean()) if n else np.nan})
    return pd.DataFrame(rows)


def expected_calibration_error(table: pd.DataFrame) -> float:
    """sum_b n_b / N * |mean forecast_b - observed frequency_b| of a reliability table."""
    used = table[table["count"] > 0]
    return float((used["count"] * (used["mean_forecast"] - used["observed_freq"]).abs()).sum() / used["count"].sum())


def score_cells(events: pd.DataFrame, benchmark: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Scores and reliability tables per part x length (and every length pooled) x method."""
    scores, tables = [], []
    for part, in_part in events.groupby("part", sort=True):
        lengths = [(str(k), in_part[in_part["length"] == str(k)]) for k in LENGTHS] + [(POOLED_LENGTHS, in_part)]
        for length, cell in lengths:
            if cell.empty:
                continue
            weights = 1.0 / cell.groupby("series")["outcome"].transform("size").to_numpy(dtype=float)
            outcome = cell["outcome"].to_numpy(dtype=float)
            reference = brier(cell["base_rate"], outcome)
            for method in METHODS:
                p = cell[forecast_column(method)].to_numpy(dtype=float)
                if np.isnan(p).all():
                    continue
                table = reliability(p, outcome)
                score = brier(p, outcome)
                scores.append({"benchmark": benchmark, "part": part, "length": length, "method": method,
                               "n_events": len(cell), "n_series": int(cell["series"].nunique()),
                               "base_rate_observed": float(outcome.mean()), "brier": score,
                               "brier_per_series": brier(p, outcome, weights),
                               "skill_vs_base_rate": 1 - score / reference if reference > 0 else np.nan,
                               "ece": expected_calibration_error(table)})
                tables.append(table.assign(benchmark=benchmark, part=part, length=length, method=method))
    reliability_table = pd.concat(tables, ignore_index=True)
    front = ["benchmark", "part", "length", "method"]
    return pd.DataFrame(scores), reliability_table[front + [c for c in reliability_table.columns if c not in front]]


def probability_tables(m3_path: Path, data_dir: Path, jobs: int | None = None) -> dict[str, pd.DataFrame]:
    """Every table of bench probability: scores, reliability, fit."""
    m3, m3_growths = m3_events(Path(m3_path), jobs)
    china, china_growths = china_events(Path(data_dir))
    m3_train = m3[m3["part"] == "train"]
    m3_rate, m3_qh = fit_base_rates(m3_train)
    category_rates = fit_category_rates(m3_train)
    if china.empty or not (china["part"] == "tuning").any():
        raise ValueError("bench probability: no China events in the tuning regions to fit the base rate on")
    china_rate, china_qh = fit_base_rates(china[china["part"] == "tuning"])
    m3_scored = add_baselines(m3[m3["part"] == "test"], m3_rate, m3_qh, category_rates, m3_rate)
    china_scored = add_baselines(china, china_rate, china_qh, category_rates, m3_rate)
    m3_scores, m3_rel = score_cells(m3_scored, "m3")
    china_scores, china_rel = score_cells(china_scored, "china")
    fit = [{"benchmark": b, "what": f"growth_p{q}", "value": g} for b, gs in (("m3", m3_growths), ("china", china_growths))
           for q, g in gs.items()]
    fit += [{"benchmark": "m3", "what": "base_rate", "value": m3_rate},
            {"benchmark": "china", "what": "base_rate", "value": china_rate}]
    counts = m3_train.groupby("category")["outcome"].size()
    fit += [{"benchmark": "m3", "what": f"category_rate:{c}", "value": category_rates[c], "n_train_events": int(counts[c])}
            for c in CATEGORIES if c in category_rates]
    fit += [{"benchmark": b, "what": f"base_rate_q{q}_h{h}", "value": v} for b, qh in (("m3", m3_qh), ("china", china_qh))
            for (q, h), v in qh.items()]
    return {"scores": pd.concat([m3_scores, china_scores], ignore_index=True),
            "reliability": pd.concat([m3_rel, china_rel], ignore_index=True),
            "fit": pd.DataFrame(fit).astype({"n_train_events": "Int64"})}


# ---------------------------------------------------------------------------------------------
# the command

SCORE_COLUMNS = ("method", "n_events", "brier", "brier_per_series", "skill_vs_base_rate", "ece")


def summary_markdown(tables: dict[str, pd.DataFrame]) -> str:
    """The short markdown summary of bench probability."""
    scores, rel, fit = tables["scores"], tables["reliability"], tables["fit"]
    growth = fit[fit["what"].str.startswith("growth_p")]
    rates = fit[fit["what"].str.startswith("category_rate:")]
    lines = [
        "# bench probability: Brier score and reliability of P(meet)",
        "",
        "Targets: the value at the origin grown at the 10/30/50/70/90th percentile of the training part's pooled annual "
        "log growth over 1-6 years (met when the actual is >= the target). Growth percentiles: "
        + "; ".join(f"{b}: " + ", ".join(f"{w[8:]}% {v:+.3f}" for w, v in zip(g["what"], g["value"]))
                    for b, g in growth.groupby("benchmark", sort=False)) + ".",
        "Category hit rates (M3 training): "
        + ", ".join(f"{w.split(':')[1]} {v:.3f}" for w, v in zip(rates["what"], rates["value"])) + ".",
        "",
    ]
    shown = (("m3", "test", "M3 yearly, test split"), ("china", "held_out", "China series, held-out regions"),
             ("china", "tuning", "China series, tuning regions"))
    for benchmark, part, title in shown:
        cell = scores[(scores["benchmark"] == benchmark) & (scores["part"] == part)]
        if cell.empty:
            continue
        base = cell["base_rate_observed"].iloc[0]
        lines += [f"## {title} ({int(cell['n_series'].iloc[0])} series, {base:.1%} of targets met)", ""]
        wide = cell.pivot(index="length", columns="method", values="brier").reindex(columns=list(METHODS))
        wide = wide.reindex([str(k) for k in LENGTHS] + [POOLED_LENGTHS]).reset_index()
        lines += ["Brier score by length (lower is better):", "", bench_china.markdown_table(wide, ["length", *METHODS], 4), ""]
        pooled = cell[cell["length"] == POOLED_LENGTHS]
        lines += ["Every length pooled:", "", bench_china.markdown_table(pooled, SCORE_COLUMNS, 4), ""]
        table = rel[(rel["benchmark"] == benchmark) & (rel["part"] == part) & (rel["length"] == POOLED_LENGTHS)
                    & (rel["method"] == "model")]
        lines += ["Reliability of the model, every length pooled:", "",
                  bench_china.markdown_table(table, ("bin", "count", "mean_forecast", "observed_freq"), 3), ""]
    lines += ["skill_vs_base_rate = 1 - Brier / Brier(base_rate); ece over 10 equal bins; brier_per_series weights every "
              "series equally. Lengths: the history cut to its last 2, 3, 4, 6 values or whole (all); pooled = every length.", ""]
    return "\n".join(lines)


def run_probability_benchmark(m3_path: Path, data_dir: Path, out_dir: Path = Path("bench-results"),
                              jobs: int | None = None) -> int:
    """The `bench probability` command: write the tables and the summary, print the summary."""
    try:
        tables = probability_tables(Path(m3_path), Path(data_dir), jobs)
    except csvfile.DataValidationError as err:
        for problem in err.problems:
            print(problem, file=sys.stderr)
        return 1
    except (OSError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    out_dir = Path(out_dir)
    for name in ("scores", "reliability", "fit"):
        bench_m3.write_table(tables[name], out_dir / f"probability_{name}.csv")
    summary = summary_markdown(tables)
    (out_dir / "probability.md").write_text(summary, encoding="utf-8")
    print(f"wrote {out_dir / 'probability.md'}")
    print(summary)
    return 0
