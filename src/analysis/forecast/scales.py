"""The scale a series is modelled on (identity, log, logit between bounds) and series preparation."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

BOUND_MARGIN = 1e-3  # share of the bounded range kept free at each bound, so the logit stays finite


SINGLE_BOUND_MARGIN = 1e-9  # distance kept from a lone bound, so its log stays finite


class SeriesTooShort(ValueError):
    """Raised when a series has too few observed values to project."""


@dataclass(frozen=True)
class Scale:
    """A monotone transform between the data scale and a working scale."""

    name: str
    lo: float | None = None
    hi: float | None = None

    def forward(self, y: np.ndarray) -> np.ndarray:
        """Map data values to the working scale."""
        y = np.asarray(y, dtype=float)
        if self.name == "identity":
            return y
        if self.name == "log":
            return np.log(y)
        if self.name == "log_lower":
            return np.log(np.maximum(y - self.lo, SINGLE_BOUND_MARGIN))
        if self.name == "log_upper":
            return -np.log(np.maximum(self.hi - y, SINGLE_BOUND_MARGIN))
        share = np.clip((y - self.lo) / (self.hi - self.lo), BOUND_MARGIN, 1 - BOUND_MARGIN)
        return np.log(share / (1 - share))

    def inverse(self, z: np.ndarray) -> np.ndarray:
        """Map working-scale values back to the data scale."""
        z = np.asarray(z, dtype=float)
        if self.name == "identity":
            return z
        if self.name == "log":
            return np.exp(np.minimum(z, 700.0))
        if self.name == "log_lower":
            return self.lo + np.exp(np.minimum(z, 700.0))
        if self.name == "log_upper":
            return self.hi - np.exp(np.minimum(-z, 700.0))
        return self.lo + (self.hi - self.lo) * (0.5 * (1 + np.tanh(z / 2)))

    @property
    def flag(self) -> str | None:
        """Flag naming the bounded transform, if any."""
        return {"logit": "bounded_logit", "log_lower": "bounded_log", "log_upper": "bounded_log"}.get(self.name)


IDENTITY = Scale("identity")


LOG = Scale("log")


def model_scale(bounds: tuple[float | None, float | None] | None) -> Scale:
    """Working scale on which models are fitted: logit/log for bounded indicators, else identity."""
    lo, hi = bounds if bounds is not None else (None, None)
    lo = None if lo is None or (isinstance(lo, float) and math.isnan(lo)) else float(lo)
    hi = None if hi is None or (isinstance(hi, float) and math.isnan(hi)) else float(hi)
    if lo is not None and hi is not None:
        if hi <= lo:
            raise ValueError(f"bounds must satisfy lower < upper, got {bounds}")
        return Scale("logit", lo, hi)
    if lo is not None:
        return Scale("log_lower", lo, None)
    if hi is not None:
        return Scale("log_upper", None, hi)
    return IDENTITY


def error_scale(values: np.ndarray, scale: Scale) -> Scale:
    """Scale on which forecast errors are measured: the model scale if bounded, log if positive."""
    if scale is not IDENTITY and scale.name != "identity":
        return scale
    return LOG if np.all(np.asarray(values) > 0) else IDENTITY


@dataclass(frozen=True)
class Prepared:
    """An annual series on its working scale: observed years, and a gap-free yearly grid."""

    years: np.ndarray
    z: np.ndarray
    grid_years: np.ndarray
    grid_z: np.ndarray
    scale: Scale

    @property
    def has_gaps(self) -> bool:
        """True when some year between the first and the last is missing."""
        return len(self.grid_years) > len(self.years)


def clean_series(series: pd.Series) -> pd.Series:
    """Drop missing values, sort by year and check the index is integer years without duplicates."""
    values = pd.to_numeric(pd.Series(series), errors="coerce").astype(float)
    values = values[np.isfinite(values.to_numpy())]
    try:
        years = np.asarray(values.index, dtype=float)
    except (TypeError, ValueError) as err:
        raise ValueError(f"series index must be integer years: {err}") from None
    if len(years) and not np.all(years == np.round(years)):
        raise ValueError("series index must be integer years")
    values.index = pd.Index(years.astype(int), name="year")
    if values.index.has_duplicates:
        dup = sorted(set(values.index[values.index.duplicated()]))
        raise ValueError(f"series has duplicate years: {dup}")
    return values.sort_index()


def prepare(history: pd.Series, scale: Scale) -> Prepared:
    """Put a clean series on its working scale and fill missing years on a regular grid."""
    years = history.index.to_numpy(dtype=int)
    z = scale.forward(history.to_numpy(dtype=float))
    grid_years = np.arange(years[0], years[-1] + 1)
    grid_z = np.interp(grid_years, years, z) if len(grid_years) > len(years) else z
    return Prepared(years, z, grid_years, grid_z, scale)


def steps(horizon: int) -> np.ndarray:
    """The steps 1..horizon as floats."""
    return np.arange(1, horizon + 1, dtype=float)
