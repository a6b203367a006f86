"""Quarters: parse, bounds, previous and next, the latest completed one, a briefing's dates."""

from __future__ import annotations

import re
from datetime import date, timedelta

FIRST_PERIOD = "2023Q1"


PERIOD_RE = re.compile(r"^(\d{4})Q([1-4])$")


PERIOD_FORM = "YYYYQn with n in 1-4, e.g. 2026Q3"


def parse_period(text: str) -> tuple[int, int]:
    """Return (year, quarter) of a period like '2026Q3'; ValueError names the valid form."""
    match = PERIOD_RE.fullmatch(str(text).strip().upper())
    if not match:
        raise ValueError(f"invalid period {text!r}: use {PERIOD_FORM}")
    return int(match.group(1)), int(match.group(2))


def format_period(year: int, quarter: int) -> str:
    """Return the period label of a year and quarter, e.g. (2026, 3) -> '2026Q3'."""
    return f"{year}Q{quarter}"


def quarter_bounds(period: str) -> tuple[date, date]:
    """Return the first and the last day of a quarter."""
    year, quarter = parse_period(period)
    first = date(year, 3 * quarter - 2, 1)
    after = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return first, after - timedelta(days=1)


def quarter_end(period: str) -> date:
    """Return the last day of a quarter: the report's as_of date."""
    return quarter_bounds(period)[1]


def quarter_of(day: date) -> str:
    """Return the quarter a day falls in."""
    return format_period(day.year, (day.month - 1) // 3 + 1)


def previous_quarter(period: str) -> str:
    """Return the quarter before a quarter."""
    year, quarter = parse_period(period)
    return format_period(year - 1, 4) if quarter == 1 else format_period(year, quarter - 1)


def next_quarter(period: str) -> str:
    """Return the quarter after a quarter."""
    year, quarter = parse_period(period)
    return format_period(year + 1, 1) if quarter == 4 else format_period(year, quarter + 1)


def latest_completed_quarter(today: date) -> str:
    """Return the latest quarter whose last day is before today."""
    return previous_quarter(quarter_of(today))


def periods_between(first: str, last: str) -> list[str]:
    """Return every quarter from first to last, both included (empty when first > last)."""
    out, period = [], first
    while parse_period(period) <= parse_period(last):
        out.append(period)
        period = next_quarter(period)
    return out


def check_period(text: str, today: date) -> str:
    """Return a normalised, completed period or raise ValueError naming the valid choices."""
    period = format_period(*parse_period(text))
    latest = latest_completed_quarter(today)
    if parse_period(period) > parse_period(latest):
        raise ValueError(f"period {period} is not completed yet: choose a quarter from {FIRST_PERIOD} to {latest}")
    return period


def as_of_date(as_of: date | str | None) -> date:
    """Return the report date: ``as_of`` or today."""
    from analysis.data import vintage  # here, so that parsing a period imports no pandas

    return vintage.to_timestamp(as_of).date()


def briefing_dates(period: str | None, as_of: date | str | None = None) -> tuple[str, date, date, date]:
    """Return (period, first day, report date, previous quarter's last day) of a briefing.

    ``period`` None means the latest quarter completed by ``as_of`` (default today); the report
    date is the quarter's last day, or ``as_of`` when that is earlier.
    """
    reference = as_of_date(as_of)
    if period is None:
        period = latest_completed_quarter(reference + timedelta(days=1))
    start, end = quarter_bounds(period)
    if as_of is not None:
        end = min(end, reference)
    _, previous_end = quarter_bounds(previous_quarter(period))
    return period, start, end, previous_end
