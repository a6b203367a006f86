"""The base value and the required path from base to target by the indicator's growth form."""

from __future__ import annotations

import math

import pandas as pd

from analysis.assess.rules import fmt_num


def geometric_possible(*values: float) -> bool:
    """Return whether compound growth is defined between these values (all > 0)."""
    return all(v is not None and not pd.isna(v) and v > 0 for v in values)


def required_at(year: int, base_year: int, base: float, target_year: int, target: float, form: str) -> float:
    """Return the required-path value in a year, base to target by the growth form."""
    if target_year == base_year:
        return target
    share = (year - base_year) / (target_year - base_year)
    if form == "geometric" and geometric_possible(base, target):
        return base * (target / base) ** share
    return base + (target - base) * share


def annual_rates(base: float, value: float, target: float, years_obs: int, years_req: int, form: str) -> tuple[float, float, str]:
    """Return (observed, required) annual growth and the form used (CAGR or absolute change)."""
    if form == "geometric" and geometric_possible(base, value, target):
        observed = (value / base) ** (1 / years_obs) - 1
        required = (target / base) ** (1 / years_req) - 1
        return observed, required, "geometric"
    return (value - base) / years_obs, (target - base) / years_req, "linear"


def interpolate_at(series: pd.Series, year: int, form: str) -> tuple[float, int, int]:
    """Return (value, year before, year after): a year's value between its nearest neighbours, on the growth form."""
    before, after = series[series.index < year], series[series.index > year]
    y0, v0, y1, v1 = int(before.index.max()), float(before.iloc[-1]), int(after.index.min()), float(after.iloc[0])
    share = (year - y0) / (y1 - y0)
    if form == "geometric" and geometric_possible(v0, v1):
        return float(math.exp(math.log(v0) + share * (math.log(v1) - math.log(v0)))), y0, y1
    return v0 + share * (v1 - v0), y0, y1


def straddles(series: pd.Series, year: int) -> bool:
    """Return whether a series has values both before and after a year."""
    return bool((series.index < year).any() and (series.index > year).any())


def base_point(
    series: pd.Series, base_year: int | None, form: str = "linear", stated_only: bool = False
) -> tuple[int | None, float, str, bool]:
    """Return (year, value, note, estimated): the base year as observed or interpolated, else a stated fallback."""
    if series.empty:
        return None, math.nan, "", False
    if base_year is None or pd.isna(base_year):
        year = int(series.index.min())
        return year, float(series[year]), f"target has no base year: first observation ({year}) used", False
    base_year = int(base_year)
    if base_year in series.index:
        return base_year, float(series[base_year]), "", False
    if straddles(series, base_year):
        value, y0, y1 = interpolate_at(series, base_year, form)
        how = "log-linear" if form == "geometric" and geometric_possible(series[y0], series[y1]) else "linear"
        return base_year, value, f"base year {base_year} not observed: estimated {fmt_num(value)} ({how} interpolation between {y0} and {y1})", True
    if stated_only:
        return base_year, math.nan, f"base year {base_year} not observed and no values on both sides of it: the base cannot be estimated", False
    earlier = series[series.index < base_year]
    if not earlier.empty:
        year = int(earlier.index.max())
        return year, float(series[year]), f"base year {base_year} not observed: {year} used (nearest earlier year)", False
    year = int(series.index.min())
    return year, float(series[year]), f"base year {base_year} not observed, nothing earlier: {year} used (first later year)", False
