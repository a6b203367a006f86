"""What changed between two report dates: new observations and moved statuses."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.assess.rules import P_CHANGE, RATIO_DECIMALS, DateLike
from analysis.assess.statuses import status_table
from analysis.data import loader, vintage


@dataclass(frozen=True)
class WhatChanged:
    """New observations in (before, after] and targets whose status or P(meet) changed."""

    new_observations: pd.DataFrame
    changed_targets: pd.DataFrame


def new_observations(dataset: loader.Dataset, before: DateLike, after: DateLike, region: str | None = "ningbo") -> pd.DataFrame:
    """Return observations first published in (before, after], with their source title."""
    obs = dataset.observations
    start, end = vintage.to_timestamp(before), vintage.to_timestamp(after)
    new = obs[(obs["published"] > start) & (obs["published"] <= end)]
    if region not in (None, "all"):
        new = new[new["region"] == region]
    new = vintage.with_sources(dataset, new)
    columns = ["published", "indicator_id", "region", "period", "value", "unit", "status", "source_id", "title", "url"]
    return new[columns].sort_values(["published", "indicator_id", "region", "period", "source_id"], kind="mergesort").reset_index(drop=True)


def what_changed(dataset: loader.Dataset, before: DateLike, after: DateLike, region: str | None = "ningbo") -> WhatChanged:
    """Return what was newly published in (before, after] and which targets changed status or P."""
    old = status_table(dataset, before, region)[["target_id", "indicator_id", "status", "p_meet"]]
    new = status_table(dataset, after, region)[["target_id", "status", "p_meet"]]
    both = old.merge(new, on="target_id", suffixes=("_before", "_after"), how="outer")
    both["p_change"] = (both["p_meet_after"] - both["p_meet_before"]).round(RATIO_DECIMALS)
    moved = both["p_change"].abs() > P_CHANGE
    changed = both[(both["status_before"] != both["status_after"]) | moved]
    columns = ["target_id", "indicator_id", "status_before", "status_after", "p_meet_before", "p_meet_after", "p_change"]
    return WhatChanged(new_observations(dataset, before, after, region), changed[columns].sort_values("target_id").reset_index(drop=True))
