"""`bench china`: rolling-origin accuracy and interval coverage on the project's own series (issue 20, item 1).

What is scored. Every (indicator, region) series of ``data/observations.csv`` with at least
``MIN_VALUES`` annual values (period ``YYYY``) that are exact: no qualifier (bounds ``> >= < <=``
and approximations ``~`` are dropped) and not an estimate (预计, status ``estimate``), i.e. gap's
``vintage_tier`` 0. Among exact rows one value per year is chosen by the project's vintage rule
(``vintage.select_as_of``: the preferred row, then the latest publication, then the more official
status).

Vintage rule (the one documented choice here). The forecast from origin year ``o`` stands for a
report dated 31 December of ``o + 1`` (``VINTAGE_LAG_YEARS``): its history is the series as
``vintage.select_as_of`` gives it on that date, restricted to years ``<= o``. A year's figure is
published in the spring of the next year (bulletins) or later that year (yearbooks), so the value
for ``o`` is normally known by then and ``o + 1``'s is not; a first release later revised (GDP
after a census, R&D intensity) enters the history as first published. An origin whose own year is
not yet visible on that date is skipped (counted in ``skipped_origins``). The actuals are the
latest vintage (what ``select_as_of`` gives today). Note that most ``published`` dates in the data
are estimated (``published_estimated``) as a date in the year after the period.

Rolling origins and cuts. Every year ``o`` of a series whose history at ``o`` holds at least
``max(LENGTHS)`` (6) values and that has a later actual is an origin; the history is cut to its
last 2, 3, 4 and 6 values (``LENGTHS``) and, for reference, kept whole (``all``), so every length
is scored on the same origins and actuals. Horizons run from 1 to ``min(MAX_HORIZON, last year -
o)``; a year missing from the actuals is skipped.

Methods. ``auto`` is the tracker's own projection, called exactly as ``gap`` calls it
(``tracker.run_forecast``: method auto, seed 0, 80/95 % intervals from the sample paths, the
indicator's bounds when both are set, and the same indicator in the comparison regions
``tracker.PEER_REGIONS`` as peers, as published by the vintage date and up to ``o``). ``naive`` (the
last value) and ``drift`` (last value plus the average change per elapsed year of the cut) are the
yardsticks, computed from the same cut.

Metrics (``analysis.backtest``): sMAPE in percent; MASE = absolute error divided by the mean
absolute change per elapsed year of the whole history visible at the origin (the same yardstick
for every length, as ``bench m3 --last``); coverage = share of actuals inside the central 80 % /
95 % intervals of auto; pct_above_auto = share of actuals above auto's point forecast (the direction
of the errors). Weightings: ``pooled`` (every origin x horizon counts once), ``per_series``
(the mean over series of each series' mean) and ``per_kind`` (the mean over indicator kinds of the
kinds' per-series means), so that the many amount series (GDP, budgets) do not dominate. Kinds:
count, amount, ratio/share, rank and rate (``KIND_GROUPS``).

Region split (``region_split``). ``HELD_OUT_REGIONS`` and ``TUNING_REGIONS`` are fixed lists
chosen so that both parts hold amounts, counts and a ratio; a region in neither list (added later)
goes by the parity of the first byte of sha256(region id): odd = held out. Issue 20 item 2 tunes
on the tuning regions and scores on the held-out ones; this module reports both.

Relation to ``bench ningbo``: this benchmark extends it and does not replace it. ``bench ningbo``
stays as the Ningbo-only check of the short-series choices (naive vs the pooled prior vs the peers'
growth on Ningbo series with 3+ values, data- vs log-scale auto) on today's vintage; ``bench
china`` is the vintage-respecting benchmark of the tracker's projection over all regions, with the
region split, and is what ``make bench`` runs.

Output: ``bench-results/china.csv`` (group x length x horizon x weighting) and
``bench-results/china.md``; deterministic (fixed seed, no timings in the files).
"""

from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from analysis.data import csvfile, loader, vintage
from analysis.forecast import backtest, bench_m3, tracker

MIN_VALUES = 8
LENGTHS = (2, 3, 4, 6)
ALL = "all"  # the whole visible history, beside the cuts
MAX_HORIZON = 6
VINTAGE_LAG_YEARS = 1  # origin o = a report dated 31 December of o + VINTAGE_LAG_YEARS
METHODS = ("auto", "naive", "drift")
LEVELS = (80, 95)
HELD_OUT_REGIONS = ("china", "ningbo", "qingdao", "shenzhen")
TUNING_REGIONS = ("dalian", "hangzhou", "xiamen", "zhejiang")
KIND_GROUPS = {"count": "count", "amount": "amount", "ratio": "ratio/share", "share": "ratio/share",
               "rank": "rank", "rate": "rate"}
REPORTED_KINDS = ("count", "amount", "ratio/share", "rank", "rate")
SPLITS = ("tuning", "held_out")
WEIGHTINGS = ("pooled", "per_series", "per_kind")
METRIC_COLUMNS = ("smape_auto", "smape_naive", "smape_drift", "ase_auto", "ase_naive", "ase_drift", "hit80", "hit95",
                  "above")


# ---------------------------------------------------------------------------------------------
# the series, the split and the vintage rule


def region_split(region: str) -> str:
    """'held_out' or 'tuning': the fixed lists, else the parity of sha256(region id)'s first byte (odd = held out)."""
    if region in HELD_OUT_REGIONS:
        return "held_out"
    if region in TUNING_REGIONS:
        return "tuning"
    return "held_out" if hashlib.sha256(region.encode("utf-8")).digest()[0] % 2 else "tuning"


def kind_group(kind: str) -> str:
    """The reported kind of an indicators.csv kind (ratio and share together)."""
    return KIND_GROUPS.get(str(kind), str(kind))


def exact_annual(observations: pd.DataFrame) -> pd.DataFrame:
    """Annual (YYYY) rows with an exact value: no qualifier, not an estimate (vintage.vintage_tier 0)."""
    qualifier = observations["qualifier"].fillna("").astype(str)
    tiers = np.array([vintage.vintage_tier(q, str(s)) for q, s in zip(qualifier, observations["status"])], dtype=int)
    return observations[observations["is_annual"].to_numpy(dtype=bool) & (tiers == 0)]


def vintage_date(origin: int) -> pd.Timestamp:
    """The report date an origin stands for: 31 December of origin + VINTAGE_LAG_YEARS."""
    return pd.Timestamp(year=int(origin) + VINTAGE_LAG_YEARS, month=12, day=31)


class Vintages:
    """vintage.select_as_of of the exact annual rows, one selection per date (memoised)."""

    def __init__(self, observations: pd.DataFrame):
        self.rows = exact_annual(observations)
        self._chosen: dict[object, dict[tuple[str, str], pd.Series]] = {}

    def table(self, as_of: pd.Timestamp | None) -> dict[tuple[str, str], pd.Series]:
        """Every (indicator, region) series as seen on a date (None: the latest vintage)."""
        key = "latest" if as_of is None else pd.Timestamp(as_of)
        if key not in self._chosen:
            chosen = vintage.select_as_of(self.rows, as_of)  # None: today, i.e. every row (no published date is in the future)
            out = {}
            for (indicator, region), group in chosen.groupby(["indicator_id", "region"], sort=True):
                series = pd.Series(group["value"].to_numpy(dtype=float), index=group["year"].to_numpy(dtype=int))
                out[(str(indicator), str(region))] = series.sort_index()
            self._chosen[key] = out
        return self._chosen[key]

    def series(self, indicator: str, region: str, as_of: pd.Timestamp | None = None, upto: int | None = None) -> pd.Series:
        """One series as seen on a date, restricted to years <= upto."""
        series = self.table(as_of).get((indicator, region), pd.Series(dtype=float))
        return series if upto is None else series[series.index <= upto]


@dataclass(frozen=True)
class BenchSeries:
    """One benchmark series: its identity, kind, split, bounds and latest-vintage values."""

    indicator: str
    region: str
    kind: str
    split: str
    form: str
    bounds: tuple[float, float] | None
    final: pd.Series

    @property
    def key(self) -> str:
        """indicator|region."""
        return f"{self.indicator}|{self.region}"


def benchmark_series(vintages: Vintages, indicators: pd.DataFrame, min_values: int = MIN_VALUES) -> list[BenchSeries]:
    """Every exact annual series with at least min_values values in the latest vintage, in key order."""
    meta = indicators.drop_duplicates("indicator_id").set_index("indicator_id")
    out = []
    for (indicator, region), series in sorted(vintages.table(None).items()):
        if len(series) < min_values or indicator not in meta.index:
            continue
        row = meta.loc[indicator]
        out.append(BenchSeries(indicator, region, kind_group(row["kind"]), region_split(region),
                               str(row["growth_form"]), tracker.bounds_of(row), series))
    return out


@dataclass(frozen=True)
class Origin:
    """One rolling origin: the history a report dated vintage_date(origin) had, the later actuals, the peers."""

    series: BenchSeries
    origin: int
    history: pd.Series
    actual: pd.Series
    peers: tuple[pd.Series, ...]


def peers_at(vintages: Vintages, bench: BenchSeries, origin: int) -> tuple[pd.Series, ...]:
    """The same indicator in tracker.PEER_REGIONS (not the series' own region) as known at the origin, 2+ values."""
    out = []
    for region in tracker.PEER_REGIONS:
        if region == bench.region:
            continue
        peer = vintages.series(bench.indicator, region, vintage_date(origin), origin)
        if len(peer) >= 2:
            out.append(peer.rename(region))
    return tuple(out)


def origins(vintages: Vintages, bench: BenchSeries, min_history: int = max(LENGTHS),
            max_horizon: int = MAX_HORIZON) -> tuple[list[Origin], int]:
    """The usable origins of one series and the number skipped because the origin's own year was not yet published."""
    final = bench.final
    last_year = int(final.index.max())
    out, skipped = [], 0
    for origin in (int(y) for y in final.index):
        if origin >= last_year:
            continue
        history = vintages.series(bench.indicator, bench.region, vintage_date(origin), origin)
        actual = final[(final.index > origin) & (final.index <= origin + min(max_horizon, last_year - origin))]
        if len(history) < min_history or actual.empty:
            continue
        if int(history.index.max()) != origin:
            skipped += 1
            continue
        out.append(Origin(bench, origin, history, actual, peers_at(vintages, bench, origin)))
    return out, skipped


def cut(history: pd.Series, length: int | str) -> pd.Series:
    """The last `length` values of a history (all of it for ALL)."""
    return history if length == ALL else history.iloc[-int(length):]


def yardstick_paths(history: pd.Series, steps: np.ndarray) -> dict[str, np.ndarray]:
    """naive and drift point forecasts of a cut at the given steps ahead (data scale)."""
    years, values = history.index.to_numpy(dtype=float), history.to_numpy(dtype=float)
    slope = (values[-1] - values[0]) / (years[-1] - years[0])
    return {"naive": np.full(len(steps), values[-1]), "drift": values[-1] + slope * steps}


# ---------------------------------------------------------------------------------------------
# scoring


def score_origin(o: Origin, lengths: Sequence[int | str] = LENGTHS + (ALL,)) -> list[dict]:
    """One row per length and horizon: sMAPE and scaled error of auto / naive / drift, auto's interval hits."""
    rows = []
    scale = backtest.naive_mae(o.history)
    steps = o.actual.index.to_numpy(dtype=int) - o.origin
    actual = o.actual.to_numpy(dtype=float)
    horizon = int(steps.max())
    for length in lengths:
        history = cut(o.history, length)
        try:
            fc = tracker.run_forecast(history, horizon, o.series.bounds, o.peers)
        except ValueError:
            continue  # too short or outside the bounds: not projected (never happens with 2+ exact values)
        columns = steps - 1
        paths = {"auto": fc.mean.to_numpy()[columns], **yardstick_paths(history, steps.astype(float))}
        bounds = {level: (fc.lower(level).to_numpy()[columns], fc.upper(level).to_numpy()[columns]) for level in LEVELS}
        for i, step in enumerate(steps):
            row = {"series": o.series.key, "indicator": o.series.indicator, "region": o.series.region,
                   "kind": o.series.kind, "split": o.series.split, "origin": o.origin, "length": str(length),
                   "h": int(step), "method_used": fc.method, "peer_prior": "peer_prior" in fc.flags}
            for method, path in paths.items():
                row[f"smape_{method}"] = float(backtest.smape(actual[i:i + 1], path[i:i + 1])[0])
                row[f"ase_{method}"] = float(abs(actual[i] - path[i]) / scale) if scale > 0 else np.nan
            for level, (lower, upper) in bounds.items():
                row[f"hit{level}"] = float(lower[i] <= actual[i] <= upper[i])
            row["above"] = float(actual[i] > paths["auto"][i])
            rows.append(row)
    return rows


def collect(vintages: Vintages, series: Iterable[BenchSeries], lengths: Sequence[int | str] = LENGTHS + (ALL,)
            ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every scored point, and one row per series (kind, split, values, origins, skipped origins)."""
    points, inventory = [], []
    for bench in series:
        found, skipped = origins(vintages, bench)
        for o in found:
            points += score_origin(o, lengths)
        inventory.append({"series": bench.key, "kind": bench.kind, "split": bench.split, "n_values": len(bench.final),
                          "first": int(bench.final.index.min()), "last": int(bench.final.index.max()),
                          "origins": len(found), "skipped_origins": skipped})
    return pd.DataFrame(points), pd.DataFrame(inventory)


def aggregate(points: pd.DataFrame, weighting: str) -> dict[str, float]:
    """The mean metrics of a set of points under one weighting (pooled, per_series, per_kind)."""
    metrics = list(METRIC_COLUMNS)
    if weighting == "pooled":
        means = points[metrics].mean()
    else:
        per_series = points.groupby("series", sort=True)[metrics].mean()
        if weighting == "per_series":
            means = per_series.mean()
        else:
            kinds = points.groupby("series", sort=True)["kind"].first()
            means = per_series.groupby(kinds, sort=True).mean().mean()
    return {column: float(means[column]) for column in metrics}


def summary_table(points: pd.DataFrame) -> pd.DataFrame:
    """Group x length x horizon x weighting: n_series, n_points, sMAPE and MASE of auto/naive/drift, coverage."""
    groups: list[tuple[str, pd.Series]] = [("all", pd.Series(True, index=points.index))]
    groups += [(split, points["split"] == split) for split in SPLITS]
    groups += [(f"kind:{kind}", points["kind"] == kind) for kind in REPORTED_KINDS]
    groups += [(f"held_out:{kind}", (points["split"] == "held_out") & (points["kind"] == kind)) for kind in REPORTED_KINDS]
    lengths = [str(k) for k in LENGTHS] + [ALL]
    rows = []
    for group, mask in groups:
        chosen = points[mask]
        if chosen.empty:
            continue
        for length in lengths:
            at_length = chosen[chosen["length"] == length]
            if at_length.empty:
                continue
            horizons = [("1-6", at_length)] + [(str(h), at_length[at_length["h"] == h]) for h in range(1, MAX_HORIZON + 1)]
            for horizon, part in horizons:
                if part.empty:
                    continue
                for weighting in WEIGHTINGS:
                    means = aggregate(part, weighting)
                    rows.append({
                        "group": group, "length": length, "horizon": horizon, "weighting": weighting,
                        "n_series": int(part["series"].nunique()), "n_points": int(len(part)),
                        "sMAPE_auto": means["smape_auto"], "sMAPE_naive": means["smape_naive"],
                        "sMAPE_drift": means["smape_drift"], "MASE_auto": means["ase_auto"],
                        "MASE_naive": means["ase_naive"], "MASE_drift": means["ase_drift"],
                        "cov80": means["hit80"] * 100, "cov95": means["hit95"] * 100,
                        "pct_above_auto": means["above"] * 100,
                    })
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------
# the command


def markdown_table(frame: pd.DataFrame, columns: Sequence[str], digits: int = 2) -> str:
    """A GitHub markdown table of the chosen columns (floats rounded)."""
    def cell(value: object) -> str:
        if isinstance(value, (float, np.floating)):
            return "" if np.isnan(value) else f"{value:.{digits}f}"
        return str(value)

    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(cell(row[c]) for c in columns) + " |" for _, row in frame.iterrows()]
    return "\n".join(lines)


SUMMARY_COLUMNS = ("length", "n_series", "n_points", "cov80", "cov95", "pct_above_auto", "sMAPE_auto", "sMAPE_naive",
                   "sMAPE_drift", "MASE_auto", "MASE_naive", "MASE_drift")


def summary_markdown(table: pd.DataFrame, inventory: pd.DataFrame) -> str:
    """The short markdown summary of bench china."""
    def pick(group: str, weighting: str, horizon: str = "1-6") -> pd.DataFrame:
        return table[(table["group"] == group) & (table["weighting"] == weighting) & (table["horizon"] == horizon)]

    n_held = int((inventory["split"] == "held_out").sum())
    kinds = inventory.groupby(["split", "kind"]).size().unstack(fill_value=0)
    lines = [
        "# bench china: the tracker's projection on the project's own series",
        "",
        f"{len(inventory)} exact annual series with {MIN_VALUES}+ values ({n_held} in held-out regions "
        f"{', '.join(HELD_OUT_REGIONS)}; tuning regions {', '.join(TUNING_REGIONS)}); "
        f"{int(inventory['origins'].sum())} origins ({int(inventory['skipped_origins'].sum())} skipped: the origin's "
        f"year not yet published). Vintage: the history at origin o is what was published by 31 December of o+1; "
        f"actuals are the latest vintage. Horizons 1-{MAX_HORIZON}; every length on the same origins.",
        "",
        "Series by split and kind: " + "; ".join(
            f"{split}: " + ", ".join(f"{kind} {int(n)}" for kind, n in kinds.loc[split].items() if n)
            for split in kinds.index),
        "",
    ]
    shown = (("held_out", "Held-out regions", ("per_series", "pooled")), ("tuning", "Tuning regions", ("per_series",)),
             ("all", "All regions", ("per_series", "per_kind")))
    for group, title, weightings in shown:
        for weighting in weightings:
            part = pick(group, weighting)
            if part.empty:
                continue
            lines += [f"## {title}, {weighting.replace('_', '-')} (horizons 1-{MAX_HORIZON})", "",
                      markdown_table(part, SUMMARY_COLUMNS), ""]
    per_h = table[(table["group"] == "held_out") & (table["weighting"] == "per_series") & (table["horizon"] != "1-6")
                  & table["length"].isin(["2", "4"])]
    if not per_h.empty:
        lines += ["## Held-out regions by horizon, lengths 2 and 4, per-series", "",
                  markdown_table(per_h, ("length", "horizon", "n_series", "cov80", "cov95", "sMAPE_auto", "sMAPE_naive",
                                         "MASE_auto", "MASE_naive")), ""]
    by_kind = table[table["group"].str.startswith("kind:") & (table["weighting"] == "per_series")
                    & (table["horizon"] == "1-6")].copy()
    if not by_kind.empty:
        by_kind["kind"] = by_kind["group"].str.slice(5)
        lines += ["## By kind, all regions, per-series (horizons 1-6)", "",
                  markdown_table(by_kind, ("kind",) + SUMMARY_COLUMNS), ""]
    missing = [kind for kind in REPORTED_KINDS if f"kind:{kind}" not in set(table["group"])]
    if missing:
        lines += [f"No series of kind {', '.join(missing)} has {MIN_VALUES}+ exact annual values.", ""]
    lines += ["cov80/cov95: % of actuals inside auto's 80/95 % intervals; pct_above_auto: % of actuals above auto's "
              "point forecast (50 = unbiased in direction). MASE: scaled by the mean absolute yearly "
              "change of the whole history visible at the origin. Weightings in china.csv: pooled, per-series, "
              "per-kind; groups: all, tuning, held_out, kind:*, held_out:kind:*.", ""]
    return "\n".join(lines)


def china_tables(data_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Points, summary table and series inventory of bench china for a data directory."""
    dataset = loader.load(Path(data_dir))
    vintages = Vintages(dataset.observations)
    points, inventory = collect(vintages, benchmark_series(vintages, dataset.indicators))
    if points.empty:
        raise ValueError(f"no series with {MIN_VALUES}+ exact annual values and a usable origin")
    return points, summary_table(points), inventory


def run_china_benchmark(data_dir: Path, out_dir: Path = Path("bench-results")) -> int:
    """The `bench china` command: print the held-out summary and write china.csv, china_series.csv, china.md."""
    try:
        _, table, inventory = china_tables(Path(data_dir))
    except csvfile.DataValidationError as err:
        for problem in err.problems:
            print(problem, file=sys.stderr)
        return 1
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    out_dir = Path(out_dir)
    bench_m3.write_table(table, out_dir / "china.csv")
    bench_m3.write_table(inventory, out_dir / "china_series.csv")
    summary = summary_markdown(table, inventory)
    (out_dir / "china.md").write_text(summary, encoding="utf-8")
    print(f"wrote {out_dir / 'china.md'}")
    print(summary)
    return 0
