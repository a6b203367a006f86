"""The one reading of the current date: ``today()``, fixed by ``ANALYSIS_TODAY=YYYY-MM-DD``.

Every rule that needs "now" (the default report date, the latest completed quarter, a
publication date in the future) asks this function, never ``date.today()``: a test or a
reproducible run sets ``ANALYSIS_TODAY`` and the whole package sees that day. A report for a
given date (``--as-of``, ``--period``) never depends on today; tests check both.
"""

from __future__ import annotations

import os
import re
from datetime import date

ENV = "ANALYSIS_TODAY"


DATE_FORM = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_day(text: str) -> date:
    """Return the date of ``YYYY-MM-DD`` text; ValueError names the form (no other ISO spelling)."""
    if not DATE_FORM.fullmatch(text):
        raise ValueError(f"{text!r} is not a date in the form YYYY-MM-DD")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a real calendar date (YYYY-MM-DD)") from None


def today() -> date:
    """Return today's date, or the date of ``ANALYSIS_TODAY`` when set (ValueError when malformed)."""
    fixed = os.environ.get(ENV, "").strip()
    if fixed:
        try:
            return parse_day(fixed)
        except ValueError as err:
            raise ValueError(f"{ENV}: {err}") from None
    return date.today()
