"""forecast(series, horizon, method, levels) -> Forecast: one interface over every method."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from analysis.forecast.intervals import (
    PRIOR_MAX_POINTS,
    interval_spread,
    scaled_error_samples,
    short_calibration,
    short_spread,
    shrunk_slope,
    spread_unit,
)
from analysis.forecast.members import REGULAR_GRID_METHODS, point_path
from analysis.forecast.scales import LOG, Prepared, Scale, SeriesTooShort, clean_series, error_scale, model_scale, prepare, steps

SHORT_METHOD = "growth_prior"  # what every method but naive becomes below MIN_POINTS_FULL points


METHODS = ("naive", "drift", "linear", "loglinear", "damped", "theta", "arima", "auto")


N_PATHS = 2000


MIN_POINTS = 2


MIN_POINTS_FULL = 5


PEER_YEARS = 5  # a peer's growth is measured over its last PEER_YEARS years


@dataclass(frozen=True)
class Forecast:
    """A projection of one annual series: point path, sample paths, intervals and probabilities."""

    method: str
    years: list[int]
    mean: pd.Series
    samples: np.ndarray
    flags: tuple[str, ...]
    history: pd.Series
    levels: tuple[int, ...] = (80, 95)

    def _column(self, year: int) -> np.ndarray:
        """Sample values for one forecast year."""
        if year not in self.years:
            raise KeyError(f"{year} is not a forecast year ({self.years[0]}-{self.years[-1]})")
        return self.samples[:, self.years.index(year)]

    def lower(self, level: float) -> pd.Series:
        """Lower bound of the central interval at `level` percent, per forecast year."""
        return self._quantile((1 - level / 100) / 2)

    def upper(self, level: float) -> pd.Series:
        """Upper bound of the central interval at `level` percent, per forecast year."""
        return self._quantile(1 - (1 - level / 100) / 2)

    def _quantile(self, prob: float) -> pd.Series:
        """Sample quantile per forecast year."""
        if not 0 < prob < 1:
            raise ValueError(f"interval level must be between 0 and 100, got quantile {prob}")
        values = np.quantile(self.samples, prob, axis=0)
        return pd.Series(values, index=pd.Index(self.years, name="year"))

    def prob_at_least(self, year: int, x: float) -> float:
        """P(Y_year >= x) under the sample paths."""
        return float(np.mean(self._column(year) >= x))

    def prob_at_most(self, year: int, x: float) -> float:
        """P(Y_year <= x) under the sample paths."""
        return float(np.mean(self._column(year) <= x))

    def prob_sum_at_least(self, years: Sequence[int], x: float) -> float:
        """P(sum of Y over `years` >= x); years already observed count with their history value."""
        total = np.zeros(len(self.samples))
        for year in years:
            if year in self.years:
                total = total + self._column(year)
            elif year in self.history.index:
                total = total + float(self.history.loc[year])
            else:
                raise KeyError(f"{year} is neither observed nor a forecast year")
        return float(np.mean(total >= x))


def effective_method(method: str, n_points: int) -> tuple[str, tuple[str, ...]]:
    """The method actually used and any flag, given how many points the series has."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    if n_points < MIN_POINTS:
        raise SeriesTooShort(
            f"a projection needs at least {MIN_POINTS} observed years, this series has {n_points}"
        )
    if n_points < MIN_POINTS_FULL:
        return ("naive" if method == "naive" else SHORT_METHOD), ("short_series",)
    if method == "auto" and n_points <= PRIOR_MAX_POINTS:
        return SHORT_METHOD, ()
    return method, ()


def forecast(
    series: pd.Series,
    horizon: int,
    method: str = "auto",
    levels: Sequence[float] = (80, 95),
    bounds: tuple[float | None, float | None] | None = None,
    seed: int = 0,
    n_paths: int = N_PATHS,
    peers: Sequence[pd.Series] = (),
) -> Forecast:
    """Project an annual series `horizon` years past its last observation with one method.

    `peers` are the same indicator in comparison regions (year-indexed, only values published by the
    as-of date); a short series (fewer than MIN_POINTS_FULL points) takes its prior growth from them.
    """
    return forecast_methods(series, horizon, (method,), levels, bounds, seed, n_paths, peers)[method]


def forecast_methods(
    series: pd.Series,
    horizon: int,
    methods: Sequence[str],
    levels: Sequence[float] = (80, 95),
    bounds: tuple[float | None, float | None] | None = None,
    seed: int = 0,
    n_paths: int = N_PATHS,
    peers: Sequence[pd.Series] = (),
) -> dict[str, Forecast]:
    """Forecasts of several methods on one series, fitting each shared member (e.g. of auto) once."""
    context = forecast_context(series, horizon, levels, bounds, seed, n_paths, peers)
    cache: dict[str, np.ndarray] = {}
    return {method: forecast_from_context(method, context, cache) for method in methods}


@dataclass(frozen=True)
class Context:
    """Everything a method needs to forecast one series, computed once."""

    history: pd.Series
    prepared: Prepared
    horizon: int
    levels: tuple[float, ...]
    seed: int
    n_paths: int
    peer_growth: float | None = None


def forecast_context(
    series: pd.Series,
    horizon: int,
    levels: Sequence[float] = (80, 95),
    bounds: tuple[float | None, float | None] | None = None,
    seed: int = 0,
    n_paths: int = N_PATHS,
    peers: Sequence[pd.Series] = (),
) -> Context:
    """Check and prepare one series for forecasting."""
    if int(horizon) != horizon or horizon < 1:
        raise ValueError(f"horizon must be a positive integer, got {horizon}")
    history = clean_series(series)
    effective_method("naive", len(history))  # raises SeriesTooShort before anything is fitted
    scale = model_scale(bounds)
    values = history.to_numpy(dtype=float)
    check_inside_bounds(values, scale)
    growth = peer_growth(peers, error_scale(values, scale)) if len(history) <= PRIOR_MAX_POINTS else None
    return Context(history, prepare(history, scale), int(horizon), tuple(levels), seed, n_paths, growth)


def inside_domain(values: np.ndarray, escale: Scale) -> bool:
    """True when every value has a finite, unclipped image on the scale (positive for log, inside the bounds)."""
    if escale.name == "log":
        return bool(np.all(values > 0))
    lo = -np.inf if escale.lo is None else escale.lo
    hi = np.inf if escale.hi is None else escale.hi
    return bool(np.all((values > lo) & (values < hi)))


def peer_growth(peers: Sequence[pd.Series], escale: Scale) -> float | None:
    """Median change per year of the peers over their last PEER_YEARS years, on the error scale; None if none."""
    if escale.name == "identity":
        return None  # raw levels of other regions are not comparable
    growths = []
    for peer in peers:
        clean = clean_series(peer)
        clean = clean[clean.index >= clean.index.max() - PEER_YEARS] if len(clean) else clean
        values = clean.to_numpy(dtype=float)
        if len(clean) < 2 or not inside_domain(values, escale):
            continue
        z, years = escale.forward(values), clean.index.to_numpy(dtype=float)
        growths.append((z[-1] - z[0]) / (years[-1] - years[0]))
    return float(np.median(growths)) if growths else None


def is_plain_log(escale: Scale) -> bool:
    """True when the error scale is log(y) itself (a positive series, or a lower bound of 0), where M3's growth applies."""
    return escale.name == "log" or (escale.name == "log_lower" and escale.lo == 0)


def growth_prior_path(p: Prepared, horizon: int, growth: float | None = None) -> np.ndarray:
    """A short series' own slope shrunk towards a prior growth (peers' or the pooled M3 one), extended."""
    calib = short_calibration(len(p.years))
    values = p.scale.inverse(p.z)
    escale = error_scale(values, p.scale)
    if growth is None:
        growth = calib["growth"] if is_plain_log(escale) else 0.0  # the pooled prior is a growth of log values
    e = escale.forward(values)
    own = (e[-1] - e[0]) / (p.years[-1] - p.years[0])
    path = e[-1] + steps(horizon) * float(shrunk_slope(own, growth, calib["weight"]))
    return p.scale.forward(escale.inverse(path))


def forecast_from_context(method: str, context: Context, cache: dict[str, np.ndarray] | None = None) -> Forecast:
    """Forecast a prepared series with one method, reusing member paths found in cache."""
    history, prepared, horizon = context.history, context.prepared, context.horizon
    used, flags = effective_method(method, len(history))
    values = history.to_numpy(dtype=float)
    if used == SHORT_METHOD:
        working = growth_prior_path(prepared, horizon, context.peer_growth)
        flags = flags + (("peer_prior",) if context.peer_growth is not None else ())
    else:
        working = point_path(used, prepared, horizon, cache)
    mean = prepared.scale.inverse(working)
    samples = sample_paths(used, prepared, values, mean, horizon, context.n_paths, context.seed)
    flags = flags + tuple(f for f in (prepared.scale.flag,) if f)
    if prepared.has_gaps and used in REGULAR_GRID_METHODS:
        flags = flags + ("gaps_interpolated",)
    years = [int(history.index[-1]) + h for h in range(1, horizon + 1)]
    index = pd.Index(years, name="year")
    return Forecast(
        method=used,
        years=years,
        mean=pd.Series(mean, index=index, name="mean"),
        samples=samples,
        flags=flags,
        history=history,
        levels=context.levels,
    )


def check_inside_bounds(values: np.ndarray, scale: Scale) -> None:
    """Raise ValueError when an observed value lies outside the indicator's bounds."""
    if scale.lo is not None and np.any(values < scale.lo):
        raise ValueError(f"value {values.min()} below the lower bound {scale.lo}")
    if scale.hi is not None and np.any(values > scale.hi):
        raise ValueError(f"value {values.max()} above the upper bound {scale.hi}")


def sample_paths(
    method: str, p: Prepared, values: np.ndarray, mean: np.ndarray, horizon: int, n_paths: int, seed: int
) -> np.ndarray:
    """Sample paths around the point path: mean on the error scale plus scaled empirical errors."""
    escale = error_scale(values, p.scale)
    e_hist = escale.forward(values)
    n_points = len(values)
    short = n_points < MIN_POINTS_FULL or method == SHORT_METHOD
    if short:
        own = float(np.mean(np.abs(np.diff(e_hist)) / np.diff(p.years)))
        spread = float(short_spread(own, short_calibration(n_points)["scale"] * spread_unit(e_hist, escale)))
    else:
        spread = interval_spread(p.years, e_hist, escale)
    # a point path that crosses zero on a positive series cannot be logged: keep it just above 0
    floor = np.min(values[values > 0]) * 1e-3 if escale is LOG else None
    centre = escale.forward(np.maximum(mean, floor) if floor is not None else mean)
    table_points = n_points if short else None
    errors = scaled_error_samples(method, horizon, n_paths, seed, table_points)
    return escale.inverse(centre + spread * errors)
