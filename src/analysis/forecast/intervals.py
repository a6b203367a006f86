"""Interval widths and simulated error paths: calibrated error quantiles, short-series spreads, copula draws."""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from scipy.special import ndtr

from analysis.forecast import calibration
from analysis.forecast.scales import Scale, steps

QUANTILE_PROBS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.975, 0.99, 0.995)


# Every constant learned from data lives in the generated module analysis.forecast.calibration (M3 yearly
# *training* split only; regenerate with `python -m analysis bench m3 --data <path> --calibrate`).
ERROR_QUANTILES: dict[str, tuple[tuple[float, ...], ...]] = calibration.ERROR_QUANTILES


SHORT_SERIES: dict[int, dict] = calibration.SHORT_SERIES


SPREAD_FLOOR: float = calibration.SPREAD_FLOOR


PRIOR_MAX_POINTS: int = calibration.PRIOR_MAX_POINTS  # auto uses the growth prior up to this many points


SCALE_WINDOW: int | None = calibration.DESIGN["scale_window"] or None


SHORT_OWN_SPREAD_WEIGHT = 0.5  # short-series spread = this x own volatility + the rest x pooled (validation choice)


FALLBACK_QUANTILE_METHOD = "drift"


def naive_scale(years: np.ndarray, e: np.ndarray, window: int | None = SCALE_WINDOW) -> float:
    """Typical absolute change per elapsed year over the last `window` changes (None: all), on the error scale."""
    # the median, not the mean: one dip to near zero (or one odd year) must not blow up every interval
    changes = np.abs(np.diff(e)) / np.diff(years)
    changes = changes[-window:] if window else changes
    typical = float(np.median(changes))
    return typical if typical > 0 else float(np.mean(changes))


def spread_unit(e: np.ndarray, escale: Scale) -> float:
    """What one unit of a pooled spread is on this error scale: 1 on log/logit, the level on the raw scale."""
    if escale.name != "identity":
        return 1.0
    level = float(np.max(np.abs(e))) if len(e) else 0.0
    return level if level > 0 else 1.0


def interval_spread(years: np.ndarray, e: np.ndarray, escale: Scale) -> float:
    """The spread errors are scaled by: the recent naive scale, never below the pooled floor."""
    return max(naive_scale(years, e), SPREAD_FLOOR * spread_unit(e, escale))


def own_slopes(z: np.ndarray) -> np.ndarray:
    """Change per step between the first and last value of each row (a window of consecutive years)."""
    return (z[:, -1] - z[:, 0]) / (z.shape[1] - 1)


def shrunk_slope(own: np.ndarray | float, growth: float, weight: float) -> np.ndarray | float:
    """A short series' slope: its own slope shrunk towards the prior growth (weight = own share)."""
    return weight * np.asarray(own) + (1 - weight) * growth


def short_spread(own_scale: np.ndarray | float, pooled: float) -> np.ndarray | float:
    """A short series' spread: its own mean absolute change mixed with the pooled one (the width floor)."""
    return SHORT_OWN_SPREAD_WEIGHT * np.asarray(own_scale) + (1 - SHORT_OWN_SPREAD_WEIGHT) * pooled


def short_calibration(n_points: int) -> dict:
    """The SHORT_SERIES entry for a series of n_points observed years."""
    return SHORT_SERIES[min(max(n_points, min(SHORT_SERIES)), max(SHORT_SERIES))]


def error_quantiles(method: str, horizon: int, n_points: int | None = None) -> np.ndarray:
    """Per-horizon quantile rows of the method's scaled errors (the short-series table of that length if n_points)."""
    if n_points is not None:
        table = short_calibration(n_points)["quantiles"][method]
    else:
        table = ERROR_QUANTILES.get(method) or ERROR_QUANTILES.get(FALLBACK_QUANTILE_METHOD)
    if not table:
        table = default_quantile_table()
    rows = np.asarray(table, dtype=float)
    last = len(rows)
    out = [rows[h - 1] if h <= last else rows[-1] * math.sqrt(h / last) for h in range(1, horizon + 1)]
    return np.vstack(out)


def default_quantile_table() -> tuple[tuple[float, ...], ...]:
    """A normal random-walk table, used only before ERROR_QUANTILES has been generated."""
    from scipy.stats import norm

    z = norm.ppf(QUANTILE_PROBS) * 1.25
    return tuple(tuple(float(v) for v in z * math.sqrt(h)) for h in range(1, 7))


def copula_uniforms(n_paths: int, horizon: int, rng: np.random.Generator) -> np.ndarray:
    """Uniforms whose dependence along a path is that of a Gaussian random walk."""
    walk = np.cumsum(rng.standard_normal((n_paths, horizon)), axis=1) / np.sqrt(steps(horizon))
    return ndtr(walk)


@lru_cache(maxsize=256)
def scaled_error_samples(
    method: str, horizon: int, n_paths: int, seed: int, n_points: int | None = None
) -> np.ndarray:
    """Sample paths of scaled errors whose marginals follow the method's quantile table (read-only)."""
    # independent of the series, so cached: backtests reuse them at every origin
    uniforms = copula_uniforms(n_paths, horizon, np.random.default_rng(seed))
    rows = error_quantiles(method, horizon, n_points)
    probs = np.asarray(QUANTILE_PROBS)
    errors = np.column_stack([np.interp(uniforms[:, h], probs, rows[h]) for h in range(horizon)])
    errors.setflags(write=False)
    return errors
