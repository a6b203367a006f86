"""What each history point of a projection is: its kind (status), the measurement noise that kind adds, its weight.

An observation's status (data/observations.csv) says how final a figure is: official, revised and
derived figures (derived from final inputs) and media reports of them count as measured; a
preliminary figure is revised later; an estimate (预计, an expectation stated before the year's
figure is compiled) and an approximate figure (qualifier ~, 左右) can be off by a few percent.
``KIND_NOISE`` is the standard deviation of that measurement error on the error scale (a relative
error on log scale: 0.03 = 3 %). It is a stated assumption, not a fitted constant: the data hold
three pairs of an estimate and the final figure of the same year (Ningbo R&D intensity 2015, 2017,
2023: 2.4 / 2.4, 2.35 / 2.35, 3.15 / 3.08; at most 2.2 %), too few to fit, and none of the
benchmark series holds an estimate (bench china keeps exact final figures only).

A noisy point counts less: at either end of a short series its noise enters the variance of the
series' own growth (so the growth leans more on the prior), and the last point's noise and the
growth's widen every sample path (models.measurement_paths). ``weight`` in the basis table is
noise / (noise + the point's measurement variance): 1 for a final figure, less for an estimate
in a smooth series.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

KIND_NOISE = {
    "official": 0.0,
    "revised": 0.0,
    "derived": 0.0,
    "reported": 0.0,
    "unspecified": 0.0,  # the caller gave no kinds: treated as final figures
    "preliminary": 0.01,
    "estimate": 0.03,
    "approximate": 0.03,
}


ESTIMATE_KINDS = frozenset(kind for kind, noise in KIND_NOISE.items() if noise > 0)


REVISED_KIND = "revised"


def aligned_kinds(series: pd.Series, history: pd.Series, kinds: Sequence[str] | pd.Series | None) -> pd.Series:
    """The kind of every history point: `kinds` aligned with `series` (positions, or a year-indexed Series)."""
    if kinds is None:
        return pd.Series("unspecified", index=history.index, dtype=object)
    if isinstance(kinds, pd.Series):
        by_year = pd.Series(kinds.to_numpy(dtype=object), index=np.asarray(kinds.index, dtype=float).astype(int))
    else:
        kinds = list(kinds)
        if len(kinds) != len(series):
            raise ValueError(f"kinds has {len(kinds)} entries for a series of {len(series)} values")
        by_year = pd.Series(kinds, index=np.asarray(series.index, dtype=float).astype(int), dtype=object)
    by_year = by_year[~by_year.index.duplicated(keep="last")]
    missing = [int(y) for y in history.index if y not in by_year.index]
    if missing:
        raise ValueError(f"kinds give no kind for year(s) {missing}")
    out = by_year.reindex(history.index).astype(object)
    unknown = sorted({str(k) for k in out if str(k) not in KIND_NOISE})
    if unknown:
        raise ValueError(f"unknown kind(s) {unknown}; choose from {', '.join(KIND_NOISE)}")
    return out.map(str)


def point_noise(kinds: pd.Series) -> np.ndarray:
    """Measurement variance of each point (KIND_NOISE squared) on the error scale, in units of its spread unit
    (relative to the level on a raw scale; models multiplies by intervals.spread_unit)."""
    return np.array([KIND_NOISE[k] ** 2 for k in kinds], dtype=float)


def kind_flags(kinds: pd.Series) -> tuple[str, ...]:
    """'rests_on_estimates' when a point is an estimate, approximate or preliminary; 'mixed_revision' when a
    revised figure sits beside unrevised ones (the series may mix a revised basis with its predecessor)."""
    flags = []
    if any(k in ESTIMATE_KINDS for k in kinds):
        flags.append("rests_on_estimates")
    if REVISED_KIND in set(kinds) and any(k not in (REVISED_KIND, "unspecified") for k in kinds):
        flags.append("mixed_revision")
    return tuple(flags)


def basis_table(history: pd.Series, kinds: pd.Series, noise: np.ndarray, series_noise: float) -> pd.DataFrame:
    """year, value, kind, noise_sd and weight (series noise / (series noise + point noise)) of every history point."""
    series_noise = max(float(series_noise), 1e-12)
    return pd.DataFrame({
        "year": history.index.to_numpy(dtype=int),
        "value": history.to_numpy(dtype=float),
        "kind": kinds.to_numpy(dtype=object),
        "noise_sd": np.sqrt(noise),
        "weight": series_noise / (series_noise + noise),
    })
