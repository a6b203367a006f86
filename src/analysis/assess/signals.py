"""Signals of a target: year-to-date figures and growth rates that say where it is heading, never its annual value.

A signal is a published value (the one vintage rule, as of the report date) of the target's own
indicator for a ``YYYY-MM`` period (a year-to-date figure), or of a growth-rate indicator of it (its
id + ``_yoy`` / ``_growth``) or of one closely linked to it (``LINKED``). A signal is shown only when
it is newer than the annual figure the target stands on: a year-to-date figure of a year whose annual
value is already out says nothing more. Pages show signals labelled as signals, beside the standing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import pandas as pd

from analysis.data import vintage

GROWTH_SUFFIXES = ("_yoy", "_growth")


# Growth indicators that move with a target's indicator though not named after it (the same
# statistic's numerator, in the same statistical scope), with the reason for each link.
LINKED: dict[str, tuple[str, ...]] = {
    "industrial_rd_intensity": ("industrial_rd_expense_yoy",),  # R&D expense of the same enterprises: the ratio's numerator
    "rd_gdp_ratio": ("rd_expenditure_yoy",),  # R&D expenditure: the ratio's numerator
    "high_tech_industry_va_share": ("high_tech_industry_va_yoy",),  # high-tech value added: the share's numerator
}


MAX_SIGNALS = 2  # per target, the newest first


YTD_RE = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Signal:
    """One signal of one target: which figure, for which period, how it is published."""

    target_id: str
    indicator_id: str
    period: str  # YYYY (a growth rate of the year) or YYYY-MM (year to date)
    value: float
    unit: str
    qualifier: str
    kind: str  # "ytd" (a year-to-date level of the target's indicator) or "growth" (a growth rate)
    source_id: str
    published: str  # YYYY-MM-DD


def is_ytd(period: str) -> bool:
    """Return whether a period is year to date (YYYY-MM)."""
    return bool(YTD_RE.match(str(period)))


def period_year(period: str) -> int:
    """Return the year of a YYYY or YYYY-MM period."""
    return int(str(period)[:4])


def growth_indicators(indicator_id: str, known: set[str]) -> list[str]:
    """Return the growth-rate indicators of a target's indicator that exist: its own suffixed ids, then LINKED."""
    own = [indicator_id + suffix for suffix in GROWTH_SUFFIXES if indicator_id + suffix in known]
    return own + [i for i in LINKED.get(indicator_id, ()) if i in known and i not in own]


def newer_than(period: str, latest_period: str, base_year: int | None) -> bool:
    """Return whether a signal's period says more than the annual figure of ``latest_period`` (or the base year without one).

    A year-to-date figure counts from the year after the latest annual figure; a growth rate of a
    whole year from the latest figure's year on (it is the change into that figure).
    """
    year = period_year(period)
    if latest_period:
        latest = period_year(latest_period)
        return year > latest if is_ytd(period) else year >= latest
    return base_year is None or year >= base_year


def chosen_signals(observations: pd.DataFrame, indicators: pd.DataFrame, as_of: date | str | None) -> pd.DataFrame:
    """Return the candidate rows of every signal, as of the date: one value per indicator, region and period."""
    chosen = vintage.select_as_of(observations, as_of)
    growth = set(indicators.loc[indicators["indicator_id"].str.endswith(GROWTH_SUFFIXES), "indicator_id"])
    growth |= {i for ids in LINKED.values() for i in ids}
    keep = chosen["period"].map(is_ytd).astype(bool).to_numpy() | chosen["indicator_id"].isin(growth).to_numpy()
    return chosen[keep].reset_index(drop=True)


def target_signals(record: object, candidates: pd.DataFrame, known: set[str], limit: int = MAX_SIGNALS) -> list[Signal]:
    """Return the signals of one target record (anything with target_id, indicator_id, region, latest_period, base_year)."""
    region = str(record.region)
    latest = str(getattr(record, "latest_period", "") or "")
    latest = latest if latest and not is_ytd(latest) else ""
    base = getattr(record, "base_year", None)
    base = None if base is None or pd.isna(base) else int(base)
    growth = growth_indicators(str(record.indicator_id), known)
    if candidates.empty:
        return []
    rows = candidates[candidates["region"] == region]
    own = rows[(rows["indicator_id"] == record.indicator_id).to_numpy() & rows["period"].map(is_ytd).astype(bool).to_numpy()]
    grown = rows[rows["indicator_id"].isin(growth)]
    found = []
    for kind, frame in (("ytd", own), ("growth", grown)):
        for r in frame.itertuples(index=False):
            if newer_than(str(r.period), latest, base):
                found.append(Signal(
                    target_id=str(record.target_id), indicator_id=str(r.indicator_id), period=str(r.period), value=float(r.value),
                    unit=str(r.unit), qualifier=str(r.qualifier or ""), kind=kind, source_id=str(r.source_id),
                    published="" if pd.isna(r.published) else pd.Timestamp(r.published).strftime("%Y-%m-%d")))
    found.sort(key=lambda s: (s.period, s.published, s.indicator_id), reverse=True)
    newest: list[Signal] = []
    for s in found:  # one signal per indicator, the newest
        if all(s.indicator_id != n.indicator_id for n in newest):
            newest.append(s)
    return newest[:limit]


def signals_by_target(dataset: object, table: pd.DataFrame, as_of: date | str | None) -> dict[str, list[Signal]]:
    """Return target id → its signals for every row of the status table (targets without one left out)."""
    candidates = chosen_signals(dataset.observations, dataset.indicators, as_of)
    known = set(dataset.indicators["indicator_id"])
    out = {}
    for r in table.itertuples(index=False):
        found = target_signals(r, candidates, known)
        if found:
            out[str(r.target_id)] = found
    return out
