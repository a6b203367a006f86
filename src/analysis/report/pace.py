"""Recent pace and pace needed of a target, in the target's own terms."""

from __future__ import annotations

import math

import pandas as pd

from analysis.data import loader, vintage
from analysis.report.i18n import t
from analysis.report.wording import column, growth_text, signed


def pace_per_year(series: pd.Series, window: int = 3) -> float:
    """Return the average change a year over the last ``window`` years of an annual series (NaN with < 2 points)."""
    clean = series.dropna().sort_index()
    if len(clean) < 2:
        return math.nan
    last_year = int(clean.index.max())
    earlier = clean[clean.index >= last_year - window]
    first_year = int(earlier.index.min())
    if first_year == last_year:
        return math.nan
    return float((clean[last_year] - earlier[first_year]) / (last_year - first_year))


def milestone_of(dataset: loader.Dataset, row: object, as_of_year: int) -> tuple[float, float]:
    """Return (year, value) of the city's latest milestone for a target's indicator, from the status table's columns or Dataset.milestones."""
    year, value = column(row, "milestone_year", math.nan), column(row, "milestone_value", math.nan)
    if pd.notna(value):
        return year, value
    milestones = getattr(dataset, "milestones", None)
    if milestones is None or len(milestones) == 0:
        return math.nan, math.nan
    rows = milestones[(milestones["indicator_id"] == row.indicator_id) & (milestones["region"] == row.region)]
    rows = rows[pd.to_numeric(rows["year"], errors="coerce") <= max(as_of_year, int(row.latest_period or 0) + 1)]
    if rows.empty:
        return math.nan, math.nan
    last = rows.assign(_y=pd.to_numeric(rows["year"])).sort_values("_y", kind="mergesort").iloc[-1]
    return int(last["_y"]), float(last["value"])


def recent_and_needed(dataset: loader.Dataset, row: object, as_of) -> tuple[float, float]:
    """Return (recent change a year, change a year needed to reach the target) in the target's own terms."""
    series = vintage.annual_series(dataset, row.indicator_id, row.region, as_of)
    if series.empty or not row.latest_period:
        return math.nan, math.nan
    latest_year = int(row.latest_period)
    years_left = int(row.target_year) - latest_year
    if row.target_type == "avg_growth":
        clean = series.dropna().sort_index()
        recent = clean[clean.index >= latest_year - 3]
        span = int(recent.index.max()) - int(recent.index.min()) if len(recent) > 1 else 0
        growth = 100 * ((recent.iloc[-1] / recent.iloc[0]) ** (1 / span) - 1) if span and recent.iloc[0] > 0 else math.nan
        return growth, float(row.target_value)
    if row.target_type == "cumulative":
        done = row.required_value + row.gap if pd.notna(row.gap) else math.nan
        recent = float(series.dropna().sort_index().tail(3).mean())
        return recent, (row.target_value - done) / years_left if years_left > 0 and pd.notna(done) else math.nan
    return pace_per_year(series), (row.target_value - row.latest_value) / years_left if years_left > 0 else math.nan


def needed_text(needed: float, row: object, unit_text: str, lang: str, whole: bool = False) -> str:
    """Return the pace a target still needs ('reached' when the latest value already meets it)."""
    if row.target_type == "avg_growth":
        return growth_text(needed, lang)
    higher = row.comparator in (">=", ">")
    if pd.notna(needed) and ((needed <= 0) if higher else (needed >= 0)):
        return t("brief.reached", lang)
    return signed(needed, unit_text, lang, row.target_type == "rank", whole)
