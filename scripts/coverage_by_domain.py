"""Why does the coverage of the short-series intervals differ between M3 and the Chinese series? (issue 20 item 2)

For every projection the benchmarks make from a short cut (M3 test split: each series cut to its last
2, 3, 4, 6 training values; bench china: every rolling origin cut the same way, both parts of the
region split), the 80 % interval's hit is tabulated against what the series shows:
- its volatility: the standard deviation of the yearly log changes of the whole history visible at
  the origin (the cut's own, for cuts of 3+ values, in the second table);
- its growth: the mean yearly log change of that history;
and, per domain, the median volatility, growth and mean absolute change.

Run: .venv/bin/python scripts/coverage_by_domain.py [path/to/m3_yearly.csv]

Measured 2026-12-08 (before = the method of b50f6aa, after = the empirical-Bayes calibration):
- M3, before: 80 % coverage fell with the whole history's volatility: 96 % (sd < 0.02), 92, 86,
  82, 79, 72 % (sd > 0.2); by the cut's own volatility 91 % (< 0.02) down to 77 % (> 0.2). After:
  by the cut's own volatility 87, 77, 80, 82, 80, 81 %: the width follows what the cut shows.
- China vs M3: the Chinese series are smoother (median sd 0.057 vs 0.081) and grow faster (median
  growth 0.117 vs 0.032 a year; mean |log change| 0.121 vs 0.086). The old width grew with the
  cut's mean |log change|, i.e. with growth, so the Chinese intervals were too wide (92-97 %).
- Even at the same visible volatility or the same single change the Chinese errors are smaller
  (two values, a change of 0.06-0.25: median error one year ahead 0.03-0.05 in China, 0.05-0.10 on
  M3), and fast growth in a cut means an unsustained change on M3 (cuts growing > 0.12 a year:
  80 % covered 74 % after, 80 % before when the width grew with growth) but a sustained one in
  China (85 % after, 94 % before): nothing visible in two to four values separates the two.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.data import loader
from analysis.forecast import bench_china, bench_m3, models, scales, tracker

LENGTHS = (2, 3, 4, 6)
VOLATILITY_BINS = (0, 0.02, 0.04, 0.07, 0.12, 0.2, 10)
GROWTH_BINS = (-10, -0.02, 0.02, 0.05, 0.08, 0.12, 10)


def features(history: pd.Series, bounds) -> dict[str, float]:
    """Mean, sd and mean absolute value of the yearly changes on the error scale."""
    values = history.to_numpy(dtype=float)
    escale = scales.error_scale(values, scales.model_scale(bounds))
    changes = np.diff(escale.forward(values)) / np.diff(history.index.to_numpy(dtype=float))
    return {"growth": float(np.mean(changes)), "mac": float(np.mean(np.abs(changes))),
            "sd": float(np.std(changes, ddof=1)) if len(changes) > 1 else np.nan}


def hits(fc: models.Forecast, steps: np.ndarray, actual: np.ndarray) -> np.ndarray:
    """1 where the actual lies inside the 80 % interval."""
    lower, upper = fc.lower(80).to_numpy()[steps - 1], fc.upper(80).to_numpy()[steps - 1]
    return ((actual >= lower) & (actual <= upper)).astype(float)


def points(m3_path: Path) -> pd.DataFrame:
    """One row per projected point: domain, part, length, hit, the whole history's and the cut's features."""
    rows = []
    for series_id, train, test in bench_m3.load_m3(m3_path):
        whole = features(bench_m3.as_series(train), None)
        for k in LENGTHS:
            cut = bench_m3.as_series(train[-k:])
            fc = models.forecast(cut, 6)
            own = features(cut, None)
            for hit in hits(fc, np.arange(1, 7), test):
                rows.append({"domain": "m3", "part": "test", "k": k, "hit": hit, **whole, "cut_sd": own["sd"],
                             "cut_growth": own["growth"]})
    dataset = loader.load()
    vintages = bench_china.Vintages(dataset.observations)
    for bench in bench_china.benchmark_series(vintages, dataset.indicators):
        for o in bench_china.origins(vintages, bench)[0]:
            whole = features(o.history, bench.bounds)
            steps = o.actual.index.to_numpy(dtype=int) - o.origin
            for k in LENGTHS:
                cut = bench_china.cut(o.history, k)
                fc = tracker.run_forecast(cut, int(steps.max()), bench.bounds, o.peers)
                own = features(cut, bench.bounds)
                for hit in hits(fc, steps, o.actual.to_numpy(dtype=float)):
                    rows.append({"domain": "china", "part": bench.split, "k": k, "hit": hit, **whole, "cut_sd": own["sd"],
                                 "cut_growth": own["growth"]})
    return pd.DataFrame(rows)


def coverage_table(frame: pd.DataFrame, column: str, bins: tuple[float, ...]) -> pd.DataFrame:
    """80 % coverage (and count) per domain and bin of a feature."""
    binned = frame.assign(bin=pd.cut(frame[column], list(bins)))
    table = binned.groupby(["domain", "bin"], observed=True)["hit"].agg(n="size", cov80=lambda h: 100 * h.mean())
    return table.round(1).unstack("domain")


def main(m3_path: str) -> int:
    """Print the coverage tables."""
    frame = points(Path(m3_path))
    pd.set_option("display.width", 200)
    print("80 % coverage by domain, part and length (pooled points):")
    print((frame.groupby(["domain", "part", "k"])["hit"].mean() * 100).round(1).unstack("k").to_string(), "\n")
    print("by the volatility of the whole visible history (sd of yearly log changes):")
    print(coverage_table(frame, "sd", VOLATILITY_BINS).to_string(), "\n")
    print("by the cut's own volatility (cuts of 3+ values):")
    print(coverage_table(frame[frame["k"] >= 3], "cut_sd", VOLATILITY_BINS).to_string(), "\n")
    print("by the growth of the whole visible history (mean yearly log change):")
    print(coverage_table(frame, "growth", GROWTH_BINS).to_string(), "\n")
    print("by the cut's own growth:")
    print(coverage_table(frame, "cut_growth", GROWTH_BINS).to_string(), "\n")
    print("medians per domain:")
    print(frame.groupby("domain")[["sd", "growth", "mac"]].median().round(3).to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/benchmarks/m3_yearly.csv"))
