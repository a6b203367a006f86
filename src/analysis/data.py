"""Load, validate and select the sourced data tables in ``data/``.

Every table is a UTF-8 CSV in tidy long format (a byte-order mark and CRLF line ends, as Excel
and WPS save "CSV UTF-8", are accepted). ``load`` returns a
:class:`Dataset` of typed DataFrames or raises :class:`DataValidationError`, whose
``problems`` each name ``file:row:column`` (row = line number in the file, header = 1).

As-of discipline: :func:`select_as_of` keeps, per (indicator, region, period), the value a
reader could have seen on a date: among rows published on or before it, a row marked
``preferred`` wins, then the latest publication, then the more official status.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd
import pandera.pandas as pa

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2] / "data"

TABLE_FILES = {
    "regions": "regions.csv",
    "indicators": "indicators.csv",
    "targets": "targets.csv",
    "sources": "sources.csv",
    "observations": "observations.csv",
    "milestones": "milestones.csv",
    "definition_audit": "definition_audit.csv",
}
# Tables that may be absent from a data directory (loaded as empty frames with their columns).
OPTIONAL_TABLES = ("milestones", "definition_audit")
DECISIONS = ("used", "related", "excluded")

INDICATOR_KINDS = ("share", "ratio", "count", "amount", "rate", "rank")
GROWTH_FORMS = ("linear", "geometric")
TARGET_TYPES = ("level", "cumulative", "avg_growth", "rank")
COMPARATORS = (">=", ">", "<=", "<")
SOURCE_KINDS = ("bulletin", "yearbook", "bureau", "government_report", "news", "paper", "policy", "aggregator", "other")
STATUSES = ("official", "revised", "preliminary", "reported", "derived", "estimate")
QUALIFIERS = ("", ">", ">=", "<", "<=", "~")
# Lower rank = more authoritative; used only to break ties between equally recent vintages.
STATUS_RANK = {status: rank for rank, status in enumerate(STATUSES)}
PERIOD_PATTERN = r"^\d{4}(-(0[1-9]|1[0-2]))?$"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
ID_PATTERN = r"^[a-z0-9][a-z0-9_]*$"
YEAR_MIN, YEAR_MAX = 1978, 2035
BOOL_VALUES = {"true": True, "false": False}

COLUMNS = {
    "regions": ["region_id", "name_zh", "name_en", "kind", "notes"],
    "indicators": [
        "indicator_id", "name_zh", "name_en", "unit", "kind", "lower_bound", "upper_bound",
        "growth_form", "higher_is_better", "definition", "where_published",
    ],
    "targets": [
        "target_id", "indicator_id", "region", "target_type", "comparator", "target_value", "unit",
        "base_year", "target_year", "source_doc", "source_doc_title", "source_clause", "notes",
        "duplicate_of", "each_year", "approximate", "where_published",
    ],
    "sources": ["source_id", "title", "publisher", "url", "published", "published_estimated", "kind", "weak", "notes"],
    "observations": [
        "indicator_id", "region", "period", "value", "unit", "qualifier", "status", "source_id",
        "published", "published_estimated", "preferred", "quote", "notes",
    ],
    "milestones": [
        "milestone_id", "indicator_id", "region", "year", "comparator", "value", "unit", "source_id",
        "published", "quote", "notes",
    ],
    "definition_audit": ["target_id", "indicator_id", "region", "period", "decision", "reason_en", "reason_zh"],
}
# Columns that may be left empty; every other column needs a value in every row.
OPTIONAL = {
    "regions": {"notes"},
    "indicators": {"lower_bound", "upper_bound", "definition", "where_published"},
    "targets": {"base_year", "source_doc_title", "notes", "duplicate_of", "where_published"},
    "sources": {"url", "published", "notes"},
    "observations": {"qualifier", "quote", "notes"},
    "milestones": {"quote", "notes"},
    "definition_audit": set(),
}
NUMERIC = {
    "indicators": {"lower_bound": float, "upper_bound": float},
    "targets": {"target_value": float, "base_year": int, "target_year": int},
    "observations": {"value": float},
    "milestones": {"year": int, "value": float},
}
BOOLEAN = {
    "indicators": ("higher_is_better",),
    "sources": ("published_estimated", "weak"),
    "observations": ("published_estimated", "preferred"),
    "targets": ("each_year", "approximate"),
}
DATES = {"sources": ("published",), "observations": ("published",), "milestones": ("published",)}
KEYS = {
    "regions": ["region_id"],
    "indicators": ["indicator_id"],
    "targets": ["target_id"],
    "sources": ["source_id"],
    "observations": ["indicator_id", "region", "period", "source_id", "value"],
    "milestones": ["milestone_id"],
    "definition_audit": ["target_id", "indicator_id", "region", "period"],
}


@dataclass(frozen=True)
class Problem:
    """One validation finding, printed as ``file:row:column: message``."""

    file: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.row}:{self.column}: {self.message}"


class DataValidationError(Exception):
    """Raised when the data directory does not validate; ``problems`` lists every finding."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class Dataset:
    """The typed tables of one data directory (milestones and definition_audit may be empty)."""

    regions: pd.DataFrame
    indicators: pd.DataFrame
    targets: pd.DataFrame
    sources: pd.DataFrame
    observations: pd.DataFrame
    milestones: pd.DataFrame = field(default_factory=lambda: empty_table("milestones"))
    definition_audit: pd.DataFrame = field(default_factory=lambda: empty_table("definition_audit"))
    data_dir: Path = field(default=DEFAULT_DATA_DIR)

    def indicator(self, indicator_id: str) -> pd.Series:
        """Return the metadata row of one indicator."""
        return self.indicators.set_index("indicator_id").loc[indicator_id]


# ---------------------------------------------------------------------------
# Reading raw CSV text with line numbers


@dataclass
class RawTable:
    """A CSV read as strings, with the file line number of every record."""

    name: str
    path: Path
    header: list[str]
    rows: list[list[str]]
    lines: list[int]


def display_path(path: Path) -> str:
    """Return the path as a user typed it relative to the working directory, when possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


BOM = "\ufeff"


def read_raw(path: Path, name: str) -> tuple[RawTable | None, list[Problem]]:
    """Read one CSV as UTF-8 text (a byte-order mark and CRLF, as Excel and WPS save, are accepted)."""
    shown = display_path(path)
    if not path.exists():
        return None, [Problem(shown, 0, "-", "file is missing")]
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        return None, [Problem(shown, line, "-", f"not valid UTF-8 (byte 0x{data[err.start]:02x} at offset {err.start}); save the file as UTF-8")]
    text = text.removeprefix(BOM)
    if not text.strip():
        return None, [Problem(shown, 1, "-", "file is empty (expected a header row: " + ",".join(COLUMNS[name]) + ")")]
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[list[str]] = []
    lines: list[int] = []
    start = 1
    try:
        for record in reader:
            records.append(record)
            lines.append(start)
            start = reader.line_num + 1
    except csv.Error as err:
        return None, [Problem(shown, reader.line_num, "-", f"malformed CSV: {err}")]
    header, body, body_lines = records[0], records[1:], lines[1:]
    problems: list[Problem] = []
    expected = COLUMNS[name]
    missing = [c for c in expected if c not in header]
    extra = [c for c in header if c not in expected]
    repeated = sorted({c for c in header if header.count(c) > 1})
    for column in missing:
        problems.append(Problem(shown, 1, column, f"missing column (expected columns: {','.join(expected)})"))
    for column in extra:
        problems.append(Problem(shown, 1, column, f"unknown column (expected columns: {','.join(expected)})"))
    for column in repeated:
        problems.append(Problem(shown, 1, column, "column appears more than once in the header"))
    if problems:
        return None, problems
    kept_rows, kept_lines = [], []
    for record, line in zip(body, body_lines):
        if not any(record):  # a blank line, or a row of only commas (Excel writes one for a cleared row)
            continue
        if len(record) != len(header):
            problems.append(Problem(shown, line, "-", f"has {len(record)} fields, the header has {len(header)}"))
            continue
        kept_rows.append(record)
        kept_lines.append(line)
    return RawTable(name, path, header, kept_rows, kept_lines), problems


# ---------------------------------------------------------------------------
# Typing and validation


def frame_of(raw: RawTable) -> pd.DataFrame:
    """Return the raw strings as a DataFrame with a ``_line`` column."""
    frame = pd.DataFrame(raw.rows, columns=raw.header, dtype=object)[COLUMNS[raw.name]]
    frame["line_no"] = raw.lines
    return frame


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


def schemas() -> dict[str, pa.DataFrameSchema]:
    """Return the pandera schema of each typed table (value rules beyond types)."""
    ident = pa.Column(str, pa.Check.str_matches(ID_PATTERN, error="lowercase id [a-z0-9_]"))
    year = pa.Column("Int64", pa.Check.in_range(YEAR_MIN, YEAR_MAX, error=f"year outside {YEAR_MIN}-{YEAR_MAX}"), nullable=True)
    return {
        "regions": pa.DataFrameSchema({"region_id": ident}),
        "indicators": pa.DataFrameSchema({
            "indicator_id": ident,
            "kind": pa.Column(str, pa.Check.isin(INDICATOR_KINDS, error=f"kind must be one of {', '.join(INDICATOR_KINDS)}")),
            "growth_form": pa.Column(str, pa.Check.isin(GROWTH_FORMS, error=f"growth_form must be one of {', '.join(GROWTH_FORMS)}")),
        }),
        "targets": pa.DataFrameSchema({
            "target_id": ident,
            "target_type": pa.Column(str, pa.Check.isin(TARGET_TYPES, error=f"target_type must be one of {', '.join(TARGET_TYPES)}")),
            "comparator": pa.Column(str, pa.Check.isin(COMPARATORS, error=f"comparator must be one of {' '.join(COMPARATORS)}")),
            "base_year": year,
            "target_year": pa.Column("Int64", pa.Check.in_range(2000, YEAR_MAX, error=f"target_year outside 2000-{YEAR_MAX}")),
        }),
        "sources": pa.DataFrameSchema({
            "source_id": ident,
            "kind": pa.Column(str, pa.Check.isin(SOURCE_KINDS, error=f"kind must be one of {', '.join(SOURCE_KINDS)}")),
            "url": pa.Column(str, pa.Check(lambda s: (s == "") | s.str.match(r"^https?://"), element_wise=False, error="url must start with http:// or https://")),
        }),
        "observations": pa.DataFrameSchema({
            "period": pa.Column(str, pa.Check.str_matches(PERIOD_PATTERN, error="period must be YYYY or YYYY-MM")),
            "status": pa.Column(str, pa.Check.isin(STATUSES, error=f"status must be one of {', '.join(STATUSES)}")),
            "qualifier": pa.Column(str, pa.Check.isin(QUALIFIERS, error="qualifier must be empty or one of > >= < <= ~")),
            "year": pa.Column(int, pa.Check.in_range(YEAR_MIN, YEAR_MAX, error=f"year outside {YEAR_MIN}-{YEAR_MAX}")),
        }),
        "milestones": pa.DataFrameSchema({
            "milestone_id": ident,
            "comparator": pa.Column(str, pa.Check.isin(COMPARATORS, error=f"comparator must be one of {' '.join(COMPARATORS)}")),
            "year": pa.Column("Int64", pa.Check.in_range(YEAR_MIN, YEAR_MAX, error=f"year outside {YEAR_MIN}-{YEAR_MAX}")),
        }),
        "definition_audit": pa.DataFrameSchema({
            "decision": pa.Column(str, pa.Check.isin(DECISIONS, error=f"decision must be one of {', '.join(DECISIONS)}")),
            "period": pa.Column(str, pa.Check.str_matches(PERIOD_PATTERN, error="period must be YYYY or YYYY-MM")),
        }),
    }


def schema_problems(name: str, raw: RawTable, frame: pd.DataFrame) -> list[Problem]:
    """Run the pandera schema lazily and translate each failure to a Problem."""
    shown = display_path(raw.path)
    try:
        schemas()[name].validate(frame, lazy=True)
    except pa.errors.SchemaErrors as err:
        cases = err.failure_cases
        problems = []
        for case in cases.itertuples(index=False):
            index = case.index
            line = int(frame["line_no"].iloc[int(index)]) if index is not None and not pd.isna(index) else 1
            problems.append(Problem(shown, line, str(case.column), f"{case.failure_case!r}: {case.check}"))
        return problems
    return []


def referential_problems(tables: dict[str, pd.DataFrame], paths: dict[str, Path]) -> list[Problem]:
    """Check ids across tables, units, bounds, keys and dates."""
    problems: list[Problem] = []
    regions = set(tables["regions"]["region_id"])
    # A duplicated id is reported below; lookups use its first row.
    indicators = tables["indicators"].drop_duplicates("indicator_id").set_index("indicator_id")
    sources = set(tables["sources"]["source_id"])
    shown = {name: display_path(path) for name, path in paths.items()}

    for name, frame in tables.items():
        keys = KEYS[name]
        duplicated = frame.duplicated(subset=keys, keep="first")
        for line in frame.loc[duplicated, "line_no"]:
            problems.append(Problem(shown[name], int(line), keys[0], f"duplicate key ({', '.join(keys)})"))

    for row in tables["indicators"].itertuples():
        low, high = row.lower_bound, row.upper_bound
        if not pd.isna(low) and not pd.isna(high) and low >= high:
            problems.append(Problem(shown["indicators"], row.line_no, "upper_bound", f"upper_bound {high} is not above lower_bound {low}"))

    for row in tables["targets"].itertuples():
        where = shown["targets"]
        if row.indicator_id not in indicators.index:
            problems.append(Problem(where, row.line_no, "indicator_id", f"unknown indicator {row.indicator_id!r} (not in indicators.csv)"))
        elif row.unit != indicators.at[row.indicator_id, "unit"] and row.target_type in ("level", "cumulative"):
            problems.append(Problem(where, row.line_no, "unit", f"unit {row.unit!r} differs from the indicator's unit {indicators.at[row.indicator_id, 'unit']!r}"))
        if row.region not in regions:
            problems.append(Problem(where, row.line_no, "region", f"unknown region {row.region!r} (not in regions.csv)"))
        if not pd.isna(row.base_year) and row.base_year >= row.target_year:
            problems.append(Problem(where, row.line_no, "base_year", f"base_year {row.base_year} is not before target_year {row.target_year}"))
        if row.target_type == "rank" and row.comparator not in ("<=", "<"):
            problems.append(Problem(where, row.line_no, "comparator", f"a rank target needs <= or < (a smaller rank is better), not {row.comparator!r}"))

    today = pd.Timestamp(date.today())
    for row in tables["observations"].itertuples():
        where = shown["observations"]
        if row.indicator_id not in indicators.index:
            problems.append(Problem(where, row.line_no, "indicator_id", f"unknown indicator {row.indicator_id!r} (not in indicators.csv)"))
            continue
        meta = indicators.loc[row.indicator_id]
        if row.unit != meta["unit"]:
            problems.append(Problem(where, row.line_no, "unit", f"unit {row.unit!r} differs from the indicator's unit {meta['unit']!r}; convert the value"))
        if not pd.isna(meta["lower_bound"]) and row.value < meta["lower_bound"]:
            problems.append(Problem(where, row.line_no, "value", f"{row.value:g} is below the indicator's lower bound {meta['lower_bound']:g}"))
        if not pd.isna(meta["upper_bound"]) and row.value > meta["upper_bound"]:
            problems.append(Problem(where, row.line_no, "value", f"{row.value:g} is above the indicator's upper bound {meta['upper_bound']:g}"))
        if row.region not in regions:
            problems.append(Problem(where, row.line_no, "region", f"unknown region {row.region!r} (not in regions.csv)"))
        if row.source_id not in sources:
            problems.append(Problem(where, row.line_no, "source_id", f"unknown source {row.source_id!r} (not in sources.csv)"))
        if row.published > today:
            problems.append(Problem(where, row.line_no, "published", f"{row.published.date()} is in the future"))
        if row.published.year < row.year:
            problems.append(Problem(where, row.line_no, "published", f"published {row.published.date()} before its period {row.period} began"))
    return problems


def empty_table(name: str) -> pd.DataFrame:
    """Return a typed table with the columns of ``name`` and no rows."""
    return typed(name, pd.DataFrame({column: pd.Series(dtype=object) for column in COLUMNS[name]}))


def linked_table_problems(tables: dict[str, pd.DataFrame], paths: dict[str, Path]) -> list[Problem]:
    """Check the foreign keys and units of the milestone and definition-audit tables."""
    problems: list[Problem] = []
    for name in OPTIONAL_TABLES:
        frame, shown = tables[name], display_path(paths[name])
        for column, resource, ref in FOREIGN_KEYS[name]:
            known = set(tables[resource][ref])
            for row in frame.loc[~frame[column].isin(known)].itertuples():
                problems.append(Problem(shown, int(row.line_no), column, f"unknown {ref} {getattr(row, column)!r} (not in {TABLE_FILES[resource]})"))
    # the first row of a duplicated indicator id (the duplicate itself is reported with its line)
    units = tables["indicators"].drop_duplicates("indicator_id").set_index("indicator_id")["unit"]
    for row in tables["milestones"].itertuples():
        if row.indicator_id in units.index and row.unit != units[row.indicator_id]:
            problems.append(Problem(display_path(paths["milestones"]), int(row.line_no), "unit",
                                    f"unit {row.unit!r} differs from the indicator's unit {units[row.indicator_id]!r}"))
    return problems


def validate_dir(data_dir: Path | str = DEFAULT_DATA_DIR) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    """Read and validate every table; return the typed tables and all problems found."""
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        return {}, [Problem(display_path(data_dir), 0, "-", "data directory does not exist")]
    problems: list[Problem] = []
    tables: dict[str, pd.DataFrame] = {}
    paths = {name: data_dir / filename for name, filename in TABLE_FILES.items()}
    for name, path in paths.items():
        if name in OPTIONAL_TABLES and not path.exists():
            tables[name] = empty_table(name).assign(line_no=pd.Series(dtype=int))
            continue
        raw, found = read_raw(path, name)
        problems.extend(found)
        if raw is None:
            continue
        frame = frame_of(raw)
        cell_issues = cell_problems(raw, frame)
        problems.extend(cell_issues)
        if cell_issues:
            bad_lines = {p.row for p in cell_issues}
            frame = frame[~frame["line_no"].isin(bad_lines)].reset_index(drop=True)
        frame = typed(name, frame)
        problems.extend(schema_problems(name, raw, frame))
        tables[name] = frame
    if len(tables) == len(TABLE_FILES):
        problems.extend(referential_problems(tables, paths))
        problems.extend(linked_table_problems(tables, paths))
    problems.sort(key=lambda p: (p.file, p.row, p.column, p.message))
    return tables, problems


# Validated tables by data directory and file contents. A warm report kernel runs dozens of
# notebooks on the same files; validating them once per kernel instead of once per notebook
# saves about 0.8 s a notebook. Keyed on the bytes, so an edited file is always read again.
_LOADED: dict[tuple, dict[str, pd.DataFrame]] = {}
_LOADED_MAX = 4


def contents_key(data_dir: Path) -> tuple:
    """Return a key naming a data directory and the exact bytes of its table files."""
    files = []
    for filename in sorted(TABLE_FILES.values()):
        path = data_dir / filename
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""
        files.append((filename, digest))
    return (str(data_dir.resolve()), tuple(files))


def load(data_dir: Path | str = DEFAULT_DATA_DIR) -> Dataset:
    """Load and validate a data directory; raise DataValidationError listing every problem."""
    data_dir = Path(data_dir)
    key = contents_key(data_dir) if data_dir.is_dir() else None
    clean = _LOADED.get(key) if key is not None else None
    if clean is None:
        tables, problems = validate_dir(data_dir)
        if problems:
            raise DataValidationError(problems)
        clean = {name: frame.drop(columns="line_no").reset_index(drop=True) for name, frame in tables.items()}
        if key is not None:
            if len(_LOADED) >= _LOADED_MAX:
                _LOADED.pop(next(iter(_LOADED)))
            _LOADED[key] = clean
    # copies: a caller that changes its tables never changes the next caller's
    return Dataset(data_dir=data_dir, **{name: frame.copy() for name, frame in clean.items()})


# ---------------------------------------------------------------------------
# As-of (vintage) selection


def to_timestamp(as_of: date | str | pd.Timestamp | None) -> pd.Timestamp:
    """Return a report date as a Timestamp; None means today."""
    if as_of is None:
        return pd.Timestamp(date.today())
    return pd.Timestamp(as_of).normalize()


def published_by(observations: pd.DataFrame, as_of: date | str | pd.Timestamp | None) -> pd.DataFrame:
    """Return every vintage published on or before the report date."""
    return observations[observations["published"] <= to_timestamp(as_of)]


def select_as_of(observations: pd.DataFrame, as_of: date | str | pd.Timestamp | None) -> pd.DataFrame:
    """Return one value per (indicator, region, period): the vintage a reader had on ``as_of``."""
    visible = published_by(observations, as_of).copy()
    visible["_status_rank"] = visible["status"].map(STATUS_RANK)
    ordered = visible.sort_values(
        ["indicator_id", "region", "period", "preferred", "published", "_status_rank", "source_id"],
        ascending=[True, True, True, False, False, True, True],
        kind="mergesort",
    )
    chosen = ordered.drop_duplicates(["indicator_id", "region", "period"], keep="first")
    return chosen.drop(columns="_status_rank").reset_index(drop=True)


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


# ---------------------------------------------------------------------------
# Coverage


def where_published(dataset: Dataset, target_id: str) -> str:
    """Return where a target's figure is published: the target's own entry (its region), else the indicator's."""
    target = dataset.targets.set_index("target_id").loc[target_id]
    own = str(target.get("where_published", "") or "")
    return own or str(dataset.indicator(target["indicator_id"])["where_published"] or "")


def coverage_table(dataset: Dataset, region: str = "ningbo", as_of: date | str | pd.Timestamp | None = None) -> pd.DataFrame:
    """Return, per target of a region, the years with data, the latest value and its source."""
    chosen = with_sources(dataset, select_as_of(dataset.observations, as_of))
    annual = chosen[chosen["is_annual"]]
    rows = []
    targets = dataset.targets if region in (None, "", "all") else dataset.targets[dataset.targets["region"] == region]
    for target in targets.sort_values("target_id").itertuples():
        series = annual[(annual["indicator_id"] == target.indicator_id) & (annual["region"] == target.region)].sort_values("year")
        if series.empty:
            rows.append({
                "target_id": target.target_id, "indicator_id": target.indicator_id, "region": target.region,
                "years": "", "n_years": 0, "latest_period": "", "latest_value": np.nan, "latest_shown": "",
                "latest_status": "", "source_id": "", "source_title": "", "where_published": where_published(dataset, target.target_id),
            })
            continue
        latest = series.iloc[-1]
        rows.append({
            "target_id": target.target_id, "indicator_id": target.indicator_id, "region": target.region,
            "years": format_years(series["year"].tolist()), "n_years": len(series),
            "latest_period": latest["period"], "latest_value": latest["value"],
            "latest_shown": f"{latest['qualifier']}{latest['value']:g}", "latest_status": latest["status"],
            "source_id": latest["source_id"], "source_title": latest["title"], "where_published": "",
        })
    return pd.DataFrame(rows)


def format_years(years: Iterable[int]) -> str:
    """Format years compactly, e.g. [2015, 2016, 2017, 2020] -> '2015-2017, 2020'."""
    runs: list[list[int]] = []
    for year in sorted(set(years)):
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs)


# ---------------------------------------------------------------------------
# Frictionless Data Package descriptor (generated from the schema above)

ENUMS = {
    ("indicators", "kind"): INDICATOR_KINDS,
    ("indicators", "growth_form"): GROWTH_FORMS,
    ("targets", "target_type"): TARGET_TYPES,
    ("targets", "comparator"): COMPARATORS,
    ("sources", "kind"): SOURCE_KINDS,
    ("observations", "status"): STATUSES,
    ("observations", "qualifier"): QUALIFIERS,
    ("milestones", "comparator"): COMPARATORS,
    ("definition_audit", "decision"): DECISIONS,
}
FOREIGN_KEYS = {
    "indicators": [],
    "regions": [],
    "sources": [],
    "targets": [("indicator_id", "indicators", "indicator_id"), ("region", "regions", "region_id")],
    "observations": [
        ("indicator_id", "indicators", "indicator_id"),
        ("region", "regions", "region_id"),
        ("source_id", "sources", "source_id"),
    ],
    "milestones": [
        ("indicator_id", "indicators", "indicator_id"),
        ("region", "regions", "region_id"),
        ("source_id", "sources", "source_id"),
    ],
    "definition_audit": [
        ("target_id", "targets", "target_id"),
        ("indicator_id", "indicators", "indicator_id"),
        ("region", "regions", "region_id"),
    ],
}


def field_descriptor(name: str, column: str) -> dict:
    """Return the Table Schema field of one column."""
    kind = NUMERIC.get(name, {}).get(column)
    if kind is int:
        ftype = "integer"
    elif kind is float:
        ftype = "number"
    elif column in BOOLEAN.get(name, ()):
        ftype = "boolean"
    elif column in DATES.get(name, ()):
        ftype = "date"
    else:
        ftype = "string"
    field: dict = {"name": column, "type": ftype}
    if ftype == "boolean":
        field["trueValues"], field["falseValues"] = ["true"], ["false"]
    constraints: dict = {}
    if column not in OPTIONAL[name]:
        constraints["required"] = True
    if (name, column) in ENUMS:
        constraints["enum"] = [v for v in ENUMS[(name, column)] if v != ""]
    if name in ("observations", "definition_audit") and column == "period":
        constraints["pattern"] = PERIOD_PATTERN.strip("^$")
    if constraints:
        field["constraints"] = constraints
    return field


def datapackage_descriptor() -> dict:
    """Return the Frictionless Data Package descriptor of every table."""
    resources = []
    for name, filename in TABLE_FILES.items():
        schema = {
            "fields": [field_descriptor(name, column) for column in COLUMNS[name]],
            "missingValues": [""],
        }
        if len(KEYS[name]) == 1:
            schema["primaryKey"] = KEYS[name]
        schema["foreignKeys"] = [
            {"fields": column, "reference": {"resource": resource, "fields": ref}}
            for column, resource, ref in FOREIGN_KEYS[name]
        ]
        resources.append({
            "name": name, "path": filename, "profile": "tabular-data-resource", "format": "csv",
            "mediatype": "text/csv", "encoding": "utf-8", "schema": schema,
        })
    return {
        "profile": "tabular-data-package",
        "name": "ningbo-315-targets",
        "title": "Ningbo 2027 sci-tech innovation targets and sourced statistics",
        "description": "Targets of Ningbo's 315 sci-tech innovation plan (2023-2027) and related decisions, "
        "each traced to its clause, with sourced observations of the indicators; see data/README.md.",
        "resources": resources,
    }


def datapackage_json() -> str:
    """Return the descriptor as the exact text stored in data/datapackage.json."""
    import json

    return json.dumps(datapackage_descriptor(), ensure_ascii=False, indent=2) + "\n"
