"""The progress ratio and its category (Eurostat SDG monitoring bands)."""

from __future__ import annotations

import math

import pandas as pd

from analysis.assess.base_path import annual_rates
from analysis.assess.rules import PROGRESS_BELOW, RATIO_DECIMALS, higher_is_better, join_notes, meets, progress_category


def classify_progress(
    base_year: int, base: float, year: int, value: float, target_year: int, target: float, form: str, comparator: str
) -> tuple[float, str, str]:
    """Return (progress ratio, category, note) of the latest value against the target path."""
    if year is None or base_year is None or year <= base_year or pd.isna(base):
        if year is not None and meets(value, comparator, target):
            return math.nan, "achieved", "the latest value already meets the target (no ratio without a base and a later year)"
        return math.nan, "insufficient_data", "progress needs the base year and a later observation"
    years_req = max(target_year - base_year, 1)
    observed, required, used = annual_rates(base, value, target, year - base_year, years_req, form)
    note = "" if used == form else "growth undefined for values <= 0: absolute annual change used"
    ratio = round(observed / required, RATIO_DECIMALS) if required != 0 else math.nan
    direction = 1 if higher_is_better(comparator) else -1
    if meets(value, comparator, target):
        if direction * required <= 0:  # the base already met the target: no path to measure against
            return math.nan, "achieved", join_notes(note, "base already met the target")
        return (ratio if ratio >= 0 else math.nan), "achieved", note
    if direction * required <= 0:
        category = PROGRESS_BELOW if direction * observed < 0 else "insufficient"
        extra = "base already met the target; the latest value no longer does"
        return math.nan, category, "; ".join(x for x in (note, extra) if x)
    return ratio, progress_category(ratio), note
