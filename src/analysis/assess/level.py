"""Assess a level, average-growth or rank target (compared with a level in the target year).

The assessment runs in steps, each a function that records what it finds on the record and says
whether the target is decided: the base and the level compared (``set_base``, ``set_implied_level``,
``loosen_for_about``), progress (``set_progress``), a decision from published figures
(``decided_by_published``: each year of a 每年 target, the target year's value or bound, an
interpolation between published years), and otherwise a projection (``projectable``, ``project``).
Bounds stay bounds throughout: they decide only what they prove, and condition the projection.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np
import pandas as pd

from analysis.assess.base_path import base_point, geometric_possible, interpolate_at
from analysis.assess.progress import classify_progress
from analysis.assess.projection import bound_mask, cached_forecast, first_meeting, interpolation_probability, min_points, point_kinds, probability
from analysis.assess.record import Assessment, final_status, set_gap, set_latest, set_projection, set_projection_from_paths
from analysis.assess.rules import (
    ABOUT_TOLERANCE,
    APPROX_QUALIFIERS,
    LEVEL_DIGITS,
    LOWER_BOUNDS,
    MIN_BRIDGE_STEPS,
    MIN_CONDITIONED_SHARE,
    MIN_RANK_POINTS,
    OUTCOME_STATUSES,
    PROJECT_TO,
    RANK_HALF_STEP,
    RANK_WITHIN_TARGET_STATUS,
    bound_decides,
    fmt_num,
    higher_is_better,
    is_bound,
    meets,
    round_sig,
    sample_meets,
    status_from_p,
)
from analysis.forecast import tracker


def assess_level(a: Assessment, rows: pd.DataFrame, series: pd.Series, meta: pd.Series, cache: dict, target: Any,
                 peers: Sequence[pd.Series] = ()) -> None:
    """Assess a level, avg_growth or rank target (compared with a level in the target year); bounds stay bounds."""
    avg = target.target_type == "avg_growth"
    form = meta["growth_form"] if not avg else "geometric"
    bounded = rows[[is_bound(str(q or "")) for q in rows["qualifier"]]]
    upto = rows[rows["year"] <= a.target_year]
    set_latest(a, upto.iloc[-1] if not upto.empty else rows.iloc[-1])
    if series.empty:
        a.progress_category = "insufficient_data"
        a.add_note(f"only bounds published ({bounds_text(bounded)})")
        judge_bound_only(a, bounded)
        a.status_reason = "bound_decides" if a.status != "insufficient_data" else "bounds_only"
        return
    by, base = set_base(a, series, target.base_year, form, stated_only=avg)
    if avg and not set_implied_level(a, meta, target, by, base):
        return
    if a.about:
        loosen_for_about(a)
    points_upto = series[series.index <= a.target_year]
    value = set_progress(a, series, points_upto, bounded, by, base, form)
    threshold, slack = comparison_threshold(a, target, series)
    observed_path = series[series.index > by] if by is not None else series
    a.first_year_meeting = first_meeting(observed_path, a.comparator, a.target_level)
    if a.per_year and missed_a_year(a, rows, series, by):
        return
    if decided_by_published(a, rows, series, bounded, points_upto, form, threshold):
        return
    if not projectable(a, target, series, value):
        return
    project(a, series, meta, cache, bounded, peers, threshold, slack, observed_path, point_kinds(rows, series))


def bounds_text(bounded: pd.DataFrame) -> str:
    """Return bounded figures as 'year: qualifier value' for a note."""
    return ", ".join(f"{y}: {q}{fmt_num(v)}" for y, q, v in zip(bounded["year"], bounded["qualifier"], bounded["value"]))


def set_base(a: Assessment, series: pd.Series, base_year: Any, form: str, stated_only: bool) -> tuple[int | None, float]:
    """Record the base year and value (observed, interpolated or a stated fallback) and return them."""
    by, base, base_note, a.base_estimated = base_point(series, base_year, form, stated_only=stated_only)
    a.base_year_used, a.base_value = by, base
    a.add_note(base_note)
    return by, base


def set_implied_level(a: Assessment, meta: pd.Series, target: Any, by: int | None, base: float) -> bool:
    """Turn an average-growth target into the level it implies in the target year; False when it cannot be judged."""
    if meta["kind"] == "rate":
        a.progress_category, a.status, a.status_reason = "insufficient_data", "insufficient_data", "rate_indicator"
        a.add_note("average-growth target on a growth-rate indicator is not supported: attach it to the level indicator")
        return False
    if not geometric_possible(base):
        a.progress_category, a.status, a.status_reason = "insufficient_data", "insufficient_data", "no_base"
        a.add_note("average-growth target needs a positive base value in its stated base year")
        return False
    a.target_level = round_sig(base * (1 + target.target_value / 100) ** (a.target_year - by), LEVEL_DIGITS)
    a.add_note(f"implied {a.target_year} level = {fmt_num(base)} x (1+{fmt_num(target.target_value)}%)^{a.target_year - by} = {fmt_num(a.target_level)}")
    return True


def loosen_for_about(a: Assessment) -> None:
    """Compare an 'about' (左右) target with the level within ABOUT_TOLERANCE of it, on the target's side."""
    a.target_level = round_sig(a.target_level * ((1 - ABOUT_TOLERANCE) if higher_is_better(a.comparator) else (1 + ABOUT_TOLERANCE)), LEVEL_DIGITS)
    a.add_note(f"about (左右): within {ABOUT_TOLERANCE:.0%} counts, compared with {fmt_num(a.target_level)}")


def set_progress(a: Assessment, series: pd.Series, points_upto: pd.Series, bounded: pd.DataFrame, by: int | None,
                 base: float, form: str) -> float:
    """Record the gap and the progress category of the latest exact value (or a later favourable bound); return that value."""
    year, value = (int(points_upto.index[-1]), float(points_upto.iloc[-1])) if not points_upto.empty else (int(series.index[0]), float(series.iloc[0]))
    if points_upto.empty:  # every exact value is after the target year: they say nothing about progress towards it
        a.progress_category = "insufficient_data"
    else:
        if by is not None and year > by:
            set_gap(a, by, base, year, value, form)
        a.progress_ratio, a.progress_category, note = classify_progress(by, base, year, value, a.target_year, a.target_level, form, a.comparator)
        a.add_note(note)
    later_bounds = bounded[(bounded["year"] > year) & (bounded["year"] <= a.target_year)]
    if not later_bounds.empty:
        progress_from_bound(a, later_bounds.iloc[-1], by, base, form)
    return value


def progress_from_bound(a: Assessment, bound: pd.Series, by: int | None, base: float, form: str) -> None:
    """Let a bound published after the latest exact value show the target met, or progress at least this far."""
    b_year, b_value, b_qual = int(bound["year"]), float(bound["value"]), str(bound["qualifier"])
    favourable = (b_qual in LOWER_BOUNDS) == higher_is_better(a.comparator)
    if bound_decides(b_qual, b_value, a.comparator, a.target_level):
        a.progress_ratio, a.progress_category = math.nan, "achieved"
        a.add_note(f"the bound {b_qual}{fmt_num(b_value)} ({b_year}) already meets the target")
    elif favourable and by is not None and b_year > by and not pd.isna(base):
        ratio, category, note = classify_progress(by, base, b_year, b_value, a.target_year, a.target_level, form, a.comparator)
        if not pd.isna(ratio):  # the true value lies beyond the bound, towards the target: R is at least this
            a.progress_ratio, a.progress_category = ratio, category
            a.add_note(f"progress from the bound {b_qual}{fmt_num(b_value)} ({b_year}): R at least {ratio:.2f}", note)


def comparison_threshold(a: Assessment, target: Any, series: pd.Series) -> tuple[float, float]:
    """Return (threshold, slack) a simulated value is compared with: ranks are integers, so half a place either way."""
    threshold, slack = a.target_level, 0.0
    if target.target_type == "rank":
        slack = RANK_HALF_STEP
        # rank <= k is Y <= k + 0.5 and rank > k is Y > k + 0.5; rank < k and rank >= k are k - 0.5
        threshold += RANK_HALF_STEP if a.comparator in ("<=", ">") else -RANK_HALF_STEP
        a.add_note("ranks " + ", ".join(f"{y}:{fmt_num(v)}" for y, v in series.items()))
    return threshold, slack


def missed_a_year(a: Assessment, rows: pd.DataFrame, series: pd.Series, by: int | None) -> bool:
    """Judge a 每年 target year by year; True (decided: cannot be met in full) when a published year missed it."""
    window = series[(series.index > (by or 0)) & (series.index <= a.target_year)]
    missed_years = [int(y) for y, v in window.items() if not meets(v, a.comparator, a.target_level)]
    a.add_note("each year: " + ", ".join(f"{y} {'met' if meets(v, a.comparator, a.target_level) else 'missed'}" for y, v in window.items()))
    if not missed_years:
        return False
    a.p_meet, a.status, a.status_reason = 0.0, status_from_p(0.0), "year_missed"
    a.outcome, a.inferred = False, any(str(r) not in OUTCOME_STATUSES for r in rows[rows["year"].isin(missed_years)]["status"])
    return True


def decided_by_published(a: Assessment, rows: pd.DataFrame, series: pd.Series, bounded: pd.DataFrame, points_upto: pd.Series,
                         form: str, threshold: float) -> bool:
    """Decide the target from published figures when they reach its year; True when decided (no projection then)."""
    if a.target_year in series.index:
        row = rows[rows["year"] == a.target_year].iloc[0]
        a.projected_value = float(row["value"])
        satisfied = meets(a.projected_value, a.comparator, a.target_level)
        a.inferred = str(row["status"]) not in OUTCOME_STATUSES or str(row.get("qualifier", "") or "") in APPROX_QUALIFIERS
        a.outcome = satisfied
        a.status_reason = "target_year_value"
        final_status(a, satisfied, str(row["status"]), f"the {a.target_year} value")
        return True
    target_bound = bounded[bounded["year"] == a.target_year]
    if not target_bound.empty and decided_by_target_bound(a, target_bound.iloc[0]):
        return True
    last_year = int(series.index.max())
    if last_year > a.target_year and not points_upto.empty:
        interpolate_outcome(a, series, form, threshold)
        return True
    if last_year > a.target_year:
        a.status, a.status_reason = "insufficient_data", "no_value_before"
        a.add_note(f"no observation at or before {a.target_year}")
        return True
    return False


def decided_by_target_bound(a: Assessment, row: pd.Series) -> bool:
    """Decide the target from a bound published for its year, when the bound proves it; True when decided."""
    decided = bound_decides(str(row["qualifier"]), float(row["value"]), a.comparator, a.target_level)
    if decided is None:
        return False
    a.outcome, a.inferred = decided, str(row["status"]) not in OUTCOME_STATUSES
    a.p_meet = 1.0 if decided else 0.0
    a.status = "met" if decided and not a.inferred else status_from_p(a.p_meet)
    a.status_reason = "bound_decides"
    a.add_note(f"the {a.target_year} figure {row['qualifier']}{fmt_num(row['value'])} is a bound that decides the target")
    return True


def interpolate_outcome(a: Assessment, series: pd.Series, form: str, threshold: float) -> None:
    """Infer a past target's outcome from the published years around its year (Brownian-bridge probability)."""
    a.projected_value, y0, y1 = interpolate_at(series, a.target_year, form)
    a.interpolated_years = str(a.target_year)
    a.outcome, a.inferred = meets(a.projected_value, a.comparator, a.target_level), True
    a.p_meet = interpolation_probability(series, a.target_year, form, a.comparator, threshold)
    a.status = status_from_p(a.p_meet) if not pd.isna(a.p_meet) else "insufficient_data"
    a.status_reason = "interpolated" if not pd.isna(a.p_meet) else "few_changes"
    a.add_note(f"{a.target_year} not observed: interpolated between {y0} and {y1}"
               + ("" if not pd.isna(a.p_meet) else f" (no probability: fewer than {MIN_BRIDGE_STEPS} changes to measure the volatility)"))


def projectable(a: Assessment, target: Any, series: pd.Series, value: float) -> bool:
    """Return whether the series is long enough to project; otherwise record why not (and a rank already within target)."""
    if target.target_type == "rank" and len(series) < MIN_RANK_POINTS:
        if meets(value, a.comparator, a.target_level):
            a.status, a.status_reason = RANK_WITHIN_TARGET_STATUS, "rank_within_target"
            a.add_note(f"rank target: no probability (fewer than {MIN_RANK_POINTS} ranks); latest rank already within target")
        else:
            a.status, a.status_reason = "insufficient_data", "rank_few_points"
            a.add_note(f"rank target: no probability (fewer than {MIN_RANK_POINTS} ranks)")
        return False
    if len(series) < min_points():
        a.status, a.status_reason = "insufficient_data", "one_value"
        a.add_note(f"{len(series)} annual point(s): no projection (needs {min_points()})")
        return False
    return True


def project(a: Assessment, series: pd.Series, meta: pd.Series, cache: dict, bounded: pd.DataFrame, peers: Sequence[pd.Series],
            threshold: float, slack: float, observed_path: pd.Series, kinds: pd.Series | None = None) -> None:
    """Project the series to the target year: median, intervals and P(meet) from the paths that agree with the bounds;
    `kinds` (each value's status) makes an estimate count less (forecast.kinds)."""
    last_year = int(series.index.max())
    horizon = max(PROJECT_TO, a.target_year) - last_year
    try:
        fc = cached_forecast(cache, series, horizon, tracker.bounds_of(meta), peers, kinds)
    except ValueError as err:
        a.status, a.status_reason = "insufficient_data", "no_projection"
        a.add_note(f"no projection: {err}")
        return
    a.inferred = True
    years = [int(y) for y in fc.years]
    samples = np.asarray(fc.samples)
    mask = bound_mask(samples, years, bounded[bounded["year"] > last_year], slack)
    conditioned = not mask.all() or not bounded[bounded["year"] > last_year].empty
    if conditioned and mask.sum() < MIN_CONDITIONED_SHARE * len(mask):
        a.add_note(f"only {int(mask.sum())} simulated paths agree with the published bounds: bounds not used")
        mask[:] = True
        conditioned = False
    if a.per_year:
        columns = [years.index(y) for y in range(last_year + 1, a.target_year + 1)]
        ok = np.all(sample_meets(samples[mask][:, columns], a.comparator, threshold), axis=1)
        set_projection_from_paths(a, fc, samples[mask], years)
        a.p_meet = float(np.mean(ok))
    elif conditioned:
        kept = samples[mask][:, years.index(a.target_year)]
        set_projection_from_paths(a, fc, samples[mask], years)
        a.p_meet = float(np.mean(sample_meets(kept, a.comparator, threshold)))
        a.add_note(f"projection conditioned on the published bounds ({int(mask.sum())} of {len(mask)} paths agree)")
    else:
        set_projection(a, fc, a.target_year)
        a.p_meet = probability(fc, a.target_year, a.comparator, threshold)
    a.projection_conditioned = bool(conditioned)
    a.status, a.status_reason = status_from_p(a.p_meet), "projection"
    path = pd.concat([observed_path, fc.mean])
    a.first_year_meeting = first_meeting(path, a.comparator, a.target_level)
    if a.first_year_meeting is None:
        a.add_note(f"central projection does not meet the target by {max(PROJECT_TO, a.target_year)}")


def judge_bound_only(a: Assessment, bounded: pd.DataFrame) -> None:
    """Judge a target whose indicator has only bounded figures: a bound in the target year may decide it."""
    at = bounded[bounded["year"] == a.target_year]
    latest = bounded[bounded["year"] <= a.target_year]
    if not latest.empty and bound_decides(str(latest.iloc[-1]["qualifier"]), float(latest.iloc[-1]["value"]), a.comparator, a.target_level):
        a.progress_category = "achieved"
    if not at.empty:
        decided = bound_decides(str(at.iloc[0]["qualifier"]), float(at.iloc[0]["value"]), a.comparator, a.target_level)
        if decided is not None:
            a.outcome, a.inferred = decided, str(at.iloc[0]["status"]) not in OUTCOME_STATUSES
            a.p_meet = 1.0 if decided else 0.0
            a.status = "met" if decided and not a.inferred else status_from_p(a.p_meet)
            return
    a.status = "insufficient_data"
