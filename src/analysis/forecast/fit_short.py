"""Fit the short-series constants on the tuning parts of both benchmarks: M3's training windows and the China tuning regions.

A short series (2 to ``SHORT_LENGTHS[-1]`` values) is projected with its own growth shrunk towards a
prior growth (the peers' when the tracker has them, else ``growth``), with an empirical-Bayes weight
that falls with the series' own noise (``intervals.noise_variance``, ``intervals.growth_weight``), and
intervals whose scale is that noise and the growth's posterior variance (``intervals.short_scales``)
times split-conformal quantiles of the scaled errors pooled over both tuning parts.

Windows. M3: inside each training series without its last 6 values (the calibration split), the
``length`` values before the origins ``origins_back`` and the 6 values after (what the interval
design was fitted on). China: ``bench_china``'s rolling origins of the series in the **tuning**
regions only (``bench_china.region_split``), the history as published by the vintage date cut to its
last ``length`` values, the peers' growth as the tracker computes it but from peers in tuning regions
only (Zhejiang's series lose China, a held-out region, as a peer), the actuals of the latest vintage. The held-out regions and M3's test split are never read here (``training_record`` says what
was: a hash of every window fed to the fit).

Per length: the prior growth, the prior's standard deviation, the pooled noise and its pseudo-degrees
of freedom are chosen on grids to minimise sMAPE + MASE, each relative to naive's, over every window
of both parts pooled (each window counts once); the noise floor is the NOISE_FLOOR_QUANTILE quantile
of the windows' noise; the interval's noise is a geometric mean of the own noise and the pooled
median one (``intervals.scale_variance``), and the growth's variance gains a share of the squared gap
between the own and the prior growth (``intervals.growth_gap_var``): the exponent and the share are
chosen together on the pooled interval score (80 % and 95 %, in sample); then the
quantiles of (actual - path) / scale are pooled the same way, per horizon (split-conformal: the scale
is the model's, the quantiles are the pooled errors').
"""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from analysis.forecast import intervals, models, scales
from analysis.forecast.backtest import M3_HORIZON, interval_score, naive_mae, smape

SHORT_LENGTHS = tuple(range(2, 11))  # the prior is fitted for these lengths; auto uses it while it beats auto


PRIOR_GROWTH_GRID = tuple(np.round(np.arange(-0.01, 0.0601, 0.005), 4))


PRIOR_SD_GRID = (0.005, 0.01, 0.015, 0.02, 0.03, 0.04, 0.06, 0.08)


NOISE_SD_GRID = (0.01, 0.02, 0.03, 0.05, 0.08, 0.12)


NOISE_DOF_GRID = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0)


SCALE_EXPONENT_GRID = (0.0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1.0)


GAP_SHARE_GRID = (0.0, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1.0)


NOISE_FLOOR_QUANTILE = 0.05  # a series' noise sd is never below this quantile of the pooled windows' (as SPREAD_FLOOR)


SHORT_METHODS = ("growth_prior", "naive")


SOURCES = ("m3", "china")


PARAMETERS = ("growth", "prior_sd", "noise_sd", "noise_dof", "noise_floor", "scale_exponent", "scale_sd", "gap_share")  # windows_fit's


@dataclass(frozen=True)
class Windows:
    """Windows of one length on their error scale: history e (W x length), years, future (W x 6, NaN where no actual)."""

    source: np.ndarray  # 'm3' or 'china' per window
    key: np.ndarray  # the series (M3 id, or indicator|region)
    years: np.ndarray
    e: np.ndarray
    future: np.ndarray
    actual: np.ndarray  # the future on the data scale
    mase_scale: np.ndarray  # naive MAE of everything visible at the origin
    peer: np.ndarray  # the peers' growth on the error scale, NaN without peers
    plain: np.ndarray  # the error scale is log(y): the pooled growth applies
    unit: np.ndarray
    scales: tuple[scales.Scale, ...]  # the error scale of each window

    def __len__(self) -> int:
        return len(self.source)

    def inverse(self, z: np.ndarray) -> np.ndarray:
        """Data-scale values of error-scale paths whose last two axes are windows x horizons."""
        out = np.empty_like(z)
        names = np.array([f"{s.name}|{s.lo}|{s.hi}" for s in self.scales])
        for name in sorted(set(names)):
            at = names == name
            out[..., at, :] = self.scales[int(np.argmax(at))].inverse(z[..., at, :])
        return out


def join(parts: Sequence[Windows]) -> Windows:
    """One Windows of several (same length)."""
    fields = {f: np.concatenate([getattr(p, f) for p in parts]) for f in
              ("source", "key", "years", "e", "future", "actual", "mase_scale", "peer", "plain", "unit")}
    return Windows(**fields, scales=tuple(s for p in parts for s in p.scales))


def m3_windows(trains: Sequence[tuple[str, np.ndarray]], length: int, origins_back: Sequence[int]) -> Windows:
    """The last `length` values before each origin of each M3 training series (given without its validation values)."""
    rows = []
    for series_id, train in trains:
        for back in origins_back:
            origin = len(train) - M3_HORIZON - back
            if origin < length:
                continue
            rows.append((series_id, train[origin - length:origin], train[origin:origin + M3_HORIZON],
                         naive_mae(_consecutive(train[:origin]))))
    e = np.log(np.vstack([h for _, h, _, _ in rows])) if rows else np.zeros((0, length))
    actual = np.vstack([a for _, _, a, _ in rows]) if rows else np.zeros((0, M3_HORIZON))
    n = len(rows)
    return Windows(np.full(n, "m3"), np.array([r[0] for r in rows], dtype=object), np.tile(np.arange(length, dtype=float), (n, 1)),
                   e, np.log(actual), actual, np.array([r[3] for r in rows], dtype=float), np.full(n, np.nan),
                   np.ones(n, dtype=bool), np.ones(n), (scales.LOG,) * n)


def _consecutive(values: np.ndarray):
    """Values indexed 1..n (a pandas Series, as bench_m3.as_series)."""
    import pandas as pd

    return pd.Series(values, index=np.arange(1, len(values) + 1))


def china_windows(data_dir: Path | None, length: int, split: str = "tuning") -> Windows:
    """bench china's rolling origins of the series in one part of the region split, cut to `length` values."""
    from analysis.forecast import bench_china

    vintages, series = china_series(data_dir)
    rows = []
    for bench in series:
        if bench.split != split:
            continue
        for o in bench_china.origins(vintages, bench)[0]:
            if len(o.history) < length:
                continue
            cut = o.history.iloc[-length:]
            values = cut.to_numpy(dtype=float)
            escale = scales.error_scale(values, scales.model_scale(bench.bounds))
            e = escale.forward(values)
            future = np.full(M3_HORIZON, np.nan)
            actual = np.full(M3_HORIZON, np.nan)
            step = o.actual.index.to_numpy(dtype=int) - o.origin
            future[step - 1] = escale.forward(o.actual.to_numpy(dtype=float))
            actual[step - 1] = o.actual.to_numpy(dtype=float)
            # peers from the same part only: a tuning window must not read a held-out region, even as an input
            peers = [p for p in o.peers if bench_china.region_split(str(p.name)) == split]
            growth = models.peer_growth(peers, escale)
            rows.append((bench.key, cut.index.to_numpy(dtype=float), e, future, actual, naive_mae(o.history),
                         np.nan if growth is None else growth, models.is_plain_log(escale),
                         intervals.spread_unit(e, escale), escale))
    n = len(rows)
    if not n:
        empty = np.zeros((0, length))
        return Windows(np.array([], dtype=object), np.array([], dtype=object), empty, empty,
                       np.zeros((0, M3_HORIZON)), np.zeros((0, M3_HORIZON)), np.zeros(0), np.zeros(0),
                       np.zeros(0, dtype=bool), np.zeros(0), ())
    col = list(zip(*rows))
    return Windows(np.full(n, "china"), np.array(col[0], dtype=object), np.vstack(col[1]), np.vstack(col[2]),
                   np.vstack(col[3]), np.vstack(col[4]), np.array(col[5], dtype=float), np.array(col[6], dtype=float),
                   np.array(col[7], dtype=bool), np.array(col[8], dtype=float), tuple(col[9]))


_CHINA: dict = {}


def china_series(data_dir: Path | None):
    """bench china's vintages and benchmark series of a data directory (memoised per directory)."""
    from analysis.data import loader
    from analysis.forecast import bench_china

    key = str(Path(data_dir).resolve()) if data_dir is not None else "default"
    if key not in _CHINA:
        dataset = loader.load(Path(data_dir)) if data_dir is not None else loader.load()
        vintages = bench_china.Vintages(dataset.observations)
        _CHINA[key] = (vintages, bench_china.benchmark_series(vintages, dataset.indicators))
    return _CHINA[key]


# ---------------------------------------------------------------------------------------------
# the model on a set of windows


def windows_noise(w: Windows, noise_sd: float, noise_dof: float, noise_floor: float = 0.0) -> np.ndarray:
    """intervals.noise_variance of every window, never below (noise_floor x unit)^2."""
    changes = np.diff(w.e, axis=1) / np.diff(w.years, axis=1)
    return np.maximum(intervals.noise_variance(changes, noise_sd, noise_dof, w.unit), (noise_floor * w.unit) ** 2)


def windows_fit(w: Windows, growth: float | np.ndarray, prior_sd: float, noise_sd: float, noise_dof: float,
                noise_floor: float = 0.0, scale_exponent: float = 1.0, scale_sd: float = 0.0, gap_share: float = 0.0
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Paths (len(growth) x W x 6, or W x 6 for one growth), scales (W x 6) and weights of models.short_fit on windows."""
    span = w.years[:, -1] - w.years[:, 0]
    noise_var = windows_noise(w, noise_sd, noise_dof, noise_floor)
    weight, _ = intervals.growth_weight(noise_var, span, prior_sd, w.unit)
    own = intervals.own_slopes(w.e, w.years)
    growths = np.atleast_1d(np.asarray(growth, dtype=float))[:, None]
    prior = np.where(np.isnan(w.peer)[None, :], np.where(w.plain[None, :], growths, 0.0), w.peer[None, :])
    slope = intervals.shrunk_slope(own[None, :], prior, weight[None, :])
    paths = w.e[None, :, -1:] + slope[..., None] * scales.steps(M3_HORIZON)[None, None, :]
    scale_var = intervals.scale_variance(noise_var, scale_exponent, scale_sd, w.unit)
    gap = intervals.growth_gap_var(own, prior[0], gap_share)  # the scale uses the first (or only) growth
    scale = intervals.short_scales(scale_var, weight, scale_var / span, M3_HORIZON, gap)
    return (paths if np.ndim(growth) else paths[0]), scale, weight


def relative_scores(w: Windows, paths: np.ndarray) -> np.ndarray:
    """sMAPE + MASE, each relative to naive's, over every window and horizon (one score per leading path set)."""
    observed = ~np.isnan(w.actual)
    usable = observed & (w.mase_scale > 0)[:, None]
    actual = np.where(observed, w.actual, 1.0)
    naive = w.inverse(np.repeat(w.e[:, -1:], M3_HORIZON, axis=1))
    naive_smape = smape(actual, naive)[observed].sum()
    naive_mase = (np.abs(actual - naive) / np.where(w.mase_scale > 0, w.mase_scale, 1.0)[:, None])[usable].sum()
    data = w.inverse(paths)
    smapes = np.where(observed, smape(actual, data), 0.0).sum(axis=(-2, -1))
    ases = np.where(usable, np.abs(actual - data) / np.where(w.mase_scale > 0, w.mase_scale, 1.0)[:, None], 0.0).sum(axis=(-2, -1))
    return smapes / naive_smape + ases / naive_mase


def fit_short_parameters(w: Windows) -> dict[str, float]:
    """The grid point (growth, prior_sd, noise_sd, noise_dof) with the lowest pooled relative score (first on ties)."""
    one_change = w.e.shape[1] == 2  # one change: its own variance is unknown, the pseudo-dof do not matter
    best = (np.inf, None)
    growths = np.asarray(PRIOR_GROWTH_GRID)
    for prior_sd, noise_sd, noise_dof in itertools.product(PRIOR_SD_GRID, NOISE_SD_GRID, NOISE_DOF_GRID[:1] if one_change else NOISE_DOF_GRID):
        paths, _, _ = windows_fit(w, growths, prior_sd, noise_sd, noise_dof)
        scores = relative_scores(w, paths)
        i = int(np.argmin(scores))
        if scores[i] < best[0] - 1e-12:
            best = (float(scores[i]), {"growth": float(growths[i]), "prior_sd": prior_sd, "noise_sd": noise_sd,
                                       "noise_dof": noise_dof})
    return best[1]


def pooled_interval_score(w: Windows, params: dict) -> float:
    """Mean of the 80 % and 95 % interval scores (error scale) of the in-sample conformal intervals, every window once."""
    path, scale, _ = windows_fit(w, **params)
    z = (w.future - path) / scale
    q = np.asarray(quantile_rows(z))
    observed = ~np.isnan(w.future)
    future = np.where(observed, w.future, path)
    score = 0.0
    for level, (lo, hi) in ((80, (0.1, 0.9)), (95, (0.025, 0.975))):
        lower = path + scale * q[:, intervals.QUANTILE_PROBS.index(lo)]
        upper = path + scale * q[:, intervals.QUANTILE_PROBS.index(hi)]
        score += interval_score(future, lower, upper, level)[observed].mean() / 2
    return float(score)


def quantile_rows(z: np.ndarray) -> tuple[tuple[float, ...], ...]:
    """Per-horizon QUANTILE_PROBS quantiles of scaled errors with NaN where there is no actual, rounded."""
    rows = []
    for column in z.T:
        values = column[~np.isnan(column)]
        rows.append(tuple(round(float(v), 3) for v in np.quantile(values, intervals.QUANTILE_PROBS)))
    return tuple(rows)


def coverage_by_source(w: Windows, z: np.ndarray, table: tuple) -> dict[str, dict[str, float]]:
    """In-sample 80 % / 95 % coverage of a quantile table on each source's windows."""
    q = np.asarray(table)
    at = {p: q[:, intervals.QUANTILE_PROBS.index(p)] for p in (0.1, 0.9, 0.025, 0.975)}
    out = {}
    for source in SOURCES:
        part = z[w.source == source]
        observed = ~np.isnan(part)
        if not observed.any():
            continue
        hit80 = (part >= at[0.1]) & (part <= at[0.9])
        hit95 = (part >= at[0.025]) & (part <= at[0.975])
        out[source] = {"cov80": round(float(hit80[observed].mean() * 100), 2), "cov95": round(float(hit95[observed].mean() * 100), 2)}
    return out


def short_table(w: Windows) -> dict:
    """Parameters, scaled-error quantiles (growth_prior and naive paths) and in-sample coverage of one length."""
    params = fit_short_parameters(w)
    noise = windows_noise(w, params["noise_sd"], params["noise_dof"]) / w.unit ** 2
    params["noise_floor"] = round(float(np.sqrt(np.quantile(noise, NOISE_FLOOR_QUANTILE))), 5)
    floored = np.maximum(noise, params["noise_floor"] ** 2)
    params["scale_sd"] = round(float(np.sqrt(np.median(floored))), 5)
    exponent, share = min(itertools.product(SCALE_EXPONENT_GRID, GAP_SHARE_GRID),
                          key=lambda ab: pooled_interval_score(w, {**params, "scale_exponent": ab[0], "gap_share": ab[1]}))
    params["scale_exponent"], params["gap_share"] = float(exponent), float(share)
    path, scale, _ = windows_fit(w, **params)
    naive = np.repeat(w.e[:, -1:], M3_HORIZON, axis=1)
    z = {"growth_prior": (w.future - path) / scale, "naive": (w.future - naive) / scale}
    quantiles = {m: quantile_rows(z[m]) for m in SHORT_METHODS}
    return {**params, "quantiles": quantiles,
            "n_windows": {s: int((w.source == s).sum()) for s in SOURCES},
            "fit_coverage": coverage_by_source(w, z["growth_prior"], quantiles["growth_prior"])}


def short_series_tables(trains: Sequence[tuple[str, np.ndarray]], origins_back: Sequence[int], data_dir: Path | None,
                        groups: Mapping[str, str] | None = None) -> dict[str, dict[int, dict]]:
    """The short-series constants of each series group (intervals.SERIES_GROUPS) for every length: the aggregate
    group's from M3's MACRO and DEMOGRAPHIC calibration windows and the China tuning regions, the other group's from
    the rest of M3. ``groups``: M3 series id -> group (None: every M3 series is an aggregate)."""
    def of(group: str) -> list[tuple[str, np.ndarray]]:
        return [(sid, train) for sid, train in trains if (groups or {}).get(sid, intervals.AGGREGATE) == group]

    aggregate, other = of(intervals.AGGREGATE), of(intervals.OTHER)
    tables = {intervals.AGGREGATE: {length: short_table(join([m3_windows(aggregate, length, origins_back), china_windows(data_dir, length)]))
                                    for length in SHORT_LENGTHS}}
    if other:
        tables[intervals.OTHER] = {length: short_table(m3_windows(other, length, origins_back)) for length in SHORT_LENGTHS}
    return tables


# ---------------------------------------------------------------------------------------------
# what fed the fit


def digest(*arrays: np.ndarray) -> str:
    """sha256 of arrays' float64 bytes (NaN included) and their shapes."""
    h = hashlib.sha256()
    for a in arrays:
        a = np.ascontiguousarray(np.asarray(a, dtype=float))
        h.update(str(a.shape).encode())
        h.update(a.tobytes())
    return h.hexdigest()


def training_record(trains: Sequence[tuple[str, np.ndarray]], data_dir: Path | None) -> dict:
    """What the fit read: M3 training values (hash, series count) and the China windows (regions, series, hash)."""
    m3 = digest(*[train for _, train in trains])
    china = [china_windows(data_dir, length) for length in SHORT_LENGTHS]
    keys = sorted({str(k) for w in china for k in w.key})
    return {
        "m3": {"split": "train", "n_series": len(trains), "values_sha256": m3},
        "china": {"split": "tuning", "regions": sorted({k.split("|")[1] for k in keys}), "series": keys,
                  "windows_sha256": digest(*[a for w in china for a in (w.e, w.future)])},
    }
