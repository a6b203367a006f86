"""What changed between two report dates, in the record's terms: figures that changed and targets that moved."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from analysis.assess.evidence import chosen_as_of
from analysis.assess.record import Assessment
from analysis.assess.rules import P_CHANGE, RATIO_DECIMALS, DateLike
from analysis.assess.statuses import assessments
from analysis.data import loader, vintage

# Why a target's record moved: a figure it uses is new, a figure it uses was revised, the later report
# date (the target year passed, a figure aged), or none of these: the projection was refitted on other
# inputs (comparison regions' figures, derived values).
WHY_CODES = ("new_figure", "revision", "report_date", "refit")


FIGURE_COLUMNS = ["indicator_id", "region", "period", "value_before", "qualifier_before", "value_after", "qualifier_after",
                  "status", "source_id", "published", "kind", "title", "url"]


TARGET_COLUMNS = ["target_id", "indicator_id", "region", "status_before", "status_after", "p_meet_before", "p_meet_after",
                  "p_change", "latest_period_before", "latest_value_before", "latest_qualifier_before", "latest_period_after",
                  "latest_value_after", "latest_qualifier_after", "why", "why_years"]


@dataclass(frozen=True)
class WhatChanged:
    """The figures whose value changed in (before, after] and the targets whose status or P(meet) moved, with why."""

    figures: pd.DataFrame
    changed_targets: pd.DataFrame


def new_observations(dataset: loader.Dataset, before: DateLike, after: DateLike, region: str | None = "ningbo") -> pd.DataFrame:
    """Return observations first published in (before, after], with their source title (unchanged values included)."""
    obs = dataset.observations
    start, end = vintage.to_timestamp(before), vintage.to_timestamp(after)
    new = obs[(obs["published"] > start) & (obs["published"] <= end)]
    if region not in (None, "all"):
        new = new[new["region"] == region]
    new = vintage.with_sources(dataset, new)
    columns = ["published", "indicator_id", "region", "period", "value", "unit", "status", "source_id", "title", "url"]
    return new[columns].sort_values(["published", "indicator_id", "region", "period", "source_id"], kind="mergesort").reset_index(drop=True)


def same_figure(value_a: float, qualifier_a: str, value_b: float, qualifier_b: str) -> bool:
    """Return whether two figures are the same value with the same qualifier (a re-publication is no change)."""
    if pd.isna(value_a) or pd.isna(value_b):
        return bool(pd.isna(value_a) and pd.isna(value_b)) and qualifier_a == qualifier_b
    return math.isclose(float(value_a), float(value_b), rel_tol=1e-12, abs_tol=0.0) and qualifier_a == qualifier_b


def figure_changes(dataset: loader.Dataset, before: DateLike, after: DateLike, region: str | None = "ningbo") -> pd.DataFrame:
    """Return the figures used (one per indicator, region and period) that are new or changed value between the dates."""
    keys = ["indicator_id", "region", "period"]
    old = chosen_as_of(dataset, before)[keys + ["value", "qualifier"]]
    new = chosen_as_of(dataset, after)
    if region not in (None, "all"):
        old, new = old[old["region"] == region], new[new["region"] == region]
    both = new.merge(old, on=keys, how="left", suffixes=("_after", "_before"), indicator=True)
    both["qualifier_before"] = both["qualifier_before"].fillna("").astype(str)
    both["qualifier_after"] = both["qualifier_after"].fillna("").astype(str)
    changed = [not same_figure(a, qa, b, qb) for a, qa, b, qb in
               zip(both["value_after"], both["qualifier_after"], both["value_before"], both["qualifier_before"])]
    rows = both[changed].copy()
    rows["kind"] = ["new_figure" if m == "left_only" else "revision" for m in rows["_merge"]]
    rows = vintage.with_sources(dataset, rows.drop(columns="_merge"))
    return rows[FIGURE_COLUMNS].sort_values(["published", "indicator_id", "region", "period"], kind="mergesort").reset_index(drop=True)


def why_moved(before: Assessment | None, after: Assessment | None) -> tuple[str, str]:
    """Return (why codes, years) a record moved: figures it uses new or revised, else the report date, else a refit."""
    old = {p["year"]: (p["value"], p.get("qualifier", "")) for p in (before.points if before else [])}
    new = {p["year"]: (p["value"], p.get("qualifier", "")) for p in (after.points if after else [])}
    added = sorted(y for y in new if y not in old)
    revised = sorted(y for y in new if y in old and not same_figure(new[y][0], new[y][1], old[y][0], old[y][1]))
    codes = (["new_figure"] if added else []) + (["revision"] if revised else [])
    years = sorted(set(added) | set(revised))
    if codes:
        return ",".join(codes), ",".join(str(y) for y in years)
    aged = before is not None and after is not None and (before.horizon_kind, before.latest_stale) != (after.horizon_kind, after.latest_stale)
    return ("report_date" if aged else "refit"), ""


def target_row(before: Assessment | None, after: Assessment | None) -> dict:
    """Return one changed-target row: status, P(meet) and latest figure before and after, and why."""
    def get(a: Assessment | None, name: str, default: object) -> object:
        return getattr(a, name) if a is not None else default

    either = after if after is not None else before
    why, years = why_moved(before, after)
    p_before, p_after = get(before, "p_meet", math.nan), get(after, "p_meet", math.nan)
    return {
        "target_id": either.target_id, "indicator_id": either.indicator_id, "region": either.region,
        "status_before": get(before, "status", ""), "status_after": get(after, "status", ""),
        "p_meet_before": p_before, "p_meet_after": p_after, "p_change": round(p_after - p_before, RATIO_DECIMALS),
        "latest_period_before": get(before, "latest_period", ""), "latest_value_before": get(before, "latest_value", math.nan),
        "latest_qualifier_before": get(before, "latest_qualifier", ""), "latest_period_after": get(after, "latest_period", ""),
        "latest_value_after": get(after, "latest_value", math.nan), "latest_qualifier_after": get(after, "latest_qualifier", ""),
        "why": why, "why_years": years,
    }


def moved(row: dict) -> bool:
    """Return whether a target's status changed or its P(meet) moved by more than P_CHANGE."""
    return row["status_before"] != row["status_after"] or (not pd.isna(row["p_change"]) and abs(row["p_change"]) > P_CHANGE)


def target_changes(dataset: loader.Dataset, before: DateLike, after: DateLike, region: str | None = "ningbo") -> pd.DataFrame:
    """Return the targets whose status or P(meet) moved between the dates, with the latest figure and why."""
    old = {a.target_id: a for a in assessments(dataset, before, region)}
    new = {a.target_id: a for a in assessments(dataset, after, region)}
    rows = [target_row(old.get(tid), new.get(tid)) for tid in sorted(set(old) | set(new))]
    return pd.DataFrame([r for r in rows if moved(r)], columns=TARGET_COLUMNS).reset_index(drop=True)


def what_changed(dataset: loader.Dataset, before: DateLike, after: DateLike, region: str | None = "ningbo") -> WhatChanged:
    """Return the figures that changed in (before, after] and the targets that moved, with why."""
    return WhatChanged(figure_changes(dataset, before, after, region), target_changes(dataset, before, after, region))
