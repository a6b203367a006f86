"""The assessment record of one target: every number any page shows about it."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
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


# The evidence each page shows beside the numbers (issue 17): what the shown figure is, the running
# total of a cumulative target, the paces, the status's reason and which values are not published.
RECORD_COLUMNS = [
    "counted", "base_year", "target_level", "latest_status", "latest_published", "latest_stale", "running_total",
    "running_total_from", "running_total_to", "running_total_qualifier", "missing_years", "recent_pace",
    "recent_pace_qualifier", "needed_pace", "needed_pace_qualifier", "pace_from", "at_recent_pace",
    "at_recent_pace_meets", "p_meet_qualifier", "p_meet_interpolated", "likelihood", "status_reason",
    "estimated_years", "projection_conditioned", "milestone_qualifier", "group", "basis_years", "basis_downweighted",
]


EXTRA_COLUMNS = GAP_COLUMNS + ["n_obs", "forecast_method", "forecast_flags"] + RECORD_COLUMNS


OUTPUT_COLUMNS = STATUS_COLUMNS + GAP_COLUMNS + RECORD_COLUMNS  # csv/json of `status` and assessment.csv


INT_COLUMNS = ("target_year", "base_year_used", "first_year_meeting", "n_obs", "milestone_year", "base_year", "running_total_from",
               "running_total_to", "pace_from")


BOOL_COLUMNS = ("base_estimated", "per_year", "about", "counted", "latest_stale", "projection_conditioned")


STRING_COLUMNS = (
    "target_id", "indicator_id", "region", "target_type", "comparator", "unit", "latest_period", "source_id",
    "progress_category", "status", "note", "forecast_method", "forecast_flags", "horizon_kind", "latest_qualifier",
    "interpolated_years", "story", "duplicate_of", "latest_status", "latest_published", "running_total_qualifier",
    "missing_years", "recent_pace_qualifier", "needed_pace_qualifier", "p_meet_qualifier", "likelihood", "status_reason",
    "estimated_years", "milestone_qualifier", "at_recent_pace_meets", "group", "basis_years", "basis_downweighted",
)


PATH_FIELDS = ("year", "median", "lo80", "hi80", "lo95", "hi95")  # one projected year, from the paths P(meet) is counted on


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
    counted: bool = False  # counted in the headline figures (COUNTED_REGIONS, a target stated twice once)
    base_year: int | None = None  # as stated by the document (base_year_used may be an earlier fallback)
    latest_status: str = ""  # official, revised, preliminary, reported, estimate, derived
    latest_published: str = ""  # YYYY-MM-DD
    latest_stale: bool = False  # older than the plan's years: shown with its year marked, never judged on
    running_total: float = math.nan  # cumulative targets: the published flows from the base year on, summed
    running_total_from: int | None = None
    running_total_to: int | None = None
    running_total_qualifier: str = ""  # ">=" when some years' flows are not published (the total is at least this)
    missing_years: str = ""  # years of the target's window before the latest figure with no published value
    recent_pace: float = math.nan  # change a year (growth in % a year for average-growth targets) over the recent years
    recent_pace_qualifier: str = ""  # ">=" / "<=" when the pace rests on a bound
    needed_pace: float = math.nan  # change a year still needed from the latest figure to the target
    needed_pace_qualifier: str = ""
    pace_from: int | None = None  # first year of the recent pace
    at_recent_pace: float = math.nan  # the target-year value if the recent pace held
    at_recent_pace_meets: str = ""  # "yes" / "no" / "" (unknown)
    p_meet_qualifier: str = ""  # ">=" when P counts unpublished past flows as zero (a lower bound)
    p_meet_interpolated: float = math.nan  # P with unpublished flows interpolated instead (shown, never judged on)
    likelihood: str = ""  # the likelihood band of p_meet (rules.LIKELIHOOD_BANDS): the words every page uses
    status_reason: str = ""  # why the status is what it is (a code with words in i18n: reason.<code>)
    estimated_years: str = ""  # years whose figure is an estimate (预计) or a media report, not a statistic
    projection_conditioned: bool = False  # the projection keeps only the paths agreeing with published bounds
    milestone_qualifier: str = ""
    basis_years: str = ""  # the years the projection rests on (Forecast.basis), comma-separated
    basis_downweighted: str = ""  # those that count less: "year:kind:weight" (an estimate, approximate or preliminary figure)
    group: str = ""  # where a reader finds it: met, on_track, at_risk, unjudged (targets ahead) or past (rules.GROUPS)
    path: list = field(default_factory=list, repr=False)  # projected years: PATH_FIELDS, from the paths P is counted on
    points: list = field(default_factory=list, repr=False)  # every annual figure used: year, value, qualifier, status, source, kind

    def add_note(self, *notes: str) -> None:
        """Append notes."""
        self.note = join_notes(self.note, *notes)

    def as_row(self) -> dict[str, Any]:
        """Return the status-table row (STATUS_COLUMNS + EXTRA_COLUMNS)."""
        return {name: getattr(self, name) for name in STATUS_COLUMNS + EXTRA_COLUMNS}


def path_rows(years: list[int], centre: np.ndarray, samples: np.ndarray) -> list[dict]:
    """Return one PATH_FIELDS row per year: the centre given, the 80/95 % ranges from the sample columns."""
    # the quantiles exactly as Forecast.lower/upper take them, so a path row equals the forecast's interval
    low80, high80, low95, high95 = (np.quantile(samples, q, axis=0) for q in ((1 - 80 / 100) / 2, 1 - (1 - 80 / 100) / 2,
                                                                                 (1 - 95 / 100) / 2, 1 - (1 - 95 / 100) / 2))
    return [
        {"year": int(y), "median": float(c), "lo80": float(a), "hi80": float(b), "lo95": float(c95), "hi95": float(d95)}
        for y, c, a, b, c95, d95 in zip(years, centre, low80, high80, low95, high95)
    ]


def set_latest(a: Assessment, row: pd.Series) -> None:
    """Record the observation shown as the latest value, with its qualifier (and 预计 as ~)."""
    a.latest_period, a.latest_value, a.source_id = str(row["period"]), float(row["value"]), str(row["source_id"])
    qualifier = str(row.get("qualifier", "") or "")
    if not qualifier and str(row.get("status", "")) == "estimate":
        qualifier = "~"
    a.latest_qualifier = qualifier
    a.latest_status = str(row.get("status", "") or "")
    published = row.get("published", None)
    a.latest_published = "" if published is None or pd.isna(published) else pd.Timestamp(published).strftime("%Y-%m-%d")
    if qualifier:
        a.add_note(f"latest value is qualified ({qualifier}{fmt_num(row['value'])}{', an estimate' if row.get('status') == 'estimate' else ''})")
    if str(row.get("inputs", "") or ""):
        a.add_note(f"derived ({row.get('formula', '')}) from {row['inputs']}")


def set_basis(a: Assessment, fc: Any) -> None:
    """Record which values the projection rests on and which of them count less (Forecast.basis: kind and weight)."""
    basis = getattr(fc, "basis", None)
    if basis is None or not len(basis):
        return
    a.basis_years = ",".join(str(int(y)) for y in basis["year"])
    less = basis[basis["weight"] < 0.995]
    a.basis_downweighted = ",".join(f"{int(r.year)}:{r.kind}:{r.weight:.2f}" for r in less.itertuples())


def set_projection_from_paths(a: Assessment, fc: Any, kept: np.ndarray, years: list[int]) -> None:
    """Record the projection from the simulated paths kept (those agreeing with published bounds): median and ranges per year."""
    set_basis(a, fc)
    a.forecast = fc
    a.forecast_method = str(getattr(fc, "method", ""))
    a.forecast_flags = ",".join(getattr(fc, "flags", ()) or ())
    upto = [i for i, y in enumerate(years) if y <= a.target_year]
    a.path = path_rows([years[i] for i in upto], np.median(kept[:, upto], axis=0), kept[:, upto])
    set_target_year(a)


def set_projection(a: Assessment, fc: Any, year: int) -> None:
    """Record the central projection (the point path) and the sample ranges per year up to ``year``."""
    set_basis(a, fc)
    a.forecast = fc
    a.forecast_method = str(getattr(fc, "method", ""))
    a.forecast_flags = ",".join(getattr(fc, "flags", ()) or ())
    years = [int(y) for y in fc.years]
    upto = [i for i, y in enumerate(years) if y <= year]
    a.path = path_rows([years[i] for i in upto], fc.mean.to_numpy()[upto], np.asarray(fc.samples)[:, upto])
    set_target_year(a)


def set_target_year(a: Assessment) -> None:
    """Copy the target year's row of the projection path into the record's projection columns."""
    last = next((row for row in a.path if row["year"] == a.target_year), None)
    if last is not None:
        a.projected_value, a.lo80, a.hi80, a.lo95, a.hi95 = (last[k] for k in ("median", "lo80", "hi80", "lo95", "hi95"))


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


# ---------------------------------------------------------------------------
# The record as written beside the pages (assessment.json) and read back by the notebooks

RECORD_FIELDS = OUTPUT_COLUMNS + ["n_obs", "forecast_method", "forecast_flags", "target_level", "inferred"]


def json_value(value: Any) -> Any:
    """Return a JSON-ready value: NaN/None -> None, numpy scalars -> int/float/bool, floats exact."""
    if value is None or (not isinstance(value, (str, list, dict)) and pd.isna(value)):
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return float(value)
    return value


def record_dict(a: Assessment) -> dict[str, Any]:
    """Return the whole record of one target as plain JSON values, with its projection path and figures."""
    out = {name: json_value(getattr(a, name)) for name in dict.fromkeys(RECORD_FIELDS)}
    out["path"] = [{k: json_value(v) for k, v in row.items()} for row in a.path]
    out["points"] = [{k: json_value(v) for k, v in row.items()} for row in a.points]
    return out


def from_record_dict(d: dict[str, Any]) -> Assessment:
    """Return the Assessment a record dict describes (no Forecast object; history from its exact figures)."""
    kwargs = {}
    for f in fields(Assessment):
        if f.name in d:
            value = d[f.name]
            if value is None and f.type in ("float",):
                value = math.nan
            kwargs[f.name] = value
    a = Assessment(**kwargs)
    for name in ("latest_value", "base_value", "required_value", "gap", "gap_pct", "progress_ratio", "projected_value", "lo80",
                 "hi80", "lo95", "hi95", "p_meet", "milestone_value", "running_total", "recent_pace", "needed_pace", "at_recent_pace",
                 "p_meet_interpolated", "target_level"):
        if getattr(a, name) is None:
            setattr(a, name, math.nan)
    for name in STRING_COLUMNS:
        if getattr(a, name, "") is None:
            setattr(a, name, "")
    exact = [(p["year"], p["value"]) for p in a.points if p.get("qualifier", "") not in (">", ">=", "<", "<=")]
    a.history = pd.Series(dict(exact), dtype=float, name=a.indicator_id).sort_index() if exact else None
    return a


def gap_to_target(a: Any) -> float:
    """Return what is still to go to the target in its unit: the target level minus the standing (the running total
    of a cumulative target), places to climb for a rank; 0 when met or passed; NaN for average growth or without a figure."""
    if a.target_type == "avg_growth" or a.status == "met":
        return 0.0 if a.status == "met" else math.nan
    cumulative = a.target_type == "cumulative" and not pd.isna(a.running_total)
    standing = a.running_total if cumulative else a.latest_value
    if standing is None or pd.isna(standing):
        return math.nan
    level = a.target_value if a.target_type in ("cumulative", "rank") or pd.isna(a.target_level) else a.target_level
    higher = a.comparator in (">=", ">")
    to_go = (level - standing) if higher else (standing - level)
    return max(float(to_go), 0.0)
