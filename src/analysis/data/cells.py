"""Cell-level checks of a raw table (numbers, dates, patterns, control characters) and typing."""

from __future__ import annotations

import re
from datetime import date

import numpy as np
import pandas as pd

from analysis.data.csvfile import Problem, RawTable, display_path
from analysis.data.schema import BOOL_VALUES, BOOLEAN, COLUMNS, DATE_PATTERN, DATES, NUMERIC, OPTIONAL, PERIOD_PATTERN

# Cell-level patterns (checked before typing, so a malformed row never reaches pandas).
CELL_PATTERNS = {("observations", "period"): (PERIOD_PATTERN.replace(r"\d", "[0-9]"), "period must be YYYY or YYYY-MM")}


NUMBER_PATTERN = r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?"


INTEGER_PATTERN = r"[+-]?[0-9]+"


INTEGER_LIMIT = 10**9


DATE_YEARS = (1900, 2100)


# C0/C1 control characters other than tab and line breaks (which a quoted cell may hold).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def cell_problems(raw: RawTable, frame: pd.DataFrame) -> list[Problem]:
    """Check every cell for control characters, stray whitespace, emptiness and parseable type."""
    shown = display_path(raw.path)
    problems: list[Problem] = []
    optional = OPTIONAL[raw.name]
    numeric = NUMERIC.get(raw.name, {})
    booleans = BOOLEAN.get(raw.name, ())
    dates = DATES.get(raw.name, ())
    for column in COLUMNS[raw.name]:
        pattern = CELL_PATTERNS.get((raw.name, column))
        for line, cell in zip(frame["line_no"], frame[column]):
            control = CONTROL_CHARACTERS.search(cell)
            if control:
                problems.append(Problem(shown, line, column, f"contains the control character {control.group()!r}; remove it"))
                continue
            if cell != cell.strip():
                problems.append(Problem(shown, line, column, f"leading or trailing whitespace in {short(cell)!r}"))
                continue
            if cell == "":
                if column not in optional:
                    problems.append(Problem(shown, line, column, "empty; a value is required"))
                continue
            if column in numeric:
                problems.extend(number_problem(shown, line, column, cell, numeric[column]))
            elif column in booleans and cell not in BOOL_VALUES:
                problems.append(Problem(shown, line, column, f"{short(cell)!r} is not a boolean (use true or false)"))
            elif column in dates:
                problems.extend(date_problem(shown, line, column, cell))
            elif pattern and not re.fullmatch(pattern[0], cell):
                problems.append(Problem(shown, line, column, f"{short(cell)!r}: {pattern[1]}"))
    return problems


def short(cell: str, limit: int = 60) -> str:
    """Return a cell shortened for an error message."""
    return cell if len(cell) <= limit else cell[:limit] + "…"


def number_problem(shown: str, line: int, column: str, cell: str, kind: type) -> list[Problem]:
    """Return a problem when a cell is not a finite number (plain ASCII decimal) of the required kind."""
    if not re.fullmatch(NUMBER_PATTERN, cell):
        return [Problem(shown, line, column, f"{short(cell)!r} is not a number")]
    number = float(cell)
    if not np.isfinite(number):
        return [Problem(shown, line, column, f"{short(cell)!r} is not a finite number (too large)")]
    if kind is int and not re.fullmatch(INTEGER_PATTERN, cell):
        return [Problem(shown, line, column, f"{short(cell)!r} is not an integer")]
    if kind is int and abs(int(cell)) > INTEGER_LIMIT:
        return [Problem(shown, line, column, f"{short(cell)!r} is out of range")]
    return []


def date_problem(shown: str, line: int, column: str, cell: str) -> list[Problem]:
    """Return a problem when a cell is not an ISO date (YYYY-MM-DD) that exists."""
    if not re.fullmatch(DATE_PATTERN.replace(r"\d", "[0-9]"), cell):
        return [Problem(shown, line, column, f"{short(cell)!r} is not a date in the form YYYY-MM-DD")]
    try:
        day = date.fromisoformat(cell)
    except ValueError:
        return [Problem(shown, line, column, f"{cell!r} is not a valid calendar date")]
    if not DATE_YEARS[0] <= day.year <= DATE_YEARS[1]:
        return [Problem(shown, line, column, f"{cell!r} is outside the years {DATE_YEARS[0]}-{DATE_YEARS[1]}")]
    return []


def typed(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Convert a string frame (already cell-checked) to its typed form."""
    out = frame.copy()
    special = set(NUMERIC.get(name, {})) | set(BOOLEAN.get(name, ())) | set(DATES.get(name, ()))
    for column in COLUMNS[name]:
        if column not in special:
            out[column] = out[column].astype(str)
    for column, kind in NUMERIC.get(name, {}).items():
        values = pd.to_numeric(out[column].replace("", np.nan))
        out[column] = values.astype("Int64") if kind is int else values.astype(float)
    for column in BOOLEAN.get(name, ()):
        out[column] = out[column].map(BOOL_VALUES).astype(bool)
    for column in DATES.get(name, ()):
        out[column] = pd.to_datetime(out[column].replace("", None), format="%Y-%m-%d")
    if name == "observations":
        out["year"] = out["period"].str.slice(0, 4).astype(int)
        out["is_annual"] = out["period"].str.len() == 4
    return out
