"""Assess a cumulative target: the sum of annual flows from the base year to the target year."""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np
import pandas as pd

from analysis.assess.progress import classify_progress
from analysis.assess.projection import cached_forecast, first_meeting, min_points, point_kinds
from analysis.assess.record import Assessment, final_status, set_latest
from analysis.assess.rules import FINAL_STATUSES, OUTCOME_STATUSES, PROJECT_TO, fmt_num, higher_is_better, meets, status_from_p
from analysis.forecast import tracker


def assess_cumulative(a: Assessment, rows: pd.DataFrame, series: pd.Series, meta: pd.Series, cache: dict, target: Any,
                      peers: Sequence[pd.Series] = ()) -> None:
    """Assess a cumulative target: the sum of annual flows over base_year+1..target_year."""
    if target.base_year is None or pd.isna(target.base_year):
        a.progress_category, a.status = "insufficient_data", "insufficient_data"
        a.add_note("cumulative target needs a base year")
        return
    by = int(target.base_year)
    a.base_year_used, a.base_value = by, 0.0
    a.target_level = a.target_value
    window = list(range(by + 1, a.target_year + 1))
    last_year = int(series.index.max())
    upto = rows[rows["year"] <= a.target_year]
    latest = upto.iloc[-1] if not upto.empty else rows.iloc[-1]
    set_latest(a, latest)
    seen = [y for y in window if y <= last_year]
    observed = {y: float(series[y]) for y in seen if y in series.index}
    filled = {y: float(np.interp(y, series.index, series.values)) for y in seen if y not in series.index}
    if filled:
        a.interpolated_years = ",".join(str(y) for y in filled)
        a.add_note("flows interpolated for " + ", ".join(str(y) for y in filled))
    observed_sum = sum(observed.values())
    to_date = observed_sum + sum(filled.values())
    flows = pd.Series({**observed, **filled}, dtype=float).sort_index()
    cumulative = flows.cumsum()
    a.add_note(f"cumulative {by + 1}-{seen[-1]}: {fmt_num(to_date)}" if seen else f"no flow after {by} yet")
    if seen:
        eval_year = seen[-1]
        share = (eval_year - by) / (a.target_year - by)
        a.required_value = a.target_value * share
        a.gap = to_date - a.required_value
        a.gap_pct = 100 * a.gap / abs(a.required_value) if a.required_value else math.nan
        a.progress_ratio, a.progress_category, note = classify_progress(
            by, 0.0, eval_year, to_date, a.target_year, a.target_value, "linear", a.comparator
        )
        a.add_note(note)
    else:
        a.progress_category = "insufficient_data"
    reached = higher_is_better(a.comparator) and meets(observed_sum, a.comparator, a.target_value)
    a.first_year_meeting = first_meeting(cumulative, a.comparator, a.target_value)
    if reached:
        a.status, a.p_meet, a.projected_value = "met", 1.0, to_date
        a.add_note("cumulative target already reached by observed flows (flows are non-negative)")
        return
    if last_year >= a.target_year:
        a.projected_value = to_date
        final_rows = upto[upto["year"] > by]
        worst = "official" if final_rows["status"].isin(FINAL_STATUSES).all() and not filled else "estimate"
        a.outcome = meets(to_date, a.comparator, a.target_value)
        a.inferred = bool(filled) or not final_rows["status"].isin(OUTCOME_STATUSES).all()
        final_status(a, a.outcome, worst, "the cumulative sum")
        return
    if len(series) < min_points():
        a.status = "insufficient_data"
        a.add_note(f"{len(series)} annual point(s): no projection (needs {min_points()})")
        return
    horizon = max(PROJECT_TO, a.target_year) - last_year
    a.inferred = True
    try:
        fc = cached_forecast(cache, series, horizon, tracker.bounds_of(meta), peers, point_kinds(rows, series))
    except ValueError as err:
        a.status = "insufficient_data"
        a.add_note(f"no projection: {err}")
        return
    future = [y for y in window if y > last_year]
    columns = [list(fc.years).index(y) for y in future]
    sums = to_date + np.asarray(fc.samples)[:, columns].sum(axis=1)
    a.forecast = fc
    a.forecast_method = str(getattr(fc, "method", ""))
    a.forecast_flags = ",".join(getattr(fc, "flags", ()) or ())
    a.projected_value = to_date + float(fc.mean[future].sum())
    a.lo80, a.hi80, a.lo95, a.hi95 = (float(q) for q in np.percentile(sums, [10, 90, 2.5, 97.5]))
    p_at_least = float(fc.prob_sum_at_least(future, a.target_value - to_date))
    a.p_meet = p_at_least if higher_is_better(a.comparator) else 1.0 - p_at_least
    a.status = status_from_p(a.p_meet)
    path = pd.concat([cumulative, to_date + fc.mean[[y for y in fc.years if y > last_year and y > by]].cumsum()])
    a.first_year_meeting = first_meeting(path, a.comparator, a.target_value)
