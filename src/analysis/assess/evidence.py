"""The figures an assessment rests on: one per year as of a date, exact before approximate before bounds."""

from __future__ import annotations

from typing import Any, Sequence

import pandas as pd

from analysis.assess.rules import DateLike, is_bound
from analysis.data import loader, vintage
from analysis.forecast.tracker import PEER_REGIONS


def choose_observations(observations: pd.DataFrame, as_of: DateLike, formulas: Sequence[Any] = ()) -> pd.DataFrame:
    """Return one figure per (indicator, region, period) as of a date (the one vintage rule, vintage.select_as_of), plus derived values."""
    from analysis.data import derive

    return derive.with_derived(vintage.select_as_of(observations, as_of), list(formulas))


def annual_observations(chosen: pd.DataFrame, indicator_id: str, region: str) -> pd.DataFrame:
    """Return the chosen annual rows of one indicator and region, sorted by year."""
    rows = chosen[(chosen["indicator_id"] == indicator_id) & (chosen["region"] == region) & chosen["is_annual"]]
    return rows.sort_values("year").reset_index(drop=True)


def peer_series(chosen: pd.DataFrame, indicator_id: str, region: str) -> tuple[pd.Series, ...]:
    """Return the exact annual series of the same indicator in the comparison regions (not the target's own)."""
    out = []
    for peer in PEER_REGIONS:
        if peer == region:
            continue
        rows = annual_observations(chosen, indicator_id, peer)
        rows = rows[[not is_bound(str(q or "")) for q in rows["qualifier"]]]
        if len(rows) >= 2:
            out.append(pd.Series(rows["value"].astype(float).values, index=rows["year"].astype(int).values, name=peer))
    return tuple(out)


def dataset_formulas(dataset: loader.Dataset) -> list[Any]:
    """Return the derived-indicator formulas of the dataset (derive.dataset_formulas)."""
    from analysis.data import derive

    return derive.dataset_formulas(dataset)


_CHOSEN: dict[tuple, pd.DataFrame] = {}


CHOSEN_CACHE_SIZE = 32


def chosen_as_of(dataset: loader.Dataset, as_of: DateLike) -> pd.DataFrame:
    """Return choose_observations for a dataset and date, computed once per content and date.

    The key is a hash of the observation table's content (not its identity), so a notebook that
    edits observations in place gets a fresh selection; callers get a copy.
    """
    formulas = dataset_formulas(dataset)
    stamp = vintage.to_timestamp(as_of)
    content = int(pd.util.hash_pandas_object(dataset.observations, index=False).sum())
    key = (content, tuple(dataset.observations.columns), stamp, tuple(formulas))
    if key not in _CHOSEN:
        if len(_CHOSEN) >= CHOSEN_CACHE_SIZE:
            _CHOSEN.pop(next(iter(_CHOSEN)))
        _CHOSEN[key] = choose_observations(dataset.observations, stamp, formulas)
    return _CHOSEN[key].copy()
