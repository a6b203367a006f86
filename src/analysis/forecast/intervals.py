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


SHORT_SERIES: dict[int, dict] = calibration.SHORT_SERIES  # the "aggregate" group's: every series this tool tracks


SHORT_SERIES_OTHER: dict[int, dict] = calibration.SHORT_SERIES_OTHER


# Short series are calibrated per group of what a series measures, because their errors differ by it: on
# M3 cut to 2-6 values one pooled table covered 64-79 % at 80 % for firms', industries' and markets'
# series and 82-96 % for economies' and populations' (and 85-91 % on the China series). "aggregate" is
# an official statistic of a whole economy or population (a region's GDP, budget, R&D, patents, firms,
# people: every series of data/; M3's MACRO and DEMOGRAPHIC series); "other" is M3's MICRO, INDUSTRY,
# FINANCE and OTHER series (a firm's sales, an industry's output, a market's prices).
AGGREGATE, OTHER = "aggregate", "other"
SERIES_GROUPS = (AGGREGATE, OTHER)
M3_GROUPS = {"MACRO": AGGREGATE, "DEMOGRAPHIC": AGGREGATE, "MICRO": OTHER, "INDUSTRY": OTHER, "FINANCE": OTHER, "OTHER": OTHER}


def m3_group(category: str) -> str:
    """The series group of an M3 category (MACRO, DEMOGRAPHIC: aggregate; the rest: other)."""
    return M3_GROUPS.get(str(category).upper(), OTHER)


SPREAD_FLOOR: float = calibration.SPREAD_FLOOR


PRIOR_MAX_POINTS: int = calibration.PRIOR_MAX_POINTS  # auto uses the growth prior up to this many points


SCALE_WINDOW: int | None = calibration.DESIGN["scale_window"] or None


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


def own_slopes(z: np.ndarray, years: np.ndarray | None = None) -> np.ndarray:
    """Change per elapsed year between the first and last value of each row (consecutive steps unless years given)."""
    span = (z.shape[-1] - 1) if years is None else years[..., -1] - years[..., 0]
    return (z[..., -1] - z[..., 0]) / span


def shrunk_slope(own: np.ndarray | float, growth: np.ndarray | float, weight: np.ndarray | float) -> np.ndarray | float:
    """A short series' slope: its own slope shrunk towards the prior growth (weight = own share)."""
    return np.asarray(weight) * np.asarray(own) + (1 - np.asarray(weight)) * np.asarray(growth)


def noise_variance(changes: np.ndarray, noise_sd: float, noise_dof: float, unit: np.ndarray | float = 1.0) -> np.ndarray:
    """The variance of a series' yearly changes about their mean, shrunk towards the pooled noise.

    Rows of `changes` are series (changes per elapsed year on the error scale). The pooled variance
    (noise_sd x unit)^2 counts as noise_dof pseudo-observations beside the row's own n - 1 degrees of
    freedom: one change (two values) gives the pooled noise alone, many changes mostly their own.
    The pooled part is also the floor: a flat series keeps a noise of noise_sd sqrt(noise_dof / (noise_dof + n - 1)).
    """
    changes = np.atleast_2d(np.asarray(changes, dtype=float))
    dof = changes.shape[-1] - 1
    own = np.var(changes, axis=-1, ddof=1) if dof > 0 else np.zeros(changes.shape[:-1])
    return (noise_dof * (noise_sd * np.asarray(unit)) ** 2 + dof * own) / (noise_dof + dof)


def growth_weight(noise_var: np.ndarray | float, span: np.ndarray | float, prior_sd: float, unit: np.ndarray | float = 1.0,
                  end_noise: np.ndarray | float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Empirical-Bayes share of the own growth, and the own growth's variance.

    The own growth (first to last value over `span` years) has variance noise_var / span, plus
    end_noise / span^2 when its end points are themselves uncertain (estimates); the prior growth has
    variance (prior_sd x unit)^2. The weight is prior variance / (prior variance + own variance):
    a smooth series keeps its own growth, a noisy one leans on the prior.
    """
    own_var = np.asarray(noise_var) / np.asarray(span) + np.asarray(end_noise) / np.asarray(span) ** 2
    prior_var = (prior_sd * np.asarray(unit)) ** 2
    return prior_var / (prior_var + own_var), own_var


def scale_variance(noise_var: np.ndarray | float, exponent: float, pooled_sd: float, unit: np.ndarray | float = 1.0) -> np.ndarray:
    """The noise an interval is scaled by: noise_var^exponent x (pooled_sd x unit)^(2 (1 - exponent)).

    A geometric mean of the series' own noise and the pooled one: a noise measured on a few changes is
    itself noisy, so an interval that followed it fully (exponent 1) would be too narrow for series
    that merely looked smooth and too wide for those that looked noisy (the exponent is fitted on the
    interval score).
    """
    return np.asarray(noise_var) ** exponent * ((pooled_sd * np.asarray(unit)) ** 2) ** (1 - exponent)


def short_scales(noise_var: np.ndarray | float, weight: np.ndarray | float, growth_var: np.ndarray | float,
                 horizon: int, gap_var: np.ndarray | float = 0.0) -> np.ndarray:
    """Scale of a short series' error h years ahead: sqrt(h^2 (weight x growth variance + gap_var) + h x noise variance).

    weight x growth_var is the posterior variance of the shrunk growth, gap_var (growth_gap_var) how far
    the own growth is from the prior, the last term the random-walk noise; rows are series, columns
    horizons 1..horizon.
    """
    h = steps(horizon)
    growth = (np.asarray(weight) * np.asarray(growth_var) + np.asarray(gap_var))[..., None]
    return np.sqrt(h ** 2 * growth + h * np.asarray(noise_var)[..., None])


def growth_gap_var(own: np.ndarray | float, prior: np.ndarray | float, gap_share: float) -> np.ndarray:
    """gap_share x (own growth - prior growth)^2: a series whose own growth is far from the prior's has an
    uncertain growth (on M3, fast-growing short series covered 61 % at 80 % without this term)."""
    return gap_share * (np.asarray(own) - np.asarray(prior)) ** 2


def check_group(group: str) -> str:
    """Return a series group, or raise ValueError naming the valid ones."""
    if group not in SERIES_GROUPS:
        raise ValueError(f"unknown series group {group!r}: one of {', '.join(SERIES_GROUPS)}")
    return group


def short_calibration(n_points: int, group: str = AGGREGATE) -> dict:
    """The short-series constants of a group (SERIES_GROUPS) for a series of n_points observed years."""
    check_group(group)
    tables = SHORT_SERIES if group == AGGREGATE else SHORT_SERIES_OTHER
    return tables[min(max(n_points, min(tables)), max(tables))]


def error_quantiles(method: str, horizon: int, n_points: int | None = None, group: str = AGGREGATE) -> np.ndarray:
    """Per-horizon quantile rows of the method's scaled errors (the short-series table of that length and group if n_points)."""
    if n_points is not None:
        table = short_calibration(n_points, group)["quantiles"][method]
    else:
        table = ERROR_QUANTILES.get(method) or ERROR_QUANTILES.get(FALLBACK_QUANTILE_METHOD)
    if not table:
        table = default_quantile_table()
    rows = np.asarray(table, dtype=float)
    last = len(rows)
    # beyond the table: a long-series table widens like a random walk; a short-series table is of errors
    # already divided by a scale that grows with the horizon (short_scales), so its last row carries on
    grow = n_points is None
    out = [rows[h - 1] if h <= last else rows[-1] * (math.sqrt(h / last) if grow else 1.0) for h in range(1, horizon + 1)]
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
    method: str, horizon: int, n_paths: int, seed: int, n_points: int | None = None, group: str = AGGREGATE
) -> np.ndarray:
    """Sample paths of scaled errors whose marginals follow the method's quantile table (read-only)."""
    # independent of the series, so cached: backtests reuse them at every origin
    uniforms = copula_uniforms(n_paths, horizon, np.random.default_rng(seed))
    rows = error_quantiles(method, horizon, n_points, group)
    probs = np.asarray(QUANTILE_PROBS)
    errors = np.column_stack([np.interp(uniforms[:, h], probs, rows[h]) for h in range(horizon)])
    errors.setflags(write=False)
    return errors
