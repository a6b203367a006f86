"""The evidence rules applied to every assessment, and the standing a reader sees beside the status.

Applied once, after the target's kind has been assessed (:func:`apply_evidence_rules`):
- the figures used are recorded (``points``), with the years whose figure is an estimate (预计) or a
  media report, not a statistic (``estimated_years``);
- a figure older than the plan's years (before the target's stated base year, or more than
  ``PLAN_YEARS`` before the target year) is stale: shown with its year, never judged on (status
  insufficient data, no projection);
- a target that a published figure already meets (an exact value, or a bound that proves it) is met,
  even when its year lies ahead (``already_met``; P, when there is one, says whether it will hold);
- the recent pace (average change a year over the last ``RECENT_PACE_YEARS`` years, up to the figure
  shown), the pace still needed, and the target-year value at the recent pace; a pace from a bound
  is "at least" or "at most";
- the likelihood band of P (the one scale of words every page uses).
"""

from __future__ import annotations

import math

import pandas as pd

from analysis.assess.record import Assessment
from analysis.assess.rules import (
    APPROX_QUALIFIERS,
    LOWER_BOUNDS,
    PLAN_YEARS,
    RECENT_PACE_YEARS,
    bound_decides,
    higher_is_better,
    is_bound,
    likelihood_band,
    meets,
)

WEAK_FIGURES = ("estimate", "reported")  # not a statistic: an expectation (预计) or a media report
NEVER_MET_BY_LATEST = ("estimate",)  # an expectation never shows a target met


def apply_evidence_rules(a: Assessment, rows: pd.DataFrame, target: object) -> None:
    """Record the figures used, mark a stale figure, a target already met, the paces and the likelihood band."""
    record_points(a, rows)
    if a.horizon_kind == "future" and a.latest_period:
        if is_stale(a, target):
            mark_stale(a)
        elif already_met(a):
            a.status, a.status_reason = "met", "already_met"
    set_paces(a)
    a.likelihood = likelihood_band(a.p_meet)
    a.group = group_of(a)


def group_of(a: Assessment) -> str:
    """Return the register group: a target without a status is at risk when even its recent pace misses the target."""
    if a.horizon_kind == "past":
        return "past"
    if a.status == "met":
        return "met"
    if a.status in ("on_track", "likely"):
        return "on_track"
    if a.status in ("uncertain", "unlikely", "off_track") or a.at_recent_pace_meets == "no":
        return "at_risk"
    return "unjudged"


def record_points(a: Assessment, rows: pd.DataFrame) -> None:
    """Record every annual figure used (exact values and bounds) and the years resting on weaker figures."""
    a.points = [
        {"year": int(r.year), "value": float(r.value), "qualifier": str(r.qualifier or ""), "status": str(r.status),
         "source_id": str(r.source_id)}
        for r in rows.itertuples(index=False)
    ]
    weak = sorted({p["year"] for p in a.points if p["status"] in WEAK_FIGURES or p["qualifier"] in APPROX_QUALIFIERS})
    a.estimated_years = ",".join(str(y) for y in weak)


def stale_before(a: Assessment, target: object) -> int:
    """Return the first year a figure must be of to count as current: the stated base year, or the plan's first year."""
    base = getattr(target, "base_year", None)
    plan_start = a.target_year - PLAN_YEARS
    if base is None or pd.isna(base):
        return plan_start
    return max(int(base), plan_start)


def is_stale(a: Assessment, target: object) -> bool:
    """Return whether the figure shown is older than the plan's years."""
    return int(a.latest_period[:4]) < stale_before(a, target)


def mark_stale(a: Assessment) -> None:
    """Record a stale figure: no projection, no probability, no pace needed; insufficient data."""
    a.latest_stale = True
    a.status, a.status_reason = "insufficient_data", "stale"
    a.projected_value = a.lo80 = a.hi80 = a.lo95 = a.hi95 = a.p_meet = a.p_meet_interpolated = math.nan
    a.path, a.forecast, a.first_year_meeting = [], None, None
    a.add_note(f"latest figure {a.latest_period} is older than the plan's years: not judged on")


def already_met(a: Assessment) -> bool:
    """Return whether the published figure shown already meets the target (a bound only when it proves it)."""
    if a.status == "met" or a.per_year or a.target_type == "cumulative" or a.latest_status in NEVER_MET_BY_LATEST:
        return False
    if a.latest_qualifier in APPROX_QUALIFIERS or pd.isna(a.latest_value) or pd.isna(a.target_level):
        return False
    if a.target_type == "avg_growth":
        return False  # an average growth is met only over its years
    if is_bound(a.latest_qualifier):
        return bool(bound_decides(a.latest_qualifier, a.latest_value, a.comparator, a.target_level))
    return meets(a.latest_value, a.comparator, a.target_level)


def exact_points(a: Assessment) -> pd.Series:
    """Return the exact annual values used (no bounds), by year."""
    exact = [(p["year"], p["value"]) for p in a.points if not is_bound(p["qualifier"])]
    return pd.Series(dict(exact), dtype=float).sort_index()


def set_paces(a: Assessment) -> None:
    """Record the recent pace, the pace needed and the target-year value at the recent pace, in the target's own terms."""
    if not a.latest_period or a.latest_stale or a.horizon_kind == "past" or a.per_year:
        return
    latest_year = int(a.latest_period[:4])
    years_left = a.target_year - latest_year
    if a.target_type == "cumulative":
        cumulative_paces(a, years_left)
    elif a.target_type == "avg_growth":
        growth_paces(a, latest_year)
    else:
        level_paces(a, latest_year, years_left)


def level_paces(a: Assessment, latest_year: int, years_left: int) -> None:
    """Paces of a level or rank target: from the figure shown (a bound makes them 'at least' / 'at most')."""
    exact = exact_points(a)
    earlier = exact[(exact.index < latest_year) & (exact.index >= latest_year - RECENT_PACE_YEARS)]
    if earlier.empty:
        earlier = exact[exact.index < latest_year].tail(1)
    bound = a.latest_qualifier if is_bound(a.latest_qualifier) else ""
    if not earlier.empty:
        first = int(earlier.index[0])
        a.recent_pace, a.pace_from = (a.latest_value - float(earlier.iloc[0])) / (latest_year - first), first
        a.recent_pace_qualifier = {">": ">=", ">=": ">=", "<": "<=", "<=": "<="}.get(bound, "")
    if years_left > 0:
        a.needed_pace = (a.target_level - a.latest_value) / years_left
        a.needed_pace_qualifier = {">": "<=", ">=": "<=", "<": ">=", "<=": ">="}.get(bound, "")
        if not pd.isna(a.recent_pace):
            a.at_recent_pace = a.latest_value + a.recent_pace * years_left
            a.at_recent_pace_meets = pace_verdict(meets(a.at_recent_pace, a.comparator, a.target_level), bound, a.comparator)


def pace_verdict(verdict: bool, bound: str, comparator: str) -> str:
    """Return 'yes' / 'no' for meeting the target at the recent pace, '' when a bound leaves it open."""
    if not bound:
        return "yes" if verdict else "no"
    favourable = (bound in LOWER_BOUNDS) == higher_is_better(comparator)  # the true value is at least as good as the figure
    if favourable:
        return "yes" if verdict else ""
    return "no" if not verdict else ""


def cumulative_paces(a: Assessment, years_left: int) -> None:
    """Paces of a cumulative target: the mean of the recent published flows against what the rest of the window needs."""
    flows = exact_points(a)
    flows = flows[flows.index > (a.base_year_used or 0)]
    if flows.empty or pd.isna(a.running_total):
        return
    recent = flows[flows.index > int(flows.index.max()) - RECENT_PACE_YEARS]
    a.recent_pace, a.pace_from = float(recent.mean()), int(recent.index.min())
    if years_left > 0:
        a.needed_pace = (a.target_value - a.running_total) / years_left
        a.needed_pace_qualifier = "<=" if a.running_total_qualifier else ""  # the total is at least the published sum
        a.at_recent_pace = a.running_total + a.recent_pace * years_left
        a.at_recent_pace_meets = "yes" if meets(a.at_recent_pace, a.comparator, a.target_value) else "no"


def growth_paces(a: Assessment, latest_year: int) -> None:
    """Paces of an average-growth target: the recent compound growth in % a year against the rate the target asks."""
    exact = exact_points(a)
    recent = exact[exact.index >= latest_year - RECENT_PACE_YEARS]
    if len(recent) < 2 or float(recent.iloc[0]) <= 0:
        return
    span = int(recent.index.max()) - int(recent.index.min())
    a.recent_pace = 100 * ((float(recent.iloc[-1]) / float(recent.iloc[0])) ** (1 / span) - 1)
    a.pace_from = int(recent.index.min())
    a.needed_pace = a.target_value
    a.at_recent_pace_meets = "yes" if meets(a.recent_pace, a.comparator, a.target_value) else "no"
