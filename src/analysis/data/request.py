"""Which figures the targets need and the data do not hold, and when a figure is overdue (the data-request rule).

The workbook that asks the publishers for them is :mod:`analysis.report.request_workbook`
(``python -m analysis request``); its rows are :func:`plan`'s.

Which figures (:func:`plan`), for every target's indicator and region:

- Years wanted: from the target's base year (the year after it for cumulative and 每年 targets,
  which count the flows after the base year; ``target_year - DEFAULT_PLAN_YEARS`` when a target
  has no base year) to its target year, but only years whose figure is expected to have been
  released by the as-of date (:func:`latest_year_due`).
- Release: the figure for year Y appears in the publisher's usual month (release_calendar.csv's
  ``usual_month``; December when the month is not known, ``UNKNOWN_MONTH``) of year Y + lag. The
  lag is 1 year unless the series' latest exact figure came out later: Ningbo's 2023 R&D
  intensity was first published in March 2025, so its 2024 figure is due in March 2026
  (:func:`inferred_lag`; at most ``MAX_LAG_YEARS``, a figure first found in a later review does
  not postpone the next one further).
- Missing: no exact value (no qualifier, status other than estimate) published by the as-of date.
- Overdue (:func:`overdue_since`, a pure function): the usual release month plus a grace period of
  ``GRACE_MONTHS`` (one month) has passed, and no value at all for the year was published by then:
  the figure for 2024 usually out in March 2026 is overdue from 1 May 2026. A year with only an
  estimate or a bound is missing but not overdue (something was published).
- Publisher (one sheet each): the body of release_calendar.csv that lists the indicator (the
  first one when several do); a target with its own ``where_published`` (another region: the
  zones, Wenzhou, the two cities) goes to a sheet of its region; an indicator no calendar entry
  lists goes to a last sheet of figures whose publisher is not yet identified.
"""

from __future__ import annotations

import calendar as month_calendar
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.data import csvfile, loader

GRACE_MONTHS = 1
DEFAULT_LAG_YEARS = 1
MAX_LAG_YEARS = 2
UNKNOWN_MONTH = 12
DEFAULT_PLAN_YEARS = 5
TITLE_ROW, HEADER_ROW, FIRST_ROW = 1, 2, 3

# ---------------------------------------------------------------------------
# When a figure is due (pure functions)


def month_end(year: int, month: int) -> dt.date:
    """Return the last day of a month."""
    return dt.date(year, month, month_calendar.monthrange(year, month)[1])


def release_due(year: int, month: int | None, lag: int = DEFAULT_LAG_YEARS) -> dt.date:
    """Return the last day of the month in which the figure for ``year`` usually appears."""
    return month_end(year + lag, month or UNKNOWN_MONTH)


def overdue_since(year: int, month: int | None, lag: int = DEFAULT_LAG_YEARS, grace: int = GRACE_MONTHS) -> dt.date:
    """Return the first day on which the figure for ``year`` is overdue: the day after its usual month plus ``grace`` months.

    Usual month March, lag 1, grace 1: the figure for 2024 is overdue from 2025-05-01.
    """
    index = (year + lag) * 12 + (month or UNKNOWN_MONTH) - 1 + grace + 1
    return dt.date(index // 12, index % 12 + 1, 1)


def is_overdue(year: int, month: int | None, as_of: dt.date, published: list[dt.date],
               lag: int = DEFAULT_LAG_YEARS, grace: int = GRACE_MONTHS) -> dt.date | None:
    """Return since when the figure for ``year`` is overdue on ``as_of`` (None when it is not).

    ``published``: the dates on which any value for the year became public. Overdue when the
    usual month plus the grace period has passed by ``as_of`` and nothing was published by then.
    """
    since = overdue_since(year, month, lag, grace)
    if as_of < since or any(day <= as_of for day in published):
        return None
    return since


def latest_year_due(month: int | None, as_of: dt.date, lag: int = DEFAULT_LAG_YEARS) -> int:
    """Return the latest year whose figure is expected to have been released by ``as_of`` (its usual month is over)."""
    year = as_of.year - lag
    return year if as_of > release_due(year, month, lag) else year - 1


def first_year(target_type: str, base_year: object, target_year: int, each_year: bool = False) -> int:
    """Return the first year a target needs: its base year, the year after for cumulative and 每年 targets."""
    base = int(base_year) if base_year is not None and not pd.isna(base_year) else int(target_year) - DEFAULT_PLAN_YEARS
    return base + 1 if target_type == "cumulative" or each_year else base


def years_wanted(target_type: str, base_year: object, target_year: int, month: int | None, as_of: dt.date,
                 lag: int = DEFAULT_LAG_YEARS, each_year: bool = False) -> list[int]:
    """Return the years of a target whose figures are expected by ``as_of``."""
    last = min(int(target_year), latest_year_due(month, as_of, lag))
    return list(range(first_year(target_type, base_year, target_year, each_year), last + 1))


def inferred_lag(rows: pd.DataFrame, as_of: dt.date) -> int:
    """Return how many years after its year a figure of this series appears (1 to MAX_LAG_YEARS).

    From the latest year with an exact value published by ``as_of``: the year of its first exact
    publication minus the year (Ningbo's 2023 R&D intensity, first exact in March 2025: 2).
    """
    cutoff = pd.Timestamp(as_of)
    exact = rows[rows["is_annual"] & (rows["qualifier"] == "") & (rows["status"] != "estimate") & (rows["published"] <= cutoff)]
    if exact.empty:
        return DEFAULT_LAG_YEARS
    latest = exact[exact["year"] == exact["year"].max()]
    lag = int(latest["published"].min().year) - int(latest["year"].iloc[0])
    return min(max(lag, DEFAULT_LAG_YEARS), MAX_LAG_YEARS)


# ---------------------------------------------------------------------------
# Which figures to ask for


@dataclass(frozen=True)
class Publisher:
    """The body a sheet asks: its names, the document the figures usually appear in, its month."""

    key: str
    name_zh: str
    name_en: str
    document_zh: str
    document_en: str
    month: int | None
    source_kind: str


@dataclass(frozen=True)
class Wanted:
    """One figure and year to ask for."""

    indicator_id: str
    region: str
    year: int
    publisher: Publisher
    lag: int
    state: str  # overdue | due | inexact
    overdue_since: dt.date | None
    known: tuple[tuple[str, float, str, str], ...]  # (qualifier, value, status, published) of the year's values
    targets: tuple[str, ...]  # target ids the figure feeds

    @property
    def period(self) -> str:
        return str(self.year)


def source_kind_of(publication: str) -> str:
    """Return the sources.csv kind a publication usually is (公报 bulletin, 工作报告/执行情况 report, else bureau)."""
    if "公报" in publication or "Bulletin" in publication:
        return "bulletin"
    if "工作报告" in publication or "预算执行" in publication:
        return "government_report"
    if "评价" in publication or "报告" in publication:
        return "other"
    return "bureau"


def calendar_publishers(calendar: pd.DataFrame) -> dict[str, Publisher]:
    """Return indicator id -> the first calendar publisher that lists it."""
    found: dict[str, Publisher] = {}
    for entry in calendar.itertuples(index=False):
        month = str(entry.usual_month).strip()
        publisher = Publisher(
            key=str(entry.publisher_id), name_zh=str(entry.publisher_zh), name_en=str(entry.publisher_en),
            document_zh=str(entry.publication_zh), document_en=str(entry.publication_en),
            month=int(month) if month.isdigit() else None, source_kind=source_kind_of(str(entry.publication_zh)),
        )
        for indicator in str(entry.indicator_ids).split():
            found.setdefault(indicator, publisher)
    return found


OTHER_KEY = "~other"


def publisher_of(dataset: loader.Dataset, indicator_id: str, region: str, targets: pd.DataFrame,
                 by_indicator: dict[str, Publisher]) -> Publisher:
    """Return the publisher a figure is asked from (see the module docstring)."""
    own = next((str(w) for w in targets["where_published"] if str(w or "").strip()), "")
    if own:
        regions = dataset.regions.set_index("region_id")
        name_zh = str(regions.at[region, "name_zh"]) if region in regions.index else region
        name_en = str(regions.at[region, "name_en"]) if region in regions.index else region
        return Publisher(f"region:{region}", name_zh, name_en, own, own, None, "bureau")
    if indicator_id in by_indicator:
        return by_indicator[indicator_id]
    return Publisher(OTHER_KEY, "发布机构待查明", "Publisher not yet identified", "", "", None, "bureau")


def plan(dataset: loader.Dataset, calendar: pd.DataFrame, as_of: dt.date) -> list[Wanted]:
    """Return every figure and year the targets need that the data do not hold as of ``as_of``, in sheet order."""
    observations = dataset.observations
    annual = observations[observations["is_annual"]]
    by_indicator = calendar_publishers(calendar)
    cutoff = pd.Timestamp(as_of)
    targets = dataset.targets.reset_index(drop=True)
    wanted: list[Wanted] = []
    for (indicator_id, region), group in targets.groupby(["indicator_id", "region"], sort=False):
        publisher = publisher_of(dataset, indicator_id, region, group, by_indicator)
        series = annual[(annual["indicator_id"] == indicator_id) & (annual["region"] == region)]
        lag = inferred_lag(series, as_of)
        years: set[int] = set()
        for target in group.itertuples(index=False):
            years.update(years_wanted(target.target_type, target.base_year, int(target.target_year), publisher.month, as_of,
                                      lag, bool(target.each_year)))
        for year in sorted(years):
            rows = series[(series["year"] == year) & (series["published"] <= cutoff)].sort_values(["published", "value"], kind="mergesort")
            exact = rows[(rows["qualifier"] == "") & (rows["status"] != "estimate")]
            if len(exact):
                continue
            since = is_overdue(year, publisher.month, as_of, [p.date() for p in rows["published"]], lag)
            state = "overdue" if since else ("inexact" if len(rows) else "due")
            known = tuple((str(r.qualifier), float(r.value), str(r.status), r.published.date().isoformat()) for r in rows.itertuples(index=False))
            wanted.append(Wanted(indicator_id, region, year, publisher, lag, state, since, known, tuple(group["target_id"])))
    order = {key: index for index, key in enumerate(dict.fromkeys(p.key for p in by_indicator.values()))}

    def sheet_rank(w: Wanted) -> tuple:
        key = w.publisher.key
        return (0, order[key]) if key in order else ((2, 0) if key == OTHER_KEY else (1, 0))

    return sorted(wanted, key=sheet_rank)  # stable: targets.csv order, then year, within a sheet


def read_calendar(data_dir: Path) -> pd.DataFrame:
    """Return data/release_calendar.csv as text (an empty calendar when the file is absent)."""
    path = Path(data_dir) / "release_calendar.csv"
    columns = ["publisher_id", "publisher_zh", "publisher_en", "publication_zh", "publication_en", "indicator_ids", "usual_month"]
    if not path.exists():
        return pd.DataFrame(columns=columns)
    frame = csvfile.read_text_table(path)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise csvfile.DataValidationError([csvfile.Problem(csvfile.display_path(path), 1, c, "missing column") for c in missing])
    return frame
