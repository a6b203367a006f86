"""Assess one target as of a date: dispatch by kind, outcome words for past targets, the story code."""

from __future__ import annotations

from typing import Any

import pandas as pd

from analysis.assess.cumulative import assess_cumulative
from analysis.assess.evidence import annual_observations, chosen_as_of, peer_series
from analysis.assess.level import assess_level
from analysis.assess.record import Assessment, set_latest
from analysis.assess.rules import (
    GOOD_PROGRESS,
    GOOD_STATUS,
    POOR_PROGRESS,
    POOR_STATUS,
    PRIOR_FLAGS,
    PRIOR_METHODS,
    DateLike,
    fmt_num,
    is_bound,
    past_band,
)
from analysis.assess.standing import apply_evidence_rules
from analysis.data import loader, vintage


def flag(target: Any, column: str) -> bool:
    """Return a true/false column of a target row (absent or empty: False)."""
    value = getattr(target, column, False)
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value) if value is not None and not pd.isna(value) else False


def assess_target(dataset: loader.Dataset, target: Any, chosen: pd.DataFrame, cache: dict, as_of: DateLike = None) -> Assessment:
    """Assess one target (a targets.csv row) from the as-of selection of observations."""
    a = Assessment(
        target_id=str(target.target_id), indicator_id=str(target.indicator_id), region=str(target.region),
        target_type=str(target.target_type), comparator=str(target.comparator), target_year=int(target.target_year),
        target_value=float(target.target_value), unit=str(target.unit),
    )
    a.target_level = a.target_value
    base = getattr(target, "base_year", None)
    a.base_year = None if base is None or pd.isna(base) else int(base)
    a.horizon_kind = "past" if a.target_year < vintage.to_timestamp(as_of).year else "future"
    dup = getattr(target, "duplicate_of", "")
    a.duplicate_of = "" if dup is None or (not isinstance(dup, str) and pd.isna(dup)) else str(dup)
    a.per_year, a.about = flag(target, "each_year"), flag(target, "approximate")
    set_milestone(a, dataset, as_of)
    meta = dataset.indicator(a.indicator_id)
    rows = annual_observations(chosen, a.indicator_id, a.region)
    if rows.empty:
        a.progress_category, a.status, a.status_reason = "no_data", "no_data", "no_figure"
        subannual = chosen[(chosen["indicator_id"] == a.indicator_id) & (chosen["region"] == a.region)]
        where = str(meta.get("where_published", "") or "")
        a.add_note(
            "no annual observation published by the report date",
            "year-to-date values only" if not subannual.empty else "",
            f"published in: {where}" if where else "",
        )
        return finish(a)
    points = rows[[not is_bound(str(q or "")) for q in rows["qualifier"]]]
    series = pd.Series(points["value"].astype(float).values, index=points["year"].astype(int).values, name=a.indicator_id)
    a.history, a.n_obs = series, len(series)
    peers = peer_series(chosen, a.indicator_id, a.region)
    if a.target_type == "cumulative":
        if series.empty:
            set_latest(a, rows.iloc[-1])
            a.progress_category, a.status, a.status_reason = "insufficient_data", "insufficient_data", "bounds_only"
            a.add_note("only bounds published for the flows")
        else:
            bounded = rows[[is_bound(str(q or "")) for q in rows["qualifier"]]]
            if not bounded.empty:
                a.add_note("flows published only as bounds, not used as values: "
                           + ", ".join(f"{y}: {q}{fmt_num(v)}" for y, q, v in zip(bounded["year"], bounded["qualifier"], bounded["value"])))
            assess_cumulative(a, points.reset_index(drop=True), series, meta, cache, target, peers)
    else:
        assess_level(a, rows, series, meta, cache, target, peers)
    apply_evidence_rules(a, rows, target)
    return finish(a)


def set_milestone(a: Assessment, dataset: loader.Dataset, as_of: DateLike) -> None:
    """Record the city's latest own milestone for the indicator at or before the report year (the later plan for one year)."""
    milestones = getattr(dataset, "milestones", None)
    if milestones is None or len(milestones) == 0 or not {"indicator_id", "region", "year", "value"} <= set(milestones.columns):
        return
    when = vintage.to_timestamp(as_of)
    rows = milestones[(milestones["indicator_id"] == a.indicator_id) & (milestones["region"] == a.region)]
    rows = rows[pd.to_numeric(rows["year"], errors="coerce") <= min(when.year, a.target_year)]  # a past target: its own years
    if "published" in rows.columns:
        rows = rows[pd.to_datetime(rows["published"], errors="coerce") <= when]
    if rows.empty:
        return
    order = ["_y", "_published"] if "published" in rows.columns else ["_y"]  # two plans for one year: the later one
    rows = rows.assign(_y=pd.to_numeric(rows["year"]),
                       _published=pd.to_datetime(rows["published"], errors="coerce") if "published" in rows.columns else pd.NaT)
    last = rows.sort_values(order, kind="mergesort").iloc[-1]
    a.milestone_year, a.milestone_value = int(last["_y"]), float(last["value"])
    a.milestone_qualifier = str(last.get("comparator", "") or "")


def past_status(a: Assessment) -> str:
    """Return the outcome word of a target whose year has passed."""
    if a.status == "met" and not a.inferred:
        return "met"
    if a.outcome is not None and not a.inferred:
        return "met" if a.outcome else "missed"
    if not pd.isna(a.p_meet) and a.status_reason in ("interpolated", "projection", "projection_missing_flows"):
        return past_band(a.p_meet)  # inferred from the values around the target year: the words follow P
    if a.outcome is not None:
        return "probably_met" if a.outcome else "probably_missed"  # a target-year figure that is not a statistic
    if not pd.isna(a.p_meet):
        return past_band(a.p_meet)
    return "no_data"


def story_of(a: Assessment) -> str:
    """Return the code of the sentence explaining why progress and status disagree ('' when they agree)."""
    good_progress, poor_progress = a.progress_category in GOOD_PROGRESS, a.progress_category in POOR_PROGRESS
    good_status, poor_status = a.status in GOOD_STATUS, a.status in POOR_STATUS
    if a.progress_category == "achieved" and a.status == "insufficient_data":
        return "achieved_no_probability"
    if not ((good_progress and poor_status) or (poor_progress and good_status)):
        return "base_estimated" if a.base_estimated else ""
    if a.interpolated_years and a.target_type == "cumulative":
        return "interpolated_flows"
    if a.latest_qualifier and is_bound(a.latest_qualifier):
        return "latest_is_bound"
    if a.progress_category == "achieved":
        return "achieved_may_fall_back"
    flags = set(str(a.forecast_flags).split(","))
    if a.forecast_method in PRIOR_METHODS or flags & set(PRIOR_FLAGS):
        return "projection_leans_on_prior"
    return "recent_trend_slower" if good_progress else "recent_trend_faster"


def finish(a: Assessment) -> Assessment:
    """Turn a past target's status into an outcome word and attach the story code."""
    if a.horizon_kind == "past":
        a.status = past_status(a)
    a.story = story_of(a)
    return a


def target_row(dataset: loader.Dataset, target_id: str) -> Any:
    """Return one targets.csv row as a namedtuple."""
    rows = dataset.targets[dataset.targets["target_id"] == target_id]
    if rows.empty:
        raise KeyError(f"unknown target {target_id!r}")
    return next(rows.itertuples(index=False))


def assess(dataset: loader.Dataset, target_id: str, as_of: DateLike = None) -> Assessment:
    """Assess one target as of a date (only data published by then)."""
    chosen = chosen_as_of(dataset, as_of)
    return assess_target(dataset, target_row(dataset, target_id), chosen, {}, as_of)
