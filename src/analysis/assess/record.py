"""The assessment record of one target: every number any page shows about it."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from analysis.assess.base_path import required_at
from analysis.assess.rules import FINAL_STATUSES, fmt_num, join_notes, status_from_p

STATUS_COLUMNS = [
    "target_id", "indicator_id", "region", "target_type", "comparator", "target_year", "target_value", "unit",
    "latest_period", "latest_value", "source_id", "base_year_used", "base_value", "required_value", "gap", "gap_pct",
    "progress_ratio", "progress_category", "projected_value", "lo80", "hi80", "lo95", "hi95", "p_meet",
    "first_year_meeting", "status", "note",
]


GAP_COLUMNS = [
    "horizon_kind", "base_estimated", "latest_qualifier", "interpolated_years", "story", "milestone_year",
    "milestone_value", "duplicate_of", "per_year", "about",
]


EXTRA_COLUMNS = GAP_COLUMNS + ["n_obs", "forecast_method", "forecast_flags"]


OUTPUT_COLUMNS = STATUS_COLUMNS + GAP_COLUMNS  # csv/json of `status`


INT_COLUMNS = ("target_year", "base_year_used", "first_year_meeting", "n_obs", "milestone_year")


BOOL_COLUMNS = ("base_estimated", "per_year", "about")


STRING_COLUMNS = (
    "target_id", "indicator_id", "region", "target_type", "comparator", "unit", "latest_period", "source_id",
    "progress_category", "status", "note", "forecast_method", "forecast_flags", "horizon_kind", "latest_qualifier",
    "interpolated_years", "story", "duplicate_of",
)


@dataclass
class Assessment:
    """Every number of one target as of a date, with the forecast and the history used."""

    target_id: str
    indicator_id: str
    region: str
    target_type: str
    comparator: str
    target_year: int
    target_value: float
    unit: str
    latest_period: str = ""
    latest_value: float = math.nan
    source_id: str = ""
    base_year_used: int | None = None
    base_value: float = math.nan
    required_value: float = math.nan
    gap: float = math.nan
    gap_pct: float = math.nan
    progress_ratio: float = math.nan
    progress_category: str = "no_data"
    projected_value: float = math.nan
    lo80: float = math.nan
    hi80: float = math.nan
    lo95: float = math.nan
    hi95: float = math.nan
    p_meet: float = math.nan
    first_year_meeting: int | None = None
    status: str = "no_data"
    note: str = ""
    n_obs: int = 0
    forecast_method: str = ""
    forecast_flags: str = ""
    forecast: Any = field(default=None, repr=False)
    history: pd.Series | None = field(default=None, repr=False)
    target_level: float = math.nan  # the level compared in the target year (implied for avg_growth)
    horizon_kind: str = "future"
    base_estimated: bool = False
    latest_qualifier: str = ""
    interpolated_years: str = ""
    story: str = ""
    milestone_year: int | None = None
    milestone_value: float = math.nan
    duplicate_of: str = ""
    per_year: bool = False
    about: bool = False
    inferred: bool = False  # the outcome rests on a projection, an interpolation or a non-final figure
    outcome: bool | None = None  # a past target decided without a probability (True met, False missed)

    def add_note(self, *notes: str) -> None:
        """Append notes."""
        self.note = join_notes(self.note, *notes)

    def as_row(self) -> dict[str, Any]:
        """Return the status-table row (STATUS_COLUMNS + EXTRA_COLUMNS)."""
        return {name: getattr(self, name) for name in STATUS_COLUMNS + EXTRA_COLUMNS}


def set_latest(a: Assessment, row: pd.Series) -> None:
    """Record the observation shown as the latest value, with its qualifier (and 预计 as ~)."""
    a.latest_period, a.latest_value, a.source_id = str(row["period"]), float(row["value"]), str(row["source_id"])
    qualifier = str(row.get("qualifier", "") or "")
    if not qualifier and str(row.get("status", "")) == "estimate":
        qualifier = "~"
    a.latest_qualifier = qualifier
    if qualifier:
        a.add_note(f"latest value is qualified ({qualifier}{fmt_num(row['value'])}{', an estimate' if row.get('status') == 'estimate' else ''})")
    if str(row.get("inputs", "") or ""):
        a.add_note(f"derived ({row.get('formula', '')}) from {row['inputs']}")


def set_projection_from_paths(a: Assessment, fc: Any, values: np.ndarray) -> None:
    """Copy the median and the 80/95 % ranges of the simulated target-year values kept (paths agreeing with bounds)."""
    a.forecast = fc
    a.forecast_method = str(getattr(fc, "method", ""))
    a.forecast_flags = ",".join(getattr(fc, "flags", ()) or ())
    a.projected_value = float(np.median(values))
    a.lo80, a.hi80, a.lo95, a.hi95 = (float(q) for q in np.percentile(values, [10, 90, 2.5, 97.5]))


def set_projection(a: Assessment, fc: Any, year: int) -> None:
    """Copy the central projection and intervals of a year from a forecast."""
    a.forecast = fc
    a.forecast_method = str(getattr(fc, "method", ""))
    a.forecast_flags = ",".join(getattr(fc, "flags", ()) or ())
    a.projected_value = float(fc.mean[year])
    a.lo80, a.hi80 = float(fc.lower(80)[year]), float(fc.upper(80)[year])
    a.lo95, a.hi95 = float(fc.lower(95)[year]), float(fc.upper(95)[year])


def set_gap(a: Assessment, base_year: int, base: float, year: int, value: float, form: str) -> None:
    """Compute the required path value in the latest year and the gap to it."""
    a.required_value = required_at(year, base_year, base, a.target_year, a.target_level, form)
    a.gap = value - a.required_value
    a.gap_pct = 100 * a.gap / abs(a.required_value) if a.required_value else math.nan


def final_status(a: Assessment, satisfied: bool, obs_status: str, what: str) -> None:
    """Set p_meet and status from an observed target-year value."""
    a.p_meet = 1.0 if satisfied else 0.0
    if satisfied and obs_status in FINAL_STATUSES:
        a.status = "met"
    else:
        a.status = status_from_p(a.p_meet)
        if obs_status not in FINAL_STATUSES:
            a.add_note(f"{what} is {obs_status}, not a final figure")
