"""Which years have data per target, and where the missing figures are published."""

from __future__ import annotations

from datetime import date
from typing import Iterable

import numpy as np
import pandas as pd

from analysis.data.loader import Dataset
from analysis.data.vintage import select_as_of, with_sources


def where_published(dataset: Dataset, target_id: str) -> str:
    """Return where a target's figure is published: the target's own entry (its region), else the indicator's."""
    target = dataset.targets.set_index("target_id").loc[target_id]
    own = str(target.get("where_published", "") or "")
    return own or str(dataset.indicator(target["indicator_id"])["where_published"] or "")


COLUMNS = ["target_id", "indicator_id", "region", "years", "n_years", "latest_period", "latest_value", "latest_qualifier",
           "latest_shown", "latest_status", "source_id", "source_title", "where_published"]


def coverage_table(dataset: Dataset, region: str = "ningbo", as_of: date | str | pd.Timestamp | None = None) -> pd.DataFrame:
    """Return, per target of a region, the years with data, the latest value and its source."""
    chosen = with_sources(dataset, select_as_of(dataset.observations, as_of))
    annual = chosen[chosen["is_annual"]]
    rows = []
    targets = dataset.targets if region in (None, "", "all") else dataset.targets[dataset.targets["region"] == region]
    for target in targets.sort_values("target_id").itertuples():
        series = annual[(annual["indicator_id"] == target.indicator_id) & (annual["region"] == target.region)].sort_values("year")
        if series.empty:
            rows.append({
                "target_id": target.target_id, "indicator_id": target.indicator_id, "region": target.region,
                "years": "", "n_years": 0, "latest_period": "", "latest_value": np.nan, "latest_qualifier": "", "latest_shown": "",
                "latest_status": "", "source_id": "", "source_title": "", "where_published": where_published(dataset, target.target_id),
            })
            continue
        latest = series.iloc[-1]
        rows.append({
            "target_id": target.target_id, "indicator_id": target.indicator_id, "region": target.region,
            "years": format_years(series["year"].tolist()), "n_years": len(series),
            "latest_period": latest["period"], "latest_value": latest["value"], "latest_qualifier": latest["qualifier"],
            "latest_shown": f"{latest['qualifier']}{latest['value']:g}", "latest_status": latest["status"],
            "source_id": latest["source_id"], "source_title": latest["title"], "where_published": "",
        })
    return pd.DataFrame(rows, columns=COLUMNS)  # the columns also when the region has no target


def format_years(years: Iterable[int]) -> str:
    """Format years compactly, e.g. [2015, 2016, 2017, 2020] -> '2015-2017, 2020'."""
    runs: list[list[int]] = []
    for year in sorted(set(years)):
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs)
