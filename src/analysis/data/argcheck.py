"""Checks of command-line values (argparse ``type=`` functions and region ids), without pandas.

Each check returns the parsed value or raises ``argparse.ArgumentTypeError`` with a message that
names what was given and what is wanted; argparse turns it into one line and exit code 2.
"""

from __future__ import annotations

import argparse
import difflib
import math
import re
from datetime import date
from pathlib import Path
from typing import Callable

from analysis.data import clock, csvfile

# The years a report date may have (the data's dates are 1900-2100, see cells.DATE_YEARS).
DATE_YEARS = (1900, 2100)


NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")


def report_date(text: str) -> date:
    """Return a report date given as YYYY-MM-DD (a real calendar day, years 1900-2100)."""
    try:
        day = clock.parse_day(text.strip())
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None
    if not DATE_YEARS[0] <= day.year <= DATE_YEARS[1]:
        raise argparse.ArgumentTypeError(f"{text!r} is outside the years {DATE_YEARS[0]}-{DATE_YEARS[1]}")
    return day


def whole_number(low: int, high: int) -> Callable[[str], int]:
    """Return a check of a whole number from ``low`` to ``high`` (both included)."""

    def check(text: str) -> int:
        if not re.fullmatch(r"\s*[+]?[0-9]{1,9}\s*", text) or not low <= int(text) <= high:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number from {low} to {high}")
        return int(text)

    check.__name__ = "whole_number"
    return check


def whole_numbers(low: int, high: int) -> Callable[[str], list[int]]:
    """Return a check of a comma-separated list of whole numbers from ``low`` to ``high``."""
    one = whole_number(low, high)

    def check(text: str) -> list[int]:
        parts = [part.strip() for part in text.split(",")]
        try:
            return [one(part) for part in parts]
        except argparse.ArgumentTypeError:
            raise argparse.ArgumentTypeError(f"{text!r}: give comma-separated whole numbers from {low} to {high}, e.g. 2,3,4") from None

    check.__name__ = "whole_numbers"
    return check


def levels(text: str) -> tuple[float, ...]:
    """Return interval levels like '80,95': numbers strictly between 0 and 100, each once."""
    out: list[float] = []
    for part in text.split(","):
        part = part.strip()
        value = float(part) if NUMBER.fullmatch(part) else math.nan
        if not 0 < value < 100:
            raise argparse.ArgumentTypeError(f"{text!r}: each level must be a number strictly between 0 and 100 (e.g. 80,95), not {part!r}")
        value = int(value) if value == int(value) else value
        if value in out:
            raise argparse.ArgumentTypeError(f"{text!r}: level {value} is given twice")
        out.append(value)
    return tuple(out)


def nonempty_path(text: str) -> Path:
    """Return a path; an empty one (which pathlib reads as the current folder) is an error."""
    if not text.strip():
        raise argparse.ArgumentTypeError(f"{text!r}: an empty path; give a file or folder name")
    return Path(text)


def existing_file(text: str) -> Path:
    """Return the path of a file that exists (not a folder)."""
    path = nonempty_path(text)
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text}: is a folder, not a file")
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"{text}: file not found")
    return path


def existing_dir(text: str) -> Path:
    """Return the path of a folder that exists."""
    path = nonempty_path(text)
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text}: {'is a file, not a folder' if path.exists() else 'folder not found'}")
    return path


def known_regions(data_dir: Path) -> list[str] | None:
    """Return the region ids of data_dir/regions.csv, or None when it cannot be read (validation says why)."""
    try:
        rows = csvfile.read_text_table(Path(data_dir) / "regions.csv")
    except csvfile.DataValidationError:
        return None
    ids = sorted({str(cell).strip() for cell in rows.get("region_id", [])} - {""})
    return ids or None


def region_problem(region: str, known: list[str], allow_all: bool = False) -> str | None:
    """Return why a region id is not usable (unknown, with a did-you-mean), or None."""
    choices = known + (["all"] if allow_all else [])
    if region in choices:
        return None
    lowered = {choice.lower(): choice for choice in choices}
    close = [lowered[c] for c in difflib.get_close_matches(region.strip().lower(), list(lowered), n=1)]
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"unknown region {region!r}{hint} (known: {', '.join(choices)})"
