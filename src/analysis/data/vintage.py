"""What a reader could see on a date: observations published by then, one vintage per period."""

from __future__ import annotations

from datetime import date

import pandas as pd

from analysis.data import clock
from analysis.data.loader import Dataset
from analysis.data.schema import APPROX_QUALIFIERS, LOWER_BOUNDS, STATUS_RANK, UPPER_BOUNDS


def to_timestamp(as_of: date | str | pd.Timestamp | None) -> pd.Timestamp:
    """Return a report date as a Timestamp; None means today (``clock.today()``)."""
    if as_of is None:
        return pd.Timestamp(clock.today())
    return pd.Timestamp(as_of).normalize()


def published_by(observations: pd.DataFrame, as_of: date | str | pd.Timestamp | None) -> pd.DataFrame:
    """Return every vintage published on or before the report date."""
    return observations[observations["published"] <= to_timestamp(as_of)]


def select_as_of(observations: pd.DataFrame, as_of: date | str | pd.Timestamp | None) -> pd.DataFrame:
    """Return one value per (indicator, region, period): the vintage a reader had on ``as_of``.

    The one vintage rule, used by every table, page and assessment: among the rows published by
    the date, the curator's ``preferred`` row; then an exact figure before an approximate or
    estimated one before a bound ("over 10"); then the latest published; then official before
    revised, preliminary, reported, derived and estimate; then the source id (so ties are stable).
    """
    visible = published_by(observations, as_of).copy()
    visible["_status_rank"] = visible["status"].map(STATUS_RANK)
    visible["_tier"] = vintage_tiers(visible)
    ordered = visible.sort_values(
        ["indicator_id", "region", "period", "preferred", "_tier", "published", "_status_rank", "source_id"],
        ascending=[True, True, True, False, True, False, True, True],
        kind="mergesort",
    )
    chosen = ordered.drop_duplicates(["indicator_id", "region", "period"], keep="first")
    return chosen.drop(columns=["_status_rank", "_tier"]).reset_index(drop=True)


def vintage_tiers(observations: pd.DataFrame) -> list[int]:
    """Return vintage_tier for every row (0 exact, 1 approximate or estimate, 2 a bound)."""
    qualifiers = observations["qualifier"].fillna("") if "qualifier" in observations else [""] * len(observations)
    return [vintage_tier(str(q or ""), str(s)) for q, s in zip(qualifiers, observations["status"])]


def annual_series(
    dataset: Dataset, indicator_id: str, region: str = "ningbo", as_of: date | str | pd.Timestamp | None = None
) -> pd.Series:
    """Return the annual (YYYY) series of one indicator as seen on ``as_of``, indexed by year."""
    chosen = select_as_of(dataset.observations, as_of)
    rows = chosen[(chosen["indicator_id"] == indicator_id) & (chosen["region"] == region) & chosen["is_annual"]]
    series = rows.set_index("year")["value"].sort_index().astype(float)
    series.index = series.index.astype(int)
    series.name = indicator_id
    return series


def annual_rows(
    dataset: Dataset, indicator_id: str, region: str = "ningbo", as_of: date | str | pd.Timestamp | None = None
) -> pd.DataFrame:
    """Return the chosen annual observations of one indicator with their source columns joined."""
    chosen = select_as_of(dataset.observations, as_of)
    rows = chosen[(chosen["indicator_id"] == indicator_id) & (chosen["region"] == region) & chosen["is_annual"]]
    return with_sources(dataset, rows.sort_values("year"))


def with_sources(dataset: Dataset, observations: pd.DataFrame) -> pd.DataFrame:
    """Join each observation with its source's title, publisher, url, kind and weak flag."""
    sources = dataset.sources.rename(
        columns={"published": "source_published", "notes": "source_notes", "kind": "source_kind", "published_estimated": "source_published_estimated"}
    )
    return observations.merge(sources, on="source_id", how="left", validate="many_to_one")


def vintage_tier(qualifier: str, status: str) -> int:
    """Return how exact a figure is: 0 exact, 1 approximate or estimated (预计), 2 a bound."""
    if qualifier in LOWER_BOUNDS + UPPER_BOUNDS:
        return 2
    return 1 if qualifier in APPROX_QUALIFIERS or status == "estimate" else 0


def edition_date(dataset: Dataset, as_of: date | str | pd.Timestamp | None) -> date:
    """Return the date of a report's edition: the latest publication date in the data, never before the report date.

    Read from the data, not the clock, so the same data give the same briefing on any day; a new
    figure (or a later cut-off) moves it."""
    dates = [to_timestamp(as_of)]
    for frame in (dataset.observations, dataset.sources, dataset.milestones):
        if "published" in frame.columns and frame["published"].notna().any():
            dates.append(pd.Timestamp(frame["published"].max()).normalize())
    return max(dates).date()
