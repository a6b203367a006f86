"""forecast(series, horizon, method, levels, ..., kinds) -> Forecast: one interface over every method."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from analysis.forecast import kinds as point_kinds
from analysis.forecast.intervals import (
    AGGREGATE,
    PRIOR_MAX_POINTS,
    check_group,
    growth_gap_var,
    growth_weight,
    interval_spread,
    noise_variance,
    scale_variance,
    scaled_error_samples,
    short_calibration,
    short_scales,
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
    basis: pd.DataFrame | None = None  # per history point: year, value, kind, noise_sd, weight (kinds.basis_table)

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
    kinds: Sequence[str] | pd.Series | None = None,
    series_group: str = AGGREGATE,
) -> Forecast:
    """Project an annual series `horizon` years past its last observation with one method.

    `peers` are the same indicator in comparison regions (year-indexed, only values published by the
    as-of date); a short series (fewer than MIN_POINTS_FULL points) takes its prior growth from them.
    `kinds` gives each value's status (aligned with `series`, or a year-indexed Series; see
    analysis.forecast.kinds): an estimate counts less and widens the interval; None = final figures.
    `series_group` (intervals.SERIES_GROUPS) picks a short series' calibration: "aggregate" (an official
    statistic of an economy or population: every series of this tool) or "other" (M3's firms, industries, markets).
    """
    return forecast_methods(series, horizon, (method,), levels, bounds, seed, n_paths, peers, kinds, series_group)[method]


def forecast_methods(
    series: pd.Series,
    horizon: int,
    methods: Sequence[str],
    levels: Sequence[float] = (80, 95),
    bounds: tuple[float | None, float | None] | None = None,
    seed: int = 0,
    n_paths: int = N_PATHS,
    peers: Sequence[pd.Series] = (),
    kinds: Sequence[str] | pd.Series | None = None,
    series_group: str = AGGREGATE,
) -> dict[str, Forecast]:
    """Forecasts of several methods on one series, fitting each shared member (e.g. of auto) once."""
    context = forecast_context(series, horizon, levels, bounds, seed, n_paths, peers, kinds, series_group)
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
    kinds: pd.Series | None = None  # the kind of every history point (analysis.forecast.kinds)
    noise: np.ndarray | None = None  # each point's measurement variance on the error scale, in units of spread_unit^2
    series_group: str = AGGREGATE  # which short-series calibration applies (intervals.SERIES_GROUPS)


def forecast_context(
    series: pd.Series,
    horizon: int,
    levels: Sequence[float] = (80, 95),
    bounds: tuple[float | None, float | None] | None = None,
    seed: int = 0,
    n_paths: int = N_PATHS,
    peers: Sequence[pd.Series] = (),
    kinds: Sequence[str] | pd.Series | None = None,
    series_group: str = AGGREGATE,
) -> Context:
    """Check and prepare one series for forecasting."""
    if int(horizon) != horizon or horizon < 1:
        raise ValueError(f"horizon must be a positive integer, got {horizon}")
    check_group(series_group)  # before anything is fitted, long series too
    history = clean_series(series)
    effective_method("naive", len(history))  # raises SeriesTooShort before anything is fitted
    scale = model_scale(bounds)
    values = history.to_numpy(dtype=float)
    check_inside_bounds(values, scale)
    escale = error_scale(values, scale)
    growth = peer_growth(peers, escale) if len(history) <= PRIOR_MAX_POINTS else None
    aligned = point_kinds.aligned_kinds(pd.Series(series), history, kinds)
    noise = point_kinds.point_noise(aligned)
    return Context(history, prepare(history, scale), int(horizon), tuple(levels), seed, n_paths, growth, aligned, noise,
                   series_group)


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


@dataclass(frozen=True)
class ShortFit:
    """A short series on its error scale: the shrunk growth, its weight and the variances its intervals scale with."""

    escale: Scale
    e: np.ndarray
    slope: float
    weight: float
    unit: float  # intervals.spread_unit: the variances below are in its units (1 on log and logit scales)
    noise_var: float
    scale_var: float  # the noise the interval is scaled by (intervals.scale_variance)
    growth_var: float  # the growth's variance the interval is scaled by (scale_var / span)
    gap_var: float  # intervals.growth_gap_var: the own growth far from the prior is uncertain


def short_fit(p: Prepared, growth: float | None = None, noise: np.ndarray | None = None, group: str = AGGREGATE) -> ShortFit:
    """Empirical-Bayes growth of a short series: its own growth shrunk towards a prior (peers' or the pooled one).

    The weight of the own growth falls with the series' own noise (the variance of its yearly changes,
    shrunk towards the pooled noise of series of this length) and with the measurement noise of its
    first and last values (estimates, `noise`); see intervals.noise_variance and growth_weight.
    """
    calib = short_calibration(len(p.years), group)
    values = p.scale.inverse(p.z)
    escale = error_scale(values, p.scale)
    if growth is None:
        growth = calib["growth"] if is_plain_log(escale) else 0.0  # the pooled prior is a growth of log values
    e = escale.forward(values)
    unit = spread_unit(e, escale)
    span = float(p.years[-1] - p.years[0])
    changes = np.diff(e / unit) / np.diff(p.years)  # in units of `unit` (the raw scale's level), so nothing underflows
    noise_var = max(float(noise_variance(changes, calib["noise_sd"], calib["noise_dof"])[0]), calib["noise_floor"] ** 2)
    ends = 0.0 if noise is None else float(noise[0] + noise[-1])
    weight, _ = growth_weight(noise_var, span, calib["prior_sd"], 1.0, ends)
    own = (e[-1] - e[0]) / span / unit
    growth = growth / unit
    slope = float(shrunk_slope(own, growth, weight)) * unit
    # the interval scale (intervals.scale_variance) uses the growth variance of final figures: the end
    # points' measurement noise is added to the paths by measurement_paths, not twice
    scale_var = float(scale_variance(noise_var, calib["scale_exponent"], calib["scale_sd"]))
    gap_var = float(growth_gap_var(own, growth, calib["gap_share"]))
    return ShortFit(escale, e, slope, float(weight), unit, noise_var, scale_var, scale_var / span, gap_var)


def growth_prior_path(p: Prepared, horizon: int, growth: float | None = None, noise: np.ndarray | None = None,
                      group: str = AGGREGATE) -> np.ndarray:
    """A short series' shrunk growth (short_fit) extended from its last value, on the model scale."""
    fit = short_fit(p, growth, noise, group)
    path = fit.e[-1] + steps(horizon) * fit.slope
    return p.scale.forward(fit.escale.inverse(path))


def forecast_from_context(method: str, context: Context, cache: dict[str, np.ndarray] | None = None) -> Forecast:
    """Forecast a prepared series with one method, reusing member paths found in cache."""
    history, prepared, horizon = context.history, context.prepared, context.horizon
    used, flags = effective_method(method, len(history))
    values = history.to_numpy(dtype=float)
    if used == SHORT_METHOD:
        working = growth_prior_path(prepared, horizon, context.peer_growth, context.noise, context.series_group)
        flags = flags + (("peer_prior",) if context.peer_growth is not None else ())
    else:
        working = point_path(used, prepared, horizon, cache)
    mean = log_floored(prepared.scale.inverse(working), values, error_scale(values, prepared.scale))
    samples, series_noise = sample_paths(used, prepared, values, mean, horizon, context.n_paths, context.seed,
                                         context.peer_growth, context.noise, context.series_group)
    flags = flags + tuple(f for f in (prepared.scale.flag,) if f)
    kinds = context.kinds if context.kinds is not None else point_kinds.aligned_kinds(history, history, None)
    noise = context.noise if context.noise is not None else np.zeros(len(history))
    flags = flags + point_kinds.kind_flags(kinds)
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
        basis=point_kinds.basis_table(history, kinds, noise, series_noise),
    )


def log_floored(path: np.ndarray, values: np.ndarray, escale: Scale) -> np.ndarray:
    """The point path kept just above 0 where errors are measured on logs (a positive series)."""
    # a path that crosses zero cannot be logged, and its mean would fall outside its own intervals
    if escale is not LOG:
        return path
    return np.maximum(path, np.min(values[values > 0]) * 1e-3)


def check_inside_bounds(values: np.ndarray, scale: Scale) -> None:
    """Raise ValueError when an observed value lies outside the indicator's bounds."""
    if scale.lo is not None and np.any(values < scale.lo):
        raise ValueError(f"value {values.min()} below the lower bound {scale.lo}")
    if scale.hi is not None and np.any(values > scale.hi):
        raise ValueError(f"value {values.max()} above the upper bound {scale.hi}")


def sample_paths(
    method: str, p: Prepared, values: np.ndarray, mean: np.ndarray, horizon: int, n_paths: int, seed: int,
    growth: float | None = None, noise: np.ndarray | None = None, group: str = AGGREGATE,
) -> tuple[np.ndarray, float]:
    """Sample paths around the point path (mean on the error scale plus scaled empirical errors, plus the
    measurement noise of estimates), and the noise variance a point's weight is judged against."""
    escale = error_scale(values, p.scale)
    e_hist = escale.forward(values)
    n_points = len(values)
    short = n_points < MIN_POINTS_FULL or method == SHORT_METHOD
    if short:
        fit = short_fit(p, growth, noise, group)
        spread = fit.unit * np.reshape(short_scales(fit.scale_var, fit.weight, fit.growth_var, horizon, fit.gap_var), (1, horizon))
        series_noise, slope_weight, unit = fit.noise_var, (fit.weight if method == SHORT_METHOD else 0.0), fit.unit
    else:
        spread = interval_spread(p.years, e_hist, escale)
        unit = spread_unit(e_hist, escale)
        series_noise, slope_weight = (spread / unit) ** 2, (0.0 if method == "naive" else 1.0)
    centre = escale.forward(log_floored(mean, values, escale))
    table_points = n_points if short else None
    errors = scaled_error_samples(method, horizon, n_paths, seed, table_points, group if short else AGGREGATE)
    paths = centre + spread * errors
    if noise is not None and np.any(noise > 0):
        span = float(p.years[-1] - p.years[0])
        paths = paths + unit * measurement_paths(noise[0], noise[-1], span, slope_weight, horizon, n_paths, seed)
    return escale.inverse(paths), float(series_noise)


MEASUREMENT_SEED_OFFSET = 7919  # the measurement-noise draws get their own stream, so final-only paths are unchanged


def measurement_paths(first_var: float, last_var: float, span: float, slope_weight: float, horizon: int,
                      n_paths: int, seed: int) -> np.ndarray:
    """Path offsets from the measurement error of the first and last values: the last value's error shifts the
    whole path, and both move the growth taken from them (by slope_weight, the share of the own growth)."""
    rng = np.random.default_rng(seed + MEASUREMENT_SEED_OFFSET)
    last = rng.standard_normal(n_paths) * np.sqrt(last_var)
    first = rng.standard_normal(n_paths) * np.sqrt(first_var)
    growth_error = slope_weight * (last - first) / span if span > 0 else np.zeros(n_paths)
    return last[:, None] + growth_error[:, None] * steps(horizon)[None, :]
