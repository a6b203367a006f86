"""Assess a cumulative target: the sum of annual flows from the base year to the target year."""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np
import pandas as pd

from analysis.assess.progress import classify_progress
from analysis.assess.projection import cached_forecast, first_meeting, min_points, point_kinds
from analysis.assess.record import Assessment, final_status, path_rows, set_latest, set_target_year
from analysis.assess.rules import (
    FINAL_STATUSES,
    LEVEL_DIGITS,
    OUTCOME_STATUSES,
    PROJECT_TO,
    STATUS_BANDS,
    fmt_num,
    higher_is_better,
    meets,
    round_sig,
    status_from_p,
)
from analysis.forecast import tracker

LIKELY_EDGE = dict(STATUS_BANDS)["likely"]  # a lower bound on P at least this proves a good status


def assess_cumulative(a: Assessment, rows: pd.DataFrame, series: pd.Series, meta: pd.Series, cache: dict, target: Any,
                      peers: Sequence[pd.Series] = ()) -> None:
    """Assess a cumulative target: the published flows from the year after the base year, summed, and the rest projected.

    A year of the window before the latest figure whose flow was never published counts as zero in
    the running total and in P(meet) (flows are non-negative: the total is then at least what is
    shown, and P at least what is computed); its interpolated value is recorded for the charts and
    the note (``p_meet_interpolated``), never judged on.
    """
    if target.base_year is None or pd.isna(target.base_year):
        a.progress_category, a.status, a.status_reason = "insufficient_data", "insufficient_data", "no_base"
        a.add_note("cumulative target needs a base year")
        return
    by = int(target.base_year)
    a.base_year_used, a.base_value = by, 0.0
    a.target_level = a.target_value
    window = list(range(by + 1, a.target_year + 1))
    last_year = int(series.index.max())
    upto = rows[rows["year"] <= a.target_year]
    set_latest(a, upto.iloc[-1] if not upto.empty else rows.iloc[-1])
    seen = [y for y in window if y <= last_year]
    observed = {y: float(series[y]) for y in seen if y in series.index}
    filled = {y: float(np.interp(y, series.index, series.values)) for y in seen if y not in series.index}
    total = round_sig(sum(observed.values()), LEVEL_DIGITS)
    record_running_total(a, by, seen, filled, total)
    cumulative = pd.Series(observed, dtype=float).sort_index().cumsum()
    if seen:
        eval_year = seen[-1]
        share = (eval_year - by) / (a.target_year - by)
        a.required_value = a.target_value * share
        a.gap = total - a.required_value
        a.gap_pct = 100 * a.gap / abs(a.required_value) if a.required_value else math.nan
        a.progress_ratio, a.progress_category, note = classify_progress(by, 0.0, eval_year, total, a.target_year, a.target_value, "linear", a.comparator)
        a.add_note(note)
    else:
        a.progress_category = "insufficient_data"
    a.first_year_meeting = first_meeting(cumulative, a.comparator, a.target_value)
    if higher_is_better(a.comparator) and meets(total, a.comparator, a.target_value):
        a.status, a.p_meet, a.projected_value, a.status_reason = "met", 1.0, total, "cumulative_reached"
        a.add_note("cumulative target already reached by published flows (flows are non-negative)")
        return
    if last_year >= a.target_year:
        judge_observed_window(a, upto, by, total, filled)
        return
    if len(series) < min_points():
        a.status, a.status_reason = "insufficient_data", "one_value"
        a.add_note(f"{len(series)} annual point(s): no projection (needs {min_points()})")
        return
    horizon = max(PROJECT_TO, a.target_year) - last_year
    a.inferred = True
    try:
        fc = cached_forecast(cache, series, horizon, tracker.bounds_of(meta), peers, point_kinds(rows, series))
    except ValueError as err:
        a.status, a.status_reason = "insufficient_data", "no_projection"
        a.add_note(f"no projection: {err}")
        return
    project_flows(a, fc, window, last_year, by, total, filled, cumulative)


def judge_on_lower_bound(a: Assessment) -> None:
    """With unpublished flows counted as zero P is a lower bound: it can show a target likely, never unlikely."""
    a.status_reason = "projection_missing_flows"
    a.add_note(f"P at least {a.p_meet:.2f} on published flows alone; {a.p_meet_interpolated:.2f} with the missing years interpolated")
    if higher_is_better(a.comparator) and a.p_meet >= LIKELY_EDGE:
        a.p_meet_qualifier = ">="
        return
    a.p_meet, a.status = math.nan, "insufficient_data"


def record_running_total(a: Assessment, by: int, seen: list[int], filled: dict[int, float], total: float) -> None:
    """Record the running total of published flows, its years, and the years whose flow was never published."""
    a.running_total = total if seen else math.nan
    a.running_total_from, a.running_total_to = (by + 1, seen[-1]) if seen else (None, None)
    if filled:
        years = ",".join(str(y) for y in filled)
        a.interpolated_years = a.missing_years = years
        a.running_total_qualifier = ">="
        a.add_note(f"flows not published for {years}: counted as zero, so the total is at least {fmt_num(total)} "
                   f"(interpolated they would add {fmt_num(sum(filled.values()))})")
    a.add_note(f"cumulative {by + 1}-{seen[-1]}: {fmt_num(total)}" if seen else f"no flow after {by} yet")


def judge_observed_window(a: Assessment, upto: pd.DataFrame, by: int, total: float, filled: dict[int, float]) -> None:
    """Judge a cumulative target whose whole window is past: from the published total, never from interpolated flows."""
    a.projected_value = total
    if filled:  # a missing year could have made up the difference: say what is known, no outcome
        a.status, a.status_reason = "insufficient_data", "missing_flows"
        return
    final_rows = upto[upto["year"] > by]
    worst = "official" if final_rows["status"].isin(FINAL_STATUSES).all() else "estimate"
    a.outcome = meets(total, a.comparator, a.target_value)
    a.inferred = not final_rows["status"].isin(OUTCOME_STATUSES).all()
    a.status_reason = "target_year_value"
    final_status(a, a.outcome, worst, "the cumulative sum")


def project_flows(a: Assessment, fc: Any, window: list[int], last_year: int, by: int, total: float, filled: dict[int, float],
                  cumulative: pd.Series) -> None:
    """Project the flows still to come: P(meet) on the published total plus the simulated flows, the running-total path."""
    future = [y for y in window if y > last_year]
    columns = [list(fc.years).index(y) for y in future]
    flows = np.asarray(fc.samples)[:, columns]
    a.forecast = fc
    a.forecast_method = str(getattr(fc, "method", ""))
    a.forecast_flags = ",".join(getattr(fc, "flags", ()) or ())
    a.path = path_rows(future, total + np.cumsum(fc.mean[future].to_numpy()), total + np.cumsum(flows, axis=1))
    set_target_year(a)
    p_at_least = float(fc.prob_sum_at_least(future, a.target_value - total))
    a.p_meet = p_at_least if higher_is_better(a.comparator) else 1.0 - p_at_least
    a.status, a.status_reason = status_from_p(a.p_meet), "projection"
    if filled:
        interpolated = float(fc.prob_sum_at_least(future, a.target_value - total - sum(filled.values())))
        a.p_meet_interpolated = interpolated if higher_is_better(a.comparator) else 1.0 - interpolated
        judge_on_lower_bound(a)
    path = pd.concat([cumulative, total + fc.mean[[y for y in fc.years if y > last_year and y > by]].cumsum()])
    a.first_year_meeting = first_meeting(path, a.comparator, a.target_value)
