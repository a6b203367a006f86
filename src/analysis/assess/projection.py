"""P(meet) from a forecast's paths, bound conditioning and the Brownian bridge for past years."""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np
import pandas as pd

from analysis.assess.base_path import interpolate_at
from analysis.assess.rules import APPROX_QUALIFIERS, LOWER_BOUNDS, MIN_BRIDGE_STEPS, higher_is_better, is_bound, meets
from analysis.forecast import tracker


def interpolation_probability(series: pd.Series, year: int, form: str, comparator: str, threshold: float) -> float:
    """Return P(the unobserved value of a year satisfies the comparator), interpolated between its neighbours.

    The series is a random walk on its growth form's scale (log for geometric, the values otherwise);
    between two observed years the unobserved value is a Brownian bridge: mean the interpolation,
    variance sigma^2 (year - y0)(y1 - year) / (y1 - y0), sigma the standard deviation of the
    series' changes per sqrt(year) (never below models' pooled floor). NaN with fewer than
    MIN_BRIDGE_STEPS changes (the volatility cannot be estimated).
    """
    from scipy.stats import norm

    from analysis.forecast import intervals

    values = series.to_numpy(dtype=float)
    years = series.index.to_numpy(dtype=float)
    log = form == "geometric" and bool(np.all(values > 0)) and threshold > 0
    z = np.log(values) if log else values
    if len(z) - 1 < MIN_BRIDGE_STEPS:
        return math.nan
    gaps = np.diff(years)
    sigma = float(np.std(np.diff(z) / np.sqrt(gaps), ddof=1))
    unit = 1.0 if log else float(np.max(np.abs(values))) or 1.0
    sigma = max(sigma, intervals.SPREAD_FLOOR * unit)
    value, y0, y1 = interpolate_at(series, year, form)
    centre = math.log(value) if log else value
    sd = sigma * math.sqrt((year - y0) * (y1 - year) / (y1 - y0))
    edge = math.log(threshold) if log else threshold
    above = float(norm.sf((edge - centre) / sd))
    return above if higher_is_better(comparator) else 1.0 - above


def bound_mask(samples: np.ndarray, years: list[int], bounds: pd.DataFrame, slack: float = 0.0) -> np.ndarray:
    """Return which simulated paths agree with every bounded figure in the projected years."""
    mask = np.ones(samples.shape[0], dtype=bool)
    for row in bounds.itertuples(index=False):
        if int(row.year) not in years:
            continue
        column = samples[:, years.index(int(row.year))]
        value = float(row.value)
        mask &= column >= value - slack if row.qualifier in LOWER_BOUNDS else column <= value + slack
    return mask


def first_meeting(path: pd.Series, comparator: str, target: float, after: int | None = None) -> int | None:
    """Return the first year of a path (observed then projected) whose value meets the target."""
    for year, value in path.sort_index().items():
        if after is not None and year <= after:
            continue
        if meets(value, comparator, target):
            return int(year)
    return None


def probability(forecast: Any, year: int, comparator: str, threshold: float) -> float:
    """Return P(value in a year satisfies the comparator) from a forecast."""
    if higher_is_better(comparator):
        return float(forecast.prob_at_least(year, threshold))
    return float(forecast.prob_at_most(year, threshold))


def min_points() -> int:
    """Return the fewest annual points models.forecast projects from (models.MIN_POINTS)."""
    from analysis.forecast import models

    return int(models.MIN_POINTS)


def series_key(series: pd.Series) -> tuple:
    """Return a hashable key of a year-indexed series."""
    return (tuple(int(y) for y in series.index), tuple(float(v) for v in series.values))


def point_kinds(rows: pd.DataFrame, series: pd.Series) -> pd.Series:
    """Return the kind of each value of a series (year-indexed) from its observation rows: the status, or
    'approximate' for a value qualified ~ (左右); see analysis.forecast.kinds."""
    exact = rows[[not is_bound(str(q or "")) for q in rows["qualifier"]]].drop_duplicates("year", keep="first")
    qualifier = exact["qualifier"].fillna("").astype(str)
    kinds = np.where(qualifier.isin(APPROX_QUALIFIERS), "approximate", exact["status"].astype(str))
    by_year = pd.Series(kinds, index=exact["year"].astype(int).to_numpy(), dtype=object)
    return by_year.reindex(series.index.astype(int)).fillna("unspecified")


def cached_forecast(
    cache: dict, series: pd.Series, horizon: int, bounds: tuple[float, float] | None, peers: Sequence[pd.Series] = (),
    kinds: pd.Series | None = None,
) -> Any:
    """Return a forecast, reusing one already computed for the same inputs; errors are cached too."""
    kinds_key = None if kinds is None else tuple(str(k) for k in kinds)
    key = (series_key(series), int(horizon), bounds, tuple(series_key(p) for p in peers), kinds_key)
    if key not in cache:
        try:
            cache[key] = tracker.run_forecast(series, horizon, bounds, peers, kinds)
        except ValueError as err:  # models.SeriesTooShort and other unusable series
            cache[key] = err
    result = cache[key]
    if isinstance(result, Exception):
        raise result
    return result
